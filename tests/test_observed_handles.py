"""WINDOWS-OBSERVED section 2: invalid / closed SOCKET handles and the socket
table (W11, W12, W14, W15, W18, W19, W20), plus the readiness rules select and
WSAPoll share with W54, W59 and W64.  Every test runs in both profiles: none of
these cases is a documented-vs-Windows difference."""

from __future__ import annotations

import ctypes
import struct
import threading
import time
from collections.abc import Callable
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
    set_nonblocking,
    setopt_int,
    tcp,
    udp,
    world,
)

import wsspi_sim as ws

INVALID = ws.INVALID_SOCKET
ERR = ws.SOCKET_ERROR
BLACK_HOLE = "10.9.9.9"  # no simulated host owns it: never answers (DESIGN 2)


@pytest.fixture(params=PROFILES)
def env(request: pytest.FixtureRequest) -> tuple[ws.Simulator, ws.Host, Any]:
    return world(request.param)


def tv(seconds: float) -> ws.timeval:
    whole = int(seconds)
    return ws.timeval(whole, int(round((seconds - whole) * 1_000_000)))


# -- W11 ---------------------------------------------------------------------------------

INFO_SIZES = [(ws.SO_PROTOCOL_INFOA, 372), (ws.SO_PROTOCOL_INFOW, 628)]


@pytest.mark.parametrize("optname, size", INFO_SIZES)
def test_w11_invalid_socket_is_checked_before_pointers(env: Any, optname: int, size: int) -> None:
    """W11: "INVALID_SOCKET with NULL optval and NULL optlen -> WSAENOTSOCK
    (handle validated before pointers); INVALID_SOCKET with a real buffer ->
    WSAENOTSOCK and optlen untouched"."""
    api = env[2]
    assert api.getsockopt(INVALID, ws.SOL_SOCKET, optname, None, None) == ERR
    assert err(api) == ws.WSAENOTSOCK
    buf = bytearray(b"\xaa" * size)
    n = ctypes.c_int(size)
    assert api.getsockopt(INVALID, ws.SOL_SOCKET, optname, buf, n) == ERR
    assert err(api) == ws.WSAENOTSOCK
    assert n.value == size
    assert buf == b"\xaa" * size


@pytest.mark.parametrize("optname, size", INFO_SIZES)
def test_w11_null_pointers_on_a_valid_socket_are_efault(env: Any, optname: int, size: int) -> None:
    """W11: "Valid socket: NULL optval or NULL optlen -> WSAEFAULT"."""
    api = env[2]
    s = tcp(api)
    assert api.getsockopt(s, ws.SOL_SOCKET, optname, None, ctypes.c_int(size)) == ERR
    assert err(api) == ws.WSAEFAULT
    assert api.getsockopt(s, ws.SOL_SOCKET, optname, bytearray(size), None) == ERR
    assert err(api) == ws.WSAEFAULT


