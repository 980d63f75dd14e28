"""WSPIoctl codes SIO_KEEPALIVE_VALS (WINDOWS-OBSERVED W76),
SIO_ROUTING_INTERFACE_QUERY (W78) and SIO_ADDRESS_LIST_QUERY (W79), with the
overlapped form of a synchronous code (W37), in both profiles."""

from __future__ import annotations

import ctypes
import struct

import pytest
from ovl_kit import ERR, PROFILES, Recorder, World

import wsspi_sim as ws
from wsspi_sim.errors import NotModelledError

KA = struct.Struct("<III")


def _ioctl(
    w: World, s: int, code: int, inb: object, cb_in: int, outb: object, cb_out: int,
    ov: ws.WSAOVERLAPPED | None = None, routine: object = None,
) -> tuple[int, int, int]:  # fmt: skip
    """WSAIoctl: (rc, last error or 0, *lpcbBytesReturned, preset to 77)."""
    ret = ctypes.c_ulong(77)
    rc = int(w.api.WSAIoctl(s, code, inb, cb_in, outb, cb_out, ret, ov, routine))
    return rc, (w.err() if rc == ERR else 0), int(ret.value)


def _keepalive_opt(w: World, s: int) -> int:
    val, size = ctypes.c_int(9), ctypes.c_int(4)
    assert w.api.getsockopt(s, ws.SOL_SOCKET, ws.SO_KEEPALIVE, val, size) == 0
    return val.value


# -- SIO_KEEPALIVE_VALS -------------------------------------------------------------
@pytest.mark.parametrize("profile", PROFILES)
def test_keepalive_vals_no_input_is_efault_size_zero(profile: str) -> None:
    """W76 (test_keepalive_vals): input size 0 or a NULL input -> WSAEFAULT with
    *lpcbBytesReturned set to 0."""
    w = World(profile)
    s = w.tcp()
    assert _ioctl(w, s, ws.SIO_KEEPALIVE_VALS, KA.pack(1, 1, 1), 0, None, 0) == (ERR, ws.WSAEFAULT, 0)
    assert _ioctl(w, s, ws.SIO_KEEPALIVE_VALS, None, 12, None, 0) == (ERR, ws.WSAEFAULT, 0)
    assert _keepalive_opt(w, s) == 0


@pytest.mark.parametrize("profile", PROFILES)
def test_keepalive_vals_short_input_overlapped(profile: str) -> None:
    """W76: input one byte short with an OVERLAPPED -> WSAEFAULT at once, size
    untouched, no packet; Windows leaves Internal = STATUS_PENDING [TODO_WINE]
    (Policy.short_keepalive_vals_marks_pending), the documents leave it alone."""
    w = World(profile)
    s = w.tcp()
    port = w.api.CreateIoCompletionPort(s, None, 5, 0)
    ov = ws.WSAOVERLAPPED()
    ov.Internal = 0xBEEF
    got = _ioctl(w, s, ws.SIO_KEEPALIVE_VALS, KA.pack(1, 1, 1), 11, None, 0, ov)
    assert got == (ERR, ws.WSAEFAULT, 77)
    assert ov.Internal == (ws.STATUS_PENDING if w.windows else 0xBEEF)
    assert w.packets(port) == []


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("vals", [(0, 0, 0), (1, 0, 0), (0, 1, 0), (0, 0, 1), (1, 10000, 10000)])
def test_keepalive_vals_any_values_succeed(profile: str, vals: tuple[int, int, int]) -> None:
    """W76: any onoff/time/interval values succeed with size 0; the values are
    stored on the socket and SO_KEEPALIVE reflects onoff (a longer input is fine,
    as for FIONBIO, W75)."""
    w = World(profile)
    s = w.tcp()
    assert _ioctl(w, s, ws.SIO_KEEPALIVE_VALS, KA.pack(*vals) + b"xx", 14, None, 0) == (0, 0, 0)
    assert _keepalive_opt(w, s) == vals[0]
    sock = w.spi.table[s]
    assert (sock.keepalive_time, sock.keepalive_interval) == vals[1:]


