"""The Microsoft extension functions AcceptEx, ConnectEx, DisconnectEx and
GetAcceptExSockaddrs (WINDOWS-OBSERVED W14, W23-W27, W43, W53, W55, W77,
W87, W89; docs/design-choices.md "Extension functions").  Both profiles
unless a case says otherwise."""

from __future__ import annotations

import ctypes
from typing import Any

import pytest
from sockapi_helpers import PROFILES, bind, err, listener, pair, tcp, udp, world

import wsspi_sim as ws
from wsspi_sim.constants import (
    TF_REUSE_SOCKET,
    WSAID_ACCEPTEX,
    WSAID_CONNECTEX,
    WSAID_DISCONNECTEX,
)

ERR = ws.SOCKET_ERROR
SLOT = 16 + 16  # sizeof(sockaddr_in) + 16


@pytest.fixture(params=PROFILES)
def env(request: pytest.FixtureRequest) -> tuple[ws.Simulator, ws.Host, Any]:
    return world(request.param)


def _port(api: Any, s: int) -> int:
    buf = bytearray(28)
    n = ctypes.c_int(28)
    assert api.getsockname(s, buf, n) == 0
    return int(ws.parse_sockaddr(bytes(buf[: n.value]))[2])


def _pointer(api: Any, s: int, guid: bytes) -> bytearray:
    out = bytearray(8)
    got = ctypes.c_ulong(0)
    assert api.WSAIoctl(s, ws.SIO_GET_EXTENSION_FUNCTION_POINTER, guid, 16, out, 8, got, None, None) == 0, err(api)
    assert got.value == 8
    return out


def _gor(api: Any, h: int, ov: ws.WSAOVERLAPPED) -> tuple[int, int, int]:
    n = ctypes.c_ulong(0xDEAD)
    ok = api.GetOverlappedResult(h, ov, n, False)
    return ok, n.value, (0 if ok else err(api))


def _accept_ex(api: Any, lst: int, acc: int, buf: bytearray, recvlen: int, ov: ws.WSAOVERLAPPED) -> int:
    got = ctypes.c_ulong(0)
    return int(api.AcceptEx(lst, acc, buf, recvlen, SLOT, SLOT, got, ov))


# -- the pointers (W14, W77) -------------------------------------------------------------


def test_pointers_resolve_to_the_functions(env: Any) -> None:
    """W77 (known GUIDs succeed where an unknown one is WSAEINVAL); mswsock.h GUIDs:
    the 8 bytes written name AcceptEx, ConnectEx and DisconnectEx."""
    api = env[2]
    s = tcp(api)
    for guid, name in ((WSAID_ACCEPTEX, "AcceptEx"), (WSAID_CONNECTEX, "ConnectEx"), (WSAID_DISCONNECTEX, "DisconnectEx")):
        out = _pointer(api, s, guid)
        fn = api.extension_function(out)
        assert fn.__name__ == name
        assert api.extension_function(int.from_bytes(out, "little")).__name__ == name
    with pytest.raises(ValueError):
        api.extension_function(b"\x01" * 8)


def test_w77_unknown_guid_is_einval_size_untouched(env: Any) -> None:
    """W77: unknown GUID to SIO_GET_EXTENSION_FUNCTION_POINTER -> WSAEINVAL, size
    and output untouched."""
    api = env[2]
    s = tcp(api)
    out = bytearray(8)
    got = ctypes.c_ulong(0xDEAD)
    rc = api.WSAIoctl(s, ws.SIO_GET_EXTENSION_FUNCTION_POINTER, bytes(range(16)), 16, out, 8, got, None, None)
    assert rc == ERR and err(api) == ws.WSAEINVAL
    assert got.value == 0xDEAD and out == bytes(8)


