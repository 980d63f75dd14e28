"""The documented error tables, audited: SPI-FACTS 3.6 (the documented error
codes of every WSP function), 3.1 (WSPStartup) and 5.2-5.7 (the secure-socket
functions), pair by pair.

Every (function, error) pair of those tables is either produced here under its
documented condition -- one case of :func:`test_documented_error` each, called
at the SPI (``host.provider``'s WSP entry points, the error read from
``lpErrno``) unless the function is an API-level one -- or recorded in
docs/error-coverage.md as not reachable in the model, with the reason.
:func:`test_error_coverage_doc_lists_every_documented_pair` keeps that document
complete: it holds the pairs copied from SPI-FACTS as data (:data:`DOCUMENTED`)
and checks every row's test id.

WSAENETDOWN is produced the only way the model has: ``sim.faults.network_down``.
Also here: the evaluation orders of WSPGetSockOpt, WSPSetSockOpt and WSPIoctl
(SPI-FACTS 4.5; W11, W72, W75).
"""

from __future__ import annotations

import ctypes
import re
import struct
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import pytest

import wsspi_sim as ws
from wsspi_sim import transport

E = ctypes.c_int
ERR = ws.SOCKET_ERROR
INVALID = ws.INVALID_SOCKET
NOBODY = "10.0.0.99"  #: an address no simulated host owns: it never answers
DOC = Path(__file__).resolve().parent.parent / "docs" / "error-coverage.md"

#: The documented pairs, copied from SPI-FACTS 3.6 (3.1 for WSPStartup, 5.2-5.7 for
#: the secure-socket functions), in the documents' order.  WSPSendTo is "as WSPSend
#: plus ..."; WSPRecvFrom is "analogous to WSPRecv".
_SEND = (
    "WSAENETDOWN", "WSAEACCES", "WSAEINPROGRESS", "WSAEFAULT", "WSAENETRESET", "WSAENOBUFS",
    "WSAENOTCONN", "WSAENOTSOCK", "WSAEOPNOTSUPP", "WSAESHUTDOWN", "WSAEWOULDBLOCK",
    "WSAEMSGSIZE", "WSAEINVAL", "WSAECONNABORTED", "WSAECONNRESET", "WSA_OPERATION_ABORTED",
)  # fmt: skip
_RECV = (
    "WSAENETDOWN", "WSAENOTCONN", "WSAEINTR", "WSAEINPROGRESS", "WSAENETRESET", "WSAEFAULT",
    "WSAENOTSOCK", "WSAEOPNOTSUPP", "WSAESHUTDOWN", "WSAEWOULDBLOCK", "WSAEMSGSIZE", "WSAEINVAL",
    "WSAECONNABORTED", "WSAECONNRESET", "WSAEDISCON", "WSA_IO_PENDING", "WSA_OPERATION_ABORTED",
)  # fmt: skip
_EVENTS = ("WSAENETDOWN", "WSAEINVAL", "WSAEINPROGRESS", "WSAENOTSOCK")
DOCUMENTED: dict[str, tuple[str, ...]] = {
    # SPI-FACTS 3.6
    "WSPSocket": (
        "WSAENETDOWN", "WSAEAFNOSUPPORT", "WSAEINPROGRESS", "WSAEMFILE", "WSAENOBUFS",
        "WSAEPROTONOSUPPORT", "WSAEPROTOTYPE", "WSAESOCKTNOSUPPORT", "WSAEINVAL",
    ),
    "WSPCloseSocket": ("WSAENETDOWN", "WSAEINPROGRESS", "WSAENOTSOCK", "WSAEWOULDBLOCK"),
    "WSPBind": (
        "WSAENETDOWN", "WSAEADDRINUSE", "WSAEADDRNOTAVAIL", "WSAEFAULT", "WSAEINPROGRESS",
        "WSAEINVAL", "WSAENOBUFS", "WSAENOTSOCK",
    ),
    "WSPListen": (
        "WSAENETDOWN", "WSAEADDRINUSE", "WSAEINPROGRESS", "WSAEINVAL", "WSAEISCONN", "WSAEMFILE",
        "WSAENOBUFS", "WSAENOTSOCK", "WSAEOPNOTSUPP",
    ),
    "WSPAccept": (
        "WSAECONNREFUSED", "WSAECONNRESET", "WSAENETDOWN", "WSAEFAULT", "WSAEINTR",
        "WSAEINPROGRESS", "WSAEINVAL", "WSAEMFILE", "WSAENOBUFS", "WSAENOTSOCK", "WSAEOPNOTSUPP",
        "WSATRY_AGAIN", "WSAEWOULDBLOCK", "WSAEACCES",
    ),
    "WSPConnect": (
        "WSAENETDOWN", "WSAEADDRINUSE", "WSAEINTR", "WSAEINPROGRESS", "WSAEALREADY",
        "WSAEADDRNOTAVAIL", "WSAEAFNOSUPPORT", "WSAECONNREFUSED", "WSAEFAULT", "WSAEINVAL",
        "WSAEISCONN", "WSAENETUNREACH", "WSAENOBUFS", "WSAENOTSOCK", "WSAEOPNOTSUPP",
        "WSAEPROTONOSUPPORT", "WSAETIMEDOUT", "WSAEWOULDBLOCK", "WSAEACCES",
    ),
    "WSPRecv": _RECV,
    "WSPSend": _SEND,
    "WSPSendTo": _SEND + ("WSAEINTR", "WSAEADDRNOTAVAIL", "WSAEAFNOSUPPORT", "WSAEDESTADDRREQ", "WSAENETUNREACH"),
    "WSPRecvFrom": _RECV,
    "WSPRecvDisconnect": ("WSAENETDOWN", "WSAEFAULT", "WSAENOPROTOOPT", "WSAEINPROGRESS", "WSAENOTCONN", "WSAENOTSOCK"),
    "WSPSendDisconnect": ("WSAENETDOWN", "WSAENOPROTOOPT", "WSAEINPROGRESS", "WSAENOTCONN", "WSAENOTSOCK", "WSAEFAULT"),
    "WSPShutdown": ("WSAENETDOWN", "WSAEINVAL", "WSAEINPROGRESS", "WSAENOTCONN", "WSAENOTSOCK"),
    "WSPIoctl": (
        "WSA_IO_PENDING", "WSAEFAULT", "WSAEINVAL", "WSAEINPROGRESS", "WSAENETDOWN", "WSAENOTSOCK",
        "WSAEOPNOTSUPP", "WSAEWOULDBLOCK",
    ),
    "WSPGetOverlappedResult": ("WSAENETDOWN", "WSAENOTSOCK", "WSA_INVALID_HANDLE", "WSAEINVAL", "WSA_IO_INCOMPLETE"),
    "WSPDuplicateSocket": ("WSAENETDOWN", "WSAEINVAL", "WSAEINPROGRESS", "WSAEMFILE", "WSAENOBUFS", "WSAENOTSOCK"),
    "WSPEventSelect": _EVENTS,
    "WSPEnumNetworkEvents": _EVENTS,
    "WSPSetSockOpt": (
        "WSAENETDOWN", "WSAEFAULT", "WSAEINPROGRESS", "WSAEINVAL", "WSAENETRESET", "WSAENOPROTOOPT",
        "WSAENOTCONN", "WSAENOTSOCK",
    ),
    "WSPGetSockOpt": ("WSAENETDOWN", "WSAEFAULT", "WSAEINVAL", "WSAEINPROGRESS", "WSAENOPROTOOPT", "WSAENOTSOCK"),
    "WSPCleanup": ("WSANOTINITIALISED", "WSAENETDOWN", "WSAEINVAL"),
    # SPI-FACTS 3.1 ("WSPStartup: see 3.1")
    "WSPStartup": ("WSASYSNOTREADY", "WSAVERNOTSUPPORTED", "WSAEINPROGRESS", "WSAEPROCLIM", "WSAEFAULT"),
    # SPI-FACTS 5.2-5.7
    "WSASetSocketPeerTargetName": (
        "WSAEAFNOSUPPORT", "WSAEFAULT", "WSAEINVAL", "WSAEISCONN", "WSAEMSGSIZE", "WSAENOTSOCK",
    ),
    "WSADeleteSocketPeerTargetName": ("WSAEAFNOSUPPORT", "WSAEFAULT", "WSAEINVAL", "WSAEMSGSIZE", "WSAENOTSOCK"),
    "WSASetSocketSecurity": ("WSAEAFNOSUPPORT", "WSAEINVAL", "WSAEISCONN", "WSAEMSGSIZE", "WSAENOTSOCK"),
    "WSAQuerySocketSecurity": (
        "WSAEAFNOSUPPORT", "WSAECONNRESET", "WSAEFAULT", "WSAEINVAL", "WSAEMSGSIZE", "WSAENOTSOCK",
    ),
    "WSAImpersonateSocketPeer": ("WSAEFAULT", "WSAEAFNOSUPPORT", "WSAEMSGSIZE", "WSAENOTSOCK"),
    "WSARevertImpersonation": ("WSASYSCALLFAILURE",),
}  # fmt: skip


# == the world ===============================================================================


