"""WSAStartup / WSACleanup at the switch and WSPStartup at the provider
(SPI-FACTS 3.1, 3.2, 3.5, 3.6 WSPCleanup; DESIGN 2; WINDOWS-OBSERVED W9)."""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Callable
from typing import Any

import pytest
from closekit import (
    INVALID,
    PROFILES,
    SOCKET_ERROR,
    World,
    err,
    overlapped_recv,
    tcp,
    tcp_pair,
    world,
)

import wsspi_sim as ws

#: SPI-FACTS 3.2: the 30 entries of WSPPROC_TABLE, in the documented order.
DOCUMENTED_PROC_ORDER = (
    "WSPAccept WSPAddressToString WSPAsyncSelect WSPBind WSPCancelBlockingCall WSPCleanup "
    "WSPCloseSocket WSPConnect WSPDuplicateSocket WSPEnumNetworkEvents WSPEventSelect "
    "WSPGetOverlappedResult WSPGetPeerName WSPGetSockName WSPGetSockOpt WSPGetQOSByName "
    "WSPIoctl WSPJoinLeaf WSPListen WSPRecv WSPRecvDisconnect WSPRecvFrom WSPSelect WSPSend "
    "WSPSendDisconnect WSPSendTo WSPSetSockOpt WSPShutdown WSPSocket WSPStringToAddress"
).split()


@pytest.fixture(params=PROFILES)
def w(request: pytest.FixtureRequest) -> World:
    return world(request.param)


def fresh(profile: str = "documented", **kw: Any) -> tuple[ws.Simulator, ws.Host, Any]:
    """A simulator with one host whose first process is *not* started."""
    sim = ws.Simulator(profile=profile, **kw)
    host = sim.add_host("10.0.0.1")
    return sim, host, host.ws2


# -- WSAStartup / WSACleanup ----------------------------------------------------------------


def _calls(h: int) -> dict[str, Callable[[Any], int]]:
    """One call of every socket function of the API, on handle ``h``."""
    name = ws.sockaddr("127.0.0.1", 1000)
    buf = bytearray(16)
    ov = ws.WSAOVERLAPPED()
    return {
        "socket": lambda a: a.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP),
        "WSASocketW": lambda a: a.WSASocketW(ws.AF_INET, ws.SOCK_DGRAM, 0, None, 0, 0),
        "closesocket": lambda a: a.closesocket(h),
        "bind": lambda a: a.bind(h, name, 16),
        "listen": lambda a: a.listen(h, 1),
        "accept": lambda a: a.accept(h, None, None),
        "WSAAccept": lambda a: a.WSAAccept(h, None, None, None, 0),
        "connect": lambda a: a.connect(h, name, 16),
        "WSAConnect": lambda a: a.WSAConnect(h, name, 16, None, None, None, None),
        "send": lambda a: a.send(h, b"x", 1, 0),
        "recv": lambda a: a.recv(h, buf, 16, 0),
        "sendto": lambda a: a.sendto(h, b"x", 1, 0, name, 16),
        "recvfrom": lambda a: a.recvfrom(h, buf, 16, 0, None, None),
        "WSASend": lambda a: a.WSASend(h, [ws.WSABUF(1, b"x")], 1, ctypes.c_ulong(), 0, None, None),
        "WSARecv": lambda a: a.WSARecv(h, [ws.WSABUF(16, buf)], 1, ctypes.c_ulong(), ctypes.c_ulong(), None, None),
        "WSASendTo": lambda a: a.WSASendTo(h, [ws.WSABUF(1, b"x")], 1, ctypes.c_ulong(), 0, name, 16, None, None),
        "WSARecvFrom": lambda a: a.WSARecvFrom(
            h, [ws.WSABUF(16, buf)], 1, ctypes.c_ulong(), ctypes.c_ulong(), None, None, None, None
        ),
        "shutdown": lambda a: a.shutdown(h, ws.SD_BOTH),
        "WSASendDisconnect": lambda a: a.WSASendDisconnect(h, None),
        "WSARecvDisconnect": lambda a: a.WSARecvDisconnect(h, None),
        "getsockopt": lambda a: a.getsockopt(h, ws.SOL_SOCKET, ws.SO_TYPE, bytearray(4), ctypes.c_int(4)),
        "setsockopt": lambda a: a.setsockopt(h, ws.SOL_SOCKET, ws.SO_KEEPALIVE, b"\1\0\0\0", 4),
        "getsockname": lambda a: a.getsockname(h, bytearray(16), ctypes.c_int(16)),
        "getpeername": lambda a: a.getpeername(h, bytearray(16), ctypes.c_int(16)),
        "ioctlsocket": lambda a: a.ioctlsocket(h, ws.FIONREAD, ctypes.c_ulong()),
        "WSAIoctl": lambda a: a.WSAIoctl(h, ws.FIONREAD, None, 0, bytearray(4), 4, ctypes.c_ulong(), None, None),
        "WSADuplicateSocketW": lambda a: a.WSADuplicateSocketW(h, a.GetCurrentProcessId(), ws.WSAPROTOCOL_INFOW()),
        "WSAEventSelect": lambda a: a.WSAEventSelect(h, a.WSACreateEvent(), ws.FD_READ),
        "WSAEnumNetworkEvents": lambda a: a.WSAEnumNetworkEvents(h, None, ws.WSANETWORKEVENTS()),
        "WSAGetOverlappedResult": lambda a: a.WSAGetOverlappedResult(h, ov, ctypes.c_ulong(), False, ctypes.c_ulong()),
        "WSACleanup": lambda a: a.WSACleanup(),
    }


