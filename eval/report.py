"""Run reports: Markdown tables, a bar chart, the CLI summary and run comparisons."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

# The metrics a reader looks at first, with short column names.
MAIN_METRICS: dict[str, str] = {
    "hit@5": "hit@5",
    "mrr@10": "MRR",
    "key_fact_recall": "facts",
    "all_key_facts": "all facts",
    "facts_in_2_sentences": "facts ≤2 sent.",
    "citation_precision": "cite P",
    "citation_recall": "cite R",
    "refusal_accuracy": "refusal",
    "language_ok": "lang ok",
}
LATENCY_COLUMNS: dict[str, str] = {
    "retrieval_ms_p50": "retr p50 ms",
    "answer_ms_p50": "ans p50 ms",
    "total_ms_p95": "total p95 ms",
}
# The answerers side by side: (section, group, metric) of each measure; "overall" has no group.
ANSWERER_MEASURES: dict[str, tuple[str, str, str]] = {
    "n": ("overall", "", "n"),
    "all key facts": ("overall", "", "all_key_facts"),
    "all key facts, single-source": ("kind", "single-source", "all_key_facts"),
    "all key facts, cross-language": ("kind", "cross-language", "all_key_facts"),
    "answerable answered": ("overall", "", "answer_rate"),
    "unanswerable refused": ("overall", "", "refusal_accuracy"),
    "citation precision": ("overall", "", "citation_precision"),
    "answer language": ("overall", "", "language_ok"),
    "answerer errors": ("overall", "", "answerer_error"),
    "answer p50 ms": ("overall", "", "answer_ms_p50"),
}
SECTIONS = ("language", "kind", "language/kind")
CHART_SECTIONS = ("language", "kind")
# The chart shows each measure once: "facts" and "facts ≤2 sent." repeat "all facts"
# whenever answers are one sentence, as offline ones are.
CHART_METRICS: dict[str, str] = {
    "hit@5": "gold in top 5",
    "mrr@10": "MRR",
    "all_key_facts": "all key facts",
    "citation_precision": "citation precision",
    "refusal_accuracy": "unanswerable refused",
    "language_ok": "answer language",
}


def fmt(value: Any, name: str = "") -> str:
    if value is None:
        return "–"
    if isinstance(value, bool) or name == "n" or isinstance(value, int):
        return str(int(value))
    if "_ms" in name:
        return f"{value:.0f}"
    return f"{value:.2f}"


def text_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    lines = [headers, ["-" * w for w in widths], *rows]
    return "\n".join(
        "  ".join(
            cell.ljust(w) if i == 0 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(line, widths, strict=True))
        )
        for line in lines
    )


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = [
        "| " + " | ".join(headers) + " |",
        "|" + "|".join("---" if i == 0 else "---:" for i in range(len(headers))) + "|",
    ]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def _group_rows(aggregates: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    groups: list[tuple[str, Mapping[str, Any]]] = [("overall", aggregates["overall"])]
    for section in CHART_SECTIONS:
        groups += list(aggregates.get(section, {}).items())
    return groups


def summary_text(aggregates: Mapping[str, Any]) -> str:
    """The compact table `rag eval` prints: overall, per language, per kind."""
    columns = ["n", *MAIN_METRICS, "total_ms_p50"]
    headers = ["", "n", *MAIN_METRICS.values(), "p50 ms"]
    rows = [
        [label, *(fmt(values.get(c), c) for c in columns)]
        for label, values in _group_rows(aggregates)
    ]
    return text_table(headers, rows)


def answerers_table(by_answerer: Mapping[str, Mapping[str, Any]]) -> list[list[str]]:
    """One row per measure of ANSWERER_MEASURES, one column per answerer."""
    rows = []
    for label, (section, group, metric) in ANSWERER_MEASURES.items():
        cells = []
        for aggregates in by_answerer.values():
            values = (
                aggregates["overall"]
                if section == "overall"
                else aggregates.get(section, {}).get(group, {})
            )
            cells.append(fmt(values.get(metric), metric))
        rows.append([label, *cells])
    return rows


def answerers_text(by_answerer: Mapping[str, Mapping[str, Any]]) -> str:
    """What `rag eval` prints for several answerers: their measures side by side."""
    return text_table(["", *by_answerer], answerers_table(by_answerer))


def write_report(
    out: Path,
    config: Mapping[str, Any],
    by_answerer: Mapping[str, Mapping[str, Any]],
    rows: Sequence[Mapping[str, Any]] = (),
) -> None:
    """report.md and chart.png of a run; `by_answerer` holds each answerer's aggregates."""
    report = markdown_report(config, by_answerer) + failures_section(rows)
    (out / "report.md").write_text(report, "utf-8")
    title = str(config.get("set", ""))
    if len(by_answerer) == 1:
        write_chart(out / "chart.png", next(iter(by_answerer.values())), title)
    else:
        groups = [(name, aggregates["overall"]) for name, aggregates in by_answerer.items()]
        _overall_chart(out / "chart.png", f"{title}: overall per answerer", groups)