@pytest.mark.parametrize("optname, size", INFO_SIZES)
def test_w11_half_size_is_efault_and_optlen_rewritten(env: Any, optname: int, size: int) -> None:
    """W11: "optlen = half the struct -> WSAEFAULT and optlen is rewritten to the
    required size"."""
    api = env[2]
    s = tcp(api)
    n = ctypes.c_int(size // 2)
    assert api.getsockopt(s, ws.SOL_SOCKET, optname, bytearray(size), n) == ERR
    assert err(api) == ws.WSAEFAULT
    assert n.value == size


@pytest.mark.parametrize("optname, size", INFO_SIZES)
def test_w11_double_size_succeeds_and_keeps_optlen(env: Any, optname: int, size: int) -> None:
    """W11: "optlen = twice the struct -> success and optlen left at the larger
    value"; the structure describes the socket (family, type, protocol)."""
    api = env[2]
    s = udp(api, ws.AF_INET6)
    buf = bytearray(2 * size)
    n = ctypes.c_int(2 * size)
    assert api.getsockopt(s, ws.SOL_SOCKET, optname, buf, n) == 0, err(api)
    assert n.value == 2 * size
    # iAddressFamily, iSocketType, iProtocol sit at the same offsets in both forms.
    fam, _maxa, _mina, stype, proto = struct.unpack_from("<5i", buf, 20 + 16 + 4 + 32 + 4)
    assert (fam, stype, proto) == (ws.AF_INET6, ws.SOCK_DGRAM, ws.IPPROTO_UDP)
    if optname == ws.SO_PROTOCOL_INFOW:
        info = ws.WSAPROTOCOL_INFOW.unpack(buf)
        assert info.iAddressFamily == ws.AF_INET6 and info.szProtocol


# -- W12 ---------------------------------------------------------------------------------


def opentype(api: Any, s: int = INVALID) -> int:
    buf = bytearray(4)
    n = ctypes.c_int(4)
    assert api.getsockopt(s, ws.SOL_SOCKET, ws.SO_OPENTYPE, buf, n) == 0, err(api)
    assert n.value == 4
    return int.from_bytes(buf, "little", signed=True)


def set_opentype(api: Any, value: int, s: int = INVALID) -> int:
    return int(api.setsockopt(s, ws.SOL_SOCKET, ws.SO_OPENTYPE, struct.pack("<i", value), 4))


def test_w12_non_socket_handle_is_enotsock_except_so_opentype(env: Any) -> None:
    """W12: "getsockopt on a non-socket file handle: SO_TYPE and an unknown
    optname -> WSAENOTSOCK, but SO_OPENTYPE succeeds" (an event and a completion
    port are this simulation's non-socket handles)."""
    api = env[2]
    event = api.WSACreateEvent()
    port = api.CreateIoCompletionPort(-1, None, 0, 0)
    for h in (event, port):
        for optname in (ws.SO_TYPE, 0x7FEE):
            buf = bytearray(4)
            assert api.getsockopt(h, ws.SOL_SOCKET, optname, buf, ctypes.c_int(4)) == ERR
            assert err(api) == ws.WSAENOTSOCK
        assert opentype(api, h) == 0


def test_w12_so_opentype_is_per_thread_and_works_on_invalid_socket(env: Any) -> None:
    """W12: "SO_OPENTYPE is a per-thread setting: get/set succeed even on
    INVALID_SOCKET; a newly started thread reads 0"."""
    api = env[2]
    assert opentype(api) == 0
    assert set_opentype(api, ws.SO_SYNCHRONOUS_NONALERT) == 0, err(api)
    assert opentype(api) == ws.SO_SYNCHRONOUS_NONALERT
    s = tcp(api)  # any handle reads the same per-thread value
    assert opentype(api, s) == ws.SO_SYNCHRONOUS_NONALERT
    seen: list[int] = []

    def other() -> None:
        seen.append(opentype(api))
        assert set_opentype(api, ws.SO_SYNCHRONOUS_ALERT) == 0
        seen.append(opentype(api))

    t = threading.Thread(target=other)
    t.start()
    t.join(5)
    assert seen == [0, ws.SO_SYNCHRONOUS_ALERT]
    assert opentype(api) == ws.SO_SYNCHRONOUS_NONALERT  # the other thread's value is its own


def test_w12_so_opentype_short_buffers_are_efault(env: Any) -> None:
    """W12 with DESIGN 2 ("lengths shorter than Windows requires give Windows'
    error"): SO_OPENTYPE is an int, so optlen < 4 is WSAEFAULT."""
    api = env[2]
    n = ctypes.c_int(3)
    assert api.getsockopt(INVALID, ws.SOL_SOCKET, ws.SO_OPENTYPE, bytearray(4), n) == ERR
    assert err(api) == ws.WSAEFAULT
    assert api.setsockopt(INVALID, ws.SOL_SOCKET, ws.SO_OPENTYPE, b"\x20\0\0", 3) == ERR
    assert err(api) == ws.WSAEFAULT


def test_w12_so_opentype_before_startup_is_notinitialised() -> None:
    """SPI-FACTS 4.6: "Every API checks started first (WSANOTINITIALISED)" --
    SO_OPENTYPE included."""
    api = ws.Simulator().add_host("10.0.0.1").ws2
    assert api.getsockopt(INVALID, ws.SOL_SOCKET, ws.SO_OPENTYPE, bytearray(4), ctypes.c_int(4)) == ERR
    assert err(api) == ws.WSANOTINITIALISED


def test_w12_socket_honours_so_opentype(env: Any) -> None:
    """W12 + SPI-FACTS 4.6 ("socket() itself passes WSA_FLAG_OVERLAPPED by
    default"): with SO_OPENTYPE nonzero socket() makes a non-overlapped socket, on
    which WSARecv with an OVERLAPPED blocks like recv (W39) and so meets
    SO_RCVTIMEO (W41); with SO_OPENTYPE 0 the same call pends."""
    sim, host, api = env
    results = {}
    for value in (ws.SO_SYNCHRONOUS_NONALERT, 0):
        assert set_opentype(api, value) == 0
        lst, port = listener(api)
        c = api.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP)
        assert connect(api, c, "127.0.0.1", port) == 0
        assert setopt_int(api, c, ws.SO_RCVTIMEO, 100) == 0
        ov = ws.WSAOVERLAPPED()
        buf = bytearray(8)
        rc = api.WSARecv(c, [ws.WSABUF(8, buf)], 1, ctypes.c_ulong(), ctypes.c_ulong(0), ov, None)
        results[value] = (rc, err(api))
    assert results[ws.SO_SYNCHRONOUS_NONALERT] == (ERR, ws.WSAETIMEDOUT)
    assert results[0] == (ERR, ws.WSA_IO_PENDING)


# -- W14 ---------------------------------------------------------------------------------


def test_w14_extension_function_pointer_on_invalid_socket_is_enotsock(env: Any) -> None:
    """W14: "Extension functions on INVALID_SOCKET all fail WSAENOTSOCK" -- getting
    their pointers with WSAIoctl (SIO_GET_EXTENSION_FUNCTION_POINTER) on
    INVALID_SOCKET or a closed handle (the functions themselves:
    tests/test_extensions.py; TransmitFile is not modelled)."""
    api = env[2]
    guid = ws.WSAID_ACCEPTEX
    s = tcp(api)
    assert api.closesocket(s) == 0
    for h in (INVALID, s):
        out = bytearray(8)
        got = ctypes.c_ulong(0xDEAD)
        rc = api.WSAIoctl(h, ws.SIO_GET_EXTENSION_FUNCTION_POINTER, guid, 16, out, 8, got, None, None)
        assert rc == ERR
        assert err(api) == ws.WSAENOTSOCK
        assert got.value == 0xDEAD and out == bytes(8)
    assert not hasattr(api, "TransmitFile")


