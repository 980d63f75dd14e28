"""A Hypothesis state machine that interleaves sends, receives, overlapped
posts (event, completion port, completion routine), waits, cancels,
duplicates, shutdowns, closes, peer resets and thread exits on loopback TCP
connections, in both profiles (issue 3 part 6).

Invariants, checked after every step:

* every overlapped operation completes exactly once, through the mechanism
  its caller chose: one packet per request on a port-associated handle, one
  routine call, a signalled event (SPI-FACTS 3.4; seed 004); a call that
  failed at once is never notified;
* bytes are conserved: what a side has received is always a prefix of what
  the other side's sends were accepted with, and once drained (no reset) it is
  all of it (DESIGN 1, issue 3);
* closed handles never come back: a new handle is never a closed one, and a
  closed one is WSAENOTSOCK (SPI-FACTS 3.7 point 1);
* every socket is always in a state the tables list (DESIGN 1; states.py).

UdpOverlappedMachine (and its "windows" subclass) is the UDP variant: datagrams
arrive whole or truncated (WSAEMSGSIZE, copied count; SPI-FACTS 3.6, W83), in
order, exactly once when the receiver had room; closing or cancelling aborts a
pending receive with WSA_OPERATION_ABORTED in both profiles (W31).
"""

from __future__ import annotations

import ctypes
import itertools
from collections import deque
from collections.abc import Iterator
from typing import Any

from hypothesis import event
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from ovl_kit import Out, in_thread

import wsspi_sim as ws
from wsspi_sim import states as S

PENDING = ws.WSS_OPERATION_IN_PROGRESS
SENTINEL = 0x5EED
MAX_PAIRS = 3
WINDOW = 32

#: Steps executed by every machine of this run (bench/ reads it for steps/s).
STEPS = itertools.count()


class Op:
    """One overlapped request the machine issued."""

    __slots__ = ("kind", "mech", "proc", "handle", "end", "ov", "ev", "buf", "data", "failed",
                 "packets", "calls", "seen", "seen_event", "thread_exit", "assoc")  # fmt: skip

    def __init__(self, kind: str, mech: str, proc: Proc, handle: int, end: End) -> None:
        self.kind = kind
        self.mech = mech  # "event", "routine" or "poll" (no event: the port, or nothing)
        self.proc = proc
        self.handle = handle
        self.end = end
        self.ov = ws.WSAOVERLAPPED(Internal=SENTINEL)
        self.ev: int | None = None
        self.buf = bytearray()
        self.data = b""
        self.failed = False  # the call itself failed: never notified
        self.packets = 0
        self.calls = 0
        self.seen = False  # completion observed (bytes accounted)
        self.seen_event = False  # its event was seen signalled
        self.thread_exit = False
        self.assoc = handle in end.associated  # its completion goes to a port

    def routine(self, dwError: int, cbTransferred: int, lpOverlapped: Any, dwFlags: int) -> None:
        assert lpOverlapped is self.ov, "routine got another OVERLAPPED"
        assert (dwError, cbTransferred) == (self.ov.OffsetHigh, self.ov.InternalHigh)
        self.calls += 1
        assert self.calls == 1, "completion routine ran twice"


class Proc:
    """A process of the host: its Winsock, its completion port."""

    def __init__(self, api: Any) -> None:
        self.api = api
        self.port = api.CreateIoCompletionPort(0xFFFFFFFFFFFFFFFF, None, 0, 0)
        assert self.port