def markdown_report(config: Mapping[str, Any], by_answerer: Mapping[str, Mapping[str, Any]]) -> str:
    """Settings, the answerers side by side (when several), overall, per section."""
    s = config.get("settings", {})
    index = config.get("index", {})
    several = len(by_answerer) > 1
    model = s.get("llm_model")
    answers = (
        ", ".join(by_answerer) + (f" (LLM model {model})" if model else "")
        if several
        else f"{s.get('llm')}{' ' + model if model else ''}"
    )
    lines = [
        f"# Evaluation: {config.get('set')}",
        "",
        f"- items: {config.get('items')}; corpus: {', '.join(config.get('corpus', []))}",
        f"- index: {index.get('articles')} articles, {index.get('chunks')} chunks "
        f"({', '.join(f'{k}: {v}' for k, v in sorted(index.get('languages', {}).items()))})",
        f"- retriever {s.get('retriever')}, k={s.get('k')}, answers: {answers}, "
        f"embedding {s.get('embed_model')}, "
        f"chunks of {s.get('chunk_tokens')} tokens",
        f"- commit {config.get('git_commit') or 'unknown'}, {config.get('created')}, "
        f"{config.get('seconds')} s",
        "",
        "Retrieval metrics count distinct sources among the k passages the answerer "
        "was given; – means the metric does not apply to any item of the group.",
    ]
    if several:
        lines += [
            "",
            "## Answerers",
            "",
            "Every answerer answered from the same passages of each question; an answerer's "
            "error (a model server down, a timeout, a reply citing nothing, so that the "
            "extractive answer stood in) counts as a failed answer.",
            "",
            markdown_table(["", *by_answerer], answerers_table(by_answerer)),
        ]
    overall = [aggregates["overall"] for aggregates in by_answerer.values()]
    lines += [
        "",
        "## Overall",
        "",
        markdown_table(
            ["metric", *(by_answerer if several else ["value"])],
            [
                [name, *(fmt(values.get(name), name) for values in overall)]
                for name in dict.fromkeys(name for values in overall for name in values)
            ],
        ),
    ]
    for section in SECTIONS:
        lines += [
            "",
            f"## Per {section.replace('/', ' × ')}",
            "",
            _section_table(by_answerer, section),
        ]
    return "\n".join(lines) + "\n"


def _section_table(by_answerer: Mapping[str, Mapping[str, Any]], section: str) -> str:
    """The main metrics per group of `section`; a row per answerer in each group when several."""
    several = len(by_answerer) > 1
    columns = ["n", *MAIN_METRICS, *LATENCY_COLUMNS]
    headers = ["", *(["answerer"] if several else []), "n"]
    headers += [*MAIN_METRICS.values(), *LATENCY_COLUMNS.values()]
    keys = dict.fromkeys(key for agg in by_answerer.values() for key in agg.get(section, {}))
    rows = [
        [key, *([name] if several else []), *(fmt(values.get(c), c) for c in columns)]
        for key in keys
        for name, agg in by_answerer.items()
        if (values := agg.get(section, {}).get(key)) is not None
    ]
    return markdown_table(headers, rows)


