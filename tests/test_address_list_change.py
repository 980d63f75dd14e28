"""SIO_ADDRESS_LIST_CHANGE (WINDOWS-OBSERVED W30): an overlapped request pends
until the host's address list changes (Simulator.reroute giving the host a new
address) or the request is cancelled; closesocket cancels it; without an
OVERLAPPED a nonblocking socket gets WSAEWOULDBLOCK and a blocking one waits."""

from __future__ import annotations

import ctypes

import pytest
from ovl_kit import ERR, PROFILES, Recorder, World

import wsspi_sim as ws
from wsspi_sim.testing import invariant_problems


def _ioctl(w: World, s: int, ov: ws.WSAOVERLAPPED | None = None, routine: object = None) -> tuple[int, int]:
    """WSAIoctl(SIO_ADDRESS_LIST_CHANGE): (rc, bytes returned)."""
    ret = ctypes.c_ulong(77)
    rc = w.api.WSAIoctl(s, ws.SIO_ADDRESS_LIST_CHANGE, None, 0, None, 0, ret, ov, routine)
    return int(rc), int(ret.value)


@pytest.mark.parametrize("profile", PROFILES)
def test_pending_request_is_cancelled_by_closesocket(profile: str) -> None:
    """W30 (test_sioAddressListChange): on an IOCP-associated socket the request
    pends with no packet; closesocket then queues a packet: FALSE,
    ERROR_OPERATION_ABORTED, lpOverlapped = the request, 0 bytes."""
    w = World(profile)
    s, _ = w.udp()
    port = w.api.CreateIoCompletionPort(s, None, 7, 0)
    ov = ws.WSAOVERLAPPED()
    assert _ioctl(w, s, ov) == (ERR, 77)  # the byte count is not written now
    assert w.err() == ws.WSA_IO_PENDING
    w.sim.run_until_idle()
    assert w.packets(port) == []
    assert w.api.closesocket(s) == 0
    assert w.packets(port) == [(0, 0, 7, ov, ws.ERROR_OPERATION_ABORTED)]
    assert invariant_problems(w.sim) == []


@pytest.mark.parametrize("profile", PROFILES)
def test_tcp_request_is_cancelled_not_aborted(profile: str) -> None:
    """W30, W31: closing a connected TCP socket aborts its pending receive with the
    profile's error (W21), but a pending control request is cancelled:
    WSA_OPERATION_ABORTED, one packet, and the request's event is signalled."""
    w = World(profile)
    c, _ = w.pair()
    port = w.api.CreateIoCompletionPort(c, None, 3, 0)
    ov = ws.WSAOVERLAPPED(hEvent=w.event())
    assert _ioctl(w, c, ov)[0] == ERR and w.err() == ws.WSA_IO_PENDING
    assert not w.signalled(ov.hEvent)
    assert w.api.closesocket(c) == 0
    assert w.signalled(ov.hEvent)
    assert w.packets(port) == [(0, 0, 3, ov, ws.ERROR_OPERATION_ABORTED)]


@pytest.mark.parametrize("profile", PROFILES)
def test_reroute_completes_request_of_the_family(profile: str) -> None:
    """W30 in the model: the request completes (success, 0 bytes) when the host
    gains an address of the socket's family (Simulator.reroute); an IPv6 socket's
    request is untouched by a new IPv4 address."""
    w = World(profile)
    s4, _ = w.udp()
    s6 = int(w.api.WSASocketW(ws.AF_INET6, ws.SOCK_DGRAM, ws.IPPROTO_UDP, None, 0, ws.WSA_FLAG_OVERLAPPED))
    port = w.api.CreateIoCompletionPort(s4, None, 4, 0)
    assert w.api.CreateIoCompletionPort(s6, port, 6, 0) == port
    ov4, ov6 = ws.WSAOVERLAPPED(), ws.WSAOVERLAPPED()
    assert _ioctl(w, s4, ov4)[0] == ERR and w.err() == ws.WSA_IO_PENDING
    assert _ioctl(w, s6, ov6)[0] == ERR and w.err() == ws.WSA_IO_PENDING
    w.sim.reroute("10.0.0.9", w.host)
    assert w.packets(port) == [(1, 0, 4, ov4, 0)]
    w.sim.reroute("10.0.0.9", w.host)  # already owned: no change, nothing completes
    assert w.packets(port) == []
    assert w.api.closesocket(s6) == 0
    assert w.packets(port) == [(0, 0, 6, ov6, ws.ERROR_OPERATION_ABORTED)]


@pytest.mark.parametrize("profile", PROFILES)
def test_cancelio_cancels_the_request(profile: str) -> None:
    """W30: the request stays pending until cancelled; CancelIoEx completes it with
    WSA_OPERATION_ABORTED (SPI-FACTS 3.4), exactly once, and the routine runs once."""
    w = World(profile)
    s, _ = w.udp()
    rec = Recorder()
    ov = ws.WSAOVERLAPPED()
    assert _ioctl(w, s, ov, rec)[0] == ERR and w.err() == ws.WSA_IO_PENDING
    assert w.api.CancelIoEx(s, ov)
    assert w.alert() == ws.WAIT_IO_COMPLETION
    assert rec.calls == [(ws.WSA_OPERATION_ABORTED, 0, ov, 0)]
    assert w.api.closesocket(s) == 0
    assert w.alert() == 0 and len(rec.calls) == 1


@pytest.mark.parametrize("profile", PROFILES)
def test_nonblocking_without_overlapped_would_block(profile: str) -> None:
    """W30: without an OVERLAPPED, a nonblocking socket gets WSAEWOULDBLOCK."""
    w = World(profile)
    s, _ = w.udp(overlapped=False)
    assert w.api.ioctlsocket(s, ws.FIONBIO, ctypes.c_ulong(1)) == 0
    assert _ioctl(w, s)[0] == ERR
    assert w.err() == ws.WSAEWOULDBLOCK


@pytest.mark.parametrize("profile", PROFILES)
def test_blocking_without_overlapped_blocks(profile: str) -> None:
    """W30: without an OVERLAPPED a blocking socket blocks forever; with nothing
    to change the address list, a single-threaded caller is a SimulationDeadlock
    (DESIGN 3)."""
    w = World(profile)
    s, _ = w.udp(overlapped=False)
    with pytest.raises(ws.SimulationDeadlock):
        _ioctl(w, s)
