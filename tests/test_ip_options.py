"""IPPROTO_IP / IPPROTO_IPV6 options: the few that are modelled, and the rest
failing loudly (DESIGN 2: "A ... option the simulation does not model returns
SOCKET_ERROR with WSAEOPNOTSUPP (or WSAENOPROTOOPT / WSAEINVAL where Windows
would)")."""

from __future__ import annotations

import ctypes
import struct

import pytest

import wsspi_sim as ws


@pytest.fixture
def api() -> ws.WS2:
    sim = ws.Simulator()
    host = sim.add_host("10.0.0.1", "fd00::1")
    host.ws2.WSAStartup(0x0202, ws.WSADATA())
    return host.ws2


def _get(api: ws.WS2, s: int, level: int, name: int) -> int:
    buf = bytearray(4)
    n = ctypes.c_int(4)
    assert api.getsockopt(s, level, name, buf, n) == 0
    assert n.value == 4
    return int(struct.unpack("<i", buf)[0])


def test_ip_ttl_defaults_to_128_and_is_settable(api: ws.WS2) -> None:
    """Windows' default hop limit is 128; IP_TTL reads and writes it (ws2ipdef.h IP_TTL = 4)."""
    s = api.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP)
    assert _get(api, s, ws.IPPROTO_IP, ws.IP_TTL) == 128
    assert api.setsockopt(s, ws.IPPROTO_IP, ws.IP_TTL, struct.pack("<i", 7), 4) == 0
    assert _get(api, s, ws.IPPROTO_IP, ws.IP_TTL) == 7
    assert api.setsockopt(s, ws.IPPROTO_IP, ws.IP_TTL, struct.pack("<i", 300), 4) == ws.SOCKET_ERROR
    assert api.WSAGetLastError() == ws.WSAEINVAL
    assert api.setsockopt(s, ws.IPPROTO_IP, ws.IP_TTL, b"\x01", 1) == ws.SOCKET_ERROR
    assert api.WSAGetLastError() == ws.WSAEFAULT


def test_ipv6_options(api: ws.WS2) -> None:
    """IPV6_V6ONLY is on by default on Windows; IPV6_UNICAST_HOPS is the IPv6 hop limit."""
    s = api.socket(ws.AF_INET6, ws.SOCK_STREAM, ws.IPPROTO_TCP)
    assert _get(api, s, ws.IPPROTO_IPV6, ws.IPV6_V6ONLY) == 1
    assert _get(api, s, ws.IPPROTO_IPV6, ws.IPV6_UNICAST_HOPS) == 128
    assert api.setsockopt(s, ws.IPPROTO_IPV6, ws.IPV6_UNICAST_HOPS, struct.pack("<i", 9), 4) == 0
    assert _get(api, s, ws.IPPROTO_IPV6, ws.IPV6_UNICAST_HOPS) == 9


def test_dual_stack_is_not_modelled_and_says_so() -> None:
    """IPV6_V6ONLY = 0 (dual-stack) is not modelled: WSAEINVAL, or NotModelledError in strict mode."""
    for strict in (False, True):
        sim = ws.Simulator(strict=strict)
        api = sim.add_host("fd00::1").ws2
        api.WSAStartup(0x0202, ws.WSADATA())
        s = api.socket(ws.AF_INET6, ws.SOCK_STREAM, ws.IPPROTO_TCP)
        if strict:
            with pytest.raises(ws.NotModelledError):
                api.setsockopt(s, ws.IPPROTO_IPV6, ws.IPV6_V6ONLY, struct.pack("<i", 0), 4)
        else:
            assert api.setsockopt(s, ws.IPPROTO_IPV6, ws.IPV6_V6ONLY, struct.pack("<i", 0), 4) == -1
            assert api.WSAGetLastError() == ws.WSAEINVAL


def test_wrong_family_level_and_unmodelled_options(api: ws.WS2) -> None:
    """An IPPROTO_IP option on an IPv6 socket, and IP options that are not
    modelled, fail WSAENOPROTOOPT (SPI-FACTS 3.6 WSPGetSockOpt: option unknown or
    unsupported by the family)."""
    s6 = api.socket(ws.AF_INET6, ws.SOCK_DGRAM, ws.IPPROTO_UDP)
    buf, n = bytearray(4), ctypes.c_int(4)
    assert api.getsockopt(s6, ws.IPPROTO_IP, ws.IP_TTL, buf, n) == ws.SOCKET_ERROR
    assert api.WSAGetLastError() == ws.WSAENOPROTOOPT
    s4 = api.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP)
    assert api.setsockopt(s4, ws.IPPROTO_IP, ws.IP_TOS, struct.pack("<i", 1), 4) == ws.SOCKET_ERROR
    assert api.WSAGetLastError() == ws.WSAENOPROTOOPT
