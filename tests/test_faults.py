"""Fault injection (issue 6, part 4): seeded, recorded in the trace.

Issue 6: "drop, duplicate, delay or reorder datagrams; reset a connection;
network down (WSAENETDOWN); black-hole an address (connect times out in
virtual time); force an error on the Nth call of a kind; latency per link",
"seeded and recorded in the trace".
"""

from __future__ import annotations

import ctypes
from typing import Any

import pytest
from hypothesis import settings

import wsspi_sim as ws
from wsspi_sim.provider.lifecycle import CONNECT_TIMEOUT
from wsspi_sim.testing import check_invariants, connected_tcp_pair, started_winsock
from wsspi_sim.testing.stateful import DatagramMachine


class Udp:
    """Two bound, nonblocking UDP sockets of one process on loopback."""

    def __init__(self, seed: int = 0, trace: bool = False) -> None:
        self.sim = ws.Simulator(seed=seed, trace=trace)
        self.api = started_winsock(self.sim)
        self.a, self.b = (self._sock() for _ in range(2))
        self.addr_b = self._name(self.b)

    def _sock(self) -> int:
        s = self.api.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP)
        assert self.api.bind(s, ws.sockaddr("127.0.0.1", 0), 16) == 0
        assert self.api.ioctlsocket(s, ws.FIONBIO, ctypes.c_ulong(1)) == 0
        return int(s)

    def _name(self, s: int) -> bytes:
        buf, n = bytearray(16), ctypes.c_int(16)
        assert self.api.getsockname(s, buf, n) == 0
        return bytes(buf)

    def send(self, payload: bytes) -> None:
        assert self.api.sendto(self.a, payload, len(payload), 0, self.addr_b, 16) == len(payload)

    def received(self) -> list[bytes]:
        out = []
        while True:
            buf = bytearray(2048)
            r = self.api.recvfrom(self.b, buf, 2048, 0, None, None)
            if r == ws.SOCKET_ERROR:
                assert self.api.WSAGetLastError() == ws.WSAEWOULDBLOCK
                return out
            out.append(bytes(buf[:r]))


def test_drop_loses_matching_datagrams_and_is_traced() -> None:
    """Issue 6: drop datagrams, recorded in the trace ("fault" events) and in
    sim.faults.history; a rule for another destination leaves traffic alone."""
    u = Udp(trace=True)
    other = u.sim.faults.drop(dst="10.9.9.9")
    u.send(b"kept")
    assert u.received() == [b"kept"]
    other.remove()
    u.sim.faults.drop(dst=("127.0.0.1", ws.parse_sockaddr(u.addr_b)[2]))
    u.send(b"lost")
    assert u.received() == []
    assert [r.kind for r in u.sim.faults.history] == ["drop"]
    assert u.sim.tracer is not None
    events = u.sim.tracer.of_kind("fault")
    assert [e.fields["fault"] for e in events] == ["drop"]
    check_invariants(u.sim)


def _drop_pattern(seed: int) -> list[bytes]:
    u = Udp(seed=seed)
    u.sim.faults.drop(probability=0.5)
    for i in range(40):
        u.send(b"%d" % i)
    return u.received()


def test_random_drops_are_seeded() -> None:
    """Issue 6 "seeded": the same seed drops the same datagrams; another seed a
    different set; about half are lost with probability 0.5."""
    first = _drop_pattern(1)
    assert first == _drop_pattern(1)
    assert 5 < len(first) < 35
    assert any(_drop_pattern(s) != first for s in (2, 3, 4))


def test_duplicate_delivers_twice() -> None:
    """Issue 6: duplicate datagrams (count limits how many are duplicated)."""
    u = Udp()
    u.sim.faults.duplicate(count=1)
    u.send(b"one")
    u.send(b"two")
    assert u.received() == [b"one", b"one", b"two"]


def test_delay_holds_datagrams_in_virtual_time() -> None:
    """Issue 6: delay datagrams; they arrive when virtual time reaches the delay
    (DESIGN 3: "Data moves at once ... unless a fault or latency rule says otherwise")."""
    u = Udp()
    u.sim.faults.delay(0.5)
    u.send(b"late")
    assert u.received() == []
    u.sim.advance(0.49)
    assert u.received() == []
    u.sim.advance(0.02)
    assert u.received() == [b"late"]


