"""The base service provider (DESIGN 1, third layer).

One :class:`BaseProvider` per host.  Its WSP* entry points have Windows'
names and parameter order; :meth:`BaseProvider.proc_table` lists them in the
documented WSPPROC_TABLE order (SPI-FACTS 3.2).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from ..spi import PROC_NAMES
from .extensions import Extensions
from .security import Security
from .select import Select


def _locked(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Direct SPI calls take the simulator's lock, as every API call does."""

    @functools.wraps(fn)
    def entry(self: Any, *args: Any) -> Any:
        with self.sim.lock:
            return fn(self, *args)

    return entry


class BaseProvider(Extensions, Security, Select):
    """The host's base provider: the socket table and every WSP entry point.

    ``provider.WSPxxx`` takes the simulator lock; the proc table WSPStartup
    gives the switch holds the same functions without that step, because the
    switch calls them with the lock already held.
    """

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _lock_entry_points(cls)

    def proc_table(self) -> list[Any]:
        """The 30 WSP entry points in documented order."""
        return [getattr(self, name) for name in PROC_NAMES]

    def __repr__(self) -> str:
        return f"<BaseProvider of {self.host.name}: {len(self.table)} handles>"


__all__ = ["BaseProvider"]


def _lock_entry_points(cls: type) -> None:
    for name in PROC_NAMES:
        fn = getattr(cls, name)
        if getattr(fn, "__wrapped__", None) is None:
            setattr(cls, "_raw_" + name, fn)
            setattr(cls, name, _locked(fn))


_lock_entry_points(BaseProvider)
