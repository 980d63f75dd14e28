"""The Microsoft extension functions at the API: AcceptEx, ConnectEx,
DisconnectEx and GetAcceptExSockaddrs (mswsock.h; WINDOWS-OBSERVED W14,
W23-W27, W43, W53, W55, W87, W89).

On Windows a program asks the provider for a function pointer with
``WSAIoctl(s, SIO_GET_EXTENSION_FUNCTION_POINTER, guid, 16, out, 8, ...)``
and calls through it.  Here the 8 bytes written to ``out`` are a function id
(little-endian, like a pointer); :meth:`ExtensionAPI.extension_function`
turns those bytes (or the int) back into the callable.  The functions are
also plain methods of the switch (``api.AcceptEx`` ...), with Windows'
parameter names and order, returning BOOL (TRUE / FALSE with the last error
set: ERROR_IO_PENDING when the request pends).

Like mswsock.dll, they call the *base* provider of the host directly; they
do not go through ws2_32's dispatch (a layered provider that does not
intercept SIO_GET_EXTENSION_FUNCTION_POINTER is bypassed, and its handles
are not the base provider's: WSAENOTSOCK).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..constants import AF_INET, AF_INET6, FALSE, TRUE
from ..errors import WSANOTINITIALISED, WSASYSCALLFAILURE
from ..provider.core import Ref, check_int, put, readable
from ..provider.extensions import EXTENSION_NAMES
from .core import check_handle
from .sockets import SocketAPI


class ExtensionAPI(SocketAPI):
    """AcceptEx, ConnectEx, DisconnectEx, GetAcceptExSockaddrs, extension_function."""

    def extension_function(self, pointer: Any) -> Callable[..., Any]:
        """The function an extension "pointer" names: ``pointer`` is the 8-byte
        buffer SIO_GET_EXTENSION_FUNCTION_POINTER filled, an int, or an object
        with ``.value``.  ValueError for anything else (a C program would crash)."""
        if hasattr(pointer, "value") and not isinstance(pointer, (bytes, bytearray, memoryview)):
            pointer = pointer.value
        if isinstance(pointer, (bytes, bytearray, memoryview)):
            pointer = int.from_bytes(bytes(pointer)[:8], "little")
        name = EXTENSION_NAMES.get(pointer) if isinstance(pointer, int) else None
        if name is None:
            raise ValueError(f"{pointer!r} is not an extension function pointer")
        fn: Callable[..., Any] = getattr(self, name)
        return fn

    def _ext_call(self, handles: tuple[Any, ...], method: str, *args: Any) -> int:
        with self.sim.lock:
            for h, pname in handles:
                check_handle(h, pname)
            if not self.started:
                self.set_error(WSANOTINITIALISED)
                return FALSE
            errno = Ref()
            fn = getattr(self.host.provider, method)
            rc = fn(*args, self.ts().threadid, errno)
            if rc == 0:
                return TRUE
            self.set_error(errno.value or WSASYSCALLFAILURE)
            return FALSE

    def AcceptEx(
        self, sListenSocket: int, sAcceptSocket: int, lpOutputBuffer: Any, dwReceiveDataLength: int,
        dwLocalAddressLength: int, dwRemoteAddressLength: int, lpdwBytesReceived: Any, lpOverlapped: Any,
    ) -> int:  # fmt: skip
        """Accept a connection into ``sAcceptSocket`` (overlapped only): the
        output buffer gets the first data (up to dwReceiveDataLength; with a
        receive length the request waits for data or the peer's close, W27),
        then the local and remote addresses in slots of dwLocalAddressLength /
        dwRemoteAddressLength bytes (each at least sizeof(sockaddr) + 16).
        Read them with :meth:`GetAcceptExSockaddrs`."""
        return self._ext_call(
            ((sListenSocket, "sListenSocket"), (sAcceptSocket, "sAcceptSocket")),
            "ext_AcceptEx", sListenSocket, sAcceptSocket, lpOutputBuffer, dwReceiveDataLength,
            dwLocalAddressLength, dwRemoteAddressLength, lpdwBytesReceived, lpOverlapped,
        )  # fmt: skip

    def ConnectEx(
        self, s: int, name: Any, namelen: int, lpSendBuffer: Any, dwSendDataLength: int,
        lpdwBytesSent: Any, lpOverlapped: Any,
    ) -> int:  # fmt: skip
        """Connect a bound stream socket and send the first bytes (overlapped only)."""
        return self._ext_call(
            ((s, "s"),), "ext_ConnectEx", s, name, namelen, lpSendBuffer, dwSendDataLength,
            lpdwBytesSent, lpOverlapped,
        )  # fmt: skip

    def DisconnectEx(self, s: int, lpOverlapped: Any, dwFlags: int, dwReserved: int) -> int:
        """Close the sending side (like shutdown(SD_SEND), W53); with an
        OVERLAPPED the request pends and completes with 0 bytes (W55)."""
        return self._ext_call(((s, "s"),), "ext_DisconnectEx", s, lpOverlapped, dwFlags, dwReserved)

    def GetAcceptExSockaddrs(
        self, lpOutputBuffer: Any, dwReceiveDataLength: int, dwLocalAddressLength: int,
        dwRemoteAddressLength: int, LocalSockaddr: Any, LocalSockaddrLength: Any,
        RemoteSockaddr: Any, RemoteSockaddrLength: Any,
    ) -> None:  # fmt: skip
        """Parse an AcceptEx output buffer: ``LocalSockaddr.value`` and
        ``RemoteSockaddr.value`` receive the addresses as bytes (Windows hands
        back pointers into the buffer), the ``...Length.value`` their sizes;
        a slot AcceptEx did not fill (local length 0) gives b"" and 0."""
        recv = check_int(dwReceiveDataLength, "dwReceiveDataLength")
        local = check_int(dwLocalAddressLength, "dwLocalAddressLength")
        remote = check_int(dwRemoteAddressLength, "dwRemoteAddressLength")
        buf = bytes(readable(lpOutputBuffer, "lpOutputBuffer"))
        for start, size, out, outlen, pname in (
            (recv, local, LocalSockaddr, LocalSockaddrLength, "LocalSockaddr"),
            (recv + local, remote, RemoteSockaddr, RemoteSockaddrLength, "RemoteSockaddr"),
        ):
            slot = buf[start : start + size]
            fam = int.from_bytes(slot[:2], "little") if len(slot) >= 2 else 0
            n = 16 if fam == AF_INET else 28 if fam == AF_INET6 else 0
            put(out, slot[:n] if n <= len(slot) else b"", pname)
            put(outlen, n if n <= len(slot) else 0, pname + "Length")


__all__ = ["ExtensionAPI"]
