"""The socket API across both profiles: bind, listen, accept/WSAAccept,
connect/WSAConnect, datagram connect, the send/recv family, shutdown, options,
names, ioctls, IPv6, loopback, ephemeral ports and hermeticity.

Sources: SPI-FACTS 3.6 (documented error per call), 4.5 (ReactOS msafd
orders), 4.6 (ws2_32 wrappers), DESIGN 2 and 3, and the W-numbered cases of
WINDOWS-OBSERVED named in each docstring.  Close/linger, duplicates, startup,
seeds 003/004 and the state tables are covered by their own files."""

from __future__ import annotations

import ctypes
import socket as real_socket
import struct
import threading
import time
from typing import Any

import pytest
from sockapi_helpers import (
    PROFILES,
    bind,
    connect,
    err,
    getopt_int,
    listener,
    pair,
    peername,
    recv_all,
    set_nonblocking,
    setopt_int,
    sockname,
    tcp,
    udp,
    world,
)

import wsspi_sim as ws

INVALID = ws.INVALID_SOCKET
ERR = ws.SOCKET_ERROR
BLACK_HOLE = "10.9.9.9"


@pytest.fixture(params=PROFILES)
def env(request: pytest.FixtureRequest) -> tuple[ws.Simulator, ws.Host, Any]:
    return world(request.param)


@pytest.fixture(params=PROFILES)
def two(request: pytest.FixtureRequest) -> tuple[ws.Simulator, Any, Any]:
    """Two started hosts: A (10.0.0.1, fd00::1) and B (10.0.0.2, fd00::2)."""
    sim = ws.Simulator(profile=request.param)
    a = sim.add_host("10.0.0.1", "fd00::1")
    b = sim.add_host("10.0.0.2", "fd00::2")
    for h in (a, b):
        assert h.ws2.WSAStartup(0x0202, ws.WSADATA()) == 0
    return sim, a.ws2, b.ws2


def name_buf(size: int = 28) -> tuple[bytearray, ctypes.c_int]:
    return bytearray(size), ctypes.c_int(size)


# == bind ================================================================================


def test_bind_short_namelen_or_null_name_is_efault(env: Any) -> None:
    """SPI-FACTS 4.6: "bind: NULL name or namelen < 16 -> WSAEFAULT without calling
    the provider"; an IPv6 socket needs the 28-byte SOCKADDR_IN6 (SPI-FACTS 3.6:
    WSAEFAULT "namelen too small")."""
    api = env[2]
    s = tcp(api)
    name = ws.sockaddr("127.0.0.1", 0)
    assert api.bind(s, name, 15) == ERR and err(api) == ws.WSAEFAULT
    assert api.bind(s, None, 16) == ERR and err(api) == ws.WSAEFAULT
    s6 = tcp(api, ws.AF_INET6)
    name6 = ws.sockaddr("::1", 0)
    assert api.bind(s6, name6, 16) == ERR and err(api) == ws.WSAEFAULT
    assert api.bind(s6, name6, 28) == 0, err(api)


def test_bind_family_mismatch_is_efault(env: Any) -> None:
    """SPI-FACTS 3.6 (WSPBind: WSAEFAULT when "the name ... is not a valid part
    of the user address space ... or the address family does not match"): an
    IPv6 address on an IPv4 socket, and the reverse."""
    api = env[2]
    s4, s6 = tcp(api), udp(api, ws.AF_INET6)
    name6 = ws.sockaddr("::1", 0)
    assert api.bind(s4, name6, len(name6)) == ERR and err(api) == ws.WSAEFAULT
    name4 = ws.sockaddr("127.0.0.1", 0)
    assert api.bind(s6, name4, len(name4)) == ERR and err(api) == ws.WSAEFAULT


def test_bind_twice_is_einval(env: Any) -> None:
    """SPI-FACTS 3.6 / 4.5: "WSPBind: ... State != Open -> WSAEINVAL (already bound)"."""
    api = env[2]
    for s in (tcp(api), udp(api)):
        assert bind(api, s) == 0
        assert bind(api, s) == ERR and err(api) == ws.WSAEINVAL


def test_bind_in_use_and_not_available(env: Any) -> None:
    """SPI-FACTS 3.6 (WSPBind: WSAEADDRINUSE, WSAEADDRNOTAVAIL); Wine test_listen:
    a second bind to a bound (even not yet listening) address is WSAEADDRINUSE.
    TCP and UDP ports are separate spaces; an address the host does not own is
    WSAEADDRNOTAVAIL."""
    api = env[2]
    a = tcp(api)
    assert bind(api, a, "127.0.0.1", 0) == 0
    port = sockname(api, a)[2]
    b = tcp(api)
    assert bind(api, b, "127.0.0.1", port) == ERR and err(api) == ws.WSAEADDRINUSE
    assert bind(api, b, "0.0.0.0", port) == ERR and err(api) == ws.WSAEADDRINUSE
    u = udp(api)
    assert bind(api, u, "127.0.0.1", port) == 0, err(api)
    c = tcp(api)
    assert bind(api, c, "10.0.0.2", 0) == ERR and err(api) == ws.WSAEADDRNOTAVAIL
    assert bind(api, c, "10.0.0.1", port) == 0, err(api)  # another local address: no clash


def test_bind_reuseaddr_and_exclusiveaddruse(env: Any) -> None:
    """SPI-FACTS 1.8 / 3.6 with Windows' SO_EXCLUSIVEADDRUSE rules: SO_REUSEADDR
    lets a second socket bind a used port; a port held with SO_EXCLUSIVEADDRUSE
    refuses a SO_REUSEADDR binder with WSAEACCES (a plain one with
    WSAEADDRINUSE); the two options are exclusive on one socket (WSAEINVAL)."""
    api = env[2]
    a = udp(api)
    assert bind(api, a, "127.0.0.1", 0) == 0
    port = sockname(api, a)[2]
    b = udp(api)
    assert setopt_int(api, b, ws.SO_REUSEADDR, 1) == 0
    assert bind(api, b, "127.0.0.1", port) == 0, err(api)
    x = tcp(api)
    assert setopt_int(api, x, ws.SO_EXCLUSIVEADDRUSE, 1) == 0
    assert bind(api, x, "127.0.0.1", 0) == 0
    xport = sockname(api, x)[2]
    r = tcp(api)
    assert setopt_int(api, r, ws.SO_REUSEADDR, 1) == 0
    assert bind(api, r, "127.0.0.1", xport) == ERR and err(api) == ws.WSAEACCES
    p = tcp(api)
    assert bind(api, p, "127.0.0.1", xport) == ERR and err(api) == ws.WSAEADDRINUSE
    assert setopt_int(api, r, ws.SO_EXCLUSIVEADDRUSE, 1) == ERR and err(api) == ws.WSAEINVAL


def test_bind_port_zero_picks_an_ephemeral_port(env: Any) -> None:
    """Windows' dynamic port range (49152-65535): port 0 picks a free port in it,
    distinct for every socket, and getsockname reports it."""
    api = env[2]
    ports = set()
    for _ in range(5):
        s = tcp(api)
        assert bind(api, s, "0.0.0.0", 0) == 0
        fam, ip, port = sockname(api, s)
        assert (fam, ip) == (ws.AF_INET, "0.0.0.0")
        assert 49152 <= port <= 65535
        ports.add(port)
    assert len(ports) == 5


# == listen ===============================================================================


