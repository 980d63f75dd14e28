"""Benchmark: the simulator against real kernel sockets, on this machine, in one run.

``make bench`` (or ``python bench/run.py``) measures every case below for the
simulator and, where one exists, for real sockets driven through Python's
``socket`` module on loopback (127.0.0.1 or ``socket.socketpair``; bounded
loops; nothing leaves the machine).  It writes ``bench/results.json``::

    {"<case>": {"sim": number, "baseline": number | null,
                "unit": "us/op" | "MB/s" | "s" | "bytes", "ratio": number | null}}

with medians of several repeats and ``ratio = sim / baseline``, and prints the
same as a table.  ``--quick`` uses tiny sizes (the test suite runs it once to
prove the harness works; speed is never asserted there).

Both sides are timed the same way: ``time.perf_counter`` around a loop of
``n`` operations, the garbage collector left on (it is part of what a user
pays), ``gc.collect()`` before each repeat, the median of the repeats.
The simulator's side calls the public API exactly as a test would, with every
validation Windows performs.
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import json
import os
import platform
import socket
import statistics
import struct
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:  # run as a script from a checkout
    sys.path.insert(0, str(HERE.parent))

import wsspi_sim as ws  # noqa: E402

#: The cases in output order: key -> (unit, target text, target check on the result).
CASES: dict[str, tuple[str, str, Callable[[dict[str, Any]], bool] | None]] = {
    "create_close": ("us/op", "ratio <= 1.0", lambda r: r["ratio"] is not None and r["ratio"] <= 1.0),
    "stream_send_recv_1b": ("us/op", "ratio <= 1.0", lambda r: r["ratio"] is not None and r["ratio"] <= 1.0),
    "dgram_sendto_recvfrom_1b": (
        "us/op", "ratio <= 1.0", lambda r: r["ratio"] is not None and r["ratio"] <= 1.0,
    ),  # fmt: skip
    "overlapped_recv_iocp": ("us/op", "-", None),
    "bulk_1mib": ("MB/s", "sim >= 2000", lambda r: r["sim"] >= 2000),
    "scale_1m_sockets": ("us/op", "ratio <= 1.2", lambda r: r["ratio"] is not None and r["ratio"] <= 1.2),
    "close_100k_pending": ("s", "sim < 1", lambda r: r["sim"] < 1.0),
    "idle_socket_bytes": ("bytes", "sim <= 1024", lambda r: r["sim"] <= 1024),
    "trace_off_overhead": ("us/op", "-", None),
}

MIB = 1 << 20


class Out:
    """An out-parameter that receives an object (GetQueuedCompletionStatus's lpOverlapped)."""

    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value: Any = None


class Sizes:
    """Loop lengths and repeats (full run or ``--quick``)."""

    def __init__(self, quick: bool) -> None:
        self.quick = quick
        self.repeats = 3 if quick else 7
        self.ops = 200 if quick else 50_000  # per repeat, us/op cases
        self.bulk_mib = 2 if quick else 64  # MiB moved per repeat
        self.bulk_repeats = 3 if quick else 5
        self.scale_sockets = 2_000 if quick else 1_000_000
        self.scale_small = 10
        self.pending = 1_000 if quick else 100_000
        self.pending_repeats = 1 if quick else 3
        self.idle_sockets = 1_000 if quick else 100_000
        self.trace_ops = 200 if quick else 20_000


# -- timing ------------------------------------------------------------------------------
def median_us_per_op(loop: Callable[[int], None], n: int, repeats: int) -> float:
    """Median over ``repeats`` of the microseconds one iteration of ``loop(n)`` takes."""
    loop(min(n, 1000))  # warm up
    samples = []
    for _ in range(repeats):
        gc.collect()
        t0 = time.perf_counter()
        loop(n)
        samples.append((time.perf_counter() - t0) / n * 1e6)
    return statistics.median(samples)


def paired_us_per_op(
    sim: Callable[[int], None], base: Callable[[int], None], n: int, repeats: int
) -> tuple[float, float]:
    """Medians of both loops, measured alternately (a machine busy with other
    work slows both sides of the same repeat, not one case)."""
    sim(min(n, 1000))
    base(min(n, 1000))
    s_samples, b_samples = [], []
    for _ in range(repeats):
        for loop, out in ((sim, s_samples), (base, b_samples)):
            gc.collect()
            t0 = time.perf_counter()
            loop(n)
            out.append((time.perf_counter() - t0) / n * 1e6)
    return statistics.median(s_samples), statistics.median(b_samples)


def result(sim: float, baseline: float | None, unit: str) -> dict[str, Any]:
    ratio = None if baseline is None or baseline == 0 else sim / baseline
    return {"sim": sim, "baseline": baseline, "unit": unit, "ratio": ratio}


def check(cond: bool, what: str) -> None:
    """A benchmark that does not do what it claims is worthless: fail loudly."""
    if not cond:
        raise RuntimeError(f"bench: {what}")


# -- the simulator's world ----------------------------------------------------------------
class SimWorld:
    """One simulator, one host, a started Winsock and helpers for connected pairs."""

    def __init__(self, *, trace: bool = False, profile: str = "documented") -> None:
        self.sim = ws.Simulator(profile=profile, trace=trace)
        self.host = self.sim.add_host("10.0.0.1")
        self.api = self.host.ws2
        self.spi = self.host.provider
        check(self.api.WSAStartup(0x0202, ws.WSADATA()) == 0, "WSAStartup failed")
        self._port = 5000

    def tcp_pair(self) -> tuple[int, int]:
        """(client, server) handles of a connected TCP pair on 127.0.0.1."""
        api = self.api
        self._port += 1
        addr = ws.sockaddr("127.0.0.1", self._port)
        lst = api.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP)
        check(api.bind(lst, addr, 16) == 0, "bind")
        check(api.listen(lst, 5) == 0, "listen")
        c = api.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP)
        check(api.connect(c, addr, 16) == 0, "connect")
        s = api.accept(lst, None, None)
        check(s != ws.INVALID_SOCKET, "accept")
        check(api.closesocket(lst) == 0, "closesocket(listener)")
        return c, s

    def udp_pair(self) -> tuple[int, int, bytes]:
        """(sender, receiver, receiver's packed address) bound on 127.0.0.1."""
        api = self.api
        out = []
        for _ in range(2):
            self._port += 1
            u = api.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP)
            check(api.bind(u, ws.sockaddr("127.0.0.1", self._port), 16) == 0, "bind udp")
            out.append(u)
        return out[0], out[1], ws.sockaddr("127.0.0.1", self._port)


