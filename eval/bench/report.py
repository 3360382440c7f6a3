"""A bench run's derived ratios against the targets, and its Markdown table."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def derive(result: dict[str, Any]) -> dict[str, Any]:
    """Rates and ratios; each against the baseline of the same run."""
    ours, base = result["ours"], result.get("baseline")
    ingest = ours["ingest"]
    raw = ours["raw"]
    d: dict[str, Any] = {
        "articles_per_s": ingest["articles"] / ingest["seconds"],
        "chunks_per_s": ingest["chunks"] / ingest["seconds"],
        "tokens_per_s": ingest["tokens"] / ingest["seconds"],
        "raw_tokens_per_s": raw["tokens"] / raw["seconds"],
        "ingest_vs_raw": (ingest["tokens"] / ingest["seconds"]) / (raw["tokens"] / raw["seconds"]),
        # Worker processes' CPU time is not this process's: no CPU ratio for them.
        "ingest_vs_raw_cpu": (ingest["tokens"] / ingest["cpu_seconds"])
        / (raw["tokens"] / raw["cpu_seconds"])
        if ours.get("embed_processes", 1) == 1
        else None,
        "model_share": ingest["model_seconds"] / ingest["seconds"],
        "reingest_speedup": ingest["seconds"] / ours["reingest"]["seconds"],
        "incremental_vs_full": ours["incremental"]["seconds"] / ingest["seconds"],
        "ask_vs_floor": _ratio(ours["latency"], "ask", ours["latency"], "floor"),
        "ask_en_vs_floor": _ratio(ours["latency"]["en"], "ask", ours["latency"]["en"], "floor"),
        "disk_mb_per_10k_chunks": ours["disk_bytes"]
        / 2**20
        / (ingest["chunks"] + ours["incremental"]["chunks"])
        * 10_000,
    }
    if base and (b := base.get("ingest")):
        d |= {
            "baseline_articles_per_s": b["articles"] / b["seconds"],
            "baseline_chunks_per_s": b["chunks"] / b["seconds"],
            "baseline_tokens_per_s": b["tokens"] / b["seconds"],
            "baseline_model_share": b["model_seconds"] / b["seconds"],
            "tokens_per_s_vs_baseline": d["tokens_per_s"] / (b["tokens"] / b["seconds"]),
            "articles_per_s_vs_baseline": d["articles_per_s"] / (b["articles"] / b["seconds"]),
            "baseline_disk_mb_per_10k_chunks": base["disk_bytes"] / 2**20 / b["chunks"] * 10_000,
        }
    if base:
        d |= {
            "ask_vs_baseline": _ratio(ours["latency"], "ask", base["latency"], "retrieve"),
            "ask_en_vs_baseline": _ratio(
                ours["latency"]["en"], "ask", base["latency"]["en"], "retrieve"
            ),
            "retrieve_vs_baseline": _ratio(
                ours["latency"], "retrieve", base["latency"], "retrieve"
            ),
        }
    if shared := result.get("shared"):
        d |= _shared_vs_embedded(ours, shared)
    return d


def _shared_vs_embedded(ours: dict[str, Any], shared: dict[str, Any]) -> dict[str, Any]:
    """The shared layout beside the embedded default on the same corpus and questions."""
    ingest = shared["ingest"]
    return {
        "shared_chunks_per_s": ingest["chunks"] / ingest["seconds"],
        # Rankings: the same chunk ids in the same order; answers: text and citations.
        "shared_rankings_agree": _agreeing(ours["rankings"], shared["rankings"]),
        "shared_answers_agree": _agreeing(ours["answers"], shared["answers"]),
    }


def _agreeing(ours: list[Any], theirs: list[Any]) -> float | None:
    """The share of questions whose results are identical."""
    same = [a == b for a, b in zip(ours, theirs, strict=True)]
    return sum(same) / len(same) if same else None


def _ratio(a: dict[str, Any], a_name: str, b: dict[str, Any], b_name: str) -> float | None:
    """p50 of one call over p50 of another; None where a language had no questions."""
    top, bottom = a[a_name]["p50_ms"], b[b_name]["p50_ms"]
    return top / bottom if top is not None and bottom else None


def _n(value: float | None, digits: int = 0) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def _p(latency: dict[str, float | None]) -> str:
    return f"{_n(latency['p50_ms'], 1)} / {_n(latency['p95_ms'], 1)}"


def _share(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def markdown(report: dict[str, Any]) -> str:
    sizes = report["sizes"]
    if not sizes:
        return "(no sizes measured)"
    rows: list[tuple[str, Callable[[dict[str, Any]], str]]] = [
        ("articles / chunks (ours)", lambda r: f"{r['ours']['ingest']['articles']:,} / {r['ours']['ingest']['chunks']:,}"),
        ("chunks (llama-index)", lambda r: _n(r["baseline"]["ingest"]["chunks"]) if "ingest" in r.get("baseline", {}) else "–"),
        ("ingest s: ours / llama-index", lambda r: f"{_n(r['ours']['ingest']['seconds'], 1)} / {_n(r['baseline']['ingest']['seconds'], 1) if 'ingest' in r.get('baseline', {}) else '–'}"),
        ("articles/s: ours / llama-index", lambda r: f"{_n(r['derived']['articles_per_s'], 1)} / {_n(r['derived'].get('baseline_articles_per_s'), 1)}"),
        ("chunks/s: ours / llama-index", lambda r: f"{_n(r['derived']['chunks_per_s'], 1)} / {_n(r['derived'].get('baseline_chunks_per_s'), 1)}"),
        ("embedding tokens/s: ours / llama-index / raw encode", lambda r: f"{_n(r['derived']['tokens_per_s'])} / {_n(r['derived'].get('baseline_tokens_per_s'))} / {_n(r['derived']['raw_tokens_per_s'])}"),
        ("**ingest ÷ raw encode** (≥ 0.9): wall / CPU time", lambda r: f"{r['derived']['ingest_vs_raw']:.2f} / {_share(r['derived']['ingest_vs_raw_cpu'])}"),
        ("share of ingest time inside the model: ours / llama-index", lambda r: f"{r['derived']['model_share']:.0%} / {'–' if 'baseline_model_share' not in r['derived'] else format(r['derived']['baseline_model_share'], '.0%')}"),
        ("re-ingest unchanged: s (**speed-up**, ≥ 20×)", lambda r: f"{r['ours']['reingest']['seconds']:.2f} ({r['derived']['reingest_speedup']:,.0f}×)"),
        ("incremental: +articles, s, ÷ full ingest (BM25 segments before → after; existing rows rewritten)", lambda r: f"+{r['ours']['incremental']['articles']}, {r['ours']['incremental']['seconds']:.1f}, {r['derived']['incremental_vs_full']:.1%} ({r['ours']['incremental']['bm25_segments_before']} → {r['ours']['incremental']['bm25_segments_after']}; {r['ours']['incremental']['bm25_rows_rewritten']:,} of {r['ours']['incremental']['bm25_rows_before']:,})"),
        ("retrieve p50 / p95 ms", lambda r: _p(r["ours"]["latency"]["retrieve"])),
        ("ask p50 / p95 ms (en; hi)", lambda r: f"{_p(r['ours']['latency']['ask'])} ({_n(r['ours']['latency']['en']['ask']['p50_ms'], 1)}; {_n(r['ours']['latency']['hi']['ask']['p50_ms'], 1)})"),
        ("floor p50 / p95 ms (query embedding + 1 Chroma query) (en; hi)", lambda r: f"{_p(r['ours']['latency']['floor'])} ({_n(r['ours']['latency']['en']['floor']['p50_ms'], 1)}; {_n(r['ours']['latency']['hi']['floor']['p50_ms'], 1)})"),
        ("llama-index retriever p50 / p95 ms (* over our collection)", lambda r: _p(r["baseline"]["latency"]["retrieve"]) + ("*" if "over" in r["baseline"] else "") if "baseline" in r else "–"),
        ("**ask p50 ÷ floor p50** (≤ 1.3): all / en", lambda r: f"{_share(r['derived']['ask_vs_floor'])} / {_share(r['derived']['ask_en_vs_floor'])}"),
        ("ask p50 ÷ llama-index retriever p50: all / en", lambda r: f"{_share(r['derived'].get('ask_vs_baseline'))} / {_share(r['derived'].get('ask_en_vs_baseline'))}"),
        ("hit@5 ours: all (en / hi)", lambda r: f"{_share(r['ours']['hit_at_5']['all'])} ({_share(r['ours']['hit_at_5']['en'])} / {_share(r['ours']['hit_at_5']['hi'])})"),
        ("hit@5 llama-index: all (en / hi)", lambda r: f"{_share(r['baseline']['hit_at_5']['all'])} ({_share(r['baseline']['hit_at_5']['en'])} / {_share(r['baseline']['hit_at_5']['hi'])})" + ("*" if "over" in r["baseline"] else "") if "baseline" in r else "–"),
        ("answer holds the planted fact (ours)", lambda r: _share(r["ours"]["answer_found"]["all"])),
        ("**cold start `rag ask`** s: en / hi (< 4)", lambda r: " / ".join(_n(min(r["cold_start"].get(lang) or [None]), 2) for lang in ("en", "hi"))),
        ("peak RSS MB: ours ingest / ours all / llama-index", lambda r: f"{_n(r['ours']['ingest']['peak_rss_mb'])} / {_n(r['ours']['peak_rss_mb'])} / {_n(r['baseline']['peak_rss_mb']) if 'baseline' in r else '–'}"),
        ("disk MB per 10k chunks: ours / llama-index", lambda r: f"{_n(r['derived']['disk_mb_per_10k_chunks'], 1)} / {_n(r['derived'].get('baseline_disk_mb_per_10k_chunks'), 1)}"),
        ("load average (1 min) at start → end of this size", lambda r: " → ".join(f"{x:.1f}" for x in r["load_average"])),
    ]  # fmt: skip
    if any("shared" in r for r in sizes):
        rows += _shared_rows()
    header = "| ≈ chunks | " + " | ".join(f"{r['size']:,}" for r in sizes) + " |"
    lines = [header, "|---" * (len(sizes) + 1) + "|"]
    lines += [f"| {name} | " + " | ".join(cell(r) for r in sizes) + " |" for name, cell in rows]
    m, s = report["machine"], report["settings"]
    devices = sorted({r["ours"]["device"] for r in sizes})
    lines += [
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['ram_gb']} GB RAM; load average at start "
        f"{m['load_average_start'][0]:.1f}. Embedding: {s['embed_model']} on "
        f"{', '.join(devices)} (embed_device={s['embed_device']}, "
        f"embed_processes={s['embed_processes']}, batch {s['embed_batch_size']}, "
        f"{sizes[0]['ours']['torch_threads']} torch threads); questions embedded by "
        f"{sizes[0]['ours'].get('query_encoder', 'the same model')}. {report['date']}.",
    ]
    if layouts := sorted({r["shared"]["layout"] for r in sizes if "shared" in r}):
        lines.append(f"Shared layout: {', '.join(layouts)}; embedded: the default data folder.")
    return "\n".join(lines)


def _shared_rows() -> list[tuple[str, Callable[[dict[str, Any]], str]]]:
    """The shared layout's figures beside the embedded default's, "–" at a size
    measured without it."""

    def beside(cell: Callable[[dict[str, Any]], str]) -> Callable[[dict[str, Any]], str]:
        return lambda r: cell(r) if "shared" in r else "–"

    return [
        ("**shared layout** ingest chunks/s: embedded / shared", beside(lambda r: f"{_n(r['derived']['chunks_per_s'], 1)} / {_n(r['derived']['shared_chunks_per_s'], 1)}")),
        ("shared layout ask p50 / p95 ms: embedded; shared", beside(lambda r: f"{_p(r['ours']['latency']['ask'])}; {_p(r['shared']['latency']['ask'])}")),
        ("shared layout retrieve p50 / p95 ms: embedded; shared", beside(lambda r: f"{_p(r['ours']['latency']['retrieve'])}; {_p(r['shared']['latency']['retrieve'])}")),
        ("shared layout hit@5: embedded / shared", beside(lambda r: f"{_share(r['ours']['hit_at_5']['all'])} / {_share(r['shared']['hit_at_5']['all'])}")),
        ("shared vs embedded, share of questions: same top-k ids in order / same answer and citations", beside(lambda r: f"{_share(r['derived']['shared_rankings_agree'])} / {_share(r['derived']['shared_answers_agree'])}")),
    ]  # fmt: skip
