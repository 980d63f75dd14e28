"""Layered service providers (LSPs) written in Python.

On Windows a layered provider is a DLL in the catalog above the base
provider.  ws2_32 calls *its* WSPStartup; the layer calls the next provider's
WSPStartup itself, keeps the proc table that call fills (the sample's
``NextProcTable``), and fills the switch's table with its own entry points,
each of which intercepts the call or passes it down (SPI-FACTS 3.1, 3.7).

Here::

    from wsspi_sim.lsp import LayeredProvider

    class Counting(LayeredProvider):
        def WSPSend(self, s, lpBuffers, dwBufferCount, lpNumberOfBytesSent, dwFlags,
                    lpOverlapped, lpCompletionRoutine, lpThreadId, lpErrno):
            self.sends += 1
            return super().WSPSend(s, lpBuffers, dwBufferCount, lpNumberOfBytesSent,
                                   dwFlags, lpOverlapped, lpCompletionRoutine,
                                   lpThreadId, lpErrno)

    layer = host.install_lsp(Counting)     # factory(lower provider) -> layer
    host.ws2.WSAStartup(0x0202, ws.WSADATA())   # this process now goes through it

Model (docs/design-choices.md, "Testing kit"):

* **Handles pass through.**  The layer hands out the handles of the provider
  below (the base provider's non-IFS handles, made with WPUCreateSocketHandle
  through the same upcall table), so a handle means the same socket at every
  level and ``host.provider.WSPCloseSocket(s, ...)`` still hard-closes it.
* **Overlapped, pass-through (default).**  The caller's WSAOVERLAPPED,
  completion routine and thread id go down unchanged; the base provider
  completes the request (event, port packet or APC) exactly as without the
  layer.
* **Overlapped, intercepted** (``wrap_completions = True``): the LSP sample's
  pattern (SPI-FACTS 3.4, 3.7).  The layer issues the lower request with its
  *own* WSAOVERLAPPED, whose hEvent is a private event with the low bit set
  (so no completion packet reaches the caller's port); when the lower
  provider completes it, the layer learns of it at once (the sample's worker
  thread, with zero latency), calls :meth:`LayeredProvider.on_complete`, then
  completes the caller's request itself: OffsetHigh/Offset, then
  WPUCompleteOverlappedRequest (event, port) or WPUQueueApc (completion
  routine).  CancelIo/CancelIoEx and WSPCleanup are mapped to the lower
  requests.
* Non-WSP helpers the switch calls on its provider (close_info, unsent,
  cancel, thread_exited, registry ...) and attributes such as ``table`` are
  passed down to the provider below.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from .constants import SOCKET_ERROR, WSS_OPERATION_IN_PROGRESS
from .errors import WSA_IO_PENDING, WSA_OPERATION_ABORTED, WSAEFAULT, WSAEINVAL, WSANOTINITIALISED
from .provider.core import Ref
from .spi import PROC_NAMES, WSPPROC_TABLE, WSPUPCALLTABLE
from .structs import WSAOVERLAPPED


def _locked(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Direct calls to a layer take the simulator's lock, as the base provider's do."""

    @functools.wraps(fn)
    def entry(self: Any, *args: Any) -> Any:
        with self.sim.lock:
            return fn(self, *args)

    entry._wsspi_locked = True  # type: ignore[attr-defined]
    return entry


def _lock_entry_points(cls: type) -> None:
    for name in ("WSPStartup", *PROC_NAMES):
        fn = cls.__dict__.get(name)
        if fn is not None and not getattr(fn, "_wsspi_locked", False):
            setattr(cls, name, _locked(fn))


class _Intercepted:
    """One caller request the layer re-issued below with its own WSAOVERLAPPED."""

    __slots__ = ("kind", "s", "ov", "routine", "thread", "switch", "lower_ov", "event", "done")

    def __init__(self, kind: str, s: int, ov: WSAOVERLAPPED, routine: Any, thread: Any, switch: Any) -> None:
        self.kind = kind
        self.s = s
        self.ov = ov
        self.routine = routine
        self.thread = thread
        self.switch = switch
        self.lower_ov = WSAOVERLAPPED()
        self.event = 0
        self.done = False