def failed(row: Mapping[str, Any]) -> bool:
    """Wrong for a reader: an answerable question without all its facts, or an
    unanswerable one answered."""
    values = row["metrics"]
    if values.get("refusal_accuracy") is not None:
        return not values["refusal_accuracy"]
    return not values.get("all_key_facts")


def _cell(text: str, limit: int = 300) -> str:
    text = " ".join(str(text).split()).replace("|", "\\|")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def failures_section(rows: Sequence[Mapping[str, Any]]) -> str:
    """Every failed question with the answer it got (or the answerer's error),
    and which answerer failed when the run has several."""
    if not rows:
        return ""
    wrong = [r for r in rows if failed(r)]
    names = list(dict.fromkeys(r.get("answerer", "") for r in rows))
    several = len(names) > 1
    lines = ["", f"## Failed questions ({_failure_counts(rows, wrong, names)})", ""]
    if wrong:
        answerer = ["answerer"] if several else []
        headers = ["id", *answerer, "kind", "question", "expected", "answer given"]
        lines.append(
            markdown_table(
                headers,
                [
                    [
                        r["id"],
                        *([r["answerer"]] if several else []),
                        r["kind"],
                        _cell(r["question"]),
                        _cell(r.get("reference", "")),
                        _cell(f"error: {r['error']}" if r.get("error") else r["answer"]),
                    ]
                    for r in wrong
                ],
            )
        )
    return "\n".join(lines) + "\n"


def _failure_counts(
    rows: Sequence[Mapping[str, Any]], wrong: Sequence[Mapping[str, Any]], names: Sequence[str]
) -> str:
    """ "3 of 27", or "extractive 3 of 27, openai 9 of 27" for several answerers."""
    if len(names) == 1:
        return f"{len(wrong)} of {len(rows)}"
    return ", ".join(
        f"{name} {sum(r['answerer'] == name for r in wrong)} of "
        f"{sum(r['answerer'] == name for r in rows)}"
        for name in names
    )


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")  # files only, never a window
    import matplotlib.pyplot as plt

    return plt


def _bars(ax: Any, groups: Sequence[tuple[str, Mapping[str, Any]]], title: str) -> None:
    """The chart's measures on the x axis, one labelled bar per group at each; a
    measure a group has no value for (refusal without unanswerable questions) is
    left out rather than drawn as 0."""
    width = 0.8 / max(1, len(groups))
    for i, (label, values) in enumerate(groups):
        shown = [(x, values.get(name)) for x, name in enumerate(CHART_METRICS)]
        shown = [(x, v) for x, v in shown if v is not None]
        bars = ax.bar([x + i * width for x, _ in shown], [v for _, v in shown], width, label=label)
        ax.bar_label(bars, fmt="%.2f", fontsize="x-small", rotation=90, padding=2)
    ax.set_xticks([x + 0.4 - width / 2 for x in range(len(CHART_METRICS))])
    ax.set_xticklabels(list(CHART_METRICS.values()), rotation=25, ha="right")
    ax.set_ylim(0, 1.35)  # headroom for the value labels and the legend
    ax.set_yticks([0, 0.2, 0.4, 0.6, 0.8, 1.0])
    ax.set_ylabel("share of questions (MRR: mean reciprocal rank)")
    ax.set_title(title)
    ax.legend(loc="upper center", fontsize="small", ncol=min(len(groups), 5) or 1)


def write_chart(path: Path, aggregates: Mapping[str, Any], title: str) -> None:
    """Grouped bars of the main metrics per language (left) and per kind (right)."""
    plt = _pyplot()
    fig, axes = plt.subplots(1, len(CHART_SECTIONS), figsize=(16, 5), sharey=True)
    for ax, section in zip(axes, CHART_SECTIONS, strict=True):
        _bars(ax, list(aggregates.get(section, {}).items()), f"per {section}")
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


# Comparing runs


