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
    """An underlying socket (shared by duplicated descriptors)."""

    __slots__ = (
        "provider",
        "uid",
        "family",
        "type",
        "protocol",
        "stream",
        "overlapped",
        "state",
        "handles",
        "ep",
        "nonblocking",
        "rcvtimeo",
        "sndtimeo",
        "linger_onoff",
        "linger_secs",
        "reuse",
        "exclusive",
        "keepalive",
        "oobinline",
        "nodelay",
        "broadcast",
        "debug",
        "dontroute",
        "so_error",
        "rq",
        "sq",
        "ev_handle",
        "ev_mask",
        "ev_record",
        "ev_latched",
        "ev_errors",
        "ev_armed",
        "ev_switch",
        "write_blocked",
        "reset_error",
        "recv_reset_pending",
        "connect_timer",
        "blocked",
        "switch",
        "peer_names",
        "security",
        "sec_peer",
        "backlog",
    )

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
        self.state = state
        self.handles: list[int] = []
        self.ep = ep
        self.nonblocking = False
        self.rcvtimeo = 0
        self.sndtimeo = 0
        self.linger_onoff = 0
        self.linger_secs = 0
        self.reuse = False
        self.exclusive = False
        self.keepalive = False
        self.oobinline = False
        self.nodelay = False
        self.broadcast = False
        self.debug = False
        self.dontroute = False
        self.so_error = 0
        self.rq: deque[Op] = deque()
        self.sq: deque[Op] = deque()
        self.ev_handle: int | None = None
        self.ev_mask = 0
        self.ev_record = 0
        self.ev_latched = 0
        self.ev_errors = [0] * FD_MAX_EVENTS
        self.ev_armed = 0x3FF
        self.ev_switch: WS2 | None = None
        self.write_blocked = False
        self.reset_error = 0
        self.recv_reset_pending = False
        self.connect_timer: Timer | None = None
        #: threads blocked in a call on this socket (woken with WSAEINTR on close)
        self.blocked = 0
        self.switch = switch
        self.peer_names: dict[tuple[int, str, int] | None, str] = {}
        self.security: Any = None
        self.sec_peer: Any = None
        self.backlog = 0

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
