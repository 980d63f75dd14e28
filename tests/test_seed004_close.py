"""Seed 004 (WSPCloseSocket, the hard close) and the switch's closesocket
(graceful close, SO_LINGER, SO_DONTLINGER, nonblocking close: SPI-FACTS 3.7).

The provider's WSPCloseSocket is called directly (``host.provider``) and
through ``api.closesocket``; both profiles are checked, with the one documented
difference (W21: a connected TCP receive is aborted, not cancelled) taken from
the WINDOWS-OBSERVED cases, not from the simulator's own policy object."""

from __future__ import annotations

import ctypes
from typing import Any

import pytest
from closekit import (
    BLACK_HOLE,
    PROFILES,
    SOCKET_ERROR,
    World,
    bind,
    dequeue,
    drain,
    err,
    fill,
    fionread,
    get_int,
    get_linger,
    listener,
    local_port,
    nonblocking,
    overlapped_recv,
    set_int,
    set_linger,
    signalled,
    sock_of,
    tcp,
    tcp_pair,
    udp,
    udp_pair,
    world,
)

import wsspi_sim as ws
from wsspi_sim import states as S

#: What a pending receive on a *connected TCP* socket completes with at local close:
#: seed 004 says WSA_OPERATION_ABORTED; Windows reports an abort (W21, W42).
TCP_RECV_ABORT = {"documented": ws.WSA_OPERATION_ABORTED, "windows": ws.WSAECONNABORTED}
#: ...and what GetQueuedCompletionStatus reports for it (W21: ERROR_CONNECTION_ABORTED).
TCP_RECV_ABORT_WIN32 = {"documented": 995, "windows": 1236}
#: OVERLAPPED.Internal in profile "windows" (W21: STATUS_CONNECTION_ABORTED; W31: STATUS_CANCELLED).
STATUS_CONNECTION_ABORTED = 0xC0000241
STATUS_CANCELLED = 0xC0000120


@pytest.fixture(params=PROFILES)
def w(request: pytest.FixtureRequest) -> World:
    return world(request.param)


def hard_close(w: World, s: int, host: ws.Host | None = None) -> tuple[int, int]:
    e = ctypes.c_int(0)
    rc = (host or w.a).provider.WSPCloseSocket(s, e)
    return int(rc), int(e.value)


# -- later references fail WSAENOTSOCK, at the provider and at the switch -------------------


@pytest.mark.parametrize("kind", ["tcp", "udp", "connected"])
def test_later_references_fail_enotsock(w: World, kind: str) -> None:
    """Seed 004: "After the WSPCloseSocket completes, the SAN service provider should
    fail further references to the closed socket with the error WSAENOTSOCK." -- and,
    as the contract says WSPCloseSocket ends with WPUCloseSocketHandle, the switch
    rejects the handle too (a second close included)."""
    if kind == "connected":
        s, _ = tcp_pair(w)
    else:
        s = tcp(w.api) if kind == "tcp" else udp(w.api)
    assert hard_close(w, s) == (0, 0)
    assert hard_close(w, s) == (SOCKET_ERROR, ws.WSAENOTSOCK)
    e = ctypes.c_int()
    assert w.spi.WSPGetSockName(s, bytearray(16), ctypes.c_int(16), e) == SOCKET_ERROR
    assert e.value == ws.WSAENOTSOCK
    assert w.spi.WSPSend(s, [ws.WSABUF(1, b"x")], 1, ctypes.c_ulong(), 0, None, None, None, e) == SOCKET_ERROR
    assert e.value == ws.WSAENOTSOCK
    assert w.api.send(s, b"x", 1, 0) == SOCKET_ERROR and err(w.api) == ws.WSAENOTSOCK
    assert w.api.getsockname(s, bytearray(16), ctypes.c_int(16)) == SOCKET_ERROR
    assert err(w.api) == ws.WSAENOTSOCK
    assert w.api.closesocket(s) == SOCKET_ERROR and err(w.api) == ws.WSAENOTSOCK


