"""Socket state machines, as data.

Theory of operation
===================

Every socket the base provider owns is in exactly one *state*.  What a call may
do to a socket depends on that state and nothing else at this level: buffer
sizes, blocking mode and timeouts are checked by the code, but *whether* an
operation is legal, and which state it leads to, is decided here.  Each
transition is a row ``state x event -> next state`` or ``state x event ->
error code``.  An event is either an operation the socket's owner performs
(``bind``, ``connect``, ``recv_disconnect`` ...), or something the network does
to the socket (``peer_reset``, ``connect_refused``) -- the latter are never
refused, they only move the socket.

The provider calls :func:`transition` for every state-relevant operation; it
returns the next state, or the Windows error code that the table lists for the
row.  A row that is missing is a bug in the simulator, not a user error:
:func:`transition` raises :class:`UnlistedTransition`.  The test-suite walks
every row, and records every transition the code takes to prove that the code
never takes one the table does not list.  Diagrams (``wsspi-sim diagram``) are
generated from the same dictionaries.

Sources: SPI-FACTS 3.6 (documented error per call), 3.7 (close), 3.8
(shutdown / disconnect, seed 003), WINDOWS-OBSERVED W44 (shutdown on an
unconnected socket is WSAENOTCONN), W82 (datagram connect / dissolve), W87
(connect on a listening socket is WSAEINVAL).

The few rules that are *not* table rows:

* ``close`` (WSPCloseSocket, seed 004) is legal from every state except
  ``CLOSED`` and leads to ``CLOSED``; a closed socket is no longer in the
  provider's table, so every later call fails WSAENOTSOCK before the table is
  consulted.
* Datagram sockets keep their default peer (WSPConnect on a datagram socket)
  as an attribute while in a shut state: ``connect`` in ``RECV_SHUT`` stays in
  ``RECV_SHUT``.
* Overlapped requests have their own small machine (``OVERLAPPED``):
  ``issued -> pending -> completed -> delivered``, or ``issued -> completed``
  when the request completes at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final, Union

from .errors import (
    WSAEALREADY,
    WSAECONNRESET,
    WSAEINVAL,
    WSAEISCONN,
    WSAENOTCONN,
    WSAEOPNOTSUPP,
    WSAESHUTDOWN,
)


class State:
    """A sentinel state: compared by identity, printed by name."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


OPEN: Final = State("OPEN")
BOUND: Final = State("BOUND")
LISTENING: Final = State("LISTENING")
CONNECTING: Final = State("CONNECTING")
CONNECTED: Final = State("CONNECTED")
RECV_SHUT: Final = State("RECV_SHUT")
SEND_SHUT: Final = State("SEND_SHUT")
BOTH_SHUT: Final = State("BOTH_SHUT")
RESET: Final = State("RESET")
CLOSED: Final = State("CLOSED")

# Overlapped-request states.
ISSUED: Final = State("ISSUED")
PENDING: Final = State("PENDING")
COMPLETED: Final = State("COMPLETED")
DELIVERED: Final = State("DELIVERED")

Outcome = Union[State, int]
Table = dict[State, dict[str, Outcome]]

#: Events that the network (not the socket's owner) causes.
NETWORK_EVENTS: Final = frozenset(
    {"connect_ok", "connect_refused", "connect_timeout", "peer_reset", "abort", "accept_ready"}
)


