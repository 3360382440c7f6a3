"""`rag eval --answerers`: several answerers scored on the same retrieved passages,
one column each, against the scripted OpenAI-protocol server of loopback_llm on
127.0.0.1, with a server error and an answerer that raises reported, not fatal."""

from __future__ import annotations

import io
import json
from collections.abc import Generator, Iterator
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

import pytest
from loopback_llm import LoopbackLLM, Script

from eval.datasets import load_set
from rag import answerers
from rag.answerers import Evidence
from rag.cli import main as rag_main
from rag.types import Answer

# Question id -> what the scripted model says (None: it answers HTTP 500).
SCRIPTED = {
    "sample-en-01": "It reached its orbit 19 minutes after liftoff [1].",  # right
    "sample-en-03": "About 500 banks were live on UPI [1].",  # wrong: 674
    "sample-en-04": None,
    "sample-en-12": "ISRO will launch NVS-05 in March 2026 [1].",  # unanswerable, invented
}


class Broken:
    """A plugin answerer whose model server is gone: it raises on every question."""

    def __init__(self, assistant: Any, name: str) -> None:
        pass

    def answer(self, evidence: Evidence) -> Generator[str, None, Answer]:
        raise ConnectionError("model server went away")


@pytest.fixture(scope="module")
def server() -> Iterator[LoopbackLLM]:
    with LoopbackLLM() as running:
        yield running


def scripted_server(server: LoopbackLLM, questions: dict[str, str]) -> None:
    """Each question's reply keyed by the question's text, as the prompt carries it."""
    when = {
        questions[qid]: Script(status=500) if text is None else Script(text)
        for qid, text in SCRIPTED.items()
    }
    server.reset(Script(when=when))


@pytest.fixture(scope="module")
def run_dir(
    server: LoopbackLLM,
    sample_index: Any,
    sample_corpus: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Path:
    """`rag eval --answerers extractive,openai,broken` on the scripted questions."""
    items = [i for i in load_set("sample").items if i.id in SCRIPTED]
    scripted_server(server, {i.id: i.question for i in items})
    root = tmp_path_factory.mktemp("answerers")
    set_file = root / "four.jsonl"
    set_file.write_text(
        "".join(
            json.dumps({k: v for k, v in vars(i).items() if k != "split"}) + "\n" for i in items
        ),
        "utf-8",
    )
    printed = io.StringIO()
    with pytest.MonkeyPatch.context() as patch, redirect_stdout(printed):
        patch.setitem(answerers.registry(), "broken", Broken)
        code = rag_main(
            [
                *("eval", "--set", str(set_file), "--corpus", str(sample_corpus)),
                *("--data-dir", str(sample_index.settings.data_dir), "--retriever", "bm25"),
                *("--answerers", "extractive,openai,broken", "--out", str(root / "runs")),
                *("--llm-base-url", server.openai_url, "--llm-model", "test-model"),
            ]
        )
    assert code == 0
    # What the command prints: the answerers' measures side by side.
    assert printed.getvalue().split("\n")[0].split() == ["extractive", "openai", "broken"]
    (run,) = (root / "runs").iterdir()
    return run


@pytest.mark.slow
def test_every_answerer_answers_from_one_retrieval(run_dir: Path, server: LoopbackLLM) -> None:
    saved = json.loads((run_dir / "results.json").read_text("utf-8"))
    assert saved["config"]["answerers"] == ["extractive", "openai", "broken"]
    rows = saved["rows"]
    assert len(rows) == 4 * 3
    for qid in SCRIPTED:
        mine = [r for r in rows if r["id"] == qid]
        assert [r["answerer"] for r in mine] == ["extractive", "openai", "broken"]
        assert len({json.dumps(r["retrieved"]) for r in mine}) == 1
        # The same retrieval's clock, not three retrievals.
        assert len({r["timings"]["retrieval_ms"] for r in mine}) == 1
    assert len(server.chats()) == 4  # the model was asked each question once


@pytest.mark.slow
def test_the_model_column_scores_what_the_server_said(run_dir: Path) -> None:
    saved = json.loads((run_dir / "results.json").read_text("utf-8"))
    rows = {(r["id"], r["answerer"]): r for r in saved["rows"]}
    for qid, text in SCRIPTED.items():
        if text is not None:
            assert rows[qid, "openai"]["answer"] == text
            assert rows[qid, "extractive"]["answer"] != text  # the columns have different answers
    model = {qid: rows[qid, "openai"]["metrics"] for qid in SCRIPTED}
    assert model["sample-en-01"]["all_key_facts"] is True
    assert model["sample-en-03"]["all_key_facts"] is False
    assert model["sample-en-12"]["refusal_accuracy"] is False  # it invented a date
    overall = saved["answerers"]["openai"]["overall"]
    assert overall["all_key_facts"] == pytest.approx(1 / 3)
    assert overall["answer_rate"] == pytest.approx(2 / 3)
    assert overall["refusal_accuracy"] == 0.0
    assert overall["answerer_error"] == 0.25
    assert saved["answerers"]["extractive"]["overall"]["answerer_error"] == 0.0
    assert saved["aggregates"] == saved["answerers"]["extractive"]  # the first answerer's


@pytest.mark.slow
def test_errors_are_failed_answers_with_their_reason(run_dir: Path, server: LoopbackLLM) -> None:
    saved = json.loads((run_dir / "results.json").read_text("utf-8"))
    rows = {(r["id"], r["answerer"]): r for r in saved["rows"]}
    down = rows["sample-en-04", "openai"]
    assert down["error"] == f"HTTP 500 from {server.openai_url}"
    assert down["metrics"]["answerer_error"] is True
    assert down["metrics"]["all_key_facts"] is False and down["metrics"]["answer_rate"] is False
    for qid in SCRIPTED:
        broken = rows[qid, "broken"]
        assert broken["error"] == "ConnectionError: model server went away"
        assert broken["answer"] == "" and broken["metrics"]["language_ok"] is False
        assert broken["metrics"]["refusal_accuracy"] in (None, False)  # no error is a refusal
    assert saved["answerers"]["broken"]["overall"]["answerer_error"] == 1.0


@pytest.mark.slow
def test_the_report_has_one_column_per_answerer(run_dir: Path, server: LoopbackLLM) -> None:
    report = (run_dir / "report.md").read_text("utf-8")
    assert "|  | extractive | openai | broken |" in report
    assert "answers: extractive, openai, broken (LLM model test-model)," in report
    assert "| answerer errors | 0.00 | 0.25 | 1.00 |" in report
    assert "| metric | extractive | openai | broken |" in report  # the Overall table
    failures = report.split("## Failed questions", 1)[1]
    assert failures.startswith(" (extractive ")
    assert "openai 3 of 4, broken 4 of 4)" in failures.split("\n", 1)[0]
    assert "| sample-en-04 | openai | single-source |" in failures
    assert f"error: HTTP 500 from {server.openai_url}" in failures
    assert "error: ConnectionError: model server went away" in failures
    assert (run_dir / "chart.png").read_bytes()[:4] == b"\x89PNG"


def test_unknown_answerer_names_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        rag_main(["eval", "--answerers", "extractive,nosuch"])
    assert stopped.value.code == 2
    assert "unknown answerer 'nosuch'" in capsys.readouterr().err
    assert rag_main(["eval", "--ablation", "--answerers", "extractive,openai"]) == 2