def test_listen_rules(env: Any) -> None:
    """SPI-FACTS 3.6 (WSPListen: WSAEINVAL not bound, WSAEISCONN connected,
    WSAEOPNOTSUPP for a datagram socket); 4.5 ("already listening -> returns 0");
    Wine test_listen: SO_ACCEPTCONN is 0 then 1, and is read-only
    (WSAENOPROTOOPT)."""
    api = env[2]
    s = tcp(api)
    assert api.listen(s, 5) == ERR and err(api) == ws.WSAEINVAL
    assert bind(api, s) == 0
    assert getopt_int(api, s, ws.SO_ACCEPTCONN) == 0
    assert api.listen(s, 0) == 0
    assert api.listen(s, ws.SOMAXCONN) == 0
    assert getopt_int(api, s, ws.SO_ACCEPTCONN) == 1
    assert setopt_int(api, s, ws.SO_ACCEPTCONN, 0) == ERR and err(api) == ws.WSAENOPROTOOPT
    u = udp(api)
    assert bind(api, u) == 0
    assert api.listen(u, 5) == ERR and err(api) == ws.WSAEOPNOTSUPP
    lst, c, srv = pair(api)
    assert api.listen(c, 5) == ERR and err(api) == ws.WSAEISCONN


def test_listen_backlog_limits_pending_connections(env: Any) -> None:
    """SPI-FACTS 3.6 (WSPConnect: WSAECONNREFUSED "the attempt was forcefully
    rejected"): connections beyond the listen backlog are refused."""
    api = env[2]
    lst, port = listener(api, backlog=1)
    c1, c2 = tcp(api), tcp(api)
    assert connect(api, c1, "127.0.0.1", port) == 0
    assert connect(api, c2, "127.0.0.1", port) == ERR and err(api) == ws.WSAECONNREFUSED


# == accept / WSAAccept ======================================================================


def test_accept_fills_the_peer_address(env: Any) -> None:
    """SPI-FACTS 3.6 (WSPAccept: addr receives the connecting entity's address,
    addrlen its length); the accepted socket's peer is the client's name."""
    api = env[2]
    lst, port = listener(api)
    c = tcp(api)
    assert connect(api, c, "127.0.0.1", port) == 0
    addr, alen = name_buf()
    srv = api.accept(lst, addr, alen)
    assert srv != INVALID, err(api)
    assert alen.value == 16
    assert ws.parse_sockaddr(bytes(addr[:16])) == sockname(api, c)
    assert peername(api, srv) == sockname(api, c)
    assert sockname(api, srv) == peername(api, c) == (ws.AF_INET, "127.0.0.1", port)


def test_w90_accept_addrlen_rules(env: Any) -> None:
    """W90: "accept/WSAAccept with addrlen 0 -> WSAEFAULT and addrlen stays 0; NULL
    addrlen with non-NULL addr -> success, addr untouched"."""
    api = env[2]
    lst, port = listener(api)
    c = tcp(api)
    assert connect(api, c, "127.0.0.1", port) == 0
    zero = ctypes.c_int(0)
    for fn in (lambda: api.accept(lst, bytearray(16), zero),
               lambda: api.WSAAccept(lst, bytearray(16), zero, None, 0)):  # fmt: skip
        assert fn() == INVALID and err(api) == ws.WSAEFAULT
        assert zero.value == 0
    addr = bytearray(b"\xee" * 16)
    srv = api.accept(lst, addr, None)
    assert srv != INVALID, err(api)
    assert addr == b"\xee" * 16


def test_accept_errors(env: Any) -> None:
    """SPI-FACTS 3.6 (WSPAccept: WSAEINVAL "listen was not invoked",
    WSAEOPNOTSUPP on a datagram socket, WSAEWOULDBLOCK nonblocking with nothing
    queued, WSAENOTSOCK)."""
    api = env[2]
    s = tcp(api)
    assert bind(api, s) == 0
    assert api.accept(s, None, None) == INVALID and err(api) == ws.WSAEINVAL
    u = udp(api)
    assert bind(api, u) == 0
    assert api.accept(u, None, None) == INVALID and err(api) == ws.WSAEOPNOTSUPP
    lst, port = listener(api)
    set_nonblocking(api, lst)
    assert api.accept(lst, None, None) == INVALID and err(api) == ws.WSAEWOULDBLOCK
    assert api.accept(0xBAD0, None, None) == INVALID and err(api) == ws.WSAENOTSOCK


def condition(verdict: int, seen: list[Any]) -> Any:
    def fn(lpCallerId: Any, lpCallerData: Any, lpSQOS: Any, lpGQOS: Any, lpCalleeId: Any,
           lpCalleeData: Any, g: Any, dwCallbackData: int) -> int:  # fmt: skip
        seen.append((ws.parse_sockaddr(bytes(lpCallerId.buf)), ws.parse_sockaddr(bytes(lpCalleeId.buf)), dwCallbackData))
        return verdict

    return fn


def test_wsaaccept_condition_accept(env: Any) -> None:
    """SPI-FACTS 3.6 (WSPAccept's condition function gets the caller's and the
    callee's addresses and dwCallbackData; CF_ACCEPT accepts)."""
    api = env[2]
    lst, port = listener(api)
    c = tcp(api)
    assert connect(api, c, "127.0.0.1", port) == 0
    seen: list[Any] = []
    srv = api.WSAAccept(lst, None, None, condition(ws.CF_ACCEPT, seen), 77)
    assert srv != INVALID, err(api)
    assert seen == [(sockname(api, c), (ws.AF_INET, "127.0.0.1", port), 77)]
    assert api.send(c, b"hi", 2, 0) == 2
    assert recv_all(api, srv) == b"hi"


def test_wsaaccept_condition_reject(env: Any) -> None:
    """SPI-FACTS 3.6 (WSPAccept: CF_REJECT -> WSAECONNREFUSED; the connection is
    refused, so the client sees it reset)."""
    api = env[2]
    lst, port = listener(api)
    c = tcp(api)
    assert connect(api, c, "127.0.0.1", port) == 0
    assert api.WSAAccept(lst, None, None, condition(ws.CF_REJECT, []), 0) == INVALID
    assert err(api) == ws.WSAECONNREFUSED
    assert api.recv(c, bytearray(4), 4, 0) == ERR and err(api) == ws.WSAECONNRESET
    set_nonblocking(api, lst)
    assert api.accept(lst, None, None) == INVALID and err(api) == ws.WSAEWOULDBLOCK


def test_w90_wsaaccept_defer_keeps_the_connection(env: Any) -> None:
    """W90: "WSAAccept whose condition function returns CF_DEFER -> INVALID_SOCKET
    WSATRY_AGAIN, and the connection remains for the next accept()"."""
    api = env[2]
    lst, port = listener(api)
    c = tcp(api)
    assert connect(api, c, "127.0.0.1", port) == 0
    seen: list[Any] = []
    for _ in range(2):
        assert api.WSAAccept(lst, None, None, condition(ws.CF_DEFER, seen), 0) == INVALID
        assert err(api) == ws.WSATRY_AGAIN
    assert len(seen) == 2
    srv = api.accept(lst, None, None)
    assert srv != INVALID, err(api)
    assert peername(api, srv) == sockname(api, c)