class World:
    """Two started hosts: ``api``/``spi`` on 10.0.0.1, ``bpi`` (the far side) on 10.0.0.2."""

    def __init__(self, profile: str, monkeypatch: pytest.MonkeyPatch) -> None:
        self.sim = ws.Simulator(profile=profile)
        self.a = self.sim.add_host("10.0.0.1", "fd00::1")
        self.b = self.sim.add_host("10.0.0.2", "fd00::2")
        self.api, self.bpi = self.a.ws2, self.b.ws2
        assert self.api.WSAStartup(0x0202, ws.WSADATA()) == 0
        assert self.bpi.WSAStartup(0x0202, ws.WSADATA()) == 0
        self.spi = self.a.provider
        self.mp = monkeypatch

    def err(self, api: Any = None) -> int:
        return int((api or self.api).WSAGetLastError())

    def sock(self, kind: int = ws.SOCK_STREAM, overlapped: bool = False, api: Any = None) -> int:
        api = api or self.api
        proto = ws.IPPROTO_TCP if kind == ws.SOCK_STREAM else ws.IPPROTO_UDP
        s = api.WSASocketW(ws.AF_INET, kind, proto, None, 0, ws.WSA_FLAG_OVERLAPPED if overlapped else 0)
        assert s != INVALID, self.err(api)
        return int(s)

    def udp(self, bind: bool = True, overlapped: bool = False) -> int:
        s = self.sock(ws.SOCK_DGRAM, overlapped)
        if bind:
            assert self.api.bind(s, ws.sockaddr("10.0.0.1", 0), 16) == 0, self.err()
        return s

    def closed(self) -> int:
        """A handle that was a socket and is closed now."""
        s = self.sock()
        assert self.api.closesocket(s) == 0
        return s

    def listener(self, port: int = 80) -> int:
        s = self.sock(api=self.bpi)
        assert self.bpi.bind(s, ws.sockaddr("10.0.0.2", port), 16) == 0, self.err(self.bpi)
        assert self.bpi.listen(s, 5) == 0, self.err(self.bpi)
        return s

    def local_listener(self, nonblocking: bool = False) -> int:
        s = self.sock()
        assert self.api.bind(s, ws.sockaddr("10.0.0.1", 90), 16) == 0, self.err()
        assert self.api.listen(s, 5) == 0, self.err()
        if nonblocking:
            self.nonblocking(s)
        return s

    def pair(self, overlapped: bool = False) -> tuple[int, int]:
        """A connected TCP pair: the client here, the server on 10.0.0.2."""
        lst = self.listener()
        c = self.sock(overlapped=overlapped)
        assert self.api.connect(c, ws.sockaddr("10.0.0.2", 80), 16) == 0, self.err()
        s = self.bpi.accept(lst, None, None)
        assert s != INVALID, self.err(self.bpi)
        return c, int(s)

    def reset_pair(self) -> int:
        """The client of a pair whose server was hard-closed (seed 004): reset."""
        c, s = self.pair()
        assert self.b.provider.WSPCloseSocket(s, E()) == 0
        return c

    def setopt(self, s: int, opt: int, value: int | bytes, api: Any = None) -> None:
        raw = value if isinstance(value, bytes) else struct.pack("<i", value)
        api = api or self.api
        assert api.setsockopt(s, ws.SOL_SOCKET, opt, raw, len(raw)) == 0, self.err(api)

    def nonblocking(self, s: int) -> None:
        assert self.api.ioctlsocket(s, ws.FIONBIO, ctypes.c_ulong(1)) == 0, self.err()

    def fill(self, c: int) -> None:
        """Send until the connection's windows are full (the socket is left nonblocking)."""
        self.nonblocking(c)
        while self.api.send(c, bytes(65536), 65536, 0) != ERR:
            pass
        assert self.err() == ws.WSAEWOULDBLOCK

    def later(self, seconds: float, fn: Callable[[], Any]) -> None:
        """Run ``fn`` after ``seconds`` of virtual time (while a call blocks)."""
        self.sim.call_later(seconds, lambda: fn() and None)

    def close_later(self, s: int) -> None:
        self.later(1.0, lambda: self.spi.WSPCloseSocket(s, E()))

    def few_ports(self) -> None:
        """Shrink the ephemeral range to two ports and take both (for WSAENOBUFS)."""
        self.mp.setattr(transport, "EPHEMERAL_FIRST", 50000)
        self.mp.setattr(transport, "EPHEMERAL_LAST", 50001)
        for kind in (ws.SOCK_STREAM, ws.SOCK_DGRAM):
            for _ in range(2):
                assert self.api.bind(self.sock(kind), ws.sockaddr("10.0.0.1", 0), 16) == 0, self.err()

    def down(self) -> None:
        self.sim.faults.network_down(self.a)


def failed(rc: Any, e: Any, sentinel: int = ERR) -> int:
    """The error of a WSP call that must have failed (returned ``sentinel``)."""
    assert rc == sentinel, f"expected a failure, got {rc} (lpErrno {e.value})"
    return int(e.value)


def api_failed(w: World, rc: Any, sentinel: int = ERR, api: Any = None) -> int:
    assert rc == sentinel, f"expected a failure, got {rc}"
    return w.err(api)


def wsabufs(n: int = 4) -> list[ws.WSABUF]:
    return [ws.WSABUF(n, bytearray(n))]


def recv(w: World, s: int, *, call: str = "WSPRecv", n: int = 4, flags: int = 0, ov: Any = None,
         bufs: Any = ..., fromlen: int | None = None) -> tuple[int, Any]:  # fmt: skip
    """(rc, lpErrno) of WSPRecv / WSPRecvFrom on ``s``."""
    e = E()
    b = wsabufs(n) if bufs is ... else bufs
    if call == "WSPRecv":
        rc = w.spi.WSPRecv(s, b, 1, ctypes.c_ulong(), ctypes.c_ulong(flags), ov, None, None, e)
    else:
        frm = bytearray(28)
        ln = E(16 if fromlen is None else fromlen)
        rc = w.spi.WSPRecvFrom(s, b, 1, ctypes.c_ulong(), ctypes.c_ulong(flags), frm, ln, ov, None, None, e)
    return rc, e


def send(w: World, s: int, *, call: str = "WSPSend", data: bytes = b"x", flags: int = 0, ov: Any = None,
         routine: Any = None, to: Any = ..., tolen: int = 16, bufs: Any = ...) -> tuple[int, Any]:  # fmt: skip
    """(rc, lpErrno) of WSPSend / WSPSendTo on ``s`` (WSPSendTo to 10.0.0.2:9 by default)."""
    e = E()
    b = [ws.WSABUF(len(data), data)] if bufs is ... else bufs
    if call == "WSPSend":
        rc = w.spi.WSPSend(s, b, 1, ctypes.c_ulong(), flags, ov, routine, None, e)
    else:
        dest = ws.sockaddr("10.0.0.2", 9) if to is ... else to
        rc = w.spi.WSPSendTo(s, b, 1, ctypes.c_ulong(), flags, dest, tolen, ov, routine, None, e)
    return rc, e


def ioctl(w: World, s: int, code: int, inb: Any = None, cb_in: int = 0, outb: Any = None, cb_out: int = 0,
          ret: Any = ..., ov: Any = None) -> tuple[int, Any, Any]:  # fmt: skip
    """(rc, lpErrno, lpcbBytesReturned) of WSPIoctl."""
    e = E()
    got = ctypes.c_ulong(77) if ret is ... else ret
    rc = w.spi.WSPIoctl(s, code, inb, cb_in, outb, cb_out, got, ov, None, None, e)
    return rc, e, got


# == the cases =================================================================================


@attrs.frozen
class Case:
    """One documented (function, error) pair and the scenario producing it."""

    function: str
    error: str
    condition: str
    run: Callable[[World], int]
    profile: str = "documented"

    @property
    def cite(self) -> str:
        section = "3.1" if self.function == "WSPStartup" else "5" if self.function.startswith("WSA") else "3.6"
        return f"SPI-FACTS {section} {self.function}: {self.error} ({self.condition})"


CASES: dict[str, Case] = {}


def case(function: str, error: str, condition: str, profile: str = "documented") -> Callable[..., Any]:
    """Register the decorated scenario as the case for (function, error)."""

    def register(fn: Callable[[World], int]) -> Callable[[World], int]:
        key = f"{function}-{error}"
        assert key not in CASES, key
        CASES[key] = Case(function, error, condition, fn, profile)
        return fn

    return register


# -- WSAENOTSOCK and WSAENETDOWN, for every function that takes a socket -------------------------

