"""The exported Hypothesis strategies (issue 6, part 2: wsspi_sim.testing.strategies).

Issue 6: "addresses and sockaddrs, valid and malformed; SOCKET_PEER_TARGET_NAME;
WSABUF lists; option values; call sequences ... Registered lazily through
Hypothesis' entry point."  Valid values must be accepted by the simulator and
malformed ones must draw Windows' error codes (seeds 000-002, SPI-FACTS 2.1,
3.6) -- never an exception.
"""

from __future__ import annotations

import ctypes

from hypothesis import given, settings
from hypothesis import strategies as st

import wsspi_sim as ws
from wsspi_sim.testing import check_invariants, connected_tcp_pair, started_winsock
from wsspi_sim.testing import strategies as wst


@given(wst.sockaddrs())
def test_sockaddrs_round_trip(addr: bytes) -> None:
    """DESIGN 2: a packed SOCKADDR_IN is 16 bytes, SOCKADDR_IN6 28, and
    parse_sockaddr reads back family, address and port."""
    family, ip, port = ws.parse_sockaddr(addr)
    assert len(addr) == (16 if family == ws.AF_INET else 28)
    assert ws.sockaddr(ip, port)[:8] == addr[:8]


@settings(max_examples=30, deadline=None)
@given(args=wst.malformed_sockaddr_args())
def test_malformed_sockaddrs_draw_error_codes(args: tuple) -> None:
    """SPI-FACTS 2.1/3.6: bind with a NULL, truncated, short or foreign-family
    address fails with an error code (WSAEFAULT, WSAEAFNOSUPPORT ...), not an
    exception, and the socket stays usable."""
    name, namelen = args
    api = started_winsock()
    s = api.socket(ws.AF_INET, ws.SOCK_STREAM, 0)
    rc = api.bind(s, name, namelen)
    if rc == ws.SOCKET_ERROR:
        assert api.WSAGetLastError() in set(ws.ErrorCode)
    check_invariants(api.sim)


@settings(max_examples=30, deadline=None)
@given(args=wst.peer_target_name_args(ws.AF_INET))
def test_valid_peer_target_names_are_accepted(args: tuple) -> None:
    """Seed 002: WSASetSocketPeerTargetName with a well-formed structure and the
    length Microsoft's sample computes (sizeof + the name's bytes) succeeds on an
    unconnected TCP socket, and the name is registered."""
    ptn, length = args
    api = started_winsock()
    s = api.socket(ws.AF_INET, ws.SOCK_STREAM, 0)
    assert api.WSASetSocketPeerTargetName(s, ptn, length, None, None) == 0, api.WSAGetLastError()
    name = ptn.AllStrings if isinstance(ptn, ws.SOCKET_PEER_TARGET_NAME) else ws.SOCKET_PEER_TARGET_NAME.unpack(ptn).AllStrings
    assert list(api.peer_target_names(s).values()) == [name]


@settings(max_examples=40, deadline=None)
@given(args=wst.malformed_peer_target_name_args(), dgram=st.booleans())
def test_malformed_peer_target_names_draw_error_codes(args: tuple, dgram: bool) -> None:
    """Seeds 000/002 error tables: NULL (WSAEFAULT), short buffers (WSAEMSGSIZE,
    WSAEFAULT), bad families (WSAEAFNOSUPPORT), zero address on a datagram
    socket (WSAEINVAL): error codes only, never an exception."""
    ptn, length = args
    api = started_winsock()
    s = api.socket(ws.AF_INET, ws.SOCK_DGRAM if dgram else ws.SOCK_STREAM, 0)
    rc = api.WSASetSocketPeerTargetName(s, ptn, length, None, None)
    assert rc in (0, ws.SOCKET_ERROR)
    if rc:
        assert api.WSAGetLastError() in (ws.WSAEFAULT, ws.WSAEMSGSIZE, ws.WSAEINVAL, ws.WSAEAFNOSUPPORT)
    assert ptn is not None or rc == ws.SOCKET_ERROR  # NULL never succeeds