# -- W15 ---------------------------------------------------------------------------------


def test_w15_get_overlapped_result_on_bogus_handle_is_enotsock(env: Any) -> None:
    """W15: "WSAGetOverlappedResult(0xdeadbeef, ...) -> WSAENOTSOCK"."""
    api = env[2]
    ov = ws.WSAOVERLAPPED()
    n, fl = ctypes.c_ulong(), ctypes.c_ulong()
    assert api.WSAGetOverlappedResult(0xDEADBEEF, ov, n, False, fl) == ws.FALSE
    assert err(api) == ws.WSAENOTSOCK


def test_w15_other_process_handle_and_closed_handle_are_enotsock(env: Any) -> None:
    """W15: "ws2_32 validates against its own per-process socket table, not just
    the kernel handle" (a handle valid in another process of the host is not a
    socket here), and the inference "after closesocket, WSAGetOverlappedResult on
    that handle will therefore fail WSAENOTSOCK"."""
    sim, host, api = env
    lst, c, srv = pair(api)
    ov = ws.WSAOVERLAPPED()
    buf = bytearray(4)
    assert api.WSARecv(srv, [ws.WSABUF(4, buf)], 1, ctypes.c_ulong(), ctypes.c_ulong(0), ov, None) == ERR
    assert err(api) == ws.WSA_IO_PENDING
    assert api.send(c, b"ping", 4, 0) == 4
    n, fl = ctypes.c_ulong(), ctypes.c_ulong()
    assert api.WSAGetOverlappedResult(srv, ov, n, False, fl) == ws.TRUE and n.value == 4
    other = host.new_process()
    assert other.WSAStartup(0x0202, ws.WSADATA()) == 0
    assert other.WSAGetOverlappedResult(srv, ov, n, False, fl) == ws.FALSE
    assert err(other) == ws.WSAENOTSOCK
    assert api.closesocket(srv) == 0
    assert api.WSAGetOverlappedResult(srv, ov, n, False, fl) == ws.FALSE
    assert err(api) == ws.WSAENOTSOCK


# -- W18: argument and handle checks ------------------------------------------------------


def test_w18_all_sets_null_or_empty_is_einval(env: Any) -> None:
    """W18: "select with all three sets NULL, or all empty -> WSAEINVAL"."""
    api = env[2]
    tcp(api)
    assert api.select(0, None, None, None, tv(0)) == ERR
    assert err(api) == ws.WSAEINVAL
    assert api.select(0, [], [], [], tv(0)) == ERR
    assert err(api) == ws.WSAEINVAL
    assert api.select(0, [], None, [], None) == ERR  # even with no timeout: no blocking
    assert err(api) == ws.WSAEINVAL


@pytest.mark.parametrize("which", [0, 1, 2])
def test_w18_invalid_socket_in_any_set_is_enotsock(env: Any, which: int) -> None:
    """W18: "Any set containing INVALID_SOCKET -> WSAENOTSOCK"; the sets are not
    rewritten."""
    api = env[2]
    lst, c, srv = pair(api)
    sets: list[list[int]] = [[c], [c], [c]]
    sets[which].append(INVALID)
    before = [list(x) for x in sets]
    assert api.select(0, *sets, tv(0)) == ERR
    assert err(api) == ws.WSAENOTSOCK
    assert sets == before


def test_w18_closed_socket_is_enotsock_and_sets_unmodified(env: Any) -> None:
    """W18: "A set containing a socket that was already closed -> SOCKET_ERROR
    WSAENOTSOCK and the fd_sets are left unmodified (counts unchanged)"."""
    api = env[2]
    lst, c, srv = pair(api)
    assert api.closesocket(srv) == 0
    readfds, exceptfds = [c, srv], [c, srv]
    assert api.select(0, readfds, None, exceptfds, tv(1.25)) == ERR
    assert err(api) == ws.WSAENOTSOCK
    assert readfds == [c, srv] and exceptfds == [c, srv]


def test_w18_other_process_handle_is_enotsock(env: Any) -> None:
    """W15/W18: select checks ws2_32's per-process table -- another process's
    handle is not a socket here."""
    sim, host, api = env
    other = host.new_process()
    assert other.WSAStartup(0x0202, ws.WSADATA()) == 0
    s = udp(other)
    assert api.select(0, None, [s], None, tv(0)) == ERR
    assert err(api) == ws.WSAENOTSOCK
    assert other.select(0, None, [s], None, tv(0)) == 1


def test_select_misuse_is_typeerror(env: Any) -> None:
    """DESIGN 2: an fd_set is a list of handles; anything else is a TypeError
    naming the parameter."""
    api = env[2]
    s = udp(api)
    with pytest.raises(TypeError, match="readfds"):
        api.select(0, (s,), None, None, tv(0))
    with pytest.raises(TypeError, match="timeout"):
        api.select(0, None, [s], None, 5)
    with pytest.raises(TypeError, match="fd_set"):
        api.select(0, None, ["s"], None, tv(0))


def test_select_negative_timeout_is_einval(env: Any) -> None:
    """select documentation (WSAEINVAL: "The time-out value is not valid"): a
    negative timeval is WSAEINVAL; a packed timeval is accepted (DESIGN 2)."""
    api = env[2]
    s = udp(api)
    assert api.select(0, None, [s], None, ws.timeval(-1, 0)) == ERR
    assert err(api) == ws.WSAEINVAL
    assert api.select(0, None, [s], None, ws.timeval(0, 0).pack()) == 1


