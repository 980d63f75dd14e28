"""The ``wsspi-sim`` command line (``python -m wsspi_sim``)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``wsspi-sim`` console script."""
    parser = argparse.ArgumentParser(prog="wsspi-sim", description="A simulated Winsock 2 service provider.")
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="run the guided demo")
    demo.add_argument("--profile", choices=["documented", "windows"], default="documented")
    args = parser.parse_args(argv)
    if args.command == "demo":
        from .demo import run_demo

        return run_demo(args.profile, sys.stdout)
    return 2