def test_reorder_swaps_consecutive_datagrams() -> None:
    """Issue 6: reorder datagrams: a held datagram arrives after the next one; a
    lone held datagram is released after the window (never lost)."""
    u = Udp()
    rule = u.sim.faults.reorder(count=1)
    u.send(b"first")
    u.send(b"second")
    assert u.received() == [b"second", b"first"]
    rule.remove()
    u.sim.faults.reorder(count=1, window=0.25)
    u.send(b"alone")
    assert u.received() == []
    u.sim.advance(0.25)
    assert u.received() == [b"alone"]


def test_link_latency_applies_per_link() -> None:
    """Issue 6: latency per link, both directions; 0 removes it."""
    sim = ws.Simulator()
    a = started_winsock(sim, "10.0.0.1")
    b = started_winsock(sim, "10.0.0.2")
    sim.faults.latency("10.0.0.1", "10.0.0.2", 0.010)
    sa = a.socket(ws.AF_INET, ws.SOCK_DGRAM, 0)
    sb = b.socket(ws.AF_INET, ws.SOCK_DGRAM, 0)
    assert b.bind(sb, ws.sockaddr("10.0.0.2", 7000), 16) == 0
    b.ioctlsocket(sb, ws.FIONBIO, ctypes.c_ulong(1))
    assert a.sendto(sa, b"ping", 4, 0, ws.sockaddr("10.0.0.2", 7000), 16) == 4
    buf = bytearray(8)
    assert b.recvfrom(sb, buf, 8, 0, None, None) == ws.SOCKET_ERROR
    sim.advance(0.010)
    assert b.recvfrom(sb, buf, 8, 0, None, None) == 4
    sim.faults.latency("10.0.0.1", "10.0.0.2", 0)
    assert a.sendto(sa, b"pong", 4, 0, ws.sockaddr("10.0.0.2", 7000), 16) == 4
    assert b.recvfrom(sb, buf, 8, 0, None, None) == 4
    assert sim.network.faults is None  # nothing configured: the hooks are idle again


def test_black_hole_makes_connect_time_out_in_virtual_time() -> None:
    """Issue 6: black-hole an address: a blocking connect to a host that exists
    times out (WSAETIMEDOUT) after the connect timeout of virtual time; a
    nonblocking one stays in progress (DESIGN 2: "An address no simulated host
    owns never answers")."""
    sim = ws.Simulator()
    a = started_winsock(sim, "10.0.0.1")
    b = started_winsock(sim, "10.0.0.2")
    lst = b.socket(ws.AF_INET, ws.SOCK_STREAM, 0)
    assert b.bind(lst, ws.sockaddr("10.0.0.2", 80), 16) == 0 and b.listen(lst, 5) == 0
    sim.faults.black_hole("10.0.0.2", 80)
    s = a.socket(ws.AF_INET, ws.SOCK_STREAM, 0)
    start = sim.now
    assert a.connect(s, ws.sockaddr("10.0.0.2", 80), 16) == ws.SOCKET_ERROR
    assert a.WSAGetLastError() == ws.WSAETIMEDOUT
    assert sim.now - start >= CONNECT_TIMEOUT
    assert sim.faults.history[-1].kind == "black_hole"
    sim.faults.clear()
    s2 = a.socket(ws.AF_INET, ws.SOCK_STREAM, 0)
    assert a.connect(s2, ws.sockaddr("10.0.0.2", 80), 16) == 0


def test_network_down_fails_calls_with_wsaenetdown() -> None:
    """Issue 6: network down (WSAENETDOWN, the first error of every WSP function's
    table, seed 003/004); WSPStartup reports WSASYSNOTREADY (SPI-FACTS 3.1);
    network_up restores service."""
    pair = connected_tcp_pair(started_winsock())
    api, host = pair.api, pair.host
    pair.sim.faults.network_down(host)
    assert api.send(pair.client, b"x", 1, 0) == ws.SOCKET_ERROR
    assert api.WSAGetLastError() == ws.WSAENETDOWN
    errno = ctypes.c_int()
    assert host.provider.WSPRecvDisconnect(pair.server, None, errno) == ws.SOCKET_ERROR
    assert errno.value == ws.WSAENETDOWN
    assert host.new_process().WSAStartup(0x0202, ws.WSADATA()) == ws.WSASYSNOTREADY
    pair.sim.faults.network_up(host)
    assert api.send(pair.client, b"x", 1, 0) == 1
    check_invariants(pair.sim)


