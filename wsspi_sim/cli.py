"""The ``wsspi-sim`` command line (also ``python -m wsspi_sim``).

Commands::

    wsspi-sim demo [--profile documented|windows] [--no-trace] [--color|--no-color]
    wsspi-sim run SCRIPT [ARGS...] [--trace] [--json FILE]
    wsspi-sim diagram [--machine stream|datagram|overlapped] [--format mermaid|dot|svg] [-o FILE]
    wsspi-sim explain CODE
    wsspi-sim coverage
    wsspi-sim docs            # regenerate docs/diagrams/*.svg, docs/coverage.md, docs/profiles.md's table
"""

from __future__ import annotations

import argparse
import os
import pathlib
import runpy
import sys
import traceback
from collections.abc import Sequence
from typing import TextIO


def _parser() -> argparse.ArgumentParser:
    from .diagram import FORMATS, MACHINE_NAMES

    parser = argparse.ArgumentParser(
        prog="wsspi-sim",
        description="A simulated Winsock 2 service provider: the switch, the SPI, a base provider "
        "and a network, in memory and in virtual time.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = sub.add_parser("demo", help="the guided demo of the SPI (what `make demo` runs)")
    demo.add_argument("--profile", choices=["documented", "windows"], default="documented",
                      help="documented (the seed documents) or windows (observed Windows)")  # fmt: skip
    demo.add_argument("--no-trace", action="store_true", help="print the steps without their traces")
    color = demo.add_mutually_exclusive_group()
    color.add_argument("--color", dest="color", action="store_true", default=None, help="always colour")
    color.add_argument("--no-color", dest="color", action="store_false", help="never colour")

    run = sub.add_parser("run", help="run a Python scenario script under the simulator")
    run.add_argument("script", help="a Python file that uses wsspi_sim")
    run.add_argument("args", nargs=argparse.REMAINDER,
                     help="arguments for the script (its sys.argv[1:]); --trace and --json may also "
                     "follow SCRIPT, and everything after -- goes to the script unchanged")  # fmt: skip
    run.add_argument("--trace", action="store_true", help="print the trace of every Simulator it creates")
    run.add_argument("--json", metavar="FILE", help="write the trace as JSON Lines to FILE")

    dia = sub.add_parser("diagram", help="a state machine as mermaid, dot or SVG (from the tables)")
    dia.add_argument("--machine", choices=list(MACHINE_NAMES), default="stream",
                     help="stream (SOCK_STREAM sockets), datagram (SOCK_DGRAM sockets) or "
                     "overlapped (an overlapped request); default: stream")  # fmt: skip
    dia.add_argument("--format", choices=list(FORMATS), default="mermaid",
                     help="mermaid or dot (text), or svg (the picture in docs/diagrams/); "
                     "default: mermaid")  # fmt: skip
    dia.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")

    exp = sub.add_parser("explain", help="an error code: name, number, message, who returns it and when")
    exp.add_argument("code", help="a name (WSAENOTSOCK), a number (10038) or a hex number (0x2736)")

    sub.add_parser("coverage", help="which WSP/WSA functions, ioctls and options are modelled")
    docs = sub.add_parser("docs", help="regenerate the generated docs (diagrams, coverage, profiles table)")
    docs.add_argument("--root", default=".", help="the project directory (default: the current one)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``wsspi-sim`` console script; returns the exit status."""
    try:
        return _main(argv)
    except BrokenPipeError:
        # ``wsspi-sim demo | head``: the reader left; stop quietly, as Unix tools do.
        try:
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 -- the interpreter flushes it at exit
        except OSError:
            pass
        return 0


def _main(argv: Sequence[str] | None) -> int:
    args = _parser().parse_args(argv)
    out = sys.stdout
    if args.command == "demo":
        from .demo import run_demo

        return run_demo(args.profile, out, color=args.color, trace=not args.no_trace)
    if args.command == "run":
        script_args, trace, json_path = _split_run_args(list(args.args), args.trace, args.json)
        return _run(args.script, script_args, trace, json_path, out)
    if args.command == "diagram":
        from .diagram import render

        text = render(args.machine, args.format)
        if args.output:
            pathlib.Path(args.output).write_text(text, encoding="utf-8")
        else:
            out.write(text)
        return 0
    if args.command == "explain":
        from .explain import explain

        try:
            out.write(explain(args.code))
        except ValueError as e:
            print(f"wsspi-sim explain: {e}", file=sys.stderr)
            return 2
        return 0
    if args.command == "coverage":
        from .coverage import markdown

        out.write(markdown())
        return 0
    if args.command == "docs":
        return _docs(pathlib.Path(args.root), out)
    raise AssertionError(args.command)


def _split_run_args(rest: list[str], trace: bool, json_path: str | None) -> tuple[list[str], bool, str | None]:
    """``run SCRIPT ... --trace --json FILE``: the options may also follow the
    script; everything after ``--`` goes to the script untouched."""
    script_args: list[str] = []
    i = 0
    while i < len(rest):
        a = rest[i]
        if a == "--":
            script_args += rest[i + 1:]
            break
        if a == "--trace":
            trace = True
        elif a == "--json" and i + 1 < len(rest):
            json_path = rest[i + 1]
            i += 1
        elif a.startswith("--json="):
            json_path = a[len("--json="):]
        else:
            script_args.append(a)
        i += 1
    return script_args, trace, json_path


def _docs(root: pathlib.Path, out: TextIO) -> int:
    from .coverage import markdown
    from .diagram import write_docs

    if not (root / "wsspi_sim").is_dir():
        print(f"wsspi-sim docs: {root} is not the project directory (no wsspi_sim/ in it)", file=sys.stderr)
        return 2
    for path in write_docs(root):
        out.write(f"wrote {path}\n")
    cov = root / "docs" / "coverage.md"
    cov.write_text(markdown(), encoding="utf-8")
    out.write(f"wrote {cov}\n")
    prof = root / "docs" / "profiles.md"
    if prof.is_file():  # its prose is hand-written: only the table is regenerated
        prof.write_text(_with_policy_table(prof.read_text(encoding="utf-8")), encoding="utf-8")
        out.write(f"wrote {prof}\n")
    return 0


def _with_policy_table(text: str) -> str:
    """``text`` (docs/profiles.md) with its Markdown table replaced by
    :func:`wsspi_sim.profiles.policy_table`."""
    from .profiles import policy_table

    lines = text.splitlines()
    rows = [i for i, line in enumerate(lines) if line.startswith("|")]
    table = policy_table().splitlines()
    if not rows:
        lines += ["", *table]
    else:
        lines[rows[0]:rows[-1] + 1] = table
    return "\n".join(lines) + "\n"


def _run(script: str, argv: list[str], trace: bool, json_path: str | None, out: TextIO) -> int:
    """Run ``script`` as ``__main__``; with ``trace``/``json_path`` every Simulator
    it creates records a trace, printed / written when the script ends (even
    when it fails: the trace shows how it got there)."""
    from .trace import capture, use_color

    if not os.path.isfile(script):
        print(f"wsspi-sim run: no such script: {script}", file=sys.stderr)
        return 2
    status = 0
    saved_argv = sys.argv
    sys.argv = [script, *argv]
    with capture() as tracers:
        try:
            runpy.run_path(script, run_name="__main__")
        except SystemExit as e:
            code = e.code
            status = code if isinstance(code, int) else (0 if code is None else 1)
        except BrokenPipeError:
            raise  # the reader of our output left (``| head``): see main()
        except Exception:
            traceback.print_exc()
            status = 1
        finally:
            sys.argv = saved_argv
    if not (trace or json_path):
        return status
    if trace:
        color = use_color(out)
        for i, tr in enumerate(tracers):
            out.write(f"--- trace of simulator {i + 1} of {len(tracers)} (profile {tr.sim.profile}) ---\n")
            out.write(tr.timeline(color=color))
        if not tracers:
            out.write("--- the script created no Simulator: no trace ---\n")
    if json_path:
        import json

        with open(json_path, "w", encoding="utf-8") as f:
            for i, tr in enumerate(tracers):
                for d in tr.to_dicts():
                    d["sim"] = i
                    f.write(json.dumps(d, sort_keys=True, default=str) + "\n")
    return status


__all__ = ["main"]
