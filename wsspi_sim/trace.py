"""The trace recorder: structured events in virtual time (issue 5 grows it).

Tracing is off unless ``Simulator(trace=True)``; code that records checks
``sim.tracer is not None`` once, so tracing costs one attribute test when off.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    from .world import Simulator


@attrs.frozen
class TraceEvent:
    """One recorded event."""

    seq: int
    time: float
    thread: int
    kind: str
    fields: dict[str, Any]


class Tracer:
    """Collects :class:`TraceEvent` records for one simulator."""

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self.events: list[TraceEvent] = []

    def event(self, kind: str, **fields: Any) -> TraceEvent:
        ev = TraceEvent(len(self.events), self.sim.now, threading.get_ident(), kind, fields)
        self.events.append(ev)
        return ev

    def of_kind(self, kind: str) -> list[TraceEvent]:
        """Every event of one kind, in order."""
        return [e for e in self.events if e.kind == kind]
