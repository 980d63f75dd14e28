"""Shared machinery of the base provider: the socket table, argument helpers,
overlapped completion and the network-event record.

Completion follows a non-IFS provider (SPI-FACTS 3.4): the provider writes
OffsetHigh (error) and Offset (flags), then either asks the switch to complete
the request (WPUCompleteOverlappedRequest: InternalHigh, Internal, event, port)
or, when the caller gave a completion routine, queues an APC to the issuing
thread with WPUQueueApc.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .. import states as S
from ..constants import (
    AF_INET,
    AF_INET6,
    FD_ACCEPT,
    FD_ACCEPT_BIT,
    FD_CLOSE,
    FD_CLOSE_BIT,
    FD_CONNECT_BIT,
    FD_OOB,
    FD_OOB_BIT,
    FD_READ,
    FD_READ_BIT,
    FD_WRITE_BIT,
    SOCKET_ERROR,
    WSS_OPERATION_IN_PROGRESS,
)
from ..errors import (
    WSAECONNRESET,
    WSAEFAULT,
    WSAENOTSOCK,
    WSAEOPNOTSUPP,
    NotModelledError,
)
from ..spi import WSPUPCALLTABLE
from ..structs import WSAOVERLAPPED, WSATHREADID
from .sock import Op, Sock

if TYPE_CHECKING:
    from ..world import Host
    from ..ws2 import WS2


class Ref:
    """A minimal out-parameter (what ``ctypes.c_int()`` is to a caller)."""

    __slots__ = ("value",)

    def __init__(self, value: Any = 0) -> None:
        self.value = value


def put(out: Any, value: Any, name: str) -> None:
    """Write an out-parameter; a caller's non-writable object is a TypeError."""
    try:
        out.value = value
    except AttributeError:
        raise TypeError(
            f"{name} must be an object with a writable .value (e.g. ctypes.c_int()), "
            f"not {type(out).__name__}"
        ) from None


def get_in(obj: Any, name: str) -> int:
    """Read an in/out integer parameter's current value."""
    try:
        v = obj.value
    except AttributeError:
        raise TypeError(
            f"{name} must be an object with a .value (e.g. ctypes.c_int()), not {type(obj).__name__}"
        ) from None
    if not isinstance(v, int):
        raise TypeError(f"{name}.value must be an int")
    return v


def check_int(v: Any, name: str) -> int:
    if type(v) is int:  # the common case, first
        return v
    if isinstance(v, bool) or not isinstance(v, int):
        if isinstance(v, bool):
            return int(v)
        raise TypeError(f"{name} must be an int, not {type(v).__name__}")
    return v


def readable(buf: Any, name: str) -> memoryview:
    """A byte view of a caller's input buffer (TypeError for a str or non-buffer)."""
    if isinstance(buf, str):
        raise TypeError(f"{name} must be a bytes-like object, not str")
    try:
        mv = memoryview(buf)
    except TypeError:
        pack = getattr(buf, "pack", None)
        if pack is None:
            raise TypeError(f"{name} must be a bytes-like object, not {type(buf).__name__}") from None
        mv = memoryview(pack())
    if mv.format != "B" or mv.ndim != 1:
        mv = mv.cast("B")
    return mv


def writable(buf: Any, name: str) -> memoryview | None:
    """A writable byte view, or None when the buffer is read-only (WSAEFAULT)."""
    if isinstance(buf, str):
        raise TypeError(f"{name} must be a writable bytes-like object, not str")
    try:
        mv = memoryview(buf)
    except TypeError:
        raise TypeError(
            f"{name} must be a writable bytes-like object, not {type(buf).__name__}"
        ) from None
    if mv.readonly:
        return None
    if mv.format != "B" or mv.ndim != 1:
        mv = mv.cast("B")
    return mv


_ADDR_CACHE: dict[tuple[str, int], bytes] = {}


def encode_addr(family: int, ip: str, port: int) -> bytes:
    """Packed SOCKADDR_IN / SOCKADDR_IN6 for (ip, port)."""
    key = (ip, port)
    b = _ADDR_CACHE.get(key)
    if b is None:
        if family == AF_INET:
            b = (
                b"\x02\x00"
                + port.to_bytes(2, "big")
                + ipaddress.IPv4Address(ip).packed
                + bytes(8)
            )
        else:
            b = (
                b"\x17\x00"
                + port.to_bytes(2, "big")
                + bytes(4)
                + ipaddress.IPv6Address(ip).packed
                + bytes(4)
            )
        if len(_ADDR_CACHE) > 4096:
            _ADDR_CACHE.clear()
        _ADDR_CACHE[key] = b
    return b


