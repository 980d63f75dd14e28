"""Helpers for the overlapped-I/O, wait, port, cancellation and network-event
tests (test_overlapped.py, test_events.py, test_iocp.py, test_cancel.py,
test_netevents.py, test_overlapped_machine.py).  Not a test module.

Everything goes through the public contract (DESIGN 2): ``wsspi_sim`` names,
``host.ws2`` and ``host.provider``.
"""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Callable
from typing import Any

import wsspi_sim as ws

PROFILES = ("documented", "windows")
ERR = ws.SOCKET_ERROR


class Out:
    """An out-parameter that can receive any object (GetQueuedCompletionStatus's
    lpOverlapped receives the request object itself)."""

    def __init__(self, value: Any = None) -> None:
        self.value = value


class World:
    """One simulator, one started host, handy constructors."""

    def __init__(self, profile: str = "documented", trace: bool = False) -> None:
        self.profile = profile
        self.sim = ws.Simulator(profile=profile, trace=trace)
        self.host = self.sim.add_host("10.0.0.1")
        self.api = self.host.ws2
        self.spi = self.host.provider
        assert self.api.WSAStartup(0x0202, ws.WSADATA()) == 0
        self._port = 6000

    @property
    def windows(self) -> bool:
        return self.profile == "windows"

    def err(self) -> int:
        return int(self.api.WSAGetLastError())

    def tcp(self, overlapped: bool = True) -> int:
        flags = ws.WSA_FLAG_OVERLAPPED if overlapped else 0
        s = self.api.WSASocketW(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP, None, 0, flags)
        assert s != ws.INVALID_SOCKET, self.err()
        return int(s)

    def udp(self, overlapped: bool = True, bind: bool = True) -> tuple[int, int]:
        """A UDP socket (bound to 127.0.0.1:port when ``bind``) and its port."""
        flags = ws.WSA_FLAG_OVERLAPPED if overlapped else 0
        s = self.api.WSASocketW(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP, None, 0, flags)
        assert s != ws.INVALID_SOCKET, self.err()
        port = 0
        if bind:
            self._port += 1
            port = self._port
            assert self.api.bind(s, ws.sockaddr("127.0.0.1", port), 16) == 0, self.err()
        return int(s), port

    def listener(self) -> tuple[int, int]:
        self._port += 1
        lst = self.tcp()
        assert self.api.bind(lst, ws.sockaddr("127.0.0.1", self._port), 16) == 0
        assert self.api.listen(lst, 5) == 0
        return lst, self._port

    def pair(
        self, overlapped: bool = True, rcvbuf: int | None = None, sndbuf: int | None = None
    ) -> tuple[int, int]:
        """A connected loopback TCP pair (client, server); the listener is closed.

        ``rcvbuf``/``sndbuf`` set SO_RCVBUF on the server and SO_SNDBUF on the
        client (small windows make sends pend)."""
        lst, port = self.listener()
        if rcvbuf is not None:
            self.setopt(lst, ws.SO_RCVBUF, rcvbuf)
        c = self.tcp(overlapped)
        if sndbuf is not None:
            self.setopt(c, ws.SO_SNDBUF, sndbuf)
        assert self.api.connect(c, ws.sockaddr("127.0.0.1", port), 16) == 0, self.err()
        s = self.api.accept(lst, None, None)
        assert s != ws.INVALID_SOCKET, self.err()
        if rcvbuf is not None:
            self.setopt(int(s), ws.SO_RCVBUF, rcvbuf)
        assert self.api.closesocket(lst) == 0
        return c, int(s)

    def setopt(self, s: int, opt: int, value: int) -> None:
        assert self.api.setsockopt(s, ws.SOL_SOCKET, opt, value.to_bytes(4, "little"), 4) == 0, (
            self.err()
        )

    def rst_close(self, s: int) -> None:
        """Abortive close: SO_LINGER {1, 0} then closesocket (W56)."""
        assert self.api.setsockopt(s, ws.SOL_SOCKET, ws.SO_LINGER, ws.linger(1, 0), 4) == 0
        assert self.api.closesocket(s) == 0

    # -- I/O -------------------------------------------------------------------------
    def recv_ov(
        self,
        s: int,
        n: int,
        ov: ws.WSAOVERLAPPED,
        routine: Any = None,
        buf: bytearray | None = None,
    ) -> tuple[int, bytearray, ctypes.c_ulong]:
        """Overlapped WSARecv of ``n`` bytes: (rc, buffer, byte count out)."""
        buf = bytearray(n) if buf is None else buf
        got = ctypes.c_ulong(0xDEAD)
        flags = ctypes.c_ulong(0)
        rc = self.api.WSARecv(s, [ws.WSABUF(n, buf)], 1, got, flags, ov, routine)
        return int(rc), buf, got

    def send_ov(
        self, s: int, data: bytes, ov: ws.WSAOVERLAPPED, routine: Any = None
    ) -> tuple[int, ctypes.c_ulong]:
        sent = ctypes.c_ulong(0xDEAD)
        rc = self.api.WSASend(s, [ws.WSABUF(len(data), data)], 1, sent, 0, ov, routine)
        return int(rc), sent

    def send(self, s: int, data: bytes) -> int:
        return int(self.api.send(s, data, len(data), 0))

    def recv(self, s: int, n: int) -> bytes:
        buf = bytearray(n)
        got = self.api.recv(s, buf, n, 0)
        assert got != ERR, self.err()
        return bytes(buf[:got])

    def event(self) -> int:
        h = self.api.WSACreateEvent()
        assert h, self.err()
        return int(h)

    def signalled(self, h: int) -> bool:
        return self.api.WSAWaitForMultipleEvents(1, [h], False, 0, False) == ws.WSA_WAIT_EVENT_0

    def port(self) -> int:
        p = self.api.CreateIoCompletionPort(ws.INVALID_SOCKET, None, 0, 0)
        assert p, self.err()
        return int(p)

    def gqcs(self, port: int, ms: int = 0) -> tuple[int, int, int, Any, int]:
        """GetQueuedCompletionStatus: (rc, bytes, key, overlapped, error), the
        error being the last error after a FALSE return and 0 after TRUE."""
        n = ctypes.c_ulong(0xDEAD)
        key = ctypes.c_uint64(0xDEAD)
        ov = Out("untouched")
        rc = self.api.GetQueuedCompletionStatus(port, n, key, ov, ms)
        return int(rc), int(n.value), int(key.value), ov.value, 0 if rc else self.err()

    def packets(self, port: int) -> list[tuple[int, int, int, Any, int]]:
        """Every packet queued now, in order."""
        out: list[tuple[int, int, int, Any, int]] = []
        while True:
            p = self.gqcs(port, 0)
            if p[3] is None:
                return out
            out.append(p)

    def result(self, s: int, ov: ws.WSAOVERLAPPED, wait: bool = False) -> tuple[int, int, int, int]:
        """WSAGetOverlappedResult: (rc, bytes, flags, last error)."""
        n = ctypes.c_ulong(0xDEAD)
        fl = ctypes.c_ulong(0xDEAD)
        rc = self.api.WSAGetOverlappedResult(s, ov, n, wait, fl)
        return int(rc), int(n.value), int(fl.value), self.err()

    def alert(self, ms: int = 0) -> int:
        """An alertable SleepEx: WAIT_IO_COMPLETION if routines ran, else 0."""
        return int(self.api.SleepEx(ms, True))