def test_close_ends_with_wpuclosesockethandle(w: World) -> None:
    """Seed 004: "After the WSPCloseSocket completes, the SAN service provider should fail
    further references ... with the error WSAENOTSOCK." (DESIGN 2: "The provider's
    WSPCloseSocket ends with the WPUCloseSocketHandle upcall") -- the upcall comes once,
    after the provider forgot the handle and after the pending request completed, while
    the switch still knew the handle."""
    c, _ = tcp_pair(w)
    ov, _ = overlapped_recv(w.api, c)
    up = w.spi.upcalls[w.api]
    real = up.lpWPUCloseSocketHandle
    seen: list[tuple[int, bool, bool, bool]] = []

    def spy(s: int, lpErrno: Any) -> int:
        seen.append((s, s in w.spi.table, s in w.api.sockets, ov.Internal == ws.WSS_OPERATION_IN_PROGRESS))
        assert real is not None
        return int(real(s, lpErrno))

    up.lpWPUCloseSocketHandle = spy
    assert hard_close(w, c) == (0, 0)
    assert seen == [(c, False, True, False)]
    assert c not in w.api.sockets


# -- the last reference discards naming information and queued data -----------------------------


@pytest.mark.parametrize("kind", ["tcp", "udp"])
def test_last_reference_discards_name_port_reusable(w: World, kind: str) -> None:
    """Seed 004: "If the WSPCloseSocket function releases the last reference to an
    underlying socket, the SAN service provider discards the associated naming
    information" -- another socket can bind the very address at once (no
    SO_REUSEADDR), which fails while the first socket lives."""
    make = tcp if kind == "tcp" else udp
    s = make(w.api)
    assert bind(w.api, s, "10.0.0.1", 0) == 0
    port = local_port(w.api, s)
    other = make(w.api)
    assert bind(w.api, other, "10.0.0.1", port) == SOCKET_ERROR
    assert err(w.api) == ws.WSAEADDRINUSE
    assert hard_close(w, s) == (0, 0)
    assert bind(w.api, other, "10.0.0.1", port) == 0, err(w.api)
    assert local_port(w.api, other) == port


def test_last_reference_discards_queued_datagrams(w: World) -> None:
    """Seed 004: "...discards the associated naming information and queued data." -- the
    datagrams queued for a closed UDP socket are not delivered to the next socket bound
    to its port."""
    s, r, port = udp_pair(w)
    for _ in range(3):
        assert w.api.sendto(s, b"old", 3, 0, ws.sockaddr("10.0.0.2", port), 16) == 3
    assert fionread(w.bapi, r) == 9
    rec = sock_of(w, r, w.b)
    assert hard_close(w, r, w.b) == (0, 0)
    assert not rec.ep.dgrams and rec.ep.dgram_bytes == 0
    again = udp(w.bapi)
    assert bind(w.bapi, again, "10.0.0.2", port) == 0
    assert fionread(w.bapi, again) == 0
    assert w.api.sendto(s, b"new", 3, 0, ws.sockaddr("10.0.0.2", port), 16) == 3
    buf = bytearray(8)
    assert w.bapi.recvfrom(again, buf, 8, 0, None, None) == 3 and buf[:3] == b"new"


def test_last_reference_discards_queued_stream_data(w: World) -> None:
    """Seed 004: "...discards the associated naming information and queued data." -- bytes
    received but unread are dropped (the provider's buffer is empty), and bytes the peer
    still had queued toward the socket are lost with the reset: the peer's next send
    fails WSAECONNRESET instead of waiting for room."""
    c, srv = tcp_pair(w)
    set_int(w.api, c, ws.SO_RCVBUF, 1024)
    set_int(w.bapi, srv, ws.SO_SNDBUF, 1024)
    fill(w.bapi, srv, 256)
    rec = sock_of(w, c)
    assert len(rec.ep.rbuf) == 1024
    assert hard_close(w, c) == (0, 0)
    assert not rec.ep.rbuf
    assert w.bapi.send(srv, b"x", 1, 0) == SOCKET_ERROR
    assert err(w.bapi) == ws.WSAECONNRESET


# -- pending overlapped operations --------------------------------------------------------------


