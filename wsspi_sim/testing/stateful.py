"""Hypothesis rule-based state machines for wsspi_sim (public API).

Each machine drives one simulated process through the Winsock API and checks,
after every step:

* the simulator's own invariants (:func:`wsspi_sim.testing.check_invariants`:
  every socket's state is a state of its table, handle tables agree, queued
  requests are pending), and **no handle resurrection**;
* **exactly-once completion**: every overlapped request that was started is
  notified once -- one completion routine call, one port packet, its event
  set -- never twice, and never while still in progress;
* **byte conservation** (stream machine): what a receiver got is always a
  prefix of what the sender's completed sends put on the wire, receives
  complete in issue order (W39), and at the end every byte sent on a
  connection that was neither reset nor closed is received.

The machines take a *factory*: a zero-argument callable returning the world
to test -- a started Winsock (``host.ws2`` after WSAStartup), a Host or a
Simulator.  To test your own layered provider::

    from wsspi_sim.testing import started_winsock
    from wsspi_sim.testing.stateful import StreamMachine

    TestMyLsp = StreamMachine.with_factory(lambda: started_winsock(lsp=MyLsp)).TestCase

Without a factory a machine uses a fresh default world (``started_winsock()``).
"""

from __future__ import annotations

import ctypes
import struct
from collections.abc import Callable
from typing import Any, ClassVar

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from .. import constants as C
from ..errors import (
    WSA_IO_PENDING,
    WSAECONNABORTED,
    WSAECONNRESET,
    WSAEMSGSIZE,
    WSAENOTCONN,
    WSAESHUTDOWN,
    WSAEWOULDBLOCK,
)
from ..structs import WSABUF, WSAOVERLAPPED, sockaddr
from ..world import Host, Simulator
from . import InvariantError, InvariantMonitor, connected_tcp_pair, started_winsock

_RESET_ERRORS = frozenset({WSAECONNRESET, WSAECONNABORTED, 64})  # 64: ERROR_NETNAME_DELETED
INVALID_HANDLE_VALUE = -1


def world_from(obj: Any) -> Any:
    """A started Winsock from what a factory returned (a started or unstarted
    WS2, a Host, a Simulator, or None for a default world)."""
    from ..structs import WSADATA

    if obj is None:
        return started_winsock()
    if isinstance(obj, Simulator):
        return started_winsock(obj)
    if isinstance(obj, Host):
        obj = obj.ws2
    if not callable(getattr(obj, "WSAStartup", None)):
        raise TypeError(
            f"the machine's factory must return a Winsock (WS2), a Host or a Simulator, not {type(obj).__name__}"
        )
    if not obj.started:
        rc = obj.WSAStartup(0x0202, WSADATA())
        if rc != 0:
            raise RuntimeError(f"wsspi_sim.testing: WSAStartup failed with {rc}")
    return obj


class WinsockMachine(RuleBasedStateMachine):
    """Base of the machines: builds the world from ``factory`` and checks the
    simulator invariants after every step."""

    #: Zero-argument callable returning the world (see :func:`world_from`).
    factory: ClassVar[Callable[[], Any] | None] = None

    @classmethod
    def with_factory(cls, factory: Callable[[], Any], *, name: str | None = None) -> type[WinsockMachine]:
        """A subclass that builds its world with ``factory``; use its ``.TestCase``."""
        if not callable(factory):
            raise TypeError(f"factory must be callable, not {type(factory).__name__}")
        return type(name or cls.__name__, (cls,), {"factory": staticmethod(factory)})

    def __init__(self) -> None:
        super().__init__()
        factory = type(self).factory
        self.api = world_from(factory() if factory is not None else None)
        self.sim: Simulator = self.api.sim
        self.monitor = InvariantMonitor(self.sim)

    @invariant()
    def simulator_invariants(self) -> None:
        self.monitor.check()

    def fail(self, message: str) -> None:
        raise InvariantError(f"wsspi_sim: {message}")


