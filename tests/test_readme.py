"""The README's Python example works from any folder, on the bundled sample corpus."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

README = Path(__file__).resolve().parent.parent / "README.md"


def test_the_python_example_runs_outside_the_repository(tmp_path: Path) -> None:
    example = re.search(r"### Python API\n\n```python\n(.*?)```", README.read_text(), re.S)
    assert example, "the README has a Python example"
    code = example.group(1).replace("    ...", "    print(piece)")
    code += "\nassert answer.answered and '19 minutes' in answer.text, answer.text\n"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert (tmp_path / "rag-data").is_dir()  # the index went where the example says