#: function -> (its call on socket s with valid other arguments, the failure sentinel)
CALLS: dict[str, tuple[Callable[[World, int, Any], Any], int]] = {
    "WSPCloseSocket": (lambda w, s, e: w.spi.WSPCloseSocket(s, e), ERR),
    "WSPBind": (lambda w, s, e: w.spi.WSPBind(s, ws.sockaddr("10.0.0.1", 0), 16, e), ERR),
    "WSPListen": (lambda w, s, e: w.spi.WSPListen(s, 5, e), ERR),
    "WSPAccept": (lambda w, s, e: w.spi.WSPAccept(s, None, None, None, 0, e), INVALID),
    "WSPConnect": (
        lambda w, s, e: w.spi.WSPConnect(s, ws.sockaddr("10.0.0.2", 80), 16, None, None, None, None, e), ERR,
    ),
    "WSPRecv": (lambda w, s, e: w.spi.WSPRecv(s, wsabufs(), 1, ctypes.c_ulong(), ctypes.c_ulong(), None, None, None, e), ERR),
    "WSPRecvFrom": (
        lambda w, s, e: w.spi.WSPRecvFrom(
            s, wsabufs(), 1, ctypes.c_ulong(), ctypes.c_ulong(), None, None, None, None, None, e
        ), ERR,
    ),
    "WSPSend": (lambda w, s, e: w.spi.WSPSend(s, [ws.WSABUF(1, b"x")], 1, ctypes.c_ulong(), 0, None, None, None, e), ERR),
    "WSPSendTo": (
        lambda w, s, e: w.spi.WSPSendTo(
            s, [ws.WSABUF(1, b"x")], 1, ctypes.c_ulong(), 0, ws.sockaddr("10.0.0.2", 9), 16, None, None, None, e
        ), ERR,
    ),
    "WSPRecvDisconnect": (lambda w, s, e: w.spi.WSPRecvDisconnect(s, None, e), ERR),
    "WSPSendDisconnect": (lambda w, s, e: w.spi.WSPSendDisconnect(s, None, e), ERR),
    "WSPShutdown": (lambda w, s, e: w.spi.WSPShutdown(s, ws.SD_SEND, e), ERR),
    "WSPIoctl": (
        lambda w, s, e: w.spi.WSPIoctl(s, ws.FIONBIO, b"\1\0\0\0", 4, None, 0, ctypes.c_ulong(), None, None, None, e),
        ERR,
    ),
    "WSPGetOverlappedResult": (
        lambda w, s, e: w.spi.WSPGetOverlappedResult(s, ws.WSAOVERLAPPED(), ctypes.c_ulong(), False, ctypes.c_ulong(), e),
        ws.FALSE,
    ),
    "WSPDuplicateSocket": (
        lambda w, s, e: w.spi.WSPDuplicateSocket(s, w.api.GetCurrentProcessId(), ws.WSAPROTOCOL_INFOW(), e), ERR,
    ),
    "WSPEventSelect": (lambda w, s, e: w.spi.WSPEventSelect(s, None, 0, e), ERR),
    "WSPEnumNetworkEvents": (lambda w, s, e: w.spi.WSPEnumNetworkEvents(s, None, ws.WSANETWORKEVENTS(), e), ERR),
    "WSPSetSockOpt": (lambda w, s, e: w.spi.WSPSetSockOpt(s, ws.SOL_SOCKET, ws.SO_KEEPALIVE, struct.pack("<i", 1), 4, e), ERR),
    "WSPGetSockOpt": (lambda w, s, e: w.spi.WSPGetSockOpt(s, ws.SOL_SOCKET, ws.SO_TYPE, bytearray(4), E(4), e), ERR),
}  # fmt: skip


def _not_a_socket(name: str) -> Callable[[World], int]:
    def run(w: World) -> int:
        call, sentinel = CALLS[name]
        e = E()
        return failed(call(w, w.closed(), e), e, sentinel)

    return run


def _network_down(name: str) -> Callable[[World], int]:
    def run(w: World) -> int:
        call, sentinel = CALLS[name]
        s = w.sock()
        w.down()
        e = E()
        return failed(call(w, s, e), e, sentinel)

    return run


for _name in CALLS:
    case(_name, "WSAENOTSOCK", "the descriptor is not a socket: a closed handle")(_not_a_socket(_name))
    case(_name, "WSAENETDOWN", "the network subsystem has failed: sim.faults.network_down")(_network_down(_name))


@case("WSPSocket", "WSAENETDOWN", "the network subsystem has failed: sim.faults.network_down")
def _socket_netdown(w: World) -> int:
    w.down()
    e = E()
    return failed(w.spi.WSPSocket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP, None, 0, 0, e), e, INVALID)


# -- WSPSocket ------------------------------------------------------------------------------------


def _wspsocket(w: World, af: int, type_: int, protocol: int, g: int = 0) -> int:
    e = E()
    return failed(w.spi.WSPSocket(af, type_, protocol, None, g, 0, e), e, INVALID)


case("WSPSocket", "WSAEAFNOSUPPORT", "af 0xdead: the family is not supported")(
    lambda w: _wspsocket(w, 0xDEAD, ws.SOCK_STREAM, ws.IPPROTO_TCP)
)
case("WSPSocket", "WSAEPROTONOSUPPORT", "protocol 0xdead is not supported")(
    lambda w: _wspsocket(w, ws.AF_INET, ws.SOCK_STREAM, 0xDEAD)
)
case("WSPSocket", "WSAEPROTOTYPE", "IPPROTO_UDP is the wrong type for SOCK_STREAM; Windows: W5")(
    lambda w: _wspsocket(w, ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_UDP)
)
case("WSPSocket", "WSAESOCKTNOSUPPORT", "type 0xdead is not supported in AF_INET")(
    lambda w: _wspsocket(w, ws.AF_INET, 0xDEAD, ws.IPPROTO_TCP)
)
case("WSPSocket", "WSAEINVAL", "g is not a valid group (no groups are modelled)")(
    lambda w: _wspsocket(w, ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP, g=1)
)


# -- WSPCloseSocket -------------------------------------------------------------------------------


@case("WSPCloseSocket", "WSAEWOULDBLOCK",
      "nonblocking, SO_LINGER {1, 5}, data unsent: reported by the switch's closesocket, which runs linger (SPI-FACTS 3.10)")  # fmt: skip
def _close_wouldblock(w: World) -> int:
    c, _ = w.pair()
    w.fill(c)
    w.setopt(c, ws.SO_LINGER, struct.pack("<HH", 1, 5))
    error = api_failed(w, w.api.closesocket(c))
    assert w.api.getsockopt(c, ws.SOL_SOCKET, ws.SO_TYPE, bytearray(4), E(4)) == 0  # still valid
    return error


# -- WSPBind ------------------------------------------------------------------------------------


def _bind(w: World, s: int, name: bytes, namelen: int | None = None) -> int:
    e = E()
    return failed(w.spi.WSPBind(s, name, len(name) if namelen is None else namelen, e), e)


@case("WSPBind", "WSAEADDRINUSE", "another socket is bound to 10.0.0.1:5000, no SO_REUSEADDR")
def _bind_inuse(w: World) -> int:
    assert w.api.bind(w.sock(), ws.sockaddr("10.0.0.1", 5000), 16) == 0
    return _bind(w, w.sock(), ws.sockaddr("10.0.0.1", 5000))


case("WSPBind", "WSAEADDRNOTAVAIL", "10.9.9.9 is not an address of this host")(
    lambda w: _bind(w, w.sock(), ws.sockaddr("10.9.9.9", 0))
)
case("WSPBind", "WSAEFAULT", "sa_family (AF_INET6) is not the socket's family (AF_INET)")(
    lambda w: _bind(w, w.sock(), ws.sockaddr("::1", 0))
)


@case("WSPBind", "WSAEINVAL", "the socket is already bound")
def _bind_twice(w: World) -> int:
    s = w.udp()
    return _bind(w, s, ws.sockaddr("10.0.0.1", 0))


@case("WSPBind", "WSAENOBUFS", "port 0 and every ephemeral port taken (Windows: KB 196271)")
def _bind_nobufs(w: World) -> int:
    w.few_ports()
    return _bind(w, w.sock(), ws.sockaddr("10.0.0.1", 0))


# -- WSPListen -----------------------------------------------------------------------------------


def _listen(w: World, s: int) -> int:
    e = E()
    return failed(w.spi.WSPListen(s, 5, e), e)


@case("WSPListen", "WSAEADDRINUSE", "SO_REUSEADDR shares 10.0.0.1:6000 and the other socket already listens there")
def _listen_inuse(w: World) -> int:
    first, second = w.sock(), w.sock()
    for s in (first, second):
        w.setopt(s, ws.SO_REUSEADDR, 1)
        assert w.api.bind(s, ws.sockaddr("10.0.0.1", 6000), 16) == 0, w.err()
    assert w.api.listen(first, 5) == 0
    return _listen(w, second)


case("WSPListen", "WSAEINVAL", "the socket is not bound")(lambda w: _listen(w, w.sock()))
case("WSPListen", "WSAEISCONN", "the socket is connected")(lambda w: _listen(w, w.pair()[0]))
case("WSPListen", "WSAEOPNOTSUPP", "SOCK_DGRAM does not support listen")(lambda w: _listen(w, w.udp()))


# -- WSPAccept -------------------------------------------------------------------------------------


def _accept(w: World, s: int, addr: Any = None, addrlen: Any = None, cond: Any = None) -> int:
    e = E()
    return failed(w.spi.WSPAccept(s, addr, addrlen, cond, 0, e), e, INVALID)


def _queued(w: World) -> tuple[int, int]:
    """A local listener with one connection queued, and the connecting client."""
    lst = w.local_listener()
    c = w.sock(api=w.bpi)
    assert w.bpi.connect(c, ws.sockaddr("10.0.0.1", 90), 16) == 0, w.err(w.bpi)
    return lst, c


