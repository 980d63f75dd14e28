"""Helpers for the secure-socket tests (test_seed000_*, test_seed002_*,
test_secure_sockets.py, test_registry_model.py): a world with a named server,
a client and an impostor, and one way to call each secure-socket operation
either through the Fwpuclnt-style wrapper or through WSAIoctl.  Not a test module."""

from __future__ import annotations

import ctypes
from typing import Any

import attrs

import wsspi_sim as ws

SERVER_PRINCIPAL = "host/db1.example.test"
IMPOSTOR_PRINCIPAL = "host/mallory.example.test"
SERVER_IP = {ws.AF_INET: "10.0.0.2", ws.AF_INET6: "fd00::2"}
CLIENT_IP = {ws.AF_INET: "10.0.0.1", ws.AF_INET6: "fd00::1"}
OTHER_IP = {ws.AF_INET: "10.0.0.3", ws.AF_INET6: "fd00::3"}
IMPOSTOR_IP = {ws.AF_INET: "10.0.0.66", ws.AF_INET6: "fd00::66"}
FAMILIES = (ws.AF_INET, ws.AF_INET6)
#: wrapper with the attrs structure, wrapper with packed bytes, WSAIoctl itself
VIAS = ("wrapper", "wrapper-bytes", "ioctl")
PORT = 5000


@attrs.define
class World:
    sim: ws.Simulator
    server: ws.Host
    client: ws.Host
    other: ws.Host
    impostor: ws.Host
    srv: Any
    cli: Any
    imp: Any


def world(profile: str = "documented", *, trace: bool = False) -> World:
    """A started server (principal SERVER_PRINCIPAL), client, a third host and
    an impostor, each with an IPv4 and an IPv6 address."""
    sim = ws.Simulator(profile=profile, trace=trace)
    server = sim.add_host(SERVER_IP[2], SERVER_IP[23], principal=SERVER_PRINCIPAL, name="db1")
    client = sim.add_host(CLIENT_IP[2], CLIENT_IP[23], name="client")
    other = sim.add_host(OTHER_IP[2], OTHER_IP[23], name="other")
    impostor = sim.add_host(IMPOSTOR_IP[2], IMPOSTOR_IP[23], principal=IMPOSTOR_PRINCIPAL, name="mallory")
    apis = []
    for host in (server, client, impostor):
        assert host.ws2.WSAStartup(0x0202, ws.WSADATA()) == 0
        apis.append(host.ws2)
    assert other.ws2.WSAStartup(0x0202, ws.WSADATA()) == 0
    return World(sim, server, client, other, impostor, apis[0], apis[1], apis[2])


class Out:
    """An out-parameter that receives an object (GetQueuedCompletionStatus)."""

    value: Any = None


def err(api: Any) -> int:
    return int(api.WSAGetLastError())


def sock(api: Any, family: int, kind: int, overlapped: bool = False) -> int:
    proto = ws.IPPROTO_TCP if kind == ws.SOCK_STREAM else ws.IPPROTO_UDP
    flags = ws.WSA_FLAG_OVERLAPPED if overlapped else 0
    s = api.WSASocketW(family, kind, proto, None, 0, flags)
    assert s != ws.INVALID_SOCKET, err(api)
    return int(s)


def addr(family: int, ip: str | None = None, port: int = PORT) -> bytes:
    return ws.sockaddr(ip if ip is not None else SERVER_IP[family], port)


def ptn(
    name: str, peer: bytes = b"", protocol: int = ws.SOCKET_SECURITY_PROTOCOL_IPSEC, **kw: Any
) -> ws.SOCKET_PEER_TARGET_NAME:
    return ws.SOCKET_PEER_TARGET_NAME(
        SecurityProtocol=protocol, PeerAddress=peer, AllStrings=name, **kw
    )


def ptn_len(obj: ws.SOCKET_PEER_TARGET_NAME) -> int:
    """What Microsoft's sample passes: sizeof (144) + the name's bytes."""
    return 144 + len(obj.AllStrings.encode("utf-16-le", "surrogatepass"))


def _buf(obj: Any, via: str) -> Any:
    if via == "wrapper" or obj is None:
        return obj
    return obj.pack() if hasattr(obj, "pack") else obj


def set_name(
    api: Any, s: int, obj: Any, length: int | None = None, via: str = "wrapper",
    ov: Any = None, routine: Any = None,
) -> tuple[int, int]:  # fmt: skip
    """(return value, last error) of setting a peer target name."""
    if length is None:
        length = ptn_len(obj)
    api.WSASetLastError(0)
    if via == "ioctl":
        rc = api.WSAIoctl(
            s, ws.SIO_SET_PEER_TARGET_NAME, _buf(obj, via), length, None, 0, ctypes.c_ulong(), ov, routine
        )
    else:
        rc = api.WSASetSocketPeerTargetName(s, _buf(obj, via), length, ov, routine)
    return int(rc), err(api)