FAILED = {SOCKET_ERROR, INVALID, ws.FALSE}


@pytest.mark.parametrize("call", sorted(_calls(0)))
def test_every_call_before_startup_is_notinitialised(call: str) -> None:
    """W9: "Before WSAStartup: WSASocketA(0,0,0) -> WSANOTINITIALISED (10093)"; DESIGN 2:
    "host.ws2 is not started: call api.WSAStartup(0x0202, ws.WSADATA()) first
    (WSANOTINITIALISED before)" -- every socket function fails with it, before looking
    at the handle (SPI-FACTS 3.5: checked before the provider is called)."""
    _, _, api = fresh()
    assert _calls(0x1234)[call](api) in FAILED
    assert err(api) == ws.WSANOTINITIALISED


@pytest.mark.parametrize("call", sorted(_calls(0)))
def test_every_call_after_last_cleanup_is_notinitialised(call: str) -> None:
    """W9: "After the last WSACleanup every socket ... is destroyed"; SPI-FACTS 3.1:
    "only the last WSPCleanup does real cleanup" -- after as many WSACleanup calls as
    WSAStartup calls, every socket function fails WSANOTINITIALISED, even on a handle
    that was valid."""
    _, _, api = fresh()
    for _ in range(2):
        assert api.WSAStartup(0x0202, ws.WSADATA()) == 0
    s = tcp(api)
    assert api.WSACleanup() == 0
    assert api.send(s, b"x", 1, 0) == SOCKET_ERROR and err(api) == ws.WSAENOTCONN  # still started
    assert api.WSACleanup() == 0
    assert _calls(s)[call](api) in FAILED
    assert err(api) == ws.WSANOTINITIALISED


def test_startup_is_reference_counted() -> None:
    """SPI-FACTS 3.1: "every successful WSPStartup needs a matching WSPCleanup; only the
    last WSPCleanup does real cleanup" (the switch counts WSAStartup the same way) --
    sockets survive every cleanup but the last."""
    _, host, api = fresh()
    for _ in range(3):
        assert api.WSAStartup(0x0202, ws.WSADATA()) == 0
    s = tcp(api)
    for _ in range(2):
        assert api.WSACleanup() == 0
        assert s in host.provider.table
        assert api.getsockopt(s, ws.SOL_SOCKET, ws.SO_TYPE, bytearray(4), ctypes.c_int(4)) == 0
    assert api.WSACleanup() == 0
    assert s not in host.provider.table


def test_surplus_cleanup_fails() -> None:
    """W9: "A surplus WSACleanup -> SOCKET_ERROR + WSANOTINITIALISED."""
    _, _, api = fresh()
    assert api.WSAStartup(0x0202, ws.WSADATA()) == 0
    assert api.WSACleanup() == 0
    assert api.WSACleanup() == SOCKET_ERROR
    assert err(api) == ws.WSANOTINITIALISED