def _verdict(v: int) -> Callable[..., int]:
    return lambda *args: v


case("WSPAccept", "WSAECONNREFUSED", "the condition function returned CF_REJECT")(
    lambda w: _accept(w, _queued(w)[0], cond=_verdict(ws.CF_REJECT))
)


@case("WSPAccept", "WSAECONNRESET", "the queued connection was reset by the peer before it was accepted")
def _accept_reset(w: World) -> int:
    lst, c = _queued(w)
    assert w.b.provider.WSPCloseSocket(c, E()) == 0  # the client's hard close: RST
    error = _accept(w, lst)
    w.nonblocking(lst)
    assert _accept(w, lst) == ws.WSAEWOULDBLOCK  # the reset connection is gone
    return error


case("WSPAccept", "WSAEFAULT", "addrlen (4) is smaller than a SOCKADDR_IN")(
    lambda w: _accept(w, _queued(w)[0], bytearray(16), E(4))
)


@case("WSPAccept", "WSAEINTR", "a blocking accept; the listening socket is closed while it waits")
def _accept_intr(w: World) -> int:
    lst = w.local_listener()
    w.close_later(lst)
    return _accept(w, lst)


@case("WSPAccept", "WSAEINVAL", "the socket is not listening (bound only)")
def _accept_not_listening(w: World) -> int:
    s = w.sock()
    assert w.api.bind(s, ws.sockaddr("10.0.0.1", 0), 16) == 0
    return _accept(w, s)


case("WSPAccept", "WSAEOPNOTSUPP", "SOCK_DGRAM does not support accept")(lambda w: _accept(w, w.udp()))


@case("WSPAccept", "WSATRY_AGAIN", "the condition function returned CF_DEFER")
def _accept_defer(w: World) -> int:
    lst, _ = _queued(w)
    error = _accept(w, lst, cond=_verdict(ws.CF_DEFER))
    assert w.api.accept(lst, None, None) != INVALID  # the connection stayed queued (W90)
    return error


case("WSPAccept", "WSAEWOULDBLOCK", "nonblocking listener, no connection queued")(
    lambda w: _accept(w, w.local_listener(nonblocking=True))
)


@case("WSPAccept", "WSAEACCES", "the connection offered to a condition function (CF_DEFER) was withdrawn (reset)")
def _accept_withdrawn(w: World) -> int:
    lst, c = _queued(w)
    assert _accept(w, lst, cond=_verdict(ws.CF_DEFER)) == ws.WSATRY_AGAIN
    assert w.b.provider.WSPCloseSocket(c, E()) == 0
    return _accept(w, lst, cond=_verdict(ws.CF_ACCEPT))


# -- WSPConnect ------------------------------------------------------------------------------------


def _connect(w: World, s: int, name: bytes | None = None, namelen: int | None = None, *,
             caller: Any = None, sqos: Any = None) -> int:  # fmt: skip
    e = E()
    name = ws.sockaddr("10.0.0.2", 80) if name is None else name
    n = len(name) if namelen is None else namelen
    return failed(w.spi.WSPConnect(s, name, n, caller, None, sqos, None, e), e)


@case("WSPConnect", "WSAEADDRINUSE", "SO_REUSEADDR let two sockets bind 10.0.0.1:7000; the second connects to the same peer")
def _connect_inuse(w: World) -> int:
    w.listener()
    first, second = w.sock(), w.sock()
    for s in (first, second):
        w.setopt(s, ws.SO_REUSEADDR, 1)
        assert w.api.bind(s, ws.sockaddr("10.0.0.1", 7000), 16) == 0, w.err()
    assert w.api.connect(first, ws.sockaddr("10.0.0.2", 80), 16) == 0, w.err()
    return _connect(w, second)


@case("WSPConnect", "WSAEINTR", "a blocking connect to an address that never answers; the socket is closed while it waits")
def _connect_intr(w: World) -> int:
    s = w.sock()
    w.close_later(s)
    return _connect(w, s, ws.sockaddr(NOBODY, 80))


@case("WSPConnect", "WSAEALREADY", "a nonblocking connect is still in progress")
def _connect_already(w: World) -> int:
    s = w.sock()
    w.nonblocking(s)
    assert _connect(w, s, ws.sockaddr(NOBODY, 80)) == ws.WSAEWOULDBLOCK
    return _connect(w, s, ws.sockaddr(NOBODY, 80))


case("WSPConnect", "WSAEADDRNOTAVAIL", "the remote address is ADDR_ANY")(
    lambda w: _connect(w, w.sock(), ws.sockaddr("0.0.0.0", 80))
)
case("WSPConnect", "WSAEAFNOSUPPORT", "an AF_INET6 address for an AF_INET socket")(
    lambda w: _connect(w, w.sock(), ws.sockaddr("fd00::2", 80))
)
case("WSPConnect", "WSAECONNREFUSED", "nobody listens on 10.0.0.2:81")(
    lambda w: _connect(w, w.sock(), ws.sockaddr("10.0.0.2", 81))
)
case("WSPConnect", "WSAEFAULT", "namelen (8) is too small")(
    lambda w: _connect(w, w.sock(), ws.sockaddr("10.0.0.2", 80), 8)
)
case("WSPConnect", "WSAEINVAL", "the socket is listening")(lambda w: _connect(w, w.local_listener()))
case("WSPConnect", "WSAEISCONN", "the socket is already connected")(lambda w: _connect(w, w.pair()[0]))


@case("WSPConnect", "WSAENOBUFS", "the implicit bind finds every ephemeral port taken (Windows: KB 196271)")
def _connect_nobufs(w: World) -> int:
    w.listener()
    w.few_ports()
    return _connect(w, w.sock())


@case("WSPConnect", "WSAENETUNREACH", "the host has no IPv6 address: an AF_INET6 connect to fd00::2")
def _connect_netunreach(w: World) -> int:
    v4 = w.sim.add_host("10.0.0.3")  # IPv4 only (and the loopbacks)
    assert v4.ws2.WSAStartup(0x0202, ws.WSADATA()) == 0
    s = v4.ws2.socket(ws.AF_INET6, ws.SOCK_STREAM, ws.IPPROTO_TCP)
    e = E()
    return failed(v4.provider.WSPConnect(s, ws.sockaddr("fd00::2", 80), 28, None, None, None, None, e), e)


case("WSPConnect", "WSAEOPNOTSUPP", "QoS requested (lpSQOS)")(lambda w: _connect(w, w.sock(), sqos=b"\0" * 16))
case("WSPConnect", "WSAEPROTONOSUPPORT", "lpCallerData given: TCP carries no connect data")(
    lambda w: _connect(w, w.sock(), caller=ws.WSABUF(1, b"x"))
)


@case("WSPConnect", "WSAETIMEDOUT", "a blocking connect to an address that never answers (21 virtual seconds)")
def _connect_timeout(w: World) -> int:
    error = _connect(w, w.sock(), ws.sockaddr(NOBODY, 80))
    assert w.sim.now >= 21.0
    return error


@case("WSPConnect", "WSAEWOULDBLOCK", "nonblocking: the connection is in progress")
def _connect_wouldblock(w: World) -> int:
    s = w.sock()
    w.nonblocking(s)
    return _connect(w, s, ws.sockaddr(NOBODY, 80))


case("WSPConnect", "WSAEACCES", "a datagram connect to 255.255.255.255 without SO_BROADCAST; Windows allows it: W82")(
    lambda w: _connect(w, w.udp(), ws.sockaddr("255.255.255.255", 9))
)


# -- WSPRecv / WSPRecvFrom ---------------------------------------------------------------------------


