"""Hypothesis strategies for wsspi_sim (public API).

Valid values::

    ip_addresses(), ports(), sockaddrs(), sockaddr_args()
    peer_target_names(), peer_target_name_args()
    wsabufs(), wsabuf_lists(), option_values()
    api_call_sequences()  (with run_call_sequence)

Hostile values (for fuzzing: each is what a C caller could pass and Windows
answers with an error code, or a Python misuse the simulator must reject with
a clear TypeError/ValueError)::

    malformed_sockaddr_args(), malformed_peer_target_name_args(),
    malformed_wsabuf_lists(), hostile_ints(), hostile_values()

When Hypothesis is imported it runs :func:`_hypothesis_setup_hook` (the
``hypothesis`` entry point), which registers strategies for wsspi_sim's
structures, so ``st.from_type(ws.WSABUF)`` or ``@given(name=...)`` with a
``SOCKET_PEER_TARGET_NAME`` annotation work without importing this module.
"""

from __future__ import annotations

from typing import Any


def _hypothesis_setup_hook() -> None:
    """Register wsspi_sim's structures with ``st.register_type_strategy``.

    Called by Hypothesis (entry point ``hypothesis``) when it is imported.  The
    strategies are built lazily: each registration is a function that builds
    its strategy on first use, so importing Hypothesis stays cheap."""
    import hypothesis.strategies as hst

    from .. import structs

    def lazy(name: str) -> Any:
        # Resolved when Hypothesis first asks for the type, by which time this
        # module has finished importing (the hook may run in the middle of it).
        return lambda _t: globals()[name]()

    for cls, builder in (
        (structs.WSABUF, "wsabufs"),
        (structs.SOCKET_PEER_TARGET_NAME, "peer_target_names"),
        (structs.WSAOVERLAPPED, "_overlapped"),
        (structs.linger, "_lingers"),
        (structs.sockaddr_in, "_sockaddr_in"),
        (structs.sockaddr_in6, "_sockaddr_in6"),
        (structs.WSADATA, "_wsadata"),
        (structs.WSANETWORKEVENTS, "_networkevents"),
    ):
        hst.register_type_strategy(cls, lazy(builder))


import struct  # noqa: E402 - the hook above must exist before Hypothesis is imported
from collections.abc import Callable, Sequence  # noqa: E402

import attrs  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from .. import constants as C  # noqa: E402
from ..structs import (  # noqa: E402
    SOCKET_PEER_TARGET_NAME,
    WSABUF,
    WSADATA,
    WSANETWORKEVENTS,
    WSAOVERLAPPED,
    linger,
    sockaddr,
    sockaddr_in,
    sockaddr_in6,
)

SearchStrategy = st.SearchStrategy

# -- addresses ------------------------------------------------------------------------------
def ipv4_addresses(*, loopback: bool = True) -> SearchStrategy[str]:
    """IPv4 addresses in text form (loopback and private ones weighted in)."""
    common = ["127.0.0.1", "10.0.0.1", "10.0.0.2", "0.0.0.0", "255.255.255.255"]
    if not loopback:
        common = [a for a in common if not a.startswith("127.")]
    return st.one_of(st.sampled_from(common), st.ip_addresses(v=4).map(str))


def ipv6_addresses() -> SearchStrategy[str]:
    """IPv6 addresses in text form."""
    return st.one_of(st.sampled_from(["::1", "::", "fd00::1", "fd00::2"]), st.ip_addresses(v=6).map(str))


def ip_addresses() -> SearchStrategy[str]:
    """IPv4 or IPv6 addresses in text form."""
    return st.one_of(ipv4_addresses(), ipv6_addresses())


def ports() -> SearchStrategy[int]:
    """Port numbers 0..65535 (0, well-known and ephemeral ones weighted in)."""
    return st.one_of(st.sampled_from([0, 1, 80, 443, 5000, 49152, 65535]), st.integers(0, 65535))