@settings(max_examples=25, deadline=None)
@given(bufs=wst.wsabuf_lists(max_len=200))
def test_wsabuf_lists_carry_their_bytes(bufs: list) -> None:
    """SPI-FACTS 3.6: WSASend gathers the WSABUF list in order; the receiver gets
    the concatenation."""
    pair = connected_tcp_pair(started_winsock())
    api = pair.api
    sent = ctypes.c_ulong()
    assert api.WSASend(pair.client, bufs, len(bufs), sent, 0, None, None) == 0
    want = b"".join(bytes(b.buf) for b in bufs)
    assert sent.value == len(want)
    if want:
        buf = bytearray(len(want))
        assert api.recv(pair.server, buf, len(buf), 0) == len(want) and bytes(buf) == want


@settings(max_examples=30, deadline=None)
@given(args=wst.malformed_wsabuf_lists())
def test_malformed_wsabuf_lists_draw_error_codes(args: tuple) -> None:
    """SPI-FACTS 3.6 (WSPRecv: WSAEFAULT for a bad buffer, WSAEINVAL for a count of
    0): malformed WSABUF arrays give error codes, never exceptions."""
    lp, count = args
    pair = connected_tcp_pair(started_winsock())
    api = pair.api
    api.send(pair.client, b"data", 4, 0)
    rc = api.WSARecv(pair.server, lp, count, ctypes.c_ulong(), ctypes.c_ulong(0), None, None)
    if rc == ws.SOCKET_ERROR:
        assert api.WSAGetLastError() in (ws.WSAEFAULT, ws.WSAEINVAL)
    check_invariants(api.sim)


@settings(max_examples=30, deadline=None)
@given(opt=wst.option_values())
def test_option_values_are_accepted_and_read_back(opt: tuple) -> None:
    """SPI-FACTS 3.6: every generated (level, optname, optval, optlen) is accepted
    by setsockopt on a fresh TCP socket, and getsockopt reads a value back."""
    level, optname, optval, optlen = opt
    api = started_winsock()
    s = api.socket(ws.AF_INET, ws.SOCK_STREAM, 0)
    assert api.setsockopt(s, level, optname, optval, optlen) == 0, (optname, api.WSAGetLastError())
    assert api.getsockopt(s, level, optname, bytearray(8), ctypes.c_int(8)) == 0


@settings(max_examples=30, deadline=None)
@given(calls=wst.api_call_sequences(max_size=25))
def test_call_sequences_keep_the_invariants(calls: list) -> None:
    """Issue 6 "call sequences": any sequence of API calls on nonblocking sockets
    returns results and error codes only, and the simulator's invariants hold
    after every step."""
    api = started_winsock()
    results = wst.run_call_sequence(api, calls, after_each=lambda: check_invariants(api.sim))
    assert len(results) == len(calls)


@settings(max_examples=10)
@given(data=st.data())
def test_types_are_registered_through_the_entry_point(data: st.DataObject) -> None:
    """Issue 6: "Registered lazily through Hypothesis' entry point": st.from_type
    works for wsspi_sim structures without importing the strategies module."""
    for cls in (ws.WSABUF, ws.SOCKET_PEER_TARGET_NAME, ws.WSAOVERLAPPED, ws.linger, ws.sockaddr_in):
        value = data.draw(st.from_type(cls))
        assert isinstance(value, cls)
        assert len(value.pack()) >= cls.SIZE


@given(v=wst.hostile_values())
def test_hostile_values_are_varied(v: object) -> None:
    """The hostile-value strategy produces values of many types (used by the fuzz
    suite); each is one of the kinds it documents."""
    assert v is None or isinstance(v, (int, float, str, bytes, bytearray, list, dict)) or callable(v) or repr(v) == "<opaque object>"


def test_registration_needs_only_hypothesis_import() -> None:
    """Issue 6: the strategies are registered through the ``hypothesis`` entry
    point: in a fresh interpreter, importing Hypothesis alone makes
    st.from_type(ws.WSABUF) work."""
    import subprocess
    import sys

    code = (
        "import hypothesis.strategies as st, sys\n"
        "import wsspi_sim as ws\n"
        "assert 'wsspi_sim.testing.strategies' in sys.modules\n"
        "v = st.from_type(ws.WSABUF).example()\n"
        "assert isinstance(v, ws.WSABUF)\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr
