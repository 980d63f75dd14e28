"""Strict mode: anything unmodelled raises instead of answering WSAEOPNOTSUPP.

Issue 6: "A strict mode raises on anything unmodelled instead of returning
WSAEOPNOTSUPP (Simulator(strict=True) exists: see provider/core.py
unmodelled())."  DESIGN 2: "A WSP entry point or option the simulation does
not model returns SOCKET_ERROR with WSAEOPNOTSUPP".
"""

from __future__ import annotations

import ctypes

import pytest

import wsspi_sim as ws
from wsspi_sim.lsp import LayeredProvider
from wsspi_sim.testing import connected_tcp_pair, started_winsock

#: A control code Windows defines (W38's SIO_FLUSH) that the simulation does not
#: model.  A code Windows does not define at all is not "unmodelled": it has a
#: profile answer (Policy.unknown_ioctl_error, SPI-FACTS 3.6 / W38).
UNKNOWN_IOCTL = ws.SIO_FLUSH

#: (entry point, arguments before lpErrno, the sentinel it returns when unmodelled)
UNMODELLED_SPI = [
    ("WSPAddressToString", (ws.sockaddr("127.0.0.1", 1), 16, None, bytearray(64), ctypes.c_ulong(64)), ws.SOCKET_ERROR),
    ("WSPStringToAddress", ("127.0.0.1", ws.AF_INET, None, bytearray(16), ctypes.c_int(16)), ws.SOCKET_ERROR),
    ("WSPCancelBlockingCall", (), ws.SOCKET_ERROR),
]
UNMODELLED_ON_SOCKET = [
    ("WSPAsyncSelect", (None, 0x400, ws.FD_READ), ws.SOCKET_ERROR),
    ("WSPGetQOSByName", (None, None), ws.FALSE),
    ("WSPJoinLeaf", (ws.sockaddr("127.0.0.1", 9), 16, None, None, None, None, 0), ws.INVALID_SOCKET),
]


def _api(strict: bool) -> object:
    return started_winsock(ws.Simulator(strict=strict))


@pytest.mark.parametrize(("name", "args", "sentinel"), UNMODELLED_SPI + UNMODELLED_ON_SOCKET)
def test_unmodelled_spi_entry_points_raise_in_strict_mode(name: str, args: tuple, sentinel: int) -> None:
    """Issue 6 strict mode; DESIGN 2 ("returns SOCKET_ERROR with WSAEOPNOTSUPP"):
    an entry point that answers "not modelled" (WSAEOPNOTSUPP) normally raises
    NotModelledError, naming itself, with strict=True.  (An entry point modelled
    since this list was written must then answer the same in both modes.)"""
    results = []
    for strict in (False, True):
        api = _api(strict)
        spi = api.host.provider  # type: ignore[attr-defined]
        lead = (api.socket(ws.AF_INET, ws.SOCK_STREAM, 0),) if (name, args, sentinel) in UNMODELLED_ON_SOCKET else ()  # type: ignore[attr-defined]
        errno = ctypes.c_int()
        try:
            results.append((getattr(spi, name)(*lead, *args, errno), errno.value))
        except ws.NotModelledError as e:
            assert strict and name in str(e)
            results.append(("raised", name))
    relaxed, strict_result = results
    if relaxed == (sentinel, ws.WSAEOPNOTSUPP):
        assert strict_result == ("raised", name)
    else:
        assert strict_result == relaxed


def test_winsock_1_blocking_hooks_are_never_modelled() -> None:
    """SPI-FACTS 3.2: WSPCancelBlockingCall is a WinSock 1.1 stub (ReactOS stubs
    it too), so it stays unmodelled: WSAEOPNOTSUPP, or NotModelledError in
    strict mode -- the list above can never be all modelled."""
    errno = ctypes.c_int()
    assert _api(False).host.provider.WSPCancelBlockingCall(errno) == ws.SOCKET_ERROR  # type: ignore[attr-defined]
    assert errno.value == ws.WSAEOPNOTSUPP
    with pytest.raises(ws.NotModelledError):
        _api(True).host.provider.WSPCancelBlockingCall(errno)  # type: ignore[attr-defined]