def sim_stream_loop(world: SimWorld) -> Callable[[int], None]:
    """A loop of 1-byte send + recv on a connected simulated TCP pair."""
    api = world.api
    c, s = world.tcp_pair()
    one = b"x"
    buf = bytearray(1)
    send, recv = api.send, api.recv

    def loop(n: int) -> None:
        for _ in range(n):
            send(c, one, 1, 0)
            recv(s, buf, 1, 0)

    loop(1)
    check(bytes(buf) == b"x", "stream loop moved no data")
    check(send(c, one, 1, 0) == 1 and recv(s, buf, 1, 0) == 1, "stream send/recv failed")
    return loop


# -- cases ---------------------------------------------------------------------------------
def case_create_close(z: Sizes) -> dict[str, Any]:
    world = SimWorld()
    api = world.api
    AF, ST, TCP, OVL = ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP, ws.WSA_FLAG_OVERLAPPED
    create, close = api.WSASocketW, api.closesocket

    def sim_loop(n: int) -> None:
        for _ in range(n):
            close(create(AF, ST, TCP, None, 0, OVL))

    h = create(AF, ST, TCP, None, 0, OVL)
    check(h != ws.INVALID_SOCKET and close(h) == 0, "WSASocketW/closesocket failed")
    check(close(h) == ws.SOCKET_ERROR and api.WSAGetLastError() == ws.WSAENOTSOCK, "close twice")

    def real_loop(n: int) -> None:
        sock = socket.socket
        for _ in range(n):
            sock(socket.AF_INET, socket.SOCK_STREAM).close()

    sim, base = paired_us_per_op(sim_loop, real_loop, z.ops, z.repeats)
    return result(sim, base, "us/op")


def real_stream_loop() -> tuple[Callable[[int], None], Callable[[], None]]:
    a, b = socket.socketpair()
    buf = bytearray(1)

    def loop(n: int) -> None:
        send, recv_into = a.send, b.recv_into
        for _ in range(n):
            send(b"x")
            recv_into(buf, 1)

    def done() -> None:
        a.close()
        b.close()

    return loop, done


def case_stream(z: Sizes) -> dict[str, Any]:
    sim_loop = sim_stream_loop(SimWorld())
    loop, done = real_stream_loop()
    try:
        sim, base = paired_us_per_op(sim_loop, loop, z.ops, z.repeats)
    finally:
        done()
    return result(sim, base, "us/op")