def test_w63_accept_inherits_listener_options(env: Any) -> None:
    """W63: "accept() copies from the listener: SO_LINGER {1, 555}, SO_REUSEADDR,
    SO_KEEPALIVE, SO_OOBINLINE, SO_SNDBUF/SO_RCVBUF 0x123, SO_SNDTIMEO/SO_RCVTIMEO
    0x123, TCP_NODELAY"."""
    api = env[2]
    lst = tcp(api)
    assert setopt_int(api, lst, ws.SO_REUSEADDR, 1) == 0
    assert bind(api, lst) == 0
    assert api.listen(lst, 5) == 0
    port = sockname(api, lst)[2]
    assert api.setsockopt(lst, ws.SOL_SOCKET, ws.SO_LINGER, ws.linger(1, 555), 4) == 0
    for opt in (ws.SO_KEEPALIVE, ws.SO_OOBINLINE):
        assert setopt_int(api, lst, opt, 1) == 0
    for opt in (ws.SO_SNDBUF, ws.SO_RCVBUF, ws.SO_SNDTIMEO, ws.SO_RCVTIMEO):
        assert setopt_int(api, lst, opt, 0x123) == 0
    assert setopt_int(api, lst, ws.TCP_NODELAY, 1, ws.IPPROTO_TCP) == 0
    c = tcp(api)
    assert connect(api, c, "127.0.0.1", port) == 0
    srv = api.accept(lst, None, None)
    assert srv != INVALID
    buf, n = bytearray(4), ctypes.c_int(4)
    assert api.getsockopt(srv, ws.SOL_SOCKET, ws.SO_LINGER, buf, n) == 0
    assert ws.linger.unpack(buf) == ws.linger(1, 555)
    for opt in (ws.SO_REUSEADDR, ws.SO_KEEPALIVE, ws.SO_OOBINLINE):
        assert getopt_int(api, srv, opt) == 1, hex(opt)
    for opt in (ws.SO_SNDBUF, ws.SO_RCVBUF, ws.SO_SNDTIMEO, ws.SO_RCVTIMEO):
        assert getopt_int(api, srv, opt) == 0x123, hex(opt)
    assert getopt_int(api, srv, ws.TCP_NODELAY, ws.IPPROTO_TCP) == 1
    # The client got nothing of it.
    assert getopt_int(api, c, ws.SO_KEEPALIVE) == 0


def test_blocking_accept_waits_for_a_connection_from_another_thread(env: Any) -> None:
    """DESIGN 3 ("safe to call from several Python threads"; blocking in virtual
    time): a blocking accept returns when another thread connects."""
    sim, host, api = env
    lst, port = listener(api)
    out: list[int] = []

    def client() -> None:
        api.SleepEx(300, False)
        c = tcp(api)
        out.append(connect(api, c, "127.0.0.1", port))

    t = threading.Thread(target=client, daemon=True)
    t.start()
    limit = time.monotonic() + 5
    while not sim.is_waiting(t):
        assert time.monotonic() < limit
        time.sleep(0.001)
    srv = api.accept(lst, None, None)
    t.join(5)
    assert srv != INVALID and out == [0]
    assert sim.now == pytest.approx(0.3)


# == connect ==================================================================================


def test_connect_refused_and_reconnect(env: Any) -> None:
    """SPI-FACTS 3.6 (WSPConnect: WSAECONNREFUSED); W87: "A socket whose blocking
    connect was refused can connect again (nonblocking -> WSAEWOULDBLOCK, then
    accepted)"."""
    api = env[2]
    lst, port = listener(api)
    c = tcp(api)
    assert connect(api, c, "127.0.0.1", 255) == ERR and err(api) == ws.WSAECONNREFUSED
    set_nonblocking(api, c)
    assert connect(api, c, "127.0.0.1", port) == ERR and err(api) == ws.WSAEWOULDBLOCK
    srv = api.accept(lst, None, None)
    assert srv != INVALID
    assert peername(api, c) == (ws.AF_INET, "127.0.0.1", port)


def test_connect_state_errors(env: Any) -> None:
    """W87: "connect() on a listening socket -> WSAEINVAL ... connect() on an
    accepted or connect()-connected socket -> WSAEISCONN"."""
    api = env[2]
    lst, c, srv = pair(api)
    port = sockname(api, lst)[2]
    for s, expected in ((lst, ws.WSAEINVAL), (c, ws.WSAEISCONN), (srv, ws.WSAEISCONN)):
        assert connect(api, s, "127.0.0.1", port) == ERR
        assert err(api) == expected


def test_connect_bad_addresses(env: Any) -> None:
    """SPI-FACTS 3.6 (WSPConnect: WSAEFAULT for a short namelen, WSAEADDRNOTAVAIL
    for the any address or port 0, WSAEAFNOSUPPORT for another family)."""
    api = env[2]
    c = tcp(api)
    name = ws.sockaddr("127.0.0.1", 80)
    assert api.connect(c, name, 8) == ERR and err(api) == ws.WSAEFAULT
    assert connect(api, c, "0.0.0.0", 80) == ERR and err(api) == ws.WSAEADDRNOTAVAIL
    assert connect(api, c, "127.0.0.1", 0) == ERR and err(api) == ws.WSAEADDRNOTAVAIL
    name6 = ws.sockaddr("::1", 80)
    assert api.connect(c, name6, len(name6)) == ERR and err(api) == ws.WSAEAFNOSUPPORT


def test_nonblocking_connect_would_block_then_connected(env: Any) -> None:
    """SPI-FACTS 3.6 (WSPConnect on a nonblocking socket: WSAEWOULDBLOCK, then the
    connection completes); zero latency (DESIGN 2): it is complete when the call
    returns, so data flows at once."""
    api = env[2]
    lst, port = listener(api)
    c = tcp(api)
    set_nonblocking(api, c)
    assert connect(api, c, "127.0.0.1", port) == ERR and err(api) == ws.WSAEWOULDBLOCK
    srv = api.accept(lst, None, None)
    assert api.send(c, b"x", 1, 0) == 1
    assert recv_all(api, srv) == b"x"


def test_second_connect_while_in_progress_is_ealready(env: Any) -> None:
    """SPI-FACTS 3.6 (WSPConnect: WSAEALREADY "a nonblocking connect call is in
    progress"); DESIGN 2: a connect to an address no host owns stays in progress."""
    sim, host, api = env
    c = tcp(api)
    set_nonblocking(api, c)
    assert connect(api, c, BLACK_HOLE, 80) == ERR and err(api) == ws.WSAEWOULDBLOCK
    assert connect(api, c, BLACK_HOLE, 80) == ERR and err(api) == ws.WSAEALREADY
    assert api.getpeername(c, *name_buf()) == ERR and err(api) == ws.WSAENOTCONN
    assert api.send(c, b"x", 1, 0) == ERR and err(api) == ws.WSAENOTCONN


def test_blocking_connect_to_black_hole_times_out_after_21_seconds(env: Any) -> None:
    """DESIGN 2/3: an address no host owns never answers; a blocking connect fails
    WSAETIMEDOUT (SPI-FACTS 3.6) after Windows' ~21 s of SYN retries, in virtual
    time."""
    sim, host, api = env
    c = tcp(api)
    t0 = sim.now
    assert connect(api, c, BLACK_HOLE, 80) == ERR
    assert err(api) == ws.WSAETIMEDOUT
    assert sim.now - t0 == pytest.approx(21.0)


