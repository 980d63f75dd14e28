"""Events, waits in virtual time, alertable waits and completion routines
(APCs) -- issue 3 part 2; SPI-FACTS 3.4; DESIGN 2 and 3; W34."""

from __future__ import annotations

import ctypes
import threading

import pytest
from ovl_kit import ERR, PROFILES, Later, Recorder, World, in_thread

import wsspi_sim as ws

# -- event objects ---------------------------------------------------------------------


@pytest.mark.parametrize("profile", PROFILES)
def test_events_are_manual_reset_and_start_unsignalled(profile: str) -> None:
    """DESIGN 2: "Events from WSACreateEvent() are manual-reset": a satisfied wait
    does not reset them; WSAResetEvent does."""
    w = World(profile)
    ev = w.event()
    assert not w.signalled(ev)
    assert w.api.WSASetEvent(ev) == 1
    assert w.signalled(ev) and w.signalled(ev)
    assert w.api.WSAResetEvent(ev) == 1
    assert not w.signalled(ev)


@pytest.mark.parametrize("profile", PROFILES)
def test_invalid_event_handles(profile: str) -> None:
    """Event functions on a handle that is not an event fail with
    WSA_INVALID_HANDLE (winsock2: WSASetEvent / WSAResetEvent / WSACloseEvent
    return FALSE; WSAWaitForMultipleEvents returns WSA_WAIT_FAILED)."""
    w = World(profile)
    ev = w.event()
    assert w.api.WSACloseEvent(ev) == 1
    for fn in (w.api.WSASetEvent, w.api.WSAResetEvent, w.api.WSACloseEvent):
        w.api.WSASetLastError(0)
        assert fn(ev) == 0 and w.err() == ws.WSA_INVALID_HANDLE
        w.api.WSASetLastError(0)
        assert fn(None) == 0 and w.err() == ws.WSA_INVALID_HANDLE
    assert w.api.WSAWaitForMultipleEvents(1, [ev], False, 0, False) == ws.WSA_WAIT_FAILED
    assert w.err() == ws.WSA_INVALID_HANDLE


@pytest.mark.parametrize("profile", PROFILES)
def test_events_belong_to_their_process(profile: str) -> None:
    """DESIGN 2 / design choice "Handles": an event handle of one process is not
    valid in another."""
    w = World(profile)
    other = w.host.new_process()
    other.WSAStartup(0x0202, ws.WSADATA())
    ev = w.event()
    assert other.WSASetEvent(ev) == 0 and other.WSAGetLastError() == ws.WSA_INVALID_HANDLE


# -- WSAWaitForMultipleEvents ---------------------------------------------------------------


@pytest.mark.parametrize("profile", PROFILES)
def test_wait_any_returns_lowest_signalled_index(profile: str) -> None:
    """WSAWaitForMultipleEvents with fWaitAll FALSE returns WSA_WAIT_EVENT_0 + the
    index of a signalled event (the lowest one when several are)."""
    w = World(profile)
    evs = [w.event() for _ in range(4)]
    w.api.WSASetEvent(evs[3])
    w.api.WSASetEvent(evs[2])
    assert w.api.WSAWaitForMultipleEvents(4, evs, False, 0, False) == ws.WSA_WAIT_EVENT_0 + 2


@pytest.mark.parametrize("profile", PROFILES)
def test_wait_all_needs_every_event(profile: str) -> None:
    """fWaitAll TRUE: the wait is satisfied only when every event is signalled
    (then WSA_WAIT_EVENT_0), otherwise it times out."""
    w = World(profile)
    evs = [w.event() for _ in range(3)]
    w.api.WSASetEvent(evs[0])
    w.api.WSASetEvent(evs[2])
    assert w.api.WSAWaitForMultipleEvents(3, evs, True, 50, False) == ws.WSA_WAIT_TIMEOUT
    w.api.WSASetEvent(evs[1])
    assert w.api.WSAWaitForMultipleEvents(3, evs, True, 50, False) == ws.WSA_WAIT_EVENT_0


@pytest.mark.parametrize("profile", PROFILES)
def test_wait_timeout_moves_virtual_time(profile: str) -> None:
    """DESIGN 3: "A virtual clock drives timeouts (... wait timeouts). When every
    thread inside the simulation is waiting, virtual time jumps to the next
    deadline": a 1500 ms wait returns WSA_WAIT_TIMEOUT 1.5 virtual seconds later,
    at once in real time."""
    w = World(profile)
    ev = w.event()
    t0 = w.sim.now
    assert w.api.WSAWaitForMultipleEvents(1, [ev], False, 1500, False) == ws.WSA_WAIT_TIMEOUT
    assert w.sim.now - t0 == pytest.approx(1.5)
    assert w.api.SleepEx(250, False) == 0
    assert w.sim.now - t0 == pytest.approx(1.75)