@pytest.mark.parametrize("how", ["WSPCloseSocket", "closesocket"])
def test_pending_tcp_receive_completes_at_close_event_and_port(w: World, how: str) -> None:
    """Seed 004: "The SAN service provider cancels any pending calls or asynchronous
    operations for the socket ... calls the WPUCompleteOverlappedRequest function ...
    passes the WSA_OPERATION_ABORTED error code" (profile "documented"); W21: Windows
    completes a pending receive on a connected TCP socket with ERROR_CONNECTION_ABORTED
    / STATUS_CONNECTION_ABORTED, i.e. WSAECONNABORTED (profile "windows").  Either way
    the event is signalled and exactly one packet reaches the completion port, FALSE,
    0 bytes, the request's key and OVERLAPPED."""
    c, _ = tcp_pair(w)
    port = w.api.CreateIoCompletionPort(c, None, 77, 0)
    ov, _ = overlapped_recv(w.api, c)
    assert dequeue(w.api, port)[0:4] == (0, 0, 0, None)  # nothing before the close
    if how == "closesocket":
        assert w.api.closesocket(c) == 0
    else:
        assert hard_close(w, c) == (0, 0)
    prof = w.sim.profile
    assert signalled(w.api, ov.hEvent)
    assert ov.OffsetHigh == TCP_RECV_ABORT[prof] and ov.InternalHigh == 0
    if prof == "windows":
        assert ov.Internal == STATUS_CONNECTION_ABORTED
    else:
        assert ov.Internal != ws.WSS_OPERATION_IN_PROGRESS
    assert dequeue(w.api, port) == (0, 0, 77, ov, TCP_RECV_ABORT_WIN32[prof])
    assert dequeue(w.api, port)[3] is None  # exactly one packet


def test_pending_udp_receive_is_cancelled(w: World) -> None:
    """Seed 004: "It also passes the WSA_OPERATION_ABORTED error code to specify that the
    overlapped operation was canceled because the socket was closed." -- in both
    profiles for a UDP socket (W31: the event is signalled, STATUS_CANCELLED, 0 bytes)."""
    s = udp(w.api)
    assert bind(w.api, s) == 0
    port = w.api.CreateIoCompletionPort(s, None, 5, 0)
    ov, _ = overlapped_recv(w.api, s)
    assert w.api.closesocket(s) == 0
    assert signalled(w.api, ov.hEvent)
    assert ov.OffsetHigh == ws.WSA_OPERATION_ABORTED and ov.InternalHigh == 0
    if w.sim.profile == "windows":
        assert ov.Internal == STATUS_CANCELLED
    assert dequeue(w.api, port) == (0, 0, 5, ov, 995)


def test_pending_send_is_cancelled(w: World) -> None:
    """Seed 004: "passes the WSA_OPERATION_ABORTED error code" -- a send that pends because
    the peer's window is full completes with WSA_OPERATION_ABORTED in both profiles
    (the W21 difference concerns receives), reporting the bytes already taken."""
    c, _ = tcp_pair(w)
    set_int(w.api, c, ws.SO_SNDBUF, 0)
    sent = fill(w.api, c, 4096)  # the peer's receive buffer is full now
    ov = ws.WSAOVERLAPPED(hEvent=w.api.WSACreateEvent())
    rc = w.api.WSASend(c, [ws.WSABUF(100, bytes(100))], 1, ctypes.c_ulong(), 0, ov, None)
    assert (rc, err(w.api)) == (SOCKET_ERROR, ws.WSA_IO_PENDING)
    assert sent > 0
    assert hard_close(w, c) == (0, 0)
    assert signalled(w.api, ov.hEvent)
    assert ov.OffsetHigh == ws.WSA_OPERATION_ABORTED and ov.InternalHigh == 0