STREAM: Final[Table] = {
    OPEN: {
        "bind": BOUND,
        "connect": CONNECTING,  # WSPConnect auto-binds, then the handshake runs
        "listen": WSAEINVAL,  # not bound (SPI-FACTS 3.6 WSPListen)
        "accept": WSAEINVAL,  # not listening
        "send": WSAENOTCONN,
        "recv": WSAENOTCONN,
        "shutdown_recv": WSAENOTCONN,  # W44
        "shutdown_send": WSAENOTCONN,
        "shutdown_both": WSAENOTCONN,
        "recv_disconnect": WSAENOTCONN,  # seed 003: connection-oriented only
        "send_disconnect": WSAENOTCONN,
        "getpeername": WSAENOTCONN,
        "close": CLOSED,
    },
    BOUND: {
        "bind": WSAEINVAL,  # already bound (SPI-FACTS 3.6 WSPBind)
        "connect": CONNECTING,
        "listen": LISTENING,
        "accept": WSAEINVAL,
        "send": WSAENOTCONN,
        "recv": WSAENOTCONN,
        "shutdown_recv": WSAENOTCONN,
        "shutdown_send": WSAENOTCONN,
        "shutdown_both": WSAENOTCONN,
        "recv_disconnect": WSAENOTCONN,
        "send_disconnect": WSAENOTCONN,
        "getpeername": WSAENOTCONN,
        "close": CLOSED,
    },
    LISTENING: {
        "bind": WSAEINVAL,
        "listen": LISTENING,  # may be called again to change the backlog
        "connect": WSAEINVAL,  # W87
        "accept": LISTENING,
        "accept_ready": LISTENING,
        "send": WSAENOTCONN,
        "recv": WSAENOTCONN,
        "shutdown_recv": WSAENOTCONN,  # W44
        "shutdown_send": WSAENOTCONN,
        "shutdown_both": WSAENOTCONN,
        "recv_disconnect": WSAENOTCONN,
        "send_disconnect": WSAENOTCONN,
        "getpeername": WSAENOTCONN,
        "close": CLOSED,
    },
    CONNECTING: {
        "bind": WSAEINVAL,
        "connect": WSAEALREADY,  # nonblocking connect in progress
        "listen": WSAEINVAL,
        "accept": WSAEINVAL,
        "connect_ok": CONNECTED,
        "connect_refused": BOUND,  # may connect again (SPI-FACTS 3.6, W87)
        "connect_timeout": BOUND,
        "send": WSAENOTCONN,
        "recv": WSAENOTCONN,
        "shutdown_recv": WSAENOTCONN,
        "shutdown_send": WSAENOTCONN,
        "shutdown_both": WSAENOTCONN,
        "recv_disconnect": WSAENOTCONN,
        "send_disconnect": WSAENOTCONN,
        "getpeername": WSAENOTCONN,
        "close": CLOSED,
    },
    CONNECTED: {
        "bind": WSAEINVAL,
        "connect": WSAEISCONN,
        "listen": WSAEISCONN,
        "accept": WSAEINVAL,
        "send": CONNECTED,
        "recv": CONNECTED,
        "shutdown_recv": RECV_SHUT,
        "shutdown_send": SEND_SHUT,
        "shutdown_both": BOTH_SHUT,
        "recv_disconnect": RECV_SHUT,
        "send_disconnect": SEND_SHUT,
        "getpeername": CONNECTED,
        "peer_reset": RESET,
        "abort": RESET,  # local reset (shutdown(SD_RECEIVE) with data, documented profile)
        "close": CLOSED,
    },
    RECV_SHUT: {
        "bind": WSAEINVAL,
        "connect": WSAEISCONN,
        "listen": WSAEISCONN,
        "accept": WSAEINVAL,
        "send": RECV_SHUT,  # W46: send still works after SD_RECEIVE
        "recv": WSAESHUTDOWN,
        "shutdown_recv": RECV_SHUT,
        "shutdown_send": BOTH_SHUT,
        "shutdown_both": BOTH_SHUT,
        "recv_disconnect": RECV_SHUT,
        "send_disconnect": BOTH_SHUT,
        "getpeername": RECV_SHUT,
        "peer_reset": RESET,
        "abort": RESET,  # local reset (shutdown(SD_RECEIVE) with data, documented profile)
        "close": CLOSED,
    },
    SEND_SHUT: {
        "bind": WSAEINVAL,
        "connect": WSAEISCONN,
        "listen": WSAEISCONN,
        "accept": WSAEINVAL,
        "send": WSAESHUTDOWN,
        "recv": SEND_SHUT,
        "shutdown_recv": BOTH_SHUT,
        "shutdown_send": SEND_SHUT,
        "shutdown_both": BOTH_SHUT,
        "recv_disconnect": BOTH_SHUT,
        "send_disconnect": SEND_SHUT,
        "getpeername": SEND_SHUT,
        "peer_reset": RESET,
        "abort": RESET,  # local reset (shutdown(SD_RECEIVE) with data, documented profile)
        "close": CLOSED,
    },
    BOTH_SHUT: {
        "bind": WSAEINVAL,
        "connect": WSAEISCONN,
        "listen": WSAEISCONN,
        "accept": WSAEINVAL,
        "send": WSAESHUTDOWN,
        "recv": WSAESHUTDOWN,
        "shutdown_recv": BOTH_SHUT,
        "shutdown_send": BOTH_SHUT,
        "shutdown_both": BOTH_SHUT,
        "recv_disconnect": BOTH_SHUT,
        "send_disconnect": BOTH_SHUT,
        "getpeername": BOTH_SHUT,
        "peer_reset": RESET,
        "abort": RESET,  # local reset (shutdown(SD_RECEIVE) with data, documented profile)
        "close": CLOSED,
    },
    RESET: {
        "bind": WSAEINVAL,
        "connect": WSAEISCONN,
        "listen": WSAEISCONN,
        "accept": WSAEINVAL,
        "send": WSAECONNRESET,
        "recv": WSAECONNRESET,
        "shutdown_recv": RESET,
        "shutdown_send": RESET,
        "shutdown_both": RESET,
        "recv_disconnect": RESET,
        "send_disconnect": RESET,
        "getpeername": RESET,
        "peer_reset": RESET,
        "abort": RESET,  # local reset (shutdown(SD_RECEIVE) with data, documented profile)
        "close": CLOSED,
    },
    CLOSED: {},
}

