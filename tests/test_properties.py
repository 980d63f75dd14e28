"""Hypothesis properties of the socket API (both profiles):

* stream bytes are conserved and in order through random send/recv sizes,
  WSABUF splits and window-full partial sends on nonblocking sockets;
* datagrams arrive whole, or truncated with WSAEMSGSIZE, never reordered;
* random create / close / duplicate sequences never resurrect a handle, and
  handle values are never reissued.

Sources: DESIGN 3 ("receive buffers and windows are bounded ... a sender can
meet WSAEWOULDBLOCK"), the team rule "bytes sent are received or reported
reset", SPI-FACTS 3.6 (datagram truncation: WSAEMSGSIZE, the rest is lost; W83),
SPI-FACTS 3.7 (a closed descriptor is gone: WSAENOTSOCK; a duplicate keeps the
socket) and seed 004.
"""

from __future__ import annotations

import ctypes
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    initialize,
    invariant,
    rule,
)
from sockapi_helpers import (
    PROFILES,
    bind,
    err,
    pair,
    set_nonblocking,
    setopt_int,
    sockname,
    udp,
    world,
)

import wsspi_sim as ws

ERR = ws.SOCKET_ERROR

stream_ops = st.lists(
    st.one_of(
        st.tuples(st.just("send"), st.lists(st.integers(0, 700), min_size=1, max_size=3)),
        st.tuples(st.just("recv"), st.lists(st.integers(1, 700), min_size=1, max_size=3)),
    ),
    max_size=40,
)


def payload(n: int, start: int) -> bytes:
    """Distinct, position-dependent bytes, so reordering or loss shows."""
    return bytes((start + i) * 7 % 251 for i in range(n))


@given(
    profile=st.sampled_from(PROFILES),
    rcvbuf=st.integers(1, 2048),
    sndbuf=st.integers(0, 2048),
    ops=stream_ops,
)
def test_stream_bytes_are_conserved_in_order(profile: str, rcvbuf: int, sndbuf: int, ops: list[Any]) -> None:
    """DESIGN 3 and "bytes sent are received": whatever the send and receive sizes
    (gathered from and scattered into several WSABUFs), with small windows and
    nonblocking sockets, the receiver reads exactly the bytes the sender's calls
    reported sent, in order; a send that takes nothing fails WSAEWOULDBLOCK; a
    partial send reports what it took; after a graceful close the receiver reads
    everything and then 0."""
    sim, host, api = world(profile)
    lst, tx, rx = pair(api)
    assert setopt_int(api, rx, ws.SO_RCVBUF, rcvbuf) == 0
    assert setopt_int(api, tx, ws.SO_SNDBUF, sndbuf) == 0
    set_nonblocking(api, tx)
    set_nonblocking(api, rx)
    sent = bytearray()
    received = bytearray()
    for kind, sizes in ops:
        if kind == "send":
            chunk = payload(sum(sizes), len(sent))
            bufs, pos = [], 0
            for n in sizes:
                bufs.append(ws.WSABUF(n, chunk[pos : pos + n]))
                pos += n
            count = ctypes.c_ulong(0xFFFF)
            rc = api.WSASend(tx, bufs, len(bufs), count, 0, None, None)
            if rc == ERR:
                assert err(api) == ws.WSAEWOULDBLOCK and len(chunk) > 0
            else:
                assert 0 <= count.value <= len(chunk)
                assert count.value == len(chunk) or count.value > 0
                sent += chunk[: count.value]
        else:
            views = [bytearray(n) for n in sizes]
            got, flags = ctypes.c_ulong(0xFFFF), ctypes.c_ulong(0)
            rc = api.WSARecv(rx, [ws.WSABUF(n, v) for n, v in zip(sizes, views, strict=True)], len(views), got, flags, None, None)
            if rc == ERR:
                assert err(api) == ws.WSAEWOULDBLOCK
                assert len(received) == len(sent)  # nothing is held back
            else:
                assert 0 < got.value <= sum(sizes)
                received += b"".join(views)[: got.value]
        assert received == sent[: len(received)]  # an in-order prefix, always
        pending = ctypes.c_ulong()
        assert api.ioctlsocket(rx, ws.FIONREAD, pending) == 0
        assert pending.value <= max(rcvbuf, 1)
    assert api.closesocket(tx) == 0
    while True:
        buf = bytearray(4096)
        n = api.recv(rx, buf, 4096, 0)
        assert n != ERR, err(api)
        if n == 0:
            break
        received += buf[:n]
    assert received == sent


datagrams = st.lists(st.tuples(st.integers(0, 300), st.integers(0, 300)), max_size=30)