# -- W18: what select reports (Wine test_select, W59, W64) --------------------------------


def test_select_nothing_ready_times_out_in_virtual_time(env: Any) -> None:
    """W18 context (Wine test_select): unconnected sockets in all three sets ->
    0 and every set emptied; the timeout passes in virtual time (DESIGN 3)."""
    sim, host, api = env
    a, b = tcp(api), tcp(api)
    r, w, x = [a, b], [a, b], [a, b]
    t0 = sim.now
    assert api.select(0, r, w, x, tv(2.5)) == 0
    assert (r, w, x) == ([], [], [])
    assert sim.now - t0 == pytest.approx(2.5)


def test_select_listener_connector_and_data(env: Any) -> None:
    """W18 context (Wine test_select "select() works in 3 distinct states"): a
    pending connection makes the listener readable; the connector and the
    accepted socket are writable; data makes the receiver readable (and writable:
    counted once per set)."""
    sim, host, api = env
    lst, port = listener(api)
    r, w, x = [lst], [lst], [lst]
    assert api.select(0, r, w, x, tv(0)) == 0
    c = tcp(api)
    set_nonblocking(api, c)
    assert connect(api, c, "127.0.0.1", port) == ERR and err(api) == ws.WSAEWOULDBLOCK
    r, w, x = [lst], [lst], [lst]
    assert api.select(0, r, w, x, tv(1.25)) == 1
    assert r == [lst] and w == [] and x == []
    srv = api.accept(lst, None, None)
    assert srv != INVALID
    r, w, x = [lst, srv, c], [lst, srv, c], [lst, srv, c]
    assert api.select(0, r, w, x, tv(1.25)) == 2
    assert sorted(w) == sorted([srv, c]) and r == [] and x == []
    assert getopt_int(api, c, ws.SO_ERROR) == 0
    assert api.send(c, b"1234", 4, 0) == 4
    r, w, x = [srv], [srv], [srv]
    assert api.select(0, r, w, x, tv(1.25)) == 2
    assert r == [srv] and w == [srv] and x == []


def test_select_same_socket_twice_and_aliased_sets(env: Any) -> None:
    """Wine test_select: a socket listed twice is reported once; one fd_set
    passed as readfds and writefds is rewritten once per handle, the count being
    the handles it ends up holding."""
    sim, host, api = env
    lst, reader, writer = pair(api)
    w = [writer, writer]
    assert api.select(0, None, w, None, tv(0)) == 1
    assert w == [writer]
    both = [writer]
    assert api.select(0, both, both, None, tv(0)) == 1
    assert both == [writer]
    both = [writer, reader]
    assert api.select(0, both, both, None, tv(0)) == 2
    assert sorted(both) == sorted([writer, reader])
    assert api.send(writer, b"test", 4, 0) == 4
    both = [writer, reader]
    assert api.select(0, both, both, None, tv(0)) == 2


def test_select_graceful_peer_close_is_readable(env: Any) -> None:
    """W59: "Graceful peer close (default linger): ... recv -> 0; select reports
    readable"."""
    sim, host, api = env
    lst, c, srv = pair(api)
    assert api.closesocket(srv) == 0
    r: list[int] = [c]
    assert api.select(0, r, None, None, tv(1.25)) == 1 and r == [c]
    assert api.recv(c, bytearray(8), 8, 0) == 0


def test_select_unbound_udp_is_writable(env: Any) -> None:
    """W18 context (Wine test_select "UDP behavior of unbound sockets"): an
    unbound UDP socket in all three sets is reported writable only."""
    api = env[2]
    s = udp(api)
    r, w, x = [s], [s], [s]
    assert api.select(0, r, w, x, tv(0.25)) == 1
    assert (r, w, x) == ([], [s], [])


def test_select_stream_send_window_full_is_not_writable(env: Any) -> None:
    """DESIGN 3 (bounded windows) with W18: once sends would block, the socket
    leaves writefds; reading on the peer makes it writable again."""
    sim, host, api = env
    lst, c, srv = pair(api)
    assert setopt_int(api, srv, ws.SO_RCVBUF, 1024) == 0
    assert setopt_int(api, c, ws.SO_SNDBUF, 1024) == 0
    set_nonblocking(api, c)
    while True:
        w = [c]
        if api.select(0, None, w, None, tv(0)) == 0:
            break
        assert api.send(c, bytes(512), 512, 0) > 0
    assert w == []
    assert api.recv(srv, bytearray(4096), 4096, 0) > 0
    w = [c]
    assert api.select(0, None, w, None, tv(0)) == 1