def _recv_cases(call: str) -> None:
    """The receive table, for WSPRecv and (by analogy, SPI-FACTS 3.6) WSPRecvFrom."""

    def r(w: World, s: int, **kw: Any) -> int:
        return failed(*recv(w, s, call=call, **kw))

    case(call, "WSAENOTCONN", "a TCP socket that is not connected")(lambda w: r(w, w.sock()))

    @case(call, "WSAEINTR", "a blocking receive; the socket is closed while it waits")
    def _intr(w: World) -> int:
        c, _ = w.pair()
        w.close_later(c)
        return r(w, c)

    if call == "WSPRecv":
        case(call, "WSAEFAULT", "lpBuffers is NULL")(lambda w: r(w, w.pair()[0], bufs=None))
    else:
        case(call, "WSAEFAULT", "*lpFromlen (8) is smaller than a SOCKADDR_IN")(lambda w: r(w, w.udp(), fromlen=8))
    case(call, "WSAEOPNOTSUPP", "MSG_OOB on a datagram socket")(lambda w: r(w, w.udp(), flags=ws.MSG_OOB))

    @case(call, "WSAESHUTDOWN", "after WSPShutdown(SD_RECEIVE)")
    def _shut(w: World) -> int:
        c, _ = w.pair()
        assert w.api.shutdown(c, ws.SD_RECEIVE) == 0
        return r(w, c)

    @case(call, "WSAEWOULDBLOCK", "nonblocking, no data queued")
    def _wouldblock(w: World) -> int:
        c, _ = w.pair()
        w.nonblocking(c)
        return r(w, c)

    @case(call, "WSAEMSGSIZE", "a 10-byte datagram into a 4-byte buffer (the rest is lost)")
    def _msgsize(w: World) -> int:
        u = w.udp()
        name, n = bytearray(16), E(16)
        assert w.api.getsockname(u, name, n) == 0
        peer = w.sock(ws.SOCK_DGRAM, api=w.bpi)
        assert w.bpi.sendto(peer, bytes(10), 10, 0, bytes(name), 16) == 10
        return r(w, u)

    case(call, "WSAEINVAL", "a datagram socket that is not bound")(lambda w: r(w, w.udp(bind=False)))

    @case(call, "WSAECONNABORTED", "SD_RECEIVE with data queued reset the connection locally (SPI-FACTS 3.8)")
    def _aborted(w: World) -> int:
        c, s = w.pair()
        assert w.bpi.send(s, b"late", 4, 0) == 4
        assert w.api.shutdown(c, ws.SD_RECEIVE) == 0
        return r(w, c)

    case(call, "WSAECONNRESET", "the peer hard-closed the connection (seed 004)")(lambda w: r(w, w.reset_pair()))

    @case(call, "WSA_IO_PENDING", "an overlapped receive with no data yet")
    def _pending(w: World) -> int:
        c, _ = w.pair(overlapped=True)
        return r(w, c, ov=ws.WSAOVERLAPPED())

    @case(call, "WSA_OPERATION_ABORTED", "a pending overlapped receive; the socket is closed (its completion's error)")
    def _aborted_op(w: World) -> int:
        c, _ = w.pair(overlapped=True)
        ov = ws.WSAOVERLAPPED()
        assert r(w, c, ov=ov) == ws.WSA_IO_PENDING
        assert w.spi.WSPCloseSocket(c, E()) == 0
        assert ov.Internal != ws.WSS_OPERATION_IN_PROGRESS
        return int(ov.OffsetHigh)  # the completion's error (SPI-FACTS 3.4)


_recv_cases("WSPRecv")
_recv_cases("WSPRecvFrom")


# -- WSPSend / WSPSendTo -------------------------------------------------------------------------------


def _send_cases(call: str) -> None:
    """The send table, for WSPSend and WSPSendTo ("as WSPSend plus ...")."""
    to = call == "WSPSendTo"

    def s_(w: World, s: int, **kw: Any) -> int:
        return failed(*send(w, s, call=call, **kw))

    if to:
        case(call, "WSAEACCES", "lpTo is 255.255.255.255 and SO_BROADCAST is off (W82 agrees)")(
            lambda w: s_(w, w.udp(), to=ws.sockaddr("255.255.255.255", 9))
        )
    else:

        @case(call, "WSAEACCES", "the default peer is 255.255.255.255 and SO_BROADCAST was turned off; Windows sends: W82")
        def _acces(w: World) -> int:
            u = w.udp()
            w.setopt(u, ws.SO_BROADCAST, 1)
            assert w.api.connect(u, ws.sockaddr("255.255.255.255", 9), 16) == 0, w.err()
            w.setopt(u, ws.SO_BROADCAST, 0)
            return s_(w, u)

    case(call, "WSAEFAULT", "lpBuffers is NULL" if not to else "iTolen (8) is too small for lpTo")(
        (lambda w: s_(w, w.pair()[0], bufs=None)) if not to else (lambda w: s_(w, w.udp(), tolen=8))
    )
    case(call, "WSAENOTCONN", "a TCP socket that is not connected" + (" (lpTo is ignored)" if to else ""))(
        lambda w: s_(w, w.sock())
    )

    @case(call, "WSAEOPNOTSUPP", "MSG_OOB on a datagram socket")
    def _oob(w: World) -> int:
        u = w.udp()
        assert w.api.connect(u, ws.sockaddr("10.0.0.2", 9), 16) == 0
        return s_(w, u, flags=ws.MSG_OOB)

    @case(call, "WSAESHUTDOWN", "after WSPShutdown(SD_SEND)")
    def _shut(w: World) -> int:
        c, _ = w.pair()
        assert w.api.shutdown(c, ws.SD_SEND) == 0
        return s_(w, c)

    @case(call, "WSAEWOULDBLOCK", "nonblocking, the windows are full")
    def _wouldblock(w: World) -> int:
        c, _ = w.pair()
        w.fill(c)
        return s_(w, c)

    @case(call, "WSAEMSGSIZE", "a 70000-byte datagram (UDP/IPv4 carries at most 65507)")
    def _msgsize(w: World) -> int:
        u = w.udp()
        assert w.api.connect(u, ws.sockaddr("10.0.0.2", 9), 16) == 0
        return s_(w, u, data=bytes(70000))

    @case(call, "WSAEINVAL", "a completion routine on a socket associated with a completion port (W34)")
    def _inval(w: World) -> int:
        c, _ = w.pair(overlapped=True)
        assert w.api.CreateIoCompletionPort(c, None, 1, 0)
        return s_(w, c, ov=ws.WSAOVERLAPPED(), routine=lambda *a: None)

    @case(call, "WSAECONNABORTED", "SD_RECEIVE with data queued reset the connection locally (SPI-FACTS 3.8)")
    def _aborted(w: World) -> int:
        c, s = w.pair()
        assert w.bpi.send(s, b"late", 4, 0) == 4
        assert w.api.shutdown(c, ws.SD_RECEIVE) == 0
        return s_(w, c)

    case(call, "WSAECONNRESET", "the peer hard-closed the connection (seed 004)")(lambda w: s_(w, w.reset_pair()))

    @case(call, "WSA_OPERATION_ABORTED", "a pending overlapped send (full window); the socket is closed")
    def _aborted_op(w: World) -> int:
        c, _ = w.pair(overlapped=True)
        w.fill(c)
        ov = ws.WSAOVERLAPPED()
        assert s_(w, c, data=bytes(1000), ov=ov) == ws.WSA_IO_PENDING
        assert w.spi.WSPCloseSocket(c, E()) == 0
        assert ov.Internal != ws.WSS_OPERATION_IN_PROGRESS
        return int(ov.OffsetHigh)

    if not to:
        return

    @case(call, "WSAEINTR", "a blocking send on a full TCP connection; the socket is closed while it waits")
    def _intr(w: World) -> int:
        c, _ = w.pair()
        w.fill(c)
        assert w.api.ioctlsocket(c, ws.FIONBIO, ctypes.c_ulong(0)) == 0
        w.close_later(c)
        return s_(w, c, data=bytes(1000))

    case(call, "WSAEADDRNOTAVAIL", "lpTo is ADDR_ANY")(lambda w: s_(w, w.udp(), to=ws.sockaddr("0.0.0.0", 9)))
    case(call, "WSAEAFNOSUPPORT", "an AF_INET6 lpTo on an AF_INET socket")(
        lambda w: s_(w, w.udp(), to=ws.sockaddr("fd00::2", 9), tolen=28)
    )
    case(call, "WSAEDESTADDRREQ", "lpTo is NULL and the datagram socket has no default peer")(
        lambda w: s_(w, w.udp(), to=None, tolen=0)
    )

    @case(call, "WSAENOBUFS", "the implicit bind finds every ephemeral port taken (Windows: KB 196271)")
    def _nobufs(w: World) -> int:
        w.few_ports()
        return s_(w, w.udp(bind=False))

    @case(call, "WSAENETUNREACH", "the host has no IPv6 address: an AF_INET6 sendto to fd00::2")
    def _netunreach(w: World) -> int:
        v4 = w.sim.add_host("10.0.0.3")  # IPv4 only (and the loopbacks)
        assert v4.ws2.WSAStartup(0x0202, ws.WSADATA()) == 0
        u = v4.ws2.socket(ws.AF_INET6, ws.SOCK_DGRAM, ws.IPPROTO_UDP)
        e = E()
        b = [ws.WSABUF(1, b"x")]
        rc = v4.provider.WSPSendTo(u, b, 1, ctypes.c_ulong(), 0, ws.sockaddr("fd00::2", 53), 28, None, None, None, e)
        return failed(rc, e)


_send_cases("WSPSend")
_send_cases("WSPSendTo")


# -- WSPRecvDisconnect / WSPSendDisconnect / WSPShutdown ------------------------------------------------


def _disconnect(w: World, name: str, s: int, buf: Any) -> int:
    e = E()
    return failed(getattr(w.spi, name)(s, buf, e), e)


for _name in ("WSPRecvDisconnect", "WSPSendDisconnect"):
    case(_name, "WSAEFAULT", "the disconnect-data WSABUF says 10 bytes, its buffer holds 2")(
        lambda w, n=_name: _disconnect(w, n, w.pair()[0], ws.WSABUF(10, bytearray(2)))
    )
    case(_name, "WSAENOPROTOOPT", "disconnect data given: TCP/IP has none (no XP1_DISCONNECT_DATA)")(
        lambda w, n=_name: _disconnect(w, n, w.pair()[0], ws.WSABUF(4, bytearray(4)))
    )
    case(_name, "WSAENOTCONN", "a TCP socket that is not connected")(lambda w, n=_name: _disconnect(w, n, w.sock(), None))