def test_wsaconnect_rejects_connect_data_and_qos(env: Any) -> None:
    """SPI-FACTS 3.6 (WSPConnect: lpCallerData needs XP1_CONNECT_DATA, which TCP
    lacks; QoS is not supported by the base provider): WSAConnect with caller
    data or QoS fails and the socket can still connect plainly."""
    api = env[2]
    lst, port = listener(api)
    c = tcp(api)
    name = ws.sockaddr("127.0.0.1", port)
    data = ws.WSABUF(3, b"abc")
    assert api.WSAConnect(c, name, len(name), data, None, None, None) == ERR
    assert err(api) in (ws.WSAEPROTONOSUPPORT, ws.WSAEOPNOTSUPP)
    assert api.WSAConnect(c, name, len(name), None, None, b"qos", None) == ERR
    assert err(api) == ws.WSAEOPNOTSUPP
    assert api.WSAConnect(c, name, len(name), None, None, None, None) == 0, err(api)


# == datagram connect (W82) ==================================================================


def test_w82_datagram_connect_and_dissolve(env: Any) -> None:
    """W82: "Connected UDP: getpeername returns the peer; the unconnected server's
    getpeername and send -> WSAENOTCONN. connect() again to the same or a
    different port succeeds; connect() to a sockaddr with family AF_UNSPEC
    succeeds and dissolves the association (getpeername -> WSAENOTCONN)"."""
    api = env[2]
    srv = udp(api)
    assert bind(api, srv) == 0
    port = sockname(api, srv)[2]
    other = udp(api)
    assert bind(api, other) == 0
    oport = sockname(api, other)[2]
    cli = udp(api)
    assert connect(api, cli, "127.0.0.1", port) == 0
    assert peername(api, cli) == (ws.AF_INET, "127.0.0.1", port)
    assert api.getpeername(srv, *name_buf()) == ERR and err(api) == ws.WSAENOTCONN
    assert api.send(srv, b"x", 1, 0) == ERR and err(api) == ws.WSAENOTCONN
    assert api.send(cli, b"one", 3, 0) == 3
    assert recv_all(api, srv) == b"one"
    assert connect(api, cli, "127.0.0.1", port) == 0
    assert connect(api, cli, "127.0.0.1", oport) == 0
    assert peername(api, cli)[2] == oport
    unspec = struct.pack("<H14x", ws.AF_UNSPEC)
    assert api.connect(cli, unspec, len(unspec)) == 0, err(api)
    assert api.getpeername(cli, *name_buf()) == ERR and err(api) == ws.WSAENOTCONN
    assert api.send(cli, b"x", 1, 0) == ERR and err(api) == ws.WSAENOTCONN
    to = ws.sockaddr("127.0.0.1", port)
    assert api.sendto(cli, b"two", 3, 0, to, len(to)) == 3  # still bound, sendto works


def test_connected_datagram_socket_only_hears_its_peer(env: Any) -> None:
    """SPI-FACTS 3.6 (WSPConnect on a connectionless socket: "datagrams from
    other addresses are discarded" while a default peer is set)."""
    api = env[2]
    a, b, stranger = udp(api), udp(api), udp(api)
    for s in (a, b, stranger):
        assert bind(api, s) == 0
    pa, pb = sockname(api, a)[2], sockname(api, b)[2]
    assert connect(api, a, "127.0.0.1", pb) == 0
    to = ws.sockaddr("127.0.0.1", pa)
    assert api.sendto(stranger, b"no", 2, 0, to, len(to)) == 2
    assert api.sendto(b, b"yes", 3, 0, to, len(to)) == 3
    assert recv_all(api, a) == b"yes"
    set_nonblocking(api, a)
    assert api.recv(a, bytearray(8), 8, 0) == ERR and err(api) == ws.WSAEWOULDBLOCK


# == data ======================================================================================


def test_stream_bytes_cross_wsabuf_boundaries(env: Any) -> None:
    """SPI-FACTS 3.6 (WSPSend gathers the WSABUF array in order; a stream has no
    message boundaries, WSPRecv scatters into the buffers in order)."""
    api = env[2]
    lst, c, srv = pair(api)
    sent = ctypes.c_ulong()
    bufs = [ws.WSABUF(3, b"abc"), ws.WSABUF(0, None), ws.WSABUF(4, b"defg")]
    assert api.WSASend(c, bufs, 3, sent, 0, None, None) == 0 and sent.value == 7
    assert api.send(c, b"hij", 3, 0) == 3
    b1, b2 = bytearray(2), bytearray(6)
    got, flags = ctypes.c_ulong(), ctypes.c_ulong(0)
    assert api.WSARecv(srv, [ws.WSABUF(2, b1), ws.WSABUF(6, b2)], 2, got, flags, None, None) == 0
    assert got.value == 8 and bytes(b1 + b2) == b"abcdefgh"
    assert recv_all(api, srv) == b"ij"


def test_datagram_boundaries_and_sender_address(env: Any) -> None:
    """SPI-FACTS 3.6 (WSPRecvFrom: one datagram per call, with its source address
    in lpFrom/lpFromlen); WSASendTo/WSARecvFrom likewise."""
    api = env[2]
    a, b = udp(api), udp(api)
    assert bind(api, a) == 0 and bind(api, b) == 0
    to = ws.sockaddr("127.0.0.1", sockname(api, b)[2])
    assert api.sendto(a, b"first", 5, 0, to, len(to)) == 5
    sent = ctypes.c_ulong()
    assert api.WSASendTo(a, [ws.WSABUF(2, b"se"), ws.WSABUF(4, b"cond")], 2, sent, 0, to, len(to), None, None) == 0
    assert sent.value == 6
    frm, flen = name_buf()
    buf = bytearray(64)
    assert api.recvfrom(b, buf, 64, 0, frm, flen) == 5 and buf[:5] == b"first"
    assert ws.parse_sockaddr(bytes(frm[: flen.value])) == sockname(api, a)
    got, flags = ctypes.c_ulong(), ctypes.c_ulong(0)
    frm2, flen2 = name_buf()
    assert api.WSARecvFrom(b, [ws.WSABUF(64, buf)], 1, got, flags, frm2, flen2, None, None) == 0
    assert got.value == 6 and buf[:6] == b"second"
    assert ws.parse_sockaddr(bytes(frm2[: flen2.value])) == sockname(api, a)


def test_w83_truncated_datagram_is_emsgsize_and_the_rest_is_lost(env: Any) -> None:
    """W83: "9-byte datagram into a 6-byte buffer -> ... Information = 6 (bytes
    copied), remainder discarded (the next receive gets the next datagram)";
    recv reports it as SOCKET_ERROR / WSAEMSGSIZE (SPI-FACTS 3.6)."""
    api = env[2]
    a, b = udp(api), udp(api)
    assert bind(api, b) == 0
    to = ws.sockaddr("127.0.0.1", sockname(api, b)[2])
    for d in (b"123456789", b"abcdefghi", b"xy"):
        assert api.sendto(a, d, len(d), 0, to, len(to)) == len(d)
    buf = bytearray(6)
    assert api.recv(b, buf, 6, 0) == ERR and err(api) == ws.WSAEMSGSIZE
    assert buf == b"123456"
    got, flags = ctypes.c_ulong(), ctypes.c_ulong(0)
    buf2 = bytearray(6)
    assert api.WSARecv(b, [ws.WSABUF(6, buf2)], 1, got, flags, None, None) == ERR
    assert err(api) == ws.WSAEMSGSIZE and got.value == 6 and buf2 == b"abcdef"
    assert recv_all(api, b) == b"xy"