DATAGRAM: Final[Table] = {
    OPEN: {
        "bind": BOUND,
        "connect": CONNECTED,  # auto-binds (W82)
        "dissolve": OPEN,
        "listen": WSAEOPNOTSUPP,  # SPI-FACTS 3.6 WSPListen: type does not support listen
        "accept": WSAEOPNOTSUPP,
        "send": WSAENOTCONN,  # no default peer (W82)
        "sendto": BOUND,  # WSASendTo auto-binds (W86)
        "recv": WSAEINVAL,  # not bound (SPI-FACTS 3.6 WSPRecv)
        "shutdown_recv": RECV_SHUT,
        "shutdown_send": SEND_SHUT,
        "shutdown_both": BOTH_SHUT,
        "recv_disconnect": RECV_SHUT,
        "send_disconnect": SEND_SHUT,
        "getpeername": WSAENOTCONN,
        "close": CLOSED,
    },
    BOUND: {
        "bind": WSAEINVAL,
        "connect": CONNECTED,
        "dissolve": BOUND,
        "listen": WSAEOPNOTSUPP,
        "accept": WSAEOPNOTSUPP,
        "send": WSAENOTCONN,
        "sendto": BOUND,
        "recv": BOUND,
        "shutdown_recv": RECV_SHUT,
        "shutdown_send": SEND_SHUT,
        "shutdown_both": BOTH_SHUT,
        "recv_disconnect": RECV_SHUT,
        "send_disconnect": SEND_SHUT,
        "getpeername": WSAENOTCONN,
        "close": CLOSED,
    },
    CONNECTED: {
        "bind": WSAEINVAL,
        "connect": CONNECTED,  # re-connect is allowed (W82)
        "dissolve": BOUND,  # all-zero / AF_UNSPEC address dissolves (W82)
        "listen": WSAEOPNOTSUPP,
        "accept": WSAEOPNOTSUPP,
        "send": CONNECTED,
        "sendto": CONNECTED,
        "recv": CONNECTED,
        "shutdown_recv": RECV_SHUT,
        "shutdown_send": SEND_SHUT,
        "shutdown_both": BOTH_SHUT,
        "recv_disconnect": RECV_SHUT,
        "send_disconnect": SEND_SHUT,
        "getpeername": CONNECTED,
        "close": CLOSED,
    },
    RECV_SHUT: {
        "bind": RECV_SHUT,
        "connect": RECV_SHUT,
        "dissolve": RECV_SHUT,
        "listen": WSAEOPNOTSUPP,
        "accept": WSAEOPNOTSUPP,
        "send": RECV_SHUT,
        "sendto": RECV_SHUT,
        "recv": WSAESHUTDOWN,
        "shutdown_recv": RECV_SHUT,
        "shutdown_send": BOTH_SHUT,
        "shutdown_both": BOTH_SHUT,
        "recv_disconnect": RECV_SHUT,
        "send_disconnect": BOTH_SHUT,
        "getpeername": RECV_SHUT,
        "close": CLOSED,
    },
    SEND_SHUT: {
        "bind": SEND_SHUT,
        "connect": SEND_SHUT,
        "dissolve": SEND_SHUT,
        "listen": WSAEOPNOTSUPP,
        "accept": WSAEOPNOTSUPP,
        "send": WSAESHUTDOWN,
        "sendto": WSAESHUTDOWN,
        "recv": SEND_SHUT,
        "shutdown_recv": BOTH_SHUT,
        "shutdown_send": SEND_SHUT,
        "shutdown_both": BOTH_SHUT,
        "recv_disconnect": BOTH_SHUT,
        "send_disconnect": SEND_SHUT,
        "getpeername": SEND_SHUT,
        "close": CLOSED,
    },
    BOTH_SHUT: {
        "bind": BOTH_SHUT,
        "connect": BOTH_SHUT,
        "dissolve": BOTH_SHUT,
        "listen": WSAEOPNOTSUPP,
        "accept": WSAEOPNOTSUPP,
        "send": WSAESHUTDOWN,
        "sendto": WSAESHUTDOWN,
        "recv": WSAESHUTDOWN,
        "shutdown_recv": BOTH_SHUT,
        "shutdown_send": BOTH_SHUT,
        "shutdown_both": BOTH_SHUT,
        "recv_disconnect": BOTH_SHUT,
        "send_disconnect": BOTH_SHUT,
        "getpeername": BOTH_SHUT,
        "close": CLOSED,
    },
    CLOSED: {},
}