# -- the stream machine ---------------------------------------------------------------------
class _Req:
    """An overlapped request the machine started."""

    def __init__(self, kind: str, handle: int, ov: WSAOVERLAPPED, mech: str, buf: bytearray | None,
                 data: bytes, counter: list[int]) -> None:
        self.kind = kind
        self.handle = handle
        self.ov = ov
        self.mech = mech
        self.buf = buf
        self.data = data
        self.notified = counter  # routine calls + port packets
        self.resolved = False
        self.error = 0
        self.nbytes = 0

    def __repr__(self) -> str:
        return f"<{self.kind} {self.mech} on {self.handle:#x} {'done' if self.resolved else 'pending'}>"


class _Dir:
    """One direction of a connection: what the sender put in, what the receiver got."""

    def __init__(self) -> None:
        #: (data, accepted bytes or None while an overlapped send is pending)
        self.sends: list[list[Any]] = []
        self.received = bytearray()
        self.recvs: list[_Req] = []
        self.fin = False

    def expected(self) -> bytes:
        out = bytearray()
        for data, accepted, *_ in self.sends:
            out += data if accepted is None else data[:accepted]
        return bytes(out)


class _Conn:
    def __init__(self, a: int, b: int, port: bool) -> None:
        self.ends = [a, b]
        self.dirs = [_Dir(), _Dir()]  # dirs[0]: a -> b, dirs[1]: b -> a
        self.port = port
        self.closed = [False, False]
        self.reset = False
        self.shut = [False, False]


