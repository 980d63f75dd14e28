"""The switch's fast paths change nothing but speed (issue 7).

Source: issue 7 item 2 -- the hot paths are made fast "by design ... not by
skipping the validation Windows performs"; ws2/sockets.py and
provider/fast.py promise that a fast path handles only calls the general path
would complete at once, does what it does, and hands every other call back
before changing anything.

The check is differential: two identical worlds run the same random sequence
of send / recv / sendto / recvfrom (with odd buffers, lengths, flags and
addresses; urgent data and SO_OOBINLINE among them) interleaved with
shutdowns, option changes and hard closes; one
world has its fast paths switched off.  Every return value, last error,
exception, output buffer, address length and socket state must agree.
"""

from __future__ import annotations

import ctypes
import struct
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import wsspi_sim as ws
from wsspi_sim.ws2 import sockets as ws2_sockets

PORTS = (7001, 7002, 7003)


class World:
    """A started host with a connected TCP pair and two bound UDP sockets."""

    def __init__(self, profile: str, fast: bool) -> None:
        self.sim = ws.Simulator(profile=profile)
        self.host = self.sim.add_host("10.0.0.1", "fd00::1")
        api = self.api = self.host.ws2
        assert api.WSAStartup(0x0202, ws.WSADATA()) == 0
        if not fast:
            for attr in ("_fast_send", "_fast_recv", "_fast_sendto", "_fast_recvfrom"):
                setattr(api, attr, ws2_sockets._NO_FAST)
        lst = api.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP)
        assert api.bind(lst, ws.sockaddr("127.0.0.1", PORTS[0]), 16) == 0
        assert api.listen(lst, 1) == 0
        c = api.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP)
        assert api.connect(c, ws.sockaddr("127.0.0.1", PORTS[0]), 16) == 0
        s = api.accept(lst, None, None)
        u1 = api.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP)
        u2 = api.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP)
        assert api.bind(u1, ws.sockaddr("127.0.0.1", PORTS[1]), 16) == 0
        assert api.bind(u2, ws.sockaddr("127.0.0.1", PORTS[2]), 16) == 0
        u3 = api.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP)  # never bound
        self.socks = [c, s, u1, u2, u3, lst, 0xDEAD]
        for h in self.socks[:6]:
            assert api.ioctlsocket(h, ws.FIONBIO, ctypes.c_ulong(1)) == 0  # never block

    def state(self) -> list[Any]:
        """What the provider holds for every socket: state, buffered data, queues."""
        out: list[Any] = []
        for h in self.socks:
            sock = self.host.provider.table.get(h)
            if sock is None:
                out.append(None)
                continue
            ep = sock.ep
            urg = ep.urg
            out.append((
                sock.state.name, bytes(ep._rbuf or b""), bytes(ep._sndq or b""),
                [(bytes(d), a) for d, a in (ep._dgrams or ())], ep.fin_in, ep.rst_in,
                sock.ev_record, sock.reset_error,
                None if urg is None else (urg.out, urg.held, urg.marks),
            ))  # fmt: skip
        return out


def _buffer(kind: str, data: bytes) -> Any:
    if kind == "bytes":
        return bytes(data)
    if kind == "bytearray":
        return bytearray(data)
    if kind == "mv":
        return memoryview(bytes(data))
    if kind == "mv_slice":
        return memoryview(bytes(data) + b"tail")[: len(data)]
    if kind == "mv_strided":
        return memoryview(bytes(data) * 2)[::2]
    if kind == "mv_int":
        return memoryview(bytearray(data) + bytearray(-len(data) % 4)).cast("I")
    if kind == "str":
        return data.decode("latin-1")
    return None


_ADDRS = {
    "u1": ws.sockaddr("127.0.0.1", PORTS[1]),
    "u2": ws.sockaddr("127.0.0.1", PORTS[2]),
    "nobody": ws.sockaddr("127.0.0.1", 9),
    "port0": ws.sockaddr("127.0.0.1", 0),
    "any": ws.sockaddr("0.0.0.0", PORTS[2]),
    "v6": ws.sockaddr("::1", PORTS[2]),
    "short": ws.sockaddr("127.0.0.1", PORTS[2])[:8],
    "family9": b"\x09\x00" + bytes(14),
}