OVERLAPPED: Final[Table] = {
    ISSUED: {"start": PENDING, "complete_now": COMPLETED, "refuse": CLOSED},
    PENDING: {"complete": COMPLETED, "abort": COMPLETED, "cancel": COMPLETED},
    COMPLETED: {"notify": DELIVERED},
    DELIVERED: {},
    CLOSED: {},
}

MACHINES: Final[dict[str, Table]] = {
    "stream": STREAM,
    "datagram": DATAGRAM,
    "overlapped": OVERLAPPED,
}

#: Every state a socket may be in, per machine (what invariants check against).
STREAM_STATES: Final = frozenset(STREAM)
DATAGRAM_STATES: Final = frozenset(DATAGRAM)


class UnlistedTransition(AssertionError):
    """The simulator tried a transition its own tables do not list (a bug)."""


#: When not None, called as ``observer(old, new, machine)`` each time the code
#: assigns a provider socket's state (``machine`` is "stream" or "datagram").
#: The test-suite installs one to prove that every move is a table row
#: (:func:`listed_move`); creating a socket in its first state is not a move.
observer: Callable[[State, State, str], None] | None = None


def listed_move(machine: str, old: State, new: State) -> bool:
    """True iff some row of ``machine``'s table leads from ``old`` to ``new``."""
    table = MACHINES[machine]
    return any(outcome is new for outcome in table.get(old, {}).values())


def transition(table: Table, state: State, event: str) -> Outcome:
    """Return the next state, or the error code, for ``event`` in ``state``."""
    try:
        outcome = table[state][event]
    except KeyError:
        raise UnlistedTransition(
            f"wsspi_sim: no transition for event {event!r} in state {state!r}"
        ) from None
    return outcome