class StreamMachine(WinsockMachine):
    """TCP connections on loopback: blocking-free sends and receives, overlapped
    WSASend/WSARecv with events, completion routines and a completion port,
    cancellation, shutdown, graceful, abortive and hard closes."""

    #: Most connections open at once.
    max_connections: ClassVar[int] = 3

    def __init__(self) -> None:
        super().__init__()
        self.conns: list[_Conn] = []
        self.reqs: list[_Req] = []
        self.stream_pos = 0
        #: requests the API refused: nothing may ever notify them
        self.refused: list[tuple[WSAOVERLAPPED, list[int]]] = []
        self.port = self.api.CreateIoCompletionPort(INVALID_HANDLE_VALUE, None, 0, 0)
        if not self.port:
            raise RuntimeError("wsspi_sim.testing: CreateIoCompletionPort failed")

    # -- helpers -------------------------------------------------------------------
    def _data(self, n: int) -> bytes:
        start = self.stream_pos
        self.stream_pos += n
        return bytes((start + i) % 251 for i in range(n))

    def _conn(self, i: int) -> _Conn | None:
        return self.conns[i % len(self.conns)] if self.conns else None

    def _resolve(self) -> None:
        """Note every request that completed (Internal left WSS_OPERATION_IN_PROGRESS)."""
        for conn in self.conns:
            for d in conn.dirs:
                waiting = False
                for req in d.recvs:
                    if not req.resolved and req.ov.Internal != C.WSS_OPERATION_IN_PROGRESS:
                        req.resolved = True
                        req.error, req.nbytes = req.ov.OffsetHigh, req.ov.InternalHigh
                        if req.nbytes and waiting:
                            self.fail(f"a receive completed with data before an earlier one (W39): {req!r}")
                        if req.buf is not None and req.nbytes:
                            d.received += req.buf[: req.nbytes]
                        if req.error in _RESET_ERRORS:
                            conn.reset = True
                    if not req.resolved:
                        waiting = True
                d.recvs = [r for r in d.recvs if not r.resolved]
                for entry in d.sends:
                    sreq: _Req | None = entry[2] if len(entry) > 2 else None
                    if sreq is not None and entry[1] is None and sreq.ov.Internal != C.WSS_OPERATION_IN_PROGRESS:
                        req = sreq
                        req.resolved = True
                        req.error, req.nbytes = req.ov.OffsetHigh, req.ov.InternalHigh
                        entry[1] = req.nbytes
                        if req.error in _RESET_ERRORS:
                            conn.reset = True

    def _reset_seen(self, conn: _Conn, err: int) -> bool:
        if err in _RESET_ERRORS:
            conn.reset = True
            return True
        return False

    def _mech(self, conn: _Conn, choice: int) -> str:
        if conn.port:
            return ("port", "event")[choice % 2]
        return ("event", "routine")[choice % 2]

    def _issue(self, kind: str, conn: _Conn, side: int, n: int, choice: int) -> None:
        h = conn.ends[side]
        mech = self._mech(conn, choice)
        ev = self.api.WSACreateEvent() if mech == "event" else None
        ov = WSAOVERLAPPED(hEvent=ev)
        counter = self.monitor.track(ov)
        routine = None
        if mech == "routine":
            def routine(dwError: int, cbTransferred: int, lpOverlapped: Any, dwFlags: int) -> None:
                counter[0] += 1
                if lpOverlapped is not ov:
                    self.fail("a completion routine received another WSAOVERLAPPED")
                if dwError != ov.OffsetHigh or cbTransferred != ov.InternalHigh:
                    self.fail("a completion routine's arguments disagree with its WSAOVERLAPPED")

        count = ctypes.c_ulong()
        if kind == "recv":
            buf = bytearray(n)
            req = _Req("recv", h, ov, mech, buf, b"", counter)
            rc = self.api.WSARecv(h, [WSABUF(n, buf)], 1, count, ctypes.c_ulong(0), ov, routine)
        else:
            data = self._data(n)
            req = _Req("send", h, ov, mech, None, data, counter)
            rc = self.api.WSASend(h, [WSABUF(n, data)], 1, count, 0, ov, routine)
        err = self.api.WSAGetLastError() if rc != 0 else 0
        if rc == 0 or err == WSA_IO_PENDING:
            self.reqs.append(req)
            if kind == "recv":
                conn.dirs[1 - side].recvs.append(req)
            else:
                conn.dirs[side].sends.append([req.data, None, req])
        else:
            # refused: no request was started, so nothing may ever notify it
            self.monitor.untrack(ov)
            self._reset_seen(conn, err)
            self.refused.append((ov, counter))

    # -- rules ---------------------------------------------------------------------
    @precondition(lambda self: len(self.conns) < self.max_connections)
    @rule()
    def open_connection(self) -> None:
        pair = connected_tcp_pair(self.api, nonblocking=True)
        conn = _Conn(pair.client, pair.server, port=len(self.conns) % 2 == 0)
        if conn.port:
            for h in conn.ends:
                if not self.api.CreateIoCompletionPort(h, self.port, h, 0):
                    self.fail(f"CreateIoCompletionPort({h:#x}) failed: {self.api.GetLastError()}")
        self.api.closesocket(pair.listener)
        self.conns.append(conn)

    @precondition(lambda self: bool(self.conns))
    @rule(i=st.integers(0, 7), side=st.integers(0, 1), n=st.integers(1, 3000))
    def send(self, i: int, side: int, n: int) -> None:
        self._resolve()
        conn = self._conn(i)
        assert conn is not None
        if conn.closed[side]:
            return
        h = conn.ends[side]
        data = self._data(n)
        r = self.api.send(h, data, n, 0)
        if r == C.SOCKET_ERROR:
            err = self.api.WSAGetLastError()
            self.stream_pos -= n
            if err in (WSAEWOULDBLOCK, WSAESHUTDOWN) or self._reset_seen(conn, err):
                return
            if err == WSAENOTCONN and (conn.reset or conn.closed[1 - side]):
                return
            self.fail(f"send failed with unexpected error {err}")
        if not 0 <= r <= n:
            self.fail(f"send returned {r} for {n} bytes")
        self.stream_pos -= n - r
        conn.dirs[side].sends.append([data[:r], r])

    @precondition(lambda self: bool(self.conns))
    @rule(i=st.integers(0, 7), side=st.integers(0, 1), n=st.integers(1, 4096))
    def recv(self, i: int, side: int, n: int) -> None:
        self._resolve()
        conn = self._conn(i)
        assert conn is not None
        d = conn.dirs[1 - side]
        if conn.closed[side] or d.recvs:
            return  # a synchronous receive would overtake a pending one
        buf = bytearray(n)
        r = self.api.recv(conn.ends[side], buf, n, 0)
        if r == C.SOCKET_ERROR:
            err = self.api.WSAGetLastError()
            if err in (WSAEWOULDBLOCK, WSAESHUTDOWN) or self._reset_seen(conn, err):
                return
            self.fail(f"recv failed with unexpected error {err}")
        if r == 0:
            if not (conn.shut[1 - side] or conn.closed[1 - side]):
                self.fail("recv returned 0 (graceful close) but the peer never shut down or closed")
            d.fin = True
            return
        d.received += buf[:r]

    @precondition(lambda self: bool(self.conns))
    @rule(i=st.integers(0, 7), side=st.integers(0, 1), n=st.integers(1, 4096), choice=st.integers(0, 1))
    def overlapped_recv(self, i: int, side: int, n: int, choice: int) -> None:
        self._resolve()
        conn = self._conn(i)
        assert conn is not None
        if not conn.closed[side]:
            self._issue("recv", conn, side, n, choice)

    @precondition(lambda self: bool(self.conns))
    @rule(i=st.integers(0, 7), side=st.integers(0, 1), n=st.integers(1, 3000), choice=st.integers(0, 1))
    def overlapped_send(self, i: int, side: int, n: int, choice: int) -> None:
        self._resolve()
        conn = self._conn(i)
        assert conn is not None
        if not conn.closed[side]:
            self._issue("send", conn, side, n, choice)

    @rule()
    def alertable_wait(self) -> None:
        self.api.SleepEx(0, True)

    @rule()
    def drain_port(self) -> None:
        by_ov = {id(r.ov): r for r in self.reqs}
        while True:
            n, key, ov = ctypes.c_ulong(), ctypes.c_uint64(), _Out()
            ok = self.api.GetQueuedCompletionStatus(self.port, n, key, ov, 0)
            if not ok and ov.value is None:
                return
            req = by_ov.get(id(ov.value))
            if req is None:
                self.fail(f"a completion packet for a request the machine never started: {ov.value!r}")
            else:
                req.notified[0] += 1

    @precondition(lambda self: any(not r.resolved for r in self.reqs))
    @rule(k=st.integers(0, 31))
    def cancel(self, k: int) -> None:
        pending = [r for r in self.reqs if not r.resolved]
        req = pending[k % len(pending)]
        self.api.CancelIoEx(req.handle, req.ov)
        self._resolve()

    @precondition(lambda self: bool(self.conns))
    @rule(i=st.integers(0, 7), side=st.integers(0, 1))
    def shutdown_send(self, i: int, side: int) -> None:
        conn = self._conn(i)
        assert conn is not None
        if conn.closed[side]:
            return
        # Pending sends would be overtaken by the FIN: wait for them (cancel).
        for entry in conn.dirs[side].sends:
            if entry[1] is None:
                return
        if self.api.shutdown(conn.ends[side], C.SD_SEND) == 0:
            conn.shut[side] = True

    @precondition(lambda self: bool(self.conns))
    @rule(i=st.integers(0, 7), side=st.integers(0, 1), how=st.sampled_from(["graceful", "abortive", "hard"]))
    def close(self, i: int, side: int, how: str) -> None:
        conn = self._conn(i)
        assert conn is not None
        if conn.closed[side]:
            return
        h = conn.ends[side]
        if how == "abortive":
            self.api.setsockopt(h, C.SOL_SOCKET, C.SO_LINGER, struct.pack("<HH", 1, 0), 4)
        if how == "hard":
            errno = ctypes.c_int()
            rc = self.api.host.top_provider.WSPCloseSocket(h, errno)
        else:
            rc = self.api.closesocket(h)
        if rc != 0:
            self.fail(f"{how} close of {h:#x} failed with {self.api.WSAGetLastError()}")
        conn.closed[side] = True
        if how != "graceful" or conn.dirs[1 - side].expected() != bytes(conn.dirs[1 - side].received):
            conn.reset = True  # unread data or an abortive close: the peer may see a reset
        self._resolve()
        if self.api.getsockopt(h, C.SOL_SOCKET, C.SO_TYPE, bytearray(4), ctypes.c_int(4)) != C.SOCKET_ERROR:
            self.fail(f"handle {h:#x} still works after close")

    # -- invariants ------------------------------------------------------------------------
    @invariant()
    def bytes_are_a_prefix(self) -> None:
        self._resolve()
        for conn in self.conns:
            for d in conn.dirs:
                got = bytes(d.received)
                want = d.expected()
                if not want.startswith(got):
                    self.fail(
                        f"byte conservation: received {len(got)} bytes that are not a prefix of the {len(want)} sent"
                    )

    @invariant()
    def refused_requests_stay_silent(self) -> None:
        for ov, counter in self.refused:
            if counter[0]:
                self.fail(f"a request that was refused was notified: {ov!r}")

    def teardown(self) -> None:
        """End every request, check each was notified once, and that every byte
        sent on an intact connection arrives."""
        api = self.api
        self._resolve()
        # 1. end every pending request, then check that each was notified once
        for conn in self.conns:
            for side in (0, 1):
                if not conn.closed[side]:
                    api.CancelIoEx(conn.ends[side], None)
        self._resolve()
        for _ in range(3):
            api.SleepEx(0, True)
            self.drain_port()
        for req in self.reqs:
            if not req.resolved:
                self.fail(f"a request never completed: {req!r}")
            if req.mech in ("routine", "port") and req.notified[0] != 1:
                self.fail(f"a request was notified {req.notified[0]} times: {req!r}")
            if req.mech == "event":
                if api.WSAWaitForMultipleEvents(1, [req.ov.hEvent], False, 0, False) != 0:
                    self.fail(f"a completed request's event is not set: {req!r}")
        # 2. bytes sent on an intact connection are all received
        for conn in self.conns:
            if conn.reset or any(conn.closed):
                continue
            for side in (0, 1):
                if not conn.shut[side]:
                    api.shutdown(conn.ends[side], C.SD_SEND)
            for side in (0, 1):
                d = conn.dirs[1 - side]
                while not d.fin:
                    buf = bytearray(65536)
                    r = api.recv(conn.ends[side], buf, len(buf), 0)
                    if r == C.SOCKET_ERROR:
                        err = api.WSAGetLastError()
                        if err in _RESET_ERRORS:
                            conn.reset = True
                            break
                        self.fail(f"data neither delivered nor reset: recv failed with {err}")
                    if r == 0:
                        d.fin = True
                    d.received += buf[:r]
                if conn.reset:
                    break
                if bytes(d.received) != d.expected():
                    self.fail(
                        f"byte conservation: the {len(d.received)} bytes received differ from "
                        f"the {len(d.expected())} bytes sent"
                    )
        self.monitor.check()


