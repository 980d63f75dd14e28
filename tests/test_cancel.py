"""Cancellation: the last reference's WSPCloseSocket aborts pending requests
(seed 004, SPI-FACTS 3.7), duplicates, CancelIo / CancelIoEx, peer resets and
thread exit (SPI-FACTS 3.4; W21, W22, W25, W29, W31, W33, W42)."""

from __future__ import annotations

import ctypes
import threading
from typing import Any

import pytest
from ovl_kit import ERR, PROFILES, Recorder, World, in_thread

import wsspi_sim as ws

# -- close of the last reference (seed 004) -------------------------------------------


def _connected_recv_abort(w: World) -> tuple[int, int]:
    """(Winsock error, Win32 error) of a pending receive on a connected TCP socket
    closed locally: seed 004 says WSA_OPERATION_ABORTED; Windows W21 aborts it
    (WSAECONNABORTED / ERROR_CONNECTION_ABORTED)."""
    if w.windows:
        return ws.WSAECONNABORTED, ws.ERROR_CONNECTION_ABORTED
    return ws.WSA_OPERATION_ABORTED, ws.ERROR_OPERATION_ABORTED


@pytest.mark.parametrize("profile", PROFILES)
def test_close_completes_pending_event_requests(profile: str) -> None:
    """Seed 004: the last WSPCloseSocket "cancels any pending calls or
    asynchronous operations" by completing them (WPUCompleteOverlappedRequest);
    SPI-FACTS 3.7 point 4: "their completion action is still performed" -- the
    event is signalled, with WSA_OPERATION_ABORTED (W21 in profile windows)."""
    w = World(profile)
    c, _s = w.pair()
    evs = [w.event() for _ in range(3)]
    ovs = [ws.WSAOVERLAPPED(hEvent=e) for e in evs]
    for ov in ovs:
        assert w.recv_ov(c, 4, ov)[0] == ERR
    assert w.api.closesocket(c) == 0
    want, _ = _connected_recv_abort(w)
    for ev, ov in zip(evs, ovs, strict=True):
        assert w.signalled(ev)
        assert ov.OffsetHigh == want and ov.InternalHigh == 0
        assert ov.Internal != ws.WSS_OPERATION_IN_PROGRESS


@pytest.mark.parametrize("profile", PROFILES)
def test_close_queues_exactly_one_packet_per_request(profile: str) -> None:
    """W21: pending WSARecv on an IOCP-associated socket, closesocket -> exactly
    one packet: FALSE, 0 bytes, key K, the request, InternalHigh 0, and
    ERROR_CONNECTION_ABORTED / STATUS_CONNECTION_ABORTED on Windows (documented:
    WSA_OPERATION_ABORTED, seed 004)."""
    w = World(profile)
    c, _s = w.pair()
    port = w.api.CreateIoCompletionPort(c, None, 0x4B, 0)
    ov1, ov2 = ws.WSAOVERLAPPED(), ws.WSAOVERLAPPED()
    w.recv_ov(c, 4, ov1)
    w.recv_ov(c, 4, ov2)
    assert w.packets(port) == []
    assert w.api.closesocket(c) == 0
    _, win32 = _connected_recv_abort(w)
    assert w.packets(port) == [(0, 0, 0x4B, ov1, win32), (0, 0, 0x4B, ov2, win32)]
    assert ov1.InternalHigh == 0
    if w.windows:
        assert ov1.Internal == ws.STATUS_CONNECTION_ABORTED


@pytest.mark.parametrize("profile", PROFILES)
def test_close_runs_aborted_routines_once(profile: str) -> None:
    """SPI-FACTS 3.7 point 4 (the completion routine is still run) and SPI-FACTS
    3.4 (routines through WPUQueueApc): each aborted request's routine runs once,
    in the issuing thread's next alertable wait, after the close."""
    w = World(profile)
    c, _s = w.pair()
    rec = Recorder()
    ovs = [ws.WSAOVERLAPPED() for _ in range(2)]
    for ov in ovs:
        w.recv_ov(c, 4, ov, rec)
    assert w.api.closesocket(c) == 0
    assert rec.calls == []
    assert w.alert() == ws.WAIT_IO_COMPLETION
    want, _ = _connected_recv_abort(w)
    assert rec.calls == [(want, 0, ovs[0], 0), (want, 0, ovs[1], 0)]
    assert w.alert() == 0


