"""Eight threads hammering shared sockets and one completion port (issue 6).

DESIGN 3: "The simulator is safe to call from several Python threads.  A
blocking call that nothing can ever complete raises ws.SimulationDeadlock ...
it never hangs the test run."  Issue 6: "A concurrency test: 8 threads doing
many operations on shared sockets and ports, no deadlock, invariants intact."
"""

from __future__ import annotations

import ctypes
import random
import threading
from typing import Any

import wsspi_sim as ws
from wsspi_sim.testing import check_invariants, connected_tcp_pair, started_winsock

THREADS = 8
OPS_PER_THREAD = 250
INVALID_HANDLE_VALUE = -1


class _Out:
    value: Any = None


class Shared:
    """The sockets, the port, and the byte and request accounting of all threads."""

    def __init__(self, profile: str) -> None:
        self.api = started_winsock(ws.Simulator(profile=profile, seed=7))
        self.port = self.api.CreateIoCompletionPort(INVALID_HANDLE_VALUE, None, 0, 0)
        self.pairs = [connected_tcp_pair(self.api, nonblocking=True) for _ in range(3)]
        for p in self.pairs:
            for h in p.handles:
                assert self.api.CreateIoCompletionPort(h, self.port, h, 0) == self.port
        self.udp = [self.api.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP) for _ in range(2)]
        for u in self.udp:
            name = ws.sockaddr("127.0.0.1", 0)
            assert self.api.bind(u, name, 16) == 0
            self.api.ioctlsocket(u, ws.FIONBIO, ctypes.c_ulong(1))
        self.lock = threading.Lock()
        #: (sender handle, receiver handle) -> bytes sent / received
        self.sent: dict[tuple[int, int], int] = {}
        self.received: dict[tuple[int, int], int] = {}
        #: overlapped requests: id -> (ov, kind, direction)
        self.requests: dict[int, tuple[ws.WSAOVERLAPPED, str, tuple[int, int]]] = {}
        self.packets: dict[int, int] = {}
        self.posted = 0
        self.posted_seen = 0
        self.ops = 0
        self.errors: list[BaseException] = []

    def direction(self, pair: Any, side: int) -> tuple[int, int]:
        a, b = pair.handles
        return (a, b) if side == 0 else (b, a)

    def add(self, table: dict[tuple[int, int], int], key: tuple[int, int], n: int) -> None:
        with self.lock:
            table[key] = table.get(key, 0) + n

    def take_packet(self, ov: Any) -> None:
        with self.lock:
            if ov is None or isinstance(ov, _Marker):
                self.posted_seen += 1
                return
            self.packets[id(ov)] = self.packets.get(id(ov), 0) + 1
            _, kind, d = self.requests[id(ov)]
        self.add(self.sent if kind == "send" else self.received, d, ov.InternalHigh)

    def drain(self, timeout_ms: int = 0) -> None:
        api = self.api
        while True:
            n, key, ov = ctypes.c_ulong(), ctypes.c_uint64(), _Out()
            ok = api.GetQueuedCompletionStatus(self.port, n, key, ov, timeout_ms)
            if not ok and ov.value is None:
                return
            self.take_packet(ov.value)


class _Marker:
    """A caller's own object posted with PostQueuedCompletionStatus."""


