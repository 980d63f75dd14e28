"""The simulated world: hosts, processes, the virtual clock and blocking.

A :class:`Simulator` owns one lock.  Every entry point (API, SPI, upcall)
runs with that lock held, so the simulation is safe to call from several
Python threads and is still deterministic for a single-threaded script.

Blocking calls wait on the lock's condition.  Virtual time never moves on its
own: when every thread that uses the simulation is waiting, the clock jumps to
the earliest deadline (a timer or a wait timeout).  When there is none, the
wait can never end and :class:`~wsspi_sim.errors.SimulationDeadlock` is raised
instead of hanging the test run (DESIGN 3).
"""

from __future__ import annotations

import heapq
import ipaddress
import itertools
import random
import sys
import threading
from collections.abc import Callable
from types import FrameType
from typing import TYPE_CHECKING, Any

from .constants import AF_INET, AF_INET6
from .errors import SimulationDeadlock
from .profiles import Policy, get_policy
from .transport import Network

if TYPE_CHECKING:
    from .provider import BaseProvider
    from .trace import Tracer
    from .ws2 import WS2

#: Real seconds a blocked thread waits for another thread to act before it
#: decides that the other threads are busy outside the simulation.
GRACE = 0.02
#: How many idle grace periods in a row mean "the others will not act".
GRACE_ROUNDS = 10


