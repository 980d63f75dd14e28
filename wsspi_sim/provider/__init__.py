"""The base service provider (DESIGN 1, third layer).

One :class:`BaseProvider` per host.  Its WSP* entry points have Windows'
names and parameter order; :meth:`BaseProvider.proc_table` lists them in the
documented WSPPROC_TABLE order (SPI-FACTS 3.2).
"""

from __future__ import annotations

from typing import Any

from ..spi import PROC_NAMES
from .control import Control


class BaseProvider(Control):
    """The host's base provider: the socket table and every WSP entry point."""

    def proc_table(self) -> list[Any]:
        """The 30 WSP entry points in documented order."""
        return [getattr(self, name) for name in PROC_NAMES]

    def __repr__(self) -> str:
        return f"<BaseProvider of {self.host.name}: {len(self.table)} handles>"


__all__ = ["BaseProvider"]
