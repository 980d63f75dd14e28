"""The simulated transport: addresses, ports, connections and datagrams.

This is the bottom layer (DESIGN 1).  It knows nothing of handles, states or
error tables above it; it moves bytes between :class:`Endpoint` objects and
tells each endpoint's *owner* (a provider socket) what happened.

Model (chosen, documented in docs/design-choices.md):

* Zero latency: data, FIN and RST reach the peer before the call returns --
  unless a latency rule (``sim.faults.latency``) covered the link when the
  connection was made: then each direction has a :class:`Latency`, bytes sent
  reach the peer's buffer that many virtual seconds later (counted against its
  window meanwhile, so nothing is lost or reordered), FIN and RST follow the
  data after the same delay, and the handshake takes a round trip.
* A stream endpoint has a receive buffer bounded by SO_RCVBUF (``rcap``) and
  a send queue bounded by SO_SNDBUF (``scap``).  Bytes go straight into the
  peer's receive buffer while it has room, then wait in the send queue; the
  peer's reads pull them across.  So a sender meets "window full" only when
  both are full.
* FIN is delivered after every byte queued before it.  RST overtakes data: the
  peer's unread bytes are discarded.
* Urgent data (TCP's urgent pointer, BSD style: one urgent byte, the last of
  a send(MSG_OOB)) travels in sequence with the data; :class:`Urgent` tracks
  where such bytes wait.  When one reaches the receiver's buffer it is always
  that buffer's last byte, and the owner decides at once whether it stays in
  the stream (SO_OOBINLINE) or is held out of band (``Owner.on_urgent``).
* An endpoint whose socket was closed gracefully is *orphaned*: it keeps
  draining its send queue and then delivers FIN; data arriving at it answers
  with RST, as TCP does after close.
* Datagrams are delivered whole or not at all; a full receive buffer, an
  unbound port or an unknown host drops them silently (no ICMP is modelled).
* An address that no host owns never answers (a "black hole").
* 127.0.0.1 and ::1 are each host's own loopback.
"""

from __future__ import annotations

import ipaddress
from collections import deque
from typing import TYPE_CHECKING, Any, Protocol

from .errors import (
    WSAEACCES,
    WSAEADDRINUSE,
    WSAEADDRNOTAVAIL,
    WSAECONNREFUSED,
    WSAENETUNREACH,
    WSAENOBUFS,
)
from .lazy import Lazy, made

if TYPE_CHECKING:
    from .faults import Faults
    from .world import Host, Simulator

AF_INET = 2
AF_INET6 = 23
ANY4 = "0.0.0.0"
ANY6 = "::"
EPHEMERAL_FIRST = 49152
EPHEMERAL_LAST = 65535

Addr = tuple[str, int]


class Owner(Protocol):
    """What an endpoint tells the provider socket that owns it."""

    def on_readable(self) -> None: ...
    def on_writable(self) -> None: ...
    def on_fin(self) -> None: ...
    def on_reset(self) -> None: ...
    def on_incoming(self) -> None: ...
    def on_urgent(self) -> bool: ...
    def on_oob(self) -> None: ...


def is_any(ip: str) -> bool:
    return ip == ANY4 or ip == ANY6


def is_broadcast(ip: str) -> bool:
    """The limited broadcast address (INADDR_BROADCAST); the simulated network
    has no subnets, so no directed broadcast addresses."""
    return ip == "255.255.255.255"


def is_loopback(ip: str) -> bool:
    return ip == "127.0.0.1" or ip == "::1" or ip.startswith("127.")