@pytest.mark.parametrize("profile", PROFILES)
def test_last_cleanup_destroys_every_socket_including_duplicates(profile: str) -> None:
    """W9: "After the last WSACleanup every socket (including WSADuplicateSocket copies) is
    destroyed: after a fresh WSAStartup, send/getsockname on the old handles ->
    WSAENOTSOCK." -- the peer of a connected one sees its connection reset (SPI-FACTS
    3.6 WSPCleanup: "open sockets are reset and freed as if closed")."""
    w = world(profile)
    c, srv = tcp_pair(w)
    info = ws.WSAPROTOCOL_INFOW()
    assert w.api.WSADuplicateSocketW(c, w.api.GetCurrentProcessId(), info) == 0
    d = w.api.WSASocketW(0, 0, 0, info, 0, 0)
    assert d != INVALID
    u = w.api.socket(ws.AF_INET, ws.SOCK_DGRAM, 0)
    assert w.api.WSACleanup() == 0
    assert w.api.WSAStartup(0x0202, ws.WSADATA()) == 0
    for h in (c, d, u):
        assert h not in w.spi.table
        assert w.api.send(h, b"x", 1, 0) == SOCKET_ERROR and err(w.api) == ws.WSAENOTSOCK
        assert w.api.getsockname(h, bytearray(16), ctypes.c_int(16)) == SOCKET_ERROR
        assert err(w.api) == ws.WSAENOTSOCK
    assert w.bapi.recv(srv, bytearray(4), 4, 0) == SOCKET_ERROR
    assert err(w.bapi) == ws.WSAECONNRESET


def test_cleanup_keeps_sockets_other_processes_hold(w: World) -> None:
    """SPI-FACTS 3.7: "the underlying socket stays open until the last remaining descriptor
    is closed" -- the last WSACleanup of one process frees that process's descriptors
    only: a duplicate held by another process keeps the connection alive."""
    c, srv = tcp_pair(w)
    api2 = w.a.new_process()
    assert api2.WSAStartup(0x0202, ws.WSADATA()) == 0
    info = ws.WSAPROTOCOL_INFOW()
    assert w.api.WSADuplicateSocketW(c, api2.GetCurrentProcessId(), info) == 0
    d = api2.WSASocketW(0, 0, 0, info, 0, 0)
    assert w.api.WSACleanup() == 0
    assert api2.send(d, b"ok", 2, 0) == 2
    buf = bytearray(4)
    assert w.bapi.recv(srv, buf, 4, 0) == 2 and buf[:2] == b"ok"


def test_cleanup_aborts_overlapped_without_notification(w: World) -> None:
    """SPI-FACTS 3.6 WSPCleanup: "pending overlapped send/recv are cancelled without
    setting the event or running the completion routine" (contrast with WSPCloseSocket)
    -- the OVERLAPPED shows the request ended, but its event stays non-signalled and its
    routine never runs."""
    c, _ = tcp_pair(w)
    ov, _ = overlapped_recv(w.api, c)
    calls: list[int] = []
    ov2 = ws.WSAOVERLAPPED()
    rc = w.api.WSARecv(c, [ws.WSABUF(4, bytearray(4))], 1, ctypes.c_ulong(), ctypes.c_ulong(), ov2,
                       lambda e, n, o, f: calls.append(e))  # fmt: skip
    assert (rc, err(w.api)) == (SOCKET_ERROR, ws.WSA_IO_PENDING)
    ev = ov.hEvent
    assert w.api.WSACleanup() == 0
    for o in (ov, ov2):
        assert o.Internal != ws.WSS_OPERATION_IN_PROGRESS and o.OffsetHigh != 0
    assert not w.api.events[ev].signalled
    assert w.api.WSAStartup(0x0202, ws.WSADATA()) == 0
    assert w.api.SleepEx(0, True) == 0
    assert calls == []


@pytest.mark.parametrize(
    ("requested", "version"),
    [(0x0202, 0x0202), (0x0101, 0x0101), (0x0002, 0x0002), (0x0003, 0x0202), (0x0303, 0x0202)],
)
def test_wsadata_is_filled(requested: int, version: int) -> None:
    """SPI-FACTS 3.1: "set wHighVersion = provider's highest; set wVersion = min(provider
    high, requested)" (the switch negotiates with the application the same way) --
    WSADATA is filled in place."""
    _, _, api = fresh()
    data = ws.WSADATA()
    assert api.WSAStartup(requested, data) == 0
    assert (data.wVersion, data.wHighVersion) == (version, 0x0202)