def test_w64_nonblocking_refused_connect_reports_exceptfds(env: Any) -> None:
    """W64: "Nonblocking refused connect -> exceptfds set, SO_ERROR =
    WSAECONNREFUSED, persisting across repeated reads and across a further
    connect() (which returns WSAEWOULDBLOCK); only a successful connect clears
    it" (the documented profile clears SO_ERROR on read: Policy.so_error_read_clears)."""
    sim, host, api = env
    policy = ws.PROFILES[sim.profile]
    lst, port = listener(api)
    c = tcp(api)
    set_nonblocking(api, c)
    assert connect(api, c, "127.0.0.1", 255) == ERR and err(api) == ws.WSAEWOULDBLOCK
    r, w, x = [c], [c], [c]
    assert api.select(0, r, w, x, tv(10)) == 1
    assert (r, w, x) == ([], [], [c])
    assert getopt_int(api, c, ws.SO_ERROR) == ws.WSAECONNREFUSED
    assert getopt_int(api, c, ws.SO_ERROR) == (0 if policy.so_error_read_clears else ws.WSAECONNREFUSED)
    assert connect(api, c, "127.0.0.1", 255) == ERR and err(api) == ws.WSAEWOULDBLOCK
    x = [c]
    assert api.select(0, None, None, x, tv(10)) == 1 and x == [c]
    assert connect(api, c, "127.0.0.1", port) == ERR and err(api) == ws.WSAEWOULDBLOCK
    r, w, x = [c], [c], [c]
    assert api.select(0, r, w, x, tv(1)) == 1
    assert (r, w, x) == ([], [c], [])
    assert getopt_int(api, c, ws.SO_ERROR) == 0


def test_w64_blocking_refused_connect_then_select(env: Any) -> None:
    """W64: "Blocking connect to a closed port -> WSAECONNREFUSED directly; SO_ERROR
    stays 0, select for write then times out, select on all three sets reports
    exceptfds"."""
    sim, host, api = env
    c = tcp(api)
    assert connect(api, c, "127.0.0.1", 255) == ERR
    assert err(api) == ws.WSAECONNREFUSED
    assert getopt_int(api, c, ws.SO_ERROR) == 0
    w = [c]
    assert api.select(0, None, w, None, tv(0.05)) == 0 and w == []
    r, w, x = [c], [c], [c]
    assert api.select(0, r, w, x, tv(0)) == 1
    assert (r, w, x) == ([], [], [c])


def test_select_blocks_until_a_black_hole_connect_times_out(env: Any) -> None:
    """DESIGN 2 ("a nonblocking connect to [an address no host owns] stays in
    progress until its timeout in virtual time") with W64: select with no
    timeout returns when the connect fails, reporting exceptfds."""
    sim, host, api = env
    c = tcp(api)
    set_nonblocking(api, c)
    assert connect(api, c, BLACK_HOLE, 80) == ERR and err(api) == ws.WSAEWOULDBLOCK
    w, x = [c], [c]
    t0 = sim.now
    assert api.select(0, None, w, x, None) == 1
    assert (w, x) == ([], [c])
    assert sim.now - t0 >= 20.0
    assert getopt_int(api, c, ws.SO_ERROR) == ws.WSAETIMEDOUT


def test_select_that_nothing_can_complete_raises_deadlock(env: Any) -> None:
    """DESIGN 3: "A blocking call that nothing can ever complete raises
    ws.SimulationDeadlock ... it never hangs the test run"."""
    sim, host, api = env
    lst, c, srv = pair(api)
    with pytest.raises(ws.SimulationDeadlock):
        api.select(0, [c], None, None, None)


# -- W19 ---------------------------------------------------------------------------------


def pfd(fd: int, events: int, revents: int = 0x1234) -> ws.WSAPOLLFD:
    return ws.WSAPOLLFD(fd, events, revents)


def poll_one(api: Any, s: int, events: int, timeout: int = 0) -> int:
    fds = [pfd(s, events)]
    rc = api.WSAPoll(fds, 1, timeout)
    assert rc != ERR, err(api)
    assert rc == (1 if fds[0].revents else 0)
    return int(fds[0].revents)


def test_wsapollfd_structure() -> None:
    """Brief / winsock2.h: WSAPOLLFD is 16 bytes on x64 (SOCKET fd; SHORT events;
    SHORT revents; padding); POLLIN = POLLRDNORM | POLLRDBAND, POLLOUT = POLLWRNORM."""
    assert ws.sizeof(ws.WSAPOLLFD) == 16
    p = ws.WSAPOLLFD(0x1122334455667788, ws.POLLIN, ws.POLLHUP)
    assert p.pack() == bytes.fromhex("8877665544332211" "0003" "0200" "00000000")
    assert ws.WSAPOLLFD.unpack(p.pack()) == p
    assert ws.WSAPOLLFD(-1, 0).pack()[:8] == b"\xff" * 8
    assert (ws.POLLRDNORM, ws.POLLRDBAND, ws.POLLPRI, ws.POLLWRNORM, ws.POLLWRBAND) == (
        0x100, 0x200, 0x400, 0x10, 0x20)  # fmt: skip
    assert (ws.POLLERR, ws.POLLHUP, ws.POLLNVAL) == (1, 2, 4)
    assert ws.POLLIN == 0x300 and ws.POLLOUT == 0x10


@pytest.mark.parametrize("timeout", [0, 1])
def test_w19_null_array(env: Any, timeout: int) -> None:
    """W19: "NULL array with count 0 -> WSAEINVAL; NULL with count >= 1 -> WSAEFAULT"."""
    api = env[2]
    assert api.WSAPoll(None, 0, timeout) == ERR
    assert err(api) == ws.WSAEINVAL
    assert api.WSAPoll(None, 1, timeout) == ERR
    assert err(api) == ws.WSAEFAULT


INVALID_EVENTS = [ws.POLLERR, ws.POLLHUP, ws.POLLNVAL, 0x8, ws.POLLWRBAND, 0x40, 0x80,
                  ws.POLLPRI, 0x800, 0x1000, 0x2000, 0x4000, -0x8000]  # fmt: skip