def test_completion_routine_runs_once_with_the_abort(w: World) -> None:
    """Seed 004: "A SAN service provider calls the WPUCompleteOverlappedRequest function to
    complete the overlapped operation" -- for a request with a completion routine the
    completion action is the routine (SPI-FACTS 3.7 point 4): it runs exactly once, in
    the issuing thread's next alertable wait, with the close's error."""
    c, _ = tcp_pair(w)
    calls: list[tuple[int, int, Any]] = []
    buf = bytearray(16)
    ov = ws.WSAOVERLAPPED()

    def routine(dwError: int, cbTransferred: int, lpOverlapped: Any, dwFlags: int) -> None:
        calls.append((dwError, cbTransferred, lpOverlapped))

    rc = w.api.WSARecv(c, [ws.WSABUF(16, buf)], 1, ctypes.c_ulong(), ctypes.c_ulong(), ov, routine)
    assert (rc, err(w.api)) == (SOCKET_ERROR, ws.WSA_IO_PENDING)
    assert hard_close(w, c) == (0, 0)
    assert calls == []  # not before an alertable wait
    assert w.api.SleepEx(0, True) == ws.WAIT_IO_COMPLETION
    assert w.api.SleepEx(0, True) == 0
    assert calls == [(TCP_RECV_ABORT[w.sim.profile], 0, ov)]


def test_memory_released_before_completion(w: World) -> None:
    """Seed 004: "Before the SAN service provider completes overlapped operations, it
    should release any memory associated with those overlapped operations." -- when
    WPUCompleteOverlappedRequest (event/port) or WPUQueueApc (routine) runs for an
    aborted request, the provider's pending queues no longer hold it."""
    c, _ = tcp_pair(w)
    rec = sock_of(w, c)
    ov1, _ = overlapped_recv(w.api, c)
    ov2 = ws.WSAOVERLAPPED()
    rc = w.api.WSARecv(c, [ws.WSABUF(4, bytearray(4))], 1, ctypes.c_ulong(), ctypes.c_ulong(), ov2,
                       lambda *a: None)  # fmt: skip
    assert (rc, err(w.api)) == (SOCKET_ERROR, ws.WSA_IO_PENDING)
    assert len(rec.rq) == 2
    queued_at_completion: list[int] = []
    real_complete = w.api.WPUCompleteOverlappedRequest
    up = w.spi.upcalls[w.api]
    real_apc = up.lpWPUQueueApc

    def complete(s: int, lpOverlapped: Any, dwError: int, cb: int, lpErrno: Any) -> int:
        queued_at_completion.append(len(rec.rq) + len(rec.sq))
        return int(real_complete(s, lpOverlapped, dwError, cb, lpErrno))

    def queue_apc(tid: Any, fn: Any, ctx: Any, lpErrno: Any) -> int:
        queued_at_completion.append(len(rec.rq) + len(rec.sq))
        assert real_apc is not None
        return int(real_apc(tid, fn, ctx, lpErrno))

    w.api.WPUCompleteOverlappedRequest = complete
    up.lpWPUQueueApc = queue_apc
    assert hard_close(w, c) == (0, 0)
    assert queued_at_completion == [0, 0]
    assert ov1.OffsetHigh == ov2.OffsetHigh == TCP_RECV_ABORT[w.sim.profile]


def test_blocking_call_is_cancelled(w: World) -> None:
    """Seed 004: "The SAN service provider cancels any pending calls" -- a blocked receive
    returns SOCKET_ERROR (WSAEINTR, the WinSock cancellation code) when the socket is
    hard-closed meanwhile (here by a virtual-time timer that fires during the receive)."""
    c, _ = tcp_pair(w)
    closed: list[tuple[int, int]] = []

    def meanwhile() -> None:
        assert w.sim._blocked  # the receive below is waiting
        closed.append(hard_close(w, c))

    w.sim.call_later(2.0, meanwhile)
    assert w.api.recv(c, bytearray(8), 8, 0) == SOCKET_ERROR
    assert err(w.api) == ws.WSAEINTR
    assert closed == [(0, 0)] and w.sim.now == 2.0


# -- no FD_ notification during closure -----------------------------------------------------------


ALL_FD = ws.FD_READ | ws.FD_WRITE | ws.FD_OOB | ws.FD_ACCEPT | ws.FD_CONNECT | ws.FD_CLOSE