def test_fail_call_on_the_nth_call() -> None:
    """Issue 6: force an error on the Nth call of a kind: the 3rd WSPRecv fails
    with the chosen error and the others work; with repeat every later call."""
    pair = connected_tcp_pair(started_winsock())
    api = pair.api
    rule = pair.sim.faults.fail_call("WSPRecv", nth=3, error=ws.WSAECONNABORTED)
    results = []
    for _ in range(5):
        api.send(pair.client, b"a", 1, 0)
        results.append(api.recv(pair.server, bytearray(1), 1, 0))
    assert results == [1, 1, ws.SOCKET_ERROR, 1, 1]
    assert rule.fired == 1
    rule.remove()
    pair.sim.faults.fail_call("WSPSend", nth=2, error=ws.WSAENOBUFS, repeat=True)
    sends = [api.send(pair.client, b"b", 1, 0) for _ in range(4)]
    assert sends == [1, ws.SOCKET_ERROR, ws.SOCKET_ERROR, ws.SOCKET_ERROR]
    assert api.WSAGetLastError() == ws.WSAENOBUFS


def test_a_failed_overlapped_call_never_completes() -> None:
    """SPI-FACTS 3.4: an overlapped call that fails with anything but
    WSA_IO_PENDING started no request, so no completion follows -- also when the
    failure is injected."""
    pair = connected_tcp_pair(started_winsock())
    api = pair.api
    port = api.CreateIoCompletionPort(pair.server, None, 1, 0)
    pair.sim.faults.fail_call("WSPRecv", error=ws.WSAENETRESET)
    ov = ws.WSAOVERLAPPED()
    rc = api.WSARecv(pair.server, [ws.WSABUF(4, bytearray(4))], 1, ctypes.c_ulong(), ctypes.c_ulong(0), ov, None)
    assert rc == ws.SOCKET_ERROR and api.WSAGetLastError() == ws.WSAENETRESET
    api.send(pair.client, b"data", 4, 0)

    class Out:
        value: Any = None

    out = Out()
    assert api.GetQueuedCompletionStatus(port, ctypes.c_ulong(), ctypes.c_uint64(), out, 0) == ws.FALSE
    assert out.value is None


def test_reset_connection_resets_both_ends() -> None:
    """Issue 6: reset a connection: both ends see the reset (bytes sent are
    received or reported reset); unrelated connections are untouched."""
    api = started_winsock()
    p1 = connected_tcp_pair(api)
    p2 = connected_tcp_pair(api)
    port1 = ws.parse_sockaddr(_sockname(api, p1.server))[2]
    assert api.send(p1.client, b"lost", 4, 0) == 4
    assert api.sim.faults.reset_connection(("127.0.0.1", port1)) == 1
    for h in (p1.client, p1.server):
        assert api.recv(h, bytearray(8), 8, 0) == ws.SOCKET_ERROR
        assert api.WSAGetLastError() == ws.WSAECONNRESET
    assert api.send(p2.client, b"ok", 2, 0) == 2
    assert api.recv(p2.server, bytearray(2), 2, 0) == 2
    assert api.sim.faults.history[-1].kind == "reset"
    check_invariants(api.sim)


def _sockname(api: Any, s: int) -> bytes:
    buf, n = bytearray(28), ctypes.c_int(28)
    assert api.getsockname(s, buf, n) == 0
    return bytes(buf[: n.value])


def test_bad_fault_arguments_name_the_parameter() -> None:
    """DESIGN 2 applied to the kit: bad arguments raise a clear TypeError /
    ValueError naming the parameter."""
    f = ws.Simulator().faults
    with pytest.raises(ValueError, match="probability"):
        f.drop(probability=1.5)
    with pytest.raises(TypeError, match="dst"):
        f.drop(dst=12)
    with pytest.raises(ValueError, match="name"):
        f.fail_call("recv")
    with pytest.raises(ValueError, match="nth"):
        f.fail_call("WSPRecv", nth=0)
    with pytest.raises(ValueError, match="seconds"):
        f.delay(-1)
    with pytest.raises(TypeError, match="host"):
        f.network_down("10.0.0.1")  # type: ignore[arg-type]


def _faulty_world() -> Any:
    sim = ws.Simulator(seed=3)
    sim.faults.drop(probability=0.2)
    sim.faults.duplicate(probability=0.2)
    sim.faults.reorder(probability=0.3)
    sim.faults.delay(0.001, probability=0.2)
    return sim


TestDatagramsUnderFaults = DatagramMachine.with_factory(_faulty_world).TestCase
TestDatagramsUnderFaults.settings = settings(max_examples=25, stateful_step_count=30, deadline=None)
TestDatagramsUnderFaults.__doc__ = """Issue 6: the datagram state machine's invariants (every datagram received
was sent, whole, to that socket; duplicates only under a duplicate fault) hold
while drop, duplicate, reorder and delay faults fire."""


