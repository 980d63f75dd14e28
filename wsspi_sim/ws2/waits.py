"""Events, alertable waits and APCs, completion ports, cancellation and network
events at the switch (SPI-FACTS 3.4, 3.9; WINDOWS-OBSERVED sections 3, 4, 7)."""

from __future__ import annotations

from collections import deque
from typing import Any

from ..constants import (
    FALSE,
    TRUE,
    WAIT_IO_COMPLETION,
    WAIT_TIMEOUT,
    WSA_INFINITE,
    WSA_MAXIMUM_WAIT_EVENTS,
    WSA_WAIT_EVENT_0,
    WSA_WAIT_FAILED,
    WSA_WAIT_IO_COMPLETION,
    WSA_WAIT_TIMEOUT,
    WSS_OPERATION_IN_PROGRESS,
)
from ..errors import (
    ERROR_INVALID_HANDLE,
    ERROR_INVALID_PARAMETER,
    ERROR_IO_INCOMPLETE,
    ERROR_NOT_FOUND,
    WSA_INVALID_HANDLE,
    WSA_INVALID_PARAMETER,
    WSA_OPERATION_ABORTED,
    WSAEFAULT,
    WSAEINVAL,
    nt_success,
    ntstatus_to_win32,
    win32_from_wsa,
)
from ..provider.core import Ref, check_int, put
from ..structs import WSAOVERLAPPED
from .core import Event
from .sockets import SocketAPI

INVALID_HANDLE_VALUE = -1


class Port:
    """An I/O completion port: a FIFO of packets."""

    __slots__ = ("packets",)

    def __init__(self) -> None:
        self.packets: deque[tuple[int, int, Any, int]] = deque()

    def post(self, nbytes: int, key: int, ov: Any, err: int) -> None:
        self.packets.append((nbytes, key, ov, err))


def _timeout(value: Any, name: str) -> float | None:
    ms: int = check_int(value, name)
    if ms & 0xFFFFFFFF == WSA_INFINITE:
        return None
    if ms < 0:
        raise ValueError(f"{name} must be a DWORD (0..0xFFFFFFFF)")
    return ms / 1000.0


