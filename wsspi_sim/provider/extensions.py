"""The Microsoft extension functions AcceptEx, ConnectEx and DisconnectEx
(mswsock.h; WINDOWS-OBSERVED W14, W23-W27, W43, W53, W55, W87, W89).

A program gets them with WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER): the
provider writes an 8-byte "function pointer", which here is a function id
(:data:`EXTENSION_POINTERS`); the switch turns it back into a callable
(``WS2.extension_function``).  The provider side is ``ext_AcceptEx``,
``ext_ConnectEx`` and ``ext_DisconnectEx`` below; the switch calls them with
the simulator lock held, the calling thread's WSATHREADID and an lpErrno.

Every request that pends is an :class:`Op` in the issuing socket's control
queue (``Sock.iq``), so closesocket aborts it exactly once
(WSA_OPERATION_ABORTED) and CancelIo/CancelIoEx on that handle cancels it.
AcceptEx's request lives on the *listener* (W23-W25: its packet carries the
listener's key; CancelIo on the accept socket does not see it).
"""

from __future__ import annotations

from collections import deque
from typing import Any

from .. import states as S
from ..constants import (
    FD_ACCEPT,
    FD_CONNECT_BIT,
    FD_WRITE_BIT,
    SIO_GET_EXTENSION_FUNCTION_POINTER,
    SOCKET_ERROR,
    TF_REUSE_SOCKET,
    WSAID_ACCEPTEX,
    WSAID_CONNECTEX,
    WSAID_DISCONNECTEX,
)
from ..errors import (
    ERROR_INVALID_PARAMETER,
    WSA_IO_PENDING,
    WSA_OPERATION_ABORTED,
    WSAEFAULT,
    WSAEINVAL,
    WSAEISCONN,
    WSAENOTCONN,
    WSAEWOULDBLOCK,
)
from ..structs import WSAOVERLAPPED
from .control import Control
from .core import Ref, addr_size, check_int, encode_addr, readable, writable
from .sock import Op, Sock

#: The "function pointers" WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER) writes:
#: fixed addresses in a pretend mswsock.dll, one per function.
ACCEPTEX_POINTER = 0x00007FF8_1000_0010
CONNECTEX_POINTER = 0x00007FF8_1000_0020
DISCONNECTEX_POINTER = 0x00007FF8_1000_0030
EXTENSION_POINTERS: dict[bytes, int] = {
    WSAID_ACCEPTEX: ACCEPTEX_POINTER,
    WSAID_CONNECTEX: CONNECTEX_POINTER,
    WSAID_DISCONNECTEX: DISCONNECTEX_POINTER,
}
#: pointer -> the switch's function name
EXTENSION_NAMES: dict[int, str] = {
    ACCEPTEX_POINTER: "AcceptEx",
    CONNECTEX_POINTER: "ConnectEx",
    DISCONNECTEX_POINTER: "DisconnectEx",
}

_CONNECTED = (S.CONNECTED, S.SEND_SHUT, S.RECV_SHUT, S.BOTH_SHUT)


def address_slot(family: int) -> int:
    """The least dwLocalAddressLength / dwRemoteAddressLength AcceptEx takes:
    sizeof the family's sockaddr + 16 (the AcceptEx documentation)."""
    return addr_size(family) + 16


class ExtOp(Op):
    """A pending AcceptEx: the Op plus what it fills in when it completes."""

    __slots__ = ("acc", "outbuf", "recvlen", "locallen", "remotelen", "attached")

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.acc: Sock | None = None
        self.outbuf: memoryview | None = None
        self.recvlen = 0
        self.locallen = 0
        self.remotelen = 0
        self.attached = False