def delete_name(
    api: Any, s: int, peer: Any, length: int | None = None, via: str = "wrapper",
    ov: Any = None, routine: Any = None,
) -> tuple[int, int]:  # fmt: skip
    """(return value, last error) of deleting a peer target name."""
    if length is None:
        length = len(peer)
    api.WSASetLastError(0)
    if via == "ioctl":
        rc = api.WSAIoctl(
            s, ws.SIO_DELETE_PEER_TARGET_NAME, peer, length, None, 0, ctypes.c_ulong(), ov, routine
        )
    else:
        rc = api.WSADeleteSocketPeerTargetName(s, peer, length, ov, routine)
    return int(rc), err(api)


def set_security(
    api: Any, s: int, settings: Any = None, length: int | None = None, via: str = "wrapper",
    ov: Any = None, routine: Any = None,
) -> tuple[int, int]:  # fmt: skip
    """(return value, last error) of WSASetSocketSecurity / SIO_SET_SECURITY."""
    if length is None:
        length = 0 if settings is None else len(settings.pack()) if hasattr(settings, "pack") else len(settings)
    api.WSASetLastError(0)
    if via == "ioctl":
        rc = api.WSAIoctl(
            s, ws.SIO_SET_SECURITY, _buf(settings, via), length, None, 0, ctypes.c_ulong(), ov, routine
        )
    else:
        rc = api.WSASetSocketSecurity(s, _buf(settings, via), length, ov, routine)
    return int(rc), err(api)


def query(
    api: Any, s: int, template: Any = None, tlen: int | None = None, via: str = "wrapper",
    info: Any = "new", ilen: int = 24,
) -> tuple[int, int, Any, int]:  # fmt: skip
    """(return value, last error, info structure or None, length written)."""
    if tlen is None:
        tlen = 0 if template is None else 144
    out = ws.SOCKET_SECURITY_QUERY_INFO() if info == "new" else info
    length = ctypes.c_ulong(ilen)
    api.WSASetLastError(0)
    if via == "ioctl":
        buf = None if out is None else bytearray(max(ilen, 0))
        rc = api.WSAIoctl(s, ws.SIO_QUERY_SECURITY, _buf(template, via), tlen, buf, ilen, length, None, None)
        if rc == 0 and out is not None and buf is not None:
            ws.fill(out, ws.SOCKET_SECURITY_QUERY_INFO.unpack(bytes(buf)))
    else:
        rc = api.WSAQuerySocketSecurity(s, _buf(template, via), tlen, out, length)
    return int(rc), err(api), out, int(length.value)


def template(family: int | None = None, ip: str | None = None, port: int = PORT, mask: int = 0) -> Any:
    peer = b"" if family is None else addr(family, ip, port)
    return ws.SOCKET_SECURITY_QUERY_TEMPLATE(PeerAddress=peer, PeerTokenAccessMask=mask)


def listener(api: Any, family: int, ip: str, port: int = PORT, secure: bool = False) -> int:
    s = sock(api, family, ws.SOCK_STREAM)
    if secure:
        assert set_security(api, s) == (0, 0)
    name = ws.sockaddr(ip, port)
    assert api.bind(s, name, len(name)) == 0, err(api)
    assert api.listen(s, 5) == 0, err(api)
    return s


def udp_bound(api: Any, family: int, ip: str, port: int = PORT, secure: bool = False) -> int:
    s = sock(api, family, ws.SOCK_DGRAM)
    if secure:
        assert set_security(api, s) == (0, 0)
    name = ws.sockaddr(ip, port)
    assert api.bind(s, name, len(name)) == 0, err(api)
    return s


def connect(api: Any, s: int, family: int, ip: str | None = None, port: int = PORT) -> tuple[int, int]:
    name = addr(family, ip, port)
    api.WSASetLastError(0)
    return int(api.connect(s, name, len(name))), err(api)


def sendto(api: Any, s: int, data: bytes, family: int, ip: str | None = None, port: int = PORT) -> tuple[int, int]:
    name = addr(family, ip, port)
    api.WSASetLastError(0)
    return int(api.sendto(s, data, len(data), 0, name, len(name))), err(api)


def recvfrom(api: Any, s: int, size: int = 64) -> tuple[int, bytes, tuple[int, str, int] | None]:
    """(return value, data, sender) of a nonblocking-safe receive (FIONREAD first)."""
    n = ctypes.c_ulong()
    api.ioctlsocket(s, ws.FIONREAD, n)
    if n.value == 0:
        return -1, b"", None
    buf = bytearray(size)
    frm = bytearray(128)
    fl = ctypes.c_int(128)
    rc = api.recvfrom(s, buf, size, 0, frm, fl)
    return int(rc), bytes(buf[: max(rc, 0)]), ws.parse_sockaddr(bytes(frm[: fl.value])) if rc >= 0 else None


def pending(api: Any, s: int) -> int:
    """Bytes (or datagram bytes) waiting on ``s``."""
    n = ctypes.c_ulong()
    assert api.ioctlsocket(s, ws.FIONREAD, n) == 0, err(api)
    return int(n.value)


def hijack(w: World) -> None:
    """The impostor takes over the server's addresses (both families)."""
    for fam in FAMILIES:
        w.sim.reroute(SERVER_IP[fam], w.impostor)
