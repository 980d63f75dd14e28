"""Helpers shared by the socket-API test files (test_observed_*.py,
test_api_basics.py, test_properties.py): a started world, connected pairs,
option and address accessors.  Not a test module."""

from __future__ import annotations

import ctypes
import struct
from typing import Any

import wsspi_sim as ws

PROFILES = ("documented", "windows")
SOCKET_ERROR = ws.SOCKET_ERROR
INVALID = ws.INVALID_SOCKET


def world(profile: str = "documented", *addresses: str) -> tuple[ws.Simulator, ws.Host, Any]:
    """A simulator with one started host (default address 10.0.0.1)."""
    sim = ws.Simulator(profile=profile)
    host = sim.add_host(*(addresses or ("10.0.0.1", "fd00::1")))
    api = host.ws2
    assert api.WSAStartup(0x0202, ws.WSADATA()) == 0
    return sim, host, api


def started(host: ws.Host) -> Any:
    """The host's first process, started."""
    api = host.ws2
    assert api.WSAStartup(0x0202, ws.WSADATA()) == 0
    return api


def err(api: Any) -> int:
    return int(api.WSAGetLastError())


def tcp(api: Any, family: int = ws.AF_INET) -> int:
    s = api.socket(family, ws.SOCK_STREAM, ws.IPPROTO_TCP)
    assert s != INVALID, err(api)
    return int(s)


def udp(api: Any, family: int = ws.AF_INET) -> int:
    s = api.socket(family, ws.SOCK_DGRAM, ws.IPPROTO_UDP)
    assert s != INVALID, err(api)
    return int(s)


def bind(api: Any, s: int, ip: str = "127.0.0.1", port: int = 0) -> int:
    name = ws.sockaddr(ip, port)
    return int(api.bind(s, name, len(name)))


def connect(api: Any, s: int, ip: str, port: int) -> int:
    name = ws.sockaddr(ip, port)
    return int(api.connect(s, name, len(name)))


def sockname(api: Any, s: int) -> tuple[int, str, int]:
    buf = bytearray(28)
    n = ctypes.c_int(28)
    assert api.getsockname(s, buf, n) == 0, err(api)
    return ws.parse_sockaddr(bytes(buf[: n.value]))


def peername(api: Any, s: int) -> tuple[int, str, int]:
    buf = bytearray(28)
    n = ctypes.c_int(28)
    assert api.getpeername(s, buf, n) == 0, err(api)
    return ws.parse_sockaddr(bytes(buf[: n.value]))


def listener(api: Any, ip: str = "127.0.0.1", family: int = ws.AF_INET, backlog: int = 5) -> tuple[int, int]:
    """A listening TCP socket and its port."""
    s = tcp(api, family)
    assert bind(api, s, ip, 0) == 0, err(api)
    assert api.listen(s, backlog) == 0, err(api)
    return s, sockname(api, s)[2]


def pair(
    api: Any, api2: Any | None = None, ip: str = "127.0.0.1", family: int = ws.AF_INET
) -> tuple[int, int, int]:
    """(listener, client, server) connected by bind/listen/connect/accept.

    ``api2`` (default ``api``) owns the client; ``ip`` is the listener's address.
    """
    other = api if api2 is None else api2
    lst, port = listener(api, ip, family)
    c = tcp(other, family)
    assert connect(other, c, ip, port) == 0, err(other)
    srv = api.accept(lst, None, None)
    assert srv != INVALID, err(api)
    return lst, c, int(srv)


def getopt_int(api: Any, s: int, optname: int, level: int = ws.SOL_SOCKET) -> int:
    buf = bytearray(4)
    n = ctypes.c_int(4)
    rc = api.getsockopt(s, level, optname, buf, n)
    assert rc == 0, (hex(optname), err(api))
    return int(struct.unpack("<i", buf)[0])


def setopt_int(api: Any, s: int, optname: int, value: int, level: int = ws.SOL_SOCKET) -> int:
    return int(api.setsockopt(s, level, optname, struct.pack("<i", value), 4))


def recv_all(api: Any, s: int, size: int = 65536) -> bytes:
    buf = bytearray(size)
    n = api.recv(s, buf, size, 0)
    assert n != SOCKET_ERROR, err(api)
    return bytes(buf[:n])


def set_nonblocking(api: Any, s: int, on: bool = True) -> None:
    assert api.ioctlsocket(s, ws.FIONBIO, ctypes.c_ulong(1 if on else 0)) == 0, err(api)