@pytest.mark.parametrize("requested", [0x0000, 0x0100, 0x0500])
def test_version_0_x_is_not_supported(requested: int) -> None:
    """SPI-FACTS 3.1: "Otherwise return WSAVERNOTSUPPORTED" -- WSAStartup returns the
    code itself for a 0.x request and the process stays unstarted."""
    _, _, api = fresh()
    assert api.WSAStartup(requested, ws.WSADATA()) == ws.WSAVERNOTSUPPORTED
    assert api.socket(ws.AF_INET, ws.SOCK_STREAM, 0) == INVALID
    assert err(api) == ws.WSANOTINITIALISED


def test_wsastartup_null_wsadata() -> None:
    """SPI-FACTS 3.1 "WSAEFAULT  lpWSPData or lpProcTable invalid" (WSAStartup's own
    lpWSAData likewise) -- NULL is WSAEFAULT, returned directly, nothing started."""
    _, _, api = fresh()
    assert api.WSAStartup(0x0202, None) == ws.WSAEFAULT
    assert api.WSACleanup() == SOCKET_ERROR and err(api) == ws.WSANOTINITIALISED


def test_last_error_is_per_thread() -> None:
    """DESIGN 2: functions "set the calling thread's last error" -- two threads making
    different failing calls each read their own WSAGetLastError."""
    _, _, api = fresh()
    assert api.WSAStartup(0x0202, ws.WSADATA()) == 0
    s = tcp(api)
    barrier = threading.Barrier(2)
    seen: dict[str, int] = {}

    def worker(name: str, call: Callable[[], int]) -> None:
        assert call() == SOCKET_ERROR
        barrier.wait(5)  # both have failed before either reads
        seen[name] = api.WSAGetLastError()

    a = threading.Thread(target=worker, args=("a", lambda: api.send(0xBAD0, b"x", 1, 0)))
    b = threading.Thread(target=worker, args=("b", lambda: api.recv(s, bytearray(1), 1, 0)))
    a.start()
    b.start()
    a.join(5)
    b.join(5)
    assert seen == {"a": ws.WSAENOTSOCK, "b": ws.WSAENOTCONN}
    api.WSASetLastError(4242)
    assert api.WSAGetLastError() == 4242 and api.GetLastError() == 4242


def test_successful_socket_clears_last_error() -> None:
    """DESIGN 2: "A successful WSASocket / socket sets the last error to 0."""
    _, _, api = fresh()
    assert api.WSAStartup(0x0202, ws.WSADATA()) == 0
    for make in (lambda: api.socket(ws.AF_INET, ws.SOCK_STREAM, 0),
                 lambda: api.WSASocketW(ws.AF_INET, ws.SOCK_DGRAM, 0, None, 0, 0)):  # fmt: skip
        api.WSASetLastError(ws.WSAEINVAL)
        assert make() != INVALID
        assert api.WSAGetLastError() == 0


# -- WSPStartup at the provider ------------------------------------------------------------------


def wspstartup(version: int, data: Any = "new", table: Any = "new") -> tuple[int, Any, Any]:
    _, host, api = fresh()
    data = ws.WSPDATA() if data == "new" else data
    table = ws.WSPPROC_TABLE() if table == "new" else table
    rc = host.provider.WSPStartup(version, data, None, api.upcall_table, table)
    return int(rc), data, table


@pytest.mark.parametrize("version", [0x0000, 0x0101, 0x0002, 0x0102, 0x0001])
def test_wspstartup_below_2_2_not_supported(version: int) -> None:
    """SPI-FACTS 3.1: "Doc's example provider supporting only 2.2 rejects when major < 2,
    or major == 2 and minor < 2" -- WSPStartup returns WSAVERNOTSUPPORTED itself."""
    rc, _, table = wspstartup(version)
    assert rc == ws.WSAVERNOTSUPPORTED
    assert table.entries() == [None] * 30


@pytest.mark.parametrize("version", [0x0202, 0x0302, 0x0003, 0x0103])
def test_wspstartup_fills_wspdata(version: int) -> None:
    """SPI-FACTS 3.1: "If wVersionRequested >= provider's lowest supported version ->
    succeed; set wHighVersion = provider's highest; set wVersion = min(provider high,
    requested)" -- this provider supports 2.2 only: WSPDATA reads 2.2 / 2.2."""
    rc, data, _ = wspstartup(version)
    assert rc == 0
    assert (data.wVersion, data.wHighVersion) == (0x0202, 0x0202)
    assert data.szDescription