def test_w14_extension_functions_on_invalid_socket_are_enotsock(env: Any) -> None:
    """W14: extension functions on INVALID_SOCKET fail WSAENOTSOCK; AcceptEx with an
    invalid listening or accept socket still sets Internal to STATUS_PENDING."""
    api = env[2]
    lst, _ = listener(api)
    acc = tcp(api)
    for a, b in ((ws.INVALID_SOCKET, acc), (lst, ws.INVALID_SOCKET)):
        ov = ws.WSAOVERLAPPED()
        ov.Internal = 0x1234
        assert _accept_ex(api, a, b, bytearray(2 * SLOT), 0, ov) == ws.FALSE
        assert err(api) == ws.WSAENOTSOCK
        assert ov.Internal == ws.WSS_OPERATION_IN_PROGRESS
    name = ws.sockaddr("127.0.0.1", 1)
    assert api.ConnectEx(ws.INVALID_SOCKET, name, len(name), None, 0, None, ws.WSAOVERLAPPED()) == ws.FALSE
    assert err(api) == ws.WSAENOTSOCK
    assert api.DisconnectEx(ws.INVALID_SOCKET, None, 0, 0) == ws.FALSE
    assert err(api) == ws.WSAENOTSOCK


# -- ConnectEx (W43, W87) ------------------------------------------------------------------


def test_w87_connectex_argument_and_state_checks(env: Any) -> None:
    """W87: ConnectEx on an unbound socket -> WSAEINVAL; on a listening socket ->
    WSAEINVAL with Internal STATUS_PENDING; NULL OVERLAPPED -> ERROR_INVALID_PARAMETER;
    on a connected socket -> WSAEISCONN."""
    api = env[2]
    lst, port = listener(api)
    name = ws.sockaddr("127.0.0.1", port)
    s = tcp(api)
    assert api.ConnectEx(s, name, len(name), None, 0, None, ws.WSAOVERLAPPED()) == ws.FALSE
    assert err(api) == ws.WSAEINVAL
    ov = ws.WSAOVERLAPPED()
    assert api.ConnectEx(lst, name, len(name), None, 0, None, ov) == ws.FALSE
    assert err(api) == ws.WSAEINVAL and ov.Internal == ws.WSS_OPERATION_IN_PROGRESS
    assert bind(api, s) == 0
    assert api.ConnectEx(s, name, len(name), None, 0, None, None) == ws.FALSE
    assert err(api) == ws.ERROR_INVALID_PARAMETER
    _, c, _ = pair(api)
    assert api.ConnectEx(c, name, len(name), None, 0, None, ws.WSAOVERLAPPED()) == ws.FALSE
    assert err(api) == ws.WSAEISCONN


def test_w43_connectex_queues_packet_with_send_bytes(env: Any) -> None:
    """W43: ConnectEx queues one packet (key, number of send-buffer bytes, e.g. 3);
    the bytes reach the peer."""
    api = env[2]
    lst, port = listener(api)
    s = tcp(api)
    assert bind(api, s) == 0
    port_h = api.CreateIoCompletionPort(s, None, 0x55, 0)
    ov = ws.WSAOVERLAPPED()
    name = ws.sockaddr("127.0.0.1", port)
    assert api.ConnectEx(s, name, len(name), b"abc", 3, ctypes.c_ulong(), ov) == ws.FALSE
    assert err(api) == ws.ERROR_IO_PENDING
    n, key, out = ctypes.c_ulong(), ctypes.c_size_t(), ctypes.py_object()
    assert api.GetQueuedCompletionStatus(port_h, n, key, out, 0) == 1
    assert (n.value, key.value, out.value) == (3, 0x55, ov)
    assert _gor(api, s, ov) == (ws.TRUE, 3, 0)
    srv = api.accept(lst, None, None)
    buf = bytearray(8)
    assert api.recv(srv, buf, 8, 0) == 3 and bytes(buf[:3]) == b"abc"
    assert api.GetQueuedCompletionStatus(port_h, n, key, out, 0) == 0  # exactly one