def test_unknown_ioctl_code_raises_in_strict_mode_through_the_api() -> None:
    """Issue 6 strict mode at the API: WSAIoctl with a code the simulator does not
    model is WSAEOPNOTSUPP normally, NotModelledError (a NotImplementedError
    naming the code) with strict=True."""
    relaxed = _api(False)
    s = relaxed.socket(ws.AF_INET, ws.SOCK_STREAM, 0)  # type: ignore[attr-defined]
    got = ctypes.c_ulong()
    assert relaxed.WSAIoctl(s, UNKNOWN_IOCTL, None, 0, None, 0, got, None, None) == ws.SOCKET_ERROR  # type: ignore[attr-defined]
    assert relaxed.WSAGetLastError() == ws.WSAEOPNOTSUPP  # type: ignore[attr-defined]
    strict = _api(True)
    s = strict.socket(ws.AF_INET, ws.SOCK_STREAM, 0)  # type: ignore[attr-defined]
    with pytest.raises(NotImplementedError, match=f"{UNKNOWN_IOCTL:08X}"):
        strict.WSAIoctl(s, UNKNOWN_IOCTL, None, 0, None, 0, got, None, None)  # type: ignore[attr-defined]


def test_urgent_data_is_modelled_even_in_strict_mode() -> None:
    """Issue 6 strict mode raises only for what is not modelled; urgent data is
    modelled now (W70: a MSG_OOB byte is read back with recv(MSG_OOB)), so strict
    mode sends and receives it.  MSG_OOB on a datagram socket is Windows' own
    WSAEOPNOTSUPP (SPI-FACTS 3.6), an error code in strict mode too."""
    pair = connected_tcp_pair(_api(True))
    api = pair.api
    assert api.send(pair.client, b"!", 1, ws.MSG_OOB) == 1
    buf = bytearray(4)
    assert api.recv(pair.server, buf, 4, ws.MSG_OOB) == 1 and buf[:1] == b"!"
    u = api.socket(ws.AF_INET, ws.SOCK_DGRAM, 0)
    assert api.sendto(u, b"!", 1, ws.MSG_OOB, ws.sockaddr("127.0.0.1", 9), 16) == ws.SOCKET_ERROR
    assert api.WSAGetLastError() == ws.WSAEOPNOTSUPP


def test_strict_mode_keeps_windows_own_error_codes() -> None:
    """Strict mode only replaces the simulator's "not modelled" answers: an
    operation Windows itself refuses (listen on a UDP socket is WSAEOPNOTSUPP,
    SPI-FACTS 3.6) still returns its error code, and modelled calls work."""
    api = _api(True)
    u = api.socket(ws.AF_INET, ws.SOCK_DGRAM, 0)  # type: ignore[attr-defined]
    name = ws.sockaddr("127.0.0.1", 0)
    assert api.bind(u, name, 16) == 0  # type: ignore[attr-defined]
    assert api.listen(u, 1) == ws.SOCKET_ERROR  # type: ignore[attr-defined]
    assert api.WSAGetLastError() == ws.WSAEOPNOTSUPP  # type: ignore[attr-defined]
    pair = connected_tcp_pair(api)
    assert pair.api.send(pair.client, b"ok", 2, 0) == 2
    buf = bytearray(2)
    assert pair.api.recv(pair.server, buf, 2, 0) == 2 and buf == b"ok"


def test_strict_mode_reaches_through_a_layered_provider() -> None:
    """A pass-through layered provider (lsp.py) does not hide strict mode: the
    base provider's NotModelledError reaches the caller through the layer."""
    api = started_winsock(ws.Simulator(strict=True), lsp=LayeredProvider)
    s = api.socket(ws.AF_INET, ws.SOCK_STREAM, 0)
    with pytest.raises(ws.NotModelledError):
        api.WSAIoctl(s, UNKNOWN_IOCTL, None, 0, None, 0, ctypes.c_ulong(), None, None)
    assert api.host.top_provider is not api.host.provider
