"""The README's code runs as written (its usage example is the contract of DESIGN 2
in miniature)."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_python_blocks_run() -> None:
    """DESIGN 2: every ```python block of the README runs and its asserts hold."""
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert blocks
    for i, block in enumerate(blocks):
        exec(compile(block, f"README.md block {i}", "exec"), {})


def test_readme_names_the_two_commands() -> None:
    """The developers' guide: the README gives the demo command and the test command."""
    text = README.read_text(encoding="utf-8")
    assert "make demo" in text and "make test" in text