def test_msg_peek_leaves_the_data(env: Any) -> None:
    """SPI-FACTS 1.4/3.6 (MSG_PEEK: the data is copied but not removed), stream
    and datagram."""
    api = env[2]
    lst, c, srv = pair(api)
    assert api.send(c, b"hello", 5, 0) == 5
    buf = bytearray(3)
    assert api.recv(srv, buf, 3, ws.MSG_PEEK) == 3 and buf == b"hel"
    assert recv_all(api, srv) == b"hello"
    a, b = udp(api), udp(api)
    assert bind(api, b) == 0
    to = ws.sockaddr("127.0.0.1", sockname(api, b)[2])
    assert api.sendto(a, b"dgram", 5, 0, to, len(to)) == 5
    buf = bytearray(16)
    assert api.recv(b, buf, 16, ws.MSG_PEEK) == 5
    assert recv_all(api, b) == b"dgram"


def test_bounded_window_would_block_and_partial_send(env: Any) -> None:
    """DESIGN 3: "receive buffers and windows are bounded (SO_RCVBUF / SO_SNDBUF),
    so a sender can meet WSAEWOULDBLOCK": a nonblocking sender fills the peer's
    receive buffer and its own send buffer, gets a partial count, then
    WSAEWOULDBLOCK; the receiver sees at most SO_RCVBUF bytes (FIONREAD) and
    reading frees room; every byte arrives in order."""
    api = env[2]
    lst, c, srv = pair(api)
    assert setopt_int(api, srv, ws.SO_RCVBUF, 1000) == 0
    assert setopt_int(api, c, ws.SO_SNDBUF, 500) == 0
    set_nonblocking(api, c)
    data = bytes(i % 251 for i in range(4000))
    n = api.send(c, data, len(data), 0)
    assert n == 1500  # 1000 in the peer's buffer + 500 queued
    assert api.send(c, data[n:], len(data) - n, 0) == ERR and err(api) == ws.WSAEWOULDBLOCK
    avail = ctypes.c_ulong()
    assert api.ioctlsocket(srv, ws.FIONREAD, avail) == 0 and avail.value == 1000
    got = bytearray()
    got += recv_all(api, srv, 600)
    m = api.send(c, data[n:], len(data) - n, 0)
    assert m == 600
    n += m
    set_nonblocking(api, srv)
    while True:
        chunk = bytearray(4096)
        k = api.recv(srv, chunk, 4096, 0)
        if k == ERR:
            assert err(api) == ws.WSAEWOULDBLOCK
            break
        got += chunk[:k]
    assert bytes(got) == data[:n]


def test_blocking_send_waits_for_the_reader_thread(env: Any) -> None:
    """DESIGN 3 (bounded windows; blocking calls wait in virtual time and threads
    may share the simulator): a blocking send larger than both buffers completes
    once another thread reads."""
    sim, host, api = env
    lst, c, srv = pair(api)
    assert setopt_int(api, srv, ws.SO_RCVBUF, 100) == 0
    assert setopt_int(api, c, ws.SO_SNDBUF, 100) == 0
    data = bytes(range(256)) * 4
    got = bytearray()

    def reader() -> None:
        while len(got) < len(data):
            buf = bytearray(64)
            n = api.recv(srv, buf, 64, 0)
            assert n > 0
            got.extend(buf[:n])

    t = threading.Thread(target=reader, daemon=True)
    t.start()
    limit = time.monotonic() + 5
    while not sim.is_waiting(t):  # the reader is blocked in its first recv
        assert time.monotonic() < limit
        time.sleep(0.001)
    assert api.send(c, data, len(data), 0) == len(data)
    t.join(5)
    assert not t.is_alive() and bytes(got) == data


def test_w41_so_rcvtimeo(env: Any) -> None:
    """W41: "SO_RCVTIMEO default 0. After setting 100 ms: blocking recv and
    non-overlapped WSARecv fail WSAETIMEDOUT (lpNumberOfBytesRecvd untouched)";
    the 100 ms pass in virtual time."""
    sim, host, api = env
    lst, c, srv = pair(api)
    assert getopt_int(api, c, ws.SO_RCVTIMEO) == 0
    assert setopt_int(api, c, ws.SO_RCVTIMEO, 100) == 0
    assert getopt_int(api, c, ws.SO_RCVTIMEO) == 100
    t0 = sim.now
    assert api.recv(c, bytearray(4), 4, 0) == ERR and err(api) == ws.WSAETIMEDOUT
    assert sim.now - t0 == pytest.approx(0.1)
    got = ctypes.c_ulong(0xBEEF)
    assert api.WSARecv(c, [ws.WSABUF(4, bytearray(4))], 1, got, ctypes.c_ulong(0), None, None) == ERR
    assert err(api) == ws.WSAETIMEDOUT and got.value == 0xBEEF


def test_receive_errors(env: Any) -> None:
    """SPI-FACTS 3.6 (WSPRecv: WSAENOTCONN unconnected stream, WSAEINVAL unbound
    datagram socket, WSAEWOULDBLOCK nonblocking with no data, WSAEFAULT for a
    NULL byte count without OVERLAPPED); graceful close reads 0 (SPI-FACTS 3.8)."""
    api = env[2]
    s = tcp(api)
    assert api.recv(s, bytearray(4), 4, 0) == ERR and err(api) == ws.WSAENOTCONN
    assert api.send(s, b"x", 1, 0) == ERR and err(api) == ws.WSAENOTCONN
    u = udp(api)
    assert api.recv(u, bytearray(4), 4, 0) == ERR and err(api) == ws.WSAEINVAL
    lst, c, srv = pair(api)
    set_nonblocking(api, c)
    assert api.recv(c, bytearray(4), 4, 0) == ERR and err(api) == ws.WSAEWOULDBLOCK
    assert api.WSARecv(c, [ws.WSABUF(4, bytearray(4))], 1, None, ctypes.c_ulong(0), None, None) == ERR
    assert err(api) == ws.WSAEFAULT
    assert api.closesocket(srv) == 0
    assert api.recv(c, bytearray(4), 4, 0) == 0


def test_datagram_too_large_is_emsgsize(env: Any) -> None:
    """SPI-FACTS 3.6 (WSPSendTo: WSAEMSGSIZE when the datagram is larger than the
    maximum the transport supports: 65507 bytes for UDP over IPv4)."""
    api = env[2]
    a = udp(api)
    to = ws.sockaddr("127.0.0.1", 9)
    big = bytes(65508)
    assert api.sendto(a, big, len(big), 0, to, len(to)) == ERR and err(api) == ws.WSAEMSGSIZE
    assert api.sendto(a, big, 65507, 0, to, len(to)) == 65507


def test_sendto_autobinds_and_stream_ignores_address(env: Any) -> None:
    """W86: "a successful WSASendTo auto-binds (getsockname WSAEINVAL before,
    family AF_INET + nonzero port after)"; SPI-FACTS 3.6: on a connected stream
    socket the address of sendto is ignored."""
    api = env[2]
    a = udp(api)
    assert api.getsockname(a, *name_buf()) == ERR and err(api) == ws.WSAEINVAL
    to = ws.sockaddr("127.0.0.1", 9)
    assert api.sendto(a, b"x", 1, 0, to, len(to)) == 1
    fam, ip, port = sockname(api, a)
    assert fam == ws.AF_INET and port != 0
    lst, c, srv = pair(api)
    assert api.sendto(c, b"stream", 6, 0, to, len(to)) == 6
    assert recv_all(api, srv) == b"stream"


# == shutdown ==================================================================================