class Timer:
    """A scheduled callback in virtual time; ``cancel()`` makes it a no-op."""

    __slots__ = ("when", "fn", "cancelled")

    def __init__(self, when: float, fn: Callable[[], None]) -> None:
        self.when = when
        self.fn = fn
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class Simulator:
    """A hermetic, deterministic Windows Sockets world.

    ``profile`` is ``"documented"`` (default) or ``"windows"``; ``seed`` seeds
    every random choice (fault injection); ``trace=True`` records every call.
    """

    def __init__(
        self,
        profile: str | Policy = "documented",
        *,
        seed: int = 0,
        trace: bool = False,
        strict: bool = False,
    ) -> None:
        self.policy: Policy = get_policy(profile)
        self.profile: str = self.policy.name
        self.seed = seed
        self.random = random.Random(seed)
        self.strict = strict
        self.lock = threading.RLock()
        self._cond = threading.Condition(self.lock)
        self.now: float = 0.0
        self._timers: list[tuple[float, int, Timer]] = []
        self._seq = itertools.count()
        self._handles = itertools.count(0x100, 4)
        self._pids = itertools.count(1000, 4)
        self.network = Network(self)
        from .faults import Faults

        #: Fault injection (faults.py): nothing configured until a rule is added.
        self.faults = Faults(self)
        self.hosts: list[Host] = []
        #: Threads that have used the simulation (ident -> Thread).
        self._threads: dict[int, threading.Thread] = {}
        #: Threads waiting right now (ident -> deadline or None).
        self._blocked: dict[int, float | None] = {}
        #: ... and the condition each of them waits for.
        self._ready: dict[int, Callable[[], bool]] = {}
        self._activity = 0
        #: Called (lock held) when a wait notices that a thread has ended; the
        #: switches use it to apply the thread-exit rule (SPI-FACTS 3.4, W33).
        self.thread_exit_hooks: list[Callable[[], None]] = []
        self.tracer: Tracer | None = None
        from .trace import Tracer, capturing

        if trace or capturing():  # capturing: inside trace.capture() (CLI ``run --trace``)
            self.tracer = Tracer(self)

    # -- world ---------------------------------------------------------------
    def add_host(self, *addresses: str, principal: str | None = None, name: str | None = None) -> Host:
        """Add a host owning ``addresses`` (plus 127.0.0.1 and ::1).

        ``principal`` is the host's machine principal for simulated IPsec
        (defaults to ``host/<name>``).
        """
        with self.lock:
            index = len(self.hosts)
            host = Host(self, addresses, principal=principal, name=name or f"host{index}")
            self.hosts.append(host)
            return host

    def reroute(self, ip: str, host: Host) -> None:
        """Let ``host`` take over address ``ip`` (an impostor, or a failover).

        From now on the network delivers connections and datagrams for ``ip``
        to ``host``, which may also bind to ``ip``; simulated IPsec then
        authenticates ``host``'s principal for that address.  The previous
        owner keeps its sockets but no longer receives anything sent to ``ip``.
        If ``ip`` is new to ``host``, its address list changed: the pending
        SIO_ADDRESS_LIST_CHANGE requests of that family complete (W30).
        Loopback addresses belong to every host and cannot be taken over.
        """
        with self.lock:
            if not isinstance(host, Host) or host.sim is not self:
                raise ValueError("host must be a Host of this simulator")
            ip = normalize_ip(ip)
            if ip in ("127.0.0.1", "::1") or ip.startswith("127."):
                raise ValueError(f"ip: loopback address {ip} cannot be rerouted")
            self.network.reroute(ip, host)
            if ip not in host.addresses:
                host.addresses = (*host.addresses, ip)
                # The host's address list changed: pending SIO_ADDRESS_LIST_CHANGE
                # requests of that family complete (W30).
                host.provider.address_list_changed(AF_INET6 if ":" in ip else AF_INET)

    def new_handle(self) -> int:
        """A fresh kernel-object handle value (sockets, events, ports)."""
        return next(self._handles)

    def new_pid(self) -> int:
        return next(self._pids)

    # -- time ----------------------------------------------------------------
    def call_at(self, when: float, fn: Callable[[], None]) -> Timer:
        """Run ``fn`` (with the lock held) when virtual time reaches ``when``."""
        timer = Timer(when, fn)
        heapq.heappush(self._timers, (when, next(self._seq), timer))
        return timer

    def call_later(self, delay: float, fn: Callable[[], None]) -> Timer:
        return self.call_at(self.now + delay, fn)

    def advance(self, seconds: float) -> None:
        """Move virtual time forward by ``seconds``, firing due timers."""
        if seconds < 0:
            raise ValueError("seconds must not be negative")
        with self.lock:
            self._advance_to(self.now + seconds)

    def run_until_idle(self) -> None:
        """Fire every scheduled timer, jumping virtual time as needed."""
        with self.lock:
            while self._next_timer() is not None:
                when = self._next_timer()
                assert when is not None
                self._advance_to(when)

    def _next_timer(self) -> float | None:
        timers = self._timers
        while timers and timers[0][2].cancelled:
            heapq.heappop(timers)
        return timers[0][0] if timers else None

    def _advance_to(self, when: float) -> None:
        timers = self._timers
        while True:
            nxt = self._next_timer()
            if nxt is None or nxt > when:
                break
            _, _, timer = heapq.heappop(timers)
            if nxt > self.now:
                self.now = nxt
            timer.fn()
        if when > self.now:
            self.now = when
        self.wake()

    # -- threads and blocking --------------------------------------------------
    def register_thread(self) -> None:
        """Note that the calling thread uses the simulation."""
        t = threading.current_thread()
        self._threads[t.ident or 0] = t

    def wake(self) -> None:
        """Something changed: let blocked threads look again."""
        self._activity += 1
        if self._blocked:  # only threads inside wait() wait on the condition
            self._cond.notify_all()

    def _others_all_blocked(self, me: int) -> bool:
        for ident, thread in list(self._threads.items()):
            if ident == me:
                continue
            if not thread.is_alive():
                del self._threads[ident]
                for hook in self.thread_exit_hooks:
                    hook()
                self.wake()
                continue
            if ident not in self._blocked:
                return False
            # A waiter whose timeout has come, or whose condition now holds, is
            # about to run, not blocked: jumping the clock (or declaring a
            # deadlock) before it runs would spin or misreport.
            deadline = self._blocked[ident]
            if deadline is not None and deadline <= self.now:
                return False
            ready = self._ready.get(ident)
            if ready is not None and ready():
                return False
        return True

    def wait(
        self,
        ready: Callable[[], bool],
        timeout: float | None,
        call: str,
        socket: int | None = None,
    ) -> bool:
        """Block (lock held) until ``ready()`` or ``timeout`` virtual seconds pass.

        Returns the final value of ``ready()``.  Raises SimulationDeadlock when
        nothing in the simulation could ever make ``ready()`` true.
        """
        if ready():
            return True
        me = threading.get_ident()
        # A thread that waits here is a simulation thread even if it never asked
        # the switch for its per-thread state (recv does not): the others must
        # know to wait for it.
        self.register_thread()
        deadline = None if timeout is None else self.now + timeout
        self._blocked[me] = deadline
        self._ready[me] = ready
        try:
            while True:
                if ready():
                    return True
                if deadline is not None and self.now >= deadline:
                    return False
                before = self._activity
                if not self._others_all_blocked(me):
                    # Another thread is outside the simulation.  Give it several
                    # grace periods of real time (a loaded CI machine can starve
                    # a thread for a while) before deciding it will not act.
                    idle = 0
                    while idle < GRACE_ROUNDS and self._activity == before:
                        self._cond.wait(GRACE)
                        idle += 1
                        if self._others_all_blocked(me):
                            break
                    if self._activity != before:
                        continue
                elif self._activity != before:
                    continue  # a thread's exit changed something: look again
                # Quiescent: nobody else can act now.  Jump to the next deadline.
                candidates = [d for d in self._blocked.values() if d is not None]
                nxt_timer = self._next_timer()
                if nxt_timer is not None:
                    candidates.append(nxt_timer)
                if not candidates:
                    raise SimulationDeadlock(
                        _api_call(call), socket, "no thread, timer or timeout can complete it"
                    )
                target = min(candidates)
                self._advance_to(max(target, self.now))
        finally:
            del self._blocked[me]
            del self._ready[me]

    def is_waiting(self, thread: threading.Thread) -> bool:
        """True while ``thread`` is blocked inside the simulation (a test uses it
        to know that a helper thread has reached its blocking call)."""
        with self.lock:
            return thread.ident is not None and thread.ident in self._blocked

    def sleep(self, seconds: float, call: str = "Sleep") -> None:
        """Let ``seconds`` of virtual time pass for the calling thread."""
        self.wait(lambda: False, seconds, call)