class Recorder:
    """A completion routine that records its calls (and the thread it ran in)."""

    def __init__(self, then: Callable[[int, int, Any, int], None] | None = None) -> None:
        self.calls: list[tuple[int, int, Any, int]] = []
        self.threads: list[int] = []
        self.then = then

    def __call__(self, dwError: int, cbTransferred: int, lpOverlapped: Any, dwFlags: int) -> None:
        self.calls.append((dwError, cbTransferred, lpOverlapped, dwFlags))
        self.threads.append(threading.get_ident())
        if self.then is not None:
            self.then(dwError, cbTransferred, lpOverlapped, dwFlags)


def in_thread(fn: Callable[[], Any]) -> Any:
    """Run ``fn`` in a new thread, wait for it to end, return its result."""
    box: list[Any] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            box.append(fn())
        except BaseException as e:  # noqa: BLE001 - re-raised in the caller
            errors.append(e)

    t = threading.Thread(target=run)
    t.start()
    t.join()
    if errors:
        raise errors[0]
    return box[0] if box else None


class Later:
    """Run ``fn`` in another thread once the calling thread is blocked inside the
    simulation (so the blocking path is really taken).  The helper thread first
    touches the simulator, so a wait started meanwhile knows another thread may
    still act.  Use as a context manager around the blocking call."""

    def __init__(self, world: World, fn: Callable[[], Any]) -> None:
        self.world = world
        self.fn = fn
        self.errors: list[BaseException] = []
        self._me = threading.get_ident()
        self._registered = threading.Event()
        self._thread = threading.Thread(target=self._run)

    def _run(self) -> None:
        try:
            self.world.api.WSAGetLastError()  # now the simulator knows this thread
            self._registered.set()
            blocked = self.world.sim._blocked  # noqa: SLF001 - test helper
            for _ in range(2000):
                if self._me in blocked:
                    break
                threading.Event().wait(0.0005)
            self.fn()
        except BaseException as e:  # noqa: BLE001 - re-raised in __exit__
            self.errors.append(e)
            self._registered.set()

    def __enter__(self) -> Later:
        self._thread.start()
        self._registered.wait()
        return self

    def __exit__(self, *exc: object) -> None:
        self._thread.join()
        if self.errors:
            raise self.errors[0]