def test_w43_refused_connectex_is_connection_refused(env: Any) -> None:
    """W43: refused ConnectEx: GetOverlappedResult FALSE ERROR_CONNECTION_REFUSED
    (1225), 0 bytes, and the packet carries the same error; the low bit of hEvent
    suppresses the packet."""
    api = env[2]
    for low_bit in (False, True):
        s = tcp(api)
        assert bind(api, s) == 0
        port_h = api.CreateIoCompletionPort(s, None, 7, 0)
        ov = ws.WSAOVERLAPPED()
        ev = api.WSACreateEvent()
        ov.hEvent = ev | 1 if low_bit else ev
        name = ws.sockaddr("127.0.0.1", 1)  # nobody listens there
        assert api.ConnectEx(s, name, len(name), None, 0, ctypes.c_ulong(), ov) == ws.FALSE
        assert err(api) == ws.ERROR_IO_PENDING
        ok, nbytes, e = _gor(api, s, ov)
        assert (ok, nbytes) == (ws.FALSE, 0)
        if env[0].policy.internal_holds_ntstatus:
            assert e == ws.ERROR_CONNECTION_REFUSED
        n, key, out = ctypes.c_ulong(), ctypes.c_size_t(), ctypes.py_object()
        got = api.GetQueuedCompletionStatus(port_h, n, key, out, 0)
        if low_bit:
            assert got == 0 and out.value is None
        else:
            assert got == 0 and out.value is ov and key.value == 7


# -- AcceptEx (W23-W27, W89) -------------------------------------------------------------


def test_w89_acceptex_argument_and_state_checks(env: Any) -> None:
    """W89: non-listening -> WSAEINVAL; remote-address length 0 -> WSAEFAULT; NULL
    OVERLAPPED -> ERROR_INVALID_PARAMETER; accept socket UDP or bound -> WSAEINVAL;
    the same accept socket twice -> WSAEINVAL."""
    api = env[2]
    lst, _ = listener(api)
    acc = tcp(api)
    buf = bytearray(2 * SLOT)
    got = ctypes.c_ulong()
    assert _accept_ex(api, acc, tcp(api), buf, 0, ws.WSAOVERLAPPED()) == ws.FALSE
    assert err(api) == ws.WSAEINVAL
    assert api.AcceptEx(lst, acc, buf, 0, SLOT, 0, got, ws.WSAOVERLAPPED()) == ws.FALSE
    assert err(api) == ws.WSAEFAULT
    assert api.AcceptEx(lst, acc, buf, 0, SLOT, SLOT, got, None) == ws.FALSE
    assert err(api) == ws.ERROR_INVALID_PARAMETER
    assert _accept_ex(api, lst, udp(api), buf, 0, ws.WSAOVERLAPPED()) == ws.FALSE
    assert err(api) == ws.WSAEINVAL
    bound = tcp(api)
    assert bind(api, bound) == 0
    assert _accept_ex(api, lst, bound, buf, 0, ws.WSAOVERLAPPED()) == ws.FALSE
    assert err(api) == ws.WSAEINVAL
    assert _accept_ex(api, lst, acc, buf, 0, ws.WSAOVERLAPPED()) == ws.FALSE
    assert err(api) == ws.ERROR_IO_PENDING
    assert _accept_ex(api, lst, acc, bytearray(2 * SLOT), 0, ws.WSAOVERLAPPED()) == ws.FALSE
    assert err(api) == ws.WSAEINVAL
    name = ws.sockaddr("127.0.0.1", 9)
    assert api.connect(acc, name, len(name)) == ERR and err(api) == ws.WSAEINVAL  # W89


def test_w89_acceptex_without_receive_completes_on_connect(env: Any) -> None:
    """W89: without a receive buffer AcceptEx completes when the client connects;
    GetAcceptExSockaddrs reads the two addresses; the accept socket is connected."""
    api = env[2]
    lst, port = listener(api)
    acc = tcp(api)
    buf = bytearray(2 * SLOT)
    ov = ws.WSAOVERLAPPED()
    assert _accept_ex(api, lst, acc, buf, 0, ov) == ws.FALSE and err(api) == ws.ERROR_IO_PENDING
    assert _gor(api, lst, ov)[2] == ws.ERROR_IO_INCOMPLETE
    c = tcp(api)
    name = ws.sockaddr("127.0.0.1", port)
    assert api.connect(c, name, len(name)) == 0
    assert _gor(api, lst, ov) == (ws.TRUE, 0, 0)
    la, ll, ra, rl = ctypes.py_object(), ctypes.c_int(), ctypes.py_object(), ctypes.c_int()
    api.GetAcceptExSockaddrs(buf, 0, SLOT, SLOT, la, ll, ra, rl)
    assert ws.parse_sockaddr(la.value)[1:] == ("127.0.0.1", port) and ll.value == 16
    assert ws.parse_sockaddr(ra.value)[1:] == ("127.0.0.1", _port(api, c)) and rl.value == 16
    assert api.send(acc, b"hi", 2, 0) == 2
    out = bytearray(4)
    assert api.recv(c, out, 4, 0) == 2