def _shutdown(w: World, s: int, how: int) -> int:
    e = E()
    return failed(w.spi.WSPShutdown(s, how, e), e)


case("WSPShutdown", "WSAEINVAL", "how is 7")(lambda w: _shutdown(w, w.pair()[0], 7))
case("WSPShutdown", "WSAENOTCONN", "a TCP socket that is not connected (W44)")(lambda w: _shutdown(w, w.sock(), ws.SD_SEND))


# -- WSPIoctl --------------------------------------------------------------------------------------------


@case("WSPIoctl", "WSA_IO_PENDING", "an overlapped request for a code Windows does not define pends, then fails (W38)", "windows")
def _ioctl_pending(w: World) -> int:
    c, _ = w.pair(overlapped=True)
    return failed(*ioctl(w, c, 0xDEADBEEF, ov=ws.WSAOVERLAPPED())[:2])


case("WSPIoctl", "WSAEFAULT", "lpcbBytesReturned is NULL")(
    lambda w: failed(*ioctl(w, w.sock(), ws.FIONBIO, b"\1\0\0\0", 4, ret=None)[:2])
)
case("WSPIoctl", "WSAEINVAL", "0xDEADBEEF is not a valid command; Windows: WSAEOPNOTSUPP, W38")(
    lambda w: failed(*ioctl(w, w.sock(), 0xDEADBEEF)[:2])
)
case("WSPIoctl", "WSAEOPNOTSUPP", "SIO_GET_QOS: QoS cannot be realized")(
    lambda w: failed(*ioctl(w, w.sock(), ws.SIO_GET_QOS, None, 0, bytearray(64), 64)[:2])
)


def _nonblocking(w: World, s: int) -> int:
    assert w.api.ioctlsocket(s, ws.FIONBIO, ctypes.c_ulong(1)) == 0
    return s


case("WSPIoctl", "WSAEWOULDBLOCK", "SIO_ADDRESS_LIST_CHANGE without an OVERLAPPED on a nonblocking socket (W30)")(
    lambda w: failed(*ioctl(w, _nonblocking(w, w.udp()), ws.SIO_ADDRESS_LIST_CHANGE)[:2])
)


# -- WSPGetOverlappedResult ----------------------------------------------------------------------------


def _pending_recv(w: World, ov: ws.WSAOVERLAPPED) -> int:
    c, _ = w.pair(overlapped=True)
    assert failed(*recv(w, c, ov=ov)) == ws.WSA_IO_PENDING
    return c


def _result(w: World, s: int, ov: Any, transfer: Any = ..., wait: bool = False) -> int:
    e = E()
    t = ctypes.c_ulong() if transfer is ... else transfer
    return failed(w.spi.WSPGetOverlappedResult(s, ov, t, wait, ctypes.c_ulong(), e), e, ws.FALSE)


@case("WSPGetOverlappedResult", "WSA_INVALID_HANDLE", "fWait and the OVERLAPPED's hEvent is not an event")
def _result_handle(w: World) -> int:
    ov = ws.WSAOVERLAPPED(hEvent=0x7FFF0000)
    return _result(w, _pending_recv(w, ov), ov, wait=True)


@case("WSPGetOverlappedResult", "WSAEINVAL", "lpcbTransfer is NULL: a parameter is unacceptable")
def _result_inval(w: World) -> int:
    ov = ws.WSAOVERLAPPED()
    return _result(w, _pending_recv(w, ov), ov, transfer=None)


@case("WSPGetOverlappedResult", "WSA_IO_INCOMPLETE", "fWait is FALSE and the request is still pending")
def _result_incomplete(w: World) -> int:
    ov = ws.WSAOVERLAPPED()
    return _result(w, _pending_recv(w, ov), ov)


# -- WSPDuplicateSocket, WSPEventSelect, WSPEnumNetworkEvents --------------------------------------------


@case("WSPDuplicateSocket", "WSAEINVAL", "dwProcessId names no process")
def _dup_inval(w: World) -> int:
    e = E()
    return failed(w.spi.WSPDuplicateSocket(w.sock(), 0x7FFFFFFF, ws.WSAPROTOCOL_INFOW(), e), e)


@case("WSPEventSelect", "WSAEINVAL", "FD_READ with an hEventObject that is not an event")
def _select_inval(w: World) -> int:
    e = E()
    return failed(w.spi.WSPEventSelect(w.sock(), 0x7FFF0000, ws.FD_READ, e), e)


@case("WSPEnumNetworkEvents", "WSAEINVAL", "an hEventObject that is not an event")
def _enum_inval(w: World) -> int:
    e = E()
    return failed(w.spi.WSPEnumNetworkEvents(w.sock(), 0x7FFF0000, ws.WSANETWORKEVENTS(), e), e)


# -- WSPSetSockOpt / WSPGetSockOpt ---------------------------------------------------------------------


def _set(w: World, s: int, level: int, opt: int, val: Any, n: int = 4) -> int:
    e = E()
    return failed(w.spi.WSPSetSockOpt(s, level, opt, val, n, e), e)


def _get(w: World, s: int, level: int, opt: int, n: int = 4) -> int:
    e = E()
    return failed(w.spi.WSPGetSockOpt(s, level, opt, bytearray(max(n, 0)), E(n), e), e)


_ONE = struct.pack("<i", 1)
case("WSPSetSockOpt", "WSAEFAULT", "optval is NULL")(lambda w: _set(w, w.sock(), ws.SOL_SOCKET, ws.SO_KEEPALIVE, None))
case("WSPSetSockOpt", "WSAEINVAL", "level 0x1234 is not valid")(lambda w: _set(w, w.sock(), 0x1234, ws.SO_KEEPALIVE, _ONE))
case("WSPSetSockOpt", "WSAENOPROTOOPT", "option 0x7777 is unknown")(lambda w: _set(w, w.sock(), ws.SOL_SOCKET, 0x7777, _ONE))
case("WSPSetSockOpt", "WSAENOTCONN", "SO_KEEPALIVE on a connection that has been reset")(
    lambda w: _set(w, w.reset_pair(), ws.SOL_SOCKET, ws.SO_KEEPALIVE, _ONE)
)
case("WSPGetSockOpt", "WSAEFAULT", "*optlen (1) is too small")(lambda w: _get(w, w.sock(), ws.SOL_SOCKET, ws.SO_TYPE, 1))
case("WSPGetSockOpt", "WSAEINVAL", "level 0x1234 is not valid")(lambda w: _get(w, w.sock(), 0x1234, ws.SO_TYPE))
case("WSPGetSockOpt", "WSAENOPROTOOPT", "option 0x7777 is unknown")(lambda w: _get(w, w.sock(), ws.SOL_SOCKET, 0x7777))


# -- WSPCleanup and WSPStartup ---------------------------------------------------------------------------


@case("WSPCleanup", "WSANOTINITIALISED", "the provider was never started for the process")
def _cleanup(w: World) -> int:
    host = w.sim.add_host("10.0.0.3")  # its process never called WSAStartup
    e = E()
    return failed(host.provider.WSPCleanup(e), e)


@case("WSPStartup", "WSASYSNOTREADY", "the network subsystem is unavailable: sim.faults.network_down")
def _startup_notready(w: World) -> int:
    w.down()
    return int(w.a.new_process().WSAStartup(0x0202, ws.WSADATA()))


@case("WSPStartup", "WSAVERNOTSUPPORTED", "version 1.1 is below the provider's 2.2")
def _startup_version(w: World) -> int:
    return int(w.spi.WSPStartup(0x0101, ws.WSPDATA(), None, ws.WSPUPCALLTABLE(), ws.WSPPROC_TABLE()))


case("WSPStartup", "WSAEFAULT", "lpWSPData is NULL")(
    lambda w: int(w.spi.WSPStartup(0x0202, None, None, ws.WSPUPCALLTABLE(), ws.WSPPROC_TABLE()))
)


# -- the secure socket extensions (SPI-FACTS 5) -----------------------------------------------------------


def _ptn(peer: bytes = b"", protocol: int = ws.SOCKET_SECURITY_PROTOCOL_IPSEC) -> ws.SOCKET_PEER_TARGET_NAME:
    return ws.SOCKET_PEER_TARGET_NAME(SecurityProtocol=protocol, PeerAddress=peer, AllStrings="host/b.test")


def _set_name(w: World, s: int, obj: Any, length: int | None = None) -> int:
    n = 144 + 22 if length is None else length
    return api_failed(w, w.api.WSASetSocketPeerTargetName(s, obj, n))


_SPN = "WSASetSocketPeerTargetName"
case(_SPN, "WSAEAFNOSUPPORT", "a datagram socket, PeerAddress of another family (AF_INET6)")(
    lambda w: _set_name(w, w.udp(), _ptn(ws.sockaddr("fd00::2", 9)))
)
case(_SPN, "WSAEFAULT", "PeerTargetName is NULL")(lambda w: _set_name(w, w.sock(), None))
case(_SPN, "WSAEINVAL", "a connectionless socket and PeerAddress's IP address and port are zero")(
    lambda w: _set_name(w, w.udp(), _ptn(ws.sockaddr("0.0.0.0", 0)))
)
case(_SPN, "WSAEISCONN", "the socket is connected")(lambda w: _set_name(w, w.pair()[0], _ptn()))
case(_SPN, "WSAEMSGSIZE", "PeerTargetNameLen (16) is too small")(lambda w: _set_name(w, w.sock(), _ptn(), 16))
case(_SPN, "WSAENOTSOCK", "not a valid socket: a closed handle")(lambda w: _set_name(w, w.closed(), _ptn()))


