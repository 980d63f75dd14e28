"""Seed sentences about *who calls what* (the switch, the provider, the upcalls),
checked through the trace: the order and nesting of calls is the behaviour."""

from __future__ import annotations

import ctypes

import wsspi_sim as ws
from wsspi_sim.trace import Tracer


def _world(trace: bool = True) -> tuple[ws.Simulator, ws.Host, ws.Host]:
    sim = ws.Simulator(trace=trace)
    a = sim.add_host("10.0.0.1")
    b = sim.add_host("10.0.0.2")
    for h in (a, b):
        assert h.ws2.WSAStartup(0x0202, ws.WSADATA()) == 0
    return sim, a, b


def _connect(a: ws.Host, b: ws.Host, port: int = 80) -> tuple[int, int]:
    api, srv = a.ws2, b.ws2
    lst = srv.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP)
    assert srv.bind(lst, ws.sockaddr("10.0.0.2", port), 16) == 0
    assert srv.listen(lst, 5) == 0
    c = api.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP)
    assert api.connect(c, ws.sockaddr("10.0.0.2", port), 16) == 0
    s = srv.accept(lst, None, None)
    assert s != ws.INVALID_SOCKET
    return c, s


def _tracer(sim: ws.Simulator) -> Tracer:
    assert sim.tracer is not None
    return sim.tracer


def test_recv_disconnect_network_down() -> None:
    """Seed 003 error table: "WSAENETDOWN The network subsystem has failed." -- with
    the host's network down (fault injection), WSPRecvDisconnect fails with it in
    lpErrno and reception stays enabled once the network is back."""
    sim, a, b = _world()
    c, s = _connect(a, b)
    sim.faults.network_down(b)
    errno = ctypes.c_int()
    assert b.provider.WSPRecvDisconnect(s, None, errno) == ws.SOCKET_ERROR
    assert errno.value == ws.WSAENETDOWN
    sim.faults.network_up(b)
    assert a.ws2.send(c, b"x", 1, 0) == 1
    assert b.ws2.recv(s, bytearray(4), 4, 0) == 1


def test_close_network_down() -> None:
    """Seed 004 return codes: "WSAENETDOWN Network subsystem failed." -- with the
    host's network down, WSPCloseSocket fails with it in lpErrno."""
    sim, a, b = _world()
    c, _s = _connect(a, b)
    sim.faults.network_down(a)
    errno = ctypes.c_int()
    assert a.provider.WSPCloseSocket(c, errno) == ws.SOCKET_ERROR
    assert errno.value == ws.WSAENETDOWN


def test_provider_close_never_wouldblock_nor_inprogress() -> None:
    """Seed 004: "Note that a SAN service provider does not support the following
    error codes for WSPCloseSocket:" WSAEINPROGRESS ("The Windows Sockets switch
    never issues cancel blocking calls ...") and WSAEWOULDBLOCK ("The Windows
    Sockets switch handles graceful disconnect.") -- the provider's close of a
    nonblocking socket lingering {1, 5} with unsent data succeeds at once (a hard
    close), where the switch's closesocket fails WSAEWOULDBLOCK."""
    sim, a, b = _world()
    api, srv = a.ws2, b.ws2
    lst = srv.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP)
    srv.setsockopt(lst, ws.SOL_SOCKET, ws.SO_RCVBUF, (8).to_bytes(4, "little"), 4)
    srv.bind(lst, ws.sockaddr("10.0.0.2", 90), 16)
    srv.listen(lst, 1)
    c = api.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP)
    api.connect(c, ws.sockaddr("10.0.0.2", 90), 16)
    srv.accept(lst, None, None)
    assert api.send(c, b"x" * 64, 64, 0) == 64
    api.setsockopt(c, ws.SOL_SOCKET, ws.SO_LINGER, ws.linger(1, 5).pack(), 4)
    assert api.ioctlsocket(c, ws.FIONBIO, ctypes.c_ulong(1)) == 0
    assert api.closesocket(c) == ws.SOCKET_ERROR and api.WSAGetLastError() == ws.WSAEWOULDBLOCK
    before = sim.now
    errno = ctypes.c_int()
    assert a.provider.WSPCloseSocket(c, errno) == 0
    assert sim.now == before and errno.value not in (ws.WSAEWOULDBLOCK, ws.WSAEINPROGRESS)