def load_results(run: str | Path) -> dict[str, Any]:
    """A run's results.json, given the run folder or the file itself."""
    path = Path(run)
    if path.is_dir():
        path = path / "results.json"
    if not path.is_file():
        raise ValueError(f"no results.json at {run}")
    results: dict[str, Any] = json.loads(path.read_text("utf-8"))
    if "aggregates" not in results:
        raise ValueError(f"{path} is not the result of a single run (an ablation?)")
    return results


def compare_text(
    a: Mapping[str, Any], b: Mapping[str, Any], a_name: str = "A", b_name: str = "B"
) -> str:
    """Aggregates of two runs side by side with B − A, overall and per language and kind."""
    blocks = [f"A: {a_name}\nB: {b_name}"]
    agg_a, agg_b = a["aggregates"], b["aggregates"]
    pairs = [("overall", agg_a["overall"], agg_b["overall"])]
    for section in CHART_SECTIONS:
        keys = list(dict.fromkeys([*agg_a.get(section, {}), *agg_b.get(section, {})]))
        pairs += [
            (f"{section} {k}", agg_a.get(section, {}).get(k, {}), agg_b.get(section, {}).get(k, {}))
            for k in keys
        ]
    for label, va, vb in pairs:
        rows = []
        for name in dict.fromkeys([*va, *vb]):
            x, y = va.get(name), vb.get(name)
            delta = fmt(y - x, name) if x is not None and y is not None else "–"
            if delta not in ("–", "0", "0.00", "-0.00", "-0"):
                delta = delta if delta.startswith("-") else f"+{delta}"
            rows.append([name, fmt(x, name), fmt(y, name), delta])
        blocks.append(f"{label}\n" + text_table(["metric", "A", "B", "B−A"], rows))
    settings_a, settings_b = a["config"]["settings"], b["config"]["settings"]
    changed = [
        [k, str(settings_a.get(k)), str(settings_b.get(k))]
        for k in dict.fromkeys([*settings_a, *settings_b])
        if settings_a.get(k) != settings_b.get(k)
    ]
    if changed:
        blocks.insert(1, "settings that differ\n" + text_table(["setting", "A", "B"], changed))
    return "\n\n".join(blocks)


# Ablation

ABLATION_COLUMNS = [*MAIN_METRICS, "total_ms_p50"]
ABLATION_HEADERS = ["variant", *MAIN_METRICS.values(), "p50 ms"]


def _ablation_rows(variants: Sequence[Mapping[str, Any]], scope: str) -> list[list[str]]:
    """One row per variant: overall, or for one question language."""
    rows = []
    for v in variants:
        aggregates = v["aggregates"]
        values = (
            aggregates["overall"]
            if scope == "overall"
            else aggregates.get("language", {}).get(scope)
        )
        if values:
            rows.append([v["label"], *(fmt(values.get(c), c) for c in ABLATION_COLUMNS)])
    return rows


def ablation_text(variants: Sequence[Mapping[str, Any]]) -> str:
    return text_table(ABLATION_HEADERS, _ablation_rows(variants, "overall"))


def write_ablation_report(
    out: Path, set_name: str, base: Mapping[str, Any], variants: Sequence[Mapping[str, Any]]
) -> None:
    """One JSON, one Markdown table and one chart over every ablation variant."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(
        json.dumps(
            {"set": set_name, "base_settings": base, "variants": variants},
            ensure_ascii=False,
            indent=1,
        ),
        "utf-8",
    )
    lines = [
        f"# Ablation: {set_name}",
        "",
        "One setting changed at a time; everything else as in the base settings.",
        "",
    ]
    for scope in ("overall", "en", "hi"):
        if rows := _ablation_rows(variants, scope):
            lines += [f"## {scope}", "", markdown_table(ABLATION_HEADERS, rows), ""]
    (out / "report.md").write_text("\n".join(lines), "utf-8")
    _overall_chart(
        out / "chart.png",
        f"ablation on {set_name} (overall)",
        [(v["label"], v["aggregates"]["overall"]) for v in variants],
    )


def _overall_chart(path: Path, title: str, groups: Sequence[tuple[str, Mapping[str, Any]]]) -> None:
    """One panel of the chart's measures, a bar per group (variant, answerer)."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(16, 5))
    _bars(ax, groups, title)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
