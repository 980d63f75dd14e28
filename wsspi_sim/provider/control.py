"""Control entry points of the base provider: options, names, ioctls, network
events, and the entry points the simulation does not model (WSAEOPNOTSUPP)."""

from __future__ import annotations

import ipaddress
import struct
from collections import deque
from typing import Any

from .. import constants as _constants
from .. import states as S
from ..constants import (
    AF_INET,
    AF_INET6,
    FALSE,
    FIONBIO,
    FIONREAD,
    INVALID_SOCKET,
    IP_TTL,
    IPPROTO_IP,
    IPPROTO_IPV6,
    IPPROTO_TCP,
    IPV6_UNICAST_HOPS,
    IPV6_V6ONLY,
    SIO_ADDRESS_LIST_CHANGE,
    SIO_ADDRESS_LIST_QUERY,
    SIO_KEEPALIVE_VALS,
    SIO_ROUTING_INTERFACE_QUERY,
    SIOCATMARK,
    SO_ACCEPTCONN,
    SO_BROADCAST,
    SO_DEBUG,
    SO_DONTLINGER,
    SO_DONTROUTE,
    SO_ERROR,
    SO_EXCLUSIVEADDRUSE,
    SO_KEEPALIVE,
    SO_LINGER,
    SO_OOBINLINE,
    SO_PROTOCOL_INFOA,
    SO_PROTOCOL_INFOW,
    SO_RCVBUF,
    SO_RCVTIMEO,
    SO_REUSEADDR,
    SO_SNDBUF,
    SO_SNDTIMEO,
    SO_TYPE,
    SOCKET_ERROR,
    SOL_SOCKET,
    STATUS_PENDING,
    TCP_NODELAY,
)
from ..errors import (
    WSA_IO_PENDING,
    WSAEAFNOSUPPORT,
    WSAEFAULT,
    WSAEINTR,
    WSAEINVAL,
    WSAENETUNREACH,
    WSAENOPROTOOPT,
    WSAENOTCONN,
    WSAEOPNOTSUPP,
    WSAEWOULDBLOCK,
    NotModelledError,
)
from ..structs import WSANETWORKEVENTS, WSAOVERLAPPED
from ..transport import is_loopback
from .catalog import resolve
from .core import Ref, addr_size, check_int, encode_addr, get_in, put, readable, writable
from .io import DataPath
from .sock import Op, Sock

_I32 = struct.Struct("<i")
#: Every control code Windows defines (the SIO_* / FIO* / SIOC* constants): a code
#: outside it is "not a valid command" (SPI-FACTS 3.6), not one left unmodelled.
_DEFINED_CODES: frozenset[int] = frozenset(
    v & 0xFFFFFFFF for k, v in vars(_constants).items()
    if k.startswith(("SIO_", "FIO", "SIOC")) and type(v) is int
)
_U32 = struct.Struct("<I")
_H2 = struct.Struct("<HH")
#: struct tcp_keepalive {u_long onoff, keepalivetime, keepaliveinterval} (W76)
_KEEPALIVE = struct.Struct("<III")
#: SOCKET_ADDRESS on x64: LPSOCKADDR lpSockaddr; INT iSockaddrLength; padding
_SOCKET_ADDRESS = struct.Struct("<Qi4x")
#: SOCKET_ADDRESS_LIST's header on x64: INT iAddressCount and 4 bytes of padding
_ADDR_LIST_HEAD = 8

#: SOL_SOCKET options: name -> (size, settable).  SO_ACCEPTCONN, SO_TYPE,
#: SO_PROTOCOL_INFOW are read-only (setting them is WSAENOPROTOOPT, W8).
_SOL_OPTS: dict[int, tuple[int, bool]] = {
    SO_DEBUG: (4, True),
    SO_ACCEPTCONN: (4, False),
    SO_REUSEADDR: (4, True),
    SO_KEEPALIVE: (4, True),
    SO_DONTROUTE: (4, True),
    SO_BROADCAST: (4, True),
    SO_LINGER: (4, True),
    SO_OOBINLINE: (4, True),
    SO_DONTLINGER: (4, True),
    SO_EXCLUSIVEADDRUSE: (4, True),
    SO_SNDBUF: (4, True),
    SO_RCVBUF: (4, True),
    SO_SNDTIMEO: (4, True),
    SO_RCVTIMEO: (4, True),
    SO_ERROR: (4, True),
    SO_TYPE: (4, False),
    SO_PROTOCOL_INFOW: (628, False),
    SO_PROTOCOL_INFOA: (372, False),  # WSAPROTOCOL_INFOA: szProtocol is CHAR[256] (W11)
}