@pytest.mark.parametrize("profile", PROFILES)
def test_infinite_wait_nothing_can_end_is_a_deadlock(profile: str) -> None:
    """DESIGN 3: "A blocking call that nothing can ever complete raises
    ws.SimulationDeadlock ... it never hangs the test run"."""
    w = World(profile)
    ev = w.event()
    with pytest.raises(ws.SimulationDeadlock, match="WSAWaitForMultipleEvents"):
        w.api.WSAWaitForMultipleEvents(1, [ev], False, ws.WSA_INFINITE, False)
    with pytest.raises(ws.SimulationDeadlock, match="SleepEx"):
        w.api.SleepEx(ws.WSA_INFINITE, True)


@pytest.mark.parametrize("profile", PROFILES)
def test_wait_ends_when_the_network_signals(profile: str) -> None:
    """DESIGN 3: a wait ends when a timer (here a connect that times out after
    21 virtual seconds to a black-hole address) signals the event through
    FD_CONNECT; an INFINITE wait does not deadlock when a timer can end it."""
    w = World(profile)
    s = w.tcp()
    ev = w.event()
    assert w.api.WSAEventSelect(s, ev, ws.FD_CONNECT) == 0
    assert w.api.connect(s, ws.sockaddr("10.9.9.9", 80), 16) == ERR
    assert w.err() == ws.WSAEWOULDBLOCK
    assert w.api.WSAWaitForMultipleEvents(1, [ev], False, ws.WSA_INFINITE, False) == 0
    assert w.sim.now == pytest.approx(21.0)
    ne = ws.WSANETWORKEVENTS()
    assert w.api.WSAEnumNetworkEvents(s, ev, ne) == 0
    assert ne.lNetworkEvents == ws.FD_CONNECT
    assert ne.iErrorCode[ws.FD_CONNECT_BIT] == ws.WSAETIMEDOUT


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("count", [0, ws.WSA_MAXIMUM_WAIT_EVENTS + 1])
def test_wait_count_out_of_range(profile: str, count: int) -> None:
    """WSAWaitForMultipleEvents: cEvents must be 1..WSA_MAXIMUM_WAIT_EVENTS (64);
    otherwise WSA_WAIT_FAILED with WSA_INVALID_PARAMETER."""
    w = World(profile)
    evs = [w.event() for _ in range(max(count, 1))]
    assert w.api.WSAWaitForMultipleEvents(count, evs, False, 0, False) == ws.WSA_WAIT_FAILED
    assert w.err() == ws.WSA_INVALID_PARAMETER


@pytest.mark.parametrize("profile", PROFILES)
def test_wait_with_fewer_handles_than_count(profile: str) -> None:
    """A handle array shorter than cEvents is an invalid parameter (C would read
    past the array)."""
    w = World(profile)
    assert w.api.WSAWaitForMultipleEvents(2, [w.event()], False, 0, False) == ws.WSA_WAIT_FAILED
    assert w.err() == ws.WSA_INVALID_PARAMETER
    with pytest.raises(TypeError, match="lphEvents"):
        w.api.WSAWaitForMultipleEvents(1, 5, False, 0, False)


@pytest.mark.parametrize("profile", PROFILES)
def test_wait_is_ended_by_another_thread(profile: str) -> None:
    """DESIGN 3: "The simulator is safe to call from several Python threads": a
    thread blocked in an infinite wait is released when another thread sets the
    event."""
    w = World(profile)
    ev = w.event()
    with Later(w, lambda: w.api.WSASetEvent(ev)):
        rc = w.api.WSAWaitForMultipleEvents(1, [ev], False, ws.WSA_INFINITE, False)
    assert rc == ws.WSA_WAIT_EVENT_0


# -- completion routines (APCs) --------------------------------------------------------------