# Most calls are plausible ones (the kind the fast paths take); the rest come
# from the whole hostile space, so the hand-back to the general path is tested.
sock_idx = st.sampled_from([0, 1, 2, 3] * 4 + [4, 5, 6])
flags_st = st.sampled_from([0, ws.MSG_PEEK, ws.MSG_OOB, 0x40000, True, -1])
buf_kinds = st.sampled_from(["bytes", "bytearray", "mv", "mv_slice", "mv_strided", "mv_int", "str", "none"])
len_delta = st.sampled_from([0, -1, 1, -100])
payload = st.one_of(st.binary(min_size=1, max_size=40), st.just(b""))
size = st.one_of(st.integers(1, 50), st.just(0))


def _data_op(name: str, good_kinds: list[str], extra: tuple[Any, ...]) -> Any:
    data = payload if name.startswith("send") else size
    own = st.sampled_from([0, 1] if name in ("send", "recv") else [2, 3])  # the right kind of socket
    plausible = st.tuples(
        st.just(name), own, st.sampled_from(good_kinds), data, st.just(0), st.just(0), *extra
    )
    hostile = st.tuples(st.just(name), sock_idx, buf_kinds, data, len_delta, flags_st, *extra)
    return st.one_of(plausible, plausible, plausible, hostile)


_addr_choice = st.sampled_from(sorted(_ADDRS) + ["u1", "u2"] * 4)
_addr_form = st.sampled_from(["exact"] * 4 + ["bytearray", "long", "short"])
_from_mode = st.sampled_from(["none", "ok", "ok", "ok", "small", "no_len", "len_only", "big"])
data_ops = [
    _data_op("send", ["bytes", "bytearray", "mv"], ()),
    _data_op("recv", ["bytearray"], ()),
    _data_op("sendto", ["bytes", "bytearray", "mv"], (_addr_choice, _addr_form)),
    _data_op("recvfrom", ["bytearray"], (_from_mode,)),
]
#: Urgent data (MSG_OOB on the TCP pair) and SO_OOBINLINE: a receive must not
#: span an urgent mark, which only the general path knows about.
urgent_ops = [
    st.tuples(st.just("send"), st.sampled_from([0, 1]), st.just("bytes"), payload, st.just(0), st.just(ws.MSG_OOB)),
    st.tuples(st.just("recv"), st.sampled_from([0, 1]), st.just("bytearray"), size, st.just(0), st.just(ws.MSG_OOB)),
    st.tuples(st.just("oobinline"), st.sampled_from([0, 1]), st.integers(0, 1)),
]
#: A send and the receive that takes it (either direction), so data is there to read.
xfer_ops = [
    st.tuples(st.just("xfer"), st.sampled_from([(0, 1), (1, 0)]), payload, size, st.just("none")),
    st.tuples(st.just("xfer"), st.sampled_from([(2, 3), (3, 2), (2, 2)]), payload, size, _from_mode),
]
op_st = st.one_of(
    *data_ops, *data_ops, *xfer_ops, *xfer_ops, *urgent_ops,
    st.tuples(st.just("shutdown"), sock_idx, st.integers(0, 2)),
    st.tuples(st.just("shutdown"), st.sampled_from([0, 1, 2, 3]), st.integers(0, 2)),
    st.tuples(st.just("rcvbuf"), sock_idx, st.sampled_from([1, 8, 64, 65536])),
    st.tuples(st.just("hardclose"), sock_idx),
    st.tuples(st.just("eventselect"), sock_idx),
)


