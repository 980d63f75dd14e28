"""Helpers for the close / disconnect / duplicate / startup / state-table tests
(test_seed003_recv_disconnect.py, test_seed004_close.py, test_duplicate.py,
test_startup.py, test_states.py).  Not a test module."""

from __future__ import annotations

import ctypes
import struct
from typing import Any

import attrs

import wsspi_sim as ws

PROFILES = ("documented", "windows")
SOCKET_ERROR = ws.SOCKET_ERROR
INVALID = ws.INVALID_SOCKET
BLACK_HOLE = "10.9.9.9"  # no simulated host owns it: a connect never answers


@attrs.define
class World:
    """A simulator with a local host ``a`` (10.0.0.1) and a remote host ``b``
    (10.0.0.2), both first processes started."""

    sim: ws.Simulator
    a: ws.Host
    b: ws.Host
    api: Any
    bapi: Any

    @property
    def spi(self) -> ws.BaseProvider:
        return self.a.provider

    @property
    def bspi(self) -> ws.BaseProvider:
        return self.b.provider


def world(profile: str = "documented", **kw: Any) -> World:
    sim = ws.Simulator(profile=profile, **kw)
    a = sim.add_host("10.0.0.1")
    b = sim.add_host("10.0.0.2")
    for h in (a, b):
        assert h.ws2.WSAStartup(0x0202, ws.WSADATA()) == 0
    return World(sim, a, b, a.ws2, b.ws2)


def err(api: Any) -> int:
    return int(api.WSAGetLastError())


def tcp(api: Any, flags: int = ws.WSA_FLAG_OVERLAPPED) -> int:
    s = api.WSASocketW(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP, None, 0, flags)
    assert s != INVALID, err(api)
    return int(s)


def udp(api: Any, flags: int = ws.WSA_FLAG_OVERLAPPED) -> int:
    s = api.WSASocketW(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP, None, 0, flags)
    assert s != INVALID, err(api)
    return int(s)


def bind(api: Any, s: int, ip: str = "0.0.0.0", port: int = 0) -> int:
    return int(api.bind(s, ws.sockaddr(ip, port), 16))


def local_port(api: Any, s: int) -> int:
    buf = bytearray(16)
    n = ctypes.c_int(16)
    assert api.getsockname(s, buf, n) == 0, err(api)
    return int(ws.parse_sockaddr(bytes(buf))[2])


def listener(api: Any, ip: str = "0.0.0.0", port: int = 0) -> tuple[int, int]:
    s = tcp(api)
    assert bind(api, s, ip, port) == 0, err(api)
    assert api.listen(s, 5) == 0, err(api)
    return s, local_port(api, s)


def tcp_pair(w: World, remote: bool = True) -> tuple[int, int]:
    """(client on host a, accepted server socket on host b -- or on a)."""
    sapi = w.bapi if remote else w.api
    ip = "10.0.0.2" if remote else "127.0.0.1"
    lst, port = listener(sapi)
    c = tcp(w.api)
    assert w.api.connect(c, ws.sockaddr(ip, port), 16) == 0, err(w.api)
    srv = sapi.accept(lst, None, None)
    assert srv != INVALID, err(sapi)
    assert sapi.closesocket(lst) == 0
    return c, int(srv)


def udp_pair(w: World) -> tuple[int, int, int]:
    """(sender on host a, receiver on host b, receiver's port)."""
    r = udp(w.bapi)
    assert bind(w.bapi, r, "10.0.0.2", 0) == 0
    port = local_port(w.bapi, r)
    s = udp(w.api)
    return s, r, port


def set_linger(api: Any, s: int, onoff: int, secs: int) -> None:
    assert api.setsockopt(s, ws.SOL_SOCKET, ws.SO_LINGER, struct.pack("<HH", onoff, secs), 4) == 0, err(api)


def get_linger(api: Any, s: int) -> tuple[int, int]:
    buf = bytearray(4)
    n = ctypes.c_int(4)
    assert api.getsockopt(s, ws.SOL_SOCKET, ws.SO_LINGER, buf, n) == 0, err(api)
    return struct.unpack("<HH", buf)  # type: ignore[return-value]


def set_int(api: Any, s: int, optname: int, value: int) -> None:
    assert api.setsockopt(s, ws.SOL_SOCKET, optname, struct.pack("<i", value), 4) == 0, err(api)


def get_int(api: Any, s: int, optname: int) -> int:
    buf = bytearray(4)
    n = ctypes.c_int(4)
    assert api.getsockopt(s, ws.SOL_SOCKET, optname, buf, n) == 0, err(api)
    return int(struct.unpack("<i", buf)[0])


def nonblocking(api: Any, s: int) -> None:
    assert api.ioctlsocket(s, ws.FIONBIO, ctypes.c_ulong(1)) == 0, err(api)


def fionread(api: Any, s: int) -> int:
    n = ctypes.c_ulong()
    assert api.ioctlsocket(s, ws.FIONREAD, n) == 0, err(api)
    return int(n.value)


def fill(api: Any, s: int, chunk: int = 1024) -> int:
    """Send from nonblocking ``s`` until WSAEWOULDBLOCK; the total accepted."""
    nonblocking(api, s)
    total = 0
    data = bytes(range(256)) * (chunk // 256 + 1)
    while True:
        n = api.send(s, data[:chunk], chunk, 0)
        if n == SOCKET_ERROR:
            assert err(api) == ws.WSAEWOULDBLOCK, err(api)
            return total
        total += n


def drain(api: Any, s: int) -> tuple[bytes, int]:
    """Read ``s`` until it reports 0 (graceful close) or an error: (data, 0 or error)."""
    out = bytearray()
    buf = bytearray(4096)
    while True:
        n = api.recv(s, buf, len(buf), 0)
        if n == SOCKET_ERROR:
            return bytes(out), err(api)
        if n == 0:
            return bytes(out), 0
        out += buf[:n]


def overlapped_recv(api: Any, s: int, size: int = 64, event: bool = True) -> tuple[ws.WSAOVERLAPPED, bytearray]:
    """Post an overlapped WSARecv that pends (asserts WSA_IO_PENDING)."""
    buf = bytearray(size)
    ov = ws.WSAOVERLAPPED(hEvent=api.WSACreateEvent() if event else None)
    rc = api.WSARecv(s, [ws.WSABUF(size, buf)], 1, ctypes.c_ulong(), ctypes.c_ulong(), ov, None)
    assert rc == SOCKET_ERROR and err(api) == ws.WSA_IO_PENDING, (rc, err(api))
    return ov, buf


def signalled(api: Any, h: int) -> bool:
    return api.WSAWaitForMultipleEvents(1, [h], False, 0, False) == ws.WSA_WAIT_EVENT_0


def spi_errno() -> ctypes.c_int:
    return ctypes.c_int(0)


def sock_of(w: World, s: int, host: ws.Host | None = None) -> Any:
    """The provider's underlying socket record for handle ``s``."""
    return (host or w.a).provider.table[s]


class Out:
    """An out-parameter that receives an object (GetQueuedCompletionStatus's lpOverlapped)."""

    def __init__(self, value: Any = None) -> None:
        self.value = value


def dequeue(api: Any, port: int) -> tuple[int, int, int, Any, int]:
    """GetQueuedCompletionStatus with timeout 0: (ok, bytes, key, overlapped, last error)."""
    n, key, ov = ctypes.c_ulong(), ctypes.c_uint64(), Out()
    ok = api.GetQueuedCompletionStatus(port, n, key, ov, 0)
    return int(ok), int(n.value), int(key.value), ov.value, (0 if ok else err(api))