def test_w44_shutdown_needs_a_connection(env: Any) -> None:
    """W44: "shutdown(SD_SEND) and shutdown(SD_RECEIVE) on a
    created-but-never-connected TCP socket -> WSAENOTCONN; on a listening socket
    -> WSAENOTCONN; connected socket with how = 0xdeadbeef -> WSAEINVAL"."""
    api = env[2]
    s = tcp(api)
    lst, c, srv = pair(api)
    for h in (s, lst):
        for how in (ws.SD_SEND, ws.SD_RECEIVE):
            assert api.shutdown(h, how) == ERR and err(api) == ws.WSAENOTCONN
    assert api.shutdown(c, 0xDEADBEEF) == ERR and err(api) == ws.WSAEINVAL


def test_w46_sd_receive_blocks_recv_but_not_send(env: Any) -> None:
    """W46: "SD_RECEIVE on the server side: recv -> WSAESHUTDOWN (every time);
    send still works (5 bytes delivered to the client)"."""
    api = env[2]
    lst, c, srv = pair(api)
    assert api.shutdown(srv, ws.SD_RECEIVE) == 0
    for _ in range(2):
        assert api.recv(srv, bytearray(4), 4, 0) == ERR and err(api) == ws.WSAESHUTDOWN
    assert api.send(srv, b"hello", 5, 0) == 5
    assert recv_all(api, c) == b"hello"


def test_sd_send_gives_the_peer_eof(env: Any) -> None:
    """SPI-FACTS 3.8: after shutdown(SD_SEND) sends fail WSAESHUTDOWN and the peer
    reads what was sent and then 0; the other direction still works."""
    api = env[2]
    lst, c, srv = pair(api)
    assert api.send(c, b"last", 4, 0) == 4
    assert api.shutdown(c, ws.SD_SEND) == 0
    assert api.send(c, b"x", 1, 0) == ERR and err(api) == ws.WSAESHUTDOWN
    assert recv_all(api, srv) == b"last"
    assert api.recv(srv, bytearray(4), 4, 0) == 0
    assert api.send(srv, b"back", 4, 0) == 4
    assert recv_all(api, c) == b"back"


# == options ====================================================================================


def test_so_type_and_read_only_options(env: Any) -> None:
    """SPI-FACTS 1.8 (SO_TYPE, SO_ACCEPTCONN, SO_PROTOCOL_INFOW are get-only);
    W8 (setting SO_TYPE fails)."""
    api = env[2]
    t, u = tcp(api), udp(api)
    assert getopt_int(api, t, ws.SO_TYPE) == ws.SOCK_STREAM
    assert getopt_int(api, u, ws.SO_TYPE) == ws.SOCK_DGRAM
    info = bytes(628)
    assert api.setsockopt(t, ws.SOL_SOCKET, ws.SO_PROTOCOL_INFOW, info, 628) == ERR
    assert err(api) == ws.WSAENOPROTOOPT


def test_so_protocol_infow_is_628_bytes(env: Any) -> None:
    """DESIGN 2: "SO_PROTOCOL_INFOW gives the 628-byte WSAPROTOCOL_INFOW"; W11's
    optlen rules (a short length is WSAEFAULT and reports the size needed)."""
    api = env[2]
    s = tcp(api, ws.AF_INET6)
    buf, n = bytearray(628), ctypes.c_int(628)
    assert api.getsockopt(s, ws.SOL_SOCKET, ws.SO_PROTOCOL_INFOW, buf, n) == 0
    info = ws.WSAPROTOCOL_INFOW.unpack(buf)
    assert (info.iAddressFamily, info.iSocketType, info.iProtocol) == (ws.AF_INET6, ws.SOCK_STREAM, ws.IPPROTO_TCP)
    assert info.iMaxSockAddr == 28 and info.dwServiceFlags1 & ws.XP1_GUARANTEED_DELIVERY
    n = ctypes.c_int(627)
    assert api.getsockopt(s, ws.SOL_SOCKET, ws.SO_PROTOCOL_INFOW, buf, n) == ERR
    assert err(api) == ws.WSAEFAULT and n.value == 628


def test_so_error_rules(env: Any) -> None:
    """W64: "setsockopt(SO_ERROR, 1234) succeeds and getsockopt then returns 1234;
    getsockopt SO_ERROR with optlen 1 -> WSAEFAULT" -- a Windows behaviour; the
    documented profile refuses the set (Policy.so_error_settable)."""
    sim, host, api = env
    policy = ws.PROFILES[sim.profile]
    s = tcp(api)
    assert getopt_int(api, s, ws.SO_ERROR) == 0
    rc = setopt_int(api, s, ws.SO_ERROR, 1234)
    if policy.so_error_settable:
        assert rc == 0 and getopt_int(api, s, ws.SO_ERROR) == 1234
    else:
        assert rc == ERR and err(api) == ws.WSAENOPROTOOPT
        assert getopt_int(api, s, ws.SO_ERROR) == 0
    assert sim.profile != "windows" or policy.so_error_settable
    n = ctypes.c_int(1)
    assert api.getsockopt(s, ws.SOL_SOCKET, ws.SO_ERROR, bytearray(4), n) == ERR
    assert err(api) == ws.WSAEFAULT


def test_so_linger_and_so_dontlinger(env: Any) -> None:
    """SPI-FACTS 3.7 / 4.5: SO_LINGER copies the 4-byte LINGER; SO_DONTLINGER reads
    as (l_onoff == 0) and setting it changes only l_onoff; both are
    WSAENOPROTOOPT on a datagram socket; a short optlen is WSAEFAULT."""
    api = env[2]
    s = tcp(api)
    buf, n = bytearray(4), ctypes.c_int(4)
    assert api.getsockopt(s, ws.SOL_SOCKET, ws.SO_LINGER, buf, n) == 0
    assert ws.linger.unpack(buf) == ws.linger(0, 0)
    assert getopt_int(api, s, ws.SO_DONTLINGER) == 1
    assert api.setsockopt(s, ws.SOL_SOCKET, ws.SO_LINGER, ws.linger(1, 7).pack(), 4) == 0
    assert getopt_int(api, s, ws.SO_DONTLINGER) == 0
    assert setopt_int(api, s, ws.SO_DONTLINGER, 1) == 0
    assert api.getsockopt(s, ws.SOL_SOCKET, ws.SO_LINGER, buf, n) == 0
    assert ws.linger.unpack(buf) == ws.linger(0, 7)
    assert setopt_int(api, s, ws.SO_DONTLINGER, 0) == 0
    assert api.getsockopt(s, ws.SOL_SOCKET, ws.SO_LINGER, buf, n) == 0
    assert ws.linger.unpack(buf) == ws.linger(1, 7)
    assert api.setsockopt(s, ws.SOL_SOCKET, ws.SO_LINGER, b"\x01\x00", 2) == ERR
    assert err(api) == ws.WSAEFAULT
    u = udp(api)
    assert api.getsockopt(u, ws.SOL_SOCKET, ws.SO_LINGER, buf, n) == ERR and err(api) == ws.WSAENOPROTOOPT
    assert setopt_int(api, u, ws.SO_DONTLINGER, 1) == ERR and err(api) == ws.WSAENOPROTOOPT