class End:
    """One side of a connection: an underlying socket and its descriptors."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.handles: dict[int, Proc] = {}
        self.associated: set[int] = set()
        self.peer: End | None = None
        #: what this side's sends were accepted with, in issue order:
        #: bytes (synchronous sends) or an Op (overlapped sends)
        self.sent: list[bytes | Op] = []
        self.received = bytearray()
        self.reset = False  # a reset happened on this connection (bytes may be lost)
        self.abortive = False  # SO_LINGER {1, 0} is set: the last close resets
        self.recv_shut = False

    @property
    def open(self) -> bool:
        return bool(self.handles)


class Common:
    """What both machines share: handles, data, waits, the notification checks
    and the closed-handle probe.  Needs ``procs``, ``ops``, ``closed``,
    ``all_handles``, ``counter`` and ``_observe``."""

    procs: list[Proc]
    ops: list[Op]
    closed: set[int]
    all_handles: set[int]
    counter: Iterator[int]

    def _observe(self) -> None:
        raise NotImplementedError

    def _handle(self, end: End, pick: int) -> tuple[int, Proc]:
        items = sorted(end.handles.items())
        return items[pick % len(items)]

    def _new_handle(self, h: int, proc: Proc, end: End, associate: bool) -> None:
        assert h != ws.INVALID_SOCKET
        assert h not in self.closed and h not in self.all_handles, "a handle came back"
        self.all_handles.add(h)
        end.handles[h] = proc
        if associate:
            assert proc.api.CreateIoCompletionPort(h, proc.port, h, 0) == proc.port
            end.associated.add(h)

    def _data(self, n: int) -> bytes:
        k = next(self.counter)
        return bytes((k * 7 + j) % 256 for j in range(n))

    # -- waits (shared) -----------------------------------------------------------------------
    @rule()
    def alert(self) -> None:
        for proc in self.procs:
            while proc.api.SleepEx(0, True) == ws.WAIT_IO_COMPLETION:
                pass
        self._observe()
        for op in self.ops:
            if op.mech == "routine" and not op.failed and op.ov.Internal != PENDING:
                assert op.calls == 1, "a completed request's routine did not run exactly once"

    @rule(ms=st.sampled_from([0, 10, 250]))
    def wait_events(self, ms: int) -> None:
        api = self.procs[0].api
        evs = [op.ev for op in self.ops if op.ev is not None and op.proc is self.procs[0]][-8:]
        if evs:
            rc = api.WSAWaitForMultipleEvents(len(evs), evs, False, ms, True)
            assert rc in (*range(len(evs)), ws.WSA_WAIT_TIMEOUT, ws.WSA_WAIT_IO_COMPLETION)
        else:
            api.SleepEx(ms, False)

    @rule(k=st.integers(0, 999))
    @precondition(lambda self: len(self.closed) > 0)
    def probe_closed(self, k: int) -> None:
        h = sorted(self.closed)[k % len(self.closed)]
        for proc in self.procs:
            assert proc.api.WSAEventSelect(h, None, 0) == ws.SOCKET_ERROR
            assert proc.api.WSAGetLastError() == ws.WSAENOTSOCK

    # -- notifications (SPI-FACTS 3.4) ----------------------------------------------------------
    def _take_packets(self) -> None:
        """Take every queued packet of every port: each belongs to a completed
        request of that process and handle, and is its only one."""
        by_ov = {id(op.ov): op for op in self.ops}
        for proc in self.procs:
            while True:
                n, key, ovo = ctypes.c_ulong(), ctypes.c_uint64(), Out()
                rc = proc.api.GetQueuedCompletionStatus(proc.port, n, key, ovo, 0)
                if ovo.value is None:
                    break
                op = by_ov[id(ovo.value)]
                assert op.proc is proc and key.value == op.handle, "packet on the wrong port or key"
                assert not op.failed and op.ov.Internal != PENDING
                assert n.value == op.ov.InternalHigh and bool(rc) == (op.ov.OffsetHigh == 0)
                op.packets += 1
                assert op.packets == 1, "two packets for one request"

    def _check_notified(self) -> None:
        """A completed request was notified through its mechanism, once; a
        failed call never is; a pending one not yet."""
        for op in self.ops:
            if op.failed:
                assert op.ov.Internal == SENTINEL and op.packets == op.calls == 0
                continue
            if op.ov.Internal == PENDING:
                assert op.packets == 0 and op.calls == 0
                continue
            if op.assoc:
                assert op.packets == 1, (
                    "a completed request on a port-associated handle has no packet"
                )
            if op.ev is not None and not op.seen_event:
                assert op.proc.api.WSAWaitForMultipleEvents(1, [op.ev], False, 0, False) == 0
                op.seen_event = True
            assert op.calls <= 1


class OverlappedMachine(Common, RuleBasedStateMachine):
    """See the module docstring."""

    def __init__(self) -> None:
        super().__init__()
        self.sim: ws.Simulator | None = None
        self.procs: list[Proc] = []
        self.ends: list[End] = []
        self.ops: list[Op] = []
        self.closed: set[int] = set()
        self.all_handles: set[int] = set()
        self.counter = itertools.count()
        self.windows = False

    # -- set-up -------------------------------------------------------------------------------
    @initialize(
        profile=st.sampled_from(["documented", "windows"]),
        assoc=st.tuples(st.booleans(), st.booleans()),
    )
    def start(self, profile: str, assoc: tuple[bool, bool]) -> None:
        self.sim = ws.Simulator(profile=profile)
        self.windows = profile == "windows"
        host = self.sim.add_host("10.0.0.1")
        apis = [host.ws2, host.new_process()]
        for api in apis:
            assert api.WSAStartup(0x0202, ws.WSADATA()) == 0
        self.procs = [Proc(api) for api in apis]
        self.port_no = 7000
        self.open_pair(assoc)  # most rules need a connection

    def live_ends(self) -> list[End]:
        return [e for e in self.ends if e.open]

    @rule(assoc=st.tuples(st.booleans(), st.booleans()))
    @precondition(lambda self: len(self.live_ends()) < 2 * MAX_PAIRS)
    def open_pair(self, assoc: tuple[bool, bool]) -> None:
        api = self.procs[0].api
        self.port_no += 1
        lst = api.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP)
        assert api.bind(lst, ws.sockaddr("127.0.0.1", self.port_no), 16) == 0
        assert api.listen(lst, 1) == 0
        api.setsockopt(lst, ws.SOL_SOCKET, ws.SO_RCVBUF, WINDOW.to_bytes(4, "little"), 4)
        api.setsockopt(lst, ws.SOL_SOCKET, ws.SO_SNDBUF, WINDOW.to_bytes(4, "little"), 4)
        c = api.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP)
        api.setsockopt(c, ws.SOL_SOCKET, ws.SO_RCVBUF, WINDOW.to_bytes(4, "little"), 4)
        api.setsockopt(c, ws.SOL_SOCKET, ws.SO_SNDBUF, WINDOW.to_bytes(4, "little"), 4)
        assert api.connect(c, ws.sockaddr("127.0.0.1", self.port_no), 16) == 0
        s = api.accept(lst, None, None)
        assert api.closesocket(lst) == 0
        self.all_handles.add(lst)
        self.closed.add(lst)
        a, b = End(f"c{c}"), End(f"s{s}")
        a.peer, b.peer = b, a
        for end, h, assoc_it in ((a, c, assoc[0]), (b, s, assoc[1])):
            self._new_handle(h, self.procs[0], end, assoc_it)
            assert (
                api.ioctlsocket(h, ws.FIONBIO, ctypes.c_ulong(1)) == 0
            )  # W39: overlapped still pends
        self.ends += [a, b]

    # -- synchronous data ----------------------------------------------------------------------
    @rule(i=st.integers(0, 99), pick=st.integers(0, 3), n=st.integers(1, 48))
    @precondition(lambda self: self.live_ends())
    def sync_send(self, i: int, pick: int, n: int) -> None:
        end = self.live_ends()[i % len(self.live_ends())]
        h, proc = self._handle(end, pick)
        self._note_send(end)
        data = self._data(n)
        rc = proc.api.send(h, data, n, 0)
        if rc != ws.SOCKET_ERROR:
            assert 0 <= rc <= n
            end.sent.append(data[:rc])
        else:
            assert proc.api.WSAGetLastError() in (
                ws.WSAEWOULDBLOCK, ws.WSAECONNRESET, ws.WSAECONNABORTED, ws.WSAESHUTDOWN,
            )  # fmt: skip

    @rule(i=st.integers(0, 99), pick=st.integers(0, 3), n=st.integers(1, 48))
    @precondition(lambda self: self.live_ends())
    def sync_recv(self, i: int, pick: int, n: int) -> None:
        end = self.live_ends()[i % len(self.live_ends())]
        h, proc = self._handle(end, pick)
        buf = bytearray(n)
        rc = proc.api.recv(h, buf, n, 0)
        if rc != ws.SOCKET_ERROR:
            end.received += buf[:rc]
        else:
            assert proc.api.WSAGetLastError() in (
                ws.WSAEWOULDBLOCK, ws.WSAECONNRESET, ws.WSAECONNABORTED, ws.WSAESHUTDOWN,
            )  # fmt: skip

    def _note_send(self, end: End) -> None:
        """Sending to a peer whose socket is closed is answered with RST (W50):
        bytes still unread on this side may be lost from then on."""
        assert end.peer is not None
        if not end.peer.open:
            end.reset = True

    # -- overlapped posts ----------------------------------------------------------------------
    def _op(self, kind: str, end: End, pick: int, mech: str) -> Op:
        h, proc = self._handle(end, pick)
        op = Op(kind, mech, proc, h, end)
        if mech == "event":
            op.ev = proc.api.WSACreateEvent()
            op.ov.hEvent = op.ev
        self.ops.append(op)
        return op

    def _issue(self, op: Op, n: int) -> str:
        """Issue ``op``; returns a label for Hypothesis' statistics."""
        api = op.proc.api
        routine = op.routine if op.mech == "routine" else None
        if op.kind == "recv":
            op.buf = bytearray(n)
            rc = api.WSARecv(
                op.handle,
                [ws.WSABUF(n, op.buf)],
                1,
                ctypes.c_ulong(),
                ctypes.c_ulong(0),
                op.ov,
                routine,
            )
        else:
            self._note_send(op.end)
            op.data = self._data(n)
            rc = api.WSASend(
                op.handle, [ws.WSABUF(n, op.data)], 1, ctypes.c_ulong(), 0, op.ov, routine
            )
            op.end.sent.append(op)
        err = api.WSAGetLastError()
        label = f"{op.kind}/{op.mech}: " + ("0" if rc == 0 else ws.ErrorCode(err).name)
        if rc == ws.SOCKET_ERROR and err != ws.WSA_IO_PENDING:
            op.failed = True
            assert op.ov.Internal == SENTINEL, "a failed call touched the OVERLAPPED"
            if routine is not None and op.assoc:
                assert err == ws.WSAEINVAL  # W34
            if op.ev is not None:  # nothing will ever be notified (SPI-FACTS 3.4)
                assert (
                    api.WSAWaitForMultipleEvents(1, [op.ev], False, 0, False) == ws.WSA_WAIT_TIMEOUT
                )
        else:
            assert rc in (0, ws.SOCKET_ERROR)
            if rc == ws.SOCKET_ERROR:
                assert op.ov.Internal != SENTINEL
        return label

    mechs = st.sampled_from(["event", "routine", "poll"])

    @rule(i=st.integers(0, 99), pick=st.integers(0, 3), n=st.integers(0, 40), mech=mechs)
    @precondition(lambda self: self.live_ends())
    def post_recv(self, i: int, pick: int, n: int, mech: str) -> None:
        end = self.live_ends()[i % len(self.live_ends())]
        event(self._issue(self._op("recv", end, pick, mech), n))

    @rule(i=st.integers(0, 99), pick=st.integers(0, 3), n=st.integers(1, 80), mech=mechs)
    @precondition(lambda self: self.live_ends())
    def post_send(self, i: int, pick: int, n: int, mech: str) -> None:
        end = self.live_ends()[i % len(self.live_ends())]
        event(self._issue(self._op("send", end, pick, mech), n))

    @rule(i=st.integers(0, 99), n=st.integers(1, 40), with_event=st.booleans())
    @precondition(lambda self: self.live_ends())
    def post_recv_from_exiting_thread(self, i: int, n: int, with_event: bool) -> None:
        """SPI-FACTS 3.4 / W22, W33: a request whose thread then exits."""
        mains = [e for e in self.live_ends() if any(p is self.procs[0] for p in e.handles.values())]
        if not mains:
            return
        end = mains[i % len(mains)]
        h = next(h for h, p in sorted(end.handles.items()) if p is self.procs[0])
        op = Op("recv", "event" if with_event else "poll", self.procs[0], h, end)
        if with_event:
            op.ev = self.procs[0].api.WSACreateEvent()
            op.ov.hEvent = op.ev
        op.thread_exit = True
        self.ops.append(op)
        event("thread " + in_thread(lambda: self._issue(op, n)))  # the thread ends here

    # -- cancellation, duplication, close ------------------------------------------------------
    @rule(k=st.integers(0, 999), how=st.sampled_from(["one", "all", "thread"]))
    @precondition(lambda self: self.live_ends())
    def cancel(self, k: int, how: str) -> None:
        live = [(h, p) for e in self.live_ends() for h, p in sorted(e.handles.items())]
        h, proc = live[k % len(live)]
        api = proc.api
        if how == "one":
            mine = [
                op for op in self.ops
                if op.handle == h and not op.failed and not op.thread_exit and op.ov.Internal == PENDING
            ]  # fmt: skip
            ov = mine[k % len(mine)].ov if mine else ws.WSAOVERLAPPED()
            rc = api.CancelIoEx(h, ov)
            assert rc == 1 or api.GetLastError() == ws.ERROR_NOT_FOUND
            if mine:
                assert rc == 1 and ov.Internal != PENDING
                event("cancel: one pending request")
        elif how == "all":
            rc = api.CancelIoEx(h, None)
            assert rc == 1 or api.GetLastError() == ws.ERROR_NOT_FOUND
        else:
            assert api.CancelIo(h) == 1

    @rule(i=st.integers(0, 99), pick=st.integers(0, 3), assoc=st.booleans())
    @precondition(lambda self: self.live_ends() and sum(len(e.handles) for e in self.ends) < 16)
    def duplicate(self, i: int, pick: int, assoc: bool) -> None:
        end = self.live_ends()[i % len(self.live_ends())]
        h, proc = self._handle(end, pick)
        target = self.procs[1] if proc is self.procs[0] else self.procs[0]
        info = ws.WSAPROTOCOL_INFOW()
        assert proc.api.WSADuplicateSocketW(h, target.api.GetCurrentProcessId(), info) == 0
        d = target.api.WSASocketW(ws.FROM_PROTOCOL_INFO, ws.FROM_PROTOCOL_INFO, ws.FROM_PROTOCOL_INFO,
                                  info, 0, ws.WSA_FLAG_OVERLAPPED)  # fmt: skip
        self._new_handle(d, target, end, assoc)

    @rule(i=st.integers(0, 99), pick=st.integers(0, 3), abortive=st.booleans())
    @precondition(lambda self: self.live_ends())
    def close(self, i: int, pick: int, abortive: bool) -> None:
        end = self.live_ends()[i % len(self.live_ends())]
        h, proc = self._handle(end, pick)
        last = len(end.handles) == 1
        if abortive:
            # the option belongs to the underlying socket, shared by its descriptors
            assert proc.api.setsockopt(h, ws.SOL_SOCKET, ws.SO_LINGER, ws.linger(1, 0), 4) == 0
            end.abortive = True
        if last and end.abortive:
            end.reset = True
            assert end.peer is not None
            end.peer.reset = True
        assert proc.api.closesocket(h) == 0
        del end.handles[h]
        end.associated.discard(h)
        self.closed.add(h)
        if last:
            for op in self.ops:
                if op.end is end and not op.failed:
                    assert op.ov.Internal != PENDING, "the last close left a request pending"

    @rule(i=st.integers(0, 99), pick=st.integers(0, 3), how=st.sampled_from([0, 1, 2]))
    @precondition(lambda self: self.live_ends())
    def shutdown(self, i: int, pick: int, how: int) -> None:
        end = self.live_ends()[i % len(self.live_ends())]
        h, proc = self._handle(end, pick)
        rc = proc.api.shutdown(h, how)
        assert rc == 0 or proc.api.WSAGetLastError() in (ws.WSAENOTCONN, ws.WSAECONNRESET)
        if rc == 0 and how != 1:
            end.recv_shut = True
            if self.sim is not None and self.sim.policy.shutdown_receive_resets:
                end.reset = True  # data queued or arriving later resets (SPI-FACTS 3.8)
                assert end.peer is not None
                end.peer.reset = True

    @rule(i=st.integers(0, 99))
    @precondition(lambda self: self.live_ends())
    def drain(self, i: int) -> None:
        """Read everything the peer sent (and that can still come); without a
        reset, what was received is then exactly what was sent (issue 3)."""
        end = self.live_ends()[i % len(self.live_ends())]
        h, proc = self._handle(end, 0)
        for _ in range(200):
            buf = bytearray(64)
            rc = proc.api.recv(h, buf, 64, 0)
            if rc == ws.SOCKET_ERROR or rc == 0:
                break
            end.received += buf[:rc]
            self._observe()
        self._observe()
        peer = end.peer
        assert peer is not None
        if (
            end.reset
            or end.recv_shut
            or any(
                not op.failed and op.ov.Internal == PENDING
                for op in self.ops
                if op.end is end and op.kind == "recv"
            )
        ):
            return
        if any(isinstance(x, Op) and not x.failed and x.ov.Internal == PENDING for x in peer.sent):
            return
        assert bytes(end.received) == self._stream(peer, upper=False), "bytes lost"
        event(f"drain: all {len(end.received) // 64 * 64}+ bytes accounted")

    # -- invariants ----------------------------------------------------------------------------
    def _stream(self, sender: End, upper: bool) -> bytes:
        """What ``sender``'s sends were accepted with; ``upper``: up to and
        including the first request still pending (a bound on what may have been
        delivered so far)."""
        out = bytearray()
        for x in sender.sent:
            if isinstance(x, bytes):
                out += x
            elif x.failed:
                continue
            elif x.ov.Internal == PENDING or x.ov.Internal == SENTINEL:
                if upper:
                    out += x.data
                break
            else:
                out += x.data[: x.ov.InternalHigh]
        return bytes(out)

    def _observe(self) -> None:
        """Account the bytes of receives that have completed, in issue order; a
        receive never gets data while an earlier one of its socket still waits
        (W39: pending receives complete in issue order)."""
        waiting: set[int] = set()
        for op in self.ops:
            if op.failed:
                continue
            if op.ov.Internal == PENDING:
                if op.kind == "recv":
                    waiting.add(id(op.end))
                continue
            if op.seen:
                continue
            op.seen = True
            if op.kind == "recv" and op.ov.OffsetHigh == 0:
                if op.ov.InternalHigh:
                    assert id(op.end) not in waiting, "a later receive got data first"
                op.end.received += op.buf[: op.ov.InternalHigh]

    @invariant()
    def notifications_exactly_once(self) -> None:
        next(STEPS)
        self._take_packets()
        self._observe()
        self._check_notified()

    @invariant()
    def bytes_are_a_prefix_of_what_was_sent(self) -> None:
        for end in self.ends:
            assert end.peer is not None
            sent = self._stream(end.peer, upper=True)
            assert bytes(end.received) == sent[: len(end.received)], (
                "received bytes are not what was sent"
            )

    @invariant()
    def states_are_listed(self) -> None:
        assert self.sim is not None
        spi = self.sim.hosts[0].provider
        for end in self.ends:
            for h in end.handles:
                sock = spi.table[h]
                assert sock.state in S.STREAM_STATES and sock.state is not S.CLOSED

    def teardown(self) -> None:
        """Close everything: every request has then completed, and been notified
        exactly once (SPI-FACTS 3.7 point 4, seed 004)."""
        if self.sim is None:
            return
        for end in self.ends:
            for h, proc in sorted(end.handles.items()):
                assert proc.api.closesocket(h) == 0
            end.handles.clear()
        for proc in self.procs:
            while proc.api.SleepEx(0, True) == ws.WAIT_IO_COMPLETION:
                pass
        self.notifications_exactly_once()
        for op in self.ops:
            if op.failed:
                continue
            assert op.ov.Internal != PENDING, "a request never completed"
            if op.mech == "routine":
                assert op.calls == 1