def case_dgram(z: Sizes) -> dict[str, Any]:
    world = SimWorld()
    api = world.api
    u1, u2, to = world.udp_pair()
    one = b"x"
    buf = bytearray(1)
    frm = bytearray(16)
    frmlen = ctypes.c_int(16)
    sendto, recvfrom = api.sendto, api.recvfrom

    def sim_loop(n: int) -> None:
        for _ in range(n):
            sendto(u1, one, 1, 0, to, 16)
            frmlen.value = 16
            recvfrom(u2, buf, 1, 0, frm, frmlen)

    sim_loop(1)
    check(bytes(buf) == b"x" and ws.parse_sockaddr(bytes(frm))[1] == "127.0.0.1", "datagram loop")

    r1 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    r2 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        r1.bind(("127.0.0.1", 0))
        r2.bind(("127.0.0.1", 0))
        r2.settimeout(5.0)  # bounded: a lost loopback datagram fails the run, never hangs it
        dst = r2.getsockname()
        rbuf = bytearray(1)

        def real_loop(n: int) -> None:
            s_to, r_from = r1.sendto, r2.recvfrom_into
            for _ in range(n):
                s_to(b"x", dst)
                r_from(rbuf, 1)

        sim, base = paired_us_per_op(sim_loop, real_loop, z.ops, z.repeats)
    finally:
        r1.close()
        r2.close()
    return result(sim, base, "us/op")


def case_overlapped_iocp(z: Sizes) -> dict[str, Any]:
    world = SimWorld()
    api = world.api
    c, s = world.tcp_pair()
    port = api.CreateIoCompletionPort(s, None, 7, 0)
    check(port is not None, "CreateIoCompletionPort")
    buf = bytearray(1)
    bufs = [ws.WSABUF(1, buf)]
    flags = ctypes.c_ulong(0)
    ov = ws.WSAOVERLAPPED()
    nbytes, key, got = ctypes.c_ulong(), ctypes.c_uint64(), Out()
    one = b"x"
    WSARecv, send, GQCS = api.WSARecv, api.send, api.GetQueuedCompletionStatus
    ERR, PENDING = ws.SOCKET_ERROR, ws.WSA_IO_PENDING
    get_error = api.WSAGetLastError

    def loop(n: int) -> None:
        for _ in range(n):
            flags.value = 0
            if WSARecv(s, bufs, 1, None, flags, ov, None) == ERR and get_error() != PENDING:
                raise RuntimeError("bench: WSARecv failed")
            send(c, one, 1, 0)
            GQCS(port, nbytes, key, got, 0)

    loop(1)
    check(got.value is ov and nbytes.value == 1 and key.value == 7, "overlapped loop completed nothing")
    sim = median_us_per_op(loop, z.ops, z.repeats)
    return result(sim, None, "us/op")


def _set_bufs(world: SimWorld, h: int, size: int) -> None:
    for opt in (ws.SO_SNDBUF, ws.SO_RCVBUF):
        check(world.api.setsockopt(h, ws.SOL_SOCKET, opt, struct.pack("<i", size), 4) == 0, "setsockopt")


def case_bulk(z: Sizes) -> dict[str, Any]:
    """Sends of 1 MiB, each drained by receives (nonblocking sender, same loop for both)."""
    data = memoryview(bytes(range(256)) * (MIB // 256))
    total = z.bulk_mib * MIB

    world = SimWorld()
    api = world.api
    c, s = world.tcp_pair()
    _set_bufs(world, c, MIB)
    _set_bufs(world, s, MIB)
    nb = ctypes.c_ulong(1)
    check(api.ioctlsocket(c, ws.FIONBIO, nb) == 0 and api.ioctlsocket(s, ws.FIONBIO, nb) == 0, "FIONBIO")
    rbuf = bytearray(MIB)
    send, recv = api.send, api.recv

    def sim_round() -> float:
        moved = 0
        t0 = time.perf_counter()
        while moved < total:
            off = 0
            while off < MIB:
                k = send(c, data[off:], MIB - off, 0)
                if k > 0:
                    off += k
                while True:
                    r = recv(s, rbuf, MIB, 0)
                    if r <= 0:
                        break
                    moved += r
        return total / (time.perf_counter() - t0) / 1e6

    # One checked round first: the bytes arrive, in order.
    k = send(c, data, MIB, 0)
    got = recv(s, rbuf, MIB, 0)
    check(k == MIB and got == MIB and rbuf == data, "bulk: 1 MiB did not arrive intact")

    a, b = socket.socketpair()
    try:
        for sk in (a, b):
            sk.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, MIB)
            sk.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, MIB)
            sk.setblocking(False)

        def real_round() -> float:
            moved = 0
            t0 = time.perf_counter()
            while moved < total:
                off = 0
                while off < MIB:
                    try:
                        off += a.send(data[off:])
                    except BlockingIOError:
                        pass
                    while True:
                        try:
                            r = b.recv_into(rbuf, MIB)
                        except BlockingIOError:
                            break
                        moved += r
            return total / (time.perf_counter() - t0) / 1e6

        sims, bases = [], []
        for _ in range(z.bulk_repeats):
            gc.collect()
            sims.append(sim_round())
            gc.collect()
            bases.append(real_round())
    finally:
        a.close()
        b.close()
    return result(statistics.median(sims), statistics.median(bases), "MB/s")