class Urgent:
    """An endpoint's urgent bytes (RFC 6093; the BSD one-byte model), by position.

    * ``out``: indexes in ``sndq`` of urgent bytes the peer has not taken yet.
    * ``held``: ``[pos, byte]`` per urgent byte received out of band (pulled
      out of the stream), oldest first; ``pos`` counts the unread bytes of
      ``rbuf`` before its place (0: the read position is at or past it).
    * ``marks``: ``[index, was_held]`` per urgent byte in ``rbuf`` (received
      with SO_OOBINLINE on, or put back when it was turned on), in stream order.

    The endpoint keeps an Urgent only while one of the lists is non-empty
    (``Endpoint.urg`` is None otherwise, which the receive fast path tests).
    """

    __slots__ = ("out", "held", "marks")

    def __init__(self) -> None:
        self.out: list[int] = []
        self.held: list[list[int]] = []
        self.marks: list[list[int]] = []

    def idle(self) -> bool:
        return not (self.out or self.held or self.marks)

    def hold(self, rbuf: bytearray) -> None:
        """Pull the urgent byte that just arrived (``rbuf``'s last) out of the stream."""
        byte = rbuf.pop()
        self.held.append([len(rbuf), byte])

    def mark(self, rbuf: bytearray) -> None:
        """Leave the urgent byte that just arrived (``rbuf``'s last) in the stream, marked."""
        self.marks.append([len(rbuf) - 1, 0])

    def put_back(self, rbuf: bytearray, marked: bool) -> None:
        """Put every held byte back into the stream at its place, marked or as
        plain data; plain, the marks already in the stream are dropped too."""
        shift = 0
        for pos, byte in self.held:
            index = pos + shift
            rbuf[index:index] = bytes((byte,))
            for m in self.marks:
                if m[0] >= index:
                    m[0] += 1
            if marked:
                self.marks.append([index, 1])
            shift += 1
        self.held.clear()
        if marked:
            self.marks.sort()
        else:
            self.marks.clear()

    def limit(self, n: int) -> int:
        """How many of ``n`` wanted bytes a normal read may take: it stops at
        the next urgent position, and an urgent byte in the stream is read alone."""
        for pos, _ in self.held:
            if pos > 0:
                if pos < n:
                    n = pos
                break
        if self.marks:
            m = self.marks[0][0]
            if m == 0:
                return 1 if n else 0
            if m < n:
                n = m
        return n

    def consume(self, n: int) -> None:
        """``n`` bytes were read from the front of ``rbuf``."""
        for h in self.held:
            h[0] = h[0] - n if h[0] > n else 0
        marks = self.marks
        for m in marks:
            m[0] -= n
        while marks and marks[0][0] < 0:
            del marks[0]