# -- latency on stream connections (issue 6: latency per link; DESIGN 3) ---------------


D = 0.010


def _latent_pair(seed: int = 0, trace: bool = False, rcvbuf: int | None = None) -> Any:
    """A TCP pair from 10.0.0.1 (client) to 10.0.0.2 (listener, server) over a
    link with one-way latency D, made by blocking connect and accept."""
    sim = ws.Simulator(seed=seed, trace=trace)
    b = started_winsock(sim, "10.0.0.2")
    a = started_winsock(sim, "10.0.0.1")
    sim.faults.latency("10.0.0.1", "10.0.0.2", D)
    return connected_tcp_pair(b, a, ip="10.0.0.2")


def _nb(api: Any, s: int) -> None:
    assert api.ioctlsocket(s, ws.FIONBIO, ctypes.c_ulong(1)) == 0


def test_stream_data_arrives_after_exactly_the_link_latency() -> None:
    """Issue 6: latency per link; DESIGN 3 ("Data moves at once (zero latency)
    unless a fault or latency rule says otherwise"): bytes sent over a link with
    latency d reach the peer's buffer d virtual seconds later, and each delayed
    delivery is recorded as a fault."""
    pair = _latent_pair()
    sim, a, b = pair.sim, pair.api2, pair.api
    _nb(b, pair.server)
    assert a.send(pair.client, b"hello", 5, 0) == 5
    sent = sim.now
    buf = bytearray(8)
    assert b.recv(pair.server, buf, 8, 0) == ws.SOCKET_ERROR and b.WSAGetLastError() == ws.WSAEWOULDBLOCK
    sim.advance(D / 2)
    assert b.recv(pair.server, buf, 8, 0) == ws.SOCKET_ERROR
    sim.advance(D / 2)
    assert sim.now == pytest.approx(sent + D)
    assert b.recv(pair.server, buf, 8, 0) == 5 and bytes(buf[:5]) == b"hello"
    rec = [r for r in sim.faults.history if r.kind == "latency" and r.fields["what"] == "data"]
    assert rec and rec[-1].fields["size"] == 5 and rec[-1].fields["seconds"] == D
    # the other direction too, and a blocking receive waits in virtual time
    assert b.send(pair.server, b"back", 4, 0) == 4
    t0 = sim.now
    assert a.recv(pair.client, buf, 8, 0) == 4 and sim.now == pytest.approx(t0 + D)
    check_invariants(sim)


def test_stream_latency_respects_the_receive_window() -> None:
    """Issue 6: bytes in flight count against the receiver's window like the send
    queue does: nothing is lost or reordered, and the sender meets "window full"
    only when buffer, flight and send queue are full."""
    pair = _latent_pair()
    sim, a, b = pair.sim, pair.api2, pair.api
    for api, h in ((a, pair.client), (b, pair.server)):
        _nb(api, h)
    size = ctypes.c_int(1000)
    assert b.setsockopt(pair.server, ws.SOL_SOCKET, ws.SO_RCVBUF, size, 4) == 0
    assert a.setsockopt(pair.client, ws.SOL_SOCKET, ws.SO_SNDBUF, size, 4) == 0
    data = bytes(i % 251 for i in range(5000))
    sent = 0
    full = 0
    got = bytearray()
    for _ in range(200):
        if sent < len(data):
            r = a.send(pair.client, data[sent:], len(data) - sent, 0)
            if r == ws.SOCKET_ERROR:
                assert a.WSAGetLastError() == ws.WSAEWOULDBLOCK
                full += 1
            else:
                sent += r
        buf = bytearray(300)
        r = b.recv(pair.server, buf, 300, 0)
        if r != ws.SOCKET_ERROR:
            got += buf[:r]
        for host in sim.hosts:
            for sock in host.provider.table.values():
                e = sock.ep
                if e.stream and e.peer is not None and e.lat is not None:
                    assert len(e.peer.rbuf) + e.lat.flight <= e.peer.rcap
        if len(got) == len(data):
            break
        sim.advance(D / 4)
    assert bytes(got) == data and full > 0
    check_invariants(sim)