@pytest.mark.parametrize("profile", PROFILES)
def test_keepalive_vals_overlapped_completes_with_profile_bytes(profile: str) -> None:
    """W37 (test_keepalive_vals): with an OVERLAPPED the call returns 0 at once and
    queues one successful packet of 0 bytes; a completion routine runs once
    with error 0 and size 0."""
    w = World(profile)
    s = w.tcp()
    port = w.api.CreateIoCompletionPort(s, None, 9, 0)
    ov = ws.WSAOVERLAPPED()
    assert _ioctl(w, s, ws.SIO_KEEPALIVE_VALS, KA.pack(1, 5000, 500), 12, None, 0, ov) == (0, 0, 0)
    assert w.packets(port) == [(1, 0, 9, ov, 0)]
    s2 = w.tcp()
    rec = Recorder()
    ov2 = ws.WSAOVERLAPPED()
    assert _ioctl(w, s2, ws.SIO_KEEPALIVE_VALS, KA.pack(0, 0, 0), 12, None, 0, ov2, rec) == (0, 0, 0)
    w.alert()
    assert [c[:2] for c in rec.calls] == [(0, 0)]


@pytest.mark.parametrize("profile", PROFILES)
def test_keepalive_vals_on_udp_is_not_modelled(profile: str) -> None:
    """Design choice (docs/design-choices.md, Ioctls): SIO_KEEPALIVE_VALS is a
    TCP option (its documentation) and no observation covers UDP, so a datagram
    socket gets the unmodelled answer: WSAEOPNOTSUPP with size 0 (W38's form),
    NotModelledError in strict mode."""
    w = World(profile)
    s, _ = w.udp()
    assert _ioctl(w, s, ws.SIO_KEEPALIVE_VALS, KA.pack(1, 1, 1), 12, None, 0) == (ERR, ws.WSAEOPNOTSUPP, 0)
    sim = ws.Simulator(profile=profile, strict=True)
    api = sim.add_host("10.0.0.2").ws2
    assert api.WSAStartup(0x0202, ws.WSADATA()) == 0
    u = api.WSASocketW(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP, None, 0, 0)
    with pytest.raises(NotModelledError):
        api.WSAIoctl(u, ws.SIO_KEEPALIVE_VALS, KA.pack(1, 1, 1), 12, None, 0, ctypes.c_ulong(), None, None)


# -- SIO_ROUTING_INTERFACE_QUERY ------------------------------------------------------
def _route(w: World, s: int, dst: bytes, cb_in: int | None = None, out_size: int = 16,
           cb_out: int | None = None, out: bool = True) -> tuple[int, int, int, bytes]:  # fmt: skip
    buf = bytearray(out_size) if out else None
    rc, err, size = _ioctl(
        w, s, ws.SIO_ROUTING_INTERFACE_QUERY, dst, len(dst) if cb_in is None else cb_in,
        buf, out_size if cb_out is None else cb_out,
    )  # fmt: skip
    return rc, err, size, bytes(buf or b"")


@pytest.mark.parametrize("profile", PROFILES)
def test_routing_interface_query_answers(profile: str) -> None:
    """W78 (test_sioRoutingInterfaceQuery): the output is the local sockaddr
    (port 0) the host would use (Network.source_ip): loopback for loopback, the
    host's address for another host; the size is the sockaddr's."""
    w = World(profile)
    w.sim.add_host("10.0.0.2")
    s, _ = w.udp()
    dst = bytes(ws.sockaddr("127.0.0.1", 80))
    assert _route(w, s, dst) == (0, 0, 16, bytes(ws.sockaddr("127.0.0.1", 0)))
    dst = bytes(ws.sockaddr("10.0.0.2", 80))
    assert _route(w, s, dst) == (0, 0, 16, bytes(ws.sockaddr("10.0.0.1", 0)))


