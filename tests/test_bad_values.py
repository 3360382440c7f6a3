"""Bad settings, filters and paths: a ValueError naming the setting from the Python API,
one line and exit code 2 from the CLI (never a traceback), over the sample index."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from rag.assistant import Assistant
from rag.cli import main
from rag.messages import say
from rag.settings import Settings

pytestmark = pytest.mark.slow

QUESTION = "When was NVS-04 launched?"
SAMPLE_OUTLETS = ["IANS", "PTI", "arthjagat.example"]  # among those of the sample corpus


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--k", "0"], "k must be at least 1, not 0"),
        (["--k", "-3"], "k must be at least 1, not -3"),
        (["--k", "two"], "k: 'two' is not a whole number"),
        (["--candidates", "0"], "candidates must be at least 1, not 0"),
        (["--date-from", "2025-13-45"], "date_from must be a date as YYYY-MM-DD"),
        (["--date-to", "2018-13-99"], "date_to must be a date as YYYY-MM-DD"),
        # --source: --outlet's old name, still accepted
        (["--source", "Reuters"], "outlet: no indexed article is from 'Reuters'"),
        (["--outlet", "Reuters"], "outlet: no indexed article is from 'Reuters'"),
    ],
)
def test_cli_ask_refuses_a_bad_value_in_one_line(
    sample_index: Assistant, capsys: pytest.CaptureFixture[str], flags: list[str], message: str
) -> None:
    data_dir = str(sample_index.settings.data_dir)
    code, out, err = cli(capsys, "ask", QUESTION, "--data-dir", data_dir, *flags)
    assert code == 2 and out == ""
    assert err.startswith("rag: ") and message in err and len(err.splitlines()) == 1


@pytest.mark.parametrize("question", ["", "   ", "?!"])
def test_cli_ask_refuses_a_question_without_words(
    sample_index: Assistant, capsys: pytest.CaptureFixture[str], question: str
) -> None:
    data_dir = str(sample_index.settings.data_dir)
    for flags in ([], ["--json"]):
        code, out, err = cli(capsys, "ask", question, "--data-dir", data_dir, *flags)
        assert code == 2 and out == ""
        assert err == f"rag: {say('bad_question', 'en')}\n"


def test_an_unknown_outlet_is_refused_with_the_known_ones(sample_index: Assistant) -> None:
    with pytest.raises(ValueError, match="outlet: no indexed article is from 'Reuters'") as error:
        sample_index.ask(QUESTION, filters={"outlet": "Reuters"})
    assert all(outlet in str(error.value) for outlet in SAMPLE_OUTLETS)


def test_an_outlet_is_matched_in_any_case(sample_index: Assistant) -> None:
    answer = sample_index.ask(QUESTION, filters={"outlet": "pti"})
    assert answer.answered and {p.outlet for p in answer.passages} == {"PTI"}
    # "source", the filter's old name, is still read.
    assert sample_index.ask(QUESTION, filters={"source": "pti"}).passages == answer.passages


def test_a_filter_no_article_matches_says_so(sample_index: Assistant) -> None:
    for filters in (
        {"date_from": "2030-01-01"},
        {"outlet": "PTI", "date_to": "2025-01-01"},
        {"date_from": "2025-09-01", "date_to": "2025-08-01"},  # backwards
    ):
        answer = sample_index.ask(QUESTION, filters=filters)
        assert not answer.answered and not answer.passages
        assert answer.text.startswith("No indexed article matches the filters (")
        assert answer.text != say("no_answer", "en")
    hindi = sample_index.ask("NVS-04 कब लॉन्च हुआ?", filters={"date_from": "2030-01-01"})
    assert hindi.text == say("no_match", "hi", filters="date_from 2030-01-01")


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda a: a.ask(QUESTION, filters={"date_from": "2025-13-45"}), "date_from must be"),
        (lambda a: a.ask(QUESTION, filters={"date_to": "2018-13-99"}), "date_to must be"),
        (lambda a: a.ask(QUESTION, filters={"publisher": "PTI"}), r"unknown filter\(s\) publisher"),
        (lambda a: a.ask(QUESTION, filters={"language": "fr"}), "unknown language filter"),
        (lambda a: a.ask(QUESTION, k=0), "k must be at least 1, not 0"),
        (lambda a: a.retrieve(QUESTION, k=-3), "k must be at least 1, not -3"),
        (lambda a: a.retrieve(QUESTION, filters={"outlet": "nowhere"}), "outlet: no indexed"),
    ],
)
def test_the_python_api_names_the_bad_value(
    sample_index: Assistant, call: Callable[[Assistant], object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        call(sample_index)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"k": 0}, "k must be at least 1, not 0"),
        ({"candidates": 0}, "candidates must be at least 1"),
        ({"k": 2.5}, "k: 2.5 is not a whole number"),
        ({"chunk_overlap": -1}, "chunk_overlap must be at least 0"),
        ({"max_file_mb": 0}, "max_file_mb must be more than 0"),
        ({"retriever": "fuzzy"}, "retriever: 'fuzzy' is not one of"),
    ],
)
def test_bad_settings_are_refused_by_name(
    tmp_path: Path, settings: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        Assistant(tmp_path / "data", **settings)
    with pytest.raises(ValueError, match=message):
        Settings.load(**settings)


def test_a_data_dir_that_is_a_file_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a_file = tmp_path / "notes.txt"
    a_file.write_text("not an index", "utf-8")
    with pytest.raises(ValueError, match=r"data_dir .*notes.txt is a file, not a folder"):
        Assistant(a_file)
    with pytest.raises(ValueError, match=r"data_dir .* cannot be used"):
        Assistant(a_file / "inside")
    for command in (["ask", QUESTION], ["articles"], ["ingest", str(a_file)]):
        code, _, err = cli(capsys, *command, "--data-dir", str(a_file))
        assert code == 2 and "is a file, not a folder" in err


def test_reading_commands_refuse_a_missing_index_folder_and_create_none(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "typo"
    for command in (["ask", QUESTION], ["articles"], ["remove", "x.txt"]):
        code, out, err = cli(capsys, *command, "--data-dir", str(missing))
        assert code == 2 and out == ""
        assert f"data_dir {missing} does not exist" in err and "rag ingest" in err
    assert not missing.exists()
    with pytest.raises(ValueError, match="does not exist"):
        Assistant.open_index(Settings.load(data_dir=missing))
    # The Python API starts an index where asked, as `rag ingest` does.
    assert Assistant(missing).summary()["articles"] == 0 and missing.is_dir()


def test_ingest_refuses_a_missing_path_before_changing_anything(
    make_assistant: Callable[..., Assistant], sample_corpus: Path, tmp_path: Path
) -> None:
    assistant = make_assistant(tmp_path / "data")
    assistant.ingest([sample_corpus / "en_upi_july_2025.txt"])
    before = assistant.articles()
    for rebuild in (False, True):
        with pytest.raises(ValueError, match=r"no such file or folder: .*no_such_folder"):
            assistant.ingest([sample_corpus, tmp_path / "no_such_folder"], rebuild=rebuild)
    assert assistant.articles() == before


def test_cli_ingest_exits_2_when_nothing_is_ingested(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = tmp_path / "code"
    corpus.mkdir()
    (corpus / "app.js").write_text("console.log('The council met on Monday.');", "utf-8")
    (corpus / "empty.txt").write_text("", "utf-8")
    data_dir = tmp_path / "new" / "index"  # ingest may start an index in a new folder
    code, out, err = cli(capsys, "ingest", str(corpus), "--data-dir", str(data_dir))
    assert code == 2 and data_dir.is_dir()
    assert "files skipped:    2" in out and "app.js: unsupported type (.js)" in out
    assert "rag: nothing was ingested (2 file(s) skipped)" in err

    code, _, err = cli(capsys, "ingest", str(tmp_path / "nowhere"), "--data-dir", str(data_dir))
    assert code == 2 and "no such file or folder" in err and "Traceback" not in err