def test_w27_acceptex_with_receive_waits_for_data(env: Any) -> None:
    """W89/W27: with a receive buffer AcceptEx completes only on the first data, and
    reports it (packet key = the listener's key, W26); the data sits at the start."""
    api = env[2]
    lst, port = listener(api)
    port_h = api.CreateIoCompletionPort(lst, None, 0x11, 0)
    acc = tcp(api)
    buf = bytearray(8 + 2 * SLOT)
    ov = ws.WSAOVERLAPPED()
    assert _accept_ex(api, lst, acc, buf, 8, ov) == ws.FALSE and err(api) == ws.ERROR_IO_PENDING
    c = tcp(api)
    name = ws.sockaddr("127.0.0.1", port)
    assert api.connect(c, name, len(name)) == 0
    assert _gor(api, lst, ov)[2] == ws.ERROR_IO_INCOMPLETE
    assert api.send(c, b"x", 1, 0) == 1
    n, key, out = ctypes.c_ulong(), ctypes.c_size_t(), ctypes.py_object()
    assert api.GetQueuedCompletionStatus(port_h, n, key, out, 0) == 1
    assert (n.value, key.value, out.value) == (1, 0x11, ov)
    assert bytes(buf[:1]) == b"x"


def test_w27_acceptex_completes_on_peer_close_without_data(env: Any) -> None:
    """W27 (a): the client connects then closes without sending: AcceptEx completes
    with success and 0 bytes."""
    api = env[2]
    lst, port = listener(api)
    acc = tcp(api)
    ov = ws.WSAOVERLAPPED()
    assert _accept_ex(api, lst, acc, bytearray(8 + 2 * SLOT), 8, ov) == ws.FALSE
    c = tcp(api)
    name = ws.sockaddr("127.0.0.1", port)
    assert api.connect(c, name, len(name)) == 0
    assert api.shutdown(c, ws.SD_SEND) == 0
    assert _gor(api, lst, ov) == (ws.TRUE, 0, 0)


@pytest.mark.parametrize("close", ["listener", "accept"])
def test_w23_w24_closing_either_socket_aborts_acceptex(env: Any, close: str) -> None:
    """W23/W24: closing the listener, or the accept socket, while AcceptEx pends ->
    one packet, ERROR_OPERATION_ABORTED, 0 bytes, key = the listener's key."""
    api = env[2]
    lst, _ = listener(api)
    port_h = api.CreateIoCompletionPort(lst, None, 0x22, 0)
    acc = tcp(api)
    ov = ws.WSAOVERLAPPED()
    assert _accept_ex(api, lst, acc, bytearray(8 + 2 * SLOT), 8, ov) == ws.FALSE
    assert api.closesocket(lst if close == "listener" else acc) == 0
    n, key, out = ctypes.c_ulong(), ctypes.c_size_t(), ctypes.py_object()
    assert api.GetQueuedCompletionStatus(port_h, n, key, out, 0) == 0
    assert out.value is ov and key.value == 0x22 and n.value == 0
    assert err(api) == ws.ERROR_OPERATION_ABORTED
    assert api.GetQueuedCompletionStatus(port_h, n, key, out, 0) == 0 and out.value is None
    assert api.closesocket(acc if close == "listener" else lst) == 0  # nothing more
    assert api.GetQueuedCompletionStatus(port_h, n, key, out, 0) == 0 and out.value is None