@pytest.mark.parametrize("profile", PROFILES)
def test_close_aborts_datagram_and_send_requests_with_operation_aborted(profile: str) -> None:
    """W31: a pending receive on a bound UDP socket is cancelled at close
    (STATUS_CANCELLED -> 995) in both profiles; a pending send is aborted with
    WSA_OPERATION_ABORTED (seed 004)."""
    w = World(profile)
    u, _ = w.udp()
    ev = w.event()
    ov = ws.WSAOVERLAPPED(hEvent=ev)
    assert w.recv_ov(u, 8, ov)[0] == ERR
    assert w.api.closesocket(u) == 0
    assert w.signalled(ev) and ov.OffsetHigh == ws.WSA_OPERATION_ABORTED and ov.InternalHigh == 0
    if w.windows:
        assert ov.Internal == ws.STATUS_CANCELLED
    c, _s = w.pair(rcvbuf=8, sndbuf=8)
    sov = ws.WSAOVERLAPPED(hEvent=w.event())
    assert w.send_ov(c, b"x" * 64, sov)[0] == ERR
    assert w.api.closesocket(c) == 0
    assert sov.OffsetHigh == ws.WSA_OPERATION_ABORTED


@pytest.mark.parametrize("profile", PROFILES)
def test_get_overlapped_result_after_close(profile: str) -> None:
    """W24/W42: after the close, GetOverlappedResult (Win32 codes) still reports
    the aborted request: FALSE with ERROR_CONNECTION_ABORTED on Windows for a
    connected receive (W21), ERROR_OPERATION_ABORTED otherwise; the Winsock
    WSAGetOverlappedResult on the closed handle is WSAENOTSOCK."""
    w = World(profile)
    c, _s = w.pair()
    ov = ws.WSAOVERLAPPED(hEvent=w.event())
    w.recv_ov(c, 4, ov)
    assert w.api.closesocket(c) == 0
    n = ctypes.c_ulong(0xDEAD)
    assert w.api.GetOverlappedResult(c, ov, n, False) == 0
    assert (w.err(), n.value) == (_connected_recv_abort(w)[1], 0)
    assert w.result(c, ov)[::3] == (0, ws.WSAENOTSOCK)


@pytest.mark.parametrize("profile", PROFILES)
def test_completion_happens_after_the_provider_dropped_the_request(profile: str) -> None:
    """Seed 004: "Before the SAN service provider completes overlapped operations,
    it should release any memory associated with those overlapped operations":
    at the moment of WPUCompleteOverlappedRequest the request is no longer the
    provider's (a CancelIoEx for it finds nothing; the descriptor is released)."""
    w = World(profile)
    c, _s = w.pair()
    ov = ws.WSAOVERLAPPED(hEvent=w.event())
    w.recv_ov(c, 4, ov)
    seen: list[tuple[int, int, int]] = []
    real = w.api.WPUCompleteOverlappedRequest

    def spy(s: int, lpOverlapped: Any, dwError: int, cb: int, lpErrno: Any) -> int:
        rc = w.api.CancelIoEx(s, lpOverlapped)
        errno = ctypes.c_int(0)
        w.spi.WSPGetOverlappedResult(
            s, lpOverlapped, ctypes.c_ulong(), False, ctypes.c_ulong(), errno
        )
        seen.append((rc, w.err(), errno.value))
        return int(real(s, lpOverlapped, dwError, cb, lpErrno))

    w.api.WPUCompleteOverlappedRequest = spy
    assert w.api.closesocket(c) == 0
    assert seen == [(0, ws.ERROR_NOT_FOUND, ws.WSAENOTSOCK)]