def test_stream_latency_keeps_data_before_fin() -> None:
    """Issue 6 / DESIGN 3: FIN follows the data over a link with latency: the
    peer reads every byte, then 0, and not before the data has arrived."""
    pair = _latent_pair()
    sim, a, b = pair.sim, pair.api2, pair.api
    _nb(b, pair.server)
    assert a.send(pair.client, b"last words", 10, 0) == 10
    assert a.shutdown(pair.client, ws.SD_SEND) == 0
    buf = bytearray(16)
    assert b.recv(pair.server, buf, 16, 0) == ws.SOCKET_ERROR and b.WSAGetLastError() == ws.WSAEWOULDBLOCK
    sim.advance(D)
    assert b.recv(pair.server, buf, 16, 0) == 10 and bytes(buf[:10]) == b"last words"
    assert b.recv(pair.server, buf, 16, 0) == 0
    whats = [r.fields["what"] for r in sim.faults.history if r.kind == "latency"]
    assert whats[-2:] == ["data", "fin"]


def test_blocking_connect_over_a_link_with_latency_takes_a_round_trip() -> None:
    """Issue 6: a connect over a link with latency d completes after one round
    trip (2d) of virtual time; the listener sees the connection after d."""
    sim = ws.Simulator()
    b = started_winsock(sim, "10.0.0.2")
    a = started_winsock(sim, "10.0.0.1")
    sim.faults.latency("10.0.0.1", "10.0.0.2", D)
    lst = b.socket(ws.AF_INET, ws.SOCK_STREAM, 0)
    assert b.bind(lst, ws.sockaddr("10.0.0.2", 80), 16) == 0 and b.listen(lst, 5) == 0
    s = a.socket(ws.AF_INET, ws.SOCK_STREAM, 0)
    t0 = sim.now
    assert a.connect(s, ws.sockaddr("10.0.0.2", 80), 16) == 0
    assert sim.now == pytest.approx(t0 + 2 * D)
    # refused: the RST comes back after the round trip as well
    s2 = a.socket(ws.AF_INET, ws.SOCK_STREAM, 0)
    t1 = sim.now
    assert a.connect(s2, ws.sockaddr("10.0.0.2", 81), 16) == ws.SOCKET_ERROR
    assert a.WSAGetLastError() == ws.WSAECONNREFUSED
    assert sim.now == pytest.approx(t1 + 2 * D)
    check_invariants(sim)


def test_nonblocking_connect_over_a_link_with_latency_stays_connecting() -> None:
    """Issue 6: a nonblocking connect over a link with latency stays in progress
    (WSAEALREADY on a second connect) and reports FD_CONNECT after 2d; the
    listener's FD_ACCEPT comes after d."""
    sim = ws.Simulator()
    b = started_winsock(sim, "10.0.0.2")
    a = started_winsock(sim, "10.0.0.1")
    sim.faults.latency("10.0.0.1", "10.0.0.2", D)
    lst = b.socket(ws.AF_INET, ws.SOCK_STREAM, 0)
    assert b.bind(lst, ws.sockaddr("10.0.0.2", 80), 16) == 0 and b.listen(lst, 5) == 0
    _nb(b, lst)
    s = a.socket(ws.AF_INET, ws.SOCK_STREAM, 0)
    _nb(a, s)
    ev = a.WSACreateEvent()
    assert a.WSAEventSelect(s, ev, ws.FD_CONNECT) == 0
    name = ws.sockaddr("10.0.0.2", 80)
    t0 = sim.now
    assert a.connect(s, name, 16) == ws.SOCKET_ERROR and a.WSAGetLastError() == ws.WSAEWOULDBLOCK
    assert a.connect(s, name, 16) == ws.SOCKET_ERROR and a.WSAGetLastError() == ws.WSAEALREADY
    assert b.accept(lst, None, None) == ws.INVALID_SOCKET and b.WSAGetLastError() == ws.WSAEWOULDBLOCK
    sim.advance(D)
    srv = b.accept(lst, None, None)
    assert srv != ws.INVALID_SOCKET
    assert a.WSAWaitForMultipleEvents(1, [ev], False, 0, False) == ws.WSA_WAIT_TIMEOUT
    assert a.WSAWaitForMultipleEvents(1, [ev], False, ws.WSA_INFINITE, False) == 0
    assert sim.now == pytest.approx(t0 + 2 * D)
    events = ws.WSANETWORKEVENTS()
    assert a.WSAEnumNetworkEvents(s, ev, events) == 0
    assert events.lNetworkEvents & ws.FD_CONNECT and events.iErrorCode[ws.FD_CONNECT_BIT] == 0
    assert a.connect(s, name, 16) == ws.SOCKET_ERROR and a.WSAGetLastError() == ws.WSAEISCONN
    whats = [r.fields["what"] for r in sim.faults.history if r.kind == "latency"]
    assert whats == ["syn", "syn-ack"]


