"""`wsspi-sim run SCRIPT --trace --json FILE` works on every example (issue 5:
"run SCRIPT [--trace] [--json FILE] — run a user's scenario under the simulator")."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))


@pytest.mark.parametrize("script", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_every_example_runs_traced(script: Path, tmp_path: Path) -> None:
    """Every example runs under `run --trace --json` and leaves a JSON Lines trace
    (an empty ctypes.py_object() out-parameter once crashed the tracer)."""
    out = tmp_path / "trace.jsonl"
    proc = subprocess.run(
        [sys.executable, "-m", "wsspi_sim", "run", str(script), "--trace", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines, "no trace events written"
    for line in lines[:50]:
        json.loads(line)