@pytest.mark.parametrize("profile", PROFILES)
def test_hard_close_through_the_provider_aborts(profile: str) -> None:
    """DESIGN 2: a test may hard-close with spi.WSPCloseSocket; seed 004: the
    pending request completes aborted, and the handle is gone at both levels."""
    w = World(profile)
    c, _s = w.pair()
    ev = w.event()
    ov = ws.WSAOVERLAPPED(hEvent=ev)
    w.recv_ov(c, 4, ov)
    errno = ctypes.c_int(0)
    assert w.spi.WSPCloseSocket(c, errno) == 0
    assert w.signalled(ev) and ov.OffsetHigh == _connected_recv_abort(w)[0]
    assert w.api.closesocket(c) == ERR and w.err() == ws.WSAENOTSOCK


@pytest.mark.parametrize("profile", PROFILES)
def test_cleanup_cancels_without_notification(profile: str) -> None:
    """SPI-FACTS 3.7 (WSPCleanup): pending overlapped requests are cancelled
    "without setting the event or running the completion routine", with
    WSA_OPERATION_ABORTED."""
    w = World(profile)
    c, _s = w.pair()
    ev = w.event()
    ov = ws.WSAOVERLAPPED(hEvent=ev)
    w.recv_ov(c, 4, ov)
    rec = Recorder()
    ov2 = ws.WSAOVERLAPPED()
    w.recv_ov(c, 4, ov2, rec)
    assert w.api.WSACleanup() == 0
    assert ov.OffsetHigh == _connected_recv_abort(w)[0]
    assert ov.Internal != ws.WSS_OPERATION_IN_PROGRESS
    assert not w.signalled(ev)
    assert w.api.SleepEx(0, True) == 0 and rec.calls == []


# -- duplicates (SPI-FACTS 3.7, W29) ------------------------------------------------------


def _duplicate(w: World, s: int) -> tuple[Any, int]:
    other = w.host.new_process()
    assert other.WSAStartup(0x0202, ws.WSADATA()) == 0
    info = ws.WSAPROTOCOL_INFOW()
    assert w.api.WSADuplicateSocketW(s, other.GetCurrentProcessId(), info) == 0
    d = other.WSASocketW(ws.FROM_PROTOCOL_INFO, ws.FROM_PROTOCOL_INFO, ws.FROM_PROTOCOL_INFO, info, 0,
                         ws.WSA_FLAG_OVERLAPPED)  # fmt: skip
    assert d != ws.INVALID_SOCKET
    return other, int(d)


@pytest.mark.parametrize("profile", PROFILES)
def test_closing_a_duplicate_that_is_not_last_aborts_nothing(profile: str) -> None:
    """SPI-FACTS 3.7: "a WSPCloseSocket on one descriptor deallocates that
    descriptor only; the underlying socket stays open until the last remaining
    descriptor is closed" -- W29: the pending request keeps pending and later
    completes normally, even the one issued through the closed descriptor."""
    w = World(profile)
    c, s = w.pair()
    other, d = _duplicate(w, c)
    ev = w.event()
    ov = ws.WSAOVERLAPPED(hEvent=ev)
    w.recv_ov(c, 4, ov)
    oev = other.WSACreateEvent()
    oov = ws.WSAOVERLAPPED(hEvent=oev)
    buf = bytearray(4)
    assert (
        other.WSARecv(d, [ws.WSABUF(4, buf)], 1, ctypes.c_ulong(), ctypes.c_ulong(0), oov, None)
        == ERR
    )
    assert w.api.closesocket(c) == 0
    assert not w.signalled(ev) and ov.Internal == ws.WSS_OPERATION_IN_PROGRESS
    assert oov.Internal == ws.WSS_OPERATION_IN_PROGRESS
    w.send(s, b"12345678")
    assert w.signalled(ev) and ov.InternalHigh == 4 and ov.OffsetHigh == 0
    assert other.WSAWaitForMultipleEvents(1, [oev], False, 0, False) == 0
    assert oov.InternalHigh == 4 and bytes(buf) == b"5678"
    # the last reference aborts what is still pending
    oov2 = ws.WSAOVERLAPPED(hEvent=oev)
    other.WSAResetEvent(oev)
    other.WSARecv(
        d, [ws.WSABUF(4, bytearray(4))], 1, ctypes.c_ulong(), ctypes.c_ulong(0), oov2, None
    )
    assert other.closesocket(d) == 0
    assert other.WSAWaitForMultipleEvents(1, [oev], False, 0, False) == 0
    assert oov2.OffsetHigh == _connected_recv_abort(w)[0]