def sockaddrs(family: int | None = None) -> SearchStrategy[bytes]:
    """Packed SOCKADDR_IN (16 bytes) / SOCKADDR_IN6 (28 bytes), as ``ws.sockaddr`` makes them."""
    if family == C.AF_INET:
        ips = ipv4_addresses()
    elif family == C.AF_INET6:
        ips = ipv6_addresses()
    elif family is None:
        ips = ip_addresses()
    else:
        raise ValueError(f"family must be AF_INET, AF_INET6 or None, not {family!r}")
    return st.builds(sockaddr, ips, ports())


def sockaddr_args(family: int | None = None) -> SearchStrategy[tuple[bytes, int]]:
    """(name, namelen) pairs a correct caller passes: the packed address and its size
    (or a larger buffer with its larger length)."""

    def pad(b: bytes, extra: int) -> tuple[bytes, int]:
        return b + bytes(extra), len(b) + extra

    return st.builds(pad, sockaddrs(family), st.sampled_from([0, 0, 0, 4, 100]))


def malformed_sockaddr_args() -> SearchStrategy[tuple[Any, int]]:
    """(name, namelen) pairs Windows rejects with an error code: NULL, truncated,
    unknown family, namelen too small, negative, larger than the buffer."""
    good = sockaddrs()
    return st.one_of(
        st.tuples(st.none(), st.integers(-1, 64)),
        good.flatmap(lambda b: st.tuples(st.just(b[: len(b) // 2]), st.just(len(b)))),
        good.flatmap(lambda b: st.tuples(st.just(b), st.integers(-(2**31), len(b) - 1))),
        good.flatmap(lambda b: st.tuples(st.just(b), st.integers(len(b) + 1, 2**31 - 1))),
        st.tuples(
            st.builds(lambda fam, rest: struct.pack("<H", fam) + rest, st.integers(0, 0xFFFF).filter(
                lambda f: f not in (C.AF_INET, C.AF_INET6)), st.binary(min_size=14, max_size=26)),
            st.sampled_from([16, 28]),
        ),
        st.tuples(st.binary(max_size=40), st.integers(0, 40)),
    )


# -- peer target names (seeds 000-002) ---------------------------------------------------------
_SPN_ALPHABET = st.characters(codec="utf-8", exclude_categories=["Cs"])


def peer_target_names(family: int | None = None, *, max_chars: int = 64) -> SearchStrategy[SOCKET_PEER_TARGET_NAME]:
    """Valid SOCKET_PEER_TARGET_NAME structures (default or IPsec protocol,
    a packed peer address, a name of 1..max_chars characters)."""
    names = st.one_of(
        st.sampled_from(["host/server.example.com", "http/web.example.com", "cifs/fs1", "HOST/peer"]),
        st.text(_SPN_ALPHABET, min_size=1, max_size=max_chars),
    )
    return st.builds(
        lambda proto, addr, name: SOCKET_PEER_TARGET_NAME(SecurityProtocol=proto, PeerAddress=addr, AllStrings=name),
        st.sampled_from([C.SOCKET_SECURITY_PROTOCOL_DEFAULT, C.SOCKET_SECURITY_PROTOCOL_IPSEC]),
        sockaddrs(family),
        names,
    )


def _ptn_len(p: SOCKET_PEER_TARGET_NAME) -> int:
    # Microsoft's sample: sizeof (144) + the name's bytes.
    return int(SOCKET_PEER_TARGET_NAME.SIZE + p.name_bytes())


def _ptn_min_len(p: SOCKET_PEER_TARGET_NAME) -> int:
    # The shortest PeerTargetNameLen WSASetSocketPeerTargetName accepts: sizeof
    # (144), and the declared name from offset 140 -- 4 bytes less than the
    # sample's sizeof + name bytes when the name is longer than 4 bytes.
    return max(SOCKET_PEER_TARGET_NAME.SIZE, _PTN_STRINGS + p.name_bytes())


_PTN_STRINGS = 140  # offset of AllStrings


def _units(name: str) -> int:
    # UTF-16 code units (what PeerTargetNameStringLen counts), not code points
    return len(name.encode("utf-16-le", "surrogatepass")) // 2


def peer_target_name_args(family: int | None = None) -> SearchStrategy[tuple[Any, int]]:
    """(PeerTargetName, PeerTargetNameLen) as a correct caller passes them: the
    structure or its packed bytes, and sizeof + the name's bytes."""
    return peer_target_names(family).flatmap(
        lambda p: st.tuples(st.sampled_from([p, p.pack()]), st.just(_ptn_len(p)))
    )


def malformed_peer_target_name_args() -> SearchStrategy[tuple[Any, int]]:
    """(PeerTargetName, PeerTargetNameLen) pairs that Windows rejects with an error
    code: NULL, a length shorter than the header or than the declared name,
    a declared name longer than the buffer, unknown families, zero addresses.
    WSASetSocketPeerTargetName on an unconnected datagram socket rejects them
    all; a stream socket accepts the zero addresses (TCP needs no PeerAddress)."""
    good = peer_target_names()
    return st.one_of(
        st.tuples(st.none(), st.integers(0, 400)),
        good.flatmap(lambda p: st.tuples(st.just(p.pack()), st.integers(-(2**31), _ptn_min_len(p) - 1))),
        good.flatmap(
            lambda p: st.tuples(st.just(p.pack()[: max(1, len(p.pack()) // 2)]), st.just(_ptn_len(p)))
        ),
        st.builds(
            lambda name, extra: (
                (lambda p: (p, _ptn_len(p)))(
                    SOCKET_PEER_TARGET_NAME(PeerAddress=b"", AllStrings=name, PeerTargetNameStringLen=_units(name) + extra)
                )
            ),
            st.text(_SPN_ALPHABET, min_size=1, max_size=8),
            # at least 2 more units: a 1-unit name's structure packs to 144 bytes,
            # so 1 more unit would still lie inside the buffer
            st.integers(2, 100),
        ),
        st.builds(
            lambda name: (lambda p: (p, _ptn_len(p)))(
                SOCKET_PEER_TARGET_NAME(PeerAddress=sockaddr("0.0.0.0", 0), AllStrings=name)
            ),
            st.text(_SPN_ALPHABET, min_size=1, max_size=8),
        ),
        st.tuples(st.binary(max_size=200), st.integers(0, 400)),
    )


# -- buffers ------------------------------------------------------------------------------------
def wsabufs(min_len: int = 0, max_len: int = 256, *, writable: bool = False) -> SearchStrategy[WSABUF]:
    """WSABUF(len, buf) with ``len(buf) == len`` (a bytearray if ``writable``)."""
    data = st.binary(min_size=min_len, max_size=max_len)
    if writable:
        return data.map(lambda b: WSABUF(len(b), bytearray(b)))
    return data.map(lambda b: WSABUF(len(b), b))


def wsabuf_lists(min_size: int = 1, max_size: int = 4, *, max_len: int = 256,
                 writable: bool = False) -> SearchStrategy[list[WSABUF]]:
    """Lists of WSABUF, as lpBuffers (pass ``len(list)`` as dwBufferCount)."""
    return st.lists(wsabufs(0, max_len, writable=writable), min_size=min_size, max_size=max_size)


def malformed_wsabuf_lists() -> SearchStrategy[tuple[Any, Any]]:
    """(lpBuffers, dwBufferCount) pairs Windows rejects with an error code: NULL,
    a count of 0, a negative or larger count, a len larger than the buffer,
    a NULL buf with a length, a read-only buffer where one is written.
    A receive (WSARecv) rejects them all; a send accepts the read-only buffers."""
    return st.one_of(
        st.tuples(st.none(), st.integers(-1, 4)),
        wsabuf_lists().flatmap(lambda lst: st.tuples(st.just(lst), st.sampled_from([0, -1, len(lst) + 1, 2**31]))),
        st.builds(lambda n, extra: ([WSABUF(n + extra, bytearray(n))], 1), st.integers(0, 64), st.integers(1, 2**20)),
        st.builds(lambda n: ([WSABUF(n, None)], 1), st.integers(1, 2**31 - 1)),
        st.builds(lambda b: ([WSABUF(len(b), b)], 1), st.binary(min_size=1, max_size=32)),
    )


# -- options --------------------------------------------------------------------------------------
_SETTABLE_INT_OPTS = (
    C.SO_DEBUG, C.SO_REUSEADDR, C.SO_KEEPALIVE, C.SO_DONTROUTE, C.SO_BROADCAST, C.SO_OOBINLINE,
    C.SO_DONTLINGER, C.SO_EXCLUSIVEADDRUSE, C.SO_SNDBUF, C.SO_RCVBUF, C.SO_SNDTIMEO, C.SO_RCVTIMEO,
)  # fmt: skip


def option_values(*, stream: bool = True) -> SearchStrategy[tuple[int, int, bytes, int]]:
    """(level, optname, optval, optlen) for setsockopt: SOL_SOCKET integer and BOOL
    options, SO_LINGER (stream only) and TCP_NODELAY (stream only)."""
    ints = st.tuples(
        st.just(C.SOL_SOCKET),
        st.sampled_from([o for o in _SETTABLE_INT_OPTS if stream or o != C.SO_DONTLINGER]),
        st.one_of(st.sampled_from([0, 1]), st.integers(0, 1 << 20)).map(lambda v: struct.pack("<i", v)),
    )
    choices = [ints]
    if stream:
        choices.append(
            st.tuples(
                st.just(C.SOL_SOCKET),
                st.just(C.SO_LINGER),
                st.builds(lambda on, secs: linger(on, secs).pack(), st.integers(0, 1), st.integers(0, 30)),
            )
        )
        choices.append(
            st.tuples(st.just(C.IPPROTO_TCP), st.just(C.TCP_NODELAY),
                      st.sampled_from([0, 1]).map(lambda v: struct.pack("<i", v)))
        )
    return st.one_of(*choices).map(lambda t: (t[0], t[1], t[2], len(t[2])))


# -- hostile scalars ------------------------------------------------------------------------------
def hostile_ints() -> SearchStrategy[int]:
    """Integers a C caller can pass where a length, count, flag or handle goes:
    zero, -1, INT_MIN/MAX, DWORD and QWORD extremes, INVALID_SOCKET."""
    return st.one_of(
        st.sampled_from([0, -1, 1, -(2**31), 2**31 - 1, 2**31, 2**32 - 1, 2**32, 2**63 - 1, 2**64 - 1,
                         C.INVALID_SOCKET, 0x7FFF, 0xFFFF]),
        st.integers(-(2**64), 2**64),
    )  # fmt: skip


class _Opaque:
    """An object of no type any Windows function takes."""

    def __repr__(self) -> str:
        return "<opaque object>"


def hostile_values() -> SearchStrategy[Any]:
    """Anything: None, hostile ints, bools, floats, str, bytes, bytearrays,
    lists, dicts, an opaque object, a callable."""
    return st.one_of(
        st.none(),
        hostile_ints(),
        st.booleans(),
        st.floats(allow_nan=True),
        st.text(max_size=8),
        st.binary(max_size=64),
        st.binary(max_size=64).map(bytearray),
        st.lists(st.integers(-2, 2), max_size=3),
        st.just({}),
        st.builds(_Opaque),
        st.just(lambda *a: 0),
    )


# -- registered type strategies ------------------------------------------------------------------
def _overlapped() -> SearchStrategy[WSAOVERLAPPED]:
    return st.builds(WSAOVERLAPPED, hEvent=st.none())


def _lingers() -> SearchStrategy[linger]:
    return st.builds(linger, st.integers(0, 0xFFFF), st.integers(0, 0xFFFF))


def _sockaddr_in() -> SearchStrategy[sockaddr_in]:
    return st.builds(sockaddr_in, sin_port=st.integers(0, 0xFFFF), sin_addr=ipv4_addresses())


def _sockaddr_in6() -> SearchStrategy[sockaddr_in6]:
    return st.builds(sockaddr_in6, sin6_port=st.integers(0, 0xFFFF), sin6_addr=ipv6_addresses())


def _wsadata() -> SearchStrategy[WSADATA]:
    return st.builds(WSADATA)


def _networkevents() -> SearchStrategy[WSANETWORKEVENTS]:
    return st.builds(WSANETWORKEVENTS)


# -- call sequences --------------------------------------------------------------------------------
@attrs.frozen
class ApiCall:
    """One step of a call sequence: an operation and its abstract arguments.

    ``slot`` picks one of the sockets the sequence made so far (modulo their
    number); ``size`` is a byte count; ``value`` an operation-specific choice."""

    op: str
    slot: int = 0
    other: int = 0
    size: int = 0
    value: int = 0

    def __repr__(self) -> str:
        return f"{self.op}(slot={self.slot}, other={self.other}, size={self.size}, value={self.value})"


API_OPS: tuple[str, ...] = (
    "socket_tcp", "socket_udp", "bind", "listen", "connect", "accept", "send", "recv", "sendto",
    "recvfrom", "shutdown", "closesocket", "setsockopt", "getsockopt", "nonblocking", "fionread",
    "getsockname", "getpeername", "wsarecv_overlapped", "wsasend_overlapped", "cancel", "sleep_alertable",
)  # fmt: skip


def api_calls() -> SearchStrategy[ApiCall]:
    """Single abstract API calls (see :func:`run_call_sequence`)."""
    return st.builds(
        ApiCall,
        st.sampled_from(API_OPS),
        st.integers(0, 7),
        st.integers(0, 7),
        st.integers(0, 4096),
        st.integers(0, 3),
    )


def api_call_sequences(min_size: int = 1, max_size: int = 30) -> SearchStrategy[list[ApiCall]]:
    """Lists of abstract API calls, starting with a socket creation."""
    first = st.builds(ApiCall, st.sampled_from(["socket_tcp", "socket_udp"]))
    return st.tuples(first, st.lists(api_calls(), min_size=max(0, min_size - 1), max_size=max_size - 1)).map(
        lambda t: [t[0], *t[1]]
    )


@attrs.define
class CallResult:
    """What one step of :func:`run_call_sequence` returned, and the last error."""

    call: ApiCall
    result: Any
    error: int


def run_call_sequence(api: Any, calls: Sequence[ApiCall], *,
                      after_each: Callable[[], None] | None = None) -> list[CallResult]:
    """Run abstract calls against a started Winsock ``api`` (sockets are made
    nonblocking, so no step ever blocks).  Returns one :class:`CallResult` per
    step; ``after_each`` (e.g. an invariant check) runs after every step.

    Only Windows error codes come back: a step that raised would be a bug in
    the simulator (or in the layered provider under test), so exceptions
    propagate."""
    import ctypes

    handles: list[int] = []
    results: list[CallResult] = []
    pending: list[tuple[int, WSAOVERLAPPED]] = []

    def pick(i: int) -> int:
        return handles[i % len(handles)] if handles else C.INVALID_SOCKET

    def addr_of(h: int) -> bytes:
        buf = bytearray(28)
        n = ctypes.c_int(28)
        if api.getsockname(h, buf, n) != 0:
            return sockaddr("127.0.0.1", 9)
        return bytes(buf[: n.value])

    for call in calls:
        s = pick(call.slot)
        o = pick(call.other)
        size = call.size
        op = call.op
        r: Any
        if op in ("socket_tcp", "socket_udp"):
            if op == "socket_tcp":
                r = api.socket(C.AF_INET, C.SOCK_STREAM, C.IPPROTO_TCP)
            else:
                r = api.socket(C.AF_INET, C.SOCK_DGRAM, C.IPPROTO_UDP)
            if r != C.INVALID_SOCKET:
                handles.append(r)
                api.ioctlsocket(r, C.FIONBIO, ctypes.c_ulong(1))
        elif op == "bind":
            name = sockaddr("127.0.0.1", 0)
            r = api.bind(s, name, len(name))
        elif op == "listen":
            r = api.listen(s, 1 + call.value)
        elif op == "connect":
            name = addr_of(o)
            r = api.connect(s, name, len(name))
        elif op == "accept":
            r = api.accept(s, None, None)
            if r != C.INVALID_SOCKET:
                handles.append(r)
        elif op == "send":
            r = api.send(s, bytes(size), size, 0)
        elif op == "recv":
            r = api.recv(s, bytearray(size), size, 0)
        elif op == "sendto":
            name = addr_of(o)
            r = api.sendto(s, bytes(min(size, 1400)), min(size, 1400), 0, name, len(name))
        elif op == "recvfrom":
            r = api.recvfrom(s, bytearray(size), size, 0, bytearray(28), ctypes.c_int(28))
        elif op == "shutdown":
            r = api.shutdown(s, call.value % 3)
        elif op == "closesocket":
            r = api.closesocket(s)
            if r == 0 and s in handles:
                handles.remove(s)
        elif op == "setsockopt":
            opt = (C.SO_RCVBUF, C.SO_SNDBUF, C.SO_REUSEADDR, C.SO_KEEPALIVE)[call.value]
            r = api.setsockopt(s, C.SOL_SOCKET, opt, struct.pack("<i", size), 4)
        elif op == "getsockopt":
            opt = (C.SO_TYPE, C.SO_ERROR, C.SO_RCVBUF, C.SO_ACCEPTCONN)[call.value]
            r = api.getsockopt(s, C.SOL_SOCKET, opt, bytearray(4), ctypes.c_int(4))
        elif op == "nonblocking":
            r = api.ioctlsocket(s, C.FIONBIO, ctypes.c_ulong(1))
        elif op == "fionread":
            r = api.ioctlsocket(s, C.FIONREAD, ctypes.c_ulong(0))
        elif op in ("getsockname", "getpeername"):
            fn = api.getsockname if op == "getsockname" else api.getpeername
            r = fn(s, bytearray(28), ctypes.c_int(28))
        elif op in ("wsarecv_overlapped", "wsasend_overlapped"):
            ov = WSAOVERLAPPED(hEvent=api.WSACreateEvent())
            buf = WSABUF(size, bytearray(size))
            if op == "wsarecv_overlapped":
                r = api.WSARecv(s, [buf], 1, ctypes.c_ulong(), ctypes.c_ulong(0), ov, None)
            else:
                r = api.WSASend(s, [buf], 1, ctypes.c_ulong(), 0, ov, None)
            pending.append((s, ov))
        elif op == "cancel":
            r = api.CancelIoEx(s, pending[call.value % len(pending)][1] if pending else None)
        elif op == "sleep_alertable":
            r = api.SleepEx(0, True)
        else:  # pragma: no cover - API_OPS lists every op
            raise ValueError(f"unknown op {op!r}")
        results.append(CallResult(call, r, api.WSAGetLastError()))
        if after_each is not None:
            after_each()
    return results


def malformed_sockaddrs() -> SearchStrategy[Any]:
    """Just the ``name`` buffers of :func:`malformed_sockaddr_args` (None, truncated, foreign)."""
    return malformed_sockaddr_args().map(lambda t: t[0])


def malformed_peer_target_names() -> SearchStrategy[Any]:
    """Just the ``PeerTargetName`` values of :func:`malformed_peer_target_name_args`."""
    return malformed_peer_target_name_args().map(lambda t: t[0])


#: Other names for the strategies above.
addresses = ip_addresses
socket_peer_target_names = peer_target_names
call_sequences = api_call_sequences
socket_options = option_values

__all__ = [
    "API_OPS",
    "addresses",
    "call_sequences",
    "malformed_peer_target_names",
    "malformed_sockaddrs",
    "socket_options",
    "socket_peer_target_names",
    "ApiCall",
    "CallResult",
    "api_call_sequences",
    "api_calls",
    "hostile_ints",
    "hostile_values",
    "ip_addresses",
    "ipv4_addresses",
    "ipv6_addresses",
    "malformed_peer_target_name_args",
    "malformed_sockaddr_args",
    "malformed_wsabuf_lists",
    "option_values",
    "peer_target_name_args",
    "peer_target_names",
    "ports",
    "run_call_sequence",
    "sockaddr_args",
    "sockaddrs",
    "wsabuf_lists",
    "wsabufs",
]