TestOverlappedMachine = OverlappedMachine.TestCase


# -- UDP ---------------------------------------------------------------------------------------
#: SO_RCVBUF values of the UDP sockets: a datagram (0..40 bytes) that does not
#: fit beside what is queued is dropped, never queued in part.
RCVBUFS = (24, 64, 65536)
#: Datagram sizes: empty ones (legal) and ones that just fill a 24-byte buffer often.
SIZES = st.sampled_from([0, 24]) | st.integers(0, 40)
MAX_UDP = 3
#: Steps executed by the UDP machines of this run.
UDP_STEPS = itertools.count()


class UdpOp(Op):
    """An overlapped WSARecvFrom / WSASendTo (with the lpFrom buffer, if any)."""

    __slots__ = ("frm",)

    def __init__(self, kind: str, mech: str, proc: Proc, handle: int, end: End) -> None:
        super().__init__(kind, mech, proc, handle, end)
        self.frm: bytearray | None = None


class Udp(End):
    """A bound UDP socket (its descriptors, as for a TCP end) and a model of its
    receive queue: the datagrams delivered to it and not yet taken, in order."""

    def __init__(self, name: str, port: int, rcap: int) -> None:
        super().__init__(name)
        self.port = port
        self.rcap = rcap
        self.queue: deque[tuple[bytes, int]] = deque()  # (datagram, sender's port)
        self.delivered = 0
        self.taken = 0
        self.discarded = 0  # still queued at the last close

    @property
    def queued(self) -> int:
        return sum(len(d) for d, _ in self.queue)


