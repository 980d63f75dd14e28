"""The state tables of wsspi_sim.states, row by row (DESIGN 1: "State machines are
data ... a test checks that the code never takes a transition the table does not
list").

(a) Every row of states.STREAM and states.DATAGRAM is one test case: a real
socket is driven into the row's state through the API/SPI (or the network), the
row's event is performed, and the table's outcome -- the next state (read from
the provider's socket record) or the error code -- is checked.

(b) tests/conftest.py records every state move the simulator makes in every test
of the suite (Sock.state's setter calls states.observer) and fails a test whose
moves are not table rows; the tests at the end of this file show the recorder is
on and that its check can fail.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable
from typing import Any

import attrs
import pytest
from closekit import (
    BLACK_HOLE,
    INVALID,
    PROFILES,
    SOCKET_ERROR,
    World,
    bind,
    err,
    listener,
    local_port,
    nonblocking,
    set_linger,
    tcp,
    tcp_pair,
    udp,
    world,
)
from conftest import unlisted_moves

import wsspi_sim as ws
from wsspi_sim import states as S
from wsspi_sim.provider.lifecycle import CONNECT_TIMEOUT

Moves = set[tuple[str, S.State, S.State]]


@attrs.define
class Ctx:
    """A socket ``s`` of process w.api driven into a state, and what it talks to."""

    w: World
    machine: str
    s: int = 0
    peer: int = 0  # the connected peer (stream) or the receiver (datagram) on host b
    peer_port: int = 0
    target_port: int = 0  # a listener on host b (stream connects)

    @property
    def sock(self) -> Any:
        return self.w.spi.table.get(self.s) or self._closed

    _closed: Any = None

    def remember(self) -> None:
        self._closed = self.w.spi.table[self.s]


# -- driving a socket into a state -------------------------------------------------------------


def stream_ctx(w: World, state: S.State, event: str) -> Ctx:
    api = w.api
    _, target = listener(w.bapi, "10.0.0.2")
    ctx = Ctx(w, "stream", target_port=target)
    if state in (S.OPEN, S.BOUND, S.CONNECTING):
        ctx.s = tcp(api)
        if state is S.BOUND:
            assert bind(api, ctx.s, "10.0.0.1") == 0
        if state is S.CONNECTING:
            nonblocking(api, ctx.s)
            assert api.connect(ctx.s, ws.sockaddr(BLACK_HOLE, 80), 16) == SOCKET_ERROR
            assert err(api) == ws.WSAEWOULDBLOCK
    elif state is S.LISTENING:
        ctx.s, _ = listener(api, "10.0.0.1")
    else:
        ctx.s, ctx.peer = tcp_pair(w)
        if state is S.RECV_SHUT:
            assert api.WSARecvDisconnect(ctx.s, None) == 0
        elif state is S.SEND_SHUT:
            assert api.shutdown(ctx.s, ws.SD_SEND) == 0
        elif state is S.BOTH_SHUT:
            assert api.shutdown(ctx.s, ws.SD_BOTH) == 0
        elif state is S.RESET:
            peer_resets(ctx)
    ctx.remember()
    assert ctx.sock.state is state
    return ctx


def datagram_ctx(w: World, state: S.State, event: str) -> Ctx:
    api = w.api
    ctx = Ctx(w, "datagram")
    ctx.peer = udp(w.bapi)
    assert bind(w.bapi, ctx.peer, "10.0.0.2") == 0
    ctx.peer_port = local_port(w.bapi, ctx.peer)
    ctx.s = udp(api)
    shut = {S.RECV_SHUT: ws.SD_RECEIVE, S.SEND_SHUT: ws.SD_SEND, S.BOTH_SHUT: ws.SD_BOTH}
    if state is S.BOUND:
        assert bind(api, ctx.s, "10.0.0.1") == 0
    # A shut socket keeps its default peer as an attribute (states.py): bind rows
    # are walked on a socket shut before binding, the others on a connected one.
    if state is S.CONNECTED or (state in shut and event != "bind"):
        assert api.connect(ctx.s, ws.sockaddr("10.0.0.2", ctx.peer_port), 16) == 0
    if state in shut:
        assert api.shutdown(ctx.s, shut[state]) == 0
    ctx.remember()
    assert ctx.sock.state is state
    return ctx


def peer_resets(ctx: Ctx) -> None:
    """The peer closes abortively: an RST reaches ``s`` (SPI-FACTS 3.7 point 6)."""
    set_linger(ctx.w.bapi, ctx.peer, 1, 0)
    assert ctx.w.bapi.closesocket(ctx.peer) == 0


# -- performing an event -----------------------------------------------------------------------
# A driver performs the row's event and returns (succeeded, error code).

Result = tuple[bool, int]


def _rc(ctx: Ctx, rc: int, failure: int = SOCKET_ERROR) -> Result:
    return (rc != failure, 0 if rc != failure else err(ctx.w.api))


def ev_bind(ctx: Ctx, outcome: S.Outcome) -> Result:
    return _rc(ctx, bind(ctx.w.api, ctx.s, "10.0.0.1"))


def ev_connect(ctx: Ctx, outcome: S.Outcome) -> Result:
    api = ctx.w.api
    if ctx.machine == "datagram":
        return _rc(ctx, api.connect(ctx.s, ws.sockaddr("10.0.0.2", ctx.peer_port), 16))
    if outcome is S.CONNECTING:
        # the row's own outcome: a handshake nobody answers stays in progress
        nonblocking(api, ctx.s)
        rc = api.connect(ctx.s, ws.sockaddr(BLACK_HOLE, 80), 16)
        return (rc == SOCKET_ERROR and err(api) == ws.WSAEWOULDBLOCK, err(api))
    return _rc(ctx, api.connect(ctx.s, ws.sockaddr("10.0.0.2", ctx.target_port), 16))


def ev_dissolve(ctx: Ctx, outcome: S.Outcome) -> Result:
    return _rc(ctx, ctx.w.api.connect(ctx.s, bytes(16), 16))  # AF_UNSPEC (W82)


def ev_listen(ctx: Ctx, outcome: S.Outcome) -> Result:
    return _rc(ctx, ctx.w.api.listen(ctx.s, 5))


def ev_accept(ctx: Ctx, outcome: S.Outcome) -> Result:
    if isinstance(outcome, S.State):  # give it a connection to take
        client = tcp(ctx.w.bapi)
        port = local_port(ctx.w.api, ctx.s)
        assert ctx.w.bapi.connect(client, ws.sockaddr("10.0.0.1", port), 16) == 0
    return _rc(ctx, ctx.w.api.accept(ctx.s, None, None), INVALID)


def ev_accept_ready(ctx: Ctx, outcome: S.Outcome) -> Result:
    client = tcp(ctx.w.bapi)
    port = local_port(ctx.w.api, ctx.s)
    return _rc(ctx, ctx.w.bapi.connect(client, ws.sockaddr("10.0.0.1", port), 16))


def ev_send(ctx: Ctx, outcome: S.Outcome) -> Result:
    return _rc(ctx, ctx.w.api.send(ctx.s, b"x", 1, 0))


def ev_sendto(ctx: Ctx, outcome: S.Outcome) -> Result:
    return _rc(ctx, ctx.w.api.sendto(ctx.s, b"x", 1, 0, ws.sockaddr("10.0.0.2", ctx.peer_port), 16))


def ev_recv(ctx: Ctx, outcome: S.Outcome) -> Result:
    w = ctx.w
    if isinstance(outcome, S.State):  # give it something to read
        if ctx.machine == "stream":
            assert w.bapi.send(ctx.peer, b"data", 4, 0) == 4
        else:
            to = ws.sockaddr("10.0.0.1", local_port(w.api, ctx.s))
            assert w.bapi.sendto(ctx.peer, b"data", 4, 0, to, 16) == 4
    buf = bytearray(8)
    rc = w.api.recv(ctx.s, buf, 8, 0)
    if rc != SOCKET_ERROR:
        assert buf[:rc] == b"data"[:rc] and rc > 0
    return _rc(ctx, rc)


def _shutdown(how: int) -> Callable[[Ctx, S.Outcome], Result]:
    def drive(ctx: Ctx, outcome: S.Outcome) -> Result:
        return _rc(ctx, ctx.w.api.shutdown(ctx.s, how))

    return drive


def ev_recv_disconnect(ctx: Ctx, outcome: S.Outcome) -> Result:
    return _rc(ctx, ctx.w.api.WSARecvDisconnect(ctx.s, None))


def ev_send_disconnect(ctx: Ctx, outcome: S.Outcome) -> Result:
    return _rc(ctx, ctx.w.api.WSASendDisconnect(ctx.s, None))


def ev_getpeername(ctx: Ctx, outcome: S.Outcome) -> Result:
    return _rc(ctx, ctx.w.api.getpeername(ctx.s, bytearray(16), ctypes.c_int(16)))


def ev_close(ctx: Ctx, outcome: S.Outcome) -> Result:
    e = ctypes.c_int()
    rc = ctx.w.spi.WSPCloseSocket(ctx.s, e)
    return (rc == 0, int(e.value))


def ev_connect_timeout(ctx: Ctx, outcome: S.Outcome) -> Result:
    ctx.w.sim.advance(CONNECT_TIMEOUT + 1)
    return (True, 0)


def ev_peer_reset(ctx: Ctx, outcome: S.Outcome) -> Result:
    if ctx.peer and ctx.peer in ctx.w.bapi.sockets:
        peer_resets(ctx)
    else:  # already reset: a further RST from the network
        with ctx.w.sim.lock:
            ctx.sock.ep.receive_reset()
    return (True, 0)


def ev_abort(ctx: Ctx, outcome: S.Outcome) -> Result:
    # The provider's local abort (shutdown(SD_RECEIVE) with data, profile "documented").
    with ctx.w.sim.lock:
        ctx.w.spi.abort_connection(ctx.sock)
    return (True, 0)


DRIVERS: dict[str, Callable[[Ctx, S.Outcome], Result]] = {
    "bind": ev_bind,
    "connect": ev_connect,
    "dissolve": ev_dissolve,
    "listen": ev_listen,
    "accept": ev_accept,
    "accept_ready": ev_accept_ready,
    "send": ev_send,
    "sendto": ev_sendto,
    "recv": ev_recv,
    "shutdown_recv": _shutdown(ws.SD_RECEIVE),
    "shutdown_send": _shutdown(ws.SD_SEND),
    "shutdown_both": _shutdown(ws.SD_BOTH),
    "recv_disconnect": ev_recv_disconnect,
    "send_disconnect": ev_send_disconnect,
    "getpeername": ev_getpeername,
    "close": ev_close,
    "connect_timeout": ev_connect_timeout,
    "peer_reset": ev_peer_reset,
    "abort": ev_abort,
}

#: Rows whose event happens inside another call: a connect's handshake answers at
#: once (zero latency, DESIGN 2), so the row is seen as a move during the connect.
IN_CALL = {("stream", "CONNECTING", "connect_ok"), ("stream", "CONNECTING", "connect_refused")}

ROWS = [
    pytest.param(machine, state, event, outcome, id=f"{machine}-{state.name}-{event}")
    for machine, table in (("stream", S.STREAM), ("datagram", S.DATAGRAM))
    for state, row in table.items()
    for event, outcome in row.items()
]


def test_every_row_has_a_driver() -> None:
    """DESIGN 1: "Keep every socket state, and every transition ... in tables in one
    module" -- every event of the two socket tables is one this file can perform (so no
    row escapes the walk below)."""
    events = {e for t in (S.STREAM, S.DATAGRAM) for row in t.values() for e in row}
    assert events <= set(DRIVERS) | {e for _, _, e in IN_CALL}
    assert len(ROWS) > 200


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize(("machine", "state", "event", "outcome"), ROWS)
def test_row(profile: str, machine: str, state: S.State, event: str, outcome: S.Outcome,
             state_moves: Moves) -> None:  # fmt: skip
    """states.py: "Each transition is a row state x event -> next state or state x event
    -> error code"; DESIGN 1 -- the row's outcome is what the simulator does: the call
    fails with the row's error and the state stays, or it succeeds and the socket is in
    the row's next state."""
    w = world(profile)
    if (machine, state.name, event) in IN_CALL:
        check_in_call(w, event, outcome, state_moves)
        return
    ctx = stream_ctx(w, state, event) if machine == "stream" else datagram_ctx(w, state, event)
    ok, code = DRIVERS[event](ctx, outcome)
    if isinstance(outcome, S.State):
        assert ok, f"{event} in {state!r} failed with {ws.ErrorCode(code).name if code else code}"
        assert ctx.sock.state is outcome
    else:
        assert not ok and code == outcome, (ok, code, int(outcome))
        assert ctx.sock.state is state