# -- CancelIo / CancelIoEx ---------------------------------------------------------------------


@pytest.mark.parametrize("profile", PROFILES)
def test_cancelioex_cancels_one_request(profile: str) -> None:
    """CancelIoEx(h, lpOverlapped) completes that request with
    WSA_OPERATION_ABORTED (ERROR_OPERATION_ABORTED in its packet) and leaves
    the others pending; a second call finds nothing: ERROR_NOT_FOUND."""
    w = World(profile)
    c, s = w.pair()
    port = w.api.CreateIoCompletionPort(c, None, 2, 0)
    ov1, ov2 = ws.WSAOVERLAPPED(), ws.WSAOVERLAPPED()
    w.recv_ov(c, 4, ov1)
    w.recv_ov(c, 4, ov2)
    assert w.api.CancelIoEx(c, ov1) == 1
    assert w.packets(port) == [(0, 0, 2, ov1, ws.ERROR_OPERATION_ABORTED)]
    assert ov1.OffsetHigh == ws.WSA_OPERATION_ABORTED
    if w.windows:
        assert ov1.Internal == ws.STATUS_CANCELLED
    assert w.api.CancelIoEx(c, ov1) == 0 and w.err() == ws.ERROR_NOT_FOUND
    w.send(s, b"data")
    assert w.packets(port) == [(1, 4, 2, ov2, 0)]


@pytest.mark.parametrize("profile", PROFILES)
def test_cancelioex_all_and_not_found(profile: str) -> None:
    """CancelIoEx(h, NULL) cancels every request of the handle, from any thread;
    with nothing pending it fails ERROR_NOT_FOUND (issue 3 part 4)."""
    w = World(profile)
    c, _ = w.pair()
    assert w.api.CancelIoEx(c, None) == 0 and w.err() == ws.ERROR_NOT_FOUND
    evs = [w.event() for _ in range(3)]
    ovs = [ws.WSAOVERLAPPED(hEvent=e) for e in evs]
    for ov in ovs:
        w.recv_ov(c, 4, ov)
    assert in_thread(lambda: w.api.CancelIoEx(c, None)) == 1
    assert all(w.signalled(e) for e in evs)
    assert [ov.OffsetHigh for ov in ovs] == [ws.WSA_OPERATION_ABORTED] * 3
    assert w.api.CancelIoEx(c, ws.WSAOVERLAPPED()) == 0 and w.err() == ws.ERROR_NOT_FOUND


