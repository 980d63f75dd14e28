"""WSADuplicateSocketW / WSPDuplicateSocket and importing the duplicate with
WSASocketW in the target process (SPI-FACTS 3.7 "WSPDuplicateSocket"; DESIGN 2;
WINDOWS-OBSERVED W9, W15)."""

from __future__ import annotations

import ctypes
from typing import Any

import pytest
from closekit import (
    INVALID,
    PROFILES,
    SOCKET_ERROR,
    World,
    bind,
    drain,
    err,
    get_int,
    local_port,
    nonblocking,
    overlapped_recv,
    set_int,
    signalled,
    tcp,
    tcp_pair,
    udp,
    world,
)

import wsspi_sim as ws

FPI = ws.FROM_PROTOCOL_INFO
#: The two calling conventions DESIGN 2 names for importing a duplicate.
IMPORTS = {"from-protocol-info": (FPI, FPI, FPI), "zeros": (0, 0, 0)}


@pytest.fixture(params=PROFILES)
def w(request: pytest.FixtureRequest) -> World:
    return world(request.param)


@pytest.fixture(params=sorted(IMPORTS))
def how(request: pytest.FixtureRequest) -> tuple[int, int, int]:
    return IMPORTS[request.param]


def process(w: World) -> Any:
    """A second, started process on host a."""
    api = w.a.new_process()
    assert api.WSAStartup(0x0202, ws.WSADATA()) == 0
    return api


def duplicate(w: World, s: int, target: Any, how: tuple[int, int, int] = (FPI, FPI, FPI),
              into: Any = None) -> int:  # fmt: skip
    """Duplicate ``s`` (of w.api) for ``target`` and import it in ``into`` (default: target)."""
    info = ws.WSAPROTOCOL_INFOW()
    assert w.api.WSADuplicateSocketW(s, target.GetCurrentProcessId(), info) == 0, err(w.api)
    into = into or target
    d = into.WSASocketW(*how, info, 0, ws.WSA_FLAG_OVERLAPPED)
    assert d != INVALID, err(into)
    return int(d)


def test_duplicate_shares_the_endpoint(w: World, how: tuple[int, int, int]) -> None:
    """SPI-FACTS 3.7: "Descriptors are duplicated, not the socket: all state (options,
    etc.) is shared" -- bytes the peer sends can be read through either descriptor,
    bytes sent through the duplicate reach the peer on the same connection, and the
    duplicate reports the same local and peer address."""
    c, srv = tcp_pair(w)
    api2 = process(w)
    d = duplicate(w, c, api2, how)
    assert d != c
    assert local_port(api2, d) == local_port(w.api, c)
    assert w.bapi.send(srv, b"onetwo", 6, 0) == 6
    buf = bytearray(3)
    assert api2.recv(d, buf, 3, 0) == 3 and buf == b"one"
    assert w.api.recv(c, buf, 3, 0) == 3 and buf == b"two"
    assert api2.send(d, b"from-dup", 8, 0) == 8
    assert w.api.send(c, b"+orig", 5, 0) == 5
    out = bytearray(32)
    assert w.bapi.recv(srv, out, 32, 0) == 13 and out[:13] == b"from-dup+orig"


def test_duplicate_shares_options(w: World, how: tuple[int, int, int]) -> None:
    """SPI-FACTS 3.7: "all state (options, etc.) is shared" -- an option set through one
    descriptor reads back through the other, in both directions."""
    s = udp(w.api)
    api2 = process(w)
    d = duplicate(w, s, api2, how)
    set_int(w.api, s, ws.SO_RCVBUF, 12345)
    assert get_int(api2, d, ws.SO_RCVBUF) == 12345
    set_int(api2, d, ws.SO_BROADCAST, 1)
    assert get_int(w.api, s, ws.SO_BROADCAST) == 1
    info = bytearray(ws.sizeof(ws.WSAPROTOCOL_INFOW))
    assert api2.getsockopt(d, ws.SOL_SOCKET, ws.SO_PROTOCOL_INFOW, info, ctypes.c_int(len(info))) == 0
    assert ws.WSAPROTOCOL_INFOW.unpack(bytes(info)).iSocketType == ws.SOCK_DGRAM