_BOOL_ATTR = {
    SO_DEBUG: "debug",
    SO_REUSEADDR: "reuse",
    SO_KEEPALIVE: "keepalive",
    SO_DONTROUTE: "dontroute",
    SO_BROADCAST: "broadcast",
    SO_OOBINLINE: "oobinline",
    SO_EXCLUSIVEADDRUSE: "exclusive",
}


class Control(DataPath):
    """Options, names, ioctls and network events."""

    #: the size a failing ioctl needs, written to *lpcbBytesReturned (Security.WSPIoctl)
    _needed: int | None = None

    def __init__(self, host: Any) -> None:
        super().__init__(host)
        #: address family -> how many times the host's address list for it changed
        self.address_changes: dict[int, int] = {}

    # -- options ------------------------------------------------------------------
    def WSPGetSockOpt(self, s: int, level: int, optname: int, optval: Any, optlen: Any, lpErrno: Any) -> int:
        """Read an option (SPI-FACTS 3.6, 4.5 order; W11: a short optlen is
        WSAEFAULT and is rewritten to the size needed)."""
        sock = self.lookup(s, lpErrno)
        if sock is None:
            return SOCKET_ERROR
        level = check_int(level, "level")
        optname = check_int(optname, "optname")
        if optval is None or optlen is None:
            return self.fail(lpErrno, WSAEFAULT)
        if level == IPPROTO_TCP:
            if not sock.stream or optname != TCP_NODELAY:
                return self.fail(lpErrno, WSAENOPROTOOPT)
            return self._put_opt(optval, optlen, _I32.pack(int(sock.nodelay)), lpErrno)
        if level in (IPPROTO_IP, IPPROTO_IPV6):
            attr = self._ip_opt(sock, level, optname, lpErrno)
            if attr is None:
                return SOCKET_ERROR
            return self._put_opt(optval, optlen, _I32.pack(int(getattr(sock, attr))), lpErrno)
        if level != SOL_SOCKET:
            return self.fail(lpErrno, WSAEINVAL)
        spec = _SOL_OPTS.get(optname)
        if spec is None:
            return self.fail(lpErrno, WSAENOPROTOOPT)
        if optname in (SO_LINGER, SO_DONTLINGER) and not sock.stream:
            return self.fail(lpErrno, WSAENOPROTOOPT)
        if optname == SO_PROTOCOL_INFOA:
            entry = resolve(sock.family, sock.type, sock.protocol)
            assert not isinstance(entry, int)
            # Same fields as the W form, then the name as 256 ANSI characters.
            name = entry.name.encode("latin-1", "replace")[:255].ljust(256, b"\0")
            return self._put_opt(optval, optlen, entry.info().pack()[:116] + name, lpErrno, keep_len=True)
        if optname == SO_PROTOCOL_INFOW:
            entry = resolve(sock.family, sock.type, sock.protocol)
            assert not isinstance(entry, int)
            return self._put_opt(optval, optlen, entry.info().pack(), lpErrno, keep_len=True)
        if optname == SO_LINGER:
            value = _H2.pack(sock.linger_onoff, sock.linger_secs)
        elif optname == SO_DONTLINGER:
            value = _I32.pack(int(sock.linger_onoff == 0))
        elif optname == SO_ERROR:
            value = _I32.pack(sock.so_error)
        else:
            value = _I32.pack(self._int_opt(sock, optname))
        rc = self._put_opt(optval, optlen, value, lpErrno)
        if rc == 0 and optname == SO_ERROR and self.policy.so_error_read_clears:
            sock.so_error = 0
        return rc

    def _ip_opt(self, sock: Sock, level: int, optname: int, lpErrno: Any) -> str | None:
        """The Sock attribute behind an IPPROTO_IP / IPPROTO_IPV6 option, or None
        with the error set: the option must belong to the socket's family
        (WSAENOPROTOOPT otherwise); options not modelled fail loudly."""
        if (level == IPPROTO_IP) != (sock.family == AF_INET):
            self.fail(lpErrno, WSAENOPROTOOPT)
            return None
        if level == IPPROTO_IP and optname == IP_TTL:
            return "hop_limit"
        if level == IPPROTO_IPV6 and optname == IPV6_UNICAST_HOPS:
            return "hop_limit"
        if level == IPPROTO_IPV6 and optname == IPV6_V6ONLY:
            return "v6only"
        self.unmodelled(f"option {optname} at level {level}", lpErrno, WSAENOPROTOOPT)
        return None

    def _int_opt(self, sock: Sock, optname: int) -> int:
        if optname in _BOOL_ATTR:
            return int(bool(getattr(sock, _BOOL_ATTR[optname])))
        if optname == SO_ACCEPTCONN:
            return int(sock.state is S.LISTENING)
        if optname == SO_TYPE:
            return sock.type
        if optname == SO_RCVBUF:
            return sock.ep.rcap
        if optname == SO_SNDBUF:
            return sock.ep.scap
        if optname == SO_RCVTIMEO:
            return sock.rcvtimeo
        if optname == SO_SNDTIMEO:
            return sock.sndtimeo
        raise AssertionError(optname)

    def _put_opt(self, optval: Any, optlen: Any, value: bytes, lpErrno: Any, keep_len: bool = False) -> int:
        have = get_in(optlen, "optlen")
        if have < len(value):
            put(optlen, len(value), "optlen")  # W11: rewritten to the required size
            return self.fail(lpErrno, WSAEFAULT)
        mv = writable(optval, "optval")
        if mv is None or len(mv) < len(value):
            return self.fail(lpErrno, WSAEFAULT)
        mv[: len(value)] = value
        if not keep_len:
            put(optlen, len(value), "optlen")
        return 0

    def WSPSetSockOpt(self, s: int, level: int, optname: int, optval: Any, optlen: int, lpErrno: Any) -> int:
        """Set an option (SPI-FACTS 3.6, 3.7 linger rules; W8, W64)."""
        sock = self.lookup(s, lpErrno)
        if sock is None:
            return SOCKET_ERROR
        level = check_int(level, "level")
        optname = check_int(optname, "optname")
        optlen = check_int(optlen, "optlen")
        if optval is None:
            return self.fail(lpErrno, WSAEFAULT)
        raw = readable(optval, "optval")
        if optlen < 0 or optlen > len(raw):
            return self.fail(lpErrno, WSAEFAULT)
        if level == IPPROTO_TCP:
            if not sock.stream or optname != TCP_NODELAY:
                return self.fail(lpErrno, WSAENOPROTOOPT)
            if optlen < 4:
                return self.fail(lpErrno, WSAEFAULT)
            sock.nodelay = _I32.unpack_from(raw)[0] != 0
            return 0
        if level in (IPPROTO_IP, IPPROTO_IPV6):
            attr = self._ip_opt(sock, level, optname, lpErrno)
            if attr is None:
                return SOCKET_ERROR
            if optlen < 4:
                return self.fail(lpErrno, WSAEFAULT)
            value = _I32.unpack_from(raw)[0]
            if attr == "hop_limit" and not 0 <= value <= 255:
                return self.fail(lpErrno, WSAEINVAL)
            if attr == "v6only":
                if sock.ep.bound:
                    return self.fail(lpErrno, WSAEINVAL)  # fixed once bound
                if value == 0:
                    # Dual-stack (IPv4-mapped) sockets are not modelled.
                    return self.unmodelled("IPV6_V6ONLY = 0 (dual-stack sockets)", lpErrno, WSAEINVAL)
                value = 1
            setattr(sock, attr, value)
            return 0
        if level != SOL_SOCKET:
            return self.fail(lpErrno, WSAEINVAL)
        spec = _SOL_OPTS.get(optname)
        if spec is None:
            return self.fail(lpErrno, WSAENOPROTOOPT)
        size, settable = spec
        if not settable:
            if optname == SO_TYPE and not sock.stream:
                return self.fail(lpErrno, self.policy.set_so_type_dgram_error)
            return self.fail(lpErrno, WSAENOPROTOOPT)
        if optname in (SO_LINGER, SO_DONTLINGER) and not sock.stream:
            return self.fail(lpErrno, WSAENOPROTOOPT)
        if optlen < size:
            return self.fail(lpErrno, WSAEFAULT)
        if optname == SO_LINGER:
            sock.linger_onoff, sock.linger_secs = _H2.unpack_from(raw)
            return 0
        value = _I32.unpack_from(raw)[0]
        if optname == SO_DONTLINGER:
            # enabling one disables the other; l_linger is kept (SPI-FACTS 3.7)
            sock.linger_onoff = 0 if value else 1
        elif optname == SO_ERROR:
            if not self.policy.so_error_settable:
                return self.fail(lpErrno, WSAENOPROTOOPT)
            sock.so_error = value
        elif optname in _BOOL_ATTR:
            if optname == SO_KEEPALIVE and sock.state is S.RESET:
                return self.fail(lpErrno, WSAENOTCONN)  # "reset when SO_KEEPALIVE is set" (SPI-FACTS 3.6)
            if optname in (SO_REUSEADDR, SO_EXCLUSIVEADDRUSE) and sock.ep.bound:
                return self.fail(lpErrno, WSAEINVAL)
            if optname == SO_REUSEADDR and value and sock.exclusive or (
                optname == SO_EXCLUSIVEADDRUSE and value and sock.reuse
            ):
                return self.fail(lpErrno, WSAEINVAL)  # the two are exclusive
            setattr(sock, _BOOL_ATTR[optname], value != 0)
        elif optname == SO_RCVBUF:
            if value < 0:
                return self.fail(lpErrno, WSAEINVAL)
            # A zero buffer still needs room to move bytes in the simulation.
            sock.ep.rcap = max(value, 1)
        elif optname == SO_SNDBUF:
            if value < 0:
                return self.fail(lpErrno, WSAEINVAL)
            sock.ep.scap = value
        elif optname == SO_RCVTIMEO:
            sock.rcvtimeo = value & 0xFFFFFFFF
        elif optname == SO_SNDTIMEO:
            sock.sndtimeo = value & 0xFFFFFFFF
        return 0

    # -- names ----------------------------------------------------------------------
    def WSPGetSockName(self, s: int, name: Any, namelen: Any, lpErrno: Any) -> int:
        """The local address; WSAEINVAL before bind (W86)."""
        sock = self.lookup(s, lpErrno)
        if sock is None:
            return SOCKET_ERROR
        ep = sock.ep
        if not ep.bound and ep.laddr is None:
            return self.fail(lpErrno, WSAEINVAL)
        assert ep.laddr is not None
        return self._put_name(name, namelen, encode_addr(sock.family, *ep.laddr), lpErrno)

    def WSPGetPeerName(self, s: int, name: Any, namelen: Any, lpErrno: Any) -> int:
        """The peer's address; WSAENOTCONN before WSAEFAULT (SPI-FACTS 4.5)."""
        sock = self.lookup(s, lpErrno)
        if sock is None:
            return SOCKET_ERROR
        raddr = sock.ep.raddr
        if sock.stream:
            err = self.check(sock, "getpeername")
            if err:
                return self.fail(lpErrno, err)
        elif sock.state is not S.CONNECTED and raddr is None:
            return self.fail(lpErrno, WSAENOTCONN)
        if raddr is None:
            return self.fail(lpErrno, WSAENOTCONN)
        return self._put_name(name, namelen, encode_addr(sock.family, *raddr), lpErrno)

    def _put_name(self, name: Any, namelen: Any, packed: bytes, lpErrno: Any) -> int:
        if name is None or namelen is None:
            return self.fail(lpErrno, WSAEFAULT)
        if get_in(namelen, "namelen") < len(packed):
            return self.fail(lpErrno, WSAEFAULT)
        mv = writable(name, "name")
        if mv is None or len(mv) < len(packed):
            return self.fail(lpErrno, WSAEFAULT)
        mv[: len(packed)] = packed
        put(namelen, len(packed), "namelen")
        return 0

    # -- ioctl ----------------------------------------------------------------------------
    def WSPIoctl(
        self, s: int, dwIoControlCode: int, lpvInBuffer: Any, cbInBuffer: int, lpvOutBuffer: Any,
        cbOutBuffer: int, lpcbBytesReturned: Any, lpOverlapped: Any, lpCompletionRoutine: Any,
        lpThreadId: Any, lpErrno: Any,
    ) -> int:  # fmt: skip
        """Control a socket (SPI-FACTS 3.6, 4.5; W37, W38, W72, W75)."""
        sock = self.lookup(s, lpErrno)
        if sock is None:
            return SOCKET_ERROR
        code = check_int(dwIoControlCode, "dwIoControlCode") & 0xFFFFFFFF
        cbInBuffer = check_int(cbInBuffer, "cbInBuffer")
        cbOutBuffer = check_int(cbOutBuffer, "cbOutBuffer")
        if lpOverlapped is not None and not isinstance(lpOverlapped, WSAOVERLAPPED):
            raise TypeError("lpOverlapped must be a WSAOVERLAPPED or None")
        if lpCompletionRoutine is not None and not callable(lpCompletionRoutine):
            raise TypeError(
                f"lpCompletionRoutine must be callable or None, not {type(lpCompletionRoutine).__name__}"
            )
        if lpcbBytesReturned is None:
            return self.fail(lpErrno, WSAEFAULT)  # W37: even with an OVERLAPPED
        overlapped = lpOverlapped is not None and sock.overlapped
        if overlapped and lpCompletionRoutine is not None and self.switch_of(s, sock).is_port_associated(s):
            return self.fail(lpErrno, WSAEINVAL)  # W34: no APC on a port-associated socket
        handler = self.ioctl_handlers().get(code)
        if handler is None:
            unknown = code not in _DEFINED_CODES  # not a code Windows defines at all
            if unknown and self.policy.unknown_ioctl_error != WSAEOPNOTSUPP:
                put(lpcbBytesReturned, 0, "lpcbBytesReturned")
                return self.fail(lpErrno, self.policy.unknown_ioctl_error)  # SPI-FACTS 3.6
            if overlapped and self.policy.unknown_ioctl_overlapped_pends and (unknown or not self.sim.strict):
                # W38: Windows starts the request, then fails it (ERROR_NOT_SUPPORTED
                # in the packet, WSAEOPNOTSUPP to a routine); the size is untouched.
                assert lpOverlapped is not None
                switch = self.switch_of(s, sock)
                op = Op("ioctl", s, sock, lpOverlapped, lpCompletionRoutine,
                        self.issuer(switch, lpThreadId, lpCompletionRoutine), switch)  # fmt: skip
                self.begin(lpOverlapped)
                self.reset_event(op)
                self.complete(op, WSAEOPNOTSUPP, 0)
                return self.fail(lpErrno, WSA_IO_PENDING)
            put(lpcbBytesReturned, 0, "lpcbBytesReturned")
            if unknown:
                return self.fail(lpErrno, WSAEOPNOTSUPP)  # Windows' answer (W38), not a guess
            return self.unmodelled(f"WSPIoctl code 0x{code:08X}", lpErrno)
        result = handler(sock, s, lpvInBuffer, cbInBuffer, lpvOutBuffer, cbOutBuffer, lpOverlapped, lpCompletionRoutine, lpThreadId)
        if isinstance(result, tuple):
            return self.finish_ioctl(sock, s, result, lpcbBytesReturned, lpOverlapped, lpCompletionRoutine, lpThreadId, lpErrno)
        return self.fail(lpErrno, result)

    def ioctl_handlers(self) -> dict[int, Any]:
        """Control code -> handler(sock, s, in, cbIn, out, cbOut, ov, routine, thread).

        A handler returns an error code, or (bytes_returned, output_bytes, pending)
        where ``pending`` is an Op that will complete later or None.
        """
        return {
            FIONBIO: self._fionbio,
            FIONREAD: self._fionread,
            SIOCATMARK: self._siocatmark,
            SIO_ADDRESS_LIST_CHANGE: self._address_list_change,
            SIO_KEEPALIVE_VALS: self._keepalive_vals,
            SIO_ROUTING_INTERFACE_QUERY: self._routing_interface_query,
            SIO_ADDRESS_LIST_QUERY: self._address_list_query,
        }

    def finish_ioctl(
        self, sock: Sock, s: int, result: tuple[int, bytes, Any], lpcbBytesReturned: Any,
        lpOverlapped: Any, lpCompletionRoutine: Any, lpThreadId: Any, lpErrno: Any,
    ) -> int:  # fmt: skip
        nbytes, _out, pending = result
        if pending is not None:
            # The handler accepted a request that completes later (SPI-FACTS 3.4):
            # the byte count is not written now.
            return self.fail(lpErrno, WSA_IO_PENDING)
        put(lpcbBytesReturned, nbytes, "lpcbBytesReturned")
        if lpOverlapped is not None and sock.overlapped:
            # A synchronous code given an OVERLAPPED still completes through it
            # (SPI-FACTS 3.4); its packet reports 0 bytes on Windows (W37).
            shown = 0 if self.policy.sync_ioctl_completes_with_zero_bytes else nbytes
            self.complete_now(sock, s, "ioctl", lpOverlapped, lpCompletionRoutine, lpThreadId, 0, shown)
        return 0

    def _fionbio(self, sock: Sock, s: int, inb: Any, cb_in: int, outb: Any, cb_out: int, *_: Any) -> Any:
        if inb is None or cb_in < 4:
            return WSAEFAULT  # W75
        raw = readable(inb, "lpvInBuffer")
        if len(raw) < 4:
            return WSAEFAULT
        value = _U32.unpack_from(raw)[0]
        if value == 0 and sock.ev_mask:
            return WSAEINVAL  # W72: cannot go blocking while WSAEventSelect is active
        sock.nonblocking = value != 0
        return (0, b"", None)

    def _fionread(self, sock: Sock, s: int, inb: Any, cb_in: int, outb: Any, cb_out: int, *_: Any) -> Any:
        if outb is None or cb_out == 0:
            self._needed = 4  # ReactOS msafd reports the size it needs (SPI-FACTS 4.5)
            return WSAEFAULT
        if cb_out < 4:
            return WSAEINVAL  # ReactOS msafd (SPI-FACTS 4.5)
        ep = sock.ep
        count = len(ep.rbuf) if sock.stream else ep.dgram_bytes
        return self._write_out(outb, _U32.pack(count & 0xFFFFFFFF))

    def _siocatmark(self, sock: Sock, s: int, inb: Any, cb_in: int, outb: Any, cb_out: int, *_: Any) -> Any:
        if outb is None or cb_out == 0:
            return WSAEFAULT
        if cb_out < 4:
            return WSAEINVAL
        if not sock.stream:
            return WSAEINVAL
        return self._write_out(outb, _U32.pack(int(self.at_mark(sock))))

    def _address_list_change(
        self, sock: Sock, s: int, inb: Any, cb_in: int, outb: Any, cb_out: int,
        ov: Any, routine: Any, thread_id: Any,
    ) -> Any:  # fmt: skip
        """SIO_ADDRESS_LIST_CHANGE (W30): completes when the host's address list
        for the socket's family changes (Simulator.reroute giving the host a new
        address); until then an overlapped request pends (cancelled by close or
        CancelIo), a nonblocking socket gets WSAEWOULDBLOCK and a blocking one
        waits (WSAEINTR if the socket is closed meanwhile)."""
        if ov is not None and sock.overlapped:
            switch = self.switch_of(s, sock)
            op = Op("ioctl", s, sock, ov, routine, self.issuer(switch, thread_id, routine), switch)
            self.begin(ov)
            self.reset_event(op)
            q = sock.iq
            if q is None:
                q = sock.iq = deque()
            q.append(op)
            return (0, b"", op)
        if sock.nonblocking:
            return WSAEWOULDBLOCK
        changes = self.address_changes.get(sock.family, 0)
        self.block(sock, lambda: self.address_changes.get(sock.family, 0) != changes, None, "WSPIoctl", s)
        if sock.state is S.CLOSED:
            return WSAEINTR
        return (0, b"", None)

    def _keepalive_vals(
        self, sock: Sock, s: int, inb: Any, cb_in: int, outb: Any, cb_out: int, ov: Any, *_: Any,
    ) -> Any:  # fmt: skip
        """SIO_KEEPALIVE_VALS (W76): a tcp_keepalive {onoff, keepalivetime,
        keepaliveinterval} (three u_longs, 12 bytes) sets SO_KEEPALIVE and the
        two timers; any values succeed with 0 bytes returned.  No or an empty
        input: WSAEFAULT with the size set to 0; a short one: WSAEFAULT with the
        size untouched (and, on Windows, an OVERLAPPED left STATUS_PENDING).
        A datagram socket is not modelled (docs/design-choices.md, Ioctls)."""
        if inb is None or cb_in == 0:
            self._needed = 0  # W76: *lpcbBytesReturned = 0
            return WSAEFAULT
        if cb_in < _KEEPALIVE.size or len(readable(inb, "lpvInBuffer")) < _KEEPALIVE.size:
            if ov is not None and sock.overlapped and self.policy.short_keepalive_vals_marks_pending:
                ov.Internal = STATUS_PENDING  # W76 [TODO_WINE]
            return WSAEFAULT
        if not sock.stream:
            if self.sim.strict:
                raise NotModelledError("SIO_KEEPALIVE_VALS on a datagram socket")
            self._needed = 0  # as an unmodelled code (W38)
            return WSAEOPNOTSUPP
        onoff, ktime, kinterval = _KEEPALIVE.unpack_from(readable(inb, "lpvInBuffer"))
        sock.keepalive = onoff != 0
        sock.keepalive_time = ktime
        sock.keepalive_interval = kinterval
        return (0, b"", None)

    def _routing_interface_query(
        self, sock: Sock, s: int, inb: Any, cb_in: int, outb: Any, cb_out: int, *_: Any,
    ) -> Any:  # fmt: skip
        """SIO_ROUTING_INTERFACE_QUERY (W78): the local address (port 0) the host
        would send from to reach the destination sockaddr in the input
        (Network.source_ip).  Bad input: WSAEINVAL (none or short),
        WSAEAFNOSUPPORT (not AF_INET / AF_INET6); no family address to send
        from: WSAENETUNREACH; no output: WSAEFAULT; a short output: WSAEFAULT
        with the size set to the size needed."""
        if inb is None or cb_in < 16:
            return WSAEINVAL
        raw = readable(inb, "lpvInBuffer")
        if len(raw) < 16:
            return WSAEFAULT
        family = raw[0] | (raw[1] << 8)
        if family not in (AF_INET, AF_INET6):
            return WSAEAFNOSUPPORT
        if cb_in < addr_size(family) or len(raw) < addr_size(family):
            return WSAEINVAL
        if family == AF_INET:
            dst = f"{raw[4]}.{raw[5]}.{raw[6]}.{raw[7]}"
        else:
            dst = str(ipaddress.IPv6Address(bytes(raw[8:24])))
        src = self.sim.network.source_ip(self.host, family, dst)
        if src is None:
            return WSAENETUNREACH
        if outb is None:
            return WSAEFAULT  # W78: size untouched
        packed = encode_addr(family, src, 0)
        if cb_out < len(packed):
            self._needed = len(packed)  # W78: the size needed
            return WSAEFAULT
        return self._write_out(outb, packed)

    def address_list(self, family: int) -> bytes:
        """The SOCKET_ADDRESS_LIST of the host's addresses of ``family``
        (loopback excluded), laid out as on x64: INT iAddressCount, 4 bytes of
        padding, one 16-byte SOCKET_ADDRESS {lpSockaddr, iSockaddrLength} per
        address, then the sockaddrs (port 0).  lpSockaddr holds the sockaddr's
        offset from the start of the buffer (there are no pointers here)."""
        want = 4 if family == AF_INET else 6
        ips = [
            ip for ip in self.host.addresses
            if not is_loopback(ip) and ipaddress.ip_address(ip).version == want
        ]  # fmt: skip
        size = addr_size(family)
        head = _ADDR_LIST_HEAD + _SOCKET_ADDRESS.size * len(ips)
        out = bytearray(_I32.pack(len(ips)) + bytes(4))
        for i in range(len(ips)):
            out += _SOCKET_ADDRESS.pack(head + i * size, size)
        for ip in ips:
            out += encode_addr(family, ip, 0)
        return bytes(out)

    def _address_list_query(
        self, sock: Sock, s: int, inb: Any, cb_in: int, outb: Any, cb_out: int, *_: Any,
    ) -> Any:  # fmt: skip
        """SIO_ADDRESS_LIST_QUERY (W79): the host's addresses of the socket's
        family (:meth:`address_list`).  No output or size 0: WSAEFAULT with the
        size needed; a size smaller than the count (INT): WSAEINVAL with size 0;
        any other short size: WSAEFAULT with the size needed, buffer untouched."""
        data = self.address_list(sock.family if sock.family == AF_INET6 else AF_INET)
        if outb is None or cb_out == 0:
            self._needed = len(data)
            return WSAEFAULT
        if cb_out < _I32.size:
            self._needed = 0
            return WSAEINVAL
        if cb_out < len(data):
            self._needed = len(data)
            return WSAEFAULT
        return self._write_out(outb, data)

    def address_list_changed(self, family: int) -> None:
        """The host's address list for ``family`` changed: complete every pending
        SIO_ADDRESS_LIST_CHANGE of that family (0 bytes, success) and wake the
        blocked ones."""
        self.address_changes[family] = self.address_changes.get(family, 0) + 1
        seen: set[int] = set()
        for sock in list(self.table.values()):
            if sock.uid in seen or sock.family != family:
                continue
            seen.add(sock.uid)
            ops = sock.iq
            if ops:
                sock.iq = None
                for op in ops:
                    self.complete(op, 0, 0)
        self.sim.wake()

    def at_mark(self, sock: Sock) -> bool:
        """SIOCATMARK's answer (W74).  FALSE while urgent data is held out of
        band, or was held and put back by SO_OOBINLINE and is still unread.  An
        urgent byte received inline: FALSE until it is read (the documents: OOB
        data waits) or TRUE once it is the next byte to read (Windows)."""
        u = sock.ep.urg
        if u is None or not (u.held or u.marks):
            return True
        if u.held or not self.policy.siocatmark_true_at_inline_mark:
            return False
        marks = u.marks
        return marks[0][0] == 0 and not any(was_held for _, was_held in marks)

    @staticmethod
    def _write_out(outb: Any, data: bytes) -> Any:
        mv = writable(outb, "lpvOutBuffer")
        if mv is None or len(mv) < len(data):
            return WSAEFAULT
        mv[: len(data)] = data
        return (len(data), data, None)

    # -- network events (SPI-FACTS 3.9) ----------------------------------------------
    def WSPEventSelect(self, s: int, hEventObject: Any, lNetworkEvents: int, lpErrno: Any) -> int:
        """Associate an event with FD_ network events; makes the socket nonblocking."""
        sock = self.lookup(s, lpErrno)
        if sock is None:
            return SOCKET_ERROR
        mask = check_int(lNetworkEvents, "lNetworkEvents")
        switch = self.handle_proc.get(s, sock.switch)
        if mask and not switch.is_event(hEventObject):
            return self.fail(lpErrno, WSAEINVAL)
        sock.nonblocking = True
        sock.ev_record = 0
        sock.ev_mask = mask & 0x3FF
        sock.ev_handle = hEventObject if mask else None
        sock.ev_switch = switch
        sock.ev_armed = 0x3FF
        if mask:
            self.ev_update(sock)
        return 0

    def WSPEnumNetworkEvents(self, s: int, hEventObject: Any, lpNetworkEvents: Any, lpErrno: Any) -> int:
        """Copy and clear the record, resetting the event, atomically."""
        sock = self.lookup(s, lpErrno)
        if sock is None:
            return SOCKET_ERROR
        if lpNetworkEvents is None:
            return self.fail(lpErrno, WSAEFAULT)
        if not isinstance(lpNetworkEvents, WSANETWORKEVENTS):
            raise TypeError("lpNetworkEvents must be a WSANETWORKEVENTS")
        switch = self.handle_proc.get(s, sock.switch)
        if hEventObject is not None and hEventObject != 0 and not switch.is_event(hEventObject):
            return self.fail(lpErrno, WSAEINVAL)  # "one of the parameters is invalid" (SPI-FACTS 3.6)
        record = sock.ev_record
        lpNetworkEvents.lNetworkEvents = record
        for bit in range(10):
            if record & (1 << bit):
                lpNetworkEvents.iErrorCode[bit] = sock.ev_errors[bit]
        sock.ev_record = 0
        if hEventObject:
            up = self.upcalls.get(switch)
            if up is not None and up.lpWPUResetEvent is not None:
                up.lpWPUResetEvent(hEventObject, Ref())
        if sock.ev_mask:
            self.ev_update(sock)  # level-triggered conditions still holding
        return 0

    # -- entry points the simulation does not model ----------------------------------
    def WSPAddressToString(self, lpsaAddress: Any, dwAddressLength: int, lpProtocolInfo: Any,
                           lpszAddressString: Any, lpdwAddressStringLength: Any, lpErrno: Any) -> int:
        """Not modelled: WSAEOPNOTSUPP (a NotModelledError in strict mode)."""
        return self.unmodelled("WSPAddressToString", lpErrno)

    def WSPStringToAddress(self, AddressString: Any, AddressFamily: int, lpProtocolInfo: Any,
                           lpAddress: Any, lpAddressLength: Any, lpErrno: Any) -> int:
        """Not modelled: WSAEOPNOTSUPP (a NotModelledError in strict mode)."""
        return self.unmodelled("WSPStringToAddress", lpErrno)

    def WSPAsyncSelect(self, s: int, hWnd: Any, wMsg: int, lEvent: int, lpErrno: Any) -> int:
        """Not modelled (no window messages): WSAEOPNOTSUPP."""
        if self.lookup(s, lpErrno) is None:
            return SOCKET_ERROR
        return self.unmodelled("WSPAsyncSelect", lpErrno)

    def WSPCancelBlockingCall(self, lpErrno: Any) -> int:
        """Not modelled (WinSock 1.1 blocking hooks): WSAEOPNOTSUPP."""
        return self.unmodelled("WSPCancelBlockingCall", lpErrno)

    def WSPGetQOSByName(self, s: int, lpQOSName: Any, lpQOS: Any, lpErrno: Any) -> int:
        """Not modelled (no QoS): FALSE with WSAEOPNOTSUPP."""
        if self.lookup(s, lpErrno) is None:
            return FALSE
        self.unmodelled("WSPGetQOSByName", lpErrno)
        return FALSE

    def WSPJoinLeaf(self, s: int, name: Any, namelen: int, lpCallerData: Any, lpCalleeData: Any,
                    lpSQOS: Any, lpGQOS: Any, dwFlags: int, lpErrno: Any) -> int:
        """Not modelled (no multipoint): INVALID_SOCKET with WSAEOPNOTSUPP."""
        if self.lookup(s, lpErrno) is None:
            return INVALID_SOCKET
        self.unmodelled("WSPJoinLeaf", lpErrno)
        return INVALID_SOCKET

    def WSPSelect(self, nfds: int, readfds: Any, writefds: Any, exceptfds: Any, timeout: Any,
                  lpErrno: Any) -> int:
        """Replaced by :class:`~wsspi_sim.provider.select.Select` (the provider's
        real WSPSelect); a Control without it does not model select."""
        return self.unmodelled("WSPSelect", lpErrno)


__all__ = ["Control", "addr_size"]