def check_in_call(w: World, event: str, outcome: S.Outcome, moves: Moves) -> None:
    """CONNECTING x connect_ok / connect_refused: a blocking connect to a listener (or to
    a port nobody listens on) passes through CONNECTING and leaves it by the row."""
    s = tcp(w.api)
    if event == "connect_ok":
        _, port = listener(w.bapi, "10.0.0.2")
        assert w.api.connect(s, ws.sockaddr("10.0.0.2", port), 16) == 0
    else:
        assert w.api.connect(s, ws.sockaddr("10.0.0.2", 9), 16) == SOCKET_ERROR
        assert err(w.api) == ws.WSAECONNREFUSED
    assert isinstance(outcome, S.State)
    assert ("stream", S.OPEN, S.CONNECTING) in moves
    assert ("stream", S.CONNECTING, outcome) in moves
    assert w.spi.table[s].state is outcome


# -- non-table rules (states.py header) ----------------------------------------------------------


@pytest.mark.parametrize("profile", PROFILES)
def test_closed_socket_is_gone_before_the_table(profile: str) -> None:
    """states.py: "a closed socket is no longer in the provider's table, so every later
    call fails WSAENOTSOCK before the table is consulted" -- CLOSED has no rows."""
    w = world(profile)
    assert S.STREAM[S.CLOSED] == {} and S.DATAGRAM[S.CLOSED] == {}
    s = tcp(w.api)
    assert w.spi.WSPCloseSocket(s, ctypes.c_int()) == 0
    e = ctypes.c_int()
    assert w.spi.WSPListen(s, 1, e) == SOCKET_ERROR and e.value == ws.WSAENOTSOCK


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("how", [ws.SD_RECEIVE, ws.SD_SEND, ws.SD_BOTH])
def test_datagram_shut_without_peer_send_is_notconn(profile: str, how: int) -> None:
    """states.py: "Datagram sockets keep their default peer (WSPConnect on a datagram
    socket) as an attribute while in a shut state" -- a socket shut down before it was
    ever connected has no peer, so send fails WSAENOTCONN (W82) or WSAESHUTDOWN, never
    an exception."""
    w = world(profile)
    s = udp(w.api)
    assert w.api.shutdown(s, how) == 0
    assert w.api.send(s, b"x", 1, 0) == SOCKET_ERROR
    assert err(w.api) == (ws.WSAENOTCONN if how == ws.SD_RECEIVE else ws.WSAESHUTDOWN)