def addr_size(family: int) -> int:
    return 28 if family == AF_INET6 else 16


def decode_addr(name: Any, namelen: Any, param: str = "name") -> tuple[int, str, int] | int:
    """(family, ip, port) from a caller's sockaddr and length, or WSAEFAULT.

    The family is returned as found; an unknown family gives ("", 0) for the
    address so the caller can choose its own error.
    """
    if name is None:
        return WSAEFAULT
    namelen = check_int(namelen, "namelen")
    b = readable(name, param)
    if namelen < 16 or len(b) < namelen:
        return WSAEFAULT
    fam = b[0] | (b[1] << 8)
    if fam == AF_INET:
        port = (b[2] << 8) | b[3]
        return fam, f"{b[4]}.{b[5]}.{b[6]}.{b[7]}", port
    if fam == AF_INET6:
        if namelen < 28:
            return WSAEFAULT
        port = (b[2] << 8) | b[3]
        return fam, str(ipaddress.IPv6Address(bytes(b[8:24]))), port
    return fam, "", 0


def write_addr(addr: Any, addrlen: Any, packed: bytes, pname: str, lname: str) -> int:
    """Copy a packed address to a caller's buffer and length; 0 or WSAEFAULT."""
    have = get_in(addrlen, lname)
    if have < len(packed):
        return WSAEFAULT
    mv = writable(addr, pname)
    if mv is None or len(mv) < len(packed):
        return WSAEFAULT
    mv[: len(packed)] = packed
    put(addrlen, len(packed), lname)
    return 0


