"""How dense and BM25 lists are best fused, measured on XQuAD dev by one index.

    python -m eval.fusion_study [--model auto] [--out runs/fusion]

One index of both languages' paragraphs; per question the pipeline's own dense
list (over the pool of its mode) and BM25 list (over the question's own
language), then each fusion:
dense alone, BM25 alone, weighted RRF, and min-max score fusion over a grid of
dense weights. Hit@1 and hit@5 per mode, and for the chosen weight the split
that chose it: fitted on the even five-paragraph blocks (about one article
each), reported on the odd ones. Writes fusion.json and prints a table.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Sequence
from pathlib import Path

from eval.squad import MODES, XQUAD_DIR, squad_set, xquad_files
from rag.assistant import Assistant
from rag.fusion import weighted_rrf, weighted_scores
from rag.retrieval import DenseRetriever, LexicalRetriever
from rag.types import Filters

Hits = list[tuple[str, float]]
DENSE_WEIGHTS = (0.3, 0.4, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.9)
BLOCK = 5  # paragraphs per half-split block


def fusions() -> dict[str, Callable[[Hits, Hits], list[str]]]:
    def rrf(dense_weight: float) -> Callable[[Hits, Hits], list[str]]:
        weights = {"dense": dense_weight, "bm25": 1.0}
        return lambda d, b: [
            i
            for i, _ in weighted_rrf(
                {"dense": [i for i, _ in d], "bm25": [i for i, _ in b]}, weights
            )
        ]

    def scores(dense_weight: float) -> Callable[[Hits, Hits], list[str]]:
        weights = {"dense": dense_weight, "bm25": 1 - dense_weight}
        return lambda d, b: [i for i, _ in weighted_scores({"dense": d, "bm25": b}, weights)]

    found: dict[str, Callable[[Hits, Hits], list[str]]] = {
        "dense": lambda d, b: [i for i, _ in d],
        "bm25": lambda d, b: [i for i, _ in b],
        "rrf 1:1": rrf(1.0),
        "rrf 0.5:1": rrf(0.5),
    }
    found |= {f"scores {w}": scores(w) for w in DENSE_WEIGHTS}
    return found


def study(model: str, out: Path, modes: Sequence[str]) -> dict[str, dict[str, list[float]]]:
    both = squad_set("mixed", xquad_files(XQUAD_DIR), out / "squad")
    assistant = Assistant(out / "index", embed_model=model)
    assistant.ingest(both.corpus)
    store, encoder = assistant.store, assistant.query_model()
    candidates = assistant.settings.candidates
    stored = store.collection.get(include=["metadatas"])
    ref = {i: md["ref"] for i, md in zip(stored["ids"], stored["metadatas"], strict=True)}
    methods = fusions()
    results: dict[str, dict[str, list[float]]] = {}
    for mode in modes:
        _, pool_langs = MODES[mode]
        items = squad_set(mode, xquad_files(XQUAD_DIR), out / f"squad-{mode}").items
        tally = {name: [[0, 0], [0, 0]] for name in methods}  # per half: hit@1, hit@5
        for item in items:
            searched = Filters(languages=tuple(pool_langs))
            dense = DenseRetriever(store, encoder, candidates, searched).ranked(item.question)
            own = Filters(languages=(item.language,))
            bm25 = (
                LexicalRetriever(store, candidates, own).ranked(item.question)
                if item.language in pool_langs
                else []
            )
            half = (int(item.gold_refs[0].split("#")[1]) - 1) // BLOCK % 2
            for name, fuse in methods.items():
                sources = list(dict.fromkeys(ref[i] for i in fuse(dense, bm25)))
                tally[name][half][0] += bool(sources) and sources[0] in item.gold_refs
                tally[name][half][1] += any(s in item.gold_refs for s in sources[:5])
        sizes = [
            sum((int(i.gold_refs[0].split("#")[1]) - 1) // BLOCK % 2 == h for i in items)
            for h in (0, 1)
        ]
        results[mode] = {
            name: [round(t[h][j] / max(1, sizes[h]), 4) for h in (0, 1) for j in (0, 1)]
            + [round((t[0][j] + t[1][j]) / len(items), 4) for j in (0, 1)]
            for name, t in tally.items()
        }
    return results


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--model", default="auto", help="embed_model (default: auto)")
    parser.add_argument("--out", type=Path, default=Path("runs/fusion"))
    parser.add_argument("--modes", default="en,hi,mixed,hi-en,en-hi")
    args = parser.parse_args(argv)
    results = study(args.model, args.out, args.modes.split(","))
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "fusion.json").write_text(json.dumps(results, indent=1))
    print("mode  fusion  hit@1 even  hit@5 even  hit@1 odd  hit@5 odd  hit@1  hit@5")
    for mode, rows in results.items():
        for name, values in rows.items():
            print(mode, name, *values)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