@pytest.mark.parametrize("profile", PROFILES)
def test_cancelio_is_per_thread_and_per_handle(profile: str) -> None:
    """CancelIo cancels the calling thread's requests on that handle only
    (another thread's stay pending; W25: another handle's stay pending); it
    succeeds even when nothing matches."""
    w = World(profile)
    c, _ = w.pair()
    c2, _ = w.pair()
    ov_other = ws.WSAOVERLAPPED(hEvent=w.event())
    issued, done = threading.Event(), threading.Event()

    def other_thread() -> None:  # stays alive until the CancelIo is over
        w.recv_ov(c, 4, ov_other)
        issued.set()
        done.wait()

    t = threading.Thread(target=other_thread)
    t.start()
    issued.wait()
    mine = ws.WSAOVERLAPPED(hEvent=w.event())
    w.recv_ov(c, 4, mine)
    on_c2 = ws.WSAOVERLAPPED(hEvent=w.event())
    w.recv_ov(c2, 4, on_c2)
    try:
        assert w.api.CancelIo(c) == 1
        assert mine.OffsetHigh == ws.WSA_OPERATION_ABORTED
        assert ov_other.Internal == ws.WSS_OPERATION_IN_PROGRESS
        assert on_c2.Internal == ws.WSS_OPERATION_IN_PROGRESS
    finally:
        done.set()
        t.join()
    assert w.api.CancelIo(c) == 1  # nothing left of this thread: still TRUE
    assert w.api.CancelIo(0x7FFF0001) == 0 and w.err() == ws.ERROR_INVALID_HANDLE


@pytest.mark.parametrize("profile", PROFILES)
def test_cancel_from_another_thread_with_cancelio(profile: str) -> None:
    """CancelIo in a thread that issued nothing on the handle cancels nothing:
    the request stays pending and later completes normally."""
    w = World(profile)
    c, s = w.pair()
    ov = ws.WSAOVERLAPPED(hEvent=w.event())
    w.recv_ov(c, 4, ov)
    assert in_thread(lambda: w.api.CancelIo(c)) == 1
    assert ov.Internal == ws.WSS_OPERATION_IN_PROGRESS
    w.send(s, b"ok!!")
    assert ov.InternalHigh == 4 and ov.OffsetHigh == 0


@pytest.mark.parametrize("profile", PROFILES)
def test_cancel_then_close_completes_once(profile: str) -> None:
    """Issue 3 invariant: every overlapped operation completes exactly once -- a
    cancelled request is not completed again by the close."""
    w = World(profile)
    c, _ = w.pair()
    rec = Recorder()
    ov = ws.WSAOVERLAPPED()
    w.recv_ov(c, 4, ov, rec)
    assert w.api.CancelIoEx(c, ov) == 1
    assert w.api.closesocket(c) == 0
    w.alert()
    assert rec.calls == [(ws.WSA_OPERATION_ABORTED, 0, ov, 0)]


@pytest.mark.parametrize("profile", PROFILES)
def test_cancel_pending_send_reports_bytes_taken(profile: str) -> None:
    """A cancelled pending send completes WSA_OPERATION_ABORTED; the bytes the
    transport took before are delivered and counted in InternalHigh."""
    w = World(profile)
    c, s = w.pair(rcvbuf=10, sndbuf=10)
    ov = ws.WSAOVERLAPPED(hEvent=w.event())
    assert w.send_ov(c, b"y" * 50, ov)[0] == ERR
    assert w.api.CancelIoEx(c, ov) == 1
    assert ov.OffsetHigh == ws.WSA_OPERATION_ABORTED
    got = b""
    while len(got) < ov.InternalHigh:
        got += w.recv(s, 64)
    assert got == b"y" * ov.InternalHigh and ov.InternalHigh == 20


# -- the peer's reset ---------------------------------------------------------------------


@pytest.mark.parametrize("profile", PROFILES)
def test_peer_reset_fails_every_pending_receive(profile: str) -> None:
    """Seed 004: after a hard close "any subsequent WSPRecv call from the remote
    peer of the connection fails with WSAECONNRESET"; SPI-FACTS 3.7: abortive
    close -> the peer's WSPRecv gets WSAECONNRESET -- pending ones included, each
    through its own mechanism, in issue order."""
    w = World(profile)
    c, s = w.pair()
    ev = w.event()
    ov1 = ws.WSAOVERLAPPED(hEvent=ev)
    w.recv_ov(c, 4, ov1)
    rec = Recorder()
    ov2 = ws.WSAOVERLAPPED()
    w.recv_ov(c, 4, ov2, rec)
    w.rst_close(s)
    assert w.signalled(ev) and ov1.OffsetHigh == ws.WSAECONNRESET
    w.alert()
    assert rec.calls == [(ws.WSAECONNRESET, 0, ov2, 0)]
    rc, _, _ = w.recv_ov(c, 4, ws.WSAOVERLAPPED())
    assert (rc, w.err()) == (ERR, ws.WSAECONNRESET)