class Endpoint:
    """A transport endpoint: a TCP control block or a UDP port, in memory.

    The buffers and queues (rbuf, sndq, accept_q, dgrams) are created on first
    read, so an idle endpoint stays small (bench: idle_socket_bytes); code that
    only wants to look uses :meth:`made`, which creates nothing.
    """

    __slots__ = (
        "net",
        "host",
        "family",
        "stream",
        "laddr",
        "raddr",
        "peer",
        "rcap",
        "scap",
        "fin_in",
        "rst_in",
        "fin_out",
        "fin_pending",
        "listening",
        "backlog",
        "dgram_bytes",
        "owner",
        "reuse",
        "exclusive",
        "bound",
        "orphan",
        "filter_peer",
        "urg",
        "lat",
        "_rbuf",
        "_sndq",
        "_accept_q",
        "_dgrams",
    )

    rbuf: Lazy[bytearray] = Lazy(bytearray, "Received stream bytes not yet read.")
    sndq: Lazy[bytearray] = Lazy(bytearray, "Bytes accepted by sends that the peer's buffer has not taken yet.")
    accept_q: Lazy[deque[Endpoint]] = Lazy(deque, "Connections waiting for accept (a listening endpoint).")
    dgrams: Lazy[deque[tuple[bytes, Addr]]] = Lazy(deque, "Datagrams received and not yet read, with their senders.")

    def __init__(self, net: Network, host: Host, family: int, stream: bool) -> None:
        self.net = net
        self.host = host
        self.family = family
        self.stream = stream
        self.laddr: Addr | None = None
        self.raddr: Addr | None = None
        self.peer: Endpoint | None = None
        self.rcap = 65536
        self.scap = 65536
        self.fin_in = False
        self.rst_in = False
        self.fin_out = False
        self.fin_pending = False
        self.listening = False
        self.backlog = 0
        self.dgram_bytes = 0
        self.owner: Owner | None = None
        self.reuse = False
        self.exclusive = False
        self.bound = False
        self.orphan = False
        self.filter_peer: Addr | None = None
        #: urgent data on its way out or held here (None: none at all)
        self.urg: Urgent | None = None
        #: one-way latency toward the peer (None: zero latency, the usual case)
        self.lat: Latency | None = None
        self._rbuf: bytearray | None = None
        self._sndq: bytearray | None = None
        self._accept_q: deque[Endpoint] | None = None
        self._dgrams: deque[tuple[bytes, Addr]] | None = None

    # -- buffers and queues, created on first use ----------------------------------
    def made(self, name: str) -> Any:
        """The buffer or queue ``name`` if this endpoint has created it, else None."""
        return made(self, name)

    # -- stream data -----------------------------------------------------------
    def send(self, data: memoryview | bytes, urgent: bool = False) -> int:
        """Queue stream bytes toward the peer; return how many were accepted.
        ``urgent``: the last byte is urgent data, if this call accepts it all."""
        peer = self.peer
        if peer is None:
            return 0
        if self.lat is not None:
            return self._send_late(peer, self.lat, data, urgent)
        n = len(data)
        taken = 0
        if not self.sndq and not peer.orphan:
            room = peer.rcap - len(peer.rbuf)
            if room > 0:
                taken = n if n <= room else room
                peer.rbuf += data if taken == n else data[:taken]
        elif peer.orphan:
            # Data for a closed socket: TCP answers with RST (W50).
            self.sndq.clear()
            self.urg = None
            peer.detach()
            self.receive_reset()
            return n
        direct = taken
        if taken < n:
            room = self.scap - len(self.sndq)
            if room > 0:
                more = n - taken if n - taken <= room else room
                self.sndq += data[taken : taken + more]
                taken += more
        readable = taken
        held = False
        if urgent and taken == n and n:
            if direct == n:
                held = not peer.urgent_arrived()
                if held and n == 1:
                    readable = 0  # only the urgent byte came, and it is out of band
            else:
                self.urgent_queued(len(self.sndq) - 1)
        owner = peer.owner
        if owner is not None:
            if readable and peer.rbuf:
                owner.on_readable()
            if held:
                owner.on_oob()
        return taken

    def send_all(self, data: memoryview | bytes | bytearray) -> bool:
        """Queue all of ``data`` straight into the peer's receive buffer, as
        :meth:`send` does when nothing is queued before it and the buffer has
        room; otherwise change nothing and return False (use :meth:`send`).
        The fast path of the switch's send() (provider/fast.py)."""
        peer = self.peer
        if peer is None or peer.orphan or self._sndq or self.lat is not None:
            return False
        rbuf = peer._rbuf
        if rbuf is None:
            rbuf = peer.rbuf
        if peer.rcap - len(rbuf) < len(data):
            return False
        rbuf += data
        if rbuf and peer.owner is not None:
            peer.owner.on_readable()
        return True

    def send_room(self) -> int:
        """Bytes a send could queue right now."""
        peer = self.peer
        if peer is None:
            return 0
        sndq = self.sndq
        room = self.scap - len(sndq)
        if not sndq:
            free = peer.rcap - len(peer.rbuf)
            if self.lat is not None:
                free -= self.lat.flight
            if free > 0:
                room += free
        return room

    def consumed(self) -> None:
        """The owner read from ``rbuf``: pull the peer's queued bytes across.
        An urgent byte among them is handed to the owner as it arrives
        (bookkeeping only: the owner is in the middle of a read)."""
        peer = self.peer
        if peer is None or not peer.sndq:
            return
        room = self.rcap - len(self.rbuf)
        if peer.lat is not None:
            self._consumed_late(peer, peer.lat, room)
            return
        if room <= 0:
            return
        q = peer.sndq
        n = len(q) if len(q) <= room else room
        pu = peer.urg
        if pu is not None and pu.out:
            start = 0
            out = pu.out
            while out and out[0] < n:
                end = out.pop(0) + 1
                self.rbuf += q[start:end]
                start = end
                self.urgent_arrived()
            self.rbuf += q[start:n]
            pu.out = [i - n for i in out]
            if pu.idle():
                peer.urg = None
        else:
            self.rbuf += q[:n]
        del q[:n]
        if not q and peer.fin_pending:
            peer.fin_pending = False
            self._deliver_fin()
        if peer.owner is not None:
            peer.owner.on_writable()
        elif peer.orphan and not q:
            peer.finish_orphan()

    def urgent_arrived(self) -> bool:
        """The last byte of ``rbuf`` is an urgent byte that just arrived: the
        owner puts it in or out of the stream (a connection still waiting for
        accept holds it out of band).  True if it stayed in the stream."""
        u = self.urg
        if u is None:
            u = self.urg = Urgent()
        owner = self.owner
        if owner is None:
            u.hold(self.rbuf)
            return False
        kept = owner.on_urgent()
        if u.idle():
            self.urg = None
        return kept

    def urgent_queued(self, index: int) -> None:
        """The byte at ``sndq[index]`` is urgent; it is marked when the peer takes it."""
        u = self.urg
        if u is None:
            u = self.urg = Urgent()
        u.out.append(index)

    def drop_urgent(self, incoming: bool) -> None:
        """Forget the urgent bytes waiting in ``sndq`` and, if ``incoming``, those
        received (the buffers they belong to were discarded)."""
        u = self.urg
        if u is not None:
            u.out.clear()
            if incoming:
                u.held.clear()
                u.marks.clear()
            if u.idle():
                self.urg = None

    def unsent(self) -> int:
        """Bytes accepted by a send that the peer's buffer has not taken yet."""
        q = self._sndq
        n = len(q) if q is not None else 0
        if self.lat is not None:
            n += self.lat.flight  # in flight: not in the peer's buffer yet
        return n

    def shutdown_send(self) -> None:
        """Send FIN after every queued byte."""
        if self.fin_out:
            return
        self.fin_out = True
        if self.sndq:
            self.fin_pending = True
        elif self.lat is not None:
            self._fin_late()
        else:
            self._deliver_fin_from_self()

    def _deliver_fin_from_self(self) -> None:
        peer = self.peer
        if peer is not None and not peer.fin_in:
            peer.fin_in = True
            if peer.owner is not None:
                peer.owner.on_fin()

    def _deliver_fin(self) -> None:
        # Called on the receiving endpoint when the sender's queue drained.
        if not self.fin_in:
            self.fin_in = True
            if self.owner is not None:
                self.owner.on_fin()

    def reset(self) -> None:
        """Abort the connection: RST to the peer, unsent data lost."""
        self.sndq.clear()
        self.drop_urgent(False)
        self.fin_pending = False
        peer = self.peer
        if peer is not None and self.lat is not None:
            self._reset_late(peer, self.lat)
            return
        self.detach()
        if peer is not None:
            peer.receive_reset()

    def receive_reset(self) -> None:
        self.rst_in = True
        self.rbuf.clear()
        self.drop_urgent(True)
        self.peer = None
        if self.owner is not None:
            self.owner.on_reset()

    def detach(self) -> None:
        peer = self.peer
        self.peer = None
        if peer is not None and peer.peer is self:
            peer.peer = None

    def orphan_close(self) -> None:
        """The socket is gone; finish the graceful close in the background."""
        self.owner = None
        self.orphan = True
        self.rbuf.clear()
        u = self.urg
        if u is not None:
            u.held.clear()
            u.marks.clear()
            if u.idle():
                self.urg = None
        if not self.sndq:
            self.finish_orphan()

    def finish_orphan(self) -> None:
        # FIN has been delivered; keep the link so a late send is answered with RST.
        pass

    # -- latency (a link with a latency rule; faults.py) ------------------------
    def _late(self, lat: Latency, what: str, size: int, fn: Any) -> None:
        """Run ``fn`` when something sent now toward the peer arrives (after
        ``lat.delay``), and record the delayed delivery as a fault."""
        sim = self.net.sim
        la, ra = self.laddr, self.raddr
        route = f"{la[0]}:{la[1]}->{ra[0]}:{ra[1]}" if la is not None and ra is not None else "?"
        sim.faults.record("latency", what=what, route=route, size=size, seconds=lat.delay)
        sim.call_later(lat.delay, fn)

    def _launch(self, peer: Endpoint, lat: Latency, chunk: bytes, urgent_ends: list[int]) -> None:
        """Put ``chunk`` in flight toward ``peer`` (``urgent_ends``: the offsets
        just past each urgent byte in it)."""
        lat.flight += len(chunk)
        self._late(lat, "data", len(chunk), lambda: self._land(peer, lat, chunk, urgent_ends))

    def _land(self, peer: Endpoint, lat: Latency, chunk: bytes, urgent_ends: list[int]) -> None:
        """Bytes in flight reach ``peer``'s buffer (dropped if the connection is gone)."""
        lat.flight -= len(chunk)
        if peer.peer is not self or peer.rst_in:
            self.net.sim.wake()
            return
        rbuf = peer.rbuf
        start = 0
        held = 0
        for end in urgent_ends:
            rbuf += chunk[start:end]
            start = end
            if not peer.urgent_arrived():
                held += 1
        rbuf += chunk[start:]
        owner = peer.owner
        if owner is not None:
            if len(chunk) > held and peer.rbuf:
                owner.on_readable()
            if held:
                owner.on_oob()
        self.net.sim.wake()

    def _send_late(self, peer: Endpoint, lat: Latency, data: memoryview | bytes, urgent: bool) -> int:
        """:meth:`send` over a link with latency: bytes within the peer's window
        (its buffer plus what is in flight) leave now, the rest wait in ``sndq``."""
        n = len(data)
        if peer.orphan:
            # Data for a closed socket: TCP answers with RST (W50).
            self.sndq.clear()
            self.urg = None
            peer.detach()
            self.receive_reset()
            return n
        taken = 0
        if not self.sndq:
            room = peer.rcap - len(peer.rbuf) - lat.flight
            if room > 0:
                taken = n if n <= room else room
                ends = [taken] if urgent and taken == n and n else []
                self._launch(peer, lat, bytes(data[:taken]), ends)
        direct = taken
        if taken < n:
            room = self.scap - len(self.sndq)
            if room > 0:
                more = n - taken if n - taken <= room else room
                self.sndq += data[taken : taken + more]
                taken += more
        if urgent and taken == n and n and direct < n:
            self.urgent_queued(len(self.sndq) - 1)
        return taken

    def _consumed_late(self, peer: Endpoint, lat: Latency, room: int) -> None:
        """:meth:`consumed` over a link with latency: the peer's queued bytes that
        fit the window leave now and arrive ``lat.delay`` later; FIN follows them."""
        room -= lat.flight
        if room <= 0:
            return
        q = peer.sndq
        n = len(q) if len(q) <= room else room
        ends: list[int] = []
        pu = peer.urg
        if pu is not None and pu.out:
            out = pu.out
            while out and out[0] < n:
                ends.append(out.pop(0) + 1)
            pu.out = [i - n for i in out]
            if pu.idle():
                peer.urg = None
        chunk = bytes(q[:n])
        del q[:n]
        peer._launch(self, lat, chunk, ends)
        if not q and peer.fin_pending:
            peer.fin_pending = False
            peer._fin_late()
        if peer.owner is not None:
            peer.owner.on_writable()

    def _fin_late(self) -> None:
        """FIN toward the peer, arriving after the bytes already in flight."""
        peer = self.peer
        lat = self.lat
        if peer is None or lat is None:
            return

        def land() -> None:
            if peer.peer is self:
                peer._deliver_fin()
                self.net.sim.wake()

        self._late(lat, "fin", 0, land)

    def _reset_late(self, peer: Endpoint, lat: Latency) -> None:
        """RST toward the peer: this end lets go now; the peer sees the reset
        (and loses what it has not read) when the RST arrives, after the data."""
        self.peer = None

        def land() -> None:
            if peer.peer is self:
                peer.receive_reset()
                self.net.sim.wake()

        self._late(lat, "rst", 0, land)

    # -- datagrams -----------------------------------------------------------
    def deliver(self, data: bytes, src: Addr) -> bool:
        """Queue one datagram; False if it was dropped."""
        if self.filter_peer is not None and self.filter_peer != src:
            return False
        size = len(data)
        if self.dgram_bytes + size > self.rcap:
            return False
        self.dgrams.append((data, src))
        self.dgram_bytes += size
        if self.owner is not None:
            self.owner.on_readable()
        return True

    def pop_datagram(self) -> tuple[bytes, Addr]:
        data, src = self.dgrams.popleft()
        self.dgram_bytes -= len(data)
        return data, src