def _api_call(call: str) -> str:
    """``call`` prefixed with the Winsock function the application called, so a
    deadlock names the call the test made (``recv (WSPRecv)``, DESIGN 3).

    The application's call is the outermost frame of the switch (wsspi_sim.ws2)
    on the stack; walking the stack is fine on this path, which only runs once,
    to raise."""
    api = None
    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        name = frame.f_code.co_name
        if frame.f_globals.get("__name__", "").startswith("wsspi_sim.ws2.") and not name.startswith("_"):
            api = name
        frame = frame.f_back
    return call if api is None or api == call else f"{api} ({call})"


def normalize_ip(ip: str) -> str:
    """Canonical text form of an IPv4/IPv6 address; ValueError if malformed."""
    if not isinstance(ip, str):
        raise TypeError(f"address must be a str, not {type(ip).__name__}")
    try:
        return str(ipaddress.ip_address(ip))
    except ValueError:
        raise ValueError(f"address {ip!r} is not an IPv4 or IPv6 address") from None


class Host:
    """A simulated machine: addresses, a base provider and processes."""

    def __init__(
        self, sim: Simulator, addresses: tuple[str, ...], *, principal: str | None, name: str
    ) -> None:
        self.sim = sim
        self.name = name
        own = [normalize_ip(a) for a in addresses]
        for loop in ("127.0.0.1", "::1"):
            if loop not in own:
                own.append(loop)
        self.addresses: tuple[str, ...] = tuple(own)
        self.principal = principal if principal is not None else f"host/{name}"
        if not isinstance(self.principal, str):
            raise TypeError("principal must be a str")
        sim.network.add_host(self)
        from .provider import BaseProvider

        self.provider: BaseProvider = BaseProvider(self)
        if sim.faults.calls_armed:
            sim.faults.arm_provider(self.provider)
        #: The provider at the top of the chain (the base provider, or the last
        #: layered provider installed with install_lsp): what WSAStartup starts.
        self.top_provider: Any = self.provider
        #: Layered providers installed on this host, bottom first.
        self.lsps: list[Any] = []
        self.processes: list[WS2] = []
        self.ws2: WS2 = self.new_process()

    def owns(self, ip: str) -> bool:
        return ip in self.addresses

    def install_lsp(self, factory: Callable[[Any], Any]) -> Any:
        """Install a layered service provider on top of this host's chain.

        ``factory`` is called with the provider below (the base provider, or the
        previously installed layer) and returns the layer, usually a
        :class:`wsspi_sim.lsp.LayeredProvider` subclass (pass the class itself).
        A process whose WSAStartup runs afterwards starts the new top of the
        chain, which starts the layers below it (SPI-FACTS 3.1); processes
        already started keep the chain they started with.  Returns the layer.
        """
        if not callable(factory):
            raise TypeError(f"factory must be callable (e.g. a LayeredProvider subclass), not {type(factory).__name__}")
        with self.sim.lock:
            lower = self.top_provider
            layer = factory(lower)
            for need in ("WSPStartup", "close_info", "unsent", "cancel"):
                if not callable(getattr(layer, need, None)):
                    raise TypeError(
                        f"factory must return a layered provider with {need}() "
                        f"(e.g. a wsspi_sim.lsp.LayeredProvider), not {type(layer).__name__}"
                    )
            self.top_provider = layer
            self.lsps.append(layer)
            tr = self.sim.tracer
            if tr is not None:
                tr.event("install_lsp", host=self.name, layer=type(layer).__name__)
                tr.instrument_provider(layer)  # the layer's WSP calls are traced too
            return layer

    def new_process(self) -> WS2:
        """A new process on this host, with its own Winsock (not started)."""
        from .ws2 import WS2

        with self.sim.lock:
            api = WS2(self)
            self.processes.append(api)
            return api

    def __repr__(self) -> str:
        return f"<Host {self.name} {' '.join(self.addresses)}>"
