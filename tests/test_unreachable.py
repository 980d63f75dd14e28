"""A host with no address of a family cannot reach that family's network
(SPI-FACTS 3.6 WSPConnect / WSPSendTo: WSAENETUNREACH, "the network cannot be
reached from this host at this time")."""

from __future__ import annotations

import pytest

import wsspi_sim as ws


@pytest.fixture
def api() -> ws.WS2:
    sim = ws.Simulator()
    sim.add_host("fd00::2", "10.0.0.2")
    api = sim.add_host("10.0.0.1").ws2  # IPv4 only (and the loopbacks)
    api.WSAStartup(0x0202, ws.WSADATA())
    return api


def test_tcp_connect_to_ipv6_from_an_ipv4_only_host(api: ws.WS2) -> None:
    """SPI-FACTS 3.6 WSPConnect: WSAENETUNREACH; the host has no IPv6 source address."""
    s = api.socket(ws.AF_INET6, ws.SOCK_STREAM, ws.IPPROTO_TCP)
    assert api.connect(s, ws.sockaddr("fd00::2", 80), 28) == ws.SOCKET_ERROR
    assert api.WSAGetLastError() == ws.WSAENETUNREACH
    # loopback is always reachable
    assert api.connect(s, ws.sockaddr("::1", 80), 28) == ws.SOCKET_ERROR
    assert api.WSAGetLastError() == ws.WSAECONNREFUSED


def test_udp_sendto_and_connect_to_ipv6_from_an_ipv4_only_host(api: ws.WS2) -> None:
    """SPI-FACTS 3.6 WSPSendTo / WSPConnect (datagram): WSAENETUNREACH."""
    u = api.socket(ws.AF_INET6, ws.SOCK_DGRAM, ws.IPPROTO_UDP)
    for _ in range(2):  # the second call takes the fast path, if any
        assert api.sendto(u, b"x", 1, 0, ws.sockaddr("fd00::2", 53), 28) == ws.SOCKET_ERROR
        assert api.WSAGetLastError() == ws.WSAENETUNREACH
    assert api.connect(u, ws.sockaddr("fd00::2", 53), 28) == ws.SOCKET_ERROR
    assert api.WSAGetLastError() == ws.WSAENETUNREACH
    assert api.sendto(u, b"x", 1, 0, ws.sockaddr("::1", 53), 28) == 1
    u4 = api.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP)
    assert api.sendto(u4, b"x", 1, 0, ws.sockaddr("10.0.0.2", 53), 16) == 1
