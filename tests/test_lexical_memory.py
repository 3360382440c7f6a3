"""`python -m eval.lexical_memory` measures a small index end to end."""

from __future__ import annotations

import json
from pathlib import Path

from eval.lexical_memory import main


def test_measures_a_small_index(tmp_path: Path) -> None:
    main(["--sizes", "300", "--out", str(tmp_path)])
    (result,) = json.loads((tmp_path / "results.json").read_text())
    assert result["chunks"] == 300 and result["articles"] < 300
    assert result["sparse_entries"] > 300 and result["payload_bytes"] > 300 * 500
    assert result["disk_mb"] > 0 and result["query_p50_ms"] > 0
    assert not (tmp_path / "bm25-300").exists()  # the index is removed once measured