def test_reset_over_a_link_with_latency_arrives_after_the_data() -> None:
    """Issue 6: RST is delivered after d, behind the data sent before it; when
    it arrives it discards what the receiver has not read (as with zero latency)."""
    pair = _latent_pair()
    sim, a, b = pair.sim, pair.api2, pair.api
    _nb(b, pair.server)
    assert a.send(pair.client, b"first", 5, 0) == 5
    sim.advance(D / 2)
    assert a.setsockopt(pair.client, ws.SOL_SOCKET, ws.SO_LINGER, ws.linger(1, 0), 4) == 0
    assert a.closesocket(pair.client) == 0  # abortive: RST
    sim.advance(D / 2)  # the data is there, the RST still on its way
    buf = bytearray(8)
    assert b.recv(pair.server, buf, 3, 0) == 3 and bytes(buf[:3]) == b"fir"
    sim.advance(D / 2)  # the RST arrives: "st" is discarded
    assert b.recv(pair.server, buf, 8, 0) == ws.SOCKET_ERROR and b.WSAGetLastError() == ws.WSAECONNRESET
    whats = [r.fields["what"] for r in sim.faults.history if r.kind == "latency"]
    assert whats[-2:] == ["data", "rst"]
    check_invariants(sim)


def test_overlapped_receive_completes_when_delayed_data_lands() -> None:
    """Issue 6: an overlapped receive pending on the receiver completes when the
    delayed data arrives, d after the send."""
    pair = _latent_pair()
    sim, a, b = pair.sim, pair.api2, pair.api
    port = b.CreateIoCompletionPort(pair.server, None, 7, 0)
    ov = ws.WSAOVERLAPPED()
    buf = bytearray(8)
    rc = b.WSARecv(pair.server, [ws.WSABUF(8, buf)], 1, ctypes.c_ulong(), ctypes.c_ulong(0), ov, None)
    assert rc == ws.SOCKET_ERROR and b.WSAGetLastError() == ws.WSA_IO_PENDING
    assert a.send(pair.client, b"late", 4, 0) == 4
    t0 = sim.now
    n, key = ctypes.c_ulong(), ctypes.c_uint64()

    class Out:
        value: Any = None

    out = Out()
    assert b.GetQueuedCompletionStatus(port, n, key, out, 0) == ws.FALSE
    assert b.GetQueuedCompletionStatus(port, n, key, out, ws.INFINITE) == ws.TRUE
    assert sim.now == pytest.approx(t0 + D)
    assert n.value == 4 and key.value == 7 and bytes(buf[:4]) == b"late"


def test_linger_waits_for_data_in_flight() -> None:
    """Issue 6: linger at close counts bytes in flight as unsent until they are
    delivered: a blocking close with SO_LINGER {1, n} returns after d."""
    pair = _latent_pair()
    sim, a, b = pair.sim, pair.api2, pair.api
    assert a.setsockopt(pair.client, ws.SOL_SOCKET, ws.SO_LINGER, ws.linger(1, 5), 4) == 0
    assert a.send(pair.client, b"bye", 3, 0) == 3
    t0 = sim.now
    assert a.closesocket(pair.client) == 0
    assert sim.now == pytest.approx(t0 + D)
    buf = bytearray(8)
    assert b.recv(pair.server, buf, 8, 0) == 3 and bytes(buf[:3]) == b"bye"
    assert b.recv(pair.server, buf, 8, 0) == 0


def _latent_trace(seed: int) -> list[tuple[Any, ...]]:
    pair = _latent_pair(seed=seed, trace=True)
    sim, a, b = pair.sim, pair.api2, pair.api
    for i in range(5):
        assert a.send(pair.client, bytes([i]) * 100, 100, 0) == 100
        sim.advance(D / 3)
    buf = bytearray(1000)
    got = 0
    while got < 500:
        got += b.recv(pair.server, buf, 1000, 0)
    assert sim.tracer is not None
    faults = [(e.time, sorted(e.fields.items())) for e in sim.tracer.of_kind("fault")]
    return [(r.kind, r.time, sorted(r.fields.items())) for r in sim.faults.history] + faults


def test_stream_latency_is_deterministic() -> None:
    """Issue 6 ("seeded and recorded in the trace"): two runs of the same script
    with the same seed record the same delayed deliveries at the same times."""
    first = _latent_trace(5)
    assert first and first == _latent_trace(5)