def _run(w: World, op: tuple[Any, ...]) -> Any:
    api, name = w.api, op[0]
    if name == "xfer":
        (src, dst), data, n, mode = op[1], op[2], op[3], op[4]
        if src in (0, 1):
            first = _run(w, ("send", src, "bytes", data, 0, 0))
            return first, _run(w, ("recv", dst, "bytearray", n, 0, 0))
        port = {2: "u1", 3: "u2"}[dst]
        first = _run(w, ("sendto", src, "bytes", data, 0, 0, port, "exact"))
        return first, _run(w, ("recvfrom", dst, "bytearray", n, 0, 0, mode))
    h = w.socks[op[1]]
    if name in ("send", "recv", "sendto", "recvfrom"):
        kind, payload, delta, flags = op[2], op[3], op[4], op[5]
        if name in ("recv", "recvfrom"):
            payload = bytes(payload)  # a size
        buf = _buffer(kind, payload)
        size = len(payload) if isinstance(payload, bytes) else 0
        n = max(0, size + delta) if delta != -100 else -5
        if name == "send":
            rc = api.send(h, buf, n, flags)
            return rc, api.WSAGetLastError()
        if name == "sendto":
            addr, form = _ADDRS[op[6]], op[7]
            to: Any = {"exact": addr, "bytearray": bytearray(addr), "long": addr + bytes(4), "short": addr}[form]
            tolen = {"exact": len(addr), "bytearray": len(addr), "long": len(addr) + 4, "short": 8}[form]
            rc = api.sendto(h, buf, n, flags, to, tolen)
            return rc, api.WSAGetLastError()
        out = bytearray(op[3]) if kind == "bytearray" else buf
        if name == "recv":
            rc = api.recv(h, out, op[3] + (delta if delta != -100 else -op[3] - 5), flags)
            return rc, api.WSAGetLastError(), bytes(out) if isinstance(out, bytearray) else None
        mode = op[6]
        frm: Any = {"none": None, "ok": bytearray(16), "small": bytearray(16), "no_len": bytearray(16),
                    "len_only": None, "big": bytearray(28)}[mode]  # fmt: skip
        flen: Any = {"none": None, "ok": ctypes.c_int(16), "small": ctypes.c_int(8), "no_len": None,
                     "len_only": ctypes.c_int(16), "big": ctypes.c_int(28)}[mode]  # fmt: skip
        rc = api.recvfrom(h, out, op[3] + (delta if delta != -100 else -op[3] - 5), flags, frm, flen)
        return (
            rc, api.WSAGetLastError(), bytes(out) if isinstance(out, bytearray) else None,
            bytes(frm) if frm is not None else None, flen.value if flen is not None else None,
        )
    if name == "shutdown":
        return api.shutdown(h, op[2]), api.WSAGetLastError()
    if name == "oobinline":
        return api.setsockopt(h, ws.SOL_SOCKET, ws.SO_OOBINLINE, struct.pack("<i", op[2]), 4), api.WSAGetLastError()
    if name == "rcvbuf":
        return api.setsockopt(h, ws.SOL_SOCKET, ws.SO_RCVBUF, struct.pack("<i", op[2]), 4), api.WSAGetLastError()
    if name == "hardclose":
        errno = ctypes.c_int()
        return w.host.provider.WSPCloseSocket(h, errno), errno.value
    ev = api.WSACreateEvent()
    return api.WSAEventSelect(h, ev, ws.FD_READ | ws.FD_WRITE | ws.FD_CLOSE), api.WSAGetLastError()


def _outcome(w: World, op: tuple[Any, ...]) -> Any:
    try:
        result = _run(w, op)
    except (TypeError, ValueError, ws.SimulationDeadlock) as e:
        result = (type(e).__name__, str(e))
    return result, w.state()


@settings(max_examples=200, deadline=None)
@given(ops=st.lists(op_st, min_size=8, max_size=40), profile=st.sampled_from(["documented", "windows"]))
def test_fast_paths_behave_exactly_like_the_general_paths(ops: list[tuple[Any, ...]], profile: str) -> None:
    """Issue 7: same calls, same results, with and without the fast paths."""
    fast, slow = World(profile, True), World(profile, False)
    assert fast.api._fast_send is not ws2_sockets._NO_FAST  # the fast world really is fast
    for i, op in enumerate(ops):
        assert _outcome(fast, op) == _outcome(slow, op), f"step {i}: {op!r}"


def test_fast_paths_step_aside_for_a_wrapped_proc_table() -> None:
    """Issue 7 / DESIGN 1: the switch dispatches through its proc table.  When an
    entry is replaced (a layered provider, a fault or trace wrapper), send()
    reaches the replacement, not the fast path."""
    w = World("documented", True)
    calls: list[str] = []
    raw = w.api.procs.lpWSPSend

    def interposed(*args: Any) -> Any:
        calls.append("WSPSend")
        return raw(*args)

    w.api.procs.lpWSPSend = interposed
    c, s = w.socks[0], w.socks[1]
    assert w.api.send(c, b"abc", 3, 0) == 3
    assert calls == ["WSPSend"]
    buf = bytearray(3)
    assert w.api.recv(s, buf, 3, 0) == 3 and buf == b"abc"


@pytest.mark.parametrize("trace", [True, False])
def test_fast_paths_only_without_wrappers(trace: bool) -> None:
    """Issue 7: with tracing on, the proc table is wrapped and the fast paths are
    off (every call is recorded); with tracing off they are on."""
    sim = ws.Simulator(trace=trace)
    api = sim.add_host("10.0.0.1").ws2
    assert api.WSAStartup(0x0202, ws.WSADATA()) == 0
    assert (api._fast_send is ws2_sockets._NO_FAST) is trace
    assert (api._fast_recvfrom is ws2_sockets._NO_FAST) is trace
