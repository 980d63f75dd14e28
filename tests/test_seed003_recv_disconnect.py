"""Seed 003 (WSPRecvDisconnect): every behaviour sentence, checked through the
provider (``host.provider.WSPRecvDisconnect(s, buf, errno)``) and through the
switch (``api.WSARecvDisconnect(s, buf)``), in both profiles (the seed's rules
are the same in "documented" and "windows")."""

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
    drain,
    err,
    fill,
    fionread,
    get_int,
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

VIAS = ("spi", "api")


@pytest.fixture(params=PROFILES)
def w(request: pytest.FixtureRequest) -> World:
    return world(request.param)


@pytest.fixture(params=VIAS)
def via(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def recv_disconnect(via: str, api: Any, s: int, buf: Any = None) -> tuple[int, int]:
    """WSPRecvDisconnect (via "spi") or WSARecvDisconnect (via "api"): (rc, error)."""
    if via == "spi":
        e = ctypes.c_int(0)
        rc = api.host.provider.WSPRecvDisconnect(s, buf, e)
        return int(rc), int(e.value)
    rc = api.WSARecvDisconnect(s, buf)
    return int(rc), (err(api) if rc == SOCKET_ERROR else 0)


def wsarecv(api: Any, s: int, size: int = 16) -> tuple[int, int]:
    got = ctypes.c_ulong()
    rc = api.WSARecv(s, [ws.WSABUF(size, bytearray(size))], 1, got, ctypes.c_ulong(), None, None)
    return int(rc), (err(api) if rc == SOCKET_ERROR else 0)


def spi_recv(provider: Any, s: int, size: int = 16) -> tuple[int, int]:
    e = ctypes.c_int(0)
    rc = provider.WSPRecv(s, [ws.WSABUF(size, bytearray(size))], 1, ctypes.c_ulong(), ctypes.c_ulong(), None, None, None, e)
    return int(rc), int(e.value)


# -- return value and "subsequent receives ... disallowed" ---------------------------


def test_tcp_receives_are_disallowed_after_success(w: World, via: str) -> None:
    """Seed 003: "If no error occurs, WSPRecvDisconnect returns zero." and "After this
    function has been successfully issued, subsequent receives on the socket will be
    disallowed." -- recv, WSARecv (plain and overlapped) and WSPRecv all fail
    WSAESHUTDOWN, even with data waiting."""
    c, srv = tcp_pair(w)
    assert w.api.send(c, b"early", 5, 0) == 5
    assert recv_disconnect(via, w.bapi, srv) == (0, 0)
    buf = bytearray(16)
    for _ in range(2):
        assert w.bapi.recv(srv, buf, 16, 0) == SOCKET_ERROR
        assert err(w.bapi) == ws.WSAESHUTDOWN
    assert wsarecv(w.bapi, srv) == (SOCKET_ERROR, ws.WSAESHUTDOWN)
    assert spi_recv(w.bspi, srv) == (SOCKET_ERROR, ws.WSAESHUTDOWN)
    ov = ws.WSAOVERLAPPED(hEvent=w.bapi.WSACreateEvent())
    rc = w.bapi.WSARecv(srv, [ws.WSABUF(16, buf)], 1, ctypes.c_ulong(), ctypes.c_ulong(), ov, None)
    assert (rc, err(w.bapi)) == (SOCKET_ERROR, ws.WSAESHUTDOWN)
    assert buf == bytearray(16)  # nothing was delivered


def test_udp_receives_are_disallowed_after_success(w: World, via: str) -> None:
    """Seed 003: "After this function has been successfully issued, subsequent receives
    on the socket will be disallowed." -- on a UDP socket recvfrom and WSPRecvFrom fail
    WSAESHUTDOWN although datagrams are queued."""
    s, r, port = udp_pair(w)
    assert w.api.sendto(s, b"dgram", 5, 0, ws.sockaddr("10.0.0.2", port), 16) == 5
    assert recv_disconnect(via, w.bapi, r) == (0, 0)
    buf = bytearray(16)
    assert w.bapi.recvfrom(r, buf, 16, 0, None, None) == SOCKET_ERROR
    assert err(w.bapi) == ws.WSAESHUTDOWN
    assert spi_recv(w.bspi, r) == (SOCKET_ERROR, ws.WSAESHUTDOWN)


# -- "no effect on the lower protocol layers" --------------------------------------------


def test_no_effect_on_lower_layers(w: World, via: str) -> None:
    """Seed 003: "This has no effect on the lower protocol layers." -- nothing reaches
    the peer: no FIN (its receive would block), no RST, no FD_CLOSE; both directions
    of the connection keep carrying data at the transport level."""
    c, srv = tcp_pair(w)
    ev = w.api.WSACreateEvent()
    assert w.api.WSAEventSelect(c, ev, ws.FD_READ | ws.FD_CLOSE) == 0
    ne = ws.WSANETWORKEVENTS()
    assert w.api.WSAEnumNetworkEvents(c, ev, ne) == 0
    assert recv_disconnect(via, w.bapi, srv) == (0, 0)
    ne = ws.WSANETWORKEVENTS()
    assert w.api.WSAEnumNetworkEvents(c, ev, ne) == 0
    assert ne.lNetworkEvents & ws.FD_CLOSE == 0
    assert not signalled(w.api, ev)
    buf = bytearray(8)
    assert w.api.recv(c, buf, 8, 0) == SOCKET_ERROR and err(w.api) == ws.WSAEWOULDBLOCK
    assert sock_of(w, c).state is S.CONNECTED
    assert w.api.send(c, b"more", 4, 0) == 4  # accepted by the transport
    assert fionread(w.bapi, srv) == 4
    assert w.bapi.send(srv, b"back", 4, 0) == 4  # the other direction still works
    assert w.api.recv(c, buf, 8, 0) == 4 and buf[:4] == b"back"


# -- TCP window / UDP queueing -------------------------------------------------------------


def test_tcp_window_unchanged_and_data_accepted_until_exhausted(w: World, via: str) -> None:
    """Seed 003: "For TCP, the TCP window is not changed and incoming data will be
    accepted (but not acknowledged) until the window is exhausted." -- SO_RCVBUF reads
    the same after the call; the sender keeps sending until SO_RCVBUF + SO_SNDBUF bytes
    are buffered, then its nonblocking send fails WSAEWOULDBLOCK; FIONREAD on the
    receiver counts the accepted bytes.  (Acknowledgements are not modelled: the
    transport has zero latency, so "not acknowledged" has no visible effect.)"""
    c, srv = tcp_pair(w)
    set_int(w.bapi, srv, ws.SO_RCVBUF, 8192)
    set_int(w.api, c, ws.SO_SNDBUF, 4096)
    assert recv_disconnect(via, w.bapi, srv) == (0, 0)
    assert get_int(w.bapi, srv, ws.SO_RCVBUF) == 8192
    total = fill(w.api, c, 1000)
    assert total == 8192 + 4096
    assert fionread(w.bapi, srv) == 8192
    assert sock_of(w, c).state is S.CONNECTED


@pytest.mark.parametrize("connected", [False, True], ids=["unconnected", "connected"])
def test_udp_datagrams_accepted_and_queued(w: World, via: str, connected: bool) -> None:
    """Seed 003: "For UDP, incoming datagrams are accepted and queued." -- FIONREAD on
    the receiver grows with every datagram sent after the call (a UDP socket needs no
    connection: WSAENOTCONN is for connection-oriented sockets only)."""
    s, r, port = udp_pair(w)
    if connected:
        assert w.bapi.connect(r, ws.sockaddr("10.0.0.1", local_port_after_send(w, s, port)), 16) == 0
    assert recv_disconnect(via, w.bapi, r) == (0, 0)
    queued = fionread(w.bapi, r)
    for size in (10, 20, 30):
        assert w.api.sendto(s, bytes(size), size, 0, ws.sockaddr("10.0.0.2", port), 16) == size
        assert fionread(w.bapi, r) == queued + size
        queued += size


def local_port_after_send(w: World, s: int, port: int) -> int:
    """Auto-bind the sender (one datagram, drained by the receiver) and return its port."""
    assert w.api.sendto(s, b"x", 1, 0, ws.sockaddr("10.0.0.2", port), 16) == 1
    return local_port(w.api, s)


# -- "In no case will an ICMP error packet be generated" -----------------------------------


def test_no_icmp_error_for_udp_sender(w: World, via: str) -> None:
    """Seed 003: "In no case will an ICMP error packet be generated." -- the UDP sender
    never learns of the receiver's disconnect: its sends succeed (also once the
    receiver's buffer is full and datagrams are dropped), its receive would block
    instead of failing WSAECONNRESET (Windows' port-unreachable report), SO_ERROR is 0."""
    s, r, port = udp_pair(w)
    set_int(w.bapi, r, ws.SO_RCVBUF, 100)
    assert recv_disconnect(via, w.bapi, r) == (0, 0)
    to = ws.sockaddr("10.0.0.2", port)
    for _ in range(5):  # 5 x 40 bytes > 100: the last ones are dropped
        assert w.api.sendto(s, bytes(40), 40, 0, to, 16) == 40
    assert fionread(w.bapi, r) == 80
    nonblocking(w.api, s)
    assert w.api.recvfrom(s, bytearray(64), 64, 0, None, None) == SOCKET_ERROR
    assert err(w.api) == ws.WSAEWOULDBLOCK
    assert get_int(w.api, s, ws.SO_ERROR) == 0


def test_no_error_for_tcp_sender(w: World, via: str) -> None:
    """Seed 003: "In no case will an ICMP error packet be generated." -- the TCP sender
    of a receiver that has disconnected reception sees flow control only
    (WSAEWOULDBLOCK), never a reset or an abort; SO_ERROR stays 0."""
    c, srv = tcp_pair(w)
    assert recv_disconnect(via, w.bapi, srv) == (0, 0)
    fill(w.api, c, 4096)
    for _ in range(3):
        assert w.api.send(c, b"x", 1, 0) == SOCKET_ERROR
        assert err(w.api) == ws.WSAEWOULDBLOCK
    assert w.api.recv(c, bytearray(4), 4, 0) == SOCKET_ERROR and err(w.api) == ws.WSAEWOULDBLOCK
    assert get_int(w.api, c, ws.SO_ERROR) == 0
    assert sock_of(w, c).state is S.CONNECTED


# -- the socket stays open ---------------------------------------------------------------------


def test_does_not_close_the_socket(w: World, via: str) -> None:
    """Seed 003: "Note that WSPRecvDisconnect does not close the socket" -- the handle
    stays valid at the provider and the switch: send, getsockname, getpeername and
    setsockopt keep working."""
    c, srv = tcp_pair(w)
    assert recv_disconnect(via, w.bapi, srv) == (0, 0)
    assert srv in w.bspi.table and srv in w.bapi.sockets
    assert w.bapi.send(srv, b"still", 5, 0) == 5
    buf = bytearray(8)
    assert w.api.recv(c, buf, 8, 0) == 5 and buf[:5] == b"still"
    name = bytearray(16)
    n = ctypes.c_int(16)
    assert w.bapi.getsockname(srv, name, n) == 0
    assert ws.parse_sockaddr(bytes(name))[1] == "10.0.0.2"
    n = ctypes.c_int(16)
    assert w.bapi.getpeername(srv, name, n) == 0
    assert ws.parse_sockaddr(bytes(name))[1] == "10.0.0.1"
    set_int(w.bapi, srv, ws.SO_KEEPALIVE, 1)


@pytest.mark.parametrize("kind", ["tcp", "udp"])
def test_resources_kept_until_close(w: World, via: str, kind: str) -> None:
    """Seed 003: "resources attached to the socket will not be freed until
    WSPCloseSocket is invoked." -- after the call the socket still owns its port
    (another bind fails WSAEADDRINUSE) and its queued data; after WSPCloseSocket the
    port is free again."""
    api = w.api
    if kind == "tcp":
        lst, lport = listener(w.bapi)
        s = tcp(api)
        assert bind(api, s, "10.0.0.1", 0) == 0
        assert api.connect(s, ws.sockaddr("10.0.0.2", lport), 16) == 0
        peer = w.bapi.accept(lst, None, None)
        assert w.bapi.send(peer, b"queued", 6, 0) == 6
    else:
        s = udp(api)
        assert bind(api, s, "10.0.0.1", 0) == 0
        peer = udp(w.bapi)
        assert w.bapi.sendto(peer, b"queued", 6, 0, ws.sockaddr("10.0.0.1", local_port(api, s)), 16) == 6
    port = local_port(api, s)
    assert recv_disconnect(via, api, s) == (0, 0)
    assert fionread(api, s) == 6
    other = tcp(api) if kind == "tcp" else udp(api)
    assert bind(api, other, "10.0.0.1", port) == SOCKET_ERROR
    assert err(api) == ws.WSAEADDRINUSE
    e = ctypes.c_int()
    assert w.spi.WSPCloseSocket(s, e) == 0
    assert bind(api, other, "10.0.0.1", port) == 0, err(api)


# -- never blocks ----------------------------------------------------------------------------------


def test_does_not_block_regardless_of_linger(w: World, via: str) -> None:
    """Seed 003: "WSPRecvDisconnect does not block regardless of the SO_LINGER setting
    on the socket." -- with SO_LINGER {1, 5} and unsent data (the peer's window is
    full) on a blocking socket, virtual time does not move; closesocket on the same
    socket then does wait the 5 seconds (so the linger setting was live)."""
    c, srv = tcp_pair(w)
    set_int(w.api, c, ws.SO_RCVBUF, 1024)
    set_int(w.bapi, srv, ws.SO_SNDBUF, 1024)
    fill(w.bapi, srv, 512)
    assert w.bapi.ioctlsocket(srv, ws.FIONBIO, ctypes.c_ulong(0)) == 0  # blocking again
    set_linger(w.bapi, srv, 1, 5)
    t0 = w.sim.now
    assert recv_disconnect(via, w.bapi, srv) == (0, 0)
    assert w.sim.now == t0
    assert w.bapi.closesocket(srv) == 0
    assert w.sim.now == t0 + 5


# -- WSPConnect afterwards ---------------------------------------------------------------------------


def test_connect_after_recv_disconnect_tcp(w: World, via: str) -> None:
    """Seed 003: "a Windows Sockets provider is not required to support the use of
    WSPConnect on such a socket." -- our choice (docs/design-choices.md): the TCP
    socket is still connected, so WSPConnect fails WSAEISCONN and changes nothing."""
    c, srv = tcp_pair(w)
    assert recv_disconnect(via, w.api, c) == (0, 0)
    lst, port = listener(w.bapi)
    assert w.api.connect(c, ws.sockaddr("10.0.0.2", port), 16) == SOCKET_ERROR
    assert err(w.api) == ws.WSAEISCONN
    assert sock_of(w, c).state is S.RECV_SHUT
    assert w.api.send(c, b"ok", 2, 0) == 2


def test_connect_after_recv_disconnect_udp(w: World, via: str) -> None:
    """Seed 003: "A Windows Sockets SPI client should not rely on being able to reuse a
    socket after it has been WSPRecvDisconnected." -- our choice for UDP: WSPConnect
    still sets the default peer (send works, getpeername reports it) but reception
    stays disabled (WSAESHUTDOWN)."""
    s, r, port = udp_pair(w)
    assert recv_disconnect(via, w.api, s) == (0, 0)
    assert w.api.connect(s, ws.sockaddr("10.0.0.2", port), 16) == 0
    assert w.api.send(s, b"hi", 2, 0) == 2
    assert fionread(w.bapi, r) == 2
    name = bytearray(16)
    assert w.api.getpeername(s, name, ctypes.c_int(16)) == 0
    assert ws.parse_sockaddr(bytes(name))[1:] == ("10.0.0.2", port)
    assert w.api.recv(s, bytearray(4), 4, 0) == SOCKET_ERROR and err(w.api) == ws.WSAESHUTDOWN


# -- error codes --------------------------------------------------------------------------------------


def test_enotsock(w: World, via: str) -> None:
    """Seed 003 error table: "WSAENOTSOCK  The descriptor is not a socket." -- a value
    that was never a handle, and a handle already closed."""
    s = tcp(w.api)
    assert w.api.closesocket(s) == 0
    for bad in (0xDEAD0, s):
        assert recv_disconnect(via, w.api, bad) == (SOCKET_ERROR, ws.WSAENOTSOCK)


def test_enotconn_unconnected_tcp(w: World, via: str) -> None:
    """Seed 003 error table: "WSAENOTCONN  Socket is not connected (connection-oriented
    sockets only)." -- created, bound, listening, connecting, and refused TCP sockets."""
    api = w.api
    fresh = tcp(api)
    bound = tcp(api)
    assert bind(api, bound) == 0
    listening, _ = listener(api)
    connecting = tcp(api)
    nonblocking(api, connecting)
    assert api.connect(connecting, ws.sockaddr(BLACK_HOLE, 80), 16) == SOCKET_ERROR
    refused = tcp(api)
    assert api.connect(refused, ws.sockaddr("10.0.0.2", 9), 16) == SOCKET_ERROR
    assert err(api) == ws.WSAECONNREFUSED
    for s in (fresh, bound, listening, connecting, refused):
        before = sock_of(w, s).state
        assert recv_disconnect(via, api, s) == (SOCKET_ERROR, ws.WSAENOTCONN)
        assert sock_of(w, s).state is before


@pytest.mark.parametrize(
    "buf",
    [ws.WSABUF(-1, bytearray(8)), ws.WSABUF(100, bytearray(10)), ws.WSABUF(8, None)],
    ids=["negative-len", "len-beyond-buffer", "null-buf"],
)
def test_efault_malformed_wsabuf(w: World, via: str, buf: ws.WSABUF) -> None:
    """Seed 003 error table: "WSAEFAULT  Buffer referenced by the parameter
    lpInboundDisconnectData is too small." -- a WSABUF whose len is negative or larger
    than its buffer (or whose buffer is NULL) fails, and reception stays enabled."""
    c, srv = tcp_pair(w)
    assert recv_disconnect(via, w.bapi, srv, buf) == (SOCKET_ERROR, ws.WSAEFAULT)
    assert w.api.send(c, b"abc", 3, 0) == 3
    assert w.bapi.recv(srv, bytearray(8), 8, 0) == 3


@pytest.mark.parametrize("kind", ["tcp", "udp"])
def test_enoprotoopt_disconnect_data(w: World, via: str, kind: str) -> None:
    """Seed 003 error table: "WSAENOPROTOOPT  Disconnect data is not supported by the
    indicated protocol family." -- TCP/IP has no disconnect data (no
    XP1_DISCONNECT_DATA), so a non-NULL lpInboundDisconnectData fails and reception
    stays enabled."""
    srv = tcp_pair(w)[1] if kind == "tcp" else udp_pair(w)[1]
    info = bytearray(ws.sizeof(ws.WSAPROTOCOL_INFOW))
    n = ctypes.c_int(len(info))
    assert w.bapi.getsockopt(srv, ws.SOL_SOCKET, ws.SO_PROTOCOL_INFOW, info, n) == 0
    assert ws.WSAPROTOCOL_INFOW.unpack(bytes(info)).dwServiceFlags1 & ws.XP1_DISCONNECT_DATA == 0
    buf = ws.WSABUF(16, bytearray(16))
    assert recv_disconnect(via, w.bapi, srv, buf) == (SOCKET_ERROR, ws.WSAENOPROTOOPT)
    assert sock_of(w, srv, w.b).state is not S.RECV_SHUT


def test_no_einprogress_while_a_call_blocks(w: World, via: str) -> None:
    """Seed 003 error table: "WSAEINPROGRESS  Blocking Windows Sockets call is in
    progress" -- WinSock 1.1 blocking hooks are not modelled: the call succeeds while a
    receive on the same socket is blocked (made from a virtual-time timer that fires
    during that receive, so the order is deterministic; docs/design-choices.md).  The
    receive blocked before the call is not cancelled: it still gets the data that
    arrives (as W48 shows for shutdown(SD_RECEIVE))."""
    c, srv = tcp_pair(w)
    results: list[tuple[int, int]] = []

    def meanwhile() -> None:
        assert w.sim._blocked  # the receive below is waiting
        results.append(recv_disconnect(via, w.bapi, srv))
        assert w.api.send(c, b"late", 4, 0) == 4

    w.sim.call_later(1.0, meanwhile)
    buf = bytearray(16)
    assert w.bapi.recv(srv, buf, 16, 0) == 4
    assert buf[:4] == b"late" and w.sim.now == 1.0
    assert results == [(0, 0)]
    assert w.bapi.recv(srv, buf, 16, 0) == SOCKET_ERROR and err(w.bapi) == ws.WSAESHUTDOWN


# -- how a client learns that the circuit closed -----------------------------------------------------


def test_fd_close_reports_the_closed_circuit(w: World, via: str) -> None:
    """Seed 003: "a Windows Sockets SPI client must use other mechanisms to determine
    that the circuit has been closed. For example, a client needs to receive an FD_CLOSE
    notification" -- FD_CLOSE (error 0) is recorded when the peer closes gracefully,
    even though data that arrived can no longer be read."""
    c, srv = tcp_pair(w)
    ev = w.bapi.WSACreateEvent()
    assert w.bapi.WSAEventSelect(srv, ev, ws.FD_CLOSE) == 0
    assert recv_disconnect(via, w.bapi, srv) == (0, 0)
    assert w.api.send(c, b"unread", 6, 0) == 6
    assert w.api.closesocket(c) == 0
    assert signalled(w.bapi, ev)
    ne = ws.WSANETWORKEVENTS()
    assert w.bapi.WSAEnumNetworkEvents(srv, ev, ne) == 0
    assert ne.lNetworkEvents & ws.FD_CLOSE and ne.iErrorCode[ws.FD_CLOSE_BIT] == 0


def test_fd_close_recorded_before_the_call_is_released_by_it(w: World, via: str) -> None:
    """Seed 003: "a client needs to receive an FD_CLOSE notification" -- when the
    peer's FIN came while unread data was queued, the disconnect makes that data
    unreadable, so FD_CLOSE is reported at once (otherwise it could never be)."""
    c, srv = tcp_pair(w)
    ev = w.bapi.WSACreateEvent()
    assert w.bapi.WSAEventSelect(srv, ev, ws.FD_CLOSE) == 0
    assert w.api.send(c, b"unread", 6, 0) == 6
    assert w.api.shutdown(c, ws.SD_SEND) == 0
    assert recv_disconnect(via, w.bapi, srv) == (0, 0)
    ne = ws.WSANETWORKEVENTS()
    assert w.bapi.WSAEnumNetworkEvents(srv, ev, ne) == 0
    assert ne.lNetworkEvents & ws.FD_CLOSE


def test_zero_return_reports_the_closed_circuit(w: World, via: str) -> None:
    """Seed 003: "or get a zero return value ... from WSPRecv" -- a receive posted
    before the disconnect stays pending and completes successfully with 0 bytes when the
    peer closes gracefully."""
    c, srv = tcp_pair(w)
    ov, _ = overlapped_recv(w.bapi, srv)
    assert recv_disconnect(via, w.bapi, srv) == (0, 0)
    assert ov.Internal == ws.WSS_OPERATION_IN_PROGRESS
    assert w.api.closesocket(c) == 0
    assert signalled(w.bapi, ov.hEvent)
    n, fl = ctypes.c_ulong(99), ctypes.c_ulong()
    assert w.bapi.WSAGetOverlappedResult(srv, ov, n, False, fl) == ws.TRUE
    assert n.value == 0


def test_wsaediscon_is_for_message_oriented_protocols(w: World, via: str) -> None:
    """Seed 003: "or a WSAEDISCON error code from WSPRecv." -- WSAEDISCON is how a
    message-oriented protocol reports a graceful close (SPI-FACTS 3.6).  TCP is a byte
    stream (no XP1_MESSAGE_ORIENTED) and reports it with a zero return; UDP is
    connectionless (XP1_CONNECTIONLESS), so there is no circuit to close.  So this
    provider never produces WSAEDISCON."""
    c, srv = tcp_pair(w)
    s, r, _ = udp_pair(w)
    flags = {}
    for api, h in ((w.api, c), (w.api, s)):
        info = bytearray(ws.sizeof(ws.WSAPROTOCOL_INFOW))
        assert api.getsockopt(h, ws.SOL_SOCKET, ws.SO_PROTOCOL_INFOW, info, ctypes.c_int(len(info))) == 0
        flags[h] = ws.WSAPROTOCOL_INFOW.unpack(bytes(info)).dwServiceFlags1
    assert flags[c] & ws.XP1_MESSAGE_ORIENTED == 0
    assert flags[s] & ws.XP1_CONNECTIONLESS
    assert w.bapi.send(srv, b"bye", 3, 0) == 3
    assert w.bapi.closesocket(srv) == 0
    assert drain(w.api, c) == (b"bye", 0)  # a zero return, not WSAEDISCON
