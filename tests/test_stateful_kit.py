"""The exported state machines (issue 6, part 2: wsspi_sim.testing.stateful).

Issue 6: "RuleBasedStateMachine classes that take a factory, with the
invariants: exactly-once completion, byte conservation, no handle
resurrection, states always in the tables.  A user can run them against their
own layered provider."  The machines run here against the base provider in
both profiles and through layered providers -- and against deliberately
broken layers and states, to show that each invariant can fail.
"""

from __future__ import annotations

import ctypes
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis.stateful import run_state_machine_as_test

import wsspi_sim as ws
from wsspi_sim import states as S
from wsspi_sim.lsp import LayeredProvider
from wsspi_sim.testing import (
    InvariantError,
    InvariantMonitor,
    check_invariants,
    new_simulator,
    started_winsock,
)
from wsspi_sim.testing.stateful import DatagramMachine, StreamMachine, world_from

QUICK = settings(max_examples=30, stateful_step_count=30, deadline=None)
HUNT = settings(max_examples=200, stateful_step_count=30, deadline=None, database=None,
                phases=[Phase.generate], suppress_health_check=list(HealthCheck))  # fmt: skip


class Wrapping(LayeredProvider):
    wrap_completions = True


TestStreamDocumented = StreamMachine.TestCase
TestStreamDocumented.settings = QUICK
TestStreamWindows = StreamMachine.with_factory(lambda: new_simulator("windows")).TestCase
TestStreamWindows.settings = QUICK
TestStreamPassThroughLayer = StreamMachine.with_factory(lambda: started_winsock(lsp=LayeredProvider)).TestCase
TestStreamPassThroughLayer.settings = QUICK
TestStreamWrappingLayer = StreamMachine.with_factory(lambda: started_winsock(lsp=Wrapping)).TestCase
TestStreamWrappingLayer.settings = QUICK
TestDatagrams = DatagramMachine.TestCase
TestDatagrams.settings = QUICK


def _hunt(machine: type) -> BaseException:
    with pytest.raises(Exception) as info:  # InvariantError, or a group of them
        run_state_machine_as_test(machine, settings=HUNT)
    return info.value


def test_byte_conservation_catches_a_corrupting_layer() -> None:
    """Byte conservation: a layer that alters received bytes (flips the first
    byte of every completed receive) is caught by the stream machine."""

    class Corrupting(Wrapping):
        def WSPRecv(self, s: int, lpBuffers: Any, *rest: Any) -> int:
            rc = super().WSPRecv(s, lpBuffers, *rest)
            n = rest[1].value if rest[1] is not None and rc == 0 else 0  # lpNumberOfBytesRecvd
            if n:
                lpBuffers[0].buf[0] ^= 0xFF
            return rc

    err = _hunt(StreamMachine.with_factory(lambda: started_winsock(lsp=Corrupting)))
    assert "byte conservation" in repr(err)


def test_exactly_once_catches_a_layer_that_notifies_twice() -> None:
    """Exactly-once completion: a layer whose completion routine wrapper calls
    the caller's routine twice is caught."""

    class Twice(LayeredProvider):
        def WSPRecv(self, s: int, lpBuffers: Any, dwBufferCount: int, lpNumberOfBytesRecvd: Any, lpFlags: Any,
                    lpOverlapped: Any, lpCompletionRoutine: Any, lpThreadId: Any, lpErrno: Any) -> int:
            routine = lpCompletionRoutine
            if routine is not None:
                def lpCompletionRoutine(*a: Any) -> None:
                    routine(*a)
                    routine(*a)
            return super().WSPRecv(s, lpBuffers, dwBufferCount, lpNumberOfBytesRecvd, lpFlags, lpOverlapped,
                                   lpCompletionRoutine, lpThreadId, lpErrno)

    err = _hunt(StreamMachine.with_factory(lambda: started_winsock(lsp=Twice)))
    assert "notified" in repr(err)


def test_states_in_tables_catches_a_bogus_state() -> None:
    """States always in the tables: a socket moved to a state its table does not
    list makes check_invariants fail."""
    api = started_winsock()
    s = api.socket(ws.AF_INET, ws.SOCK_STREAM, 0)
    check_invariants(api.sim)
    api.host.provider.table[s]._state = S.State("LIMBO")
    with pytest.raises(InvariantError, match="LIMBO"):
        check_invariants(api.sim)


def test_no_handle_resurrection_is_detected() -> None:
    """No handle resurrection: a handle that was closed and comes back to the same
    socket is reported by InvariantMonitor (the value may be reused only for a
    new socket: DESIGN 2)."""
    api = started_winsock()
    mon = InvariantMonitor(api.sim)
    s = api.socket(ws.AF_INET, ws.SOCK_DGRAM, 0)
    mon.check()
    sock = api.host.provider.table[s]
    errno = ctypes.c_int()
    assert api.host.provider.WSPCloseSocket(s, errno) == 0
    mon.check()
    api.host.provider.table[s] = sock  # a buggy provider brings it back
    with pytest.raises(InvariantError, match="closed but refers to its socket again"):
        mon.check()


def test_the_monitor_counts_notifications() -> None:
    """Exactly-once completion at the monitor: a request notified twice, or
    notified while still in progress, is reported."""
    api = started_winsock()
    mon = InvariantMonitor(api.sim)
    ov = ws.WSAOVERLAPPED()
    counter = mon.track(ov)
    ov.Internal = ws.WSS_OPERATION_IN_PROGRESS
    counter[0] = 1
    with pytest.raises(InvariantError, match="still in progress"):
        mon.check()
    ov.Internal = 0
    counter[0] = 2
    with pytest.raises(InvariantError, match="2 times"):
        mon.check()


def test_factories_may_return_a_simulator_host_or_winsock() -> None:
    """The machines take a factory returning a started or unstarted Winsock, a
    Host or a Simulator; anything else is a TypeError naming the factory."""
    sim = new_simulator()
    assert world_from(sim).started
    host = new_simulator().add_host("10.0.0.5")
    assert world_from(host) is host.ws2 and host.ws2.started
    api = started_winsock()
    assert world_from(api) is api
    with pytest.raises(TypeError, match="factory"):
        world_from(42)
    with pytest.raises(TypeError, match="factory"):
        StreamMachine.with_factory(42)  # type: ignore[arg-type]