@pytest.mark.parametrize("profile", PROFILES)
def test_routine_runs_only_in_an_alertable_wait(profile: str) -> None:
    """DESIGN 3: "A completion routine runs only in the issuing thread, and only
    when it enters an alertable wait"; a non-alertable SleepEx or wait does not
    run it; the alertable one returns WAIT_IO_COMPLETION."""
    w = World(profile)
    c, s = w.pair()
    rec = Recorder()
    ov = ws.WSAOVERLAPPED()
    assert w.recv_ov(c, 4, ov, rec)[0] == ERR
    w.send(s, b"done")
    assert rec.calls == []
    assert w.api.SleepEx(10, False) == 0
    ev = w.event()
    assert w.api.WSAWaitForMultipleEvents(1, [ev], False, 10, False) == ws.WSA_WAIT_TIMEOUT
    assert rec.calls == []
    assert w.api.SleepEx(10, True) == ws.WAIT_IO_COMPLETION
    assert rec.calls == [(0, 4, ov, 0)]
    assert w.api.SleepEx(0, True) == 0  # exactly once


@pytest.mark.parametrize("profile", PROFILES)
def test_alertable_wait_for_events_returns_io_completion(profile: str) -> None:
    """Issue 3 part 2: an alertable WSAWaitForMultipleEvents runs queued routines
    and returns WSA_WAIT_IO_COMPLETION (0xC0)."""
    w = World(profile)
    c, s = w.pair()
    rec = Recorder()
    w.recv_ov(c, 4, ws.WSAOVERLAPPED(), rec)
    ev = w.event()
    with Later(w, lambda: w.send(s, b"abcd")):
        rc = w.api.WSAWaitForMultipleEvents(1, [ev], False, ws.WSA_INFINITE, True)
    assert rc == ws.WSA_WAIT_IO_COMPLETION == 0xC0
    assert len(rec.calls) == 1


@pytest.mark.parametrize("profile", PROFILES)
def test_alertable_sleep_waits_for_the_completion(profile: str) -> None:
    """SleepEx(INFINITE, TRUE) returns WAIT_IO_COMPLETION once a routine has run
    (the peer's data arrives while the thread sleeps)."""
    w = World(profile)
    c, s = w.pair()
    rec = Recorder()
    w.recv_ov(c, 4, ws.WSAOVERLAPPED(), rec)
    with Later(w, lambda: w.send(s, b"wake")):
        assert w.api.SleepEx(ws.WSA_INFINITE, True) == ws.WAIT_IO_COMPLETION
    assert rec.calls[0][:2] == (0, 4)


@pytest.mark.parametrize("profile", PROFILES)
def test_routine_runs_in_the_issuing_thread_only(profile: str) -> None:
    """SPI-FACTS 3.4 (APCs queued with the stored WSATHREADID) and DESIGN 3: the
    routine runs in the thread that issued the request, not in another thread's
    alertable wait."""
    w = World(profile)
    c, s = w.pair()
    rec = Recorder()
    ov = ws.WSAOVERLAPPED()
    w.recv_ov(c, 4, ov, rec)
    w.send(s, b"mine")
    assert in_thread(lambda: w.api.SleepEx(0, True)) == 0
    assert rec.calls == []
    assert w.alert() == ws.WAIT_IO_COMPLETION
    assert rec.threads == [threading.get_ident()]


@pytest.mark.parametrize("profile", PROFILES)
def test_routine_receives_the_very_overlapped_object(profile: str) -> None:
    """DESIGN 2: "A completion routine receives the very WSAOVERLAPPED object that
    was passed in" with (dwError, cbTransferred, lpOverlapped, dwFlags)."""
    w = World(profile)
    c, s = w.pair()
    rec = Recorder()
    ov = ws.WSAOVERLAPPED()
    w.recv_ov(c, 8, ov, rec)
    w.send(s, b"12345")
    w.alert()
    ((err, n, got, flags),) = rec.calls
    assert got is ov and (err, n, flags) == (0, 5, 0)


@pytest.mark.parametrize("profile", PROFILES)
def test_event_is_not_signalled_when_a_routine_is_used(profile: str) -> None:
    """W34 and SPI-FACTS 3.4: "If lpCompletionRoutine is non-NULL hEvent is
    ignored": OVERLAPPED.hEvent is not signalled when a routine is used."""
    w = World(profile)
    c, s = w.pair()
    ev = w.event()
    rec = Recorder()
    ov = ws.WSAOVERLAPPED(hEvent=ev)
    w.recv_ov(c, 4, ov, rec)
    w.send(s, b"evnt")
    assert w.alert() == ws.WAIT_IO_COMPLETION
    assert rec.calls and not w.signalled(ev)