# -- thread exit (SPI-FACTS 3.4; W22, W33) ---------------------------------------------------


@pytest.mark.parametrize("profile", PROFILES)
def test_thread_exit_cancels_event_requests(profile: str) -> None:
    """SPI-FACTS 3.4: "Thread exit cancels I/O that thread started"; W33: on
    Windows too, a request without a completion port is cancelled when its
    thread exits (STATUS_CANCELLED, event signalled).  Noticed lazily, here by
    the next wait."""
    w = World(profile)
    c, _ = w.pair()
    ev = w.event()
    ov = ws.WSAOVERLAPPED(hEvent=ev)
    assert in_thread(lambda: w.recv_ov(c, 4, ov)[0]) == ERR
    assert w.api.WSAWaitForMultipleEvents(1, [ev], False, 0, False) == 0
    assert ov.OffsetHigh == ws.WSA_OPERATION_ABORTED and ov.InternalHigh == 0
    if w.windows:
        assert ov.Internal == ws.STATUS_CANCELLED


@pytest.mark.parametrize("profile", PROFILES)
def test_thread_exit_never_runs_the_routine(profile: str) -> None:
    """W33: a request of an exited thread is cancelled and its "APC never
    delivered" (the thread is gone); data arriving later stays for others."""
    w = World(profile)
    c, s = w.pair()
    rec = Recorder()
    ov = ws.WSAOVERLAPPED()

    def issue_and_leave() -> None:
        w.recv_ov(c, 4, ov, rec)

    in_thread(issue_and_leave)
    w.send(s, b"kept")
    assert w.alert() == 0
    assert rec.calls == [] and ov.OffsetHigh == ws.WSA_OPERATION_ABORTED
    assert w.recv(c, 8) == b"kept"


@pytest.mark.parametrize("profile", PROFILES)
def test_thread_exit_keyed_port_request(profile: str) -> None:
    """W22/W33: a WSARecv with hEvent NULL on a socket associated with a port
    with a completion key survives its thread's exit on Windows (GQCS times
    out; data then completes it normally); SPI-FACTS 3.4 (documented): it is
    cancelled -- a packet with ERROR_OPERATION_ABORTED.
    Policy.thread_exit_spares_keyed_port_requests."""
    w = World(profile)
    c, s = w.pair()
    port = w.api.CreateIoCompletionPort(c, None, 0x77, 0)
    ov = ws.WSAOVERLAPPED()
    buf = bytearray(12)
    in_thread(lambda: w.recv_ov(c, 12, ov, None, buf))
    got = w.gqcs(port, 100)
    if w.windows:
        assert got[3] is None and got[4] == ws.WAIT_TIMEOUT
        w.send(s, b"hello world!")
        assert w.gqcs(port) == (1, 12, 0x77, ov, 0)
        assert ov.Internal == 0 and ov.InternalHigh == 12 and bytes(buf) == b"hello world!"
    else:
        assert got == (0, 0, 0x77, ov, ws.ERROR_OPERATION_ABORTED)


def test_windows_surviving_request_can_be_cancelled_later() -> None:
    """W33: "a request with a completion key and no event survives thread exit,
    and a later CancelIoEx(h, NULL) queues a STATUS_CANCELLED packet for it"."""
    w = World("windows")
    c, _ = w.pair()
    port = w.api.CreateIoCompletionPort(c, None, 5, 0)
    ov = ws.WSAOVERLAPPED()
    in_thread(lambda: w.recv_ov(c, 4, ov))
    assert w.gqcs(port)[3] is None
    assert w.api.CancelIoEx(c, None) == 1
    assert w.gqcs(port) == (0, 0, 5, ov, ws.ERROR_OPERATION_ABORTED)
    assert ov.Internal == ws.STATUS_CANCELLED