@pytest.mark.parametrize("optname", [ws.SO_KEEPALIVE, ws.SO_OOBINLINE, ws.SO_REUSEADDR, ws.SO_EXCLUSIVEADDRUSE])
def test_boolean_options_round_trip(env: Any, optname: int) -> None:
    """SPI-FACTS 1.8: BOOL socket options read back as 0/1 after being set (any
    nonzero value is TRUE); SO_REUSEADDR / SO_EXCLUSIVEADDRUSE only before bind."""
    api = env[2]
    s = tcp(api)
    assert getopt_int(api, s, optname) == 0
    assert setopt_int(api, s, optname, 7) == 0
    assert getopt_int(api, s, optname) == 1
    assert setopt_int(api, s, optname, 0) == 0
    assert getopt_int(api, s, optname) == 0


def test_buffer_and_timeout_options(env: Any) -> None:
    """SPI-FACTS 1.8 (SO_RCVBUF, SO_SNDBUF, SO_RCVTIMEO, SO_SNDTIMEO are ints;
    timeouts default to 0, W41); the default buffers are 64 KiB here."""
    api = env[2]
    s = tcp(api)
    assert getopt_int(api, s, ws.SO_RCVBUF) == 65536
    assert getopt_int(api, s, ws.SO_SNDBUF) == 65536
    assert getopt_int(api, s, ws.SO_SNDTIMEO) == 0
    for opt, value in ((ws.SO_RCVBUF, 8192), (ws.SO_SNDBUF, 4096), (ws.SO_RCVTIMEO, 250), (ws.SO_SNDTIMEO, 500)):
        assert setopt_int(api, s, opt, value) == 0
        assert getopt_int(api, s, opt) == value
    assert api.setsockopt(s, ws.SOL_SOCKET, ws.SO_RCVBUF, b"\x01", 1) == ERR and err(api) == ws.WSAEFAULT


def test_tcp_nodelay(env: Any) -> None:
    """SPI-FACTS 1.8 (TCP_NODELAY at level IPPROTO_TCP, stream sockets only)."""
    api = env[2]
    s, u = tcp(api), udp(api)
    assert getopt_int(api, s, ws.TCP_NODELAY, ws.IPPROTO_TCP) == 0
    assert setopt_int(api, s, ws.TCP_NODELAY, 1, ws.IPPROTO_TCP) == 0
    assert getopt_int(api, s, ws.TCP_NODELAY, ws.IPPROTO_TCP) == 1
    assert setopt_int(api, u, ws.TCP_NODELAY, 1, ws.IPPROTO_TCP) == ERR and err(api) == ws.WSAENOPROTOOPT


def test_option_errors(env: Any) -> None:
    """SPI-FACTS 4.5 (getsockopt order: WSAENOTSOCK, NULL optval/optlen ->
    WSAEFAULT, unknown level -> WSAEINVAL, unknown option -> WSAENOPROTOOPT)."""
    api = env[2]
    s = tcp(api)
    buf, n = bytearray(4), ctypes.c_int(4)
    assert api.getsockopt(0xBAD0, ws.SOL_SOCKET, ws.SO_TYPE, buf, n) == ERR and err(api) == ws.WSAENOTSOCK
    assert api.getsockopt(s, ws.SOL_SOCKET, ws.SO_TYPE, None, n) == ERR and err(api) == ws.WSAEFAULT
    assert api.getsockopt(s, 0x1234, ws.SO_TYPE, buf, n) == ERR and err(api) == ws.WSAEINVAL
    assert api.getsockopt(s, ws.SOL_SOCKET, ws.SO_MAX_MSG_SIZE - 0x100, buf, n) == ERR
    assert err(api) == ws.WSAENOPROTOOPT
    assert api.setsockopt(s, ws.SOL_SOCKET, ws.SO_KEEPALIVE, None, 4) == ERR and err(api) == ws.WSAEFAULT


# == names ====================================================================================


def test_getsockname_and_getpeername_errors(env: Any) -> None:
    """W86 (getsockname before bind -> WSAEINVAL); SPI-FACTS 4.5 (getpeername:
    not connected -> WSAENOTCONN, checked before the buffer; short buffer ->
    WSAEFAULT)."""
    api = env[2]
    s = tcp(api)
    assert api.getsockname(s, *name_buf()) == ERR and err(api) == ws.WSAEINVAL
    assert api.getpeername(s, None, None) == ERR and err(api) == ws.WSAENOTCONN
    lst, c, srv = pair(api)
    small, n = bytearray(8), ctypes.c_int(8)
    assert api.getsockname(c, small, n) == ERR and err(api) == ws.WSAEFAULT
    assert api.getpeername(c, small, n) == ERR and err(api) == ws.WSAEFAULT
    big, n = bytearray(64), ctypes.c_int(64)
    assert api.getpeername(c, big, n) == 0 and n.value == 16


def test_ipv6_names_end_to_end(two: Any) -> None:
    """DESIGN 2 (hosts with IPv6 addresses; "fd00::2"): a TCP connection from
    fd00::1 to fd00::2 across two hosts reports 28-byte IPv6 names on both ends and
    carries data both ways; UDP over IPv6 reports the sender."""
    sim, a, b = two
    lst, port = listener(b, "::", ws.AF_INET6)
    c = tcp(a, ws.AF_INET6)
    assert connect(a, c, "fd00::2", port) == 0, err(a)
    srv = b.accept(lst, None, None)
    assert srv != INVALID
    assert peername(a, c) == (ws.AF_INET6, "fd00::2", port)
    fam, ip, cport = sockname(a, c)
    assert (fam, ip) == (ws.AF_INET6, "fd00::1")
    assert peername(b, srv) == (ws.AF_INET6, "fd00::1", cport)
    n = ctypes.c_int(64)
    assert a.getpeername(c, bytearray(64), n) == 0 and n.value == 28
    assert a.send(c, b"over v6", 7, 0) == 7
    assert recv_all(b, srv) == b"over v6"
    assert b.send(srv, b"back", 4, 0) == 4
    assert recv_all(a, c) == b"back"
    ua, ub = udp(a, ws.AF_INET6), udp(b, ws.AF_INET6)
    assert bind(b, ub, "fd00::2", 0) == 0
    to = ws.sockaddr("fd00::2", sockname(b, ub)[2])
    assert a.sendto(ua, b"dg6", 3, 0, to, len(to)) == 3
    frm, flen = name_buf()
    buf = bytearray(8)
    assert b.recvfrom(ub, buf, 8, 0, frm, flen) == 3 and flen.value == 28
    assert ws.parse_sockaddr(bytes(frm[:28]))[:2] == (ws.AF_INET6, "fd00::1")


def test_loopback_is_per_host(two: Any) -> None:
    """DESIGN 2: "every host also owns 127.0.0.1 and ::1" -- its own: a connection
    to 127.0.0.1 / ::1 reaches a listener of the same host only."""
    sim, a, b = two
    for family, any_ip, loop in ((ws.AF_INET, "0.0.0.0", "127.0.0.1"), (ws.AF_INET6, "::", "::1")):
        lst_b, port = listener(b, any_ip, family)
        c = tcp(a, family)
        assert connect(a, c, loop, port) == ERR and err(a) == ws.WSAECONNREFUSED
        c2 = tcp(b, family)
        assert connect(b, c2, loop, port) == 0
        assert sockname(b, c2)[1] == loop


def test_connect_across_hosts_reports_real_addresses(two: Any) -> None:
    """DESIGN 2 (a host's addresses route to it): a client on 10.0.0.1 connecting
    to 10.0.0.2 gets a local name on 10.0.0.1 and the listener sees it."""
    sim, a, b = two
    lst, port = listener(b, "0.0.0.0")
    c = tcp(a)
    assert connect(a, c, "10.0.0.2", port) == 0
    srv = b.accept(lst, None, None)
    assert sockname(a, c)[1] == "10.0.0.1"
    assert peername(b, srv) == sockname(a, c)
    assert sockname(b, srv) == (ws.AF_INET, "10.0.0.2", port)


