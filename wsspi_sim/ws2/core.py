"""The switch's own state: startup count, per-thread last error, the process
handle table, the upcalls it gives providers, and WPUCompleteOverlappedRequest.
"""

from __future__ import annotations

import threading
import weakref
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..constants import INVALID_SOCKET, SOCKET_ERROR, WSS_OPERATION_IN_PROGRESS
from ..errors import (
    WSA_INVALID_HANDLE,
    WSAEFAULT,
    WSAEINVAL,
    WSAENOTSOCK,
    WSANOTINITIALISED,
    WSASYSCALLFAILURE,
    wsa_to_ntstatus,
)
from ..provider.core import Ref, check_int, put
from ..spi import WSPPROC_TABLE, WSPUPCALLTABLE
from ..structs import WSAOVERLAPPED, WSATHREADID

if TYPE_CHECKING:
    from ..provider import BaseProvider
    from ..world import Host


def check_handle(s: Any, param: str) -> None:
    """A handle argument must be an int: anything else is a C type error (TypeError)."""
    if not isinstance(s, int):
        raise TypeError(f"{param} must be an int socket handle, not {type(s).__name__}")


#: Stands for "the calling thread's WSATHREADID" in :meth:`SwitchCore._dispatch`.
THREAD: Any = object()


class ThreadState:
    """What the switch keeps per thread of a process."""

    __slots__ = ("thread", "last_error", "apcs", "tid", "in_apc", "impersonating", "threadid", "opentype", "gone")

    def __init__(self, thread: threading.Thread, tid: int) -> None:
        self.thread = thread
        self.last_error = 0
        self.apcs: deque[tuple[Callable[[Any], None], Any]] = deque()
        self.tid = tid
        self.in_apc = False
        self.impersonating: str | None = None
        self.threadid = WSATHREADID(ThreadHandle=tid, Reserved=0)
        #: SO_OPENTYPE: a per-thread setting a new thread starts at 0 (W12)
        self.opentype = 0
        #: set (from the dying thread) when the thread has finished (see _ExitMarker)
        self.gone = False


class _ExitMarker:
    """Held only by a switch's thread-local storage: CPython drops it when the
    thread's state is cleared, before join() returns and before is_alive() turns
    False, so its finalizer tells the switch that the thread has ended."""

    __slots__ = ("__weakref__",)


def _thread_gone(ts: ThreadState, exits: list[None]) -> None:
    # Runs in the dying thread, without the simulator lock: two atomic steps only.
    ts.gone = True
    exits.append(None)


class Entry:
    """The switch's record of one socket handle."""

    __slots__ = ("provider", "procs", "context", "catalog", "port", "key")

    def __init__(self, provider: BaseProvider, procs: WSPPROC_TABLE, context: int, catalog: int) -> None:
        self.provider = provider
        self.procs = procs
        self.context = context
        self.catalog = catalog
        self.port: Any = None
        self.key = 0


class Event:
    """A manual-reset event object (WSACreateEvent)."""

    __slots__ = ("signalled",)

    def __init__(self) -> None:
        self.signalled = False


