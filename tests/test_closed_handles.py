"""The switch keeps a closed handle's record only while a request issued through
it can still complete (docs/design-choices.md, core model: handles)."""

from __future__ import annotations

import ctypes

import wsspi_sim as ws


def test_closed_handles_leave_no_record_behind() -> None:
    """Closing sockets with nothing pending keeps nothing: the switch's table of
    closed handles stays empty, so a long run does not grow (issue 7: lean sockets)."""
    sim = ws.Simulator()
    api = sim.add_host("10.0.0.1").ws2
    api.WSAStartup(0x0202, ws.WSADATA())
    for _ in range(100):
        s = api.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP)
        assert api.closesocket(s) == 0
    assert api.zombies == {}


def test_record_kept_until_a_request_on_a_closed_duplicate_completes() -> None:
    """SPI-FACTS 3.7: closing a descriptor that is not the last reference aborts
    nothing, so a receive issued through it still completes later, through the
    port it was associated with."""
    sim = ws.Simulator()
    host = sim.add_host("10.0.0.1")
    api = host.ws2
    api.WSAStartup(0x0202, ws.WSADATA())
    lst = api.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP)
    api.bind(lst, ws.sockaddr("10.0.0.1", 7000), 16)
    api.listen(lst, 1)
    c = api.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP)
    assert api.connect(c, ws.sockaddr("10.0.0.1", 7000), 16) == 0
    srv = api.accept(lst, None, None)
    info = ws.WSAPROTOCOL_INFOW()
    assert api.WSADuplicateSocketW(srv, api.GetCurrentProcessId(), info) == 0
    dup = api.WSASocketW(ws.FROM_PROTOCOL_INFO, ws.FROM_PROTOCOL_INFO, ws.FROM_PROTOCOL_INFO, info, 0, ws.WSA_FLAG_OVERLAPPED)
    port = api.CreateIoCompletionPort(srv, None, 7, 0)
    buf = bytearray(8)
    ov = ws.WSAOVERLAPPED()
    rc = api.WSARecv(srv, [ws.WSABUF(8, buf)], 1, ctypes.c_ulong(), ctypes.c_ulong(0), ov, None)
    assert rc == ws.SOCKET_ERROR and api.WSAGetLastError() == ws.WSA_IO_PENDING
    assert api.closesocket(srv) == 0
    assert srv in api.zombies  # a request issued through it is still pending
    assert api.send(c, b"late", 4, 0) == 4
    n, key = ctypes.c_ulong(), ctypes.c_uint64()
    holder = type("Out", (), {"value": None})()
    assert api.GetQueuedCompletionStatus(port, n, key, holder, 0) == ws.TRUE
    assert holder.value is ov and n.value == 4 and key.value == 7 and bytes(buf[:4]) == b"late"
    assert api.closesocket(dup) == 0


def test_a_bool_handle_is_not_a_socket_at_either_level() -> None:
    """DESIGN 2: "BOOL parameters take Python bools (or ints)" -- a bool is an int
    to C, and FALSE/TRUE (0/1) are never handles: WSAENOTSOCK at the switch and at
    the provider alike (found by the fuzz suite through AcceptEx)."""
    sim = ws.Simulator()
    host = sim.add_host("10.0.0.1")
    api = host.ws2
    api.WSAStartup(0x0202, ws.WSADATA())
    for h in (False, True):
        assert api.closesocket(h) == ws.SOCKET_ERROR
        assert api.WSAGetLastError() == ws.WSAENOTSOCK
        errno = ctypes.c_int()
        assert host.provider.WSPCloseSocket(h, errno) == ws.SOCKET_ERROR
        assert errno.value == ws.WSAENOTSOCK
        assert api.AcceptEx(h, 0, bytearray(64), 0, 32, 32, ctypes.c_ulong(), ws.WSAOVERLAPPED()) == ws.FALSE
        assert api.WSAGetLastError() == ws.WSAENOTSOCK