@pytest.mark.parametrize("profile", PROFILES)
def test_routines_are_never_nested(profile: str) -> None:
    """SPI-FACTS 3.4: "Completion routines for one socket are never nested": an
    alertable wait inside a routine runs nothing; the next routine runs after the
    first returns (still in the same outer wait)."""
    w = World(profile)
    c, s = w.pair()
    log: list[str] = []

    def first(e: int, n: int, o: object, f: int) -> None:
        log.append("first-start")
        log.append(f"inner-sleep={w.api.SleepEx(0, True)}")
        log.append("first-end")

    w.recv_ov(c, 2, ws.WSAOVERLAPPED(), first)
    w.recv_ov(c, 2, ws.WSAOVERLAPPED(), lambda e, n, o, f: log.append("second"))
    w.send(s, b"aabb")
    assert w.alert() == ws.WAIT_IO_COMPLETION
    assert log == ["first-start", "inner-sleep=0", "first-end", "second"]


@pytest.mark.parametrize("profile", PROFILES)
def test_new_io_allowed_from_inside_a_routine(profile: str) -> None:
    """SPI-FACTS 3.4: "providers must allow new WSPRecv/WSPSend calls from inside a
    completion routine": a routine that re-posts its receive reads a stream."""
    w = World(profile)
    c, s = w.pair()
    chunks: list[bytes] = []
    buf = bytearray(3)

    def again(err: int, n: int, ov: ws.WSAOVERLAPPED, flags: int) -> None:
        chunks.append(bytes(buf[:n]))
        if n:
            rc, _, _ = w.recv_ov(c, 3, ws.WSAOVERLAPPED(), again, buf)
            assert rc == 0 or w.err() == ws.WSA_IO_PENDING

    assert w.recv_ov(c, 3, ws.WSAOVERLAPPED(), again, buf)[0] == ERR
    w.send(s, b"abcdefgh")
    while w.alert() == ws.WAIT_IO_COMPLETION:
        pass
    w.api.shutdown(s, ws.SD_SEND)
    while w.alert() == ws.WAIT_IO_COMPLETION:
        pass
    assert b"".join(chunks) == b"abcdefgh" and chunks[-1] == b""


@pytest.mark.parametrize("profile", PROFILES)
def test_routine_send_completion(profile: str) -> None:
    """SPI-FACTS 3.4: WSPSend with a routine completes through an APC with the
    number of bytes sent."""
    w = World(profile)
    c, s = w.pair()
    rec = Recorder()
    sent = ctypes.c_ulong(0)
    ov = ws.WSAOVERLAPPED()
    assert w.api.WSASend(c, [ws.WSABUF(3, b"abc")], 1, sent, 0, ov, rec) == 0
    assert w.alert() == ws.WAIT_IO_COMPLETION
    assert rec.calls == [(0, 3, ov, 0)]
    assert w.recv(s, 8) == b"abc"


def test_apc_order_is_deterministic_across_sockets() -> None:
    """Issue 3: "The completion order must be deterministic": the same script
    gives the same routine order every run."""

    def script() -> list[int]:
        w = World("documented")
        order: list[int] = []
        pairs = [w.pair() for _ in range(3)]
        for i, (c, _) in enumerate(pairs):
            w.recv_ov(c, 1, ws.WSAOVERLAPPED(), lambda e, n, o, f, i=i: order.append(i))
        for _, s in reversed(pairs):
            w.send(s, b"!")
        w.alert()
        return order

    first = script()
    assert first == [2, 1, 0]
    assert all(script() == first for _ in range(3))


@pytest.mark.parametrize("profile", PROFILES)
def test_signalled_event_wins_over_queued_routines(profile: str) -> None:
    """Design choice (docs/design-choices.md, "Overlapped I/O and network
    events"): like the kernel's wait, an alertable WSAWaitForMultipleEvents whose
    event is already signalled returns its index and leaves the queued routine for
    the next alertable wait (W42 likewise: a signalled event ends a wait without
    running APCs)."""
    w = World(profile)
    c, s = w.pair()
    rec = Recorder()
    w.recv_ov(c, 4, ws.WSAOVERLAPPED(), rec)
    w.send(s, b"abcd")
    ev = w.event()
    w.api.WSASetEvent(ev)
    assert w.api.WSAWaitForMultipleEvents(1, [ev], False, 0, True) == ws.WSA_WAIT_EVENT_0
    assert rec.calls == []
    w.api.WSAResetEvent(ev)
    assert w.api.WSAWaitForMultipleEvents(1, [ev], False, 0, True) == ws.WSA_WAIT_IO_COMPLETION
    assert len(rec.calls) == 1
