"""The base provider's records: the underlying socket and overlapped requests.

A :class:`Sock` is the *underlying socket* of SPI-FACTS 3.7: options, state,
endpoint, pending requests and network-event record, shared by every
descriptor (handle) that refers to it.  Duplicates (WSPDuplicateSocket) add
handles; the last WSPCloseSocket tears the socket down (seed 004).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .. import states as _states
from ..states import State
from ..structs import WSAOVERLAPPED

if TYPE_CHECKING:
    from ..transport import Endpoint
    from ..world import Timer
    from ..ws2 import WS2
    from .core import ProviderCore as BaseProvider

FD_MAX_EVENTS = 10


class Op:
    """One overlapped request the provider has accepted (WSA_IO_PENDING)."""

    __slots__ = (
        "kind",
        "handle",
        "sock",
        "ov",
        "routine",
        "thread",
        "switch",
        "views",
        "total",
        "flags",
        "peek",
        "lpFrom",
        "lpFromlen",
        "data",
        "sent",
        "done",
    )

    def __init__(
        self,
        kind: str,
        handle: int,
        sock: Sock,
        ov: WSAOVERLAPPED,
        routine: Callable[..., Any] | None,
        thread: Any,
        switch: WS2,
    ) -> None:
        self.kind = kind
        self.handle = handle
        self.sock = sock
        self.ov = ov
        self.routine = routine
        self.thread = thread
        self.switch = switch
        self.views: list[memoryview] = []
        self.total = 0
        self.flags = 0
        self.peek = False
        self.lpFrom: Any = None
        self.lpFromlen: Any = None
        self.data: bytes = b""
        self.sent = 0
        self.done = False


class Sock:
    """An underlying socket (shared by duplicated descriptors).

    Memory (bench: idle_socket_bytes): what every socket uses is a slot; an
    option or record that keeps its default until something changes it is a
    class-level default, and only a socket that changes one gets an instance
    ``__dict__`` for it; the queues and records most sockets never touch are
    created on first use (``__getattr__`` below).
    """

    __slots__ = (
        "provider",
        "uid",
        "family",
        "type",
        "protocol",
        "stream",
        "overlapped",
        "_state",
        "handles",
        "ep",
        "nonblocking",
        "ev_mask",
        "switch",
        "__dict__",  # the options below once one is set, and the containers below
    )

    # -- class-level defaults (assigning one stores it on the instance) -----------
    rcvtimeo: int = 0
    sndtimeo: int = 0
    linger_onoff: int = 0
    linger_secs: int = 0
    reuse: bool = False
    exclusive: bool = False
    keepalive: bool = False
    oobinline: bool = False
    nodelay: bool = False
    broadcast: bool = False
    debug: bool = False
    dontroute: bool = False
    so_error: int = 0
    #: error of the last failed connect, until a connect succeeds: what
    #: select reports in exceptfds and WSAPoll as POLLERR (W64)
    connect_failed: int = 0
    ev_handle: int | None = None
    ev_record: int = 0
    ev_latched: int = 0
    ev_armed: int = 0x3FF
    ev_switch: WS2 | None = None
    write_blocked: bool = False
    reset_error: int = 0
    recv_reset_pending: bool = False
    connect_timer: Timer | None = None
    #: threads blocked in a call on this socket (woken with WSAEINTR on close)
    blocked: int = 0
    security: Any = None
    sec_peer: Any = None
    backlog: int = 0

    def __init__(
        self,
        provider: BaseProvider,
        uid: int,
        family: int,
        type_: int,
        protocol: int,
        overlapped: bool,
        state: State,
        ep: Endpoint,
        switch: WS2,
    ) -> None:
        self.provider = provider
        self.uid = uid
        self.family = family
        self.type = type_
        self.protocol = protocol
        self.stream = type_ == 1
        self.overlapped = overlapped
        self._state = state  # creation is not a transition: no observer call
        self.handles: list[int] = []
        self.ep = ep
        self.nonblocking = False
        self.ev_mask = 0
        self.switch = switch
        # rq, sq, ev_errors and peer_names are created on first use (__getattr__).

    # Containers most sockets never use are created on first use, in the instance
    # __dict__, so an idle socket stays small (bench: idle_socket_bytes): reading
    # one that does not exist yet raises AttributeError inside Python, which then
    # calls __getattr__; it creates the container and stores it.  Code that only
    # wants to look (a close) uses made(), which creates nothing.
    rq: deque[Op]
    sq: deque[Op]
    ev_errors: list[int]
    peer_names: dict[tuple[int, str, int] | None, str]

    if not TYPE_CHECKING:  # keep mypy's attribute checks on Sock

        def __getattr__(self, name):
            factory = _LAZY.get(name)
            if factory is None:
                raise AttributeError(f"'Sock' object has no attribute {name!r}")
            value = factory()
            setattr(self, name, value)
            return value

    def made(self, name: str) -> Any:
        """The container ``name`` (rq, sq, ev_errors, peer_names) if this socket
        has created it, else None; never creates it."""
        return self.__dict__.get(name)

    @property
    def state(self) -> State:
        """The socket's state in its machine (states.STREAM or states.DATAGRAM)."""
        return self._state

    @state.setter
    def state(self, new: State) -> None:
        # Tests set states.observer to check that every move the code makes is a
        # row of the tables; off, this costs one global lookup and an `is None`.
        observer = _states.observer
        if observer is not None:
            observer(self._state, new, "stream" if self.stream else "datagram")
        self._state = new

    # Transport notifications (see transport.Owner).
    def on_readable(self) -> None:
        self.provider.on_readable(self)

    def on_writable(self) -> None:
        self.provider.on_writable(self)

    def on_fin(self) -> None:
        self.provider.on_fin(self)

    def on_reset(self) -> None:
        self.provider.on_reset(self)

    def on_incoming(self) -> None:
        self.provider.on_incoming(self)

    def __repr__(self) -> str:
        return f"<Sock {self.uid} {self.state!r} handles={self.handles}>"


#: Factories of the containers Sock creates on first use.
_LAZY: dict[str, Callable[[], Any]] = {
    "rq": deque,
    "sq": deque,
    "ev_errors": lambda: [0] * FD_MAX_EVENTS,
    "peer_names": dict,
}