@pytest.mark.parametrize("events", INVALID_EVENTS)
def test_w19_output_only_or_undefined_event_bits_are_einval(env: Any, events: int) -> None:
    """W19: "events containing output-only bits (POLLERR, POLLHUP, POLLNVAL,
    POLLPRI, POLLWRBAND or undefined bits) -> -1 WSAEINVAL" (Wine's list of
    flags, on a listener and on a connected socket)."""
    api = env[2]
    lst, c, srv = pair(api)
    for s in (lst, srv):
        api.WSASetLastError(0)
        assert api.WSAPoll([pfd(s, events)], 1, 0) == ERR
        assert err(api) == ws.WSAEINVAL


def test_w19_no_events_pending_returns_zero(env: Any) -> None:
    """W19 context (Wine test_WSAPoll): "When no events are pending poll returns
    0 with no error" and revents is cleared."""
    api = env[2]
    lst, port = listener(api)
    fds = [pfd(lst, ws.POLLRDNORM | ws.POLLRDBAND | ws.POLLWRNORM)]
    assert api.WSAPoll(fds, 1, 0) == 0
    assert fds[0].revents == 0


def test_w19_bad_entries_beside_a_valid_one(env: Any) -> None:
    """W19: "An entry with fd -1 or a bogus handle alongside a valid one: call
    succeeds, the bad entry gets revents = POLLNVAL but is not counted in the
    return value (return 0 when nothing else is ready)"; the last error is 0."""
    api = env[2]
    lst, port = listener(api)
    for bad in (pfd(-1, ws.POLLERR), pfd(INVALID, ws.POLLIN)):
        fds = [bad, pfd(lst, ws.POLLIN)]
        api.WSASetLastError(0xBEEF)
        assert api.WSAPoll(fds, 2, 0) == 0
        assert err(api) == 0
        assert (fds[0].revents, fds[1].revents) == (ws.POLLNVAL, 0)
    fds = [pfd(lst, ws.POLLIN), pfd(0xABACAB, ws.POLLIN)]
    assert api.WSAPoll(fds, 2, 0) == 0
    assert err(api) == 0
    assert (fds[0].revents, fds[1].revents) == (0, ws.POLLNVAL)
    # A bad entry is not counted even when the valid one is ready.
    c = tcp(api)
    assert connect(api, c, "127.0.0.1", port) == 0
    fds = [pfd(0xABACAB, ws.POLLIN), pfd(lst, ws.POLLIN)]
    assert api.WSAPoll(fds, 2, 0) == 1
    assert (fds[0].revents, fds[1].revents) == (ws.POLLNVAL, ws.POLLRDNORM)


def test_w19_bad_flags_on_a_bogus_entry_are_einval(env: Any) -> None:
    """W19 (Wine test_WSAPoll): a valid listener beside a bogus handle asking for
    POLLERR -> -1 WSAEINVAL, and neither revents is set."""
    api = env[2]
    lst, port = listener(api)
    fds = [pfd(lst, ws.POLLIN), pfd(0xABACAB, ws.POLLERR)]
    assert api.WSAPoll(fds, 2, 0) == ERR
    assert err(api) == ws.WSAEINVAL
    assert (fds[0].revents, fds[1].revents) == (0, 0)


def test_w19_every_entry_invalid_is_enotsock_with_pollnval(env: Any) -> None:
    """W19: "If every entry is invalid -> -1 with WSAENOTSOCK, yet each revents
    is still set to POLLNVAL" (a closed handle is invalid too)."""
    api = env[2]
    s = udp(api)
    assert api.closesocket(s) == 0
    fds = [pfd(-1, ws.POLLERR), pfd(0xABACAB, ws.POLLERR), pfd(s, ws.POLLIN)]
    assert api.WSAPoll(fds, 3, 0) == ERR
    assert err(api) == ws.WSAENOTSOCK
    assert [f.revents for f in fds] == [ws.POLLNVAL] * 3


def test_wsapoll_count_and_type_checks(env: Any) -> None:
    """DESIGN 2: fds counts entries of fdArray (a shorter array is Windows'
    WSAEFAULT); an entry that is not a WSAPOLLFD is a TypeError naming it."""
    api = env[2]
    s = udp(api)
    assert api.WSAPoll([pfd(s, ws.POLLOUT)], 2, 0) == ERR
    assert err(api) == ws.WSAEFAULT
    with pytest.raises(TypeError, match=r"fdArray\[0\]"):
        api.WSAPoll([(s, ws.POLLOUT, 0)], 1, 0)
    assert api.WSAPoll([pfd(s, ws.POLLOUT), pfd(-1, 0)], 1, 0) == 1  # only fds entries count


