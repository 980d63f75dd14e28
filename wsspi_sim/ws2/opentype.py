"""SO_OPENTYPE: ws2_32's per-thread option (WINDOWS-OBSERVED W12).

SO_OPENTYPE is not a socket option: ws2_32 keeps it per thread and answers
getsockopt/setsockopt for it before looking at the handle, so it works on
INVALID_SOCKET or any handle, and a new thread reads 0.  socket() consults it:
0 asks for an overlapped socket (WSA_FLAG_OVERLAPPED, as ws2_32 does), any
other value (SO_SYNCHRONOUS_ALERT / SO_SYNCHRONOUS_NONALERT) for a
non-overlapped one.  WSASocketW ignores it.
"""

from __future__ import annotations

import struct
from typing import Any

from ..constants import SO_OPENTYPE, SOCKET_ERROR, SOL_SOCKET, WSA_FLAG_OVERLAPPED
from ..errors import WSAEFAULT, WSANOTINITIALISED
from ..provider.core import check_int, get_in, put, readable, writable
from .sockets import SocketAPI

_I32 = struct.Struct("<i")


class OpenTypeAPI(SocketAPI):
    """getsockopt/setsockopt(SO_OPENTYPE) and the socket() that honours it."""

    def socket(self, af: int, type: int, protocol: int) -> int:  # noqa: A002
        """Create a socket: overlapped unless this thread's SO_OPENTYPE is nonzero."""
        with self.sim.lock:
            flags = 0 if self.ts().opentype else WSA_FLAG_OVERLAPPED
            return self.WSASocketW(af, type, protocol, None, 0, flags)

    def getsockopt(self, s: int, level: int, optname: int, optval: Any, optlen: Any) -> int:
        """Read an option into ``optval`` (bytearray); ``optlen`` is in/out.
        SO_OPENTYPE is this thread's setting, whatever ``s`` is (W12)."""
        if check_int(level, "level") != SOL_SOCKET or check_int(optname, "optname") != SO_OPENTYPE:
            return super().getsockopt(s, level, optname, optval, optlen)
        with self.sim.lock:
            if not self.started:
                self.set_error(WSANOTINITIALISED)
                return SOCKET_ERROR
            if optval is None or optlen is None or get_in(optlen, "optlen") < 4:
                self.set_error(WSAEFAULT)
                return SOCKET_ERROR
            mv = writable(optval, "optval")
            if mv is None or len(mv) < 4:
                self.set_error(WSAEFAULT)
                return SOCKET_ERROR
            mv[:4] = _I32.pack(self.ts().opentype)
            put(optlen, 4, "optlen")
            return 0

    def setsockopt(self, s: int, level: int, optname: int, optval: Any, optlen: int) -> int:
        """Set an option from ``optval``; SO_OPENTYPE sets this thread's value (W12)."""
        if check_int(level, "level") != SOL_SOCKET or check_int(optname, "optname") != SO_OPENTYPE:
            return super().setsockopt(s, level, optname, optval, optlen)
        with self.sim.lock:
            if not self.started:
                self.set_error(WSANOTINITIALISED)
                return SOCKET_ERROR
            optlen = check_int(optlen, "optlen")
            if optval is None or optlen < 4:
                self.set_error(WSAEFAULT)
                return SOCKET_ERROR
            raw = readable(optval, "optval")
            if len(raw) < 4:
                self.set_error(WSAEFAULT)
                return SOCKET_ERROR
            self.ts().opentype = _I32.unpack_from(raw)[0]
            return 0


__all__ = ["OpenTypeAPI"]