def _notify_event_class() -> type:
    """A switch event that calls back when set (the layer's private event)."""
    from .ws2.core import Event

    class _NotifyEvent(Event):
        __slots__ = ("_on", "_cb")

        def __init__(self, cb: Callable[[], None]) -> None:
            self._on = False
            self._cb = cb

        @property
        def signalled(self) -> bool:
            return self._on

        @signalled.setter
        def signalled(self, value: bool) -> None:
            self._on = bool(value)
            if value:
                self._cb()

    return _NotifyEvent


class LayeredProvider:
    """A layered service provider above ``lower`` (the base provider or another layer).

    Every WSP entry point passes the call down unchanged (through
    ``self.next_procs``, the table the lower WSPStartup filled); override the
    ones to intercept and call ``super()`` (or ``self.next_procs.lpWSPxxx``)
    to pass on.  Set ``wrap_completions = True`` to route overlapped
    WSPSend/WSPSendTo/WSPRecv/WSPRecvFrom/WSPIoctl requests through
    :meth:`on_complete` (the LSP sample's interception).
    """

    #: Re-issue overlapped requests with the layer's own WSAOVERLAPPED and
    #: complete the caller's request from :meth:`on_complete`.
    wrap_completions: bool = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _lock_entry_points(cls)

    def __init__(self, lower: Any) -> None:
        if lower is None or not callable(getattr(lower, "WSPStartup", None)):
            raise TypeError(f"lower must be a provider with WSPStartup, not {type(lower).__name__}")
        #: The provider below this layer.
        self.lower = lower
        self.host = lower.host
        self.sim = lower.sim
        #: The lower provider's entry points (the LSP sample's NextProcTable).
        self.next_procs = WSPPROC_TABLE()
        #: switch (process) -> the most recent upcall table it gave this layer
        self.upcalls: dict[Any, WSPUPCALLTABLE] = {}
        #: switch (process) -> WSPStartup count
        self.started: dict[Any, int] = {}
        self._intercepted: dict[WSAOVERLAPPED, _Intercepted] = {}
        self._event_cls: type | None = None

    # -- passing down what is not a WSP entry point -----------------------------------------
    def __getattr__(self, name: str) -> Any:
        # Only called for attributes this object lacks: helpers the switch or a
        # test asks of "the provider" (table, registry, poll_wait ...) live below.
        if name.startswith("__") or name in ("lower", "_intercepted", "_event_cls"):
            raise AttributeError(name)
        return getattr(self.lower, name)

    @property
    def caller(self) -> Any:
        """The process the switch is calling for (set by the switch; passed down)."""
        return self.lower.caller

    @caller.setter
    def caller(self, value: Any) -> None:
        self.lower.caller = value

    def base_provider(self) -> Any:
        """The base provider at the bottom of the chain."""
        p = self.lower
        while isinstance(p, LayeredProvider):
            p = p.lower
        return p

    def proc_table(self) -> list[Any]:
        """This layer's 30 WSP entry points in documented order."""
        return [getattr(self, name) for name in PROC_NAMES]

    def close_info(self, s: int) -> Any:
        """What the switch needs for graceful close and linger (passed down)."""
        return self.lower.close_info(s)

    def unsent(self, s: int) -> int:
        """Bytes sent on ``s`` that the peer has not taken yet (passed down)."""
        return int(self.lower.unsent(s))

    def cancel(self, s: int, ov: Any, thread: Any) -> int:
        """CancelIo/CancelIoEx: an intercepted request is cancelled through the
        layer's own WSAOVERLAPPED below; it then completes to the caller."""
        if ov is not None:
            rec = self._intercepted.get(ov)
            if rec is not None:
                ov = rec.lower_ov
        return int(self.lower.cancel(s, ov, thread))

    # -- startup (SPI-FACTS 3.1) ------------------------------------------------------------
    def WSPStartup(
        self, wVersionRequested: int, lpWSPData: Any, lpProtocolInfo: Any, UpcallTable: Any, lpProcTable: Any
    ) -> int:
        """Start the provider below (it fills ``next_procs``), then give the caller
        this layer's entry points.  Returns 0 or the error, as WSPStartup does."""
        if lpWSPData is None or lpProcTable is None:
            return WSAEFAULT
        if not isinstance(UpcallTable, WSPUPCALLTABLE):
            raise TypeError(f"UpcallTable must be a WSPUPCALLTABLE, not {type(UpcallTable).__name__}")
        if not isinstance(lpProcTable, WSPPROC_TABLE):
            raise TypeError(f"lpProcTable must be a WSPPROC_TABLE, not {type(lpProcTable).__name__}")
        # The unmodified protocol info goes down to another layer; the base
        # provider ignores it (SPI-FACTS 3.1).
        rc = self.lower.WSPStartup(wVersionRequested, lpWSPData, lpProtocolInfo, UpcallTable, self.next_procs)
        if rc:
            return int(rc)
        switch = UpcallTable.switch
        self.upcalls[switch] = UpcallTable
        self.started[switch] = self.started.get(switch, 0) + 1
        for name in PROC_NAMES:
            setattr(lpProcTable, "lp" + name, getattr(self, name))
        return 0

    def WSPCleanup(self, lpErrno: Any) -> int:
        """End one WSPStartup (passed down).  The last one also ends the layer's
        intercepted requests of that process without notification, as the base
        provider ends its own (SPI-FACTS 3.7)."""
        switch = self.caller or getattr(self.lower, "last_started", None)
        rc: int = self.next_proc("WSPCleanup")(lpErrno)
        count = self.started.get(switch, 0)
        if count <= 1:
            self.started.pop(switch, None)
            for ov, rec in list(self._intercepted.items()):
                if rec.switch is switch and not rec.done:
                    rec.done = True
                    ov.OffsetHigh = WSA_OPERATION_ABORTED
                    ov.InternalHigh = 0
                    ov.Internal = switch.status_for(WSA_OPERATION_ABORTED)
                    self._forget(rec)
        else:
            self.started[switch] = count - 1
        return rc

    def next_proc(self, name: str) -> Callable[..., Any]:
        """The lower provider's entry point ``name`` (e.g. "WSPSend"): every
        pass-through goes through here, so overriding it observes them all."""
        fn = getattr(self.next_procs, "lp" + name)
        if fn is None:
            raise RuntimeError(f"wsspi_sim: {type(self).__name__}.{name} called before WSPStartup")
        return fn  # type: ignore[no-any-return]

    # -- the 30 entry points: pass through ----------------------------------------------------
    def WSPAccept(self, s: int, addr: Any, addrlen: Any, lpfnCondition: Any, dwCallbackData: int,
                  lpErrno: Any) -> int:
        """Pass through."""
        return self.next_proc("WSPAccept")(s, addr, addrlen, lpfnCondition, dwCallbackData, lpErrno)  # type: ignore[no-any-return]

    def WSPAddressToString(self, lpsaAddress: Any, dwAddressLength: int, lpProtocolInfo: Any,
                           lpszAddressString: Any, lpdwAddressStringLength: Any, lpErrno: Any) -> int:
        """Pass through."""
        return self.next_proc("WSPAddressToString")(  # type: ignore[no-any-return]
            lpsaAddress, dwAddressLength, lpProtocolInfo, lpszAddressString, lpdwAddressStringLength, lpErrno
        )

    def WSPAsyncSelect(self, s: int, hWnd: Any, wMsg: int, lEvent: int, lpErrno: Any) -> int:
        """Pass through."""
        return self.next_proc("WSPAsyncSelect")(s, hWnd, wMsg, lEvent, lpErrno)  # type: ignore[no-any-return]

    def WSPBind(self, s: int, name: Any, namelen: int, lpErrno: Any) -> int:
        """Pass through."""
        return self.next_proc("WSPBind")(s, name, namelen, lpErrno)  # type: ignore[no-any-return]

    def WSPCancelBlockingCall(self, lpErrno: Any) -> int:
        """Pass through."""
        return self.next_proc("WSPCancelBlockingCall")(lpErrno)  # type: ignore[no-any-return]

    def WSPCloseSocket(self, s: int, lpErrno: Any) -> int:
        """Pass through (the lower provider's close completes pending requests,
        intercepted ones included, and ends with WPUCloseSocketHandle)."""
        return self.next_proc("WSPCloseSocket")(s, lpErrno)  # type: ignore[no-any-return]

    def WSPConnect(self, s: int, name: Any, namelen: int, lpCallerData: Any, lpCalleeData: Any,
                   lpSQOS: Any, lpGQOS: Any, lpErrno: Any) -> int:
        """Pass through."""
        return self.next_proc("WSPConnect")(  # type: ignore[no-any-return]
            s, name, namelen, lpCallerData, lpCalleeData, lpSQOS, lpGQOS, lpErrno
        )

    def WSPDuplicateSocket(self, s: int, dwProcessId: int, lpProtocolInfo: Any, lpErrno: Any) -> int:
        """Pass through."""
        return self.next_proc("WSPDuplicateSocket")(s, dwProcessId, lpProtocolInfo, lpErrno)  # type: ignore[no-any-return]

    def WSPEnumNetworkEvents(self, s: int, hEventObject: Any, lpNetworkEvents: Any, lpErrno: Any) -> int:
        """Pass through."""
        return self.next_proc("WSPEnumNetworkEvents")(s, hEventObject, lpNetworkEvents, lpErrno)  # type: ignore[no-any-return]

    def WSPEventSelect(self, s: int, hEventObject: Any, lNetworkEvents: int, lpErrno: Any) -> int:
        """Pass through."""
        return self.next_proc("WSPEventSelect")(s, hEventObject, lNetworkEvents, lpErrno)  # type: ignore[no-any-return]

    def WSPGetOverlappedResult(self, s: int, lpOverlapped: Any, lpcbTransfer: Any, fWait: Any,
                               lpdwFlags: Any, lpErrno: Any) -> int:
        """Pass through (an intercepted request's results are in the caller's
        WSAOVERLAPPED once the layer completed it)."""
        return self.next_proc("WSPGetOverlappedResult")(  # type: ignore[no-any-return]
            s, lpOverlapped, lpcbTransfer, fWait, lpdwFlags, lpErrno
        )

    def WSPGetPeerName(self, s: int, name: Any, namelen: Any, lpErrno: Any) -> int:
        """Pass through."""
        return self.next_proc("WSPGetPeerName")(s, name, namelen, lpErrno)  # type: ignore[no-any-return]

    def WSPGetSockName(self, s: int, name: Any, namelen: Any, lpErrno: Any) -> int:
        """Pass through."""
        return self.next_proc("WSPGetSockName")(s, name, namelen, lpErrno)  # type: ignore[no-any-return]

    def WSPGetSockOpt(self, s: int, level: int, optname: int, optval: Any, optlen: Any, lpErrno: Any) -> int:
        """Pass through."""
        return self.next_proc("WSPGetSockOpt")(s, level, optname, optval, optlen, lpErrno)  # type: ignore[no-any-return]

    def WSPGetQOSByName(self, s: int, lpQOSName: Any, lpQOS: Any, lpErrno: Any) -> int:
        """Pass through."""
        return self.next_proc("WSPGetQOSByName")(s, lpQOSName, lpQOS, lpErrno)  # type: ignore[no-any-return]

    def WSPIoctl(self, s: int, dwIoControlCode: int, lpvInBuffer: Any, cbInBuffer: int, lpvOutBuffer: Any,
                 cbOutBuffer: int, lpcbBytesReturned: Any, lpOverlapped: Any, lpCompletionRoutine: Any,
                 lpThreadId: Any, lpErrno: Any) -> int:
        """Pass through (intercepted when ``wrap_completions``)."""
        fn = self.next_proc("WSPIoctl")
        return self.overlapped_call(
            "ioctl", s, lpOverlapped, lpCompletionRoutine, lpThreadId, lpErrno,
            lambda ov, routine: fn(
                s, dwIoControlCode, lpvInBuffer, cbInBuffer, lpvOutBuffer, cbOutBuffer,
                lpcbBytesReturned, ov, routine, lpThreadId, lpErrno,
            ),
        )  # fmt: skip

    def WSPJoinLeaf(self, s: int, name: Any, namelen: int, lpCallerData: Any, lpCalleeData: Any,
                    lpSQOS: Any, lpGQOS: Any, dwFlags: int, lpErrno: Any) -> int:
        """Pass through."""
        return self.next_proc("WSPJoinLeaf")(  # type: ignore[no-any-return]
            s, name, namelen, lpCallerData, lpCalleeData, lpSQOS, lpGQOS, dwFlags, lpErrno
        )

    def WSPListen(self, s: int, backlog: int, lpErrno: Any) -> int:
        """Pass through."""
        return self.next_proc("WSPListen")(s, backlog, lpErrno)  # type: ignore[no-any-return]

    def WSPRecv(self, s: int, lpBuffers: Any, dwBufferCount: int, lpNumberOfBytesRecvd: Any, lpFlags: Any,
                lpOverlapped: Any, lpCompletionRoutine: Any, lpThreadId: Any, lpErrno: Any) -> int:
        """Pass through (intercepted when ``wrap_completions``)."""
        fn = self.next_proc("WSPRecv")
        return self.overlapped_call(
            "recv", s, lpOverlapped, lpCompletionRoutine, lpThreadId, lpErrno,
            lambda ov, routine: fn(
                s, lpBuffers, dwBufferCount, lpNumberOfBytesRecvd, lpFlags, ov, routine, lpThreadId, lpErrno
            ),
        )  # fmt: skip

    def WSPRecvDisconnect(self, s: int, lpInboundDisconnectData: Any, lpErrno: Any) -> int:
        """Pass through."""
        return self.next_proc("WSPRecvDisconnect")(s, lpInboundDisconnectData, lpErrno)  # type: ignore[no-any-return]

    def WSPRecvFrom(self, s: int, lpBuffers: Any, dwBufferCount: int, lpNumberOfBytesRecvd: Any,
                    lpFlags: Any, lpFrom: Any, lpFromlen: Any, lpOverlapped: Any, lpCompletionRoutine: Any,
                    lpThreadId: Any, lpErrno: Any) -> int:
        """Pass through (intercepted when ``wrap_completions``)."""
        fn = self.next_proc("WSPRecvFrom")
        return self.overlapped_call(
            "recv", s, lpOverlapped, lpCompletionRoutine, lpThreadId, lpErrno,
            lambda ov, routine: fn(
                s, lpBuffers, dwBufferCount, lpNumberOfBytesRecvd, lpFlags, lpFrom, lpFromlen, ov,
                routine, lpThreadId, lpErrno,
            ),
        )  # fmt: skip

    def WSPSelect(self, nfds: int, readfds: Any, writefds: Any, exceptfds: Any, timeout: Any,
                  lpErrno: Any) -> int:
        """Pass through."""
        return self.next_proc("WSPSelect")(nfds, readfds, writefds, exceptfds, timeout, lpErrno)  # type: ignore[no-any-return]

    def WSPSend(self, s: int, lpBuffers: Any, dwBufferCount: int, lpNumberOfBytesSent: Any, dwFlags: int,
                lpOverlapped: Any, lpCompletionRoutine: Any, lpThreadId: Any, lpErrno: Any) -> int:
        """Pass through (intercepted when ``wrap_completions``)."""
        fn = self.next_proc("WSPSend")
        return self.overlapped_call(
            "send", s, lpOverlapped, lpCompletionRoutine, lpThreadId, lpErrno,
            lambda ov, routine: fn(
                s, lpBuffers, dwBufferCount, lpNumberOfBytesSent, dwFlags, ov, routine, lpThreadId, lpErrno
            ),
        )  # fmt: skip

    def WSPSendDisconnect(self, s: int, lpOutboundDisconnectData: Any, lpErrno: Any) -> int:
        """Pass through."""
        return self.next_proc("WSPSendDisconnect")(s, lpOutboundDisconnectData, lpErrno)  # type: ignore[no-any-return]

    def WSPSendTo(self, s: int, lpBuffers: Any, dwBufferCount: int, lpNumberOfBytesSent: Any, dwFlags: int,
                  lpTo: Any, iTolen: int, lpOverlapped: Any, lpCompletionRoutine: Any, lpThreadId: Any,
                  lpErrno: Any) -> int:
        """Pass through (intercepted when ``wrap_completions``)."""
        fn = self.next_proc("WSPSendTo")
        return self.overlapped_call(
            "send", s, lpOverlapped, lpCompletionRoutine, lpThreadId, lpErrno,
            lambda ov, routine: fn(
                s, lpBuffers, dwBufferCount, lpNumberOfBytesSent, dwFlags, lpTo, iTolen, ov, routine,
                lpThreadId, lpErrno,
            ),
        )  # fmt: skip

    def WSPSetSockOpt(self, s: int, level: int, optname: int, optval: Any, optlen: int, lpErrno: Any) -> int:
        """Pass through."""
        return self.next_proc("WSPSetSockOpt")(s, level, optname, optval, optlen, lpErrno)  # type: ignore[no-any-return]

    def WSPShutdown(self, s: int, how: int, lpErrno: Any) -> int:
        """Pass through."""
        return self.next_proc("WSPShutdown")(s, how, lpErrno)  # type: ignore[no-any-return]

    def WSPSocket(self, af: int, type: int, protocol: int, lpProtocolInfo: Any, g: int,  # noqa: A002
                  dwFlags: int, lpErrno: Any) -> int:
        """Pass through (the handle of the provider below is the caller's handle)."""
        return self.next_proc("WSPSocket")(af, type, protocol, lpProtocolInfo, g, dwFlags, lpErrno)  # type: ignore[no-any-return]

    def WSPStringToAddress(self, AddressString: Any, AddressFamily: int, lpProtocolInfo: Any,
                           lpAddress: Any, lpAddressLength: Any, lpErrno: Any) -> int:
        """Pass through."""
        return self.next_proc("WSPStringToAddress")(  # type: ignore[no-any-return]
            AddressString, AddressFamily, lpProtocolInfo, lpAddress, lpAddressLength, lpErrno
        )

    # -- overlapped interception (SPI-FACTS 3.4, the LSP sample) ------------------------------
    def on_complete(
        self, kind: str, s: int, lpOverlapped: WSAOVERLAPPED, dwError: int, cbTransferred: int, dwFlags: int
    ) -> tuple[int, int, int]:
        """Called when the lower provider completes an intercepted request, before
        the caller is told.  ``kind`` is "send", "recv" or "ioctl";
        ``lpOverlapped`` is the caller's.  Return (error, bytes, flags) to report
        (the default reports what the lower provider did)."""
        return dwError, cbTransferred, dwFlags

    def overlapped_call(
        self, kind: str, s: int, lpOverlapped: Any, lpCompletionRoutine: Any, lpThreadId: Any, lpErrno: Any,
        issue: Callable[[Any, Any], int],
    ) -> int:  # fmt: skip
        """Issue an overlapped-capable call below: ``issue(ov, routine)``.

        Without ``wrap_completions`` (or for a non-overlapped call) the caller's
        WSAOVERLAPPED and routine go down as they are.  Otherwise the layer
        substitutes its own request and completes the caller's from
        :meth:`on_complete` (see the module docstring)."""
        if not self.wrap_completions or not isinstance(lpOverlapped, WSAOVERLAPPED):
            return issue(lpOverlapped, lpCompletionRoutine)
        base = self.base_provider()
        sock = base.table.get(s) if type(s) is int else None
        switch = None if sock is None else base.switch_of(s, sock)
        if sock is None or not sock.overlapped or switch is None or lpOverlapped in self._intercepted:
            # Not an overlapped socket (the provider ignores lpOverlapped), not a
            # socket at all (the provider reports it), or a request object still in
            # use: nothing to intercept.
            return issue(lpOverlapped, lpCompletionRoutine)
        if lpCompletionRoutine is not None and switch.is_port_associated(s):
            if lpErrno is not None:
                lpErrno.value = WSAEINVAL  # W34: a routine on a port-associated socket
            return SOCKET_ERROR
        up = self.upcalls.get(switch)
        if up is None or up.lpWPUCreateEvent is None:
            if lpErrno is not None:
                lpErrno.value = WSANOTINITIALISED
            return SOCKET_ERROR
        rec = _Intercepted(kind, s, lpOverlapped, lpCompletionRoutine, lpThreadId, switch)
        if self._event_cls is None:
            self._event_cls = _notify_event_class()
        h: int = up.lpWPUCreateEvent(Ref())
        # The switch's own event object is replaced by one that tells this layer
        # when it is set: the sample's worker thread, without its latency.
        switch.events[h] = self._event_cls(lambda: self._lower_done(rec))
        rec.event = h
        rec.lower_ov.hEvent = h | 1  # low bit: no packet on the caller's port
        saved = (lpOverlapped.Internal, lpOverlapped.InternalHigh)
        lpOverlapped.Internal = WSS_OPERATION_IN_PROGRESS  # SetOverlappedInProgress
        lpOverlapped.InternalHigh = 0
        self._intercepted[lpOverlapped] = rec
        rc = issue(rec.lower_ov, None)
        err = lpErrno.value if lpErrno is not None and rc == SOCKET_ERROR else 0
        if rec.done:
            return rc  # completed during the call (at once, or with an error: W84)
        if rc == SOCKET_ERROR and err == WSA_IO_PENDING:
            if lpCompletionRoutine is None and lpOverlapped.hEvent:
                # the function that starts a pending request resets its event (SPI-FACTS 3.4)
                hev = lpOverlapped.hEvent
                if up.lpWPUResetEvent is not None and isinstance(hev, int):
                    up.lpWPUResetEvent(hev & ~1, Ref())
            return rc
        # Refused (no request started, no completion will follow) or treated as a
        # non-overlapped call: the caller's structure is left as it was.
        lpOverlapped.Internal, lpOverlapped.InternalHigh = saved
        self._forget(rec)
        return rc

    def _forget(self, rec: _Intercepted) -> None:
        self._intercepted.pop(rec.ov, None)
        if rec.event:
            rec.switch.events.pop(rec.event, None)
            rec.event = 0

    def _lower_done(self, rec: _Intercepted) -> None:
        low = rec.lower_ov
        if rec.done or low.Internal == WSS_OPERATION_IN_PROGRESS:
            return
        rec.done = True
        self._forget(rec)
        err, nbytes, flags = self.on_complete(rec.kind, rec.s, rec.ov, low.OffsetHigh, low.InternalHigh, low.Offset)
        ov = rec.ov
        switch = rec.switch
        ov.Offset = flags
        ov.OffsetHigh = err
        tr = self.sim.tracer
        if tr is not None:
            tr.event("lsp_completion", layer=type(self).__name__, socket=rec.s, op=rec.kind, error=err, bytes=nbytes)
        if rec.routine is not None:
            ov.InternalHigh = nbytes
            ov.Internal = switch.status_for(err)
            up = self.upcalls.get(switch)
            if up is not None and up.lpWPUQueueApc is not None:
                up.lpWPUQueueApc(rec.thread, self._apc, rec, Ref())
        else:
            switch.WPUCompleteOverlappedRequest(rec.s, ov, err, nbytes, Ref())

    @staticmethod
    def _apc(dwContext: Any) -> None:
        """The layer's APC (LSP overlap.cpp): run the caller's completion routine."""
        rec: _Intercepted = dwContext
        ov = rec.ov
        rec.routine(ov.OffsetHigh, ov.InternalHigh, ov, ov.Offset)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} over {self.lower!r}>"


_lock_entry_points(LayeredProvider)

__all__ = ["LayeredProvider"]
