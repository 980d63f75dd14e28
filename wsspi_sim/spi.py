"""The SPI contract between the switch (ws2) and a service provider.

WSPPROC_TABLE holds the provider's 30 entry points in the documented order
(SPI-FACTS 3.2: alphabetical, lpWSPAccept first, lpWSPStringToAddress last);
WSPUPCALLTABLE holds the switch's 15 upcalls (SPI-FACTS 3.3).
WPUCompleteOverlappedRequest is not in the upcall table: on Windows it is an
export of ws2_32.dll, here a method of the switch object that a provider finds
through :attr:`WSPUPCALLTABLE.switch` (the DLL it links against).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

import attrs

PROC_NAMES: Final[tuple[str, ...]] = (
    "WSPAccept",
    "WSPAddressToString",
    "WSPAsyncSelect",
    "WSPBind",
    "WSPCancelBlockingCall",
    "WSPCleanup",
    "WSPCloseSocket",
    "WSPConnect",
    "WSPDuplicateSocket",
    "WSPEnumNetworkEvents",
    "WSPEventSelect",
    "WSPGetOverlappedResult",
    "WSPGetPeerName",
    "WSPGetSockName",
    "WSPGetSockOpt",
    "WSPGetQOSByName",
    "WSPIoctl",
    "WSPJoinLeaf",
    "WSPListen",
    "WSPRecv",
    "WSPRecvDisconnect",
    "WSPRecvFrom",
    "WSPSelect",
    "WSPSend",
    "WSPSendDisconnect",
    "WSPSendTo",
    "WSPSetSockOpt",
    "WSPShutdown",
    "WSPSocket",
    "WSPStringToAddress",
)
assert len(PROC_NAMES) == 30

UPCALL_NAMES: Final[tuple[str, ...]] = (
    "WPUCloseEvent",
    "WPUCloseSocketHandle",
    "WPUCreateEvent",
    "WPUCreateSocketHandle",
    "WPUFDIsSet",
    "WPUGetProviderPath",
    "WPUModifyIFSHandle",
    "WPUPostMessage",
    "WPUQueryBlockingCallback",
    "WPUQuerySocketHandleContext",
    "WPUQueueApc",
    "WPUResetEvent",
    "WPUSetEvent",
    "WPUOpenCurrentThread",
    "WPUCloseThread",
)
assert len(UPCALL_NAMES) == 15

Fn = Callable[..., Any]


def _slot() -> Any:
    return attrs.field(default=None)


@attrs.define(slots=True)
class WSPPROC_TABLE:  # noqa: N801 - Windows' name
    """The provider's dispatch table (30 function pointers, 240 bytes on x64)."""

    lpWSPAccept: Fn | None = _slot()
    lpWSPAddressToString: Fn | None = _slot()
    lpWSPAsyncSelect: Fn | None = _slot()
    lpWSPBind: Fn | None = _slot()
    lpWSPCancelBlockingCall: Fn | None = _slot()
    lpWSPCleanup: Fn | None = _slot()
    lpWSPCloseSocket: Fn | None = _slot()
    lpWSPConnect: Fn | None = _slot()
    lpWSPDuplicateSocket: Fn | None = _slot()
    lpWSPEnumNetworkEvents: Fn | None = _slot()
    lpWSPEventSelect: Fn | None = _slot()
    lpWSPGetOverlappedResult: Fn | None = _slot()
    lpWSPGetPeerName: Fn | None = _slot()
    lpWSPGetSockName: Fn | None = _slot()
    lpWSPGetSockOpt: Fn | None = _slot()
    lpWSPGetQOSByName: Fn | None = _slot()
    lpWSPIoctl: Fn | None = _slot()
    lpWSPJoinLeaf: Fn | None = _slot()
    lpWSPListen: Fn | None = _slot()
    lpWSPRecv: Fn | None = _slot()
    lpWSPRecvDisconnect: Fn | None = _slot()
    lpWSPRecvFrom: Fn | None = _slot()
    lpWSPSelect: Fn | None = _slot()
    lpWSPSend: Fn | None = _slot()
    lpWSPSendDisconnect: Fn | None = _slot()
    lpWSPSendTo: Fn | None = _slot()
    lpWSPSetSockOpt: Fn | None = _slot()
    lpWSPShutdown: Fn | None = _slot()
    lpWSPSocket: Fn | None = _slot()
    lpWSPStringToAddress: Fn | None = _slot()

    SIZE = 240

    def entries(self) -> list[Fn | None]:
        """The 30 entries in documented order."""
        return [getattr(self, "lp" + n) for n in PROC_NAMES]


@attrs.define(slots=True)
class WSPUPCALLTABLE:  # noqa: N801 - Windows' name
    """The switch's upcalls handed to WSPStartup (15 pointers, 120 bytes on x64)."""

    lpWPUCloseEvent: Fn | None = _slot()
    lpWPUCloseSocketHandle: Fn | None = _slot()
    lpWPUCreateEvent: Fn | None = _slot()
    lpWPUCreateSocketHandle: Fn | None = _slot()
    lpWPUFDIsSet: Fn | None = _slot()
    lpWPUGetProviderPath: Fn | None = _slot()
    lpWPUModifyIFSHandle: Fn | None = _slot()
    lpWPUPostMessage: Fn | None = _slot()
    lpWPUQueryBlockingCallback: Fn | None = _slot()
    lpWPUQuerySocketHandleContext: Fn | None = _slot()
    lpWPUQueueApc: Fn | None = _slot()
    lpWPUResetEvent: Fn | None = _slot()
    lpWPUSetEvent: Fn | None = _slot()
    lpWPUOpenCurrentThread: Fn | None = _slot()
    lpWPUCloseThread: Fn | None = _slot()
    #: Not a table entry: the switch that exports WPUCompleteOverlappedRequest.
    switch: Any = _slot()

    SIZE = 120

    def entries(self) -> list[Fn | None]:
        return [getattr(self, "lp" + n) for n in UPCALL_NAMES]