def test_event_registration_is_per_underlying_socket(w: World) -> None:
    """SPI-FACTS 3.7: "Event registration (WSPAsyncSelect/WSPEventSelect) is per
    underlying socket: issuing one via any descriptor cancels the previous registration
    made via any descriptor." -- after WSAEventSelect through the duplicate, data signals
    the duplicate process's event, not the original's."""
    c, srv = tcp_pair(w)
    api2 = process(w)
    d = duplicate(w, c, api2)
    ev1 = w.api.WSACreateEvent()
    ev2 = api2.WSACreateEvent()
    assert w.api.WSAEventSelect(c, ev1, ws.FD_READ) == 0
    assert api2.WSAEventSelect(d, ev2, ws.FD_READ) == 0
    assert w.bapi.send(srv, b"x", 1, 0) == 1
    assert signalled(api2, ev2)
    assert not signalled(w.api, ev1)


def test_duplicate_overlapped_completes_in_its_own_process(w: World) -> None:
    """SPI-FACTS 3.7: "Non-IFS providers must call WPUCreateSocketHandle for the new
    descriptor" -- the duplicate is a handle of the target process: an overlapped receive
    issued through it completes to that process's event and completion port."""
    c, srv = tcp_pair(w)
    api2 = process(w)
    d = duplicate(w, c, api2)
    port = api2.CreateIoCompletionPort(d, None, 9, 0)
    ov, buf = overlapped_recv(api2, d, 4)
    assert w.bapi.send(srv, b"data", 4, 0) == 4
    assert signalled(api2, ov.hEvent)
    assert (ov.OffsetHigh, ov.InternalHigh, bytes(buf)) == (0, 4, b"data")
    n, key, o = ctypes.c_ulong(), ctypes.c_uint64(), type("Out", (), {"value": None})()
    assert api2.GetQueuedCompletionStatus(port, n, key, o, 0) == ws.TRUE
    assert (n.value, key.value, o.value) == (4, 9, ov)
    got, fl = ctypes.c_ulong(), ctypes.c_ulong()
    assert api2.WSAGetOverlappedResult(d, ov, got, False, fl) == ws.TRUE and got.value == 4


def test_info_can_be_used_only_once(w: World, how: tuple[int, int, int]) -> None:
    """SPI-FACTS 3.7: "the target passes it to WSPSocket; the info can be used only once"
    -- a second WSASocketW with the same WSAPROTOCOL_INFOW fails WSAEINVAL (also as
    packed bytes)."""
    s = tcp(w.api)
    api2 = process(w)
    info = ws.WSAPROTOCOL_INFOW()
    assert w.api.WSADuplicateSocketW(s, api2.GetCurrentProcessId(), info) == 0
    assert api2.WSASocketW(*how, info.pack(), 0, 0) != INVALID
    assert api2.WSASocketW(*how, info, 0, 0) == INVALID
    assert err(api2) == ws.WSAEINVAL


def test_closing_one_descriptor_leaves_the_other_working(w: World) -> None:
    """SPI-FACTS 3.7: "a WSPCloseSocket on one descriptor deallocates that descriptor
    only; the underlying socket stays open until the last remaining descriptor is
    closed." -- after closing the original the duplicate still sends and receives and
    the peer sees no close; closing the duplicate then closes gracefully."""
    c, srv = tcp_pair(w)
    api2 = process(w)
    d = duplicate(w, c, api2)
    assert w.api.closesocket(c) == 0
    assert w.api.send(c, b"x", 1, 0) == SOCKET_ERROR and err(w.api) == ws.WSAENOTSOCK
    nonblocking(w.bapi, srv)
    assert w.bapi.recv(srv, bytearray(4), 4, 0) == SOCKET_ERROR
    assert err(w.bapi) == ws.WSAEWOULDBLOCK
    assert api2.send(d, b"alive", 5, 0) == 5
    assert w.bapi.send(srv, b"pong", 4, 0) == 4
    buf = bytearray(8)
    assert api2.recv(d, buf, 8, 0) == 4 and buf[:4] == b"pong"
    assert api2.closesocket(d) == 0  # the last reference
    assert w.a.provider.table.get(d) is None
    assert drain(w.bapi, srv) == (b"alive", 0)


def test_last_hard_close_tears_down(w: World) -> None:
    """SPI-FACTS 3.7: "the underlying socket stays open until the last remaining
    descriptor is closed" -- with WSPCloseSocket (a hard close) on the duplicate first
    the peer notices nothing; the hard close of the last descriptor resets the
    connection (the peer's receive fails WSAECONNRESET) and frees the port."""
    c, srv = tcp_pair(w)
    port = local_port(w.api, c)
    d = duplicate(w, c, w.api)  # a duplicate in the same process
    e = ctypes.c_int()
    assert w.spi.WSPCloseSocket(d, e) == 0
    nonblocking(w.bapi, srv)
    assert w.bapi.recv(srv, bytearray(4), 4, 0) == SOCKET_ERROR
    assert err(w.bapi) == ws.WSAEWOULDBLOCK
    assert w.spi.WSPCloseSocket(c, e) == 0
    assert w.bapi.recv(srv, bytearray(4), 4, 0) == SOCKET_ERROR
    assert err(w.bapi) == ws.WSAECONNRESET
    again = tcp(w.api)
    assert bind(w.api, again, "10.0.0.1", port) == 0