def test_w26_accept_socket_closed_while_waiting_for_data(env: Any) -> None:
    """W26: the client connected but sent nothing; closing the accept socket aborts
    AcceptEx (ERROR_OPERATION_ABORTED here), 0 bytes, key = the listener's key."""
    api = env[2]
    lst, port = listener(api)
    port_h = api.CreateIoCompletionPort(lst, None, 0x33, 0)
    acc = tcp(api)
    ov = ws.WSAOVERLAPPED()
    assert _accept_ex(api, lst, acc, bytearray(8 + 2 * SLOT), 8, ov) == ws.FALSE
    c = tcp(api)
    name = ws.sockaddr("127.0.0.1", port)
    assert api.connect(c, name, len(name)) == 0
    assert api.closesocket(acc) == 0
    n, key, out = ctypes.c_ulong(), ctypes.c_size_t(), ctypes.py_object()
    assert api.GetQueuedCompletionStatus(port_h, n, key, out, 0) == 0
    assert out.value is ov and key.value == 0x33 and n.value == 0
    assert err(api) == ws.ERROR_OPERATION_ABORTED


def test_w25_cancelio_scope_for_acceptex(env: Any) -> None:
    """W25: CancelIo(accept socket) does not cancel an AcceptEx issued on the
    listener; CancelIo(listener) does."""
    api = env[2]
    lst, _ = listener(api)
    acc = tcp(api)
    ov = ws.WSAOVERLAPPED()
    assert _accept_ex(api, lst, acc, bytearray(2 * SLOT), 0, ov) == ws.FALSE
    api.CancelIo(acc)
    assert ov.Internal == ws.WSS_OPERATION_IN_PROGRESS
    assert api.CancelIo(lst)
    assert _gor(api, lst, ov) == (ws.FALSE, 0, ws.ERROR_OPERATION_ABORTED)


# -- DisconnectEx (W53, W55) -----------------------------------------------------------------


def test_w53_disconnectex(env: Any) -> None:
    """W53: unconnected -> WSAENOTCONN; with OVERLAPPED -> ERROR_IO_PENDING then
    success 0 bytes; NULL OVERLAPPED -> synchronous success, repeatable; afterwards
    like SD_SEND: connect -> WSAEISCONN, send -> WSAESHUTDOWN, peer recv -> 0, the
    peer can still send and the local side receive it."""
    api = env[2]
    assert api.DisconnectEx(tcp(api), None, 0, 0) == ws.FALSE and err(api) == ws.WSAENOTCONN
    _, c, srv = pair(api)
    ov = ws.WSAOVERLAPPED()
    assert api.DisconnectEx(c, ov, 0, 0) == ws.FALSE and err(api) == ws.ERROR_IO_PENDING
    assert _gor(api, c, ov) == (ws.TRUE, 0, 0)
    assert api.DisconnectEx(c, None, 0, 0) == ws.TRUE
    assert api.DisconnectEx(c, None, TF_REUSE_SOCKET, 0) == ws.TRUE
    name = ws.sockaddr("127.0.0.1", 9)
    assert api.connect(c, name, len(name)) == ERR and err(api) == ws.WSAEISCONN
    assert api.send(c, b"x", 1, 0) == ERR and err(api) == ws.WSAESHUTDOWN
    buf = bytearray(4)
    assert api.recv(srv, buf, 4, 0) == 0
    assert api.send(srv, b"ok", 2, 0) == 2
    assert api.recv(c, buf, 4, 0) == 2


def test_w55_disconnectex_packets(env: Any) -> None:
    """W55: DisconnectEx with OVERLAPPED queues a 0-byte packet; with NULL
    OVERLAPPED none; the low bit of hEvent suppresses it."""
    api = env[2]
    n, key, out = ctypes.c_ulong(), ctypes.c_size_t(), ctypes.py_object()
    for mode in ("ov", "null", "lowbit"):
        _, c, _ = pair(api)
        port_h = api.CreateIoCompletionPort(c, None, 9, 0)
        ov = ws.WSAOVERLAPPED()
        if mode == "lowbit":
            ov.hEvent = api.WSACreateEvent() | 1
        rc = api.DisconnectEx(c, None if mode == "null" else ov, 0, 0)
        got = api.GetQueuedCompletionStatus(port_h, n, key, out, 0)
        if mode == "ov":
            assert rc == ws.FALSE and got == 1 and out.value is ov and n.value == 0 and key.value == 9
        else:
            assert got == 0 and out.value is None
