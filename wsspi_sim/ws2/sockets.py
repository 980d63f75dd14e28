"""The socket functions of the Winsock DLL (ws2_32): thin wrappers that check
startup and the handle, dispatch through the provider's WSPPROC_TABLE, and set
the calling thread's last error."""

from __future__ import annotations

import struct
from typing import Any

from ..constants import (
    FIONBIO,
    FIONREAD,
    INVALID_SOCKET,
    SD_SEND,
    SIOCATMARK,
    SO_LINGER,
    SOCKET_ERROR,
    SOL_SOCKET,
    WSA_FLAG_OVERLAPPED,
)
from ..errors import (
    WSAEFAULT,
    WSAEWOULDBLOCK,
    WSANOTINITIALISED,
    WSAVERNOTSUPPORTED,
)
from ..provider import fast as _fast
from ..provider.core import Ref, check_int, get_in, put
from ..structs import WSABUF, WSADATA, WSAPROTOCOL_INFOW, WSPDATA
from .core import THREAD, SwitchCore

_U32 = struct.Struct("<I")
_LINGER_ABORT = struct.pack("<HH", 1, 0)
#: What a fast-path slot holds when the proc-table entry is not the base provider's own.
_NO_FAST: Any = object()


class SocketAPI(SwitchCore):
    """WSAStartup ... WSADuplicateSocketW."""

    # -- fast paths (provider/fast.py) ----------------------------------------------
    # send/recv/sendto/recvfrom call the base provider's fast path while their
    # proc-table entry is still the entry WSAStartup found there, and it is the
    # base provider's own (no layered provider, fault or trace wrapper); the fast
    # path hands every call it does not complete back to the general path.
    _fast_send: Any = _NO_FAST
    _fast_recv: Any = _NO_FAST
    _fast_sendto: Any = _NO_FAST
    _fast_recvfrom: Any = _NO_FAST
    _fast_provider: Any = None

    def learn_fast_paths(self) -> None:
        """Note which data entry points of ``self.procs`` are the base provider's own."""
        p, procs = self.provider, self.procs
        for attr, name in (
            ("_fast_send", "WSPSend"), ("_fast_recv", "WSPRecv"),
            ("_fast_sendto", "WSPSendTo"), ("_fast_recvfrom", "WSPRecvFrom"),
        ):  # fmt: skip
            fn = getattr(procs, "lp" + name)
            setattr(self, attr, fn if fn is not None and _fast.native(p, fn, name) else _NO_FAST)
        self._fast_provider = p

    def _fast_failed(self, n: int) -> int:
        """A fast path's error result ``-err``: the last error, SOCKET_ERROR."""
        self.ts().last_error = -n
        return SOCKET_ERROR

    # -- startup -------------------------------------------------------------------
    def WSAStartup(self, wVersionRequested: int, lpWSAData: Any) -> int:
        """Start Winsock for this process; returns 0 or the error (not via last error)."""
        with self.sim.lock:
            wVersionRequested = check_int(wVersionRequested, "wVersionRequested")
            if lpWSAData is None:
                return WSAEFAULT
            if not isinstance(lpWSAData, WSADATA):
                raise TypeError("lpWSAData must be a WSADATA")
            major, minor = wVersionRequested & 0xFF, (wVersionRequested >> 8) & 0xFF
            if major < 1:
                return WSAVERNOTSUPPORTED
            if (major, minor) > (2, 2):
                major, minor = 2, 2
            if not self.started:
                # Loading the catalog: the top of the host's chain, which may be a
                # layered provider installed since this process last started (lsp.py).
                self.provider = self.host.top_provider
                rc = self.provider.WSPStartup(0x0202, WSPDATA(), None, self.upcall_table, self.procs)
                if rc:
                    return int(rc)
                self.learn_fast_paths()
            self.started += 1
            lpWSAData.wVersion = major | (minor << 8)
            lpWSAData.wHighVersion = 0x0202
            lpWSAData.iMaxSockets = 0
            lpWSAData.iMaxUdpDg = 0
            lpWSAData.szDescription = "WinSock 2.0"
            lpWSAData.szSystemStatus = "Running"
            return 0

    def WSACleanup(self) -> int:
        """End one WSAStartup; after the last, every socket of the process is gone (W9)."""
        with self.sim.lock:
            if not self.started:
                self.set_error(WSANOTINITIALISED)
                return SOCKET_ERROR
            self.started -= 1
            if self.started == 0:
                errno = Ref()
                self.provider.caller = self  # type: ignore[assignment]
                try:
                    if self.procs.lpWSPCleanup is not None:
                        self.procs.lpWSPCleanup(errno)
                finally:
                    self.provider.caller = None
                self.sockets.clear()
                self.zombies.clear()
            return 0

    # -- create ----------------------------------------------------------------------
    def socket(self, af: int, type: int, protocol: int) -> int:  # noqa: A002
        """Create a socket; socket() asks for an overlapped one, as ws2_32 does."""
        return self.WSASocketW(af, type, protocol, None, 0, WSA_FLAG_OVERLAPPED)

    def WSASocketW(
        self, af: int, type: int, protocol: int, lpProtocolInfo: Any, g: int, dwFlags: int  # noqa: A002
    ) -> int:
        """Create a socket, or import a duplicate from WSADuplicateSocketW's info.

        Validation order: type, family, protocol (W1-W9); a successful call sets
        the last error to 0 (DESIGN 2).
        """
        with self.sim.lock:
            if not self.started:
                self.set_error(WSANOTINITIALISED)
                return INVALID_SOCKET
            if lpProtocolInfo is not None and not isinstance(lpProtocolInfo, WSAPROTOCOL_INFOW):
                if isinstance(lpProtocolInfo, (bytes, bytearray, memoryview)):
                    if len(lpProtocolInfo) < WSAPROTOCOL_INFOW.SIZE:
                        self.set_error(WSAEFAULT)
                        return INVALID_SOCKET
                    lpProtocolInfo = WSAPROTOCOL_INFOW.unpack(lpProtocolInfo)
                else:
                    raise TypeError("lpProtocolInfo must be a WSAPROTOCOL_INFOW, its packed bytes, or None")
            errno = Ref()
            provider = self.provider
            provider.caller = self  # type: ignore[assignment]
            try:
                assert self.procs.lpWSPSocket is not None
                h: int = self.procs.lpWSPSocket(af, type, protocol, lpProtocolInfo, g, dwFlags, errno)
            finally:
                provider.caller = None
            if h == INVALID_SOCKET:
                self.set_error(errno.value or WSANOTINITIALISED)
            else:
                self.set_error(0)
            return h

    # -- close at the switch (graceful, linger) ------------------------------------------
    def closesocket(self, s: int) -> int:
        """Close a handle.  The switch implements graceful close and SO_LINGER,
        then calls the provider's WSPCloseSocket, the hard close (seed 004):

        * default (SO_DONTLINGER): graceful -- queued data is delivered, then the
          peer reads 0;
        * SO_LINGER {1, 0}: abortive -- the peer's receives fail WSAECONNRESET;
        * SO_LINGER {1, n > 0}: a blocking socket waits (virtual time) until the
          data is gone or n seconds pass, then closes abortively; a nonblocking
          socket with data still queued fails WSAEWOULDBLOCK and stays valid
          (SPI-FACTS 3.7).
        """
        with self.sim.lock:
            e = self.entry(s)
            if e is None:
                return SOCKET_ERROR
            info = e.provider.close_info(s)
            errno = Ref()
            if info is not None:
                last, connected, unsent, onoff, secs, nonblocking = info
                if last and connected and not (onoff and secs == 0):
                    if onoff and unsent and nonblocking:
                        self.set_error(WSAEWOULDBLOCK)  # no disconnect is initiated
                        return SOCKET_ERROR
                    assert e.procs.lpWSPShutdown is not None
                    e.procs.lpWSPShutdown(s, SD_SEND, Ref())
                    if onoff and unsent:
                        drained = self.sim.wait(
                            lambda: e.provider.unsent(s) == 0, float(secs), "closesocket", s
                        )
                        if not drained:
                            assert e.procs.lpWSPSetSockOpt is not None
                            e.procs.lpWSPSetSockOpt(s, SOL_SOCKET, SO_LINGER, _LINGER_ABORT, 4, Ref())
            assert e.procs.lpWSPCloseSocket is not None
            return self.ret(e.procs.lpWSPCloseSocket(s, errno), errno)

    # -- addresses and connections --------------------------------------------------------
    def bind(self, s: int, name: Any, namelen: int) -> int:
        """Bind; a NULL name or namelen < 16 is WSAEFAULT before the provider (SPI-FACTS 2.1)."""
        with self.sim.lock:
            e = self.entry(s)
            if e is None:
                return SOCKET_ERROR
            if name is None or check_int(namelen, "namelen") < 16:
                self.set_error(WSAEFAULT)
                return SOCKET_ERROR
            errno = Ref()
            return self.ret(e.procs.lpWSPBind(s, name, namelen, errno), errno)  # type: ignore[misc]

    def listen(self, s: int, backlog: int) -> int:
        """Listen for connections."""
        return self._dispatch(s, "lpWSPListen", backlog)

    def accept(self, s: int, addr: Any, addrlen: Any) -> int:
        """Accept a connection (WSAAccept without a condition function)."""
        return self.WSAAccept(s, addr, addrlen, None, 0)

    def WSAAccept(self, s: int, addr: Any, addrlen: Any, lpfnCondition: Any, dwCallbackData: int) -> int:
        """Accept, asking ``lpfnCondition`` (CF_ACCEPT / CF_REJECT / CF_DEFER)."""
        with self.sim.lock:
            e = self.entry(s)
            if e is None:
                return INVALID_SOCKET
            errno = Ref()
            provider = e.provider
            provider.caller = self  # type: ignore[assignment]
            try:
                assert e.procs.lpWSPAccept is not None
                h: int = e.procs.lpWSPAccept(s, addr, addrlen, lpfnCondition, dwCallbackData, errno)
            finally:
                provider.caller = None
            if h == INVALID_SOCKET:
                self.set_error(errno.value)
            return h

    def connect(self, s: int, name: Any, namelen: int) -> int:
        """Connect (WSAConnect without connect data or QoS)."""
        return self.WSAConnect(s, name, namelen, None, None, None, None)

    def WSAConnect(
        self, s: int, name: Any, namelen: int, lpCallerData: Any, lpCalleeData: Any, lpSQOS: Any, lpGQOS: Any
    ) -> int:
        """Connect a stream socket, or set/dissolve a datagram socket's default peer."""
        return self._dispatch(s, "lpWSPConnect", name, namelen, lpCallerData, lpCalleeData, lpSQOS, lpGQOS)

    def getsockname(self, s: int, name: Any, namelen: Any) -> int:
        """The local address into ``name`` (bytearray) and ``namelen`` (in/out)."""
        return self._dispatch(s, "lpWSPGetSockName", name, namelen)

    def getpeername(self, s: int, name: Any, namelen: Any) -> int:
        """The peer's address."""
        return self._dispatch(s, "lpWSPGetPeerName", name, namelen)

    # -- data ---------------------------------------------------------------------------
    def send(self, s: int, buf: Any, len: int, flags: int) -> int:  # noqa: A002
        """Send ``len`` bytes of ``buf``; returns the count sent or SOCKET_ERROR."""
        with self.sim.lock:
            if self.started and type(s) is int:
                e = self.sockets.get(s)
                if e is not None and e.procs.lpWSPSend is self._fast_send:
                    n = _fast.send(self._fast_provider, s, buf, len, flags)
                    if n >= 0:
                        return n
                    if n != _fast.GENERAL:
                        return self._fast_failed(n)
            e = self.entry(s)
            if e is None:
                return SOCKET_ERROR
            sent = Ref()
            errno = Ref()
            assert e.procs.lpWSPSend is not None
            rc = e.procs.lpWSPSend(s, [WSABUF(len, buf)], 1, sent, flags, None, None, None, errno)
            if rc == SOCKET_ERROR:
                return self.ret(rc, errno)
            return int(sent.value)

    def recv(self, s: int, buf: Any, len: int, flags: int) -> int:  # noqa: A002
        """Receive up to ``len`` bytes into ``buf``; 0 means graceful close."""
        with self.sim.lock:
            if self.started and type(s) is int:
                e = self.sockets.get(s)
                if e is not None and e.procs.lpWSPRecv is self._fast_recv:
                    n = _fast.recv(self._fast_provider, s, buf, len, flags)
                    if n >= 0:
                        return n
                    if n != _fast.GENERAL:
                        return self._fast_failed(n)
            e = self.entry(s)
            if e is None:
                return SOCKET_ERROR
            got = Ref()
            fl = Ref(flags)
            errno = Ref()
            assert e.procs.lpWSPRecv is not None
            rc = e.procs.lpWSPRecv(s, [WSABUF(len, buf)], 1, got, fl, None, None, None, errno)
            if rc == SOCKET_ERROR:
                return self.ret(rc, errno)
            return int(got.value)

    def sendto(self, s: int, buf: Any, len: int, flags: int, to: Any, tolen: int) -> int:  # noqa: A002
        """Send a datagram to ``to`` (ignored on stream sockets)."""
        with self.sim.lock:
            if self.started and type(s) is int:
                e = self.sockets.get(s)
                if e is not None and e.procs.lpWSPSendTo is self._fast_sendto:
                    n = _fast.sendto(self._fast_provider, s, buf, len, flags, to, tolen)
                    if n >= 0:
                        return n
                    if n != _fast.GENERAL:
                        return self._fast_failed(n)
            e = self.entry(s)
            if e is None:
                return SOCKET_ERROR
            sent = Ref()
            errno = Ref()
            assert e.procs.lpWSPSendTo is not None
            rc = e.procs.lpWSPSendTo(s, [WSABUF(len, buf)], 1, sent, flags, to, tolen, None, None, None, errno)
            if rc == SOCKET_ERROR:
                return self.ret(rc, errno)
            return int(sent.value)

    def recvfrom(self, s: int, buf: Any, len: int, flags: int, from_: Any = None, fromlen: Any = None) -> int:  # noqa: A002
        """Receive a datagram and its sender (``from`` is spelled ``from_`` in Python)."""
        with self.sim.lock:
            if self.started and type(s) is int:
                e = self.sockets.get(s)
                if e is not None and e.procs.lpWSPRecvFrom is self._fast_recvfrom:
                    n = _fast.recvfrom(self._fast_provider, s, buf, len, flags, from_, fromlen)
                    if n >= 0:
                        return n
                    if n != _fast.GENERAL:
                        return self._fast_failed(n)
            e = self.entry(s)
            if e is None:
                return SOCKET_ERROR
            got = Ref()
            fl = Ref(flags)
            errno = Ref()
            assert e.procs.lpWSPRecvFrom is not None
            rc = e.procs.lpWSPRecvFrom(
                s, [WSABUF(len, buf)], 1, got, fl, from_, fromlen, None, None, None, errno
            )
            if rc == SOCKET_ERROR:
                return self.ret(rc, errno)
            return int(got.value)

    def WSASend(
        self, s: int, lpBuffers: Any, dwBufferCount: int, lpNumberOfBytesSent: Any, dwFlags: int,
        lpOverlapped: Any, lpCompletionRoutine: Any,
    ) -> int:  # fmt: skip
        """Send from WSABUFs, possibly overlapped."""
        return self._dispatch(
            s, "lpWSPSend", lpBuffers, dwBufferCount, lpNumberOfBytesSent, dwFlags, lpOverlapped,
            lpCompletionRoutine, THREAD,
        )  # fmt: skip

    def WSARecv(
        self, s: int, lpBuffers: Any, dwBufferCount: int, lpNumberOfBytesRecvd: Any, lpFlags: Any,
        lpOverlapped: Any, lpCompletionRoutine: Any,
    ) -> int:  # fmt: skip
        """Receive into WSABUFs, possibly overlapped."""
        return self._dispatch(
            s, "lpWSPRecv", lpBuffers, dwBufferCount, lpNumberOfBytesRecvd, lpFlags, lpOverlapped,
            lpCompletionRoutine, THREAD,
        )  # fmt: skip

    def WSASendTo(
        self, s: int, lpBuffers: Any, dwBufferCount: int, lpNumberOfBytesSent: Any, dwFlags: int,
        lpTo: Any, iTolen: int, lpOverlapped: Any, lpCompletionRoutine: Any,
    ) -> int:  # fmt: skip
        """Send a datagram from WSABUFs, possibly overlapped."""
        return self._dispatch(
            s, "lpWSPSendTo", lpBuffers, dwBufferCount, lpNumberOfBytesSent, dwFlags, lpTo, iTolen,
            lpOverlapped, lpCompletionRoutine, THREAD,
        )  # fmt: skip

    def WSARecvFrom(
        self, s: int, lpBuffers: Any, dwBufferCount: int, lpNumberOfBytesRecvd: Any, lpFlags: Any,
        lpFrom: Any, lpFromlen: Any, lpOverlapped: Any, lpCompletionRoutine: Any,
    ) -> int:  # fmt: skip
        """Receive a datagram and its sender into WSABUFs, possibly overlapped."""
        return self._dispatch(
            s, "lpWSPRecvFrom", lpBuffers, dwBufferCount, lpNumberOfBytesRecvd, lpFlags, lpFrom,
            lpFromlen, lpOverlapped, lpCompletionRoutine, THREAD,
        )  # fmt: skip

    # -- shutdown ----------------------------------------------------------------------------
    def shutdown(self, s: int, how: int) -> int:
        """Disable receives (SD_RECEIVE), sends (SD_SEND) or both (SD_BOTH)."""
        return self._dispatch(s, "lpWSPShutdown", how)

    def WSASendDisconnect(self, s: int, lpOutboundDisconnectData: Any) -> int:
        """shutdown(SD_SEND) plus disconnect data (TCP has none: WSAENOPROTOOPT)."""
        return self._dispatch(s, "lpWSPSendDisconnect", lpOutboundDisconnectData)

    def WSARecvDisconnect(self, s: int, lpInboundDisconnectData: Any) -> int:
        """Disable reception (seed 003 at the API)."""
        return self._dispatch(s, "lpWSPRecvDisconnect", lpInboundDisconnectData)

    # -- options and control -------------------------------------------------------------
    def getsockopt(self, s: int, level: int, optname: int, optval: Any, optlen: Any) -> int:
        """Read an option into ``optval`` (bytearray); ``optlen`` is in/out."""
        return self._dispatch(s, "lpWSPGetSockOpt", level, optname, optval, optlen)

    def setsockopt(self, s: int, level: int, optname: int, optval: Any, optlen: int) -> int:
        """Set an option from ``optval`` (bytes, or a structure such as linger)."""
        return self._dispatch(s, "lpWSPSetSockOpt", level, optname, optval, optlen)

    def WSAIoctl(
        self, s: int, dwIoControlCode: int, lpvInBuffer: Any, cbInBuffer: int, lpvOutBuffer: Any,
        cbOutBuffer: int, lpcbBytesReturned: Any, lpOverlapped: Any, lpCompletionRoutine: Any,
    ) -> int:  # fmt: skip
        """Control a socket; ws2_32 validates nothing itself (SPI-FACTS 4.6)."""
        return self._dispatch(
            s, "lpWSPIoctl", dwIoControlCode, lpvInBuffer, cbInBuffer, lpvOutBuffer, cbOutBuffer,
            lpcbBytesReturned, lpOverlapped, lpCompletionRoutine, THREAD,
        )  # fmt: skip

    def ioctlsocket(self, s: int, cmd: int, argp: Any) -> int:
        """FIONBIO (argp.value in), FIONREAD and SIOCATMARK (argp.value out)."""
        with self.sim.lock:
            e = self.entry(s)
            if e is None:
                return SOCKET_ERROR
            if argp is None:
                self.set_error(WSAEFAULT)
                return SOCKET_ERROR
            cmd = check_int(cmd, "cmd") & 0xFFFFFFFF
            errno = Ref()
            got = Ref()
            assert e.procs.lpWSPIoctl is not None
            if cmd == FIONBIO:
                inb = _U32.pack(get_in(argp, "argp") & 0xFFFFFFFF)
                rc = e.procs.lpWSPIoctl(s, cmd, inb, 4, None, 0, got, None, None, None, errno)
                return self.ret(rc, errno)
            out = bytearray(4)
            rc = e.procs.lpWSPIoctl(s, cmd, None, 0, out, 4, got, None, None, None, errno)
            if rc == SOCKET_ERROR:
                return self.ret(rc, errno)
            if cmd in (FIONREAD, SIOCATMARK):
                put(argp, _U32.unpack(out)[0], "argp")
            return 0

    def WSADuplicateSocketW(self, s: int, dwProcessId: int, lpProtocolInfo: Any) -> int:
        """Fill ``lpProtocolInfo`` so process ``dwProcessId`` can make a duplicate."""
        return self._dispatch(s, "lpWSPDuplicateSocket", dwProcessId, lpProtocolInfo)
