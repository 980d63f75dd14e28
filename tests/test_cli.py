"""The ``wsspi-sim`` command line: demo, run, diagram, explain, coverage, docs
(DESIGN 1 side modules: "the CLI")."""

from __future__ import annotations

import io
import json
import pathlib
import re
import subprocess
import sys

import pytest

import wsspi_sim as ws
from wsspi_sim.cli import main
from wsspi_sim.demo import Scenario, run_demo

ROOT = pathlib.Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"  # beside the checkout, as CI has it
if not SEEDS.is_dir():
    SEEDS = pathlib.Path("/work/shared/seeds")


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def _seed_text(number: str) -> str:
    files = sorted(SEEDS.glob(f"{number}_*.txt"))
    assert files, f"seed {number} not found under {SEEDS}"
    return " ".join(files[0].read_text(encoding="utf-8").split())


# -- demo -------------------------------------------------------------------------------------
def test_demo_quotes_are_exact_seed_sentences() -> None:
    """Issue 5 / DESIGN 1: the demo prints "the seed sentence each step demonstrates";
    every quoted sentence is found word for word in the seed it names."""
    steps = Scenario("documented").run()
    quoted = [s for s in steps if s.source.quote]
    assert len(quoted) >= 10
    for step in quoted:
        number = step.source.where.split()[-1]
        assert " ".join(step.source.text.split()) in _seed_text(number), step.title
    assert {s.source.where for s in quoted} >= {"seed 000", "seed 002", "seed 003", "seed 004"}


def test_demo_documented_profile(capsys: pytest.CaptureFixture[str]) -> None:
    """Seed 004: "It also passes the WSA_OPERATION_ABORTED error code to specify that
    the overlapped operation was canceled because the socket was closed." -- the
    demo's hard-close step shows it for every pending request, and the demo walks
    WSPSocket, connect, overlapped receives, WSPRecvDisconnect, peer target names."""
    rc, out, _ = _cli(capsys, "demo", "--no-color")
    assert rc == 0 and out.rstrip().endswith("demo complete")
    assert "\x1b[" not in out
    for needle in ("WSPSocket(", "WSPConnect(", "WSPRecv(", "WSPRecvDisconnect(", "WSPCloseSocket(",
                   "WSASetSocketPeerTargetName(", "WSADeleteSocketPeerTargetName(", "[WSAEACCES]",
                   "--recv_disconnect--> RECV_SHUT", "--close--> CLOSED"):  # fmt: skip
        assert needle in out, needle
    close_step = out[out.index("Hard close with I/O pending"):]
    outcome = next(line for line in close_step.splitlines() if line.startswith("  => "))
    assert outcome.count("WSA_OPERATION_ABORTED") >= 3
    assert '(profile "windows":' in close_step and "WSAECONNABORTED" in close_step
    assert len(re.findall(r"^Step \d+\. ", out, re.M)) == 13


def test_demo_windows_profile_shows_what_changes(capsys: pytest.CaptureFixture[str]) -> None:
    """W21: in profile "windows" a pending receive on a connected TCP socket closed
    locally completes with WSAECONNABORTED (Internal holds STATUS_CONNECTION_ABORTED,
    DESIGN 2), while the UDP receive is still WSA_OPERATION_ABORTED; the demo says
    which steps differ from the documented profile."""
    rc, out, _ = _cli(capsys, "demo", "--profile", "windows", "--no-color")
    assert rc == 0
    close_step = out[out.index("Hard close with I/O pending"):]
    outcome = next(line for line in close_step.splitlines() if line.startswith("  => "))
    assert f"TCP/event: WSAECONNABORTED (Internal 0x{ws.STATUS_CONNECTION_ABORTED:X})" in outcome
    assert "UDP: WSA_OPERATION_ABORTED" in outcome
    assert '(profile "documented":' in close_step
    assert 'In profile "documented" step 11 ends differently' in out
    assert "WSAECONNABORTED (W21)" in close_step


def test_guide_trace_excerpts_are_demo_output(capsys: pytest.CaptureFixture[str]) -> None:
    """DESIGN 3 (same script, same trace): every trace line quoted in
    docs/how-the-spi-works.md is a line the demo prints today (so the guide's
    excerpts cannot drift from the simulator)."""
    _rc, out, _ = _cli(capsys, "demo", "--no-color")
    shown = {line.strip() for line in out.splitlines()}
    guide = (ROOT / "docs" / "how-the-spi-works.md").read_text(encoding="utf-8")
    quoted = [line.strip() for line in guide.splitlines() if line.startswith("[")]
    assert len(quoted) >= 15
    missing = [line for line in quoted if line not in shown]
    assert not missing, f"docs/how-the-spi-works.md quotes trace lines the demo no longer prints: {missing}"