def test_wrong_target_process(w: World, how: tuple[int, int, int]) -> None:
    """SPI-FACTS 3.7: WSPDuplicateSocket "produces a special WSAPROTOCOL_INFOW for a target
    process id" -- a third process cannot import it (WSAEINVAL, SPI-FACTS 3.6), and the
    info then still works in the right process."""
    s = tcp(w.api)
    api2, api3 = process(w), process(w)
    info = ws.WSAPROTOCOL_INFOW()
    assert w.api.WSADuplicateSocketW(s, api2.GetCurrentProcessId(), info) == 0
    assert api3.WSASocketW(*how, info, 0, 0) == INVALID
    assert err(api3) == ws.WSAEINVAL
    assert api2.WSASocketW(*how, info, 0, 0) != INVALID


def test_unknown_pid(w: World) -> None:
    """SPI-FACTS 3.6 WSPDuplicateSocket: "WSAEINVAL" -- for a process id that no process
    of the host has; the info is left untouched."""
    s = tcp(w.api)
    info = ws.WSAPROTOCOL_INFOW()
    assert w.api.WSADuplicateSocketW(s, 0x7FFFFFF0, info) == SOCKET_ERROR
    assert err(w.api) == ws.WSAEINVAL
    assert info == ws.WSAPROTOCOL_INFOW()
    # a process of another host is unknown here as well
    assert w.api.WSADuplicateSocketW(s, w.bapi.GetCurrentProcessId(), info) == SOCKET_ERROR
    assert err(w.api) == ws.WSAEINVAL


def test_null_info_is_efault(w: World) -> None:
    """SPI-FACTS 3.6 (WSPDuplicateSocket: lpProtocolInfo is an out pointer) -- NULL fails
    WSAEFAULT, at the switch and at the provider."""
    s = tcp(w.api)
    api2 = process(w)
    assert w.api.WSADuplicateSocketW(s, api2.GetCurrentProcessId(), None) == SOCKET_ERROR
    assert err(w.api) == ws.WSAEFAULT
    e = ctypes.c_int()
    assert w.spi.WSPDuplicateSocket(s, api2.GetCurrentProcessId(), None, e) == SOCKET_ERROR
    assert e.value == ws.WSAEFAULT


def test_duplicate_of_bad_handle_is_enotsock(w: World) -> None:
    """SPI-FACTS 3.6 WSPDuplicateSocket: "WSAENOTSOCK" -- for a value that is no socket
    and for a closed handle."""
    s = tcp(w.api)
    assert w.api.closesocket(s) == 0
    for bad in (0xBAD0, s):
        assert w.api.WSADuplicateSocketW(bad, w.api.GetCurrentProcessId(), ws.WSAPROTOCOL_INFOW()) == SOCKET_ERROR
        assert err(w.api) == ws.WSAENOTSOCK


def test_import_after_the_socket_is_gone(w: World) -> None:
    """SPI-FACTS 3.7: "the underlying socket stays open until the last remaining
    descriptor is closed" -- an info not yet imported is no reference: once the last
    descriptor is closed the import fails WSAEINVAL."""
    s = tcp(w.api)
    api2 = process(w)
    info = ws.WSAPROTOCOL_INFOW()
    assert w.api.WSADuplicateSocketW(s, api2.GetCurrentProcessId(), info) == 0
    assert w.api.closesocket(s) == 0
    assert api2.WSASocketW(FPI, FPI, FPI, info, 0, 0) == INVALID
    assert err(api2) == ws.WSAEINVAL


def test_handle_of_another_process_is_enotsock(w: World) -> None:
    """W15: "ws2_32 validates against its own per-process socket table, not just the
    kernel handle" -- a handle value of one process is WSAENOTSOCK in another, for the
    original and for the duplicate alike."""
    c, _ = tcp_pair(w)
    api2 = process(w)
    d = duplicate(w, c, api2)
    assert api2.send(c, b"x", 1, 0) == SOCKET_ERROR and err(api2) == ws.WSAENOTSOCK
    assert w.api.send(d, b"x", 1, 0) == SOCKET_ERROR and err(w.api) == ws.WSAENOTSOCK
    assert api2.closesocket(c) == SOCKET_ERROR and err(api2) == ws.WSAENOTSOCK
    assert w.api.send(c, b"x", 1, 0) == 1  # untouched by the failed calls
