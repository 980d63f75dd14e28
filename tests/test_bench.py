"""The benchmark harness (issue 7) runs and writes results of the promised shape.

Source: issue 7, items 1 and 3 -- ``bench/run.py`` writes ``results.json``, one
object per case with the exact keys ``sim``, ``baseline``, ``unit`` and
``ratio`` (``ratio = sim / baseline``); the test suite runs it once, in
``--quick`` mode, only to prove that it works.  Speed is never asserted here.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
RUN = ROOT / "bench" / "run.py"

#: Issue 7's cases, with the unit each must report and whether a baseline exists.
CASES = {
    "create_close": ("us/op", True),
    "stream_send_recv_1b": ("us/op", True),
    "dgram_sendto_recvfrom_1b": ("us/op", True),
    "overlapped_recv_iocp": ("us/op", False),
    "bulk_1mib": ("MB/s", True),
    "scale_1m_sockets": ("us/op", True),
    "close_100k_pending": ("s", False),
    "idle_socket_bytes": ("bytes", False),
    "trace_off_overhead": ("us/op", True),
}


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], str]:
    """Run ``bench/run.py --quick --out <tmp>`` once, as ``make bench`` runs it."""
    out = tmp_path_factory.mktemp("bench") / "results.json"
    proc = subprocess.run(
        [sys.executable, str(RUN), "--quick", "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, f"bench/run.py --quick failed:\n{proc.stdout}\n{proc.stderr}"
    return json.loads(out.read_text()), proc.stdout


def test_results_have_exactly_the_issue_cases(quick_run: tuple[dict[str, Any], str]) -> None:
    """Issue 7 item 1: one object per case, with exactly these keys."""
    results, _ = quick_run
    assert list(results) == list(CASES)
    for case, entry in results.items():
        assert set(entry) == {"sim", "baseline", "unit", "ratio"}, case


def test_each_case_has_its_unit_baseline_and_ratio(quick_run: tuple[dict[str, Any], str]) -> None:
    """Issue 7 item 1: the unit per case; baseline null exactly where the issue
    says so; ratio = sim / baseline, null without a baseline."""
    results, _ = quick_run
    for case, (unit, has_baseline) in CASES.items():
        entry = results[case]
        assert entry["unit"] == unit, case
        sim = entry["sim"]
        assert isinstance(sim, (int, float)) and not isinstance(sim, bool), case
        assert math.isfinite(sim) and sim > 0, case
        if not has_baseline:
            assert entry["baseline"] is None and entry["ratio"] is None, case
            continue
        base = entry["baseline"]
        assert isinstance(base, (int, float)) and math.isfinite(base) and base > 0, case
        assert entry["ratio"] == pytest.approx(sim / base), case


def test_the_printout_is_the_same_table(quick_run: tuple[dict[str, Any], str]) -> None:
    """Issue 7 item 1: the run prints the same results as a table, plus the
    1,000,000-socket creation time line (scaled down in quick mode)."""
    _, stdout = quick_run
    lines = stdout.splitlines()
    assert "| case | sim | baseline | unit | ratio | target | met |" in lines
    for case in CASES:
        assert any(line.startswith(f"| {case} |") for line in lines), case
    assert any(line.startswith("scale_1m_sockets: created ") for line in lines)


def test_unknown_options_are_refused() -> None:
    """The harness is a script with argparse: a misspelt option is an error
    (exit status 2), not a silently different run."""
    proc = subprocess.run(
        [sys.executable, str(RUN), "--quikc"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 2
    assert "--quikc" in proc.stderr