def test_demo_colours_on_request() -> None:
    """DESIGN 1 (trace recorder): the timeline is coloured on a terminal (forced here)."""
    buf = io.StringIO()
    assert run_demo("documented", buf, color=True) == 0
    assert "\x1b[" in buf.getvalue()


def test_python_m_runs_the_demo() -> None:
    """README: `make demo` runs `wsspi-sim demo`; `python -m wsspi_sim` is the same CLI."""
    proc = subprocess.run([sys.executable, "-m", "wsspi_sim", "demo", "--no-trace"],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "demo complete" in proc.stdout and "Step 13." in proc.stdout


# -- run ---------------------------------------------------------------------------------------
SCRIPT = """\
import sys
import wsspi_sim as ws
sim = ws.Simulator()
h = sim.add_host("10.0.0.1")
api = h.ws2
api.WSAStartup(0x0202, ws.WSADATA())
s = api.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP)
print("args", sys.argv[1:])
if "--fail" in sys.argv:
    raise RuntimeError("boom")
if "--exit" in sys.argv:
    sys.exit(3)
"""


def test_run_prints_the_trace_and_writes_json(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    """DESIGN 3 (same script, same trace): `run SCRIPT --trace --json FILE` runs a
    user's scenario with tracing on, prints the timeline and writes JSON Lines."""
    script = tmp_path / "scen.py"
    script.write_text(SCRIPT, encoding="utf-8")
    out_json = tmp_path / "t.jsonl"
    rc, out, _ = _cli(capsys, "run", str(script), "x", "--trace", "--json", str(out_json))
    assert rc == 0
    assert "args ['x']" in out
    assert "trace of simulator 1 of 1" in out and "WSPSocket(" in out
    rows = [json.loads(line) for line in out_json.read_text(encoding="utf-8").splitlines()]
    assert rows and all(r["sim"] == 0 for r in rows)
    assert [r["name"] for r in rows if r["kind"] == "spi"] == ["WSPStartup", "WSPSocket"]
    # without --trace nothing is recorded
    rc, out, _ = _cli(capsys, "run", str(script))
    assert rc == 0 and "trace of" not in out


def test_run_exit_codes(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    """DESIGN 2 (clear errors): a failing script gives exit 1 with its traceback and
    still prints its trace; sys.exit(n) gives n; a missing script gives 2."""
    script = tmp_path / "scen.py"
    script.write_text(SCRIPT, encoding="utf-8")
    rc, out, err = _cli(capsys, "run", str(script), "--trace", "--", "--fail")
    assert rc == 1 and "RuntimeError: boom" in err and "WSPSocket(" in out
    rc, _out, _err = _cli(capsys, "run", str(script), "--", "--exit")
    assert rc == 3
    rc, _out, err = _cli(capsys, "run", str(tmp_path / "missing.py"))
    assert rc == 2 and "no such script" in err


# -- diagram, explain, coverage, docs ---------------------------------------------------------------
def test_diagram_command(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    """DESIGN 1 (diagram export): `diagram --machine M --format F` prints the
    picture generated from the tables; -o writes it to a file."""
    from wsspi_sim.diagram import render

    rc, out, _ = _cli(capsys, "diagram")
    assert rc == 0 and out == render("stream", "mermaid")
    rc, out, _ = _cli(capsys, "diagram", "--machine", "datagram", "--format", "dot")
    assert rc == 0 and out == render("datagram", "dot")
    target = tmp_path / "o.svg"
    rc, out, _ = _cli(capsys, "diagram", "--machine", "overlapped", "--format", "svg", "-o", str(target))
    assert rc == 0 and out == "" and target.read_text(encoding="utf-8") == render("overlapped", "svg")
    with pytest.raises(SystemExit):
        main(["diagram", "--machine", "tcp"])


def test_explain_command(capsys: pytest.CaptureFixture[str]) -> None:
    """Seed 003 error table: "WSAENOTCONN Socket is not connected (connection-oriented
    sockets only)." -- `explain` gives name, number, message and the calls that
    return the code; a number, a hex number or a name all work; unknown is exit 2."""
    rc, out, _ = _cli(capsys, "explain", "WSAENOTCONN")
    assert rc == 0
    assert out.startswith("WSAENOTCONN (10057, 0x2749)")
    assert ws.ErrorCode.WSAENOTCONN.message in out
    assert "WSPRecvDisconnect" in out and "seed 003" in out
    assert "stream socket in state OPEN" in out
    rc2, out2, _ = _cli(capsys, "explain", "10057")
    rc3, out3, _ = _cli(capsys, "explain", "0x2749")
    assert rc2 == rc3 == 0 and out2 == out3 == out
    rc, _out, err = _cli(capsys, "explain", "WSAENOSUCHTHING")
    assert rc == 2 and "not the name" in err


def test_coverage_command(capsys: pytest.CaptureFixture[str]) -> None:
    """DESIGN 2: "a generated coverage table in the docs lists what is modelled" --
    `coverage` prints it."""
    from wsspi_sim.coverage import markdown

    rc, out, _ = _cli(capsys, "coverage")
    assert rc == 0 and out == markdown()
    assert "| 18 | WSPJoinLeaf | no: WSAEOPNOTSUPP |" in out
    assert "| FIONBIO | 0x8004667E | yes |" in out


def test_docs_command_writes_generated_files(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    """DESIGN 1/2: `wsspi-sim docs` regenerates docs/diagrams/*.svg and
    docs/coverage.md; it refuses a directory that is not the project."""
    from wsspi_sim.coverage import markdown
    from wsspi_sim.diagram import to_svg

    rc, _out, err = _cli(capsys, "docs", "--root", str(tmp_path))
    assert rc == 2 and "not the project directory" in err
    (tmp_path / "wsspi_sim").mkdir()
    rc, out, _ = _cli(capsys, "docs", "--root", str(tmp_path))
    assert rc == 0 and out.count("wrote ") == 4
    assert (tmp_path / "docs" / "diagrams" / "stream.svg").read_text(encoding="utf-8") == to_svg("stream")
    assert (tmp_path / "docs" / "coverage.md").read_text(encoding="utf-8") == markdown()


def test_help_names_every_choice_and_default(capsys: pytest.CaptureFixture[str]) -> None:
    """README: `wsspi-sim diagram [--machine stream|datagram|overlapped] [--format
    mermaid|dot|svg]` and `wsspi-sim explain CODE` "(`WSAENOTSOCK`, `10038`,
    `0x2736`)" -- each subcommand's --help says what the options mean, the
    defaults, and gives the README's examples (the hex example was 0x2746, which is
    not 10038)."""
    with pytest.raises(SystemExit):
        main(["diagram", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "default: stream" in out and "default: mermaid" in out and "overlapped request" in out
    with pytest.raises(SystemExit):
        main(["explain", "--help"])
    out = capsys.readouterr().out
    assert "WSAENOTSOCK" in out and "10038" in out and "0x2736" in out
    assert int("0x2736", 16) == 10038 == ws.WSAENOTSOCK
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "sys.argv[1:]" in out and "after -- goes to the script unchanged" in out


def test_output_to_a_closed_pipe_is_not_a_traceback() -> None:
    """docs/how-the-spi-works.md: "run the demo to see the whole thing" -- reading
    its first lines (`wsspi-sim demo | head`) ends quietly, status 0, instead of a
    BrokenPipeError traceback; the same for `run SCRIPT --trace | head`."""
    for argv in (["demo"], ["run", str(ROOT / "examples" / "close_aborts_overlapped.py"), "--trace"]):
        proc = subprocess.Popen([sys.executable, "-m", "wsspi_sim", *argv],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.readline()
        proc.stdout.close()  # the reader leaves, like `head -1`
        err = proc.stderr.read().decode()
        assert proc.wait(timeout=60) == 0, err
        assert "Traceback" not in err, err


def test_docs_command_regenerates_the_profiles_table(tmp_path: pathlib.Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    """README: "`wsspi-sim docs` | regenerate the generated docs" -- docs/profiles.md
    says its table "is generated from" Policy, so `docs` rewrites that table and
    keeps the hand-written prose around it."""
    from wsspi_sim.profiles import policy_table

    (tmp_path / "wsspi_sim").mkdir()
    (tmp_path / "docs").mkdir()
    prof = tmp_path / "docs" / "profiles.md"
    prof.write_text("# Profiles\n\nProse.\n\n| question | old |\n| --- | --- |\n| stale | row |\n\nAfter.\n",
                    encoding="utf-8")  # fmt: skip
    rc, out, _ = _cli(capsys, "docs", "--root", str(tmp_path))
    assert rc == 0 and f"wrote {prof}" in out
    text = prof.read_text(encoding="utf-8")
    assert text == "# Profiles\n\nProse.\n\n" + policy_table() + "\nAfter.\n"
    current = (ROOT / "docs" / "profiles.md").read_text(encoding="utf-8")
    from wsspi_sim.cli import _with_policy_table

    assert _with_policy_table(current) == current
