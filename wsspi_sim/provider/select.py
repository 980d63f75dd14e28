"""Readiness in the base provider: WSPSelect, and the poll behind the switch's
WSAPoll (WINDOWS-OBSERVED W18, W19, W20, W59, W64).

What "ready" means (docs/design-choices.md, "Socket API"):

* read (select readfds; WSAPoll POLLRDNORM): a stream socket has unread bytes,
  or is listening with a connection queued; a datagram socket has a datagram
  queued.  select also reports a stream whose peer closed (FIN) or reset it,
  since recv would not block; WSAPoll reports those as POLLHUP instead (W54,
  W59: graceful close gives POLLHUP, with POLLRDNORM only while data is unread).
* write (writefds; POLLWRNORM): a connected stream socket with room to send,
  any datagram socket whose sends are not shut down (W18: an unbound UDP socket
  is writable).
* except (exceptfds; POLLERR): the socket's last connect failed and no connect
  has succeeded since (W64).  exceptfds also reports urgent data held out of
  band, which WSAPoll reports as POLLRDBAND (W70); urgent data received with
  SO_OOBINLINE is normal data (readfds, POLLRDNORM).
* a handle closed while a select waits on it is readable in readfds (W20); in
  the other sets only, select fails WSAENOTSOCK with the sets emptied (W20).
  WSAPoll reports it POLLNVAL, counted (W20).

select and WSAPoll wait alertably once they actually wait: the calling thread's
queued completion routines run and the wait goes on (W20; Wine's test_select
and test_accept show the APC running inside the wait).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .. import states as S
from ..constants import (
    POLLERR,
    POLLHUP,
    POLLNVAL,
    POLLRDBAND,
    POLLRDNORM,
    POLLWRNORM,
)
from ..errors import WSAEFAULT, WSAEINVAL, WSAENOTSOCK
from ..structs import timeval
from .control import Control
from .core import check_int
from .sock import Sock

if TYPE_CHECKING:
    from ..ws2 import WS2

_CONNECTED = (S.CONNECTED, S.RECV_SHUT, S.SEND_SHUT, S.BOTH_SHUT)
#: Output-only bits WSAPoll always reports, asked for or not (W19, W59).
_ALWAYS = POLLHUP | POLLERR | POLLNVAL
_SETS = ("readfds", "writefds", "exceptfds")


def timeout_seconds(timeout: Any) -> float | None | int:
    """A select timeout (a timeval, its 8 packed bytes, or None for "block")
    in seconds, or WSAEFAULT / WSAEINVAL."""
    if timeout is None:
        return None
    if isinstance(timeout, (bytes, bytearray, memoryview)):
        if len(timeout) < timeval.SIZE:
            return WSAEFAULT
        timeout = timeval.unpack(timeout)
    if not isinstance(timeout, timeval):
        raise TypeError(f"timeout must be a timeval, its packed bytes, or None, not {type(timeout).__name__}")
    sec = check_int(timeout.tv_sec, "timeout.tv_sec")
    usec = check_int(timeout.tv_usec, "timeout.tv_usec")
    if sec < 0 or usec < 0:
        return WSAEINVAL
    return sec + usec / 1_000_000


class Select(Control):
    """WSPSelect and the readiness helpers the switch's WSAPoll uses."""

    # -- readiness -----------------------------------------------------------------
    def readable(self, sock: Sock) -> bool:
        """select's readfds condition: a recv (or accept) would not block."""
        ep = sock.ep
        if not sock.stream:
            return bool(ep.dgrams)
        if sock.state is S.LISTENING:
            return bool(ep.accept_q)
        return bool(ep.rbuf) or ep.fin_in or ep.rst_in or sock.state is S.RESET

    def writable(self, sock: Sock) -> bool:
        """select's writefds condition: a send would not block."""
        if not sock.stream:
            return sock.state is not S.SEND_SHUT and sock.state is not S.BOTH_SHUT
        if sock.state not in _CONNECTED:
            return False
        ep = sock.ep
        return ep.peer is None or ep.send_room() > 0

    def excepted(self, sock: Sock) -> bool:
        """select's exceptfds condition: the last connect failed (W64), or
        urgent data is held out of band (W70)."""
        return sock.connect_failed != 0 or self.has_urgent(sock)

    def poll_flags(self, sock: Sock) -> int:
        """Every POLL* condition that holds for ``sock`` now (before masking)."""
        flags = 0
        ep = sock.ep
        if sock.stream:
            if sock.state is S.LISTENING:
                if ep.accept_q:
                    flags |= POLLRDNORM
            else:
                if ep.rbuf:
                    flags |= POLLRDNORM
                if ep.urg is not None and ep.urg.held:
                    flags |= POLLRDBAND  # urgent data held out of band (W70)
                if ep.fin_in or ep.rst_in or sock.state is S.RESET:
                    flags |= POLLHUP
        elif ep.dgrams:
            flags |= POLLRDNORM
        if self.writable(sock):
            flags |= POLLWRNORM
        if sock.connect_failed:
            # Windows reports a failed connect as POLLWRNORM | POLLHUP | POLLERR (W64's WSAPoll part).
            flags |= POLLWRNORM | POLLHUP | POLLERR
        return flags

    # -- waiting -------------------------------------------------------------------
    def wait_alertable(
        self, ready: Callable[[], bool], timeout: float | None, call: str, handle: int | None,
        switch: WS2,
    ) -> bool:  # fmt: skip
        """Wait in virtual time until ``ready()``; APCs queued to the calling
        thread run during the wait, which then goes on.  A zero timeout polls."""
        if ready():
            return True
        if timeout == 0:
            return False
        ts = switch.ts()
        alertable = not ts.in_apc
        deadline = None if timeout is None else self.sim.now + timeout
        while True:
            remaining = None if deadline is None else max(0.0, deadline - self.sim.now)
            self.sim.wait(lambda: ready() or (alertable and bool(ts.apcs)), remaining, call, handle)
            if ready():
                return True
            if alertable and ts.apcs:
                switch.run_apcs()
                continue
            return False

    # -- select --------------------------------------------------------------------------
    def WSPSelect(
        self, nfds: int, readfds: Any, writefds: Any, exceptfds: Any, timeout: Any, lpErrno: Any
    ) -> int:
        """select (SPI-FACTS 3.5; W18, W20, W64).  An fd_set is a list of handles,
        rewritten in place to the ready ones; the result counts them.  Every set
        NULL or empty is WSAEINVAL; a handle that is not a socket is WSAENOTSOCK
        with the sets left unmodified."""
        check_int(nfds, "nfds")  # ignored, as on Windows
        outs = (readfds, writefds, exceptfds)
        for name, fs in zip(_SETS, outs, strict=True):
            if fs is not None and not isinstance(fs, list):
                raise TypeError(f"{name} must be a list of socket handles or None, not {type(fs).__name__}")
        inputs = [list(fs) if fs is not None else [] for fs in outs]
        if not any(inputs):
            return self.fail(lpErrno, WSAEINVAL)
        seconds = timeout_seconds(timeout)
        if isinstance(seconds, int):
            return self.fail(lpErrno, seconds)
        socks: dict[int, Sock] = {}
        for fs in inputs:
            for h in fs:
                if type(h) is int and h in socks:
                    continue
                sock = self.lookup(h, None)
                if sock is None:
                    return self.fail(lpErrno, WSAENOTSOCK)  # sets unmodified (W18)
                socks[h] = sock
        rd, wr, ex = (set(fs) for fs in inputs)

        def gone(h: int) -> bool:
            return self.table.get(h) is not socks[h]

        def ready() -> bool:
            for h, sock in socks.items():
                if gone(h):
                    return True
                if (h in rd and self.readable(sock)) or (h in wr and self.writable(sock)):
                    return True
                if h in ex and self.excepted(sock):
                    return True
            return False

        switch = self.process_for(None)
        self.wait_alertable(ready, seconds, "select", next(iter(socks)), switch)
        closed = [h for h in socks if gone(h)]
        for fs in outs:
            if fs is not None:
                fs.clear()
        if any(h not in rd for h in closed):
            # Closed while selected, and not in readfds: WSAENOTSOCK, removed (W20).
            return self.fail(lpErrno, WSAENOTSOCK)
        count = 0
        for h, sock in socks.items():
            # A closed handle in readfds reads as ready (W20); aliased sets share one
            # list, and a handle is added to a list once (Wine test_select).
            dead = h in closed
            for fs, inside, ok in (
                (readfds, rd, dead or self.readable(sock)),
                (writefds, wr, not dead and self.writable(sock)),
                (exceptfds, ex, not dead and self.excepted(sock)),
            ):
                if fs is not None and h in inside and ok and h not in fs:
                    fs.append(h)
                    count += 1
        return count

    # -- WSAPoll (no WSP entry point: ws2_32 polls the base provider directly) ---------------
    def poll_wait(
        self, items: list[tuple[int, int]], timeout: float | None, switch: WS2
    ) -> list[int]:
        """revents for each (handle, events) of ``items`` (valid handles), after
        waiting up to ``timeout`` seconds (None: forever) for one to be nonzero.
        A handle closed meanwhile reports POLLNVAL (W20)."""
        socks = [self.table.get(h) for h, _ in items]

        def revents(i: int) -> int:
            h, events = items[i]
            sock = socks[i]
            if sock is None or self.table.get(h) is not sock:
                return POLLNVAL
            return self.poll_flags(sock) & (events | _ALWAYS)

        def ready() -> bool:
            return any(revents(i) for i in range(len(items)))

        first = items[0][0] if items else None
        self.wait_alertable(ready, timeout, "WSAPoll", first, switch)
        return [revents(i) for i in range(len(items))]


__all__ = ["Select", "timeout_seconds"]