class SwitchCore:
    """State shared by every part of the switch."""

    def __init__(self, host: Host) -> None:
        self.host = host
        self.sim = host.sim
        self.policy = host.sim.policy
        self.provider: BaseProvider = host.provider
        self.pid = host.sim.new_pid()
        self.started = 0
        self.procs = WSPPROC_TABLE()
        self.sockets: dict[int, Entry] = {}
        #: closed handles whose requests may still complete to a port
        self.zombies: dict[int, Entry] = {}
        self.events: dict[int, Event] = {}
        self.ports: dict[int, Any] = {}
        self._threads: dict[int, ThreadState] = {}
        self._by_tid: dict[int, ThreadState] = {}
        #: the calling thread's ThreadState, once found (a thread-local dies with
        #: its thread, so a reused ident never sees a dead thread's record here)
        self._tls = threading.local()
        #: one entry per thread that ended since reap_threads last looked
        self._exits: list[None] = []
        self.upcall_table = self._make_upcalls()
        # The simulator tells us when it notices a thread has ended (in a wait).
        host.sim.thread_exit_hooks.append(self.reap_threads)
        if self.sim.tracer is not None:  # wrap the API and the upcalls (trace.py); free when off
            self.sim.tracer.instrument_switch(self)

    # -- threads and last error ------------------------------------------------------
    def ts(self) -> ThreadState:
        """The calling thread's state (created on first use)."""
        try:
            return self._tls.ts  # type: ignore[no-any-return]
        except AttributeError:
            pass
        ident = threading.get_ident()
        ts = self._threads.get(ident)
        # A record whose thread is not the caller belongs to a dead thread whose
        # ident was reused (cheaper than is_alive(), and right during shutdown).
        if ts is None or ts.thread is not threading.current_thread():
            if ts is not None:
                self.reap_threads()  # a new thread reuses a dead one's ident
            ts = ThreadState(threading.current_thread(), self.sim.new_handle())
            self._threads[ident] = ts
            self._by_tid[ts.tid] = ts
            self.sim.register_thread()
            marker = _ExitMarker()
            self._tls.exit_marker = marker
            weakref.finalize(marker, _thread_gone, ts, self._exits)
        self._tls.ts = ts
        return ts

    def set_error(self, err: int) -> None:
        self.ts().last_error = err

    # -- thread exit (SPI-FACTS 3.4; W22, W33) ------------------------------------------
    def thread_alive(self, lpThreadId: Any) -> bool:
        """False iff ``lpThreadId`` names a thread of this process that has ended
        and whose exit has not been processed yet (unknown ids count as alive)."""
        if not self._exits:
            return True  # no thread has ended since the last look (the hot path)
        ts = self._by_tid.get(getattr(lpThreadId, "ThreadHandle", None))  # type: ignore[arg-type]
        return ts is None or not (ts.gone or not ts.thread.is_alive())

    def reap_threads(self) -> None:
        """Process the exit of every thread of this process that has ended.

        Thread exit is noticed lazily -- when the switch next looks at its
        threads (waits, cancellation, a new thread) or when the provider is about
        to complete a request of that thread -- and then the provider applies
        the thread-exit rule to the thread's pending requests.
        """
        if not self._exits:
            return
        self._exits.clear()  # an exit noted after this is seen by the next look
        by_tid = self._by_tid
        dead = [ts for ts in by_tid.values() if ts.gone or not ts.thread.is_alive()]
        for ts in dead:
            del by_tid[ts.tid]
            ident = ts.thread.ident
            if ident is not None and self._threads.get(ident) is ts:
                del self._threads[ident]
            ts.apcs.clear()  # its APCs can never run
        for ts in dead:
            self.provider.thread_exited(self, ts.tid)

    def completion_key(self, s: int) -> int:
        """The completion key of handle ``s`` if it is associated with a port, else 0."""
        e = self._open_or_closed(s)
        return e.key if e is not None and e.port is not None else 0

    def WSAGetLastError(self) -> int:
        """The calling thread's last error."""
        with self.sim.lock:
            return self.ts().last_error

    def WSASetLastError(self, iError: int) -> None:
        """Set the calling thread's last error."""
        with self.sim.lock:
            self.ts().last_error = check_int(iError, "iError")

    def GetLastError(self) -> int:
        """The calling thread's last error (the same slot as WSAGetLastError)."""
        with self.sim.lock:
            return self.ts().last_error

    def GetCurrentProcessId(self) -> int:
        """This process's id (what WSADuplicateSocketW takes)."""
        return self.pid

    # -- handle lookup --------------------------------------------------------------
    def entry(self, s: Any, param: str = "s") -> Entry | None:
        """The handle's record, or None with WSANOTINITIALISED / WSAENOTSOCK set
        (checked before anything the provider checks: SPI-FACTS 3.5, 4.6).
        ``param`` names the handle in a TypeError (hFile, Socket ...)."""
        if not self.started:
            self.set_error(WSANOTINITIALISED)
            return None
        e = self.sockets.get(s) if type(s) is int else None
        if e is None:
            if not isinstance(s, int):
                raise TypeError(f"{param} must be an int socket handle, not {type(s).__name__}")
            self.set_error(WSAENOTSOCK)
        return e

    def _dispatch(self, s: Any, entry_point: str, *args: Any) -> int:
        """The body of most socket functions: check startup and the handle, call
        the proc-table entry ``entry_point`` with ``(s, *args, lpErrno)`` and set
        the calling thread's last error when it fails.  An argument that is
        :data:`THREAD` becomes the calling thread's WSATHREADID."""
        with self.sim.lock:
            e = self.entry(s)
            if e is None:
                return SOCKET_ERROR
            if THREAD in args:
                tid = self.ts().threadid
                args = tuple(tid if a is THREAD else a for a in args)
            errno = Ref()
            fn = getattr(e.procs, entry_point)
            return self.ret(fn(s, *args, errno), errno)

    def ret(self, rc: int, errno: Ref) -> int:
        """Finish an int-returning call: on SOCKET_ERROR set the thread's last error."""
        if rc == SOCKET_ERROR:
            # A provider failing without an error code is WSASYSCALLFAILURE (SPI-FACTS 3.5).
            self.ts().last_error = errno.value or WSASYSCALLFAILURE
        return rc

    def status_for(self, err: int) -> int:
        """What OVERLAPPED.Internal holds after completion with ``err`` (DESIGN 2)."""
        if self.policy.internal_holds_ntstatus:
            return wsa_to_ntstatus(err)
        return err

    def _open_or_closed(self, s: int) -> Entry | None:
        """The record of handle ``s``, open or closed with completions to come."""
        e = self.sockets.get(s)
        return self.zombies.get(s) if e is None else e

    def is_port_associated(self, s: int) -> bool:
        e = self.sockets.get(s)
        return e is not None and e.port is not None

    def is_event(self, h: Any) -> bool:
        return type(h) is int and h in self.events

    # -- upcalls (SPI-FACTS 3.3) -------------------------------------------------------
    def _make_upcalls(self) -> WSPUPCALLTABLE:
        return WSPUPCALLTABLE(
            lpWPUCloseEvent=self.WPUCloseEvent,
            lpWPUCloseSocketHandle=self.WPUCloseSocketHandle,
            lpWPUCreateEvent=self.WPUCreateEvent,
            lpWPUCreateSocketHandle=self.WPUCreateSocketHandle,
            lpWPUFDIsSet=self.WPUFDIsSet,
            lpWPUGetProviderPath=self.WPUGetProviderPath,
            lpWPUModifyIFSHandle=self.WPUModifyIFSHandle,
            lpWPUPostMessage=self.WPUPostMessage,
            lpWPUQueryBlockingCallback=self.WPUQueryBlockingCallback,
            lpWPUQuerySocketHandleContext=self.WPUQuerySocketHandleContext,
            lpWPUQueueApc=self.WPUQueueApc,
            lpWPUResetEvent=self.WPUResetEvent,
            lpWPUSetEvent=self.WPUSetEvent,
            lpWPUOpenCurrentThread=self.WPUOpenCurrentThread,
            lpWPUCloseThread=self.WPUCloseThread,
            switch=self,
        )

    def WPUCreateSocketHandle(self, dwCatalogEntryId: int, dwContext: int, lpErrno: Any) -> int:
        """Give a non-IFS provider a new socket handle (SPI-FACTS 3.3)."""
        h = self.sim.new_handle()
        self.sockets[h] = Entry(self.provider, self.procs, dwContext, dwCatalogEntryId)
        return h

    def WPUCloseSocketHandle(self, s: int, lpErrno: Any) -> int:
        """Remove a handle from this process's table (WSAENOTSOCK if unknown)."""
        e = self.sockets.pop(s, None)
        if e is None:
            put(lpErrno, WSAENOTSOCK, "lpErrno")
            return SOCKET_ERROR
        # Keep the record for completions still to come: a port's packets after a
        # hard close (W21), and requests issued through a closed descriptor of a
        # socket that other descriptors keep open (closing a duplicate aborts
        # nothing: docs/design-choices.md).  Handle values are never reused.
        self.zombies[s] = e
        return 0

    def forget_closed_handle(self, s: int) -> None:
        """The provider says no request issued through closed handle ``s`` can
        still complete: drop the record WPUCloseSocketHandle kept for them."""
        self.zombies.pop(s, None)

    def WPUQuerySocketHandleContext(self, s: int, lpContext: Any, lpErrno: Any) -> int:
        """The context a provider gave WPUCreateSocketHandle for ``s``."""
        e = self.sockets.get(s)
        if e is None:
            put(lpErrno, WSAENOTSOCK, "lpErrno")
            return SOCKET_ERROR
        put(lpContext, e.context, "lpContext")
        return 0

    def WPUCreateEvent(self, lpErrno: Any) -> int:
        """A new manual-reset event for a provider."""
        h = self.sim.new_handle()
        self.events[h] = Event()
        return h

    def WPUCloseEvent(self, hEvent: Any, lpErrno: Any) -> int:
        if self.events.pop(hEvent, None) is None:
            put(lpErrno, WSA_INVALID_HANDLE, "lpErrno")
            return 0
        return 1

    def WPUSetEvent(self, hEvent: Any, lpErrno: Any) -> int:
        """Signal an event (the provider's network-event notification)."""
        return self._set_upcall_event(hEvent, True, lpErrno)

    def WPUResetEvent(self, hEvent: Any, lpErrno: Any) -> int:
        return self._set_upcall_event(hEvent, False, lpErrno)

    def _set_upcall_event(self, hEvent: Any, signalled: bool, lpErrno: Any) -> int:
        """WPUSetEvent / WPUResetEvent: TRUE, or FALSE with WSA_INVALID_HANDLE."""
        ev = self.events.get(hEvent)
        if ev is None:
            put(lpErrno, WSA_INVALID_HANDLE, "lpErrno")
            return 0
        ev.signalled = signalled
        if signalled:
            self.sim.wake()
        return 1

    def WPUOpenCurrentThread(self, lpThreadId: Any, lpErrno: Any) -> int:
        """Fill a WSATHREADID for the calling thread."""
        if not isinstance(lpThreadId, WSATHREADID):
            put(lpErrno, WSAEFAULT, "lpErrno")
            return SOCKET_ERROR
        t = self.ts()
        lpThreadId.ThreadHandle = t.tid
        lpThreadId.Reserved = 0
        return 0

    def WPUCloseThread(self, lpThreadId: Any, lpErrno: Any) -> int:
        return 0

    def WPUQueueApc(self, lpThreadId: Any, lpfnUserApc: Any, dwContext: Any, lpErrno: Any) -> int:
        """Queue an APC to a thread; it runs in that thread's next alertable wait."""
        tid = getattr(lpThreadId, "ThreadHandle", None)
        ts = self._by_tid.get(tid) if isinstance(tid, int) else None
        if ts is None:
            put(lpErrno, WSAEINVAL, "lpErrno")
            return SOCKET_ERROR
        ts.apcs.append((lpfnUserApc, dwContext))
        self.sim.wake()
        return 0

    def WPUFDIsSet(self, s: int, fdset: Any) -> int:
        return 0

    def WPUGetProviderPath(self, lpProviderId: Any, lpszProviderDllPath: Any,
                           lpProviderDllPathLen: Any, lpErrno: Any) -> int:
        put(lpErrno, WSAEINVAL, "lpErrno")
        return SOCKET_ERROR

    def WPUModifyIFSHandle(self, dwCatalogEntryId: int, ProposedHandle: int, lpErrno: Any) -> int:
        """IFS handles are not modelled: the base provider is a non-IFS provider."""
        put(lpErrno, WSAEINVAL, "lpErrno")
        return INVALID_SOCKET

    def WPUPostMessage(self, hWnd: Any, Msg: int, wParam: Any, lParam: Any) -> int:
        return 0

    def WPUQueryBlockingCallback(self, dwCatalogEntryId: int, lplpfnCallback: Any,
                                 lpdwContext: Any, lpErrno: Any) -> int:
        put(lplpfnCallback, None, "lplpfnCallback")
        return 0

    # -- completion (exported by ws2_32, not in the table: SPI-FACTS 3.3, 3.4) -----------
    def WPUCompleteOverlappedRequest(
        self, s: int, lpOverlapped: WSAOVERLAPPED, dwError: int, cbTransferred: int, lpErrno: Any
    ) -> int:
        """Complete a request: InternalHigh, then Internal, then the event and/or
        a packet on the socket's completion port (low bit of hEvent: no packet)."""
        e = self._open_or_closed(s)
        if e is None:
            put(lpErrno, WSAEINVAL, "lpErrno")
            return SOCKET_ERROR
        lpOverlapped.InternalHigh = cbTransferred
        lpOverlapped.Internal = self.status_for(dwError)
        h = lpOverlapped.hEvent
        if h:
            ev = self.events.get(h & ~1) if type(h) is int else None
            if ev is not None:
                ev.signalled = True
        if e.port is not None and not (type(h) is int and h & 1):
            e.port.post(cbTransferred, e.key, lpOverlapped, dwError)
        self.sim.wake()
        return 0

    def wait_overlapped(self, ov: WSAOVERLAPPED, s: int | None, call: str = "WSAGetOverlappedResult") -> bool:
        """Block until ``ov`` completes (WSAGetOverlappedResult with fWait);
        False if its hEvent is not an event of this process.

        Profile "windows" waits on the event itself, as ws2_32 does: an event
        that is already signalled ends the wait at once, even while the request
        is still pending (W42).  Without an event the wait ends at completion
        (Windows waits on the socket handle, which completion signals: W39).
        """
        h = ov.hEvent
        ev = None
        if h:
            ev = self.events.get(h & ~1) if type(h) is int else None
            if ev is None:
                return False
        if ev is not None and self.policy.overlapped_result_from_internal:
            event = ev
            self.sim.wait(lambda: event.signalled, None, call, s)
        else:
            self.sim.wait(lambda: ov.Internal != WSS_OPERATION_IN_PROGRESS, None, call, s)
        return True