def test_wspstartup_null_pointers_are_efault() -> None:
    """SPI-FACTS 3.1: "WSAEFAULT  lpWSPData or lpProcTable invalid" -- returned directly."""
    assert wspstartup(0x0202, data=None)[0] == ws.WSAEFAULT
    assert wspstartup(0x0202, table=None)[0] == ws.WSAEFAULT


def test_wspstartup_bad_upcall_table_is_typeerror() -> None:
    """DESIGN 2: "Misuse that C would not compile ... raises a clear TypeError / ValueError
    that names the parameter" -- UpcallTable is passed by value in C (SPI-FACTS 3.1), so
    a missing one cannot be NULL."""
    _, host, _ = fresh()
    with pytest.raises(TypeError, match="UpcallTable"):
        host.provider.WSPStartup(0x0202, ws.WSPDATA(), None, None, ws.WSPPROC_TABLE())


def test_proc_table_in_documented_order() -> None:
    """SPI-FACTS 3.2: "WSPPROC_TABLE (30 function pointers ...) Order is alphabetical by
    name" -- PROC_NAMES, the table WSPStartup fills and provider.proc_table() all list
    the 30 entry points in that order, none missing."""
    assert list(ws.PROC_NAMES) == DOCUMENTED_PROC_ORDER
    rc, _, table = wspstartup(0x0202)
    assert rc == 0
    entries = table.entries()
    assert len(entries) == 30 and all(callable(f) for f in entries)
    assert [f.__name__ for f in entries] == DOCUMENTED_PROC_ORDER
    _, host, _ = fresh()
    procs = host.provider.proc_table()
    assert [f.__name__ for f in procs] == DOCUMENTED_PROC_ORDER
    assert all(getattr(f, "__self__", None) is host.provider for f in procs)


#: Entry points the simulation does not model (DESIGN 2 "Nothing is a silent stub").
#: Remove one from here when it becomes modelled.
UNMODELLED: dict[str, tuple[Callable[[Any, int, Any], int], int]] = {
    "WSPAddressToString": (lambda p, s, e: p.WSPAddressToString(ws.sockaddr("1.2.3.4", 5), 16, None,
                                                                 bytearray(64), ctypes.c_ulong(32), e), SOCKET_ERROR),
    "WSPStringToAddress": (lambda p, s, e: p.WSPStringToAddress("1.2.3.4", ws.AF_INET, None, bytearray(16),
                                                                 ctypes.c_int(16), e), SOCKET_ERROR),
    "WSPAsyncSelect": (lambda p, s, e: p.WSPAsyncSelect(s, 1, 0x400, ws.FD_READ, e), SOCKET_ERROR),
    "WSPCancelBlockingCall": (lambda p, s, e: p.WSPCancelBlockingCall(e), SOCKET_ERROR),
    "WSPGetQOSByName": (lambda p, s, e: p.WSPGetQOSByName(s, ws.WSABUF(0, None), None, e), ws.FALSE),
    "WSPJoinLeaf": (lambda p, s, e: p.WSPJoinLeaf(s, ws.sockaddr("1.2.3.4", 5), 16, None, None, None, None,
                                                  0, e), INVALID),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(UNMODELLED))
def test_unmodelled_entry_points_fail_loudly(name: str) -> None:
    """DESIGN 2: "Nothing is a silent stub. A WSP entry point ... the simulation does not
    model returns SOCKET_ERROR with WSAEOPNOTSUPP" (the entry's own failure value), and
    the strict simulator raises NotModelledError instead."""
    call, failure = UNMODELLED[name]
    _, host, api = fresh()
    assert api.WSAStartup(0x0202, ws.WSADATA()) == 0
    s = tcp(api)
    e = ctypes.c_int(0)
    assert call(host.provider, s, e) == failure
    assert e.value == ws.WSAEOPNOTSUPP
    _, shost, sapi = fresh(strict=True)
    assert sapi.WSAStartup(0x0202, ws.WSADATA()) == 0
    s2 = tcp(sapi)
    with pytest.raises(ws.NotModelledError, match=name):
        call(shost.provider, s2, ctypes.c_int(0))
