"""Data transfer in the base provider: WSPSend/WSPRecv and friends, shutdown,
WSPRecvDisconnect (seed 003), WSPSendDisconnect and WSPGetOverlappedResult."""

from __future__ import annotations

from collections import deque
from typing import Any

from .. import states as S
from ..constants import (
    AF_INET,
    FALSE,
    FD_CLOSE_BIT,
    FD_OOB,
    FD_READ,
    FD_WRITE_BIT,
    MSG_DONTROUTE,
    MSG_OOB,
    MSG_PARTIAL,
    MSG_PEEK,
    MSG_WAITALL,
    SOCKET_ERROR,
    TRUE,
    WSS_OPERATION_IN_PROGRESS,
)
from ..errors import (
    WSA_INVALID_HANDLE,
    WSA_IO_INCOMPLETE,
    WSA_IO_PENDING,
    WSA_OPERATION_ABORTED,
    WSAEACCES,
    WSAEADDRNOTAVAIL,
    WSAEAFNOSUPPORT,
    WSAECONNABORTED,
    WSAECONNRESET,
    WSAEDESTADDRREQ,
    WSAEFAULT,
    WSAEINTR,
    WSAEINVAL,
    WSAEMSGSIZE,
    WSAENOPROTOOPT,
    WSAENOTCONN,
    WSAEOPNOTSUPP,
    WSAESHUTDOWN,
    WSAETIMEDOUT,
    WSAEWOULDBLOCK,
    nt_success,
    ntstatus_to_win32,
    ntstatus_to_wsa,
)
from ..structs import WSABUF, WSAOVERLAPPED
from ..transport import is_any, is_broadcast
from .core import (
    Ref,
    addr_size,
    check_int,
    decode_addr,
    encode_addr,
    get_in,
    put,
    readable,
    writable,
    write_addr,
)
from .lifecycle import Lifecycle
from .sock import Op, Sock

_EMPTY = memoryview(bytearray())
_RECV_FLAGS = MSG_PEEK | MSG_OOB | MSG_PARTIAL | MSG_WAITALL
_SEND_FLAGS = MSG_OOB | MSG_DONTROUTE | MSG_PARTIAL | 0x20  # 0x20: MSG_PUSH_IMMEDIATE
_MAX_DGRAM = {AF_INET: 65507, 23: 65527}
_CONNECTED_STATES = (S.CONNECTED, S.RECV_SHUT, S.SEND_SHUT, S.BOTH_SHUT)