@pytest.mark.parametrize("profile", PROFILES)
def test_routing_interface_query_input_errors(profile: str) -> None:
    """W78: input one byte short -> WSAEINVAL; NULL input -> WSAEINVAL; a sockaddr
    with family 0 -> WSAEAFNOSUPPORT, size untouched."""
    w = World(profile)
    s = w.tcp()
    dst = bytes(ws.sockaddr("127.0.0.1", 80))
    assert _route(w, s, dst, cb_in=15)[:3] == (ERR, ws.WSAEINVAL, 77)
    rc, err, _size = _ioctl(w, s, ws.SIO_ROUTING_INTERFACE_QUERY, None, 16, bytearray(16), 16)
    assert (rc, err) == (ERR, ws.WSAEINVAL)
    assert _route(w, s, bytes(16))[:3] == (ERR, ws.WSAEAFNOSUPPORT, 77)


@pytest.mark.parametrize("profile", PROFILES)
def test_routing_interface_query_output_errors(profile: str) -> None:
    """W78: output one byte short -> WSAEFAULT with the size set to the required
    length; NULL output -> WSAEFAULT, size untouched."""
    w = World(profile)
    s = w.tcp()
    dst = bytes(ws.sockaddr("127.0.0.1", 80))
    assert _route(w, s, dst, out_size=15) == (ERR, ws.WSAEFAULT, 16, bytes(15))
    assert _route(w, s, dst, out=False)[:3] == (ERR, ws.WSAEFAULT, 77)


@pytest.mark.parametrize("profile", PROFILES)
def test_routing_interface_query_unreachable_family(profile: str) -> None:
    """Brief / Network.source_ip: a destination of a family the host has no
    address of (no IPv6 address besides ::1 here) is WSAENETUNREACH, as
    WSPConnect answers the same case (lifecycle)."""
    w = World(profile)
    s = w.tcp()
    dst = struct.pack("<HHI", ws.AF_INET6, 80, 0) + bytes.fromhex("20010db8" + "00" * 11 + "01") + bytes(4)
    assert _route(w, s, dst, out_size=28)[:3] == (ERR, ws.WSAENETUNREACH, 77)


@pytest.mark.parametrize("profile", PROFILES)
def test_routing_interface_query_overlapped_packet(profile: str) -> None:
    """W37 (test_sioRoutingInterfaceQuery ≈10640): with an OVERLAPPED the call
    returns 0, the size is written, and one packet is queued (0 bytes on
    Windows, the byte count in the documented profile: SPI-FACTS 3.4)."""
    w = World(profile)
    s = w.tcp()
    port = w.api.CreateIoCompletionPort(s, None, 2, 0)
    ov = ws.WSAOVERLAPPED()
    out = bytearray(16)
    dst = bytes(ws.sockaddr("127.0.0.1", 80))
    assert _ioctl(w, s, ws.SIO_ROUTING_INTERFACE_QUERY, dst, 16, out, 16, ov) == (0, 0, 16)
    assert w.packets(port) == [(1, 0 if w.windows else 16, 2, ov, 0)]


# -- SIO_ADDRESS_LIST_QUERY ------------------------------------------------------------
def _addr_list(ips: list[str], family: int = ws.AF_INET) -> bytes:
    size = 28 if family == ws.AF_INET6 else 16
    head = 8 + 16 * len(ips)
    out = struct.pack("<i4x", len(ips))
    for i in range(len(ips)):
        out += struct.pack("<Qi4x", head + i * size, size)
    for ip in ips:
        out += bytes(ws.sockaddr(ip, 0))
    return out