def test_no_notification_closing_connected_socket(w: World) -> None:
    """Seed 004: "During socket closure, the SAN service provider does not signal event
    objects on that socket to post notification messages." -- an event-selected,
    connected socket with a pending receive: its close records no FD_CLOSE (nor
    anything else) and leaves its event non-signalled."""
    c, _ = tcp_pair(w)
    rec = sock_of(w, c)
    ev = w.api.WSACreateEvent()
    assert w.api.WSAEventSelect(c, ev, ALL_FD) == 0
    assert w.api.WSAEnumNetworkEvents(c, ev, ws.WSANETWORKEVENTS()) == 0
    assert not signalled(w.api, ev)
    ov, _ = overlapped_recv(w.api, c, event=False)
    assert hard_close(w, c) == (0, 0)
    assert ov.OffsetHigh == TCP_RECV_ABORT[w.sim.profile]
    assert not signalled(w.api, ev)
    assert rec.ev_record == 0


def test_no_fd_accept_closing_listener(w: World) -> None:
    """Seed 004: "For example, the SAN service provider does not post notification
    messages that indicate the arrival of an incoming connection (FD_ACCEPT)" -- closing a
    listener with a queued connection signals nothing, and the queued connection is
    reset (the client's receive fails WSAECONNRESET)."""
    lst, port = listener(w.bapi)
    ev = w.bapi.WSACreateEvent()
    assert w.bapi.WSAEventSelect(lst, ev, ws.FD_ACCEPT | ws.FD_CLOSE) == 0
    c = tcp(w.api)
    assert w.api.connect(c, ws.sockaddr("10.0.0.2", port), 16) == 0
    ne = ws.WSANETWORKEVENTS()
    assert w.bapi.WSAEnumNetworkEvents(lst, ev, ne) == 0 and ne.lNetworkEvents == ws.FD_ACCEPT
    c2 = tcp(w.api)
    assert w.api.connect(c2, ws.sockaddr("10.0.0.2", port), 16) == 0
    assert hard_close(w, lst, w.b) == (0, 0)
    assert not signalled(w.bapi, ev)
    for s in (c, c2):
        assert w.api.recv(s, bytearray(4), 4, 0) == SOCKET_ERROR
        assert err(w.api) == ws.WSAECONNRESET


def test_no_fd_connect_closing_connecting_socket(w: World) -> None:
    """Seed 004: "...or the completion of a connection operation (FD_CONNECT)." -- a socket
    closed while its connect is in progress never reports FD_CONNECT: not at the close,
    not when the connect would have timed out."""
    s = tcp(w.api)
    ev = w.api.WSACreateEvent()
    assert w.api.WSAEventSelect(s, ev, ws.FD_CONNECT | ws.FD_CLOSE) == 0
    assert w.api.connect(s, ws.sockaddr(BLACK_HOLE, 80), 16) == SOCKET_ERROR
    assert err(w.api) == ws.WSAEWOULDBLOCK
    rec = sock_of(w, s)
    assert rec.state is S.CONNECTING
    assert hard_close(w, s) == (0, 0)
    w.sim.advance(60)
    assert not signalled(w.api, ev)
    assert rec.ev_record == 0 and rec.state is S.CLOSED


# -- the remote peer ------------------------------------------------------------------------------


def test_peer_recv_fails_connreset_after_hard_close(w: World) -> None:
    """Seed 004: "Any subsequent WSPRecv call from the remote peer of the connection fails
    with WSAECONNRESET." -- at the peer's provider and API, also when the peer had unread
    data (the reset overtakes it), and for the peer's pending overlapped receive."""
    c, srv = tcp_pair(w)
    ov, _ = overlapped_recv(w.bapi, srv)
    assert hard_close(w, c) == (0, 0)
    assert ov.OffsetHigh == ws.WSAECONNRESET
    e = ctypes.c_int()
    rc = w.bspi.WSPRecv(srv, [ws.WSABUF(8, bytearray(8))], 1, ctypes.c_ulong(), ctypes.c_ulong(),
                        None, None, None, e)  # fmt: skip
    assert (rc, e.value) == (SOCKET_ERROR, ws.WSAECONNRESET)
    assert w.bapi.recv(srv, bytearray(8), 8, 0) == SOCKET_ERROR
    assert err(w.bapi) == ws.WSAECONNRESET
    # with data the peer had not read yet
    c2, srv2 = tcp_pair(w)
    assert w.api.send(c2, b"unread", 6, 0) == 6
    assert hard_close(w, c2) == (0, 0)
    assert w.bapi.recv(srv2, bytearray(8), 8, 0) == SOCKET_ERROR
    assert err(w.bapi) == ws.WSAECONNRESET