class DataPath(Lifecycle):
    """WSPSend ... WSPGetOverlappedResult."""

    # -- buffers ---------------------------------------------------------------
    @staticmethod
    def buffers(lpBuffers: Any, dwBufferCount: Any, write: bool) -> tuple[list[memoryview], int] | int:
        """Views of a WSABUF array, or WSAEFAULT/WSAEINVAL (SPI-FACTS 3.6)."""
        if lpBuffers is None:
            return WSAEFAULT
        if isinstance(lpBuffers, WSABUF):
            lpBuffers = [lpBuffers]
        elif not isinstance(lpBuffers, (list, tuple)):
            raise TypeError(f"lpBuffers must be a list of WSABUF, not {type(lpBuffers).__name__}")
        count = check_int(dwBufferCount, "dwBufferCount")
        if count <= 0:
            return WSAEINVAL if count == 0 else WSAEFAULT
        if count > len(lpBuffers):
            return WSAEFAULT
        views: list[memoryview] = []
        total = 0
        for i in range(count):
            b = lpBuffers[i]
            if not isinstance(b, WSABUF):
                raise TypeError(f"lpBuffers[{i}] must be a WSABUF, not {type(b).__name__}")
            n = check_int(b.len, f"lpBuffers[{i}].len")
            if n == 0:
                views.append(_EMPTY)
                continue
            buf = b.buf
            if n < 0 or buf is None:
                return WSAEFAULT
            mv = writable(buf, "lpBuffers") if write else readable(buf, "lpBuffers")
            if mv is None or len(mv) < n:
                return WSAEFAULT
            views.append(mv[:n] if len(mv) != n else mv)
            total += n
        return views, total

    @staticmethod
    def scatter(views: list[memoryview], src: bytearray | bytes, n: int) -> None:
        if len(views) == 1:
            views[0][:n] = src[:n]
            return
        pos = 0
        for v in views:
            if pos >= n:
                break
            k = min(len(v), n - pos)
            v[:k] = src[pos : pos + k]
            pos += k

    # -- receive ---------------------------------------------------------------
    def WSPRecv(
        self, s: int, lpBuffers: Any, dwBufferCount: int, lpNumberOfBytesRecvd: Any,
        lpFlags: Any, lpOverlapped: Any, lpCompletionRoutine: Any, lpThreadId: Any, lpErrno: Any,
    ) -> int:  # fmt: skip
        """Receive (SPI-FACTS 3.4, 3.6): stream bytes or one datagram."""
        return self.recv(
            s, lpBuffers, dwBufferCount, lpNumberOfBytesRecvd, lpFlags, None, None,
            lpOverlapped, lpCompletionRoutine, lpThreadId, lpErrno, "WSPRecv",
        )  # fmt: skip

    def WSPRecvFrom(
        self, s: int, lpBuffers: Any, dwBufferCount: int, lpNumberOfBytesRecvd: Any, lpFlags: Any,
        lpFrom: Any, lpFromlen: Any, lpOverlapped: Any, lpCompletionRoutine: Any, lpThreadId: Any,
        lpErrno: Any,
    ) -> int:  # fmt: skip
        """Receive and report the sender's address."""
        return self.recv(
            s, lpBuffers, dwBufferCount, lpNumberOfBytesRecvd, lpFlags, lpFrom, lpFromlen,
            lpOverlapped, lpCompletionRoutine, lpThreadId, lpErrno, "WSPRecvFrom",
        )  # fmt: skip

    def recv(
        self, s: int, lpBuffers: Any, dwBufferCount: Any, lpNumberOfBytesRecvd: Any, lpFlags: Any,
        lpFrom: Any, lpFromlen: Any, lpOverlapped: Any, lpCompletionRoutine: Any, lpThreadId: Any,
        lpErrno: Any, call: str,
    ) -> int:  # fmt: skip
        sock = self.lookup(s, lpErrno)
        if sock is None:
            return SOCKET_ERROR
        try:
            return self._recv(
                sock, s, lpBuffers, dwBufferCount, lpNumberOfBytesRecvd, lpFlags, lpFrom,
                lpFromlen, lpOverlapped, lpCompletionRoutine, lpThreadId, lpErrno, call,
            )  # fmt: skip
        finally:
            # Any receive, even a failing one, re-enables FD_READ/FD_OOB (SPI-FACTS 3.9).
            if sock.ev_mask:
                self.rearm(sock, FD_READ | FD_OOB)
            if sock._rq and sock.ep.urg is not None:
                # Urgent data the read pulled across (Endpoint.consumed) may
                # complete a pending MSG_OOB receive, now that the read is over.
                self.serve_recvs(sock)

    def _recv(
        self, sock: Sock, s: int, lpBuffers: Any, dwBufferCount: Any, lpNumberOfBytesRecvd: Any,
        lpFlags: Any, lpFrom: Any, lpFromlen: Any, lpOverlapped: Any, lpCompletionRoutine: Any,
        lpThreadId: Any, lpErrno: Any, call: str,
    ) -> int:  # fmt: skip
        r = self.buffers(lpBuffers, dwBufferCount, True)
        if isinstance(r, int):  # an ErrorCode is an int subclass
            return self.fail(lpErrno, r)
        assert not isinstance(r, int)
        views, total = r
        if lpFlags is None:
            return self.fail(lpErrno, WSAEFAULT)
        flags = get_in(lpFlags, "lpFlags")
        if lpOverlapped is not None and not isinstance(lpOverlapped, WSAOVERLAPPED):
            raise TypeError(f"lpOverlapped must be a WSAOVERLAPPED or None, not {type(lpOverlapped).__name__}")
        if lpCompletionRoutine is not None and not callable(lpCompletionRoutine):
            raise TypeError(
                f"lpCompletionRoutine must be callable or None, not {type(lpCompletionRoutine).__name__}"
            )
        overlapped = lpOverlapped is not None and sock.overlapped
        if overlapped and lpCompletionRoutine is not None and self.switch_of(s, sock).is_port_associated(s):
            # W34: the I/O manager refuses an APC on a port-associated handle before
            # the socket is looked at (STATUS_INVALID_PARAMETER).
            return self.fail(lpErrno, WSAEINVAL)
        if not overlapped and lpNumberOfBytesRecvd is None:
            return self.fail(lpErrno, WSAEFAULT)
        if lpFrom is not None:
            if lpFromlen is None or get_in(lpFromlen, "lpFromlen") < addr_size(sock.family):
                return self.fail(lpErrno, WSAEFAULT)
        if flags & ~_RECV_FLAGS:
            return self.fail(lpErrno, WSAEOPNOTSUPP)
        oob = flags & MSG_OOB
        if oob:
            if not sock.stream:
                return self.fail(lpErrno, WSAEOPNOTSUPP)
            if sock.oobinline:
                return self.fail(lpErrno, WSAEINVAL)  # W70
        peek = bool(flags & MSG_PEEK)
        if peek and overlapped:
            return self.fail(lpErrno, WSAEINVAL)  # MSG_PEEK is for non-overlapped sockets only
        err = self.check(sock, "recv")
        if err:
            return self.fail(lpErrno, err)
        if overlapped:
            assert lpOverlapped is not None
            if oob:
                res = None if self.waiting(sock, MSG_OOB) else self.take_oob(sock, views, total, False, True)
            elif sock.rq and self.waiting(sock, 0):
                res = None
            else:
                res = self.take(sock, views, total, False, lpFrom, lpFromlen, True)
            switch = self.switch_of(s, sock)
            thread = self.issuer(switch, lpThreadId, lpCompletionRoutine)
            op = Op("recv", s, sock, lpOverlapped, lpCompletionRoutine, thread, switch)
            self.begin(lpOverlapped)
            if res is not None and res[1] == 0:
                nbytes, _, oflags = res
                if lpNumberOfBytesRecvd is not None:
                    put(lpNumberOfBytesRecvd, nbytes, "lpNumberOfBytesRecvd")
                put(lpFlags, oflags, "lpFlags")
                self.complete(op, 0, nbytes, oflags)
                return 0
            if res is not None:
                # Completed with an error (truncation, reset): it is reported through
                # the completion, so the call itself says pending (W84).
                self.reset_event(op)
                self.complete(op, res[1], res[0], res[2])
                return self.fail(lpErrno, WSA_IO_PENDING)
            op.views = views
            op.total = total
            op.flags = oob
            op.lpFrom = lpFrom
            op.lpFromlen = lpFromlen
            self.reset_event(op)
            sock.rq.append(op)
            return self.fail(lpErrno, WSA_IO_PENDING)
        while True:
            if oob:
                res = self.take_oob(sock, views, total, peek, False)
            else:
                res = self.take(sock, views, total, peek, lpFrom, lpFromlen, False)
            if res is not None:
                nbytes, err, oflags = res
                put(lpNumberOfBytesRecvd, nbytes, "lpNumberOfBytesRecvd")
                if err:
                    return self.fail(lpErrno, err)
                put(lpFlags, oflags, "lpFlags")
                return 0
            if sock.nonblocking and not (lpOverlapped is not None and self.policy.overlapped_on_plain_socket_blocks):
                return self.fail(lpErrno, WSAEWOULDBLOCK)
            ready = (lambda: self.oob_ready(sock)) if oob else (lambda: self.recv_ready(sock))
            ok = self.block(sock, ready, sock.rcvtimeo, call, s)
            if sock.state is S.CLOSED:
                return self.fail(lpErrno, WSAEINTR)
            if not ok:
                return self.fail(lpErrno, WSAETIMEDOUT)  # W41
            err = self.check(sock, "recv")
            # A stream receive already waiting when reception was disabled is not a
            # "subsequent" receive (seed 003): like a pending one (W48) it takes the
            # data that arrives.  take() itself reports resets and FIN.
            if err and not (sock.stream and err == WSAESHUTDOWN):
                return self.fail(lpErrno, err)

    def recv_ready(self, sock: Sock) -> bool:
        ep = sock.ep
        if sock.rq and self.waiting(sock, 0):
            return False
        if sock.stream:
            return bool(ep.rbuf) or ep.fin_in or ep.rst_in or sock.state is S.RESET
        return bool(ep.dgrams) or sock.state is S.RECV_SHUT or sock.state is S.BOTH_SHUT

    def oob_ready(self, sock: Sock) -> bool:
        """A blocking recv(MSG_OOB) would not wait: urgent data is held, or the
        connection ended (no more can come)."""
        ep = sock.ep
        if sock._rq and self.waiting(sock, MSG_OOB):
            return False
        return self.has_urgent(sock) or ep.fin_in or ep.rst_in or sock.state is S.RESET

    @staticmethod
    def waiting(sock: Sock, oob: int) -> bool:
        """A pending overlapped receive of this kind (MSG_OOB or normal) is
        queued: a new one waits behind it.  The two kinds wait for different
        data, so neither holds the other up."""
        rq = sock._rq
        if not rq:
            return False
        return any((op.flags & MSG_OOB) == oob for op in rq)

    def take(
        self, sock: Sock, views: list[memoryview], total: int, peek: bool, lpFrom: Any,
        lpFromlen: Any, zero_waits: bool,
    ) -> tuple[int, int, int] | None:  # fmt: skip
        """Take what a receive gets now: (bytes, error, flags), or None to wait."""
        ep = sock.ep
        if sock.stream:
            rbuf = ep.rbuf
            if rbuf:
                if total == 0:
                    return (0, 0, 0)  # a zero-length receive consumes nothing
                n = len(rbuf) if len(rbuf) <= total else total
                u = ep.urg
                if u is not None:
                    n = u.limit(n)  # a receive never spans an urgent mark
                self.scatter(views, rbuf, n)
                if not peek:
                    del rbuf[:n]
                    if u is not None:
                        u.consume(n)
                        if u.idle():
                            ep.urg = None
                    if ep.peer is not None and ep.peer.sndq:
                        ep.consumed()
                return (n, 0, 0)
            if sock.state is S.RESET or ep.rst_in:
                return (0, sock.reset_error or WSAECONNRESET, 0)
            if ep.fin_in:
                return (0, 0, 0)  # graceful close: a byte stream reads 0 (SPI-FACTS 3.8)
            if total == 0 and not zero_waits:
                return (0, 0, 0)
            return None
        if ep.dgrams:
            data, src = ep.dgrams[0]
            n = len(data) if len(data) <= total else total
            self.scatter(views, data, n)
            if not peek:
                ep.pop_datagram()
            if lpFrom is not None:
                write_addr(lpFrom, lpFromlen, encode_addr(sock.family, *src), "lpFrom", "lpFromlen")
            # Unreliable protocol: the rest of a truncated datagram is lost (SPI-FACTS 3.6, W83).
            return (n, WSAEMSGSIZE if len(data) > total else 0, 0)
        return None

    def take_oob(
        self, sock: Sock, views: list[memoryview], total: int, peek: bool, zero_waits: bool,
    ) -> tuple[int, int, int] | None:  # fmt: skip
        """What a recv(MSG_OOB) on a stream gets now: the oldest urgent byte held
        out of band, alone, with MSG_OOB in the flags (ReactOS msafd); or the
        end of the connection; or None to wait for urgent data."""
        ep = sock.ep
        u = ep.urg
        if u is not None and u.held:
            if total == 0:
                return (0, 0, 0)
            self.scatter(views, bytes((u.held[0][1],)), 1)
            if not peek:
                del u.held[0]
                if u.idle():
                    ep.urg = None
            return (1, 0, MSG_OOB)
        if sock.state is S.RESET or ep.rst_in:
            return (0, sock.reset_error or WSAECONNRESET, 0)
        if ep.fin_in:
            return (0, 0, 0)  # no urgent data can come any more
        if total == 0 and not zero_waits:
            return (0, 0, 0)
        return None

    def serve_recvs(self, sock: Sock) -> None:
        """Complete pending receives in issue order (W39) from what has arrived."""
        rq = sock.rq
        while rq:
            op = rq[0]
            th = op.thread
            if th is not None and not op.switch.thread_alive(th):
                # Its thread has exited: apply the thread-exit rule first (W33).
                op.switch.reap_threads()
                continue
            if op.flags:
                self._serve_urgent(sock)
                return
            res = self.take(sock, op.views, op.total, False, op.lpFrom, op.lpFromlen, True)
            if res is None:
                if len(rq) > 1 and sock.ep.urg is not None:
                    self._serve_urgent(sock)  # a MSG_OOB receive further back may be served
                return
            rq.popleft()
            self.complete(op, res[1], res[0], res[2])

    def _serve_urgent(self, sock: Sock) -> None:
        """serve_recvs with MSG_OOB receives pending: each kind in issue order,
        neither waiting for the other."""
        rq = sock.rq
        progress = True
        while progress and rq:
            progress = False
            blocked = 0  # the kinds (0 normal, MSG_OOB) whose first receive must wait
            for op in list(rq):
                th = op.thread
                if th is not None and not op.switch.thread_alive(th):
                    op.switch.reap_threads()  # the thread-exit rule first (W33)
                    progress = True
                    break
                kind = op.flags & MSG_OOB
                if blocked & (1 << kind):
                    continue
                if kind:
                    res = self.take_oob(sock, op.views, op.total, False, True)
                else:
                    res = self.take(sock, op.views, op.total, False, op.lpFrom, op.lpFromlen, True)
                if res is None:
                    blocked |= 1 << kind
                    continue
                rq.remove(op)
                self.complete(op, res[1], res[0], res[2])
                progress = True

    def reset_event(self, op: Op) -> None:
        """A request that pends resets its event (SPI-FACTS 3.4)."""
        if op.routine is not None:
            return
        h = op.ov.hEvent
        if h:
            up = self.upcalls.get(op.switch)
            if up is not None and up.lpWPUResetEvent is not None:
                up.lpWPUResetEvent(h & ~1 if isinstance(h, int) else h, Ref())

    # -- send ------------------------------------------------------------------
    def WSPSend(
        self, s: int, lpBuffers: Any, dwBufferCount: int, lpNumberOfBytesSent: Any, dwFlags: int,
        lpOverlapped: Any, lpCompletionRoutine: Any, lpThreadId: Any, lpErrno: Any,
    ) -> int:  # fmt: skip
        """Send on a connected socket (SPI-FACTS 3.6)."""
        return self.send(
            s, lpBuffers, dwBufferCount, lpNumberOfBytesSent, dwFlags, None, 0,
            lpOverlapped, lpCompletionRoutine, lpThreadId, lpErrno, "WSPSend",
        )  # fmt: skip

    def WSPSendTo(
        self, s: int, lpBuffers: Any, dwBufferCount: int, lpNumberOfBytesSent: Any, dwFlags: int,
        lpTo: Any, iTolen: int, lpOverlapped: Any, lpCompletionRoutine: Any, lpThreadId: Any,
        lpErrno: Any,
    ) -> int:  # fmt: skip
        """Send to an address (stream sockets ignore it: SPI-FACTS 3.6)."""
        return self.send(
            s, lpBuffers, dwBufferCount, lpNumberOfBytesSent, dwFlags, lpTo, iTolen,
            lpOverlapped, lpCompletionRoutine, lpThreadId, lpErrno, "WSPSendTo",
        )  # fmt: skip

    def send(
        self, s: int, lpBuffers: Any, dwBufferCount: Any, lpNumberOfBytesSent: Any, dwFlags: Any,
        lpTo: Any, iTolen: Any, lpOverlapped: Any, lpCompletionRoutine: Any, lpThreadId: Any,
        lpErrno: Any, call: str,
    ) -> int:  # fmt: skip
        sock = self.lookup(s, lpErrno)
        if sock is None:
            return SOCKET_ERROR
        r = self.buffers(lpBuffers, dwBufferCount, False)
        if isinstance(r, int):
            return self.fail(lpErrno, r)
        assert not isinstance(r, int)
        views, total = r
        flags = check_int(dwFlags, "dwFlags")
        if lpOverlapped is not None and not isinstance(lpOverlapped, WSAOVERLAPPED):
            raise TypeError(f"lpOverlapped must be a WSAOVERLAPPED or None, not {type(lpOverlapped).__name__}")
        if lpCompletionRoutine is not None and not callable(lpCompletionRoutine):
            raise TypeError(
                f"lpCompletionRoutine must be callable or None, not {type(lpCompletionRoutine).__name__}"
            )
        overlapped = lpOverlapped is not None and sock.overlapped
        if not overlapped and lpNumberOfBytesSent is None:
            return self.fail(lpErrno, WSAEFAULT)  # W86
        if flags & ~_SEND_FLAGS or flags & MSG_PARTIAL:
            return self.fail(lpErrno, WSAEOPNOTSUPP)
        if flags & MSG_OOB and not sock.stream:
            return self.fail(lpErrno, WSAEOPNOTSUPP)  # SPI-FACTS 3.6
        if overlapped and lpCompletionRoutine is not None and self.switch_of(s, sock).is_port_associated(s):
            return self.fail(lpErrno, WSAEINVAL)  # W34
        data = bytes(views[0]) if len(views) == 1 else b"".join(views)
        if sock.stream:
            return self._send_stream(
                sock, s, data, lpNumberOfBytesSent, overlapped, lpOverlapped,
                lpCompletionRoutine, lpThreadId, lpErrno, call, flags & MSG_OOB,
            )  # fmt: skip
        # datagram
        ep = sock.ep
        if lpTo is not None:
            d = decode_addr(lpTo, iTolen, "lpTo")
            if isinstance(d, int):
                return self.fail(lpErrno, d)
            fam, ip, port = d
            if fam != sock.family:
                return self.fail(lpErrno, WSAEAFNOSUPPORT)
            if is_any(ip) or port == 0:
                return self.fail(lpErrno, WSAEADDRNOTAVAIL)
            err = self.check(sock, "sendto")
        else:
            err = self.check(sock, "send")
            if not err:
                if ep.raddr is None:
                    # a shut state keeps no default peer of its own (states.py): a
                    # socket shut down before any connect has none (W82)
                    err = WSAENOTCONN
                else:
                    ip, port = ep.raddr
            if err == WSAENOTCONN and call == "WSPSendTo":
                err = WSAEDESTADDRREQ  # no lpTo and no default peer (SPI-FACTS 3.6 WSPSendTo)
        if err:
            return self.fail(lpErrno, err)
        if is_broadcast(ip) and not sock.broadcast and (
            lpTo is not None or self.policy.connected_broadcast_needs_so_broadcast
        ):
            # SPI-FACTS 3.6: a broadcast address needs SO_BROADCAST.  Windows
            # refuses sendto(broadcast) but sends to a connected one (W82).
            return self.fail(lpErrno, WSAEACCES)
        if len(data) > _MAX_DGRAM[sock.family]:
            return self.fail(lpErrno, WSAEMSGSIZE)
        err = self.autobind(sock)
        if err:
            return self.fail(lpErrno, err)
        if sock.state is S.OPEN:
            self.step(sock, "sendto")
        err = self.authenticate_datagram(sock, ip, port)
        if err:
            return self.fail(lpErrno, err)
        err = self.sim.network.sendto(ep, data, ip, port)
        if err:
            return self.fail(lpErrno, err)  # no address of the family to send from
        if lpNumberOfBytesSent is not None:
            put(lpNumberOfBytesSent, len(data), "lpNumberOfBytesSent")
        if overlapped:
            assert lpOverlapped is not None
            self.complete_now(sock, s, "send", lpOverlapped, lpCompletionRoutine, lpThreadId, 0, len(data))
        return 0

    def _send_stream(
        self, sock: Sock, s: int, data: bytes, lpNumberOfBytesSent: Any, overlapped: bool,
        lpOverlapped: Any, lpCompletionRoutine: Any, lpThreadId: Any, lpErrno: Any, call: str,
        urgent: int = 0,
    ) -> int:  # fmt: skip
        """``urgent`` (MSG_OOB): the last byte is urgent data -- marked when the
        byte is accepted; a nonblocking send that accepts only part of the data
        sends no urgent byte (the rest, sent again with MSG_OOB, carries it)."""
        err = self.check(sock, "send")
        if err:
            return self.fail(lpErrno, err)
        ep = sock.ep
        size = len(data)
        urg = bool(urgent)
        n = ep.send(data, urg) if not sock.sq else 0
        if n == size:
            if lpNumberOfBytesSent is not None:
                put(lpNumberOfBytesSent, n, "lpNumberOfBytesSent")
            if overlapped:
                self.complete_now(sock, s, "send", lpOverlapped, lpCompletionRoutine, lpThreadId, 0, n)
            return 0
        if overlapped:
            # The window is full: the request pends until the peer drains (issue 3).
            switch = self.switch_of(s, sock)
            thread = self.issuer(switch, lpThreadId, lpCompletionRoutine)
            op = Op("send", s, sock, lpOverlapped, lpCompletionRoutine, thread, switch)
            op.data = data
            op.sent = n
            op.flags = urgent
            self.begin(lpOverlapped)
            self.reset_event(op)
            sock.sq.append(op)
            return self.fail(lpErrno, WSA_IO_PENDING)
        if sock.nonblocking and not (lpOverlapped is not None and self.policy.overlapped_on_plain_socket_blocks):
            if n == 0:
                sock.write_blocked = True
                return self.fail(lpErrno, WSAEWOULDBLOCK)
            put(lpNumberOfBytesSent, n, "lpNumberOfBytesSent")
            return 0
        sent = n
        while sent < size:
            ok = self.block(
                sock, lambda: ep.send_room() > 0 or sock.state is not S.CONNECTED and sock.state is not S.RECV_SHUT,
                sock.sndtimeo, call, s,
            )  # fmt: skip
            if sock.state is S.CLOSED:
                return self.fail(lpErrno, WSAEINTR)
            if not ok:
                return self.fail(lpErrno, WSAETIMEDOUT)
            err = self.check(sock, "send")
            if err:
                return self.fail(lpErrno, err)
            sent += ep.send(data[sent:], urg)
        put(lpNumberOfBytesSent, sent, "lpNumberOfBytesSent")
        return 0

    # -- shutdown and disconnect -------------------------------------------------
    def WSPShutdown(self, s: int, how: int, lpErrno: Any) -> int:
        """Disable receives, sends or both (SPI-FACTS 3.8; W44, W46, W48)."""
        sock = self.lookup(s, lpErrno)
        if sock is None:
            return SOCKET_ERROR
        how = check_int(how, "how")
        if how not in (0, 1, 2):
            return self.fail(lpErrno, WSAEINVAL)
        err = self.step(sock, ("shutdown_recv", "shutdown_send", "shutdown_both")[how])
        if err:
            return self.fail(lpErrno, err)
        if sock.stream and sock.state is not S.RESET:
            if how != 0:
                sock.ep.shutdown_send()
            if how != 1 and self.policy.shutdown_receive_resets:
                # SPI-FACTS 3.8: data queued now or arriving later resets the connection.
                if sock.ep.rbuf:
                    self.abort_connection(sock)
                else:
                    sock.recv_reset_pending = True
        self.sim.wake()
        return 0

    def abort_connection(self, sock: Sock) -> None:
        sock.recv_reset_pending = False
        sock.ep.reset()
        self.step(sock, "abort")
        sock.reset_error = WSAECONNABORTED
        self.fail_pending(sock, WSAECONNABORTED)

    def fail_pending(self, sock: Sock, err: int) -> None:
        recvs = list(sock.rq)
        sends = list(sock.sq)
        sock.rq.clear()
        sock.sq.clear()
        for op in recvs:
            self.complete(op, err, 0)
        for op in sends:
            self.complete(op, err, op.sent)

    @staticmethod
    def _disconnect_data(buf: Any, name: str) -> int:
        """0 for NULL, WSAEFAULT for a malformed WSABUF, else WSAENOPROTOOPT marker 1."""
        if buf is None:
            return 0
        if not isinstance(buf, WSABUF):
            raise TypeError(f"{name} must be a WSABUF or None, not {type(buf).__name__}")
        if buf.len < 0 or (buf.len and (buf.buf is None or len(memoryview(buf.buf)) < buf.len)):
            return WSAEFAULT
        return 1

    def WSPRecvDisconnect(self, s: int, lpInboundDisconnectData: Any, lpErrno: Any) -> int:
        """Seed 003: disable reception; TCP keeps accepting data until the window is
        exhausted, UDP keeps queueing, no ICMP, the socket stays open, never blocks."""
        sock = self.lookup(s, lpErrno)
        if sock is None:
            return SOCKET_ERROR
        data = self._disconnect_data(lpInboundDisconnectData, "lpInboundDisconnectData")
        if data == WSAEFAULT:
            return self.fail(lpErrno, WSAEFAULT)
        if sock.stream:
            err = self.check(sock, "recv_disconnect")
            if err:
                return self.fail(lpErrno, err)  # WSAENOTCONN: connection-oriented only
        if data:
            # TCP/IP carries no disconnect data (no XP1_DISCONNECT_DATA): SPI-FACTS 3.8.
            return self.fail(lpErrno, WSAENOPROTOOPT)
        self.step(sock, "recv_disconnect")
        if sock.ev_mask:
            self.ev_update(sock)  # an FD_CLOSE held back for unread data is due now
        return 0

    def WSPSendDisconnect(self, s: int, lpOutboundDisconnectData: Any, lpErrno: Any) -> int:
        """Disable sends and start the graceful close (SPI-FACTS 3.8)."""
        sock = self.lookup(s, lpErrno)
        if sock is None:
            return SOCKET_ERROR
        data = self._disconnect_data(lpOutboundDisconnectData, "lpOutboundDisconnectData")
        if data == WSAEFAULT:
            return self.fail(lpErrno, WSAEFAULT)
        if sock.stream:
            err = self.check(sock, "send_disconnect")
            if err:
                return self.fail(lpErrno, err)
        if data:
            return self.fail(lpErrno, WSAENOPROTOOPT)
        self.step(sock, "send_disconnect")
        if sock.stream and sock.state is not S.RESET:
            sock.ep.shutdown_send()
        return 0

    # -- overlapped results ---------------------------------------------------------
    def WSPGetOverlappedResult(
        self, s: int, lpOverlapped: Any, lpcbTransfer: Any, fWait: Any, lpdwFlags: Any, lpErrno: Any,
    ) -> int:  # fmt: skip
        """Results of an overlapped request (SPI-FACTS 3.4): TRUE iff it succeeded."""
        sock = self.lookup(s, lpErrno)
        if sock is None:
            return FALSE
        if lpOverlapped is None or lpcbTransfer is None or lpdwFlags is None:
            # "one of the parameters is unacceptable" (SPI-FACTS 3.6: no WSAEFAULT here;
            # the switch's WSAGetOverlappedResult reports WSAEFAULT first)
            self.fail(lpErrno, WSAEINVAL)
            return FALSE
        if not isinstance(lpOverlapped, WSAOVERLAPPED):
            raise TypeError(f"lpOverlapped must be a WSAOVERLAPPED, not {type(lpOverlapped).__name__}")
        ov = lpOverlapped
        if ov.Internal == WSS_OPERATION_IN_PROGRESS:
            if not fWait:
                self.fail(lpErrno, WSA_IO_INCOMPLETE)
                return FALSE
            if not self.switch_of(s, sock).wait_overlapped(ov, s):
                self.fail(lpErrno, WSA_INVALID_HANDLE)
                return FALSE
        if self.policy.overlapped_result_from_internal:
            # W42: the answer is the status in Internal (after a wait on a signalled
            # event it may still be STATUS_PENDING, a success status: TRUE).  The
            # byte count and flags are reported whatever the outcome (W83).
            status = ov.Internal & 0xFFFFFFFF
            put(lpcbTransfer, ov.InternalHigh, "lpcbTransfer")
            put(lpdwFlags, ov.Offset, "lpdwFlags")
            if nt_success(status):
                if lpErrno is not None:
                    put(lpErrno, int(ntstatus_to_win32(status)), "lpErrno")
                return TRUE
            self.fail(lpErrno, int(ntstatus_to_wsa(status)))
            return FALSE
        # SPI-FACTS 3.4 (LSP convention): OffsetHigh is the error, Offset the flags;
        # on FALSE *lpcbTransfer is not updated.
        put(lpdwFlags, ov.Offset, "lpdwFlags")
        if ov.OffsetHigh:
            self.fail(lpErrno, ov.OffsetHigh)
            return FALSE
        put(lpcbTransfer, ov.InternalHigh, "lpcbTransfer")
        if lpErrno is not None:
            put(lpErrno, 0, "lpErrno")
        return TRUE

    # -- what the switch asks of its provider (not WSP entry points) ---------------
    def close_info(self, s: int) -> tuple[bool, bool, int, int, int, bool] | None:
        """(last reference, connected stream, unsent bytes, l_onoff, l_linger,
        nonblocking): what the switch needs to run graceful close and linger."""
        sock = self.table.get(s)
        if sock is None:
            return None
        connected = sock.stream and sock.ep.peer is not None and sock.state in _CONNECTED_STATES
        return (
            len(sock.handles) == 1,
            connected,
            sock.ep.unsent() + (sum(len(op.data) - op.sent for op in sq) if (sq := sock.made("sq")) else 0),
            sock.linger_onoff,
            sock.linger_secs,
            sock.nonblocking,
        )

    def unsent(self, s: int) -> int:
        """Bytes accepted by sends on ``s`` that the peer has not taken yet."""
        sock = self.table.get(s)
        if sock is None:
            return 0
        if sock.state is S.RESET or sock.ep.peer is None:
            return 0
        return sock.ep.unsent()

    @staticmethod
    def queues(sock: Sock) -> list[deque[Op]]:
        """The socket's pending-request queues: receives, sends, control requests."""
        iq = sock.iq
        return [sock.rq, sock.sq] if iq is None else [sock.rq, sock.sq, iq]

    @staticmethod
    def dequeue(sock: Sock, ops: list[Op]) -> None:
        """Remove ``ops`` from whichever queue holds each."""
        for op in ops:
            for q in (sock.rq, sock.sq, sock.iq or ()):
                if op in q:
                    assert isinstance(q, deque)
                    q.remove(op)
                    break

    def cancel(self, s: int, ov: Any, thread: Any) -> int:
        """CancelIo/CancelIoEx: complete matching pending requests on handle ``s``
        with WSA_OPERATION_ABORTED; returns how many were cancelled."""
        sock = self.table.get(s)
        if sock is None:
            return 0
        victims = [
            op
            for q in self.queues(sock)
            for op in q
            if op.handle == s
            and (ov is None or op.ov is ov)
            and (thread is None or getattr(op.thread, "ThreadHandle", None) == thread.ThreadHandle)
        ]
        self.dequeue(sock, victims)
        for op in victims:
            self.complete(op, WSA_OPERATION_ABORTED, op.sent if op.kind == "send" else 0)
        return len(victims)

    def thread_exited(self, switch: Any, tid: int) -> None:
        """The switch saw thread ``tid`` of its process end: its pending requests
        follow the thread-exit rule (SPI-FACTS 3.4: all cancelled; profile
        "windows", W22/W33: a request with a completion key and no event survives,
        and one on a port without a key is cancelled with no packet).

        Cancelled requests complete with WSA_OPERATION_ABORTED; a completion
        routine is never run (its thread is gone).  Sockets and requests are
        visited in creation and issue order, so the outcome is deterministic.
        """
        spare_keyed = self.policy.thread_exit_spares_keyed_port_requests
        seen: set[int] = set()
        for sock in list(self.table.values()):
            if sock.uid in seen or not (sock.rq or sock.sq or sock.iq):
                continue
            seen.add(sock.uid)
            victims: list[tuple[Op, bool]] = []
            for q in self.queues(sock):
                for op in q:
                    if op.switch is not switch or getattr(op.thread, "ThreadHandle", None) != tid:
                        continue
                    key = switch.completion_key(op.handle)
                    h = op.ov.hEvent
                    has_event = type(h) is int and bool(h & ~1)
                    if spare_keyed and key and not has_event:
                        continue  # survives (W22): a later CancelIoEx can still cancel it
                    victims.append((op, not spare_keyed or bool(key)))
            self.dequeue(sock, [op for op, _ in victims])
            for op, packet in victims:
                self.complete(op, WSA_OPERATION_ABORTED, op.sent if op.kind == "send" else 0, 0, packet)

    # -- transport notifications ---------------------------------------------------
    def acceptex_event(self, sock: Sock) -> None:
        """Data, FIN or RST reached a socket an AcceptEx is waiting on (the
        extension functions finish it; provider/extensions.py)."""

    def on_readable(self, sock: Sock) -> None:
        if sock.acceptex is not None:
            self.acceptex_event(sock)
        if sock.recv_reset_pending:
            self.abort_connection(sock)
            self.sim.wake()
            return
        if sock.security is not None and not sock.stream and self.refuse_datagram(sock):
            return
        if sock._rq:  # the queue itself: reading ``rq`` would create it
            self.serve_recvs(sock)
        if sock.ev_mask:
            if self.policy.fd_read_per_arrival and not sock.ev_record & FD_READ:
                # W70: each arrival records FD_READ again (recording disarms it; an
                # arrival while FD_READ is still recorded adds nothing)
                sock.ev_armed |= FD_READ
            self.ev_update(sock)
        self.sim.wake()

    def refuse_datagram(self, sock: Sock) -> bool:
        """A hook for the security layer: True drops the datagram that just arrived."""
        return False

    def on_writable(self, sock: Sock) -> None:
        ep = sock.ep
        sq = sock.sq
        while sq:
            op = sq[0]
            th = op.thread
            if th is not None and not op.switch.thread_alive(th):
                op.switch.reap_threads()  # the thread-exit rule first (W33)
                continue
            op.sent += ep.send(op.data[op.sent :], bool(op.flags))
            if op.sent < len(op.data):
                break
            sq.popleft()
            self.complete(op, 0, op.sent)
        if sock.write_blocked and ep.send_room() > 0:
            sock.write_blocked = False
            self.latch(sock, FD_WRITE_BIT)  # after WSAEWOULDBLOCK, space again (SPI-FACTS 3.9)
        self.sim.wake()

    def on_fin(self, sock: Sock) -> None:
        if sock.acceptex is not None:
            self.acceptex_event(sock)
        if sock.rq:
            self.serve_recvs(sock)
        self.latch(sock, FD_CLOSE_BIT, 0)
        self.sim.wake()

    def on_reset(self, sock: Sock) -> None:
        if sock.acceptex is not None:
            self.acceptex_event(sock)
        after_fin = sock.ep.fin_in
        sock.reset_error = self.policy.reset_after_fin_error if after_fin else WSAECONNRESET
        if sock.state in _CONNECTED_STATES:
            self.step(sock, "peer_reset")
        self.fail_pending(sock, sock.reset_error)
        if not after_fin:
            self.latch(sock, FD_CLOSE_BIT, self.policy.fd_close_on_reset)
        self.sim.wake()

    def on_incoming(self, sock: Sock) -> None:
        if sock.ev_mask:
            self.ev_update(sock)
        self.sim.wake()

    # -- urgent data (docs/design-choices.md, "Urgent data") ----------------------
    def on_urgent(self, sock: Sock) -> bool:
        """An urgent byte arrived as the last byte of the receive buffer.  With
        SO_OOBINLINE it stays there, marked; without, it is held out of band.
        Bookkeeping only (the transport may be in the middle of a read); True
        if the byte stayed in the stream."""
        ep = sock.ep
        u = ep.urg
        assert u is not None
        if sock.recv_reset_pending:
            return True  # on_readable resets the connection (SPI-FACTS 3.8)
        if not self.policy.urgent_bytes_queue:
            u.put_back(ep.rbuf, False)  # one urgent byte at a time: the old one is normal data now
        if sock.oobinline:
            u.mark(ep.rbuf)
            return True
        u.hold(ep.rbuf)
        return False

    def on_oob(self, sock: Sock) -> None:
        """Urgent data is held out of band: serve MSG_OOB receives, record FD_OOB."""
        if sock._rq:
            self.serve_recvs(sock)
        if sock.ev_mask:
            if self.policy.fd_read_per_arrival and not sock.ev_record & FD_OOB:
                sock.ev_armed |= FD_OOB  # W70: each urgent arrival records FD_OOB again
            self.ev_update(sock)
        self.sim.wake()

    def urgent_inline(self, sock: Sock) -> None:
        """SO_OOBINLINE was turned on with urgent bytes held: they go back into
        the stream at their places, still marked, and read as normal data (W74)."""
        ep = sock.ep
        u = ep.urg
        assert u is not None
        u.put_back(ep.rbuf, True)
        if sock._rq:
            self.serve_recvs(sock)
        if sock.ev_mask:
            self.ev_update(sock)
        self.sim.wake()


__all__ = ["DataPath", "WSAECONNRESET"]