@pytest.mark.parametrize("profile", PROFILES)
def test_thread_exit_port_request_without_key(profile: str) -> None:
    """W33: with an IOCP, "requests that have an event, or no completion key, are
    also cancelled (packet only if a key was given)": key 0 -> cancelled
    without a packet on Windows; documented: cancelled with its packet."""
    w = World(profile)
    c, _ = w.pair()
    port = w.api.CreateIoCompletionPort(c, None, 0, 0)
    ov = ws.WSAOVERLAPPED()
    in_thread(lambda: w.recv_ov(c, 4, ov))
    got = w.packets(port)
    assert ov.OffsetHigh == ws.WSA_OPERATION_ABORTED
    if w.windows:
        assert got == []
    else:
        assert got == [(0, 0, 0, ov, ws.ERROR_OPERATION_ABORTED)]


@pytest.mark.parametrize("profile", PROFILES)
def test_thread_exit_keyed_port_request_with_event(profile: str) -> None:
    """W33: a port request that has an event is cancelled at thread exit even
    with a key (and its packet is queued, the key being given)."""
    w = World(profile)
    c, _ = w.pair()
    port = w.api.CreateIoCompletionPort(c, None, 9, 0)
    ev = w.event()
    ov = ws.WSAOVERLAPPED(hEvent=ev)
    in_thread(lambda: w.recv_ov(c, 4, ov))
    assert w.packets(port) == [(0, 0, 9, ov, ws.ERROR_OPERATION_ABORTED)]
    assert w.signalled(ev)


@pytest.mark.parametrize("profile", PROFILES)
def test_thread_exit_noticed_while_waiting(profile: str) -> None:
    """Thread exit is noticed while another thread is blocked waiting: the
    request's cancellation signals the event the waiter is blocked on
    (SPI-FACTS 3.4, W33)."""
    w = World(profile)
    c, _ = w.pair()
    ev = w.event()
    ov = ws.WSAOVERLAPPED(hEvent=ev)
    ready = threading.Event()

    def worker() -> None:
        w.recv_ov(c, 4, ov)
        ready.set()

    t = threading.Thread(target=worker)
    t.start()
    ready.wait()
    try:
        rc = w.api.WSAWaitForMultipleEvents(1, [ev], False, ws.WSA_INFINITE, False)
    finally:
        t.join()
    assert rc == 0 and ov.OffsetHigh == ws.WSA_OPERATION_ABORTED


@pytest.mark.parametrize("profile", PROFILES)
def test_thread_exit_noticed_when_data_arrives(profile: str) -> None:
    """The exit is noticed at the latest when the provider is about to complete
    the request: arriving data does not go to a request whose thread is gone
    (SPI-FACTS 3.4); the bytes stay for the next reader."""
    w = World(profile)
    c, s = w.pair()
    ov = ws.WSAOVERLAPPED(hEvent=w.event())
    in_thread(lambda: w.recv_ov(c, 4, ov))
    w.send(s, b"safe")
    assert ov.OffsetHigh == ws.WSA_OPERATION_ABORTED and ov.InternalHigh == 0
    assert w.recv(c, 8) == b"safe"


def test_thread_exit_cancels_pending_send() -> None:
    """SPI-FACTS 3.4: thread exit cancels every request the thread started,
    sends too; the bytes already taken stay delivered."""
    w = World("documented")
    c, s = w.pair(rcvbuf=10, sndbuf=10)
    ov = ws.WSAOVERLAPPED(hEvent=w.event())
    in_thread(lambda: w.send_ov(c, b"q" * 40, ov))
    assert w.recv(s, 64) == b"q" * 10
    assert ov.OffsetHigh == ws.WSA_OPERATION_ABORTED and ov.InternalHigh == 20
    assert w.recv(s, 64) == b"q" * 10