# -- duplicates: only the last reference tears down ------------------------------------------------


def test_closing_a_non_last_duplicate_aborts_nothing(w: World) -> None:
    """Seed 004: "If the WSPCloseSocket function releases the last reference to an
    underlying socket, the SAN service provider discards ... The SAN service provider
    cancels any pending calls" -- closing a descriptor while a duplicate lives aborts
    nothing: requests pending through either descriptor complete with the data that
    arrives later, the peer sees no reset; the last close then aborts what is left."""
    c, srv = tcp_pair(w)
    api2 = w.a.new_process()
    assert api2.WSAStartup(0x0202, ws.WSADATA()) == 0
    info = ws.WSAPROTOCOL_INFOW()
    assert w.api.WSADuplicateSocketW(c, api2.GetCurrentProcessId(), info) == 0
    d = api2.WSASocketW(ws.FROM_PROTOCOL_INFO, ws.FROM_PROTOCOL_INFO, ws.FROM_PROTOCOL_INFO, info, 0,
                        ws.WSA_FLAG_OVERLAPPED)  # fmt: skip
    assert d != ws.INVALID_SOCKET
    ov_orig, buf_orig = overlapped_recv(w.api, c, 4)
    ov_dup, buf_dup = overlapped_recv(api2, d, 4)
    ov_last, _ = overlapped_recv(api2, d, 4)
    assert hard_close(w, c) == (0, 0)
    for ov in (ov_orig, ov_dup, ov_last):
        assert ov.Internal == ws.WSS_OPERATION_IN_PROGRESS
    nonblocking(w.bapi, srv)
    assert w.bapi.recv(srv, bytearray(4), 4, 0) == SOCKET_ERROR
    assert err(w.bapi) == ws.WSAEWOULDBLOCK  # no FIN, no reset
    assert w.bapi.send(srv, b"abcdefgh", 8, 0) == 8
    assert (ov_orig.OffsetHigh, ov_orig.InternalHigh, bytes(buf_orig)) == (0, 4, b"abcd")
    assert (ov_dup.OffsetHigh, ov_dup.InternalHigh, bytes(buf_dup)) == (0, 4, b"efgh")
    assert signalled(w.api, ov_orig.hEvent) and signalled(api2, ov_dup.hEvent)
    assert ov_last.Internal == ws.WSS_OPERATION_IN_PROGRESS
    assert hard_close(w, d) == (0, 0)
    assert ov_last.OffsetHigh == TCP_RECV_ABORT[w.sim.profile]
    assert signalled(api2, ov_last.hEvent)
    assert w.bapi.recv(srv, bytearray(4), 4, 0) == SOCKET_ERROR
    assert err(w.bapi) == ws.WSAECONNRESET


# -- the switch's closesocket: graceful, abortive, lingering ------------------------------------------


def test_closesocket_is_graceful_by_default(w: World) -> None:
    """SPI-FACTS 3.7 point 6 (SO_DONTLINGER, the default): "graceful, in background" and
    seed 004: "The Windows Sockets switch fully implements the semantics required by
    graceful disconnect" -- queued data is delivered, including bytes still in the send
    queue because the peer's window was full, then the peer reads 0; the nonblocking
    close returns at once."""
    c, srv = tcp_pair(w)
    set_int(w.bapi, srv, ws.SO_RCVBUF, 2048)
    set_int(w.api, c, ws.SO_SNDBUF, 2048)
    assert get_linger(w.api, c) == (0, 0)
    total = fill(w.api, c, 700)
    assert total == 4096 and sock_of(w, c).ep.unsent() > 0
    t0 = w.sim.now
    assert w.api.closesocket(c) == 0
    assert w.sim.now == t0
    data, rc = drain(w.bapi, srv)
    assert rc == 0
    expected = b"".join((bytes(range(256)) * 3)[:700] for _ in range(6))[:total]
    assert len(data) == total and data == expected


