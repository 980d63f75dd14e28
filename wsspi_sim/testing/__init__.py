"""The testing kit: factories, a connected-pair helper and invariant checkers.

Three layers, as pyfakefs and trio.testing separate them:

* this module -- plain functions usable from any test runner:
  :func:`new_simulator`, :func:`started_winsock`, :func:`connected_tcp_pair`,
  :func:`check_invariants` and :class:`InvariantMonitor`;
* :mod:`wsspi_sim.testing.plugin` -- the pytest plugin (fixtures ``wsspi_sim``,
  ``winsock``, ``tcp_pair``, ``wsspi_factory``; option ``--wsspi-profile``;
  marker ``@pytest.mark.wsspi_profile("windows")``), loaded through the
  ``pytest11`` entry point;
* :mod:`wsspi_sim.testing.strategies` and :mod:`wsspi_sim.testing.stateful` --
  Hypothesis strategies and rule-based state machines (import them only where
  Hypothesis is installed).

Function-scoped fixtures are *not* reset between the examples of one
``@given`` test or one state-machine run, so those build their world from a
factory inside the test: ``sim = new_simulator()`` or the ``wsspi_factory``
fixture (see docs/testing-kit.md).
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable, Iterator
from typing import Any

import attrs

from .. import states as S
from ..constants import (
    AF_INET,
    AF_INET6,
    FIONBIO,
    INVALID_SOCKET,
    IPPROTO_TCP,
    SOCK_STREAM,
    WSS_OPERATION_IN_PROGRESS,
)
from ..structs import WSADATA, parse_sockaddr, sockaddr
from ..world import Host, Simulator

DEFAULT_ADDRESSES: tuple[str, ...] = ("10.0.0.1", "fd00::1")


class InvariantError(AssertionError):
    """A simulator invariant does not hold (a bug in the simulator or in a layered
    provider under test).  The message lists every broken rule."""


def new_simulator(
    profile: str = "documented", *, seed: int = 0, trace: bool = False, strict: bool = False
) -> Simulator:
    """A fresh, hermetic simulator (what the ``wsspi_sim`` fixture gives)."""
    return Simulator(profile=profile, seed=seed, trace=trace, strict=strict)


def started_winsock(
    sim: Simulator | None = None,
    *addresses: str,
    profile: str = "documented",
    lsp: Callable[[Any], Any] | None = None,
) -> Any:
    """A started Winsock (``host.ws2`` after WSAStartup) on a new host.

    ``sim`` defaults to a new simulator of ``profile``; ``addresses`` default to
    10.0.0.1 and fd00::1; ``lsp`` (a layered-provider factory) is installed
    before WSAStartup, so the process dispatches through it.  The host is
    ``api.host``, the simulator ``api.sim``."""
    if sim is None:
        sim = new_simulator(profile)
    host = sim.add_host(*(addresses or DEFAULT_ADDRESSES))
    if lsp is not None:
        host.install_lsp(lsp)
    api = host.ws2
    rc = api.WSAStartup(0x0202, WSADATA())
    if rc != 0:
        raise RuntimeError(f"wsspi_sim.testing: WSAStartup failed with {rc}")
    return api


@attrs.define
class TcpPair:
    """A connected TCP pair: ``api`` owns ``client`` and ``server`` (connected to
    each other) and ``listener`` (still listening on ``port``).

    Unpacks as ``api, client, server = pair``."""

    api: Any
    client: int
    server: int
    listener: int
    port: int
    api2: Any = None

    @property
    def sim(self) -> Simulator:
        """The simulator."""
        return self.api.sim  # type: ignore[no-any-return]

    @property
    def host(self) -> Host:
        """The host of ``api``."""
        return self.api.host  # type: ignore[no-any-return]

    @property
    def handles(self) -> tuple[int, int]:
        """(client, server)."""
        return self.client, self.server

    @property
    def a(self) -> int:
        """The client handle."""
        return self.client

    @property
    def b(self) -> int:
        """The server (accepted) handle."""
        return self.server

    @property
    def client_api(self) -> Any:
        """The process that owns ``client`` (``api2`` if given, else ``api``)."""
        return self.api if self.api2 is None else self.api2

    def __iter__(self) -> Iterator[Any]:
        return iter((self.api, self.client, self.server))


def _fail(api: Any, what: str) -> RuntimeError:
    return RuntimeError(f"wsspi_sim.testing: {what} failed with error {api.WSAGetLastError()}")


def connected_tcp_pair(
    api: Any,
    api2: Any | None = None,
    *,
    ip: str | None = None,
    family: int = AF_INET,
    nonblocking: bool = False,
) -> TcpPair:
    """Connect two TCP sockets by bind/listen/connect/accept.

    ``api`` owns the listener and the accepted socket; ``api2`` (default
    ``api``) owns the client.  ``ip`` is the listener's address (default the
    loopback of ``family``).  ``nonblocking`` switches both ends to
    nonblocking mode (FIONBIO) afterwards."""
    other = api if api2 is None else api2
    if ip is None:
        ip = "127.0.0.1" if family == AF_INET else "::1"
    lst = api.socket(family, SOCK_STREAM, IPPROTO_TCP)
    if lst == INVALID_SOCKET:
        raise _fail(api, "socket")
    name = sockaddr(ip, 0)
    if api.bind(lst, name, len(name)) != 0:
        raise _fail(api, "bind")
    if api.listen(lst, 16) != 0:
        raise _fail(api, "listen")
    buf = bytearray(28)
    n = ctypes.c_int(28)
    if api.getsockname(lst, buf, n) != 0:
        raise _fail(api, "getsockname")
    port = parse_sockaddr(bytes(buf[: n.value]))[2]
    c = other.socket(family, SOCK_STREAM, IPPROTO_TCP)
    if c == INVALID_SOCKET:
        raise _fail(other, "socket")
    target = sockaddr(ip, port)
    if other.connect(c, target, len(target)) != 0:
        raise _fail(other, "connect")
    srv = api.accept(lst, None, None)
    if srv == INVALID_SOCKET:
        raise _fail(api, "accept")
    if nonblocking:
        for who, h in ((other, c), (api, srv)):
            if who.ioctlsocket(h, FIONBIO, ctypes.c_ulong(1)) != 0:
                raise _fail(who, "ioctlsocket(FIONBIO)")
    return TcpPair(api, int(c), int(srv), int(lst), port, api2)


# -- invariants -------------------------------------------------------------------------------
def _queued_ops(sock: Any) -> list[Any]:
    made = getattr(sock, "made", None)
    if made is not None:
        # Read the request queues without creating them on an idle socket.
        return [*(made("rq") or ()), *(made("sq") or ()), *(getattr(sock, "iq", None) or ())]
    return [*sock.rq, *sock.sq]


def invariant_problems(sim: Simulator) -> list[str]:
    """Every broken invariant of ``sim`` right now, as sentences (empty if none).

    Checked: each open socket's state is a state of its table (never CLOSED
    while a handle refers to it); provider and switch handle tables agree; a
    pending request is pending (not completed, still in progress); connected
    endpoints point at each other; datagram byte counts add up."""
    problems: list[str] = []
    for host in sim.hosts:
        base = host.provider
        seen: set[int] = set()
        for handle, sock in list(base.table.items()):
            states = S.STREAM_STATES if sock.stream else S.DATAGRAM_STATES
            if sock.state not in states or sock.state is S.CLOSED:
                problems.append(f"{host.name}: socket {handle:#x} is in {sock.state!r}, not a state of its table")
            if handle not in sock.handles:
                problems.append(f"{host.name}: handle {handle:#x} is not among its socket's handles {sock.handles}")
            proc = base.handle_proc.get(handle)
            if proc is not None and proc.started and handle not in proc.sockets:
                problems.append(f"{host.name}: handle {handle:#x} is open in the provider but not in process {proc.pid}")
            if id(sock) in seen:
                continue
            seen.add(id(sock))
            for op in _queued_ops(sock):
                if op.done:
                    problems.append(f"{host.name}: a completed {op.kind} request is still queued on {handle:#x}")
                if op.ov.Internal != WSS_OPERATION_IN_PROGRESS:
                    problems.append(
                        f"{host.name}: a queued {op.kind} request on {handle:#x} is not in progress "
                        f"(Internal={op.ov.Internal:#x})"
                    )
            ep = sock.ep
            if ep.peer is not None and ep.peer.peer is not ep:
                problems.append(f"{host.name}: socket {handle:#x}'s connection is one-sided")
            if not sock.stream and ep.dgram_bytes != sum(len(d) for d, _ in ep.dgrams):
                problems.append(f"{host.name}: socket {handle:#x} counts {ep.dgram_bytes} queued datagram bytes wrongly")
        for proc in host.processes:
            for handle, entry in list(proc.sockets.items()):
                if entry.provider is base and handle not in base.table:
                    problems.append(
                        f"{host.name}: process {proc.pid} still has handle {handle:#x} the provider closed"
                    )
    return problems


def check_invariants(sim: Simulator) -> None:
    """Raise :class:`InvariantError` if any invariant of :func:`invariant_problems` is broken."""
    with sim.lock:
        problems = invariant_problems(sim)
    if problems:
        raise InvariantError("wsspi_sim invariants broken:\n  " + "\n  ".join(problems))


class InvariantMonitor:
    """:func:`check_invariants` plus rules over time: **no handle resurrection**
    (a handle that was closed never again reaches the socket it referred to) and
    **exactly-once completion** of every request it is told about (:meth:`track`).

    Call :meth:`check` as often as you like (state machines call it after every
    step)."""

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        #: (host index, handle) -> the underlying socket object it referred to
        self._live: dict[tuple[int, int], Any] = {}
        #: (host index, handle) -> the socket it referred to when it was closed
        self._closed: dict[tuple[int, int], Any] = {}
        self._tracked: list[tuple[Any, list[int]]] = []

    def track(self, ov: Any) -> list[int]:
        """Watch a WSAOVERLAPPED; returns a counter list the caller increments
        on every notification it sees (completion routine, port packet)."""
        counter = [0]
        self._tracked.append((ov, counter))
        return counter

    def untrack(self, ov: Any) -> None:
        """Stop watching ``ov`` (a request that was refused, so never notified)."""
        self._tracked = [t for t in self._tracked if t[0] is not ov]

    def check(self) -> None:
        """Check everything now; raise :class:`InvariantError` on the first problem set."""
        with self.sim.lock:
            problems = invariant_problems(self.sim)
            now: dict[tuple[int, int], Any] = {}
            for i, host in enumerate(self.sim.hosts):
                for handle, sock in host.provider.table.items():
                    now[(i, handle)] = sock
            for key, sock in now.items():
                old = self._closed.get(key)
                if old is sock:
                    problems.append(f"handle {key[1]:#x} was closed but refers to its socket again")
                elif old is not None:
                    del self._closed[key]  # the value was reused for a new socket: allowed
            for key, sock in self._live.items():
                if key not in now:
                    self._closed[key] = sock
            self._live = now
            for ov, counter in self._tracked:
                if counter[0] > 1:
                    problems.append(f"a request was notified {counter[0]} times: {ov!r}")
                if counter[0] and ov.Internal == WSS_OPERATION_IN_PROGRESS:
                    problems.append(f"a request was notified while still in progress: {ov!r}")
        if problems:
            raise InvariantError("wsspi_sim invariants broken:\n  " + "\n  ".join(problems))


__all__ = [
    "AF_INET",
    "AF_INET6",
    "DEFAULT_ADDRESSES",
    "InvariantError",
    "InvariantMonitor",
    "TcpPair",
    "check_invariants",
    "connected_tcp_pair",
    "invariant_problems",
    "new_simulator",
    "started_winsock",
]