def case_scale(z: Sizes, notes: list[str]) -> dict[str, Any]:
    """send+recv in a simulator with 1,000,000 other sockets open (sim) and in
    one with 10 (baseline).  The baseline is measured before the million exist
    and again after they are gone, so a machine whose load drifts during the
    long creation brackets the result instead of skewing it."""
    AF, ST, TCP, OVL = ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP, ws.WSA_FLAG_OVERLAPPED
    small = SimWorld()
    small_loop = sim_stream_loop(small)
    few = [small.api.WSASocketW(AF, ST, TCP, None, 0, OVL) for _ in range(z.scale_small)]
    check(ws.INVALID_SOCKET not in few, "scale: socket creation failed")
    half = max(1, (z.repeats + 1) // 2)

    def samples(loop: Callable[[int], None], repeats: int) -> list[float]:
        loop(min(z.ops, 1000))
        out = []
        for _ in range(repeats):
            gc.collect()
            t0 = time.perf_counter()
            loop(z.ops)
            out.append((time.perf_counter() - t0) / z.ops * 1e6)
        return out

    base = samples(small_loop, half)
    big = SimWorld()
    big_loop = sim_stream_loop(big)
    create = big.api.WSASocketW
    n = z.scale_sockets
    handles = [0] * n
    gc.collect()
    t0 = time.perf_counter()
    for i in range(n):
        handles[i] = create(AF, ST, TCP, None, 0, OVL)
    created = time.perf_counter() - t0
    check(ws.INVALID_SOCKET not in handles[:: max(1, n // 1000)], "scale: socket creation failed")
    check(len(big.spi.table) >= n, "scale: the provider does not hold the sockets")
    notes.append(
        f"scale_1m_sockets: created {n:,} sockets in {created:.2f} s "
        f"({created / n * 1e6:.2f} us/socket, garbage collector on)"
    )
    sim = statistics.median(samples(big_loop, z.repeats))
    del handles, big, big_loop, create
    gc.collect()
    base += samples(small_loop, half)
    return result(sim, statistics.median(base), "us/op")


def case_close_pending(z: Sizes) -> dict[str, Any]:
    """Hard close (WSPCloseSocket, seed 004) with N pending overlapped receives,
    until every one is completed with WSA_OPERATION_ABORTED and dequeued."""
    samples = []
    n = z.pending
    for _ in range(z.pending_repeats):
        world = SimWorld()
        api = world.api
        c, s = world.tcp_pair()
        port = api.CreateIoCompletionPort(s, None, 1, 0)
        check(port is not None, "CreateIoCompletionPort")
        bufs = [ws.WSABUF(1, bytearray(1))]
        flags = ctypes.c_ulong(0)
        ovs = [ws.WSAOVERLAPPED() for _ in range(n)]
        for ov in ovs:
            rc = api.WSARecv(s, bufs, 1, None, flags, ov, None)
            check(rc == ws.SOCKET_ERROR and api.WSAGetLastError() == ws.WSA_IO_PENDING, "WSARecv pends")
        nbytes, key, got = ctypes.c_ulong(), ctypes.c_uint64(), Out()
        errno = ctypes.c_int()
        GQCS, last = api.GetQueuedCompletionStatus, api.GetLastError
        aborted = ws.WSA_OPERATION_ABORTED  # == ERROR_OPERATION_ABORTED (995)
        gc.collect()
        t0 = time.perf_counter()
        check(world.spi.WSPCloseSocket(s, errno) == 0, "WSPCloseSocket")
        done = 0
        while GQCS(port, nbytes, key, got, 0) == 0 and got.value is not None:
            if last() != aborted:
                raise RuntimeError(f"bench: a request completed with {last()}")
            done += 1
        elapsed = time.perf_counter() - t0
        check(done == n, f"close_pending: {done} of {n} requests dequeued")
        check(all(ov.OffsetHigh == aborted for ov in ovs[:: max(1, n // 100)]), "not aborted")
        samples.append(elapsed)
        del world, ovs
    return result(statistics.median(samples), None, "s")


def case_idle_bytes(z: Sizes) -> dict[str, Any]:
    """Memory per idle socket (WSASocketW, never used): tracemalloc over N sockets."""
    world = SimWorld()
    api = world.api
    AF, ST, TCP, OVL = ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP, ws.WSA_FLAG_OVERLAPPED
    create = api.WSASocketW
    create(AF, ST, TCP, None, 0, OVL)  # first-use allocations (thread state, ...) not counted
    n = z.idle_sockets
    handles = [0] * n
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for i in range(n):
            handles[i] = create(AF, ST, TCP, None, 0, OVL)
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    check(ws.INVALID_SOCKET not in handles, "idle: socket creation failed")
    return result((after - before) / n, None, "bytes")


def case_trace_overhead(z: Sizes) -> dict[str, Any]:
    off_loop = sim_stream_loop(SimWorld(trace=False))
    on_world = SimWorld(trace=True)
    check(on_world.sim.tracer is not None, "trace=True gave no tracer")
    on_loop = sim_stream_loop(on_world)
    off, on = paired_us_per_op(off_loop, on_loop, z.trace_ops, z.repeats)
    return result(off, on, "us/op")


# -- output -------------------------------------------------------------------------------
def fmt(v: float | None) -> str:
    if v is None:
        return "-"
    if v >= 100:
        return f"{v:,.0f}"
    if v >= 1:
        return f"{v:.2f}"
    return f"{v:.3f}"


def table(results: dict[str, dict[str, Any]]) -> str:
    lines = [
        "| case | sim | baseline | unit | ratio | target | met |",
        "| --- | ---: | ---: | --- | ---: | --- | --- |",
    ]
    for key, (unit, target, ok) in CASES.items():
        r = results.get(key)
        if r is None:
            continue
        met = "-" if ok is None else ("yes" if ok(r) else "NO")
        lines.append(
            f"| {key} | {fmt(r['sim'])} | {fmt(r['baseline'])} | {unit} | {fmt(r['ratio'])} | {target} | {met} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--quick", action="store_true", help="tiny sizes (proves the harness works)")
    ap.add_argument("--out", default=str(HERE / "results.json"), help="where to write the JSON")
    ap.add_argument("--only", nargs="*", choices=list(CASES), help="run only these cases")
    args = ap.parse_args(argv)
    z = Sizes(args.quick)
    notes: list[str] = []
    runners: dict[str, Callable[[], dict[str, Any]]] = {
        "create_close": lambda: case_create_close(z),
        "stream_send_recv_1b": lambda: case_stream(z),
        "dgram_sendto_recvfrom_1b": lambda: case_dgram(z),
        "overlapped_recv_iocp": lambda: case_overlapped_iocp(z),
        "bulk_1mib": lambda: case_bulk(z),
        "close_100k_pending": lambda: case_close_pending(z),
        "idle_socket_bytes": lambda: case_idle_bytes(z),
        "trace_off_overhead": lambda: case_trace_overhead(z),
        "scale_1m_sockets": lambda: case_scale(z, notes),  # last: it holds the most memory
    }
    results: dict[str, dict[str, Any]] = {}
    start = time.perf_counter()
    for key, run in runners.items():
        if args.only and key not in args.only:
            continue
        t0 = time.perf_counter()
        results[key] = run()
        print(f"  {key}: {time.perf_counter() - t0:.1f} s", file=sys.stderr, flush=True)
    ordered = {k: results[k] for k in CASES if k in results}
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(ordered, indent=2) + "\n")
    print(
        f"wsspi_sim benchmark ({'quick' if args.quick else 'full'}): Python {platform.python_version()}, "
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs; "
        f"{time.perf_counter() - start:.0f} s"
    )
    print(table(ordered))
    for note in notes:
        print(note)
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