def test_linger_zero_is_abortive(w: World) -> None:
    """SPI-FACTS 3.7 point 6: "SO_LINGER, l_onoff != 0, l_linger 0: hard/abortive: virtual
    circuit reset, unsent data lost; peer's WSPRecv gets WSAECONNRESET" -- the close
    returns at once even with data queued."""
    c, srv = tcp_pair(w)
    set_int(w.bapi, srv, ws.SO_RCVBUF, 1024)
    fill(w.api, c, 512)
    set_linger(w.api, c, 1, 0)
    t0 = w.sim.now
    assert w.api.closesocket(c) == 0
    assert w.sim.now == t0
    assert w.bapi.recv(srv, bytearray(64), 64, 0) == SOCKET_ERROR
    assert err(w.bapi) == ws.WSAECONNRESET


def test_linger_timeout_blocks_then_aborts(w: World) -> None:
    """SPI-FACTS 3.7 point 6: "SO_LINGER, l_onoff != 0, l_linger > 0: ... waits until data
    sent or timeout; on timeout provider terminates the connection before returning" --
    when the peer never reads, a blocking close returns after exactly l_linger seconds of
    virtual time and the peer's receive then fails WSAECONNRESET."""
    c, srv = tcp_pair(w)
    set_int(w.bapi, srv, ws.SO_RCVBUF, 1024)
    fill(w.api, c, 512)
    assert w.api.ioctlsocket(c, ws.FIONBIO, ctypes.c_ulong(0)) == 0
    set_linger(w.api, c, 1, 3)
    t0 = w.sim.now
    assert w.api.closesocket(c) == 0
    assert w.sim.now == t0 + 3
    assert w.api.send(c, b"x", 1, 0) == SOCKET_ERROR and err(w.api) == ws.WSAENOTSOCK
    assert w.bapi.recv(srv, bytearray(64), 64, 0) == SOCKET_ERROR
    assert err(w.bapi) == ws.WSAECONNRESET


def test_linger_returns_when_data_is_gone(w: World) -> None:
    """SPI-FACTS 3.7 point 6: "waits ... until data sent or timeout" -- the peer drains
    after 2 virtual seconds: a blocking close with l_linger 10 returns then (not at 10),
    and the close was graceful (all data, then 0)."""
    c, srv = tcp_pair(w)
    set_int(w.bapi, srv, ws.SO_RCVBUF, 1024)
    total = fill(w.api, c, 512)
    assert w.api.ioctlsocket(c, ws.FIONBIO, ctypes.c_ulong(0)) == 0
    set_linger(w.api, c, 1, 10)
    nonblocking(w.bapi, srv)
    received = bytearray()

    def peer_reads() -> None:
        buf = bytearray(4096)
        while True:
            n = w.bapi.recv(srv, buf, len(buf), 0)
            if n <= 0:
                return
            received.extend(buf[:n])

    t0 = w.sim.now
    w.sim.call_later(2, peer_reads)
    assert w.api.closesocket(c) == 0
    assert w.sim.now == t0 + 2
    data, rc = drain(w.bapi, srv)
    assert rc == 0 and len(received) + len(data) == total


def test_nonblocking_linger_wouldblock_keeps_the_handle(w: World) -> None:
    """SPI-FACTS 3.7 point 6: a nonblocking socket with SO_LINGER l_linger > 0 "fails with
    WSAEWOULDBLOCK if it cannot complete immediately; socket handle stays valid and no
    disconnect is initiated; client must call again" -- the call keeps failing while data
    is unsent, the socket stays usable, the peer sees no FIN; once the peer has taken
    the data the close succeeds gracefully."""
    c, srv = tcp_pair(w)
    set_int(w.bapi, srv, ws.SO_RCVBUF, 1024)
    total = fill(w.api, c, 512)
    set_linger(w.api, c, 1, 5)
    t0 = w.sim.now
    for _ in range(2):
        assert w.api.closesocket(c) == SOCKET_ERROR
        assert err(w.api) == ws.WSAEWOULDBLOCK
    assert w.sim.now == t0
    assert c in w.api.sockets and sock_of(w, c).state is S.CONNECTED
    assert local_port(w.api, c) > 0
    assert get_linger(w.api, c) == (1, 5)
    nonblocking(w.bapi, srv)
    got = bytearray()
    buf = bytearray(4096)
    while (n := w.bapi.recv(srv, buf, len(buf), 0)) > 0:
        got += buf[:n]
    assert err(w.bapi) == ws.WSAEWOULDBLOCK  # all data read, and no FIN came
    assert len(got) == total
    assert w.api.closesocket(c) == 0
    assert w.bapi.recv(srv, buf, len(buf), 0) == 0


