"""The base provider's records: the underlying socket and overlapped requests.

A :class:`Sock` is the *underlying socket* of SPI-FACTS 3.7: options, state,
endpoint, pending requests and network-event record, shared by every
descriptor (handle) that refers to it.  Duplicates (WSPDuplicateSocket) add
handles; the last WSPCloseSocket tears the socket down (seed 004).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

from .. import states as _states
from ..lazy import Lazy, made
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


_T = TypeVar("_T")


class _Option(Generic[_T]):
    """A Sock option kept in the socket's ``_opts`` dict, which is created when
    the first such option is set: most sockets never change these defaults."""

    __slots__ = ("name", "default")

    def __init__(self, name: str, default: _T) -> None:
        self.name = name
        self.default = default

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> _Option[_T]: ...
    @overload
    def __get__(self, obj: Sock, owner: type | None = None) -> _T: ...
    def __get__(self, obj: Sock | None, owner: type | None = None) -> _T | _Option[_T]:
        if obj is None:
            return self
        opts = obj._opts
        if opts is None:
            return self.default
        return opts.get(self.name, self.default)  # type: ignore[no-any-return]

    def __set__(self, obj: Sock, value: _T) -> None:
        opts = obj._opts
        if opts is None:
            opts = obj._opts = {}
        opts[self.name] = value


class _OobInline(_Option[bool]):
    """SO_OOBINLINE.  Turning it on puts urgent bytes held out of band back
    into the stream at their places (W74), whether setsockopt turns it on or
    an accepted socket inherits it (data may arrive before accept)."""

    __slots__ = ()

    def __set__(self, obj: Sock, value: bool) -> None:
        super().__set__(obj, value)
        if value:
            u = obj.ep.urg
            if u is not None and u.held:
                obj.provider.urgent_inline(obj)


class Sock:
    """An underlying socket (shared by duplicated descriptors).

    Memory (bench: idle_socket_bytes): a socket pays for its slots and nothing
    else until it is used.  The queues and records most sockets never touch
    (rq, sq, ev_errors, peer_names) are created on first read; options that
    keep their default on most sockets live in one dict (``_opts``) created
    when the first of them is set.  No instance ``__dict__``: CPython 3.11
    sizes a new instance's dict values for every attribute name any instance
    ever set, so idle sockets would grow after a busy run.  :meth:`made` looks
    at a container without creating it.
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
        "ev_handle",
        "recv_reset_pending",
        "connect_timer",
        "linger_onoff",
        "linger_secs",
        "switch",
        "security",
        "acceptex",
        "_rq",
        "_sq",
        "_ev_errors",
        "_peer_names",
        "_opts",
    )

    rq: Lazy[deque[Op]] = Lazy(deque, "Pending overlapped receives, in issue order.")
    sq: Lazy[deque[Op]] = Lazy(deque, "Pending overlapped sends, in issue order.")
    ev_errors: Lazy[list[int]] = Lazy(
        lambda: [0] * FD_MAX_EVENTS, "The network-event error codes (WSANETWORKEVENTS.iErrorCode)."
    )
    peer_names: Lazy[dict[tuple[int, str, int] | None, str]] = Lazy(
        dict, "The socket's peer-target-name registry."
    )
    rcvtimeo = _Option("rcvtimeo", 0)
    sndtimeo = _Option("sndtimeo", 0)
    reuse = _Option("reuse", False)
    exclusive = _Option("exclusive", False)
    keepalive = _Option("keepalive", False)
    #: SIO_KEEPALIVE_VALS keepalivetime / keepaliveinterval in milliseconds
    #: (Windows' defaults: two hours, one second)
    keepalive_time = _Option("keepalive_time", 7_200_000)
    keepalive_interval = _Option("keepalive_interval", 1000)
    oobinline = _OobInline("oobinline", False)
    nodelay = _Option("nodelay", False)
    broadcast = _Option("broadcast", False)
    debug = _Option("debug", False)
    dontroute = _Option("dontroute", False)
    so_error = _Option("so_error", 0)
    #: error of the last failed connect, until a connect succeeds: what
    #: select reports in exceptfds and WSAPoll as POLLERR (W64)
    connect_failed = _Option("connect_failed", 0)
    ev_record = _Option("ev_record", 0)
    ev_latched = _Option("ev_latched", 0)
    ev_armed = _Option("ev_armed", 0x3FF)
    ev_switch: _Option[WS2 | None] = _Option("ev_switch", None)
    write_blocked = _Option("write_blocked", False)
    reset_error = _Option("reset_error", 0)
    #: threads blocked in a call on this socket (woken with WSAEINTR on close)
    blocked = _Option("blocked", 0)
    sec_peer: _Option[Any] = _Option("sec_peer", None)
    backlog = _Option("backlog", 0)
    #: the queued connection (transport Endpoint) a condition function last
    #: deferred (CF_DEFER): "offered", so its withdrawal is WSAEACCES (SPI-FACTS 3.6)
    deferred: _Option[Any] = _Option("deferred", None)
    #: IP_TTL / IPV6_UNICAST_HOPS (Windows' default hop limit is 128)
    hop_limit = _Option("hop_limit", 128)
    #: IPV6_V6ONLY: on by default on Windows; dual-stack sockets are not modelled
    v6only = _Option("v6only", 1)
    #: pending overlapped control requests (SIO_ADDRESS_LIST_CHANGE, W30), in
    #: issue order; None until the first one
    iq: _Option[deque[Op] | None] = _Option("iq", None)

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
        self.ev_handle: int | None = None
        self.recv_reset_pending = False
        self.connect_timer: Timer | None = None
        self.linger_onoff = 0
        self.linger_secs = 0
        self.switch = switch
        self.security: Any = None
        #: an AcceptEx whose connection this socket has taken, waiting for data
        self.acceptex: Any = None
        self._rq: deque[Op] | None = None
        self._sq: deque[Op] | None = None
        self._ev_errors: list[int] | None = None
        self._peer_names: dict[tuple[int, str, int] | None, str] | None = None
        self._opts: dict[str, Any] | None = None

    # -- containers created on first use ------------------------------------------
    def made(self, name: str) -> Any:
        """The container ``name`` (rq, sq, iq, ev_errors, peer_names) if this socket
        has created it, else None; never creates it."""
        return made(self, name)

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

    def on_urgent(self) -> bool:
        return self.provider.on_urgent(self)

    def on_oob(self) -> None:
        self.provider.on_oob(self)

    def __repr__(self) -> str:
        return f"<Sock {self.uid} {self.state!r} handles={self.handles}>"