# -- (b) the recorder in tests/conftest.py ---------------------------------------------------------


def test_recorder_sees_the_moves_of_this_test(state_moves: Moves) -> None:
    """DESIGN 1: "a test checks that the code never takes a transition the table does not
    list" -- the suite-wide recorder (tests/conftest.py) is installed for this test and
    sees the moves of a connect, a shutdown and a close."""
    assert S.observer is not None
    w = world()
    c, _ = tcp_pair(w)
    assert w.api.shutdown(c, ws.SD_SEND) == 0
    assert w.spi.WSPCloseSocket(c, ctypes.c_int()) == 0
    for move in [(S.OPEN, S.CONNECTING), (S.CONNECTING, S.CONNECTED),
                 (S.CONNECTED, S.SEND_SHUT), (S.SEND_SHUT, S.CLOSED)]:  # fmt: skip
        assert ("stream", *move) in state_moves
    assert unlisted_moves(state_moves) == []


def test_recorder_check_rejects_unlisted_moves() -> None:
    """DESIGN 1 (the check must be able to fail) -- a move that no row lists, such as
    OPEN -> LISTENING or a datagram socket reaching RESET, is reported; listed ones and
    the close from any state are not."""
    bad: Moves = {("stream", S.OPEN, S.LISTENING), ("datagram", S.CONNECTED, S.RESET)}
    assert unlisted_moves(bad) == ["datagram: CONNECTED -> RESET", "stream: OPEN -> LISTENING"]
    good: Moves = {("stream", st, S.CLOSED) for st in S.STREAM if st is not S.CLOSED}
    good |= {("datagram", S.OPEN, S.BOUND), ("stream", S.RESET, S.RESET)}
    assert unlisted_moves(good) == []
    assert not S.listed_move("stream", S.CLOSED, S.OPEN)


def test_observer_sees_every_assignment() -> None:
    """DESIGN 1 -- Sock.state's setter reports each assignment (old, new, machine) once
    to states.observer, and none while it is None."""
    w = world()
    s = udp(w.api)
    rec = w.spi.table[s]
    seen: list[tuple[S.State, S.State, str]] = []
    saved = S.observer
    S.observer = lambda old, new, machine: seen.append((old, new, machine))
    try:
        assert bind(w.api, s, "10.0.0.1") == 0
        assert w.api.shutdown(s, ws.SD_SEND) == 0
    finally:
        S.observer = saved
    assert seen == [(S.OPEN, S.BOUND, "datagram"), (S.BOUND, S.SEND_SHUT, "datagram")]
    S.observer = None
    try:
        rec.state = S.BOTH_SHUT
    finally:
        S.observer = saved
    assert rec.state is S.BOTH_SHUT and len(seen) == 2