class _Out:
    """An out-parameter that receives an object (lpOverlapped of GQCS)."""

    value: Any = None


# -- the datagram machine -----------------------------------------------------------------------
class DatagramMachine(WinsockMachine):
    """UDP sockets on loopback sending to each other: every datagram received was
    sent, to that socket, whole (or truncated with WSAEMSGSIZE), at most once
    (unless a duplicate fault is configured), in order per sender."""

    max_sockets: ClassVar[int] = 3

    def __init__(self) -> None:
        super().__init__()
        self.socks: list[int] = []
        self.addrs: dict[int, bytes] = {}
        self.closed: set[int] = set()
        self.sent: dict[int, tuple[bytes, int, int]] = {}  # uid -> (payload, src, dst)
        self.got: dict[int, int] = {}
        self.last_uid: dict[tuple[int, int], int] = {}
        self.uid = 0

    @precondition(lambda self: len(self.socks) < self.max_sockets)
    @rule()
    def open_socket(self) -> None:
        api = self.api
        s = api.socket(C.AF_INET, C.SOCK_DGRAM, C.IPPROTO_UDP)
        if s == C.INVALID_SOCKET:
            self.fail(f"socket failed with {api.WSAGetLastError()}")
        name = sockaddr("127.0.0.1", 0)
        if api.bind(s, name, 16) != 0:
            self.fail(f"bind failed with {api.WSAGetLastError()}")
        api.ioctlsocket(s, C.FIONBIO, ctypes.c_ulong(1))
        buf, n = bytearray(16), ctypes.c_int(16)
        api.getsockname(s, buf, n)
        self.socks.append(s)
        self.addrs[s] = bytes(buf)

    def _live(self) -> list[int]:
        return [s for s in self.socks if s not in self.closed]

    @precondition(lambda self: bool(self.socks))
    @rule(i=st.integers(0, 7), j=st.integers(0, 7), n=st.integers(0, 1200))
    def sendto(self, i: int, j: int, n: int) -> None:
        src = self.socks[i % len(self.socks)]
        dst = self.socks[j % len(self.socks)]
        if src in self.closed:
            return
        self.uid += 1
        payload = struct.pack("<I", self.uid) + bytes((self.uid + k) % 256 for k in range(n))
        to = self.addrs[dst]
        r = self.api.sendto(src, payload, len(payload), 0, to, len(to))
        if r == C.SOCKET_ERROR:
            self.fail(f"sendto failed with {self.api.WSAGetLastError()}")
        if r != len(payload):
            self.fail(f"sendto sent {r} of {len(payload)} bytes")
        self.sent[self.uid] = (payload, src, dst)

    @precondition(lambda self: bool(self.socks))
    @rule(i=st.integers(0, 7), n=st.integers(0, 1300))
    def recvfrom(self, i: int, n: int) -> None:
        s = self.socks[i % len(self.socks)]
        if s in self.closed:
            return
        buf, frm, frmlen = bytearray(n), bytearray(16), ctypes.c_int(16)
        r = self.api.recvfrom(s, buf, n, 0, frm, frmlen)
        err = self.api.WSAGetLastError() if r == C.SOCKET_ERROR else 0
        if r == C.SOCKET_ERROR and err == WSAEWOULDBLOCK:
            return
        if r == C.SOCKET_ERROR and err != WSAEMSGSIZE:
            self.fail(f"recvfrom failed with {err}")
        if n < 4:
            return  # too short to tell which datagram it was
        (uid,) = struct.unpack_from("<I", buf)
        if uid not in self.sent:
            self.fail(f"received a datagram nobody sent (uid {uid})")
        payload, src, dst = self.sent[uid]
        if dst != s:
            self.fail(f"datagram {uid} for {dst:#x} arrived at {s:#x}")
        if bytes(frm) != self.addrs[src]:
            self.fail(f"datagram {uid} reports the wrong sender")
        if err == WSAEMSGSIZE:
            if len(payload) <= n:
                self.fail("WSAEMSGSIZE for a datagram that fit")
        elif r != len(payload) or bytes(buf[:r]) != payload:
            self.fail(f"datagram {uid} arrived altered")
        self.got[uid] = self.got.get(uid, 0) + 1
        dup_faults = any(rule.kind == "duplicate" for rule in self.sim.faults._dgram)
        if self.got[uid] > 1 and not dup_faults:
            self.fail(f"datagram {uid} arrived twice")
        reorder = any(rule.kind in ("reorder", "delay") for rule in self.sim.faults._dgram)
        key = (src, dst)
        if not reorder and not dup_faults and self.last_uid.get(key, 0) > uid:
            self.fail(f"datagrams from {src:#x} to {dst:#x} arrived out of order")
        self.last_uid[key] = max(self.last_uid.get(key, 0), uid)

    @precondition(lambda self: bool(self.socks))
    @rule(i=st.integers(0, 7))
    def close(self, i: int) -> None:
        s = self.socks[i % len(self.socks)]
        if s in self.closed:
            return
        if self.api.closesocket(s) != 0:
            self.fail(f"closesocket failed with {self.api.WSAGetLastError()}")
        self.closed.add(s)

    @rule(seconds=st.sampled_from([0.0, 0.001, 0.5]))
    def let_time_pass(self, seconds: float) -> None:
        self.sim.advance(seconds)


#: Other names for the machines.
TcpMachine = StreamMachine
UdpMachine = DatagramMachine

__all__ = ["DatagramMachine", "StreamMachine", "TcpMachine", "UdpMachine", "WinsockMachine", "world_from"]