class UdpOverlappedMachine(Common, RuleBasedStateMachine):
    """The UDP variant: up to three bound, nonblocking, overlapped UDP sockets
    on loopback, each one a sender and a receiver, so a receiver gets datagrams
    from one or two other senders (or itself).  Rules: sendto / overlapped
    WSASendTo, overlapped and non-overlapped WSARecvFrom with random buffer
    sizes, CancelIoEx, duplicates, closes with receives pending, alertable
    waits, event waits; completion through events, routines and ports.

    Invariants, checked after every step:

    * every overlapped operation completes exactly once, through the mechanism
      its caller chose (SPI-FACTS 3.4), as in the TCP machine;
    * datagrams are conserved: the model queues every datagram sent to an open,
      bound receiver with room (SO_RCVBUF minus what is queued) and counts the
      others as dropped (the simulator's dropped count must agree); every
      receive that gets data takes the head of that queue, whole, or truncated
      to the buffer with WSAEMSGSIZE and the copied count (SPI-FACTS 3.6
      WSPRecv "unreliable"; W83), so nothing is lost, duplicated or reordered;
      a zero-length datagram is legal; a non-overlapped receive fails
      WSAEWOULDBLOCK exactly when the model queue is empty (W39); a pending
      receive never gets data before an earlier one (W39);
    * a receive pending at the last close, or cancelled, completes with
      WSA_OPERATION_ABORTED and no bytes, in both profiles (W31: STATUS_CANCELLED
      in profile "windows"), and queued datagrams are discarded;
    * closed handles never come back (SPI-FACTS 3.7 point 1);
    * every socket is always in a state the datagram table lists (states.py).

    Runs once per profile (class attribute ``profile``; one TestCase each).
    Speed, measured with UDP_STEPS under the default Hypothesis profile of
    tests/conftest.py (40 examples, ~1,500-1,900 steps per run): about
    3,000-4,000 steps/s (2,000/s on a loaded machine), ~0.5 s per profile;
    the TCP machine runs ~2,600-3,000 steps/s."""

    profile = "documented"

    def __init__(self) -> None:
        super().__init__()
        self.sim: ws.Simulator | None = None
        self.procs: list[Proc] = []
        self.socks: list[Udp] = []
        self.ops: list[Op] = []
        self.closed: set[int] = set()
        self.all_handles: set[int] = set()
        self.counter = itertools.count()
        self.port_no = 7000
        self.drops = 0

    @property
    def windows(self) -> bool:
        return self.profile == "windows"

    # -- set-up -------------------------------------------------------------------------------
    @initialize(
        socks=st.lists(
            st.tuples(st.booleans(), st.sampled_from(RCVBUFS)), min_size=2, max_size=MAX_UDP
        )
    )
    def start(self, socks: list[tuple[bool, int]]) -> None:
        self.sim = ws.Simulator(profile=self.profile)
        host = self.sim.add_host("10.0.0.1")
        apis = [host.ws2, host.new_process()]
        for api in apis:
            assert api.WSAStartup(0x0202, ws.WSADATA()) == 0
        self.procs = [Proc(api) for api in apis]
        for assoc, rcap in socks:
            self.open_socket(assoc, rcap)

    def live(self) -> list[Udp]:
        return [s for s in self.socks if s.open]

    @rule(assoc=st.booleans(), rcap=st.sampled_from(RCVBUFS))
    @precondition(lambda self: len(self.live()) < MAX_UDP)
    def open_socket(self, assoc: bool, rcap: int) -> None:
        api = self.procs[0].api
        self.port_no += 1
        h = api.WSASocketW(
            ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP, None, 0, ws.WSA_FLAG_OVERLAPPED
        )
        assert api.bind(h, ws.sockaddr("127.0.0.1", self.port_no), 16) == 0
        assert api.setsockopt(h, ws.SOL_SOCKET, ws.SO_RCVBUF, rcap.to_bytes(4, "little"), 4) == 0
        assert api.ioctlsocket(h, ws.FIONBIO, ctypes.c_ulong(1)) == 0  # W39: overlapped still pends
        sock = Udp(f"u{h}", self.port_no, rcap)
        self._new_handle(h, self.procs[0], sock, assoc)
        self.socks.append(sock)

    def _pending_recvs(self, sock: Udp) -> list[Op]:
        return [
            op for op in self.ops
            if op.end is sock and op.kind == "recv" and not op.failed and op.ov.Internal == PENDING
        ]  # fmt: skip

    def _new_op(self, kind: str, sock: Udp, pick: int, mech: str) -> UdpOp:
        h, proc = self._handle(sock, pick)
        op = UdpOp(kind, mech, proc, h, sock)
        if mech == "event":
            op.ev = proc.api.WSACreateEvent()
            op.ov.hEvent = op.ev
        self.ops.append(op)
        return op

    def _started(self, op: Op, rc: int) -> str:
        """Check how an overlapped call returned; a label for the statistics."""
        err = op.proc.api.WSAGetLastError()
        if rc == ws.SOCKET_ERROR and err != ws.WSA_IO_PENDING:
            # W34: no APC on a port-associated handle; nothing else refuses here
            name = ws.ErrorCode(err).name
            assert (op.mech, op.assoc, err) == ("routine", True, ws.WSAEINVAL), name
            op.failed = True
            return f"{op.kind}/{op.mech}: WSAEINVAL"
        assert rc in (0, ws.SOCKET_ERROR) and op.ov.Internal != SENTINEL
        return f"{op.kind}/{op.mech}: " + ("0" if rc == 0 else "pending")

    # -- sends ---------------------------------------------------------------------------------
    @rule(
        i=st.integers(0, 99), j=st.integers(0, 99), pick=st.integers(0, 3), n=SIZES,
        how=st.sampled_from(["sendto", "event", "routine", "poll"]),
    )  # fmt: skip
    @precondition(lambda self: self.live())
    def send(self, i: int, j: int, pick: int, n: int, how: str) -> None:
        """sendto / overlapped WSASendTo: a UDP send completes at once
        (SPI-FACTS 3.4 WSPSendTo; test_overlapped)."""
        live = self.live()
        src = live[i % len(live)]
        dst = self.socks[j % len(self.socks)]  # may be closed: then nobody takes it
        self._observe()
        room = dst.open and dst.queued + n <= dst.rcap
        data = self._data(n)
        to = ws.sockaddr("127.0.0.1", dst.port)
        if how == "sendto":
            h, proc = self._handle(src, pick)
            assert proc.api.sendto(h, data, n, 0, to, 16) == n
            sent = True
        else:
            op = self._new_op("send", src, pick, how)
            op.data = data
            routine = op.routine if how == "routine" else None
            rc = op.proc.api.WSASendTo(
                op.handle, [ws.WSABUF(n, data)], 1, ctypes.c_ulong(), 0, to, 16, op.ov, routine
            )
            event(self._started(op, rc))
            sent = not op.failed
            if sent:
                assert rc == 0 and op.ov.Internal != PENDING
                assert (op.ov.OffsetHigh, op.ov.InternalHigh) == (0, n)
        if sent:
            if room:
                dst.queue.append((data, src.port))
                dst.delivered += 1
            else:
                self.drops += 1
            fate = "delivered" if room else "dropped (full)" if dst.open else "dropped (closed)"
            event("send: " + fate)
        self._observe()

    # -- receives ------------------------------------------------------------------------------
    @rule(
        i=st.integers(0, 99), pick=st.integers(0, 3), n=st.integers(0, 48),
        mech=st.sampled_from(["event", "routine", "poll"]), with_from=st.booleans(),
    )  # fmt: skip
    @precondition(lambda self: self.live())
    def post_recv(self, i: int, pick: int, n: int, mech: str, with_from: bool) -> None:
        """Overlapped WSARecvFrom: completes at once if a datagram is queued
        (rc 0, or SOCKET_ERROR/WSA_IO_PENDING already completed for a truncated
        one), else pends (SPI-FACTS 3.4; W39, W83)."""
        live = self.live()
        op = self._new_op("recv", live[i % len(live)], pick, mech)
        op.buf = bytearray(n)
        frmlen = None
        if with_from:
            op.frm, frmlen = bytearray(16), ctypes.c_int(16)
        routine = op.routine if mech == "routine" else None
        rc = op.proc.api.WSARecvFrom(
            op.handle, [ws.WSABUF(n, op.buf)], 1, ctypes.c_ulong(), ctypes.c_ulong(0), op.frm, frmlen,
            op.ov, routine,
        )  # fmt: skip
        event(self._started(op, rc))
        self._observe()

    @rule(
        i=st.integers(0, 99),
        pick=st.integers(0, 3),
        n=st.integers(0, 48),
        call=st.sampled_from(["recvfrom", "WSARecvFrom"]),
    )
    @precondition(lambda self: self.live())
    def sync_recv(self, i: int, pick: int, n: int, call: str) -> None:
        """Non-overlapped receive on a nonblocking socket: the head datagram,
        whole or truncated with WSAEMSGSIZE (W83), or WSAEWOULDBLOCK exactly when
        nothing is queued (W39)."""
        live = self.live()
        sock = live[i % len(live)]
        h, proc = self._handle(sock, pick)
        self._observe()
        buf, frm, frmlen = bytearray(n), bytearray(16), ctypes.c_int(16)
        if call == "recvfrom":
            rc = got = proc.api.recvfrom(h, buf, n, 0, frm, frmlen)
        else:
            cnt = ctypes.c_ulong(0xDEAD)
            rc = proc.api.WSARecvFrom(
                h, [ws.WSABUF(n, buf)], 1, cnt, ctypes.c_ulong(0), frm, frmlen, None, None
            )
            got = cnt.value
        err = proc.api.WSAGetLastError() if rc == ws.SOCKET_ERROR else 0
        if not sock.queue or self._pending_recvs(sock):
            assert (rc, err) == (ws.SOCKET_ERROR, ws.WSAEWOULDBLOCK), ws.ErrorCode(err).name
            return
        data, port = sock.queue.popleft()
        sock.taken += 1
        k = min(len(data), n)
        assert bytes(buf[:k]) == data[:k], "a receive got another datagram than the head"
        if len(data) > n:
            assert (rc, err) == (ws.SOCKET_ERROR, ws.WSAEMSGSIZE), ws.ErrorCode(err).name
            event(f"{call}: truncated")
        else:
            assert rc != ws.SOCKET_ERROR and got == len(data), ws.ErrorCode(err).name
            assert ws.parse_sockaddr(bytes(frm)) == (ws.AF_INET, "127.0.0.1", port)
            event(f"{call}: whole" + (" (empty)" if not data else ""))

    @rule(i=st.integers(0, 99))
    @precondition(lambda self: self.live())
    def drain(self, i: int) -> None:
        """With no receive pending, read until WSAEWOULDBLOCK: exactly the
        queued datagrams come out, in order (conservation)."""
        live = self.live()
        sock = live[i % len(live)]
        h, proc = self._handle(sock, 0)
        self._observe()
        if self._pending_recvs(sock):
            return
        while True:
            buf = bytearray(64)
            rc = proc.api.recvfrom(h, buf, 64, 0, None, None)
            if rc == ws.SOCKET_ERROR:
                assert proc.api.WSAGetLastError() == ws.WSAEWOULDBLOCK
                break
            assert sock.queue, "a datagram that was never delivered (or delivered twice)"
            data, _ = sock.queue.popleft()
            sock.taken += 1
            assert bytes(buf[:rc]) == data, "datagrams reordered or altered"
        assert not sock.queue, "a delivered datagram was lost"
        event("drain")

    # -- cancellation, duplication, close ------------------------------------------------------
    @rule(k=st.integers(0, 999), one=st.booleans())
    @precondition(lambda self: self.live())
    def cancel(self, k: int, one: bool) -> None:
        """CancelIoEx (one request, or all of a handle's): a cancelled receive
        completes WSA_OPERATION_ABORTED with no bytes (SPI-FACTS 3.4; W31)."""
        live = [(h, p) for s in self.live() for h, p in sorted(s.handles.items())]
        h, proc = live[k % len(live)]
        mine = [
            op for op in self.ops if op.handle == h and not op.failed and op.ov.Internal == PENDING
        ]
        if one:
            hit = [mine[k % len(mine)]] if mine else []
            rc = proc.api.CancelIoEx(h, hit[0].ov if hit else ws.WSAOVERLAPPED())
            assert rc == (1 if hit else 0)
        else:
            hit = mine
            rc = proc.api.CancelIoEx(h, None)
            assert rc == 1 or not hit
        if not rc:
            assert proc.api.GetLastError() == ws.ERROR_NOT_FOUND
        for op in hit:
            assert op.ov.Internal != PENDING and op.ov.OffsetHigh == ws.WSA_OPERATION_ABORTED
        if hit:
            event("cancel: pending receive(s)")
        self._observe()

    @rule(i=st.integers(0, 99), pick=st.integers(0, 3), assoc=st.booleans())
    @precondition(lambda self: self.live() and sum(len(s.handles) for s in self.socks) < 8)
    def duplicate(self, i: int, pick: int, assoc: bool) -> None:
        """WSADuplicateSocketW into the other process (SPI-FACTS 3.7)."""
        live = self.live()
        sock = live[i % len(live)]
        h, proc = self._handle(sock, pick)
        target = self.procs[1] if proc is self.procs[0] else self.procs[0]
        info = ws.WSAPROTOCOL_INFOW()
        assert proc.api.WSADuplicateSocketW(h, target.api.GetCurrentProcessId(), info) == 0
        d = target.api.WSASocketW(ws.FROM_PROTOCOL_INFO, ws.FROM_PROTOCOL_INFO, ws.FROM_PROTOCOL_INFO,
                                  info, 0, ws.WSA_FLAG_OVERLAPPED)  # fmt: skip
        self._new_handle(d, target, sock, assoc)

    @rule(i=st.integers(0, 99), pick=st.integers(0, 3))
    @precondition(lambda self: self.live())
    def close(self, i: int, pick: int) -> None:
        """closesocket; the last one aborts the pending receives with
        WSA_OPERATION_ABORTED in both profiles (W31) and discards the queue."""
        live = self.live()
        sock = live[i % len(live)]
        h, proc = self._handle(sock, pick)
        self._observe()
        last = len(sock.handles) == 1
        pending = self._pending_recvs(sock)
        assert proc.api.closesocket(h) == 0
        del sock.handles[h]
        sock.associated.discard(h)
        self.closed.add(h)
        if last:
            sock.discarded += len(sock.queue)
            sock.queue.clear()
            for op in pending:
                assert (op.ov.OffsetHigh, op.ov.InternalHigh) == (ws.WSA_OPERATION_ABORTED, 0)
                if self.windows:
                    assert op.ov.Internal == ws.STATUS_CANCELLED  # W31
            if pending:
                event("close: last handle, receives pending")
        self._observe()

    # -- invariants ----------------------------------------------------------------------------
    def _observe(self) -> None:
        """Account the receives that have completed, in issue order: one that got
        data took the head of its socket's queue, whole or truncated (W83); one
        that was aborted took nothing (W31); none got data while an earlier one
        of its socket still waited (W39)."""
        waiting: set[int] = set()
        for op in self.ops:
            if op.failed or op.kind != "recv":
                continue
            sock = op.end
            assert isinstance(op, UdpOp) and isinstance(sock, Udp)
            if op.ov.Internal == PENDING:
                waiting.add(id(sock))
                continue
            if op.seen:
                continue
            op.seen = True
            err, got = op.ov.OffsetHigh, op.ov.InternalHigh
            if err == ws.WSA_OPERATION_ABORTED:
                assert got == 0
                continue
            assert id(sock) not in waiting, "a later receive got a datagram first"
            assert sock.queue, "a receive got a datagram that was never delivered (or twice)"
            data, port = sock.queue.popleft()
            sock.taken += 1
            n = len(op.buf)
            want = (ws.WSAEMSGSIZE, n) if len(data) > n else (0, len(data))
            assert (err, got) == want, f"W83: {(err, got)} != {want}"
            assert bytes(op.buf[:got]) == data[:got], "a receive got another datagram than the head"
            if op.frm is not None:
                assert ws.parse_sockaddr(bytes(op.frm)) == (ws.AF_INET, "127.0.0.1", port)
            if self.windows and err == ws.WSAEMSGSIZE:
                assert op.ov.Internal == ws.STATUS_BUFFER_OVERFLOW  # W83
            event("overlapped receive: " + ("truncated" if err else "whole" if data else "empty"))

    @invariant()
    def notifications_exactly_once(self) -> None:
        next(UDP_STEPS)
        self._take_packets()
        self._observe()
        self._check_notified()

    @invariant()
    def datagrams_are_conserved(self) -> None:
        assert self.sim is not None
        # a datagram with room was dropped, or one without room was queued
        assert self.sim.network.dropped_datagrams == self.drops
        for sock in self.socks:
            assert sock.delivered == sock.taken + len(sock.queue) + sock.discarded
            if not sock.open:
                assert not sock.queue

    @invariant()
    def states_are_listed(self) -> None:
        assert self.sim is not None
        spi = self.sim.hosts[0].provider
        for sock in self.socks:
            for h in sock.handles:
                state = spi.table[h].state
                assert state in S.DATAGRAM_STATES and state is not S.CLOSED

    def teardown(self) -> None:
        """Close everything: every request has then completed (aborted if it was
        still pending, W31) and been notified exactly once (SPI-FACTS 3.7 point 4)."""
        if self.sim is None:
            return
        for sock in self.socks:
            for h, proc in sorted(sock.handles.items()):
                assert proc.api.closesocket(h) == 0
            sock.handles.clear()
            sock.discarded += len(sock.queue)
            sock.queue.clear()
        for proc in self.procs:
            while proc.api.SleepEx(0, True) == ws.WAIT_IO_COMPLETION:
                pass
        self.notifications_exactly_once()
        for op in self.ops:
            if op.failed:
                continue
            assert op.ov.Internal != PENDING, "a request never completed"
            if op.mech == "routine":
                assert op.calls == 1


class UdpOverlappedMachineWindows(UdpOverlappedMachine):
    """The UDP machine in profile "windows" (see UdpOverlappedMachine)."""

    profile = "windows"


TestUdpOverlappedMachineDocumented = UdpOverlappedMachine.TestCase
TestUdpOverlappedMachineWindows = UdpOverlappedMachineWindows.TestCase