def test_wsapoll_listener_and_connected_flags(env: Any) -> None:
    """W19 context (Wine test_WSAPoll): a pending connection gives the listener
    POLLRDNORM (not POLLRDBAND / POLLWRNORM); connected sockets report POLLWRNORM;
    data adds POLLRDNORM to the receiver only, until it is read."""
    sim, host, api = env
    lst, port = listener(api)
    c = tcp(api)
    set_nonblocking(api, c)
    connect(api, c, "127.0.0.1", port)
    assert poll_one(api, lst, ws.POLLIN, 100) == ws.POLLRDNORM
    assert poll_one(api, lst, ws.POLLRDBAND | ws.POLLWRNORM) == 0
    srv = api.accept(lst, None, None)
    assert srv != INVALID
    every = ws.POLLRDNORM | ws.POLLRDBAND | ws.POLLWRNORM
    fds = [pfd(lst, every), pfd(srv, every), pfd(c, every)]
    assert api.WSAPoll(fds, 3, 0) == 2
    assert [f.revents for f in fds] == [0, ws.POLLWRNORM, ws.POLLWRNORM]
    assert api.send(srv, b"1234", 4, 0) == 4
    assert poll_one(api, c, ws.POLLRDNORM | ws.POLLRDBAND) == ws.POLLRDNORM
    assert poll_one(api, c, every) == ws.POLLRDNORM | ws.POLLWRNORM
    assert poll_one(api, srv, every) == ws.POLLWRNORM
    assert api.recv(c, bytearray(8), 8, 0) == 4
    assert poll_one(api, c, every) == ws.POLLWRNORM


def test_wsapoll_peer_shutdown_and_close_report_pollhup(env: Any) -> None:
    """W54/W59: "WSAPoll: peer SD_RECEIVE -> no change; peer SD_SEND -> POLLHUP
    (with POLLWRNORM); with unread data -> POLLRDNORM|POLLWRNORM|POLLHUP";
    graceful close: "WSAPoll reports POLLHUP|POLLWRNORM and reports POLLHUP even
    when events = 0"."""
    sim, host, api = env
    every = ws.POLLRDNORM | ws.POLLRDBAND | ws.POLLWRNORM
    lst, c, srv = pair(api)
    assert api.shutdown(c, ws.SD_RECEIVE) == 0
    assert poll_one(api, srv, every) == ws.POLLWRNORM
    assert api.shutdown(c, ws.SD_SEND) == 0
    assert poll_one(api, c, every) == ws.POLLWRNORM
    assert poll_one(api, srv, 0) == ws.POLLHUP
    assert poll_one(api, srv, every) == ws.POLLWRNORM | ws.POLLHUP
    lst2, c2, srv2 = pair(api)
    assert api.closesocket(c2) == 0
    assert poll_one(api, srv2, 0) == ws.POLLHUP
    assert poll_one(api, srv2, every) == ws.POLLWRNORM | ws.POLLHUP
    lst3, c3, srv3 = pair(api)
    assert api.send(c3, b"data", 5 - 1, 0) == 4
    assert api.shutdown(c3, ws.SD_SEND) == 0
    assert poll_one(api, srv3, every) == ws.POLLRDNORM | ws.POLLWRNORM | ws.POLLHUP


def test_wsapoll_failed_connect_and_udp(env: Any) -> None:
    """W64 (Wine test_WSAPoll, failed connection): a refused connect reports
    POLLWRNORM | POLLHUP | POLLERR; UDP sockets report POLLWRNORM, bound or not,
    and POLLRDNORM once a datagram waits."""
    sim, host, api = env
    every = ws.POLLRDNORM | ws.POLLRDBAND | ws.POLLWRNORM
    c = tcp(api)
    set_nonblocking(api, c)
    connect(api, c, "127.0.0.1", 255)
    assert poll_one(api, c, every, 10000) == ws.POLLWRNORM | ws.POLLHUP | ws.POLLERR
    client, server = udp(api), udp(api)
    assert poll_one(api, client, every) == ws.POLLWRNORM
    assert bind(api, client, "127.0.0.1", 0) == 0
    assert poll_one(api, server, every) == ws.POLLWRNORM
    to = ws.sockaddr("127.0.0.1", sockname_port(api, client))
    assert api.sendto(server, b"data", 4, 0, to, len(to)) == 4
    assert poll_one(api, client, ws.POLLRDNORM | ws.POLLRDBAND) == ws.POLLRDNORM
    assert poll_one(api, client, every) == ws.POLLWRNORM | ws.POLLRDNORM
    assert poll_one(api, server, every) == ws.POLLWRNORM


def sockname_port(api: Any, s: int) -> int:
    buf = bytearray(28)
    n = ctypes.c_int(28)
    assert api.getsockname(s, buf, n) == 0
    return ws.parse_sockaddr(bytes(buf[: n.value]))[2]


def test_wsapoll_timeout_is_virtual_time(env: Any) -> None:
    """DESIGN 3 with W19: WSAPoll's timeout (ms) passes in virtual time; a
    negative timeout waits until something is ready (here a black-hole connect
    failing after ~21 s)."""
    sim, host, api = env
    lst, c, srv = pair(api)
    t0 = sim.now
    assert api.WSAPoll([pfd(c, ws.POLLIN)], 1, 1500) == 0
    assert sim.now - t0 == pytest.approx(1.5)
    d = tcp(api)
    set_nonblocking(api, d)
    connect(api, d, BLACK_HOLE, 80)
    fds = [pfd(d, ws.POLLWRNORM)]
    assert api.WSAPoll(fds, 1, -1) == 1
    assert fds[0].revents & ws.POLLERR
    assert sim.now - t0 >= 21.0


# -- W20 ---------------------------------------------------------------------------------