def test_nonblocking_linger_wouldblock_then_abort(w: World) -> None:
    """SPI-FACTS 3.7 point 6: after WSAEWOULDBLOCK the client "must call again -- which
    keeps failing unless it disables linger/sets zero timeout" -- with l_linger set to 0
    the next close succeeds abortively (the peer gets WSAECONNRESET)."""
    c, srv = tcp_pair(w)
    set_int(w.bapi, srv, ws.SO_RCVBUF, 1024)
    fill(w.api, c, 512)
    set_linger(w.api, c, 1, 5)
    assert w.api.closesocket(c) == SOCKET_ERROR and err(w.api) == ws.WSAEWOULDBLOCK
    set_linger(w.api, c, 1, 0)
    assert w.api.closesocket(c) == 0
    assert w.bapi.recv(srv, bytearray(8), 8, 0) == SOCKET_ERROR
    assert err(w.bapi) == ws.WSAECONNRESET


def test_so_dontlinger_views_l_onoff(w: World) -> None:
    """SPI-FACTS 3.7 point 7: "SO_DONTLINGER is a BOOL view of !l_onoff; enabling one
    disables the other; if SO_LINGER is re-enabled via SO_DONTLINGER=FALSE the previously
    set timeout should be reinstated" -- and SO_DONTLINGER TRUE is the default
    (SPI-FACTS 3.6 WSPGetSockOpt)."""
    s = tcp(w.api)
    assert get_int(w.api, s, ws.SO_DONTLINGER) == 1
    set_linger(w.api, s, 1, 7)
    assert get_int(w.api, s, ws.SO_DONTLINGER) == 0
    set_int(w.api, s, ws.SO_DONTLINGER, 1)
    assert get_linger(w.api, s)[0] == 0
    set_int(w.api, s, ws.SO_DONTLINGER, 0)
    assert get_linger(w.api, s) == (1, 7)


def test_so_dontlinger_close_is_graceful_and_never_wouldblock(w: World) -> None:
    """SPI-FACTS 3.7 point 6: "SO_DONTLINGER ... graceful, in background ... returns at
    once, never WSAEWOULDBLOCK" -- a nonblocking socket whose SO_LINGER {1, 0} was
    turned off with SO_DONTLINGER closes gracefully: the peer gets every byte, then 0."""
    c, srv = tcp_pair(w)
    set_int(w.bapi, srv, ws.SO_RCVBUF, 1024)
    set_linger(w.api, c, 1, 0)
    set_int(w.api, c, ws.SO_DONTLINGER, 1)
    total = fill(w.api, c, 512)
    assert sock_of(w, c).ep.unsent() > 0
    assert w.api.closesocket(c) == 0
    data, rc = drain(w.bapi, srv)
    assert (len(data), rc) == (total, 0)


def test_closesocket_of_unconnected_sockets(w: World) -> None:
    """Seed 004: "The switch calls the SAN service provider's WSPCloseSocket function only
    for a hard close" -- with nothing to flush (listening, bound or UDP sockets, or
    lingering sockets without unsent data) closesocket goes straight to the hard close,
    without waiting, even with SO_LINGER {1, 5} on a blocking socket."""
    lst, _ = listener(w.api)
    s = udp(w.api)
    c, srv = tcp_pair(w)
    set_linger(w.api, c, 1, 5)
    t0 = w.sim.now
    for h in (lst, s, c):
        assert w.api.closesocket(h) == 0
        assert h not in w.spi.table
    assert w.sim.now == t0
    assert drain(w.bapi, srv) == (b"", 0)
