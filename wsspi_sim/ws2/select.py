"""select and WSAPoll at the switch (WINDOWS-OBSERVED W18, W19, W20).

An fd_set is a Python list of socket handles, rewritten in place to the ready
ones (so passing one list as two sets aliases them, as two C pointers to one
fd_set do).  A WSAPoll array is a list of :class:`~wsspi_sim.structs.WSAPOLLFD`.
"""

from __future__ import annotations

from typing import Any

from ..constants import (
    INVALID_SOCKET,
    POLLNVAL,
    POLLRDBAND,
    POLLRDNORM,
    POLLWRNORM,
    SOCKET_ERROR,
)
from ..errors import WSAEFAULT, WSAEINVAL, WSAENOTSOCK, WSANOTINITIALISED
from ..provider.core import Ref, check_int
from ..structs import WSAPOLLFD
from .waits import WaitAPI

#: The only bits WSAPoll accepts in ``events`` (W19: output-only or undefined
#: bits are WSAEINVAL).
POLL_INPUT_BITS = POLLRDNORM | POLLRDBAND | POLLWRNORM
_MASK64 = (1 << 64) - 1


class SelectAPI(WaitAPI):
    """select and WSAPoll."""

    def select(self, nfds: int, readfds: Any, writefds: Any, exceptfds: Any, timeout: Any) -> int:
        """Wait (virtual time; ``timeout`` a timeval, None to block) until a
        socket of ``readfds`` is readable, of ``writefds`` writable, or of
        ``exceptfds`` has a failed connect or urgent data held out of band.
        Returns how many handles the rewritten lists hold, 0 on timeout, or
        SOCKET_ERROR: WSAEINVAL when every set is None or empty, WSAENOTSOCK
        for a handle that is not one of this process's sockets (the lists are
        then left as they were)."""
        with self.sim.lock:
            if not self.started:
                self.set_error(WSANOTINITIALISED)
                return SOCKET_ERROR
            for name, fs in (("readfds", readfds), ("writefds", writefds), ("exceptfds", exceptfds)):
                if fs is not None and not isinstance(fs, list):
                    raise TypeError(f"{name} must be a list of socket handles or None, not {type(fs).__name__}")
            handles = [h for fs in (readfds, writefds, exceptfds) if fs for h in fs]
            if not handles:
                self.set_error(WSAEINVAL)
                return SOCKET_ERROR
            for h in handles:
                if not isinstance(h, int) or isinstance(h, bool):
                    raise TypeError(f"fd_set entries must be int socket handles, not {type(h).__name__}")
                # ws2_32 checks its own per-process table (W15, W18).
                if h not in self.sockets:
                    self.set_error(WSAENOTSOCK)
                    return SOCKET_ERROR
            errno = Ref()
            assert self.procs.lpWSPSelect is not None
            provider = self.provider
            provider.caller = self  # type: ignore[assignment]
            try:
                rc: int = self.procs.lpWSPSelect(nfds, readfds, writefds, exceptfds, timeout, errno)
            finally:
                provider.caller = None
            return self.ret(rc, errno)

    def WSAPoll(self, fdArray: Any, fds: int, timeout: int) -> int:
        """Poll the WSAPOLLFD entries of ``fdArray[:fds]`` for up to ``timeout``
        ms (negative: forever).  Returns how many valid entries have nonzero
        revents, with the last error set to 0 (W19).

        W19: a NULL array is WSAEINVAL with ``fds`` 0, else WSAEFAULT.  An entry
        with fd -1 / INVALID_SOCKET, or a handle that is not a socket, gets
        revents POLLNVAL and is not counted; if no entry is a socket the call
        fails WSAENOTSOCK.  ``events`` with bits other than POLLRDNORM,
        POLLRDBAND and POLLWRNORM is WSAEINVAL.  A socket closed while the call
        waits reports POLLNVAL and is counted (W20).
        """
        with self.sim.lock:
            if not self.started:
                self.set_error(WSANOTINITIALISED)
                return SOCKET_ERROR
            count = check_int(fds, "fds") & 0xFFFFFFFF  # a ULONG
            ms = check_int(timeout, "timeout")
            if fdArray is None:
                self.set_error(WSAEINVAL if count == 0 else WSAEFAULT)
                return SOCKET_ERROR
            if not isinstance(fdArray, (list, tuple)):
                raise TypeError(f"fdArray must be a list of WSAPOLLFD or None, not {type(fdArray).__name__}")
            if count == 0:
                self.set_error(WSAEINVAL)
                return SOCKET_ERROR
            if count > len(fdArray):
                self.set_error(WSAEFAULT)  # the array is shorter than fds says
                return SOCKET_ERROR
            entries: list[WSAPOLLFD] = []
            for i in range(count):
                e = fdArray[i]
                if not isinstance(e, WSAPOLLFD):
                    raise TypeError(f"fdArray[{i}] must be a WSAPOLLFD, not {type(e).__name__}")
                check_int(e.fd, f"fdArray[{i}].fd")
                check_int(e.events, f"fdArray[{i}].events")
                entries.append(e)
            for e in entries:
                e.revents = 0
            valid: list[int] = []
            bogus: list[int] = []
            for i, e in enumerate(entries):
                fd = e.fd & _MASK64  # C's fd = -1 is INVALID_SOCKET
                if fd == INVALID_SOCKET:
                    e.revents = POLLNVAL  # skipped before anything is checked (W19)
                elif fd in self.sockets:
                    valid.append(i)
                else:
                    bogus.append(i)
            if not valid:
                for i in bogus:
                    entries[i].revents = POLLNVAL
                self.set_error(WSAENOTSOCK)
                return SOCKET_ERROR
            for i in valid + bogus:
                if (entries[i].events & 0xFFFF) & ~POLL_INPUT_BITS:
                    self.set_error(WSAEINVAL)
                    return SOCKET_ERROR
            for i in bogus:
                entries[i].revents = POLLNVAL
            items = [(entries[i].fd & _MASK64, entries[i].events & 0xFFFF) for i in valid]
            got = self.provider.poll_wait(items, None if ms < 0 else ms / 1000.0, self)  # type: ignore[arg-type]
            ready = 0
            for i, revents in zip(valid, got, strict=True):
                entries[i].revents = revents
                if revents:
                    ready += 1
            self.set_error(0)
            return ready


__all__ = ["POLL_INPUT_BITS", "SelectAPI"]