def _del_name(w: World, s: int, addr: Any, n: int = 16) -> int:
    return api_failed(w, w.api.WSADeleteSocketPeerTargetName(s, addr, n))


_DPN = "WSADeleteSocketPeerTargetName"
case(_DPN, "WSAEAFNOSUPPORT", "PeerAddr is AF_INET6 for an AF_INET socket")(
    lambda w: _del_name(w, w.udp(), ws.sockaddr("fd00::2", 9), 28)
)
case(_DPN, "WSAEFAULT", "PeerAddr is NULL")(lambda w: _del_name(w, w.udp(), None))
case(_DPN, "WSAEMSGSIZE", "PeerAddrLen (8) is too small for a SOCKADDR_IN")(
    lambda w: _del_name(w, w.udp(), ws.sockaddr("10.0.0.2", 9), 8)
)
case(_DPN, "WSAENOTSOCK", "not a valid socket: a closed handle")(lambda w: _del_name(w, w.closed(), ws.sockaddr("10.0.0.2", 9)))


def _set_security(w: World, s: int, settings: Any, n: int = 8) -> int:
    return api_failed(w, w.api.WSASetSocketSecurity(s, settings, n))


_SEC = "WSASetSocketSecurity"
case(_SEC, "WSAEINVAL", "SOCKET_SECURITY_SETTINGS holds a bad value (SecurityProtocol 99)")(
    lambda w: _set_security(w, w.sock(), ws.SOCKET_SECURITY_SETTINGS(SecurityProtocol=99, SecurityFlags=0))
)
case(_SEC, "WSAEISCONN", "the socket is connected")(lambda w: _set_security(w, w.pair()[0], None, 0))
case(_SEC, "WSAEMSGSIZE", "SecuritySettingsLen (4) is too small")(
    lambda w: _set_security(w, w.sock(), ws.SOCKET_SECURITY_SETTINGS(), 4)
)
case(_SEC, "WSAENOTSOCK", "not a valid socket: a closed handle")(lambda w: _set_security(w, w.closed(), None, 0))


def _query(w: World, s: int, template: Any = None, n: int = 0, info: Any = ..., length: Any = ...) -> int:
    i = ws.SOCKET_SECURITY_QUERY_INFO() if info is ... else info
    ln = ctypes.c_ulong(24) if length is ... else length
    return api_failed(w, w.api.WSAQuerySocketSecurity(s, template, n, i, ln))


def _template(peer: bytes) -> ws.SOCKET_SECURITY_QUERY_TEMPLATE:
    return ws.SOCKET_SECURITY_QUERY_TEMPLATE(SecurityProtocol=0, PeerAddress=peer, PeerTokenAccessMask=0)


_QRY = "WSAQuerySocketSecurity"
case(_QRY, "WSAEAFNOSUPPORT", "a UDP template whose PeerAddress is AF_INET6 on an AF_INET socket")(
    lambda w: _query(w, w.udp(), _template(ws.sockaddr("fd00::2", 9)), 144)
)
case(_QRY, "WSAECONNRESET", "the TCP connection was reset")(lambda w: _query(w, w.reset_pair()))
case(_QRY, "WSAEFAULT", "SecurityQueryInfoLen is NULL")(lambda w: _query(w, w.pair()[0], length=None))
case(_QRY, "WSAEMSGSIZE", "a non-TCP socket and SecurityQueryInfo is NULL")(
    lambda w: _query(w, w.udp(), _template(ws.sockaddr("10.0.0.2", 9)), 144, info=None, length=ctypes.c_ulong(0))
)
case(_QRY, "WSAENOTSOCK", "not a valid socket: a closed handle")(lambda w: _query(w, w.closed()))


def _impersonate(w: World, s: int, addr: Any, n: int = 16) -> int:
    return api_failed(w, w.api.WSAImpersonateSocketPeer(s, addr, n))


_IMP = "WSAImpersonateSocketPeer"
case(_IMP, "WSAEFAULT", "a connectionless socket and PeerAddr is NULL")(lambda w: _impersonate(w, w.udp(), None))
case(_IMP, "WSAEAFNOSUPPORT", "PeerAddr's family (99) is not supported")(
    lambda w: _impersonate(w, w.udp(), b"\x63\x00" + bytes(14))
)
case(_IMP, "WSAEMSGSIZE", "PeerAddrLen (1) is too small")(lambda w: _impersonate(w, w.udp(), ws.sockaddr("10.0.0.2", 9), 1))
case(_IMP, "WSAENOTSOCK", "not a valid socket: a closed handle")(
    lambda w: _impersonate(w, w.closed(), ws.sockaddr("10.0.0.2", 9))
)


# == the tests ====================================================================================