def worker(shared: Shared, index: int) -> None:
    api = shared.api
    rnd = random.Random(1000 + index)
    try:
        for _ in range(OPS_PER_THREAD):
            pair = rnd.choice(shared.pairs)
            side = rnd.randrange(2)
            d = shared.direction(pair, side)
            op = rnd.randrange(10)
            if op == 0:
                n = rnd.randrange(1, 2000)
                r = api.send(d[0], bytes(n), n, 0)
                if r != ws.SOCKET_ERROR:
                    shared.add(shared.sent, d, r)
            elif op == 1:
                buf = bytearray(rnd.randrange(1, 4000))
                r = api.recv(d[1], buf, len(buf), 0)
                if r != ws.SOCKET_ERROR:
                    shared.add(shared.received, d, r)
            elif op in (2, 3):
                ov = ws.WSAOVERLAPPED()
                n = rnd.randrange(1, 3000)
                buf = bytearray(n)
                kind = "send" if op == 2 else "recv"
                with shared.lock:
                    shared.requests[id(ov)] = (ov, kind, d)
                if kind == "send":
                    rc = api.WSASend(d[0], [ws.WSABUF(n, buf)], 1, ctypes.c_ulong(), 0, ov, None)
                else:
                    rc = api.WSARecv(d[1], [ws.WSABUF(n, buf)], 1, ctypes.c_ulong(), ctypes.c_ulong(0), ov, None)
                if rc != 0 and api.WSAGetLastError() != ws.WSA_IO_PENDING:
                    with shared.lock:
                        del shared.requests[id(ov)]  # refused: no completion will come
            elif op == 4:
                shared.drain(0)
            elif op == 5:
                with shared.lock:
                    shared.posted += 1
                api.PostQueuedCompletionStatus(shared.port, 0, 99, _Marker())
            elif op == 6:
                u0, u1 = shared.udp if rnd.randrange(2) else shared.udp[::-1]
                buf, n = bytearray(28), ctypes.c_int(28)
                api.getsockname(u1, buf, n)
                api.sendto(u0, b"x" * rnd.randrange(0, 500), rnd.randrange(0, 500), 0, bytes(buf[:16]), 16)
                api.recvfrom(u1, bytearray(600), 600, 0, None, None)
            elif op == 7:
                ev = api.WSACreateEvent()
                api.WSASetEvent(ev)
                assert api.WSAWaitForMultipleEvents(1, [ev], False, 0, False) == 0
                api.WSACloseEvent(ev)
            elif op == 8:
                api.getsockopt(d[0], ws.SOL_SOCKET, ws.SO_RCVBUF, bytearray(4), ctypes.c_int(4))
                api.ioctlsocket(d[1], ws.FIONREAD, ctypes.c_ulong())
            else:
                shared.drain(rnd.choice([0, 0, 0, 5]))  # sometimes a short wait in virtual time
            with shared.lock:
                shared.ops += 1
    except BaseException as e:  # reported by the main thread
        shared.errors.append(e)


def run(profile: str) -> Shared:
    shared = Shared(profile)
    threads = [threading.Thread(target=worker, args=(shared, i), daemon=True) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "deadlock: a worker thread never finished"
    assert not shared.errors, shared.errors
    return shared


def finish(shared: Shared) -> None:
    """Single-threaded epilogue: cancel what is pending, collect every packet,
    then let each connection drain and compare byte counts."""
    api = shared.api
    for p in shared.pairs:
        for h in p.handles:
            api.CancelIoEx(h, None)
    shared.drain(0)
    for p in shared.pairs:
        for side in (0, 1):
            d = shared.direction(p, side)
            assert api.shutdown(d[0], ws.SD_SEND) == 0, api.WSAGetLastError()
        for side in (0, 1):
            d = shared.direction(p, side)
            while True:
                buf = bytearray(65536)
                r = api.recv(d[1], buf, len(buf), 0)
                assert r != ws.SOCKET_ERROR, api.WSAGetLastError()
                if r == 0:
                    break
                shared.add(shared.received, d, r)


def test_eight_threads_share_sockets_and_a_port_without_deadlock() -> None:
    """Issue 6 concurrency: 8 threads x 250 operations (sends, receives, overlapped
    requests completing to one shared port, posts, datagrams, events) on shared
    sockets finish without deadlock; afterwards every request completed exactly
    once (one packet each), every byte sent was received (bytes sent are
    received or reported reset), and the simulator invariants hold."""
    shared = run("documented")
    assert shared.ops == THREADS * OPS_PER_THREAD
    finish(shared)
    for key, (ov, _kind, _d) in shared.requests.items():
        assert ov.Internal != ws.WSS_OPERATION_IN_PROGRESS, ov
        assert shared.packets.get(key, 0) == 1, (ov, shared.packets.get(key, 0))
    assert shared.posted_seen == shared.posted
    for p in shared.pairs:
        for side in (0, 1):
            d = shared.direction(p, side)
            assert shared.received.get(d, 0) == shared.sent.get(d, 0), (d, shared.sent, shared.received)
    check_invariants(shared.api.sim)


def test_eight_threads_in_the_windows_profile() -> None:
    """The same load in profile "windows" (WINDOWS-OBSERVED rules for completion
    and thread exit): no deadlock, no exception, invariants intact."""
    shared = run("windows")
    finish(shared)
    for key, (ov, _kind, _d) in shared.requests.items():
        assert ov.Internal != ws.WSS_OPERATION_IN_PROGRESS, ov
        assert shared.packets.get(key, 0) == 1
    check_invariants(shared.api.sim)


def test_a_blocked_thread_is_woken_by_another() -> None:
    """DESIGN 3: a thread blocked in a receive is completed by another thread's
    send (it does not raise SimulationDeadlock while the other thread runs)."""
    api = started_winsock()
    pair = connected_tcp_pair(api)
    got: list[int] = []

    def reader() -> None:
        buf = bytearray(10)
        got.append(api.recv(pair.server, buf, 10, 0))

    t = threading.Thread(target=reader, daemon=True)
    t.start()
    assert api.send(pair.client, b"hello", 5, 0) == 5
    t.join(timeout=30)
    assert not t.is_alive()
    assert got == [5]
