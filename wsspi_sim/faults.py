"""Fault injection: seeded, recorded network and provider faults (DESIGN 3).

Every simulator has one :class:`Faults` object, ``sim.faults``.  Nothing is
configured at first, and then each hook in the hot paths costs one attribute
test (``network.faults is not None``); the provider's entry points are not
wrapped at all until a call rule or a network-down rule exists.

What can be injected::

    f = sim.faults
    f.drop(probability=0.5, dst="10.0.0.2")      # datagrams to 10.0.0.2, half lost
    f.duplicate(dst=("10.0.0.2", 53))             # every datagram to that port twice
    f.delay(0.25, src="10.0.0.1")                 # datagrams from 10.0.0.1 arrive 250 ms later
    f.reorder(dst="10.0.0.2")                     # each datagram swaps with the next one
    f.latency("10.0.0.1", "10.0.0.2", 0.010)      # one-way latency of a link (datagrams, streams)
    f.black_hole("10.0.0.9")                      # connects time out, datagrams vanish
    f.network_down(host)                          # WSP calls fail WSAENETDOWN
    f.fail_call("WSPRecv", nth=3, error=ws.WSAECONNRESET)
    f.reset_connection("10.0.0.1", "10.0.0.2")    # RST both ends of matching connections

Random choices (``probability`` < 1) come from ``f.random``, a generator
seeded from ``sim.random`` when the simulator is created, so the same script
with the same seed injects the same faults.  Every fault that fires is
appended to ``f.history`` and, when tracing is on, recorded as a ``"fault"``
trace event.

Datagrams are unreliable, so dropping, duplicating, delaying and reordering
them never breaks the simulator's invariants; a stream connection is only
ever *reset* (both ends see the reset: bytes sent are received or reported
reset) or *slowed*: a connection made while a latency rule covers its link
keeps that latency (transport.Latency): its handshake takes a round trip, and
its data, FIN and RST arrive in order, one delay later, each delivery recorded
as a ``"latency"`` fault.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import attrs

from .constants import FALSE, INVALID_SOCKET, SOCKET_ERROR
from .errors import WSAENETDOWN, WSASYSNOTREADY
from .spi import PROC_NAMES

if TYPE_CHECKING:
    from .transport import Endpoint, Network
    from .world import Host, Simulator

#: A place to match: an IP text, an (ip, port) pair, a Host, or None (anything).
Where = Any

_INVALID_SOCKET_ENTRIES = frozenset({"WSPSocket", "WSPAccept", "WSPJoinLeaf"})
_BOOL_ENTRIES = frozenset({"WSPGetOverlappedResult", "WSPGetQOSByName"})


@attrs.frozen
class FaultRecord:
    """One fault that fired: what, when (virtual seconds) and the details."""

    kind: str
    time: float
    fields: dict[str, Any]


@attrs.define(eq=False)
class Rule:
    """A configured fault.  ``remove()`` switches it off; ``fired`` counts uses."""

    kind: str
    faults: Faults
    src: Where = None
    dst: Where = None
    probability: float = 1.0
    count: int | None = None
    seconds: float = 0.0
    fired: int = 0

    def remove(self) -> None:
        """Stop injecting this fault."""
        self.faults._remove(self)


@attrs.define(eq=False)
class CallRule:
    """Fail the ``nth`` call of one WSP entry point (and every later one if ``repeat``)."""

    name: str
    nth: int
    error: int
    faults: Faults
    host: Host | None = None
    repeat: bool = False
    calls: int = 0
    fired: int = 0

    def remove(self) -> None:
        """Stop injecting this fault."""
        self.faults._remove(self)


def _check_where(value: Where, name: str) -> Where:
    from .world import Host, normalize_ip

    if value is None or isinstance(value, Host):
        return value
    if isinstance(value, str):
        return normalize_ip(value)
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[1], int):
        return (normalize_ip(value[0]), value[1])
    raise TypeError(f"{name} must be an IP string, an (ip, port) tuple, a Host or None, not {value!r}")


def _probability(p: Any) -> float:
    if isinstance(p, bool) or not isinstance(p, (int, float)):
        raise TypeError(f"probability must be a number, not {type(p).__name__}")
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"probability must be between 0 and 1, not {p}")
    return float(p)


def _count(n: Any) -> int | None:
    if n is None:
        return None
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"count must be an int or None, not {type(n).__name__}")
    if n < 1:
        raise ValueError(f"count must be at least 1, not {n}")
    return n


def _seconds(s: Any, name: str = "seconds") -> float:
    if isinstance(s, bool) or not isinstance(s, (int, float)):
        raise TypeError(f"{name} must be a number of virtual seconds, not {type(s).__name__}")
    if s < 0:
        raise ValueError(f"{name} must not be negative")
    return float(s)


class Faults:
    """The fault injector of one simulator (``sim.faults``)."""

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        #: The generator every random fault decision uses (seeded from sim.random).
        self.random = random.Random(sim.random.getrandbits(64))
        #: Every fault that fired, in order.
        self.history: list[FaultRecord] = []
        self._dgram: list[Rule] = []
        self._holes: list[Rule] = []
        self._links: dict[tuple[str, str], float] = {}
        self._down_all = False
        self._down: set[int] = set()
        self._calls: dict[str, list[CallRule]] = {}
        #: True once provider entry points are wrapped (call rules, network down).
        self.calls_armed = False
        #: Reordering: datagrams held back, per destination, until the next one passes.
        self._held: dict[tuple[str, int], tuple[Host, int, bytes, tuple[str, int], str, int]] = {}

    # -- bookkeeping ------------------------------------------------------------------
    def record(self, kind: str, **fields: Any) -> None:
        """Note a fault that fired (history and, when tracing, the trace)."""
        self.history.append(FaultRecord(kind, self.sim.now, fields))
        tr = self.sim.tracer
        if tr is not None:
            tr.event("fault", fault=kind, **fields)

    def _activate_network(self) -> None:
        self.sim.network.faults = self

    def _maybe_deactivate(self) -> None:
        if not (self._dgram or self._holes or self._links or self._down or self._down_all or self._held):
            self.sim.network.faults = None

    def _remove(self, rule: Rule | CallRule) -> None:
        with self.sim.lock:
            lists: list[list[Any]] = [self._dgram, self._holes, *self._calls.values()]
            for lst in lists:
                if rule in lst:
                    lst.remove(rule)
            self._maybe_deactivate()

    def clear(self) -> None:
        """Remove every configured fault (held datagrams are delivered now)."""
        with self.sim.lock:
            self._dgram.clear()
            self._holes.clear()
            self._links.clear()
            self._down.clear()
            self._down_all = False
            self._calls.clear()
            self._flush_held()
            self.sim.network.faults = None

    # -- datagram rules -------------------------------------------------------------------
    def _dgram_rule(
        self, kind: str, src: Where, dst: Where, probability: Any, count: Any, seconds: float = 0.0
    ) -> Rule:
        rule = Rule(
            kind,
            self,
            _check_where(src, "src"),
            _check_where(dst, "dst"),
            _probability(probability),
            _count(count),
            seconds,
        )
        with self.sim.lock:
            self._dgram.append(rule)
            self._activate_network()
        return rule

    def drop(self, probability: float = 1.0, *, src: Where = None, dst: Where = None,
             count: int | None = None) -> Rule:
        """Lose matching datagrams (each with ``probability``; at most ``count``)."""
        return self._dgram_rule("drop", src, dst, probability, count)

    def duplicate(self, probability: float = 1.0, *, src: Where = None, dst: Where = None,
                  count: int | None = None) -> Rule:
        """Deliver matching datagrams twice."""
        return self._dgram_rule("duplicate", src, dst, probability, count)

    def delay(self, seconds: float, probability: float = 1.0, *, src: Where = None,
              dst: Where = None, count: int | None = None) -> Rule:
        """Deliver matching datagrams ``seconds`` of virtual time later."""
        return self._dgram_rule("delay", src, dst, probability, count, _seconds(seconds))

    def reorder(self, probability: float = 1.0, *, src: Where = None, dst: Where = None,
                count: int | None = None, window: float = 0.001) -> Rule:
        """Hold a matching datagram back until the next one to the same place has
        passed (or ``window`` virtual seconds have gone by), so the two swap."""
        return self._dgram_rule("reorder", src, dst, probability, count, _seconds(window, "window"))

    def latency(self, a: Where, b: Where, seconds: float) -> None:
        """One-way latency of the link between ``a`` and ``b`` (both directions),
        applied to datagrams and to stream connections made from now on (their
        handshake, data, FIN and RST; issue 6); 0 removes it.  ``a``/``b``: an
        IP or a Host."""
        seconds = _seconds(seconds)
        with self.sim.lock:
            for x in self._ips(a, "a"):
                for y in self._ips(b, "b"):
                    for key in ((x, y), (y, x)):
                        if seconds:
                            self._links[key] = seconds
                        else:
                            self._links.pop(key, None)
            if self._links:
                self._activate_network()
            else:
                self._maybe_deactivate()

    def link_delay(self, src_ip: str, dst_ip: str) -> float:
        """The one-way latency configured from ``src_ip`` to ``dst_ip`` (0: none)."""
        return self._links.get((src_ip, dst_ip), 0.0)

    def _ips(self, where: Where, name: str) -> tuple[str, ...]:
        from .world import Host, normalize_ip

        if isinstance(where, Host):
            return where.addresses
        if isinstance(where, str):
            return (normalize_ip(where),)
        raise TypeError(f"{name} must be an IP string or a Host, not {type(where).__name__}")

    def black_hole(self, ip: Where, port: int | None = None) -> Rule:
        """Make an address never answer: connects to it stay in progress until they
        time out in virtual time, datagrams to it vanish."""
        where = _check_where(ip, "ip")
        if port is not None:
            if isinstance(where, tuple):
                raise ValueError("give the port either in ip or as port, not both")
            where = (where, port)
        rule = Rule("black_hole", self, None, where)
        with self.sim.lock:
            self._holes.append(rule)
            self._activate_network()
        return rule

    @staticmethod
    def _matches(where: Where, host: Host | None, ip: str, port: int) -> bool:
        if where is None:
            return True
        if isinstance(where, str):
            return where == ip
        if isinstance(where, tuple):
            return bool(where[0] == ip and where[1] == port)
        return host is where

    def _fires(self, rule: Rule) -> bool:
        if rule.count is not None and rule.fired >= rule.count:
            return False
        if rule.probability < 1.0 and self.random.random() >= rule.probability:
            return False
        rule.fired += 1
        return True

    def is_black_hole(self, ip: str, port: int) -> bool:
        """True if ``(ip, port)`` is black-holed or its host's network is down."""
        for rule in self._holes:
            if self._matches(rule.dst, None, ip, port):
                return True
        if self._down_all:
            return True
        if self._down:
            host = self.sim.network.routes.get(ip)
            if host is not None and id(host) in self._down:
                return True
        return False

    # -- hooks called by the transport ----------------------------------------------------
    def on_connect(self, ep: Endpoint, ip: str, port: int) -> bool:
        """True if the connect gets no answer (black hole, network down)."""
        if self.is_black_hole(ip, port) or self._host_down(ep.host):
            self.record("black_hole", what="connect", dst=f"{ip}:{port}")
            return True
        return False

    def _host_down(self, host: Host) -> bool:
        return self._down_all or id(host) in self._down

    def on_datagram(self, ep: Endpoint, data: bytes, src: tuple[str, int], ip: str, port: int) -> None:
        """Send one datagram through the configured rules."""
        net = self.sim.network
        host = ep.host
        family = ep.family
        where = f"{src[0]}:{src[1]}->{ip}:{port}"
        if self.is_black_hole(ip, port) or self._host_down(host):
            self.record("black_hole", what="datagram", route=where, size=len(data))
            net.dropped_datagrams += 1
            return
        delay = self._links.get((src[0], ip), 0.0)
        copies = 1
        reorder: Rule | None = None
        dst_host = net.route(ip, host)
        for rule in self._dgram:
            if not self._matches(rule.src, host, src[0], src[1]):
                continue
            if not self._matches(rule.dst, dst_host, ip, port):
                continue
            if not self._fires(rule):
                continue
            self.record(rule.kind, route=where, size=len(data))
            if rule.kind == "drop":
                net.dropped_datagrams += 1
                return
            if rule.kind == "duplicate":
                copies += 1
            elif rule.kind == "delay":
                delay += rule.seconds
            elif rule.kind == "reorder" and reorder is None:
                reorder = rule
        key = (ip, port)
        held = self._held.pop(key, None)
        if reorder is not None and held is None:
            self._held[key] = (host, family, data, src, ip, port)
            self.sim.call_later(reorder.seconds, lambda: self._release(key))
            return
        for _ in range(copies):
            self._send(host, family, data, src, ip, port, delay)
        if held is not None:
            self._send(*held, delay)  # the held one arrives after this one: swapped

    def _send(self, host: Host, family: int, data: bytes, src: tuple[str, int], ip: str, port: int,
              delay: float) -> None:
        net: Network = self.sim.network
        if delay > 0:
            self.sim.call_later(delay, lambda: net.deliver_datagram(host, family, data, src, ip, port))
        else:
            net.deliver_datagram(host, family, data, src, ip, port)

    def _release(self, key: tuple[str, int]) -> None:
        held = self._held.pop(key, None)
        if held is not None:
            self.sim.network.deliver_datagram(*held)
            self._maybe_deactivate()

    def _flush_held(self) -> None:
        for key in list(self._held):
            self._release(key)

    # -- connections ------------------------------------------------------------------------
    def reset_connection(self, a: Where = None, b: Where = None) -> int:
        """Reset every established stream connection between ``a`` and ``b`` (IPs,
        (ip, port) pairs or Hosts; None matches anything), as a middlebox's RST
        would: both ends see the reset.  Returns how many were reset."""
        a = _check_where(a, "a")
        b = _check_where(b, "b")
        with self.sim.lock:
            seen: set[int] = set()
            victims: list[Endpoint] = []
            for host in self.sim.hosts:
                base = host.provider
                eps = [s.ep for s in base.table.values()]
                for s in base.table.values():
                    eps.extend(s.ep.accept_q)
                for ep in eps:
                    peer = ep.peer
                    if not ep.stream or peer is None or id(ep) in seen or ep.laddr is None or ep.raddr is None:
                        continue
                    l_ip, l_port = ep.laddr
                    r_ip, r_port = ep.raddr
                    ok = (self._matches(a, ep.host, l_ip, l_port) and self._matches(b, peer.host, r_ip, r_port)) or (
                        self._matches(b, ep.host, l_ip, l_port) and self._matches(a, peer.host, r_ip, r_port)
                    )
                    if ok:
                        seen.add(id(ep))
                        seen.add(id(peer))
                        victims.append(ep)
            for ep in victims:
                peer = ep.peer
                assert peer is not None and ep.laddr is not None and ep.raddr is not None
                self.record("reset", local=f"{ep.laddr[0]}:{ep.laddr[1]}", remote=f"{ep.raddr[0]}:{ep.raddr[1]}")
                ep.sndq.clear()
                peer.sndq.clear()
                ep.drop_urgent(False)
                ep.fin_pending = peer.fin_pending = False
                ep.detach()
                peer.receive_reset()
                ep.receive_reset()
            self.sim.wake()
            return len(victims)

    # -- network down -------------------------------------------------------------------------
    def network_down(self, host: Host | None = None) -> None:
        """Take the network down (one host's, or every host's with None): its WSP
        calls fail WSAENETDOWN, WSPStartup WSASYSNOTREADY; nothing reaches it."""
        with self.sim.lock:
            if host is None:
                self._down_all = True
            else:
                self._host_arg(host)
                self._down.add(id(host))
            self.record("network_down", host=getattr(host, "name", "*"))
            self._activate_network()
            self._arm_calls()

    def network_up(self, host: Host | None = None) -> None:
        """Bring the network back (one host's, or all with None)."""
        with self.sim.lock:
            if host is None:
                self._down_all = False
                self._down.clear()
            else:
                self._host_arg(host)
                self._down.discard(id(host))
            self._maybe_deactivate()

    @staticmethod
    def _host_arg(host: Any) -> None:
        from .world import Host

        if not isinstance(host, Host):
            raise TypeError(f"host must be a Host or None, not {type(host).__name__}")

    # -- call rules -----------------------------------------------------------------------------
    def fail_call(self, name: str, nth: int = 1, error: int = WSAENETDOWN, *, host: Host | None = None,
                  repeat: bool = False) -> CallRule:
        """Make the ``nth`` call (counted from now) of WSP entry point ``name`` fail
        with ``error`` (and every later call if ``repeat``).  The call does
        nothing else: no request is started, so no completion follows."""
        if name not in PROC_NAMES and name != "WSPStartup":
            raise ValueError(f"name must be a WSP entry point such as 'WSPRecv', not {name!r}")
        if isinstance(nth, bool) or not isinstance(nth, int) or nth < 1:
            raise ValueError(f"nth must be an int >= 1, not {nth!r}")
        if isinstance(error, bool) or not isinstance(error, int) or error <= 0:
            raise ValueError(f"error must be a positive error code, not {error!r}")
        if host is not None:
            self._host_arg(host)
        rule = CallRule(name, nth, int(error), self, host, bool(repeat))
        with self.sim.lock:
            self._calls.setdefault(name, []).append(rule)
            self._arm_calls()
        return rule

    def _arm_calls(self) -> None:
        """Wrap every base provider's entry points (once) so call rules can act."""
        if self.calls_armed:
            return
        self.calls_armed = True
        for host in self.sim.hosts:
            self.arm_provider(host.provider)

    def arm_provider(self, provider: Any) -> None:
        """Wrap one base provider: future proc tables, tables given out already,
        and the direct (locked) entry points."""
        for name in ("WSPStartup", *PROC_NAMES):
            raw = getattr(provider, "_raw_" + name, None)
            if raw is None and name == "WSPStartup":
                raw = provider.WSPStartup  # not one of the 30: it has no raw twin
            if raw is None or getattr(raw, "_wsspi_fault_wrapped", False):
                continue
            wrapped = self._wrap(provider, name, raw)
            setattr(provider, "_raw_" + name, wrapped)
            setattr(provider, name, _locked_call(self.sim, wrapped))
            for table in getattr(provider, "proc_tables", {}).values():
                cur = getattr(table, "lp" + name, None)
                if cur == raw or getattr(cur, "__wrapped__", None) == raw:  # a traced entry wraps raw
                    setattr(table, "lp" + name, wrapped)
        tr = self.sim.tracer
        if tr is not None:  # trace the entry points just replaced, too (trace.py)
            tr.instrument_provider(provider)

    def _wrap(self, provider: Any, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        faults = self

        @functools.wraps(fn)
        def entry(*args: Any) -> Any:
            err = faults._call_fault(provider, name)
            if err:
                return _fail(name, args, err)
            return fn(*args)

        entry._wsspi_fault_wrapped = True  # type: ignore[attr-defined]
        return entry

    def _call_fault(self, provider: Any, name: str) -> int:
        host = provider.host
        if (self._down_all or id(host) in self._down) and name != "WSPCleanup":
            err = WSASYSNOTREADY if name == "WSPStartup" else WSAENETDOWN
            self.record("network_down_call", call=name, host=host.name, error=err)
            return err
        rules = self._calls.get(name)
        if not rules:
            return 0
        for rule in rules:
            if rule.host is not None and rule.host is not host:
                continue
            rule.calls += 1
            if rule.calls == rule.nth or (rule.repeat and rule.calls > rule.nth):
                rule.fired += 1
                self.record("fail_call", call=name, nth=rule.calls, error=rule.error, host=host.name)
                return rule.error
        return 0


    # Other names, as a reader might look for them.
    drop_datagrams = drop
    duplicate_datagrams = duplicate
    delay_datagrams = delay
    reorder_datagrams = reorder
    link_latency = latency
    fail_nth_call = fail_call


def _fail(name: str, args: tuple[Any, ...], err: int) -> Any:
    from .provider.core import put

    if name == "WSPStartup":
        return err
    if args and args[-1] is not None:
        put(args[-1], err, "lpErrno")
    if name in _INVALID_SOCKET_ENTRIES:
        return INVALID_SOCKET
    if name in _BOOL_ENTRIES:
        return FALSE
    return SOCKET_ERROR


def _locked_call(sim: Simulator, fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def entry(*args: Any) -> Any:
        with sim.lock:
            return fn(*args)

    return entry


__all__ = ["CallRule", "FaultRecord", "Faults", "Rule"]