class WaitAPI(SocketAPI):
    """Events, waits, APCs, ports, cancellation, WSAEventSelect."""

    # -- events ---------------------------------------------------------------------
    def WSACreateEvent(self) -> int:
        """A new manual-reset, non-signalled event."""
        with self.sim.lock:
            h = self.sim.new_handle()
            self.events[h] = Event()
            return h

    def WSACloseEvent(self, hEvent: Any) -> int:
        """Close an event; FALSE with WSA_INVALID_HANDLE if it is not one."""
        with self.sim.lock:
            if type(hEvent) is not int or self.events.pop(hEvent, None) is None:
                self.set_error(WSA_INVALID_HANDLE)
                return FALSE
            return TRUE

    def WSASetEvent(self, hEvent: Any) -> int:
        """Signal an event."""
        return self._set_event(hEvent, True)

    def WSAResetEvent(self, hEvent: Any) -> int:
        """Make an event non-signalled."""
        return self._set_event(hEvent, False)

    def _set_event(self, hEvent: Any, signalled: bool) -> int:
        """WSASetEvent / WSAResetEvent: TRUE, or FALSE with WSA_INVALID_HANDLE."""
        with self.sim.lock:
            ev = self.events.get(hEvent) if type(hEvent) is int else None
            if ev is None:
                self.set_error(WSA_INVALID_HANDLE)
                return FALSE
            ev.signalled = signalled
            if signalled:
                self.sim.wake()
            return TRUE

    # -- APCs and alertable waits ----------------------------------------------------
    def run_apcs(self) -> bool:
        """Run the calling thread's queued APCs (never nested); True if any ran."""
        ts = self.ts()
        if ts.in_apc or not ts.apcs:
            return False
        ts.in_apc = True
        try:
            while ts.apcs:
                fn, ctx = ts.apcs.popleft()
                tr = self.sim.tracer
                if tr is not None:
                    # names, not repr(): a repr holds a memory address and the trace must be deterministic
                    tr.event("apc", routine=getattr(fn, "__qualname__", type(fn).__name__), context=type(ctx).__name__)
                fn(ctx)
        finally:
            ts.in_apc = False
        return True

    def SleepEx(self, dwMilliseconds: int, bAlertable: Any) -> int:
        """Sleep in virtual time; alertable sleeps run queued completion routines
        and return WAIT_IO_COMPLETION (0xC0), else 0."""
        with self.sim.lock:
            timeout = _timeout(dwMilliseconds, "dwMilliseconds")
            self.reap_threads()
            ts = self.ts()
            alertable = bool(bAlertable) and not ts.in_apc
            if alertable and self.run_apcs():
                return WAIT_IO_COMPLETION
            self.sim.wait(lambda: alertable and bool(ts.apcs), timeout, "SleepEx")
            if alertable and self.run_apcs():
                return WAIT_IO_COMPLETION
            return 0

    def WSAWaitForMultipleEvents(
        self, cEvents: int, lphEvents: Any, fWaitAll: Any, dwTimeout: int, fAlertable: Any
    ) -> int:
        """Wait for one (or all) of the events, in virtual time; alertable waits
        run completion routines and return WSA_WAIT_IO_COMPLETION."""
        with self.sim.lock:
            cEvents = check_int(cEvents, "cEvents")
            if lphEvents is None or cEvents <= 0 or cEvents > WSA_MAXIMUM_WAIT_EVENTS:
                self.set_error(WSA_INVALID_PARAMETER)
                return WSA_WAIT_FAILED
            try:
                handles = list(lphEvents)[:cEvents]
            except TypeError:
                raise TypeError("lphEvents must be a sequence of event handles") from None
            if len(handles) < cEvents:
                self.set_error(WSA_INVALID_PARAMETER)
                return WSA_WAIT_FAILED
            evs = []
            for h in handles:
                ev = self.events.get(h) if type(h) is int else None
                if ev is None:
                    self.set_error(WSA_INVALID_HANDLE)
                    return WSA_WAIT_FAILED
                evs.append(ev)
            timeout = _timeout(dwTimeout, "dwTimeout")
            self.reap_threads()
            ts = self.ts()
            alertable = bool(fAlertable) and not ts.in_apc
            wait_all = bool(fWaitAll)

            def satisfied() -> bool:
                if wait_all:
                    return all(ev.signalled for ev in evs)
                return any(ev.signalled for ev in evs)

            # The kernel tests the objects before the alert state: a satisfied wait
            # returns its index and leaves queued completion routines queued.
            ok = self.sim.wait(lambda: satisfied() or (alertable and bool(ts.apcs)), timeout,
                               "WSAWaitForMultipleEvents")  # fmt: skip
            if ok and satisfied():
                if wait_all:
                    return WSA_WAIT_EVENT_0
                for i, ev in enumerate(evs):
                    if ev.signalled:
                        return WSA_WAIT_EVENT_0 + i
            if alertable and self.run_apcs():
                return WSA_WAIT_IO_COMPLETION
            return WSA_WAIT_TIMEOUT

    # -- overlapped results ------------------------------------------------------------
    def WSAGetOverlappedResult(
        self, s: int, lpOverlapped: Any, lpcbTransfer: Any, fWait: Any, lpdwFlags: Any
    ) -> int:
        """Results of an overlapped request: TRUE, or FALSE with the last error
        (WSA_IO_INCOMPLETE while pending and fWait is FALSE).

        Profile "windows" answers from OVERLAPPED.Internal with the W42 table and
        sets the last error on success too (RtlNtStatusToDosError of the status).
        """
        with self.sim.lock:
            e = self.entry(s)
            if e is None:
                return FALSE
            if lpOverlapped is None or lpcbTransfer is None or lpdwFlags is None:
                # WSAGetOverlappedResult: a NULL pointer is WSAEFAULT (Vista and later)
                self.set_error(WSAEFAULT)
                return FALSE
            self.reap_threads()
            errno = Ref()
            assert e.procs.lpWSPGetOverlappedResult is not None
            ok: int = e.procs.lpWSPGetOverlappedResult(s, lpOverlapped, lpcbTransfer, fWait, lpdwFlags, errno)
            if not ok or self.policy.overlapped_result_from_internal:
                self.set_error(errno.value)
            return ok

    def GetOverlappedResult(
        self, hFile: Any, lpOverlapped: Any, lpNumberOfBytesTransferred: Any, bWait: Any
    ) -> int:
        """kernel32's GetOverlappedResult: like WSAGetOverlappedResult but with
        Win32 error codes (W42: ERROR_NETNAME_DELETED, ERROR_CONNECTION_ABORTED,
        ERROR_OPERATION_ABORTED ...), and usable after the socket is closed: the
        handle is not looked at unless the call has to wait.  The byte count is
        written whatever the outcome."""
        with self.sim.lock:
            if not isinstance(lpOverlapped, WSAOVERLAPPED):
                raise TypeError(
                    f"lpOverlapped must be a WSAOVERLAPPED, not {type(lpOverlapped).__name__}"
                )
            if lpNumberOfBytesTransferred is None:
                self.set_error(ERROR_INVALID_PARAMETER)
                return FALSE
            self.reap_threads()
            ov = lpOverlapped
            if ov.Internal == WSS_OPERATION_IN_PROGRESS:
                if not bWait:
                    self.set_error(ERROR_IO_INCOMPLETE)
                    return FALSE
                if not self.wait_overlapped(ov, hFile if type(hFile) is int else None, "GetOverlappedResult"):
                    self.set_error(ERROR_INVALID_HANDLE)
                    return FALSE
            put(lpNumberOfBytesTransferred, ov.InternalHigh, "lpNumberOfBytesTransferred")
            if self.policy.internal_holds_ntstatus:
                status = ov.Internal & 0xFFFFFFFF
                code = int(ntstatus_to_win32(status))
                ok = nt_success(status)
            else:
                # Internal holds the Winsock error: report its Win32 form.
                code = int(win32_from_wsa(ov.Internal)) if ov.Internal else 0
                ok = not ov.Internal
            if not ok or code:
                self.set_error(code)
            return TRUE if ok else FALSE

    # -- completion ports ---------------------------------------------------------------
    def CreateIoCompletionPort(
        self, FileHandle: Any, ExistingCompletionPort: Any, CompletionKey: int, NumberOfConcurrentThreads: int
    ) -> int | None:
        """Create a port and/or associate a socket with one (with a key)."""
        with self.sim.lock:
            CompletionKey = check_int(CompletionKey, "CompletionKey")
            # Handles are ints (a list or str here would be a C type error).
            for value, pname in ((FileHandle, "FileHandle"), (ExistingCompletionPort, "ExistingCompletionPort")):
                if value is not None and not isinstance(value, int):
                    raise TypeError(f"{pname} must be an int handle or None, not {type(value).__name__}")
            if FileHandle in (INVALID_HANDLE_VALUE, 0xFFFFFFFFFFFFFFFF):
                if ExistingCompletionPort not in (None, 0):
                    self.set_error(WSA_INVALID_PARAMETER)
                    return None
                return self._new_port()
            e = self.sockets.get(FileHandle) if type(FileHandle) is int else None
            if e is None:
                self.set_error(WSA_INVALID_HANDLE)
                return None
            if ExistingCompletionPort in (None, 0):
                port_h = self._new_port()
            else:
                port_h = ExistingCompletionPort
                if self.ports.get(port_h) is None:
                    self.set_error(WSA_INVALID_HANDLE)
                    return None
            if e.port is not None:
                self.set_error(WSA_INVALID_PARAMETER)  # a handle joins one port only
                return None
            e.port = self.ports[port_h]
            e.key = CompletionKey
            return port_h

    def _new_port(self) -> int:
        h = self.sim.new_handle()
        self.ports[h] = Port()
        return h

    def GetQueuedCompletionStatus(
        self, CompletionPort: Any, lpNumberOfBytesTransferred: Any, lpCompletionKey: Any,
        lpOverlapped: Any, dwMilliseconds: int,
    ) -> int:  # fmt: skip
        """Dequeue a packet.  Nothing: FALSE, lpOverlapped.value None, WAIT_TIMEOUT.
        A failed request's packet: FALSE, the request in lpOverlapped.value and its
        Win32 error in GetLastError (DESIGN 2, W21, W42)."""
        with self.sim.lock:
            port = self.ports.get(CompletionPort) if type(CompletionPort) is int else None
            if port is None:
                self.set_error(WSA_INVALID_HANDLE)
                return FALSE
            if lpNumberOfBytesTransferred is None or lpCompletionKey is None or lpOverlapped is None:
                self.set_error(WSA_INVALID_PARAMETER)
                return FALSE
            timeout = _timeout(dwMilliseconds, "dwMilliseconds")
            self.reap_threads()
            packets = port.packets
            ok = bool(packets) or self.sim.wait(lambda: bool(packets), timeout, "GetQueuedCompletionStatus")
            if not ok:
                put(lpOverlapped, None, "lpOverlapped")
                self.set_error(WAIT_TIMEOUT)
                return FALSE
            nbytes, key, ov, err = port.packets.popleft()
            put(lpNumberOfBytesTransferred, nbytes, "lpNumberOfBytesTransferred")
            put(lpCompletionKey, key, "lpCompletionKey")
            put(lpOverlapped, ov, "lpOverlapped")
            if err:
                self.set_error(int(win32_from_wsa(err)))
                return FALSE
            return TRUE

    def PostQueuedCompletionStatus(
        self, CompletionPort: Any, dwNumberOfBytesTransferred: int, dwCompletionKey: int, lpOverlapped: Any
    ) -> int:
        """Queue a packet of the caller's own."""
        with self.sim.lock:
            port = self.ports.get(CompletionPort) if type(CompletionPort) is int else None
            if port is None:
                self.set_error(WSA_INVALID_HANDLE)
                return FALSE
            port.post(
                check_int(dwNumberOfBytesTransferred, "dwNumberOfBytesTransferred"),
                check_int(dwCompletionKey, "dwCompletionKey"),
                lpOverlapped,
                0,
            )
            self.sim.wake()
            return TRUE

    def CloseHandle(self, hObject: Any) -> int:
        """Close a completion port or event handle."""
        with self.sim.lock:
            if type(hObject) is int and self.ports.pop(hObject, None) is not None:
                return TRUE
            if type(hObject) is int and self.events.pop(hObject, None) is not None:
                return TRUE
            self.set_error(WSA_INVALID_HANDLE)
            return FALSE

    # -- cancellation ---------------------------------------------------------------------
    def _io_handle(self, hFile: Any) -> Any:
        """The socket record behind a kernel32 file handle, or None (NULL is an
        invalid handle there, not a crash); a non-handle is a TypeError."""
        if hFile is None:
            return None
        if isinstance(hFile, bool) or not isinstance(hFile, int):
            raise TypeError(f"hFile must be an int handle, not {type(hFile).__name__}")
        return self.entry(hFile)

    def CancelIo(self, hFile: Any) -> int:
        """Cancel the calling thread's pending requests on ``hFile``
        (they complete with WSA_OPERATION_ABORTED)."""
        with self.sim.lock:
            e = self._io_handle(hFile)
            if e is None:
                self.set_error(WSA_INVALID_HANDLE)
                return FALSE
            self.reap_threads()
            e.provider.cancel(hFile, None, self.ts().threadid)
            return TRUE

    def CancelIoEx(self, hFile: Any, lpOverlapped: Any) -> int:
        """Cancel one request (or all, with None) on ``hFile`` from any thread;
        FALSE with ERROR_NOT_FOUND when nothing matches."""
        with self.sim.lock:
            e = self._io_handle(hFile)
            if e is None:
                self.set_error(WSA_INVALID_HANDLE)
                return FALSE
            if lpOverlapped is not None and not isinstance(lpOverlapped, WSAOVERLAPPED):
                raise TypeError("lpOverlapped must be a WSAOVERLAPPED or None")
            self.reap_threads()
            if e.provider.cancel(hFile, lpOverlapped, None) == 0:
                self.set_error(ERROR_NOT_FOUND)
                return FALSE
            return TRUE

    # -- network events -------------------------------------------------------------------
    def WSAEventSelect(self, s: int, hEventObject: Any, lNetworkEvents: int) -> int:
        """Associate an event with FD_ network events (the socket becomes nonblocking)."""
        return self._dispatch(s, "lpWSPEventSelect", hEventObject, lNetworkEvents)

    def WSAEnumNetworkEvents(self, s: int, hEventObject: Any, lpNetworkEvents: Any) -> int:
        """Read and clear the socket's network-event record, resetting the event."""
        return self._dispatch(s, "lpWSPEnumNetworkEvents", hEventObject, lpNetworkEvents)


__all__ = ["Port", "WaitAPI", "WSAEFAULT", "WSAEINVAL", "WSA_OPERATION_ABORTED"]