# == ioctls ===================================================================================


def test_fionbio_switches_blocking_mode(env: Any) -> None:
    """SPI-FACTS 3.6 (FIONBIO: nonzero argp makes the socket nonblocking): a
    nonblocking recv with no data fails WSAEWOULDBLOCK; FIONBIO 0 makes it
    blocking again (a blocking recv then waits SO_RCVTIMEO)."""
    sim, host, api = env
    lst, c, srv = pair(api)
    set_nonblocking(api, c)
    assert api.recv(c, bytearray(4), 4, 0) == ERR and err(api) == ws.WSAEWOULDBLOCK
    set_nonblocking(api, c, False)
    assert setopt_int(api, c, ws.SO_RCVTIMEO, 50) == 0
    assert api.recv(c, bytearray(4), 4, 0) == ERR and err(api) == ws.WSAETIMEDOUT


def test_w72_fionbio_zero_refused_while_event_select_is_active(env: Any) -> None:
    """W72: "While a WSAEventSelect is active, FIONBIO(1) succeeds but FIONBIO(0)
    (make blocking) -> WSAEINVAL"."""
    api = env[2]
    lst, c, srv = pair(api)
    ev = api.WSACreateEvent()
    assert api.WSAEventSelect(c, ev, ws.FD_READ) == 0
    assert api.ioctlsocket(c, ws.FIONBIO, ctypes.c_ulong(1)) == 0
    assert api.ioctlsocket(c, ws.FIONBIO, ctypes.c_ulong(0)) == ERR and err(api) == ws.WSAEINVAL


def test_w75_fionbio_argument_rules(env: Any) -> None:
    """W75: "FIONBIO: bad pointer via ioctlsocket -> WSAEFAULT; WSAIoctl with NULL
    lpcbBytesReturned -> WSAEFAULT; input shorter than 4 -> WSAEFAULT; input longer
    is fine; the output buffer is ignored ...; *lpcbBytesReturned = 0"."""
    api = env[2]
    s = tcp(api)
    assert api.ioctlsocket(s, ws.FIONBIO, None) == ERR and err(api) == ws.WSAEFAULT
    one = struct.pack("<I", 1)
    assert api.WSAIoctl(s, ws.FIONBIO, one, 4, None, 0, None, None, None) == ERR
    assert err(api) == ws.WSAEFAULT
    ret = ctypes.c_ulong(0xBEEF)
    assert api.WSAIoctl(s, ws.FIONBIO, one, 3, None, 0, ret, None, None) == ERR
    assert err(api) == ws.WSAEFAULT
    out = bytearray(b"\x55" * 8)
    assert api.WSAIoctl(s, ws.FIONBIO, one + b"\0\0\0\0", 8, out, 8, ret, None, None) == 0
    assert ret.value == 0 and out == b"\x55" * 8


def test_fionread_and_siocatmark(env: Any) -> None:
    """SPI-FACTS 3.6 / 4.5: FIONREAD returns the bytes a recv could read (stream)
    or the datagram bytes queued; SIOCATMARK is TRUE when no urgent data waits,
    and WSAEINVAL on a datagram socket; a short output buffer is WSAEINVAL, none
    at all WSAEFAULT."""
    api = env[2]
    lst, c, srv = pair(api)
    n = ctypes.c_ulong(99)
    assert api.ioctlsocket(srv, ws.FIONREAD, n) == 0 and n.value == 0
    assert api.send(c, b"12345", 5, 0) == 5
    assert api.ioctlsocket(srv, ws.FIONREAD, n) == 0 and n.value == 5
    out, ret = bytearray(4), ctypes.c_ulong()
    assert api.WSAIoctl(srv, ws.FIONREAD, None, 0, out, 4, ret, None, None) == 0
    assert ret.value == 4 and struct.unpack("<I", out)[0] == 5
    assert api.WSAIoctl(srv, ws.FIONREAD, None, 0, out, 2, ret, None, None) == ERR and err(api) == ws.WSAEINVAL
    assert api.WSAIoctl(srv, ws.FIONREAD, None, 0, None, 0, ret, None, None) == ERR and err(api) == ws.WSAEFAULT
    assert api.ioctlsocket(srv, ws.SIOCATMARK, n) == 0 and n.value == ws.TRUE
    a, b = udp(api), udp(api)
    assert bind(api, b) == 0
    to = ws.sockaddr("127.0.0.1", sockname(api, b)[2])
    for d in (b"abc", b"defgh"):
        assert api.sendto(a, d, len(d), 0, to, len(to)) == len(d)
    assert api.ioctlsocket(b, ws.FIONREAD, n) == 0 and n.value == 8
    assert api.ioctlsocket(b, ws.SIOCATMARK, n) == ERR and err(api) == ws.WSAEINVAL


# == determinism and hermeticity ===================================================================


def scenario(profile: str) -> list[Any]:
    """A small script: connections, datagrams, timeouts; returns what it saw."""
    sim = ws.Simulator(profile=profile)
    a = sim.add_host("10.0.0.1", "fd00::1")
    b = sim.add_host("10.0.0.2", "fd00::2")
    for h in (a, b):
        assert h.ws2.WSAStartup(0x0202, ws.WSADATA()) == 0
    seen: list[Any] = []
    lst, port = listener(b.ws2, "0.0.0.0")
    for _ in range(3):
        c = tcp(a.ws2)
        assert connect(a.ws2, c, "10.0.0.2", port) == 0
        srv = b.ws2.accept(lst, None, None)
        seen.append((c, srv, sockname(a.ws2, c), peername(b.ws2, srv)))
        assert a.ws2.send(c, b"x" * 10, 10, 0) == 10
        seen.append(recv_all(b.ws2, srv))
    u = udp(a.ws2, ws.AF_INET6)
    to = ws.sockaddr("fd00::2", 9)
    assert a.ws2.sendto(u, b"d", 1, 0, to, len(to)) == 1
    seen.append(sockname(a.ws2, u))
    d = tcp(a.ws2)
    assert connect(a.ws2, d, BLACK_HOLE, 1) == ERR
    seen.append((err(a.ws2), sim.now))
    return seen


@pytest.mark.parametrize("profile", PROFILES)
def test_same_script_same_ports_and_handles(profile: str) -> None:
    """DESIGN 3: "The simulation is deterministic: same script, same results" --
    ephemeral ports, handles and virtual times included."""
    first, second = scenario(profile), scenario(profile)
    assert first == second
    ports = {entry[2][2] for entry in first[:6:2]}
    assert len(ports) == 3 and all(49152 <= p <= 65535 for p in ports)


@pytest.mark.parametrize("profile", PROFILES)
def test_simulation_never_touches_real_sockets(profile: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """DESIGN 3: "The simulation never opens a real socket or touches the real
    network": with every real socket entry point made to fail, a whole scenario
    still runs."""

    def forbidden(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("wsspi_sim touched the real network")

    for name in ("socket", "create_connection", "getaddrinfo", "gethostbyname", "socketpair", "create_server"):
        monkeypatch.setattr(real_socket, name, forbidden)
    seen = scenario(profile)
    assert seen[1] == b"x" * 10
    assert seen[-1][0] == ws.WSAETIMEDOUT