class Latency:
    """One direction of a stream connection over a link with latency: the
    one-way delay and the bytes in flight (sent, not yet in the peer's buffer;
    they count against its window)."""

    __slots__ = ("delay", "flight")

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.flight = 0




class Network:
    """Routing and port bindings for every host of one simulator."""

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self.routes: dict[str, Host] = {}
        # (host id, family, stream, port) -> endpoints bound there
        self.bindings: dict[tuple[int, int, bool, int], list[Endpoint]] = {}
        self._next_port: dict[tuple[int, int, bool], int] = {}
        self.dropped_datagrams = 0
        #: The simulator's Faults once a network fault is configured (faults.py);
        #: None keeps the hooks below to one attribute test.
        self.faults: Faults | None = None

    def add_host(self, host: Host) -> None:
        for ip in host.addresses:
            if is_loopback(ip):
                continue
            if ip in self.routes:
                raise ValueError(f"address {ip} already belongs to {self.routes[ip].name}")
        for ip in host.addresses:
            if not is_loopback(ip):
                self.routes[ip] = host

    def reroute(self, ip: str, host: Host) -> None:
        """Make ``host`` answer for ``ip`` from now on (an impostor takes over)."""
        self.routes[ip] = host

    def route(self, ip: str, src: Host) -> Host | None:
        if is_loopback(ip):
            return src
        return self.routes.get(ip)

    def source_ip(self, host: Host, family: int, dst: str) -> str | None:
        """The local address a host uses to reach ``dst``, or None when the host
        has no address of that family to send from (the network is unreachable)."""
        if is_loopback(dst):
            return "127.0.0.1" if family == AF_INET else "::1"
        want = 4 if family == AF_INET else 6
        for ip in host.addresses:
            if not is_loopback(ip) and ipaddress.ip_address(ip).version == want:
                return ip
        return None

    # -- ports -------------------------------------------------------------
    def bind(self, ep: Endpoint, ip: str, port: int) -> int:
        """Bind ``ep`` to (ip, port); port 0 picks an ephemeral port.  Returns 0 or an error."""
        if not is_any(ip) and not ep.host.owns(ip):
            return WSAEADDRNOTAVAIL
        hid = id(ep.host)
        if port == 0:
            port = self._ephemeral(hid, ep.family, ep.stream)
            if port == 0:
                # Every ephemeral port is taken: Windows reports WSAENOBUFS (KB 196271),
                # as SPI-FACTS 3.6 documents for WSPBind/WSPConnect ("no buffer space").
                return WSAENOBUFS
        else:
            for other in self.bindings.get((hid, ep.family, ep.stream, port), ()):
                assert other.laddr is not None
                oip = other.laddr[0]
                overlap = is_any(oip) or is_any(ip) or oip == ip
                if not overlap:
                    continue
                if other.exclusive:
                    return WSAEACCES if ep.reuse else WSAEADDRINUSE
                if ep.exclusive:
                    return WSAEADDRINUSE
                if not ep.reuse:
                    return WSAEADDRINUSE
        self.bindings.setdefault((hid, ep.family, ep.stream, port), []).append(ep)
        ep.laddr = (ip, port)
        ep.bound = True
        return 0

    def _ephemeral(self, hid: int, family: int, stream: bool) -> int:
        key = (hid, family, stream)
        start = self._next_port.get(key, EPHEMERAL_FIRST)
        span = EPHEMERAL_LAST - EPHEMERAL_FIRST + 1
        for i in range(span):
            port = EPHEMERAL_FIRST + (start - EPHEMERAL_FIRST + i) % span
            if not self.bindings.get((hid, family, stream, port)):
                self._next_port[key] = port + 1 if port < EPHEMERAL_LAST else EPHEMERAL_FIRST
                return port
        return 0

    def unbind(self, ep: Endpoint) -> None:
        if not ep.bound or ep.laddr is None:
            return
        key = (id(ep.host), ep.family, ep.stream, ep.laddr[1])
        lst = self.bindings.get(key)
        if lst is not None:
            try:
                lst.remove(ep)
            except ValueError:
                pass
            if not lst:
                del self.bindings[key]
        ep.bound = False

    def lookup(self, host: Host, family: int, stream: bool, ip: str, port: int, *, listening: bool) -> Endpoint | None:
        """The endpoint on ``host`` that receives for (ip, port); a specific address wins."""
        wildcard: Endpoint | None = None
        for ep in self.bindings.get((id(host), family, stream, port), ()):
            if listening and not ep.listening:
                continue
            assert ep.laddr is not None
            if ep.laddr[0] == ip:
                return ep
            if wildcard is None and is_any(ep.laddr[0]):
                wildcard = ep
        return wildcard

    # -- connections ---------------------------------------------------------
    def connect(self, ep: Endpoint, ip: str, port: int) -> int | None:
        """Open a connection from ``ep``.  0, an error code, or None (no answer)."""
        if self.faults is not None and self.faults.on_connect(ep, ip, port):
            return None
        host = self.route(ip, ep.host)
        if host is None:
            return None
        listener = self.lookup(host, ep.family, True, ip, port, listening=True)
        if listener is None or len(listener.accept_q) >= listener.backlog:
            return WSAECONNREFUSED
        assert ep.laddr is not None
        srv = Endpoint(self, host, ep.family, True)
        srv.laddr = (ip, port)
        srv.raddr = ep.laddr
        srv.rcap, srv.scap = listener.rcap, listener.scap
        srv.peer = ep
        ep.peer = srv
        ep.raddr = (ip, port)
        if self.faults is not None:
            there = self.faults.link_delay(ep.laddr[0], ip)
            back = self.faults.link_delay(ip, ep.laddr[0])
            if there or back:
                ep.lat = Latency(there)
                srv.lat = Latency(back)
        listener.accept_q.append(srv)
        if listener.owner is not None:
            listener.owner.on_incoming()
        return 0

    def link_delay(self, ep: Endpoint, ip: str) -> float:
        """The one-way latency from ``ep``'s address to ``ip`` (0: none)."""
        if self.faults is None or ep.laddr is None:
            return 0.0
        return self.faults.link_delay(ep.laddr[0], ip)

    def sendto(self, ep: Endpoint, data: bytes, ip: str, port: int) -> int:
        """Send one datagram (dropped silently if nobody can take it).  Returns 0,
        or WSAENETUNREACH when the host has no address of the family to send from."""
        assert ep.laddr is not None
        src_ip = ep.laddr[0]
        if is_any(src_ip):
            found = self.source_ip(ep.host, ep.family, ip)
            if found is None:
                return WSAENETUNREACH
            src_ip = found
        if self.faults is not None:
            self.faults.on_datagram(ep, data, (src_ip, ep.laddr[1]), ip, port)
            return 0
        # deliver_datagram, inlined: this is the hot path of every datagram.
        host = self.route(ip, ep.host)
        target = None if host is None else self.lookup(host, ep.family, False, ip, port, listening=False)
        if target is None or not target.deliver(data, (src_ip, ep.laddr[1])):
            self.dropped_datagrams += 1
        return 0

    def deliver_datagram(self, src_host: Host, family: int, data: bytes, src: Addr, ip: str, port: int) -> None:
        """Hand one datagram to whatever is bound at (ip, port) now, or drop it."""
        host = self.route(ip, src_host)
        target = None if host is None else self.lookup(host, family, False, ip, port, listening=False)
        if target is None or not target.deliver(data, src):
            self.dropped_datagrams += 1