@pytest.mark.parametrize("key", sorted(CASES))
def test_documented_error(key: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """SPI-FACTS 3.6 (3.1, 5.2-5.7): each case is one documented (function, error)
    pair produced under its documented condition; the case's ``cite`` --
    "SPI-FACTS 3.6 <function>: <error> (<condition>)" -- names its source."""
    c = CASES[key]
    got = c.run(World(c.profile, monkeypatch))
    expected = getattr(ws, c.error)
    assert got == expected, f"{c.cite}: got {ws.ErrorCode(got).name if got else got}"


def test_every_case_is_a_documented_pair() -> None:
    """SPI-FACTS 3.6, 3.1, 5: the cases above only claim pairs the documents list
    (a typo in a function or error name would otherwise test nothing documented)."""
    documented = {(f, e) for f, errors in DOCUMENTED.items() for e in errors}
    assert sorted({(c.function, c.error) for c in CASES.values()} - documented) == []


_ROW = re.compile(r"^\| (?P<function>\w+) \| (?P<error>\w+) \| (?P<status>.+) \|$")
_TESTED = re.compile(r"^tested by `(?P<test>[^`]+)`")


def _doc_rows() -> dict[tuple[str, str], str]:
    rows: dict[tuple[str, str], str] = {}
    text = DOC.read_text(encoding="utf-8")
    assert "\n## The pairs\n" in text
    for line in text.split("\n## The pairs\n", 1)[1].splitlines():
        m = _ROW.match(line)
        if m is None or m["function"] == "function":
            continue
        key = (m["function"], m["error"])
        assert key not in rows, f"docs/error-coverage.md lists {key} twice"
        rows[key] = m["status"]
    return rows


def _test_exists(test_id: str) -> bool:
    """A test id "tests/<file>.py::<test>[<param>]" names a test of the suite."""
    path, _, rest = test_id.partition("::")
    name, _, param = rest.partition("[")
    file = DOC.parent.parent / path
    if not file.is_file() or not re.search(rf"^def {re.escape(name)}\(", file.read_text(encoding="utf-8"), re.M):
        return False
    if path == "tests/test_error_tables.py" and name == "test_documented_error":
        return param.rstrip("]") in CASES
    return not param


def test_error_coverage_doc_lists_every_documented_pair() -> None:
    """The audit's record (docs/error-coverage.md): every (function, error) pair
    of SPI-FACTS 3.6 (with 3.1's WSPStartup and 5's secure-socket functions),
    copied here as DOCUMENTED, has exactly one row, "tested by `<test id>`" for a
    test that exists or "not reachable: <reason>"; every case of this file is the
    test named for its pair."""
    rows = _doc_rows()
    documented = {(f, e) for f, errors in DOCUMENTED.items() for e in errors}
    assert sorted(documented - set(rows)) == [], "pairs missing from docs/error-coverage.md"
    assert sorted(set(rows) - documented) == [], "rows for pairs SPI-FACTS does not document"
    for (function, error), status in rows.items():
        m = _TESTED.match(status)
        if m is None:
            assert re.match(r"^not reachable: \S", status), (function, error, status)
            assert f"{function}-{error}" not in CASES, f"{function} {error} is tested: say so"
            continue
        assert _test_exists(m["test"]), (function, error, m["test"])
        key = f"{function}-{error}"
        if key in CASES:
            assert m["test"] == f"tests/test_error_tables.py::test_documented_error[{key}]", (function, error)


def test_explain_agrees_with_the_audit() -> None:
    """``wsspi-sim explain`` (wsspi_sim/explain.py, built from SPI-FACTS 3.6) says
    "never in the simulation" exactly for the rows whose documented pair
    docs/error-coverage.md records as not reachable."""
    from wsspi_sim.explain import DOCUMENTED as EXPLAINED

    rows = _doc_rows()
    for code, row in EXPLAINED:
        functions = [part.strip().split(" ")[0] for part in row.call.split("/")]
        pairs = [(f, code) for f in functions if (f, code) in rows]
        if not pairs:
            continue
        never = all(rows[p].startswith("not reachable") for p in pairs)
        assert ("never in the simulation" in row.when) == never, (code, row.call, row.when)


# == evaluation orders (SPI-FACTS 4.5) ====================================================================


def test_getsockopt_evaluation_order(monkeypatch: pytest.MonkeyPatch) -> None:
    """SPI-FACTS 4.5 (ReactOS msafd WSPGetSockOpt): WSAENOTSOCK -> optval or optlen
    NULL: WSAEFAULT -> level not SOL_SOCKET: WSAEINVAL -> unknown option (SO_GROUP_ID,
    SO_GROUP_PRIORITY, SO_MAX_MSG_SIZE included): WSAENOPROTOOPT -> SO_LINGER on
    SOCK_DGRAM: WSAENOPROTOOPT -> *optlen too small: WSAEFAULT with *optlen set to
    the size needed (W11).  Each step is checked with every later fault present."""
    w = World("documented", monkeypatch)
    spi, t, u = w.spi, w.sock(), w.udp()

    def get(s: int, level: int, opt: int, val: Any, n: Any) -> int:
        e = E()
        return failed(spi.WSPGetSockOpt(s, level, opt, val, n, e), e)

    assert get(w.closed(), 0x1234, 0x7777, None, None) == ws.WSAENOTSOCK  # W11: the handle first
    assert get(t, 0x1234, 0x7777, None, E(0)) == ws.WSAEFAULT
    assert get(t, 0x1234, 0x7777, bytearray(4), None) == ws.WSAEFAULT
    assert get(t, 0x1234, 0x7777, bytearray(0), E(0)) == ws.WSAEINVAL
    for opt in (0x7777, ws.SO_GROUP_ID, ws.SO_GROUP_PRIORITY, ws.SO_MAX_MSG_SIZE):
        assert get(t, ws.SOL_SOCKET, opt, bytearray(0), E(0)) == ws.WSAENOPROTOOPT, hex(opt)
    assert get(u, ws.SOL_SOCKET, ws.SO_LINGER, bytearray(0), E(0)) == ws.WSAENOPROTOOPT
    n = E(1)
    assert get(t, ws.SOL_SOCKET, ws.SO_LINGER, bytearray(1), n) == ws.WSAEFAULT
    assert n.value == 4  # sizeof(linger)


def test_setsockopt_evaluation_order(monkeypatch: pytest.MonkeyPatch) -> None:
    """SPI-FACTS 4.5 (ReactOS msafd WSPSetSockOpt): WSAENOTSOCK -> optval NULL:
    WSAEFAULT -> then, per option, optlen smaller than the option: WSAEFAULT.  The
    level and the option are judged before the size (SPI-FACTS 3.6: WSAEINVAL for a
    bad level, WSAENOPROTOOPT for an unknown option -- not ReactOS's silent success)."""
    w = World("documented", monkeypatch)
    spi, t = w.spi, w.sock()

    def set_(s: int, level: int, opt: int, val: Any, n: int) -> int:
        e = E()
        return failed(spi.WSPSetSockOpt(s, level, opt, val, n, e), e)

    assert set_(w.closed(), 0x1234, 0x7777, None, 0) == ws.WSAENOTSOCK
    assert set_(t, 0x1234, 0x7777, None, 0) == ws.WSAEFAULT
    assert set_(t, 0x1234, 0x7777, b"", 0) == ws.WSAEINVAL
    assert set_(t, ws.SOL_SOCKET, 0x7777, b"", 0) == ws.WSAENOPROTOOPT
    assert set_(t, ws.SOL_SOCKET, ws.SO_LINGER, b"\1\0", 2) == ws.WSAEFAULT
    assert set_(t, ws.SOL_SOCKET, ws.SO_KEEPALIVE, b"\1\0\0", 3) == ws.WSAEFAULT


def test_ioctl_fionbio_fionread_siocatmark_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    """SPI-FACTS 4.5 (ReactOS msafd WSPIoctl) and W72/W75: WSAENOTSOCK first; a NULL
    lpcbBytesReturned is WSAEFAULT (W37: even with an OVERLAPPED).  FIONBIO: input
    shorter than 4 or NULL -> WSAEFAULT, a longer input is fine, the output buffer
    is ignored, *lpcbBytesReturned = 0; going blocking while WSPEventSelect is
    active -> WSAEINVAL (W72).  FIONREAD: no or zero-length output -> WSAEFAULT with
    the size needed (4) reported; cbOutBuffer < 4 -> WSAEINVAL.  SIOCATMARK: no or
    zero-length output -> WSAEFAULT; cbOutBuffer < 4 -> WSAEINVAL; not SOCK_STREAM ->
    WSAEINVAL."""
    w = World("documented", monkeypatch)
    t, u = w.sock(), w.udp()
    assert failed(*ioctl(w, w.closed(), ws.FIONBIO, ret=None)[:2]) == ws.WSAENOTSOCK
    assert failed(*ioctl(w, t, ws.FIONBIO, b"\1\0\0\0", 4, ret=None, ov=ws.WSAOVERLAPPED())[:2]) == ws.WSAEFAULT
    # FIONBIO
    assert failed(*ioctl(w, t, ws.FIONBIO, None, 4)[:2]) == ws.WSAEFAULT
    assert failed(*ioctl(w, t, ws.FIONBIO, b"\1\0\0", 3)[:2]) == ws.WSAEFAULT
    rc, _, got = ioctl(w, t, ws.FIONBIO, b"\1\0\0\0\0\0\0\0", 8, b"read-only", 9)
    assert (rc, got.value) == (0, 0)
    ev = w.api.WSACreateEvent()
    assert w.api.WSAEventSelect(t, ev, ws.FD_READ) == 0
    assert ioctl(w, t, ws.FIONBIO, b"\1\0\0\0", 4)[0] == 0  # nonblocking stays allowed
    assert failed(*ioctl(w, t, ws.FIONBIO, b"\0\0\0\0", 4)[:2]) == ws.WSAEINVAL
    # FIONREAD
    for out, cb in ((None, 4), (bytearray(4), 0)):
        rc, e, got = ioctl(w, u, ws.FIONREAD, None, 0, out, cb)
        assert (failed(rc, e), got.value) == (ws.WSAEFAULT, 4)
    assert failed(*ioctl(w, u, ws.FIONREAD, None, 0, bytearray(4), 3)[:2]) == ws.WSAEINVAL
    rc, _, got = ioctl(w, u, ws.FIONREAD, None, 0, bytearray(4), 4)
    assert (rc, got.value) == (0, 4)
    # SIOCATMARK
    c, _ = w.pair()
    assert failed(*ioctl(w, c, ws.SIOCATMARK, None, 0, None, 4)[:2]) == ws.WSAEFAULT
    assert failed(*ioctl(w, c, ws.SIOCATMARK, None, 0, bytearray(4), 0)[:2]) == ws.WSAEFAULT
    assert failed(*ioctl(w, c, ws.SIOCATMARK, None, 0, bytearray(4), 3)[:2]) == ws.WSAEINVAL
    assert failed(*ioctl(w, u, ws.SIOCATMARK, None, 0, bytearray(4), 4)[:2]) == ws.WSAEINVAL
    out = bytearray(4)
    assert ioctl(w, c, ws.SIOCATMARK, None, 0, out, 4)[0] == 0 and out == struct.pack("<I", 1)


@pytest.mark.parametrize("profile", ["documented", "windows"])
def test_profile_differences_found_by_the_audit(profile: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The audit's three documented-vs-Windows differences, side by side
    (docs/profiles.md): WSPSocket(SOCK_STREAM, IPPROTO_UDP) is WSAEPROTOTYPE in the
    documents (SPI-FACTS 3.6), WSAEPROTONOSUPPORT on Windows (W5); a datagram
    connect to the broadcast address without SO_BROADCAST is WSAEACCES in the
    documents, allowed on Windows, where sendto(broadcast) still fails (W82); an
    undefined ioctl code is WSAEINVAL in the documents, WSAEOPNOTSUPP on Windows (W38)."""
    w = World(profile, monkeypatch)
    windows = profile == "windows"
    assert _wspsocket(w, ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_TCP) == (
        ws.WSAEPROTONOSUPPORT if windows else ws.WSAEPROTOTYPE
    )
    u = w.udp()
    e = E()
    rc = w.spi.WSPConnect(u, ws.sockaddr("255.255.255.255", 9), 16, None, None, None, None, e)
    assert (rc, e.value) == ((0, 0) if windows else (ERR, ws.WSAEACCES))
    if windows:
        assert w.api.send(u, b"x", 1, 0) == 1
    assert w.api.sendto(w.udp(), b"x", 1, 0, ws.sockaddr("255.255.255.255", 9), 16) == ERR
    assert w.err() == ws.WSAEACCES
    v = w.udp()
    w.setopt(v, ws.SO_BROADCAST, 1)
    assert w.api.sendto(v, b"x", 1, 0, ws.sockaddr("255.255.255.255", 9), 16) == 1
    assert failed(*ioctl(w, w.sock(), 0xDEADBEEF)[:2]) == (ws.WSAEOPNOTSUPP if windows else ws.WSAEINVAL)
    # a code Windows defines but the simulation does not model: WSAEOPNOTSUPP in both
    assert failed(*ioctl(w, w.sock(), ws.SIO_FLUSH)[:2]) == ws.WSAEOPNOTSUPP