def closer(sim: ws.Simulator, api: Any, handle: int, delay_ms: int = 500) -> threading.Thread:
    """A thread that sleeps ``delay_ms`` of virtual time, then closes ``handle``.
    Returns once that thread is blocked in its sleep, so that the caller's next
    blocking call and the close are ordered by virtual time alone."""

    def body() -> None:
        api.SleepEx(delay_ms, False)
        api.closesocket(handle)

    t = threading.Thread(target=body, daemon=True)
    t.start()
    limit = time.monotonic() + 5
    while not sim.is_waiting(t):
        assert time.monotonic() < limit, "the closing thread never blocked"
        time.sleep(0.001)
    return t


def finish(t: threading.Thread) -> None:
    t.join(5)
    assert not t.is_alive()


def test_w20_close_wakes_select_readfds(env: Any) -> None:
    """W20: "select with the socket in readfds -> wakes, returns 1 with the socket
    reported readable; recv(MSG_PEEK) on the closed handle afterwards -> -1"."""
    sim, host, api = env
    lst, c, srv = pair(api)
    t = closer(sim, api, c)
    r, x = [c], [c]
    assert api.select(0, r, None, x, tv(1.25)) == 1
    assert r == [c] and x == []
    finish(t)
    assert sim.now == pytest.approx(0.5)
    assert api.recv(c, bytearray(1), 1, ws.MSG_PEEK) == ERR
    assert err(api) == ws.WSAENOTSOCK


def test_w20_close_with_only_exceptfds_is_enotsock(env: Any) -> None:
    """W20: "select with the socket only in exceptfds -> returns SOCKET_ERROR
    WSAENOTSOCK, socket removed"."""
    sim, host, api = env
    lst, c, srv = pair(api)
    t = closer(sim, api, c)
    x = [c]
    assert api.select(0, None, None, x, tv(1.25)) == ERR
    assert err(api) == ws.WSAENOTSOCK
    assert c not in x
    finish(t)


def test_w20_close_ends_blocking_accept(env: Any) -> None:
    """W20: "blocking accept() on a listener that is closed -> returns
    INVALID_SOCKET" (with WSAEINTR: the simulator's choice, docs/design-choices.md)."""
    sim, host, api = env
    lst, port = listener(api)
    t = closer(sim, api, lst)
    assert api.accept(lst, None, None) == INVALID
    assert err(api) == ws.WSAEINTR
    finish(t)


def test_w20_close_ends_blocking_recv(env: Any) -> None:
    """W20 (same rule for a blocked receive): recv on a socket closed by another
    thread returns SOCKET_ERROR with WSAEINTR (our choice, docs/design-choices.md)."""
    sim, host, api = env
    lst, c, srv = pair(api)
    t = closer(sim, api, c)
    assert api.recv(c, bytearray(4), 4, 0) == ERR
    assert err(api) == ws.WSAEINTR
    finish(t)


def test_w20_close_during_wsapoll_reports_pollnval(env: Any) -> None:
    """W20: "WSAPoll -> returns 1 with revents = POLLNVAL"."""
    sim, host, api = env
    lst, c, srv = pair(api)
    t = closer(sim, api, c)
    fds = [pfd(c, ws.POLLRDNORM | ws.POLLRDBAND)]
    assert api.WSAPoll(fds, 1, 2000) == 1
    assert fds[0].revents == ws.POLLNVAL
    finish(t)


def queue_completion_routine(api: Any) -> list[int]:
    """An overlapped receive whose completion routine is queued (data is there at
    once) but not run: it runs only in an alertable wait (DESIGN 3)."""
    lst, c, srv = pair(api)
    assert api.send(srv, b"abc", 3, 0) == 3
    calls: list[int] = []

    def routine(dwError: int, cbTransferred: int, lpOverlapped: Any, dwFlags: int) -> None:
        calls.append(cbTransferred)

    rc = api.WSARecv(c, [ws.WSABUF(8, bytearray(8))], 1, None, ctypes.c_ulong(0), ws.WSAOVERLAPPED(), routine)
    assert rc == 0 or err(api) == ws.WSA_IO_PENDING
    assert calls == []
    return calls


@pytest.mark.parametrize(
    "wait",
    [
        lambda api, s: api.WSAPoll([ws.WSAPOLLFD(s, ws.POLLIN)], 1, 1000),
        lambda api, s: api.select(0, [s], None, None, ws.timeval(1, 0)),
    ],
    ids=["WSAPoll", "select"],
)
def test_w20_waits_are_alertable(env: Any, wait: Callable[[Any, int], int]) -> None:
    """W20: "the poll wait is alertable: a queued APC ran" (Wine's test_select
    shows the same for select): a completion routine queued to the thread runs
    while it waits, and the wait goes on to its timeout."""
    sim, host, api = env
    calls = queue_completion_routine(api)
    idle = udp(api)
    assert bind(api, idle, "127.0.0.1", 0) == 0
    t0 = sim.now
    assert wait(api, idle) == 0
    assert calls == [3]
    assert sim.now - t0 == pytest.approx(1.0)


def test_w20_a_wait_that_returns_at_once_runs_no_routine(env: Any) -> None:
    """Wine test_select: when select (or WSAPoll) has something ready at once it
    does not wait, so no queued routine runs; SleepEx(0, TRUE) runs it later."""
    sim, host, api = env
    calls = queue_completion_routine(api)
    s = udp(api)
    assert api.select(0, None, [s], None, tv(1)) == 1
    assert api.WSAPoll([pfd(s, ws.POLLOUT)], 1, 1000) == 1
    assert calls == []
    assert api.SleepEx(0, True) == ws.WAIT_IO_COMPLETION
    assert calls == [3]