class ProviderCore:
    """State and helpers every part of the base provider shares."""

    def __init__(self, host: Host) -> None:
        self.host = host
        self.sim = host.sim
        self.policy = host.sim.policy
        #: handle -> underlying socket (host-wide; handles are unique in the simulator)
        self.table: dict[int, Sock] = {}
        #: switch (process) -> most recent upcall table (SPI-FACTS 3.1)
        self.upcalls: dict[WS2, WSPUPCALLTABLE] = {}
        self.started: dict[WS2, int] = {}
        #: the process the switch is calling for (set by the switch around calls
        #: that create handles); direct SPI calls use the last started process.
        self.caller: WS2 | None = None
        self.last_started: WS2 | None = None
        self._uids = 0
        self.catalog_base = 1001
        if self.sim.tracer is not None:  # trace the direct WSP entry points (trace.py)
            self.sim.tracer.instrument_provider(self)

    # -- errors --------------------------------------------------------------
    def fail(self, lpErrno: Any, err: int) -> int:
        if lpErrno is not None:
            put(lpErrno, err, "lpErrno")
        return SOCKET_ERROR

    def lookup(self, s: Any, lpErrno: Any) -> Sock | None:
        sock = self.table.get(s) if type(s) is int else None
        if sock is None:
            # A bool is an int to C (FALSE is 0, never a handle): WSAENOTSOCK, as
            # at the switch; anything else that is not an int is a type error.
            if not isinstance(s, int):
                raise TypeError(f"s must be an int socket handle, not {type(s).__name__}")
            if lpErrno is not None:
                put(lpErrno, WSAENOTSOCK, "lpErrno")
        return sock

    def unmodelled(self, what: str, lpErrno: Any, err: int = WSAEOPNOTSUPP) -> int:
        """An entry point or feature the simulation does not model: ``err``
        (WSAEOPNOTSUPP unless Windows would say otherwise), or NotModelledError
        in strict mode."""
        if self.sim.strict:
            raise NotModelledError(what)
        return self.fail(lpErrno, err)

    def step(self, sock: Sock, event: str) -> int:
        """Take the table's transition for ``event``: 0, or the row's error code."""
        table = S.STREAM if sock.stream else S.DATAGRAM
        before = sock.state
        outcome = S.transition(table, before, event)
        tr = self.sim.tracer
        if tr is not None:  # the trace's one hook on this path: free when tracing is off
            tr.transition(sock, "stream" if sock.stream else "datagram", before, event, outcome)
        if isinstance(outcome, int):
            if outcome == WSAECONNRESET and sock.reset_error:
                return sock.reset_error
            return outcome
        sock.state = outcome
        return 0

    def check(self, sock: Sock, event: str) -> int:
        """Like :meth:`step` but without moving (for calls that keep the state)."""
        table = S.STREAM if sock.stream else S.DATAGRAM
        outcome = S.transition(table, sock.state, event)
        if isinstance(outcome, int):
            tr = self.sim.tracer
            if tr is not None:  # a refused row is worth seeing in the trace too
                tr.transition(sock, "stream" if sock.stream else "datagram", sock.state, event, outcome)
            if outcome == WSAECONNRESET and sock.reset_error:
                return sock.reset_error
            return outcome
        return 0

    def process_for(self, switch: WS2 | None) -> WS2:
        proc = switch or self.caller or self.last_started
        if proc is None:
            proc = self.host.ws2
        return proc

    # -- overlapped completion -------------------------------------------------
    def begin(self, ov: WSAOVERLAPPED) -> None:
        """Mark a request in progress (SPI-FACTS 3.4)."""
        ov.Internal = WSS_OPERATION_IN_PROGRESS
        ov.InternalHigh = 0

    def complete(self, op: Op, err: int, nbytes: int, flags: int = 0, packet: bool = True) -> None:
        """Complete ``op`` exactly once through the mechanism its caller chose.

        ``packet=False`` (a request cancelled by its thread's exit without a
        completion key, W33) signals the event but queues no port packet.
        """
        if op.done:
            raise AssertionError("wsspi_sim: overlapped request completed twice")
        op.done = True
        ov = op.ov
        ov.Offset = flags
        ov.OffsetHigh = err
        switch = op.switch
        errno = Ref()
        if op.routine is not None:
            ov.InternalHigh = nbytes
            ov.Internal = switch.status_for(err)
            up = self.upcalls.get(switch)
            # A thread that has exited gets no APC (W33): WPUQueueApc refuses it.
            if up is not None and up.lpWPUQueueApc is not None:
                up.lpWPUQueueApc(op.thread, self.apc, op, errno)
        elif packet:
            switch.WPUCompleteOverlappedRequest(op.handle, ov, err, nbytes, errno)
        else:
            ov.InternalHigh = nbytes
            ov.Internal = switch.status_for(err)
            h = ov.hEvent
            up = self.upcalls.get(switch)
            if type(h) is int and h & ~1 and up is not None and up.lpWPUSetEvent is not None:
                up.lpWPUSetEvent(h & ~1, errno)
        tr = self.sim.tracer
        if tr is not None:
            tr.event("completion", socket=op.handle, op=op.kind, error=err, bytes=nbytes)

    @staticmethod
    def apc(dwContext: Any) -> None:
        """The provider's APC: run the caller's completion routine (LSP overlap.cpp)."""
        op: Op = dwContext
        ov = op.ov
        routine = op.routine
        assert routine is not None
        routine(ov.OffsetHigh, ov.InternalHigh, ov, ov.Offset)

    def complete_now(
        self, sock: Sock, handle: int, kind: str, ov: WSAOVERLAPPED, routine: Callable[..., Any] | None,
        thread: Any, err: int, nbytes: int, flags: int = 0,
    ) -> None:
        """Immediate completion still notifies (SPI-FACTS 3.4)."""
        switch = self.switch_of(handle, sock)
        op = Op(kind, handle, sock, ov, routine, self.issuer(switch, thread, routine), switch)
        self.begin(ov)
        self.complete(op, err, nbytes, flags)

    def switch_of(self, handle: int, sock: Sock) -> WS2:
        return sock.switch

    def issuer(self, switch: WS2, lpThreadId: Any, routine: Callable[..., Any] | None) -> Any:
        """The thread a request belongs to: ``lpThreadId`` as the switch passed it.

        A direct SPI call may pass None; a completion routine still needs a
        thread to run in, so the provider asks the switch for the calling
        thread (WPUOpenCurrentThread, SPI-FACTS 3.3), as a provider must.
        """
        if lpThreadId is not None or routine is None:
            return lpThreadId
        tid = WSATHREADID()
        up = self.upcalls.get(switch)
        if up is not None and up.lpWPUOpenCurrentThread is not None:
            up.lpWPUOpenCurrentThread(tid, Ref())
        return tid

    # -- network events (SPI-FACTS 3.9) -----------------------------------------
    def has_data(self, sock: Sock) -> bool:
        ep = sock.ep
        return bool(ep.rbuf) if sock.stream else bool(ep.dgrams)

    @staticmethod
    def has_urgent(sock: Sock) -> bool:
        """Urgent data is held out of band, unread (FD_OOB, exceptfds, POLLRDBAND)."""
        u = sock.ep.urg
        return u is not None and bool(u.held)

    def latch(self, sock: Sock, bit: int, err: int = 0) -> None:
        """An edge event happened (connect, write space, close)."""
        if sock.state is S.CLOSED:
            return
        sock.ev_errors[bit] = err
        sock.ev_latched |= 1 << bit
        self.ev_update(sock)

    def ev_update(self, sock: Sock) -> None:
        """Record what the association's mask allows and signal its event."""
        mask = sock.ev_mask
        if not mask or sock.ev_handle is None or sock.state is S.CLOSED:
            return
        new = 0
        if mask & FD_READ and sock.ev_armed & FD_READ and self.has_data(sock):
            new |= FD_READ
        if mask & FD_ACCEPT and sock.ev_armed & FD_ACCEPT and sock.ep.accept_q:
            new |= FD_ACCEPT
        if mask & FD_OOB and sock.ev_armed & FD_OOB and self.has_urgent(sock):
            new |= FD_OOB
        latched = sock.ev_latched & mask
        # FD_CLOSE waits for the data to be read -- unless reception is disabled
        # (WSPRecvDisconnect, seed 003): that data can never be read, and FD_CLOSE is
        # how the client learns the circuit closed.
        if (
            latched & FD_CLOSE
            and self.policy.fd_close_waits_for_data
            and self.has_data(sock)
            and sock.state is not S.RECV_SHUT
            and sock.state is not S.BOTH_SHUT
        ):
            latched &= ~FD_CLOSE
        new |= latched
        new &= ~sock.ev_record
        if not new:
            return
        sock.ev_latched &= ~latched
        sock.ev_armed &= ~(new & (FD_READ | FD_ACCEPT | FD_OOB))
        if new & FD_READ:
            sock.ev_errors[FD_READ_BIT] = 0
        if new & FD_ACCEPT:
            sock.ev_errors[FD_ACCEPT_BIT] = 0
        if new & FD_OOB:
            sock.ev_errors[FD_OOB_BIT] = 0
        sock.ev_record |= new
        switch = sock.ev_switch
        if switch is not None:
            up = self.upcalls.get(switch)
            if up is not None and up.lpWPUSetEvent is not None:
                up.lpWPUSetEvent(sock.ev_handle, Ref())

    def rearm(self, sock: Sock, bits: int) -> None:
        """A re-enabling call was made (recv re-enables FD_READ/FD_OOB, accept FD_ACCEPT)."""
        sock.ev_armed |= bits
        if sock.ev_mask:
            self.ev_update(sock)

    # -- transport notifications ------------------------------------------------
    def on_readable(self, sock: Sock) -> None:
        raise NotImplementedError

    def on_writable(self, sock: Sock) -> None:
        raise NotImplementedError

    def on_fin(self, sock: Sock) -> None:
        raise NotImplementedError

    def on_reset(self, sock: Sock) -> None:
        raise NotImplementedError

    def on_incoming(self, sock: Sock) -> None:
        raise NotImplementedError

    def on_urgent(self, sock: Sock) -> bool:
        raise NotImplementedError

    def on_oob(self, sock: Sock) -> None:
        raise NotImplementedError

    def urgent_inline(self, sock: Sock) -> None:
        raise NotImplementedError


__all__ = [
    "FD_CLOSE_BIT",
    "FD_CONNECT_BIT",
    "FD_WRITE_BIT",
    "ProviderCore",
    "Ref",
    "addr_size",
    "check_int",
    "decode_addr",
    "encode_addr",
    "get_in",
    "put",
    "readable",
    "writable",
    "write_addr",
]