def test_switch_never_calls_wspcancelblockingcall() -> None:
    """Seed 004: "The Windows Sockets switch never issues cancel blocking calls to a
    SAN service provider." -- a blocking receive ended by a close (from a
    virtual-time timer during the wait) returns WSAEINTR, and the trace holds no
    WSPCancelBlockingCall at all."""
    sim, a, b = _world()
    c, _s = _connect(a, b)
    api = a.ws2
    sim.call_later(1.0, lambda: api.closesocket(c))
    assert api.recv(c, bytearray(4), 4, 0) == ws.SOCKET_ERROR
    assert api.WSAGetLastError() == ws.WSAEINTR
    tr = _tracer(sim)
    assert tr.calls(name="WSPCloseSocket")  # the close did happen, during the receive
    assert tr.calls(name="WSPCancelBlockingCall") == []


def test_switch_handles_graceful_disconnect_then_calls_wspclosesocket() -> None:
    """Seed 004: "The Windows Sockets switch fully implements the semantics required
    by graceful disconnect ..." and "The Windows Sockets switch calls a SAN service
    provider's WSPCloseSocket function to release a socket." -- closesocket on a
    connected socket issues WSPShutdown(SD_SEND) first (the graceful part, done by
    the switch) and then exactly one WSPCloseSocket, both through the proc table
    and nested inside closesocket; the peer reads its data, then 0."""
    sim, a, b = _world()
    c, s = _connect(a, b)
    api = a.ws2
    api.send(c, b"bye", 3, 0)
    tr = _tracer(sim)
    mark = tr.mark()
    assert api.closesocket(c) == 0
    close = next(e for e in tr.since(mark) if e.name == "closesocket")
    spis = [e for e in tr.children(close) if e.kind == "spi"]
    assert [e.name for e in spis] == ["WSPShutdown", "WSPCloseSocket"]
    assert spis[0].args is not None and spis[0].args["how"] == ws.SD_SEND
    assert not any(e.fields.get("direct") for e in spis)
    buf = bytearray(8)
    assert b.ws2.recv(s, buf, 8, 0) == 3 and b.ws2.recv(s, buf, 8, 0) == 0


def test_hard_close_only_when_asked_for() -> None:
    """Seed 004: "The switch calls the SAN service provider's WSPCloseSocket function
    only for a hard close on the socket" -- with SO_LINGER {1, 0} closesocket goes
    straight to WSPCloseSocket (no WSPShutdown first) and the peer is reset."""
    sim, a, b = _world()
    c, s = _connect(a, b)
    api = a.ws2
    api.setsockopt(c, ws.SOL_SOCKET, ws.SO_LINGER, ws.linger(1, 0).pack(), 4)
    tr = _tracer(sim)
    mark = tr.mark()
    assert api.closesocket(c) == 0
    close = next(e for e in tr.since(mark) if e.name == "closesocket")
    assert [e.name for e in tr.children(close) if e.kind == "spi"] == ["WSPCloseSocket"]
    assert b.ws2.recv(s, bytearray(8), 8, 0) == ws.SOCKET_ERROR
    assert b.ws2.WSAGetLastError() == ws.WSAECONNRESET


def test_completion_upcall_gets_the_callers_overlapped() -> None:
    """Seed 004: "In this call, the SAN service provider passes a pointer to a
    WSAOVERLAPPED structure for the overlapped operation." -- the
    WPUCompleteOverlappedRequest upcall made by the hard close carries the very
    WSAOVERLAPPED the caller passed to WSARecv, with WSA_OPERATION_ABORTED."""
    sim, a, b = _world()
    c, _s = _connect(a, b)
    api = a.ws2
    ov = ws.WSAOVERLAPPED(hEvent=api.WSACreateEvent())
    api.WSARecv(c, [ws.WSABUF(8, bytearray(8))], 1, ctypes.c_ulong(), ctypes.c_ulong(), ov, None)
    tr = _tracer(sim)
    assert a.provider.WSPCloseSocket(c, ctypes.c_int()) == 0
    (up,) = tr.calls(name="WPUCompleteOverlappedRequest")
    assert up.args is not None
    assert up.args["lpOverlapped"] == f"OVERLAPPED#{tr.object_no(ov)}"
    assert up.args["dwError"] == ws.WSA_OPERATION_ABORTED and up.args["s"] == c