@given(profile=st.sampled_from(PROFILES), rcvbuf=st.integers(1, 4000), items=datagrams)
def test_datagrams_whole_or_truncated_never_reordered(profile: str, rcvbuf: int, items: list[tuple[int, int]]) -> None:
    """SPI-FACTS 3.6 / W83: each receive takes the next datagram -- whole when it
    fits, else its first bytes with WSAEMSGSIZE and the rest lost; datagrams are
    never reordered or merged; a full receive buffer may drop whole datagrams
    (transport model), and with room for all of them none is lost."""
    sim, host, api = world(profile)
    tx, rx = udp(api), udp(api)
    assert setopt_int(api, rx, ws.SO_RCVBUF, rcvbuf) == 0
    assert bind(api, rx) == 0
    set_nonblocking(api, rx)
    to = ws.sockaddr("127.0.0.1", sockname(api, rx)[2])
    sent = []
    for i, (size, _) in enumerate(items):
        d = bytes((i * 31 + k) % 256 for k in range(size))
        assert api.sendto(tx, d, len(d), 0, to, len(to)) == len(d)
        sent.append(d)
    got = []
    next_index = 0
    for _size, bufsize in items + [(0, 400)] * (len(items) + 1):
        buf = bytearray(bufsize)
        n = api.recv(rx, buf, bufsize, 0)
        if n == ERR and err(api) == ws.WSAEWOULDBLOCK:
            break
        truncated = n == ERR
        if truncated:
            assert err(api) == ws.WSAEMSGSIZE
            n = bufsize
        data = bytes(buf[:n])
        # Find it among the datagrams not yet received, in order.
        while next_index < len(sent) and not (
            sent[next_index] == data or (truncated and sent[next_index][:n] == data and len(sent[next_index]) > n)
        ):
            next_index += 1
        assert next_index < len(sent), "a datagram arrived out of order, merged or altered"
        got.append(next_index)
        next_index += 1
    assert got == sorted(got)
    if sum(len(d) for d in sent) <= rcvbuf:
        assert got == list(range(len(sent)))


class HandleLifecycle(RuleBasedStateMachine):
    """Random create / duplicate / close sequences (SPI-FACTS 3.7, seed 004)."""

    live = Bundle("live")

    def __init__(self) -> None:
        super().__init__()
        self.types: dict[int, int] = {}
        self.closed: set[int] = set()
        self.issued: list[int] = []

    @initialize(profile=st.sampled_from(PROFILES))
    def start(self, profile: str) -> None:
        self.sim, self.host, self.api = world(profile)

    def _new(self, h: int, stype: int) -> int:
        assert h != ws.INVALID_SOCKET, err(self.api)
        assert h not in self.issued, "a handle value was reissued"
        assert not self.issued or h > max(self.issued), "handles are not monotonic"
        self.issued.append(h)
        self.types[h] = stype
        return h

    @rule(target=live, stype=st.sampled_from([ws.SOCK_STREAM, ws.SOCK_DGRAM]))
    def create(self, stype: int) -> int:
        proto = ws.IPPROTO_TCP if stype == ws.SOCK_STREAM else ws.IPPROTO_UDP
        return self._new(self.api.socket(ws.AF_INET, stype, proto), stype)

    @rule(target=live, h=live)
    def duplicate(self, h: int) -> int:
        info = ws.WSAPROTOCOL_INFOW()
        assert self.api.WSADuplicateSocketW(h, self.api.GetCurrentProcessId(), info) == 0, err(self.api)
        new = self.api.WSASocketW(ws.FROM_PROTOCOL_INFO, ws.FROM_PROTOCOL_INFO, ws.FROM_PROTOCOL_INFO, info, 0, 0)
        return self._new(new, self.types[h])

    @rule(h=consumes(live), hard=st.booleans())
    def close(self, h: int, hard: bool) -> None:
        if hard:
            errno = ctypes.c_int()
            assert self.host.provider.WSPCloseSocket(h, errno) == 0
        else:
            assert self.api.closesocket(h) == 0, err(self.api)
        self.closed.add(h)
        del self.types[h]

    @rule(h=live)
    def bind_it(self, h: int) -> None:
        # Binding one descriptor binds the shared socket; a second bind is WSAEINVAL.
        rc = bind(self.api, h)
        assert rc == 0 or err(self.api) == ws.WSAEINVAL

    @invariant()
    def closed_handles_stay_dead(self) -> None:
        for h in self.closed:
            buf = bytearray(4)
            assert self.api.getsockopt(h, ws.SOL_SOCKET, ws.SO_TYPE, buf, ctypes.c_int(4)) == ERR
            assert err(self.api) == ws.WSAENOTSOCK
            assert self.api.closesocket(h) == ERR and err(self.api) == ws.WSAENOTSOCK

    @invariant()
    def live_handles_work(self) -> None:
        for h, stype in self.types.items():
            buf = bytearray(4)
            assert self.api.getsockopt(h, ws.SOL_SOCKET, ws.SO_TYPE, buf, ctypes.c_int(4)) == 0, err(self.api)
            assert int.from_bytes(buf, "little") == stype


TestHandleLifecycle = HandleLifecycle.TestCase