class Extensions(Control):
    """AcceptEx, ConnectEx, DisconnectEx (a mixin of BaseProvider)."""

    def __init__(self, host: Any) -> None:
        super().__init__(host)
        #: accept socket uid -> the AcceptEx request that names it
        self.accepting: dict[int, ExtOp] = {}

    # -- the pointer (W14, W77) ---------------------------------------------------------
    def ioctl_handlers(self) -> dict[int, Any]:
        """Adds SIO_GET_EXTENSION_FUNCTION_POINTER for the three GUIDs."""
        handlers = super().ioctl_handlers()
        handlers[SIO_GET_EXTENSION_FUNCTION_POINTER] = self._extension_pointer
        return handlers

    def _extension_pointer(self, sock: Sock, s: int, inb: Any, cb_in: int, outb: Any, cb_out: int, *_: Any) -> Any:
        if inb is None or cb_in < 16:
            return WSAEFAULT
        guid = bytes(readable(inb, "lpvInBuffer")[:16])
        pointer = EXTENSION_POINTERS.get(guid)
        if pointer is None:
            return WSAEINVAL  # W77: unknown GUID; size and OVERLAPPED untouched
        if outb is None or cb_out < 8:
            return WSAEFAULT
        mv = writable(outb, "lpvOutBuffer")
        data = pointer.to_bytes(8, "little")
        if mv is None or len(mv) < 8:
            return WSAEFAULT
        mv[:8] = data
        return (8, data, None)

    # -- shared helpers ----------------------------------------------------------------------
    def _ext_op(self, s: int, sock: Sock, ov: WSAOVERLAPPED, thread: Any, kind: str) -> ExtOp:
        switch = self.switch_of(s, sock)
        op = ExtOp(kind, s, sock, ov, None, thread, switch)
        q = sock.iq
        if q is None:
            q = sock.iq = deque()
        q.append(op)
        return op

    def _unqueue(self, op: Op) -> None:
        q = op.sock.iq
        if q is not None and op in q:
            q.remove(op)

    @staticmethod
    def _check_ov(ov: Any) -> None:
        if ov is not None and not isinstance(ov, WSAOVERLAPPED):
            raise TypeError("lpOverlapped must be a WSAOVERLAPPED or None")

    # -- AcceptEx (W14, W23-W27, W89) ---------------------------------------------------------
    def ext_AcceptEx(
        self, sListenSocket: int, sAcceptSocket: int, lpOutputBuffer: Any, dwReceiveDataLength: int,
        dwLocalAddressLength: int, dwRemoteAddressLength: int, lpdwBytesReceived: Any,
        lpOverlapped: Any, lpThreadId: Any, lpErrno: Any,
    ) -> int:  # fmt: skip
        """0 (completed), or SOCKET_ERROR with WSA_IO_PENDING or the error."""
        self._check_ov(lpOverlapped)
        recvlen = check_int(dwReceiveDataLength, "dwReceiveDataLength")
        locallen = check_int(dwLocalAddressLength, "dwLocalAddressLength")
        remotelen = check_int(dwRemoteAddressLength, "dwRemoteAddressLength")
        lst = self.table.get(sListenSocket) if type(sListenSocket) is int else None
        acc = self.table.get(sAcceptSocket) if type(sAcceptSocket) is int else None
        if lst is None or acc is None:
            if lpOverlapped is not None:
                self.begin(lpOverlapped)  # W14: Internal is STATUS_PENDING even so
            self.lookup(sListenSocket if lst is None else sAcceptSocket, lpErrno)  # WSAENOTSOCK
            return SOCKET_ERROR
        if lpOverlapped is None:
            return self.fail(lpErrno, ERROR_INVALID_PARAMETER)  # W89
        if not lst.stream or lst.state is not S.LISTENING:
            return self.fail(lpErrno, WSAEINVAL)  # W89: not listening
        if lpOutputBuffer is None or remotelen < address_slot(lst.family):
            return self.fail(lpErrno, WSAEFAULT)  # W89: NULL buffer, remote length 0
        if locallen and locallen < address_slot(lst.family):
            return self.fail(lpErrno, WSAEFAULT)  # simplification (docs/design-choices.md)
        if recvlen < 0 or locallen < 0:
            return self.fail(lpErrno, WSAEFAULT)
        mv = writable(lpOutputBuffer, "lpOutputBuffer")
        if mv is None or len(mv) < recvlen + locallen + remotelen:
            return self.fail(lpErrno, WSAEFAULT)
        pending = self.accepting.get(acc.uid)
        if (
            not acc.stream
            or acc.state is not S.OPEN
            or acc.ep.bound
            or acc.family != lst.family
            or (pending is not None and not pending.done)
        ):
            return self.fail(lpErrno, WSAEINVAL)  # W89: UDP, bound, connected, used twice
        op = self._ext_op(sListenSocket, lst, lpOverlapped, lpThreadId, "acceptex")
        op.acc = acc
        op.outbuf = mv
        op.recvlen = recvlen
        op.locallen = locallen
        op.remotelen = remotelen
        self.accepting[acc.uid] = op
        self.begin(lpOverlapped)
        self.reset_event(op)
        self._serve_acceptex(lst)
        return self.fail(lpErrno, WSA_IO_PENDING)

    def _serve_acceptex(self, lst: Sock) -> None:
        """Give queued connections to pending AcceptEx requests, in issue order."""
        ep = lst.ep
        q = lst.iq
        while q and ep.made("accept_q") and ep.accept_q:
            op = next((o for o in q if isinstance(o, ExtOp) and o.kind == "acceptex" and not o.attached), None)
            if op is None:
                return
            srv = ep.accept_q.popleft()
            if srv.rst_in:
                continue  # reset before it was taken: it never reaches AcceptEx
            acc = op.acc
            assert acc is not None
            old = acc.ep
            if old.bound:
                self.sim.network.unbind(old)
            acc.ep = srv
            srv.owner = acc
            self.step(acc, "connect")  # OPEN -> CONNECTING -> CONNECTED: the rows a
            self.step(acc, "connect_ok")  # connected socket takes
            op.attached = True
            acc.acceptex = op  # its data, FIN or RST finishes the request
            self.latch(acc, FD_WRITE_BIT)
            self.rearm(lst, FD_ACCEPT)  # FD_ACCEPT re-enabled (SPI-FACTS 3.9)
            if op.recvlen == 0 or srv.rbuf or srv.fin_in:
                self._finish_acceptex(op)

    def _finish_acceptex(self, op: ExtOp) -> None:
        """Complete an AcceptEx whose connection is attached: data first, then
        the local and remote addresses, each at the start of its slot."""
        acc = op.acc
        assert acc is not None and op.outbuf is not None
        self.accepting.pop(acc.uid, None)
        acc.acceptex = None
        self._unqueue(op)
        ep = acc.ep
        n = 0
        if op.recvlen:
            rbuf = ep.rbuf
            n = min(op.recvlen, len(rbuf))
            op.outbuf[:n] = rbuf[:n]
            del rbuf[:n]
            if n and ep.peer is not None and ep.peer.made("sndq") and ep.peer.sndq:
                ep.consumed()
        base = op.recvlen
        if op.locallen and ep.laddr is not None:
            local = encode_addr(acc.family, *ep.laddr)
            op.outbuf[base : base + len(local)] = local
        base += op.locallen
        if ep.raddr is not None:
            remote = encode_addr(acc.family, *ep.raddr)
            op.outbuf[base : base + len(remote)] = remote
        self.complete(op, 0, n)

    def _abort_acceptex(self, op: ExtOp, notify: bool) -> None:
        if op.done:
            return
        if op.acc is not None:
            self.accepting.pop(op.acc.uid, None)
            op.acc.acceptex = None
        self._unqueue(op)
        if notify:
            self.complete(op, WSA_OPERATION_ABORTED, 0)
        else:
            self.abort_silently(op, WSA_OPERATION_ABORTED)

    # -- ConnectEx (W43, W87) ---------------------------------------------------------------
    def ext_ConnectEx(
        self, s: int, name: Any, namelen: int, lpSendBuffer: Any, dwSendDataLength: int,
        lpdwBytesSent: Any, lpOverlapped: Any, lpThreadId: Any, lpErrno: Any,
    ) -> int:  # fmt: skip
        """Connect and send the first bytes, always overlapped."""
        self._check_ov(lpOverlapped)
        sock = self.lookup(s, lpErrno)
        if sock is None:
            return SOCKET_ERROR
        if lpOverlapped is None:
            return self.fail(lpErrno, ERROR_INVALID_PARAMETER)  # W87
        self.begin(lpOverlapped)  # W87: Internal is STATUS_PENDING even when it fails
        waiting = self.accepting.get(sock.uid)
        if not sock.stream or sock.state in (S.OPEN, S.LISTENING) or (waiting is not None and not waiting.done):
            return self.fail(lpErrno, WSAEINVAL)  # W87: unbound or listening; W89: AcceptEx pending
        if sock.state in _CONNECTED:
            return self.fail(lpErrno, WSAEISCONN)  # W87
        size = check_int(dwSendDataLength, "dwSendDataLength")
        data = b""
        if size:
            if lpSendBuffer is None:
                return self.fail(lpErrno, WSAEFAULT)
            raw = readable(lpSendBuffer, "lpSendBuffer")
            if len(raw) < size:
                return self.fail(lpErrno, WSAEFAULT)
            data = bytes(raw[:size])
        op = self._ext_op(s, sock, lpOverlapped, lpThreadId, "connectex")
        op.data = data
        self.reset_event(op)
        saved = sock.nonblocking
        errno = Ref()
        sock.nonblocking = True  # the request never blocks; its answer comes by latch()
        try:
            rc = super().WSPConnect(s, name, namelen, None, None, None, None, errno)  # no lock, no trace
        finally:
            sock.nonblocking = saved
        if rc != 0 and errno.value != WSAEWOULDBLOCK and not op.done:
            self._unqueue(op)  # refused at once by a check: no request was started
            return self.fail(lpErrno, errno.value)
        return self.fail(lpErrno, WSA_IO_PENDING)

    def latch(self, sock: Sock, bit: int, err: int = 0) -> None:
        """FD_CONNECT also ends a pending ConnectEx (W43)."""
        super().latch(sock, bit, err)
        if bit == FD_CONNECT_BIT and sock.iq:
            op = next((o for o in sock.iq if o.kind == "connectex"), None)
            if op is None:
                return
            self._unqueue(op)
            if err:
                self.complete(op, err, 0)  # W43: refused -> ERROR_CONNECTION_REFUSED
                return
            sent = sock.ep.send(op.data) if op.data else 0
            op.sent = sent
            self.complete(op, 0, sent)

    # -- DisconnectEx (W53, W55) ------------------------------------------------------------
    def ext_DisconnectEx(self, s: int, lpOverlapped: Any, dwFlags: int, dwReserved: int, lpThreadId: Any, lpErrno: Any) -> int:
        """shutdown(SD_SEND) that completes through the OVERLAPPED when given one."""
        self._check_ov(lpOverlapped)
        sock = self.lookup(s, lpErrno)
        if sock is None:
            return SOCKET_ERROR
        flags = check_int(dwFlags, "dwFlags")
        if flags & ~TF_REUSE_SOCKET or check_int(dwReserved, "dwReserved"):
            return self.fail(lpErrno, WSAEINVAL)
        if not sock.stream or sock.state not in _CONNECTED:
            return self.fail(lpErrno, WSAENOTCONN)  # W53
        if sock.state in (S.CONNECTED, S.RECV_SHUT):
            errno = Ref()
            if super().WSPShutdown(s, 1, errno) != 0:
                return self.fail(lpErrno, errno.value)
        if lpOverlapped is None:
            return 0  # W53: synchronous success, repeatable
        op = self._ext_op(s, sock, lpOverlapped, lpThreadId, "disconnectex")
        self.begin(lpOverlapped)
        self.reset_event(op)
        self._unqueue(op)
        self.complete(op, 0, 0)  # W53/W55: pending, then success with 0 bytes
        return self.fail(lpErrno, WSA_IO_PENDING)

    # -- hooks into the rest of the provider ---------------------------------------------------
    def WSPConnect(
        self, s: int, name: Any, namelen: int, lpCallerData: Any, lpCalleeData: Any, lpSQOS: Any,
        lpGQOS: Any, lpErrno: Any,
    ) -> int:  # fmt: skip
        """Connect (SPI-FACTS 3.6; W82, W87); W89: WSAEINVAL on a socket named
        by a pending AcceptEx."""
        if self.accepting:
            sock = self.table.get(s) if type(s) is int else None
            op = self.accepting.get(sock.uid) if sock is not None else None
            if op is not None and not op.done:
                return self.fail(lpErrno, WSAEINVAL)
        return super().WSPConnect(s, name, namelen, lpCallerData, lpCalleeData, lpSQOS, lpGQOS, lpErrno)

    def on_incoming(self, sock: Sock) -> None:
        if sock.iq:
            self._serve_acceptex(sock)
        super().on_incoming(sock)

    def acceptex_event(self, sock: Sock) -> None:
        """W89: the first data completes an AcceptEx with a receive buffer;
        W27: so does the peer's close (0 bytes), or its reset."""
        op = sock.acceptex
        if op is not None and not op.done:
            self._finish_acceptex(op)
        else:
            sock.acceptex = None

    def teardown(self, sock: Sock, *, notify: bool) -> None:
        """W24/W26: closing the accept socket aborts the AcceptEx naming it
        (its packet goes to the listener's key); closing the listener aborts
        its AcceptEx requests through the control queue (W23)."""
        if self.accepting:
            op = self.accepting.pop(sock.uid, None)
            if op is not None:
                self._abort_acceptex(op, notify)
        super().teardown(sock, notify=notify)
        if self.accepting:
            for uid in [u for u, o in self.accepting.items() if o.done]:
                del self.accepting[uid]


__all__ = [
    "ACCEPTEX_POINTER",
    "CONNECTEX_POINTER",
    "DISCONNECTEX_POINTER",
    "EXTENSION_NAMES",
    "EXTENSION_POINTERS",
    "Extensions",
    "address_slot",
]