@pytest.mark.parametrize("profile", PROFILES)
def test_address_list_query_lists_the_family(profile: str) -> None:
    """W79 (test_address_list_query) with the x64 layout (docs/design-choices.md,
    Ioctls): INT count, padding, 16-byte SOCKET_ADDRESS entries whose pointer is
    an offset into the buffer, then the sockaddrs; loopback is not listed; the
    size is the whole list."""
    w = World(profile)
    w.sim.reroute("10.0.0.9", w.host)
    s, _ = w.udp()
    want = _addr_list(["10.0.0.1", "10.0.0.9"])
    out = bytearray(len(want) + 10)
    assert _ioctl(w, s, ws.SIO_ADDRESS_LIST_QUERY, None, 0, out, len(out)) == (0, 0, len(want))
    assert bytes(out[: len(want)]) == want


@pytest.mark.parametrize("profile", PROFILES)
def test_address_list_query_size_rules(profile: str) -> None:
    """W79: NULL output or size 0 -> WSAEFAULT with the required size; size 1 ->
    WSAEINVAL with size 0; header only (sizeof(SOCKET_ADDRESS_LIST), 24 on x64)
    -> WSAEFAULT with the required size, buffer untouched; these immediate
    failures leave an OVERLAPPED untouched and queue nothing."""
    w = World(profile)
    w.sim.reroute("10.0.0.9", w.host)
    s = w.tcp()
    port = w.api.CreateIoCompletionPort(s, None, 1, 0)
    need = len(_addr_list(["10.0.0.1", "10.0.0.9"]))
    ov = ws.WSAOVERLAPPED()
    ov.Internal, ov.InternalHigh = 0x55, 0x66
    assert _ioctl(w, s, ws.SIO_ADDRESS_LIST_QUERY, None, 0, None, 0, ov) == (ERR, ws.WSAEFAULT, need)
    assert _ioctl(w, s, ws.SIO_ADDRESS_LIST_QUERY, None, 0, bytearray(4), 0, ov) == (ERR, ws.WSAEFAULT, need)
    assert _ioctl(w, s, ws.SIO_ADDRESS_LIST_QUERY, None, 0, bytearray(4), 1, ov) == (ERR, ws.WSAEINVAL, 0)
    head = bytearray(b"\xaa" * 24)
    assert _ioctl(w, s, ws.SIO_ADDRESS_LIST_QUERY, None, 0, head, 24, ov) == (ERR, ws.WSAEFAULT, need)
    assert head == b"\xaa" * 24
    assert (ov.Internal, ov.InternalHigh) == (0x55, 0x66)
    assert w.packets(port) == []


@pytest.mark.parametrize("profile", PROFILES)
def test_address_list_query_overlapped_success(profile: str) -> None:
    """W37 (test_address_list_query ≈12280): a successful query with an OVERLAPPED
    returns 0 with the size written and queues one packet (0 bytes on Windows)."""
    w = World(profile)
    s = w.tcp()
    port = w.api.CreateIoCompletionPort(s, None, 4, 0)
    want = _addr_list(["10.0.0.1"])
    out = bytearray(64)
    ov = ws.WSAOVERLAPPED()
    assert _ioctl(w, s, ws.SIO_ADDRESS_LIST_QUERY, None, 0, out, 64, ov) == (0, 0, len(want))
    assert bytes(out[: len(want)]) == want
    assert w.packets(port) == [(1, 0 if w.windows else len(want), 4, ov, 0)]


@pytest.mark.parametrize("profile", PROFILES)
def test_address_list_query_ipv6_socket(profile: str) -> None:
    """W79 (the socket's family): an IPv6 socket on a host with no IPv6 address
    but ::1 gets an empty list (count 0, 8 bytes)."""
    w = World(profile)
    s = int(w.api.WSASocketW(ws.AF_INET6, ws.SOCK_DGRAM, ws.IPPROTO_UDP, None, 0, 0))
    out = bytearray(32)
    assert _ioctl(w, s, ws.SIO_ADDRESS_LIST_QUERY, None, 0, out, 32) == (0, 0, 8)
    assert bytes(out[:8]) == bytes(8)
