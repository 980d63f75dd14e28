"""The Winsock secure socket extensions (Fwpuclnt.dll on Windows): six thin
wrappers that build an ioctl buffer and call WSAIoctl, as Fwpuclnt does
(SPI-FACTS 5), plus two readers for tests (the calling thread's impersonated
principal, a socket's peer-target-name registry).

The wrappers pass the caller's structure straight through as the ioctl's
input buffer, so every error comes from the same place, in the same order,
whether a program calls the wrapper or WSAIoctl with the SIO_* code itself:
WSANOTINITIALISED and WSAENOTSOCK first (the switch), then the provider's
checks (docs/design-choices.md, "Secure socket extensions").
"""

from __future__ import annotations

import struct
from typing import Any

from ..constants import (
    AF_INET,
    AF_INET6,
    SIO_DELETE_PEER_TARGET_NAME,
    SIO_QUERY_SECURITY,
    SIO_SET_PEER_TARGET_NAME,
    SIO_SET_SECURITY,
    SO_TYPE,
    SOCK_DGRAM,
    SOCKET_ERROR,
    SOCKET_SECURITY_PROTOCOL_DEFAULT,
    SOL_SOCKET,
)
from ..errors import WSAEAFNOSUPPORT, WSAEFAULT, WSAEINVAL, WSAEMSGSIZE
from ..provider.core import Ref, check_int, get_in
from ..structs import SOCKET_SECURITY_QUERY_INFO, SOCKET_SECURITY_QUERY_TEMPLATE, as_bytes
from .core import check_handle
from .waits import WaitAPI

_U16 = struct.Struct("<H")
_I32 = struct.Struct("<i")
_ADDR_SIZE = {AF_INET: 16, AF_INET6: 28}
#: TOKEN_DUPLICATE | TOKEN_IMPERSONATE | TOKEN_QUERY: what impersonation asks for.
_IMPERSONATION_ACCESS = 0x0002 | 0x0004 | 0x0008


def _struct_arg(obj: Any, param: str) -> bytes | None:
    """A structure pointer argument: None (NULL), an attrs structure (its packed
    bytes) or packed bytes; a str or any other object is a TypeError."""
    if obj is None:
        return None
    return as_bytes(obj, param=param)


class SecureAPI(WaitAPI):
    """WSASetSocketPeerTargetName ... WSARevertImpersonation (ws2tcpip.h)."""

    def _input_ioctl(
        self, Socket: int, code: int, arg: Any, param: str, arg_len: int,
        Overlapped: Any, CompletionRoutine: Any,
    ) -> int:  # fmt: skip
        """The body of the wrappers whose structure is the ioctl's only buffer (input):
        ``param`` names ``arg`` and, with "Len" appended, ``arg_len`` in a TypeError."""
        with self.sim.lock:
            check_handle(Socket, "Socket")
            check_int(arg_len, param + "Len")
            buf = _struct_arg(arg, param)
            return self.WSAIoctl(Socket, code, buf, arg_len, None, 0, Ref(0), Overlapped, CompletionRoutine)

    # -- the peer-target-name registry (seeds 000, 001, 002) ---------------------------
    def WSASetSocketPeerTargetName(
        self, Socket: int, PeerTargetName: Any, PeerTargetNameLen: int,
        Overlapped: Any = None, CompletionRoutine: Any = None,
    ) -> int:  # fmt: skip
        """Name the principal the peer must prove to be (seed 002).

        ``PeerTargetName`` is a SOCKET_PEER_TARGET_NAME or its packed bytes;
        ``PeerTargetNameLen`` is its length as in C: sizeof (144) + the name's
        bytes.  Stream sockets hold one name; datagram sockets one per peer
        address.  Returns 0 or SOCKET_ERROR (WSAEFAULT, WSAEMSGSIZE, WSAEINVAL,
        WSAEAFNOSUPPORT, WSAEISCONN, WSAENOTSOCK)."""
        return self._input_ioctl(
            Socket, SIO_SET_PEER_TARGET_NAME, PeerTargetName, "PeerTargetName", PeerTargetNameLen,
            Overlapped, CompletionRoutine,
        )  # fmt: skip

    def WSADeleteSocketPeerTargetName(
        self, Socket: int, PeerAddr: Any, PeerAddrLen: int,
        Overlapped: Any = None, CompletionRoutine: Any = None,
    ) -> int:  # fmt: skip
        """Remove the target name registered for ``PeerAddr`` (seed 000): no later
        authentication to that address uses it.  ``PeerAddr`` is a packed
        sockaddr (or sockaddr_in / sockaddr_in6) and ``PeerAddrLen`` its length.
        Deleting a name that is not registered succeeds."""
        return self._input_ioctl(
            Socket, SIO_DELETE_PEER_TARGET_NAME, PeerAddr, "PeerAddr", PeerAddrLen,
            Overlapped, CompletionRoutine,
        )  # fmt: skip

    # -- security settings and queries ------------------------------------------------------
    def WSASetSocketSecurity(
        self, Socket: int, SecuritySettings: Any, SecuritySettingsLen: int,
        Overlapped: Any = None, CompletionRoutine: Any = None,
    ) -> int:  # fmt: skip
        """Ask for (simulated) IPsec on the socket, once, before bind/connect
        (SPI-FACTS 5.5).  ``SecuritySettings`` is None (defaults), a
        SOCKET_SECURITY_SETTINGS or SOCKET_SECURITY_SETTINGS_IPSEC, or packed
        bytes.  Also sets SO_EXCLUSIVEADDRUSE."""
        return self._input_ioctl(
            Socket, SIO_SET_SECURITY, SecuritySettings, "SecuritySettings", SecuritySettingsLen,
            Overlapped, CompletionRoutine,
        )  # fmt: skip

    def WSAQuerySocketSecurity(
        self, Socket: int, SecurityQueryTemplate: Any, SecurityQueryTemplateLen: int,
        SecurityQueryInfo: Any, SecurityQueryInfoLen: Any,
        Overlapped: Any = None, CompletionRoutine: Any = None,
    ) -> int:  # fmt: skip
        """Report how the connection (TCP) or the exchanges with a peer (UDP) are
        secured (SPI-FACTS 5.6).  ``SecurityQueryInfo`` is a
        SOCKET_SECURITY_QUERY_INFO (filled in place) or a writable buffer;
        ``SecurityQueryInfoLen`` is an in/out length object: with no or too small
        an info buffer the call fails and the length receives the size needed."""
        with self.sim.lock:
            check_handle(Socket, "Socket")
            check_int(SecurityQueryTemplateLen, "SecurityQueryTemplateLen")
            tmpl = _struct_arg(SecurityQueryTemplate, "SecurityQueryTemplate")
            cb = 0
            if SecurityQueryInfoLen is not None:
                cb = get_in(SecurityQueryInfoLen, "SecurityQueryInfoLen")
            # SecurityQueryInfoLen is the ioctl's lpcbBytesReturned: NULL fails
            # WSAEFAULT in the provider, after the handle checks.
            return self.WSAIoctl(
                Socket, SIO_QUERY_SECURITY, tmpl, SecurityQueryTemplateLen, SecurityQueryInfo, cb,
                SecurityQueryInfoLen, Overlapped, CompletionRoutine,
            )  # fmt: skip

    # -- impersonation (SPI-FACTS 5.7) ---------------------------------------------------
    def WSAImpersonateSocketPeer(self, Socket: int, PeerAddr: Any, PeerAddrLen: int) -> int:
        """Make the calling thread impersonate the socket's authenticated peer
        (its machine principal: user authentication is not modelled).

        TCP: the connection's peer (``PeerAddr`` is ignored).  UDP: the peer at
        ``PeerAddr`` (required: WSAEFAULT when None).  A peer that was not
        authenticated by simulated IPsec cannot be impersonated: WSAEINVAL; nor
        can the peer of an overlapped or nonblocking socket: WSAEINVAL."""
        with self.sim.lock:
            check_handle(Socket, "Socket")
            # The socket's type decides whether PeerAddr is needed; asking it
            # also reports WSANOTINITIALISED / WSAENOTSOCK first.
            optval = bytearray(4)
            if self.getsockopt(Socket, SOL_SOCKET, SO_TYPE, optval, Ref(4)) == SOCKET_ERROR:
                return SOCKET_ERROR
            storage = b""
            if _I32.unpack(optval)[0] == SOCK_DGRAM:
                if PeerAddr is None:
                    self.set_error(WSAEFAULT)
                    return SOCKET_ERROR
                raw = as_bytes(PeerAddr, param="PeerAddr")
                n = check_int(PeerAddrLen, "PeerAddrLen")
                if n < 2:
                    self.set_error(WSAEMSGSIZE)
                    return SOCKET_ERROR
                if len(raw) < 2:
                    self.set_error(WSAEFAULT)
                    return SOCKET_ERROR
                family = _U16.unpack_from(raw)[0]
                size = _ADDR_SIZE.get(family)
                if size is None:
                    self.set_error(WSAEAFNOSUPPORT)
                    return SOCKET_ERROR
                if n < size:
                    self.set_error(WSAEMSGSIZE)
                    return SOCKET_ERROR
                if len(raw) < size:
                    self.set_error(WSAEFAULT)
                    return SOCKET_ERROR
                storage = raw[:size]
            # SPI-FACTS 5.7: only blocking, non-overlapped sockets (WSAEINVAL:
            # our choice, after the documented argument errors).
            mode_error = getattr(self.sockets[Socket].provider, "impersonation_mode_error", None)
            refused = mode_error(Socket) if mode_error is not None else 0
            if refused:
                self.set_error(refused)
                return SOCKET_ERROR
            template = SOCKET_SECURITY_QUERY_TEMPLATE(
                SecurityProtocol=SOCKET_SECURITY_PROTOCOL_DEFAULT,
                PeerAddress=storage,
                PeerTokenAccessMask=_IMPERSONATION_ACCESS,
            ).pack()
            info = SOCKET_SECURITY_QUERY_INFO()
            got = Ref(0)
            rc = self.WSAIoctl(
                Socket, SIO_QUERY_SECURITY, template, len(template), info, info.SIZE, got, None, None
            )
            if rc == SOCKET_ERROR:
                return SOCKET_ERROR
            token = info.PeerApplicationAccessTokenHandle or info.PeerMachineAccessTokenHandle
            tokens = getattr(self.sockets[Socket].provider, "tokens", {})
            principal = tokens.get(token) if token else None
            if principal is None:
                self.set_error(WSAEINVAL)  # no authenticated peer (docs/design-choices.md)
                return SOCKET_ERROR
            self.ts().impersonating = principal
            tr = self.sim.tracer
            if tr is not None:
                tr.event("impersonate", pid=self.pid, socket=Socket, principal=principal)
            return 0

    def WSARevertImpersonation(self) -> int:
        """End the calling thread's socket-peer impersonation; a thread that is
        not impersonating is left as it is.  Always 0 in the simulation."""
        with self.sim.lock:
            ts = self.ts()
            if ts.impersonating is not None:
                tr = self.sim.tracer
                if tr is not None:
                    tr.event("revert_impersonation", pid=self.pid, principal=ts.impersonating)
            ts.impersonating = None
            return 0

    # -- for tests (not Windows functions) -------------------------------------------------
    def impersonated_principal(self) -> str | None:
        """The principal the calling thread impersonates (WSAImpersonateSocketPeer),
        or None (the process's own identity)."""
        with self.sim.lock:
            return self.ts().impersonating

    def peer_target_names(self, s: int) -> dict[tuple[str, int] | None, str]:
        """A copy of socket ``s``'s peer-target-name registry: ``{None: name}``
        for a stream socket, ``{(ip, port): name}`` for a datagram socket.
        ValueError if ``s`` is not an open socket of this process."""
        with self.sim.lock:
            if isinstance(s, bool) or not isinstance(s, int):
                raise TypeError(f"s must be an int socket handle, not {type(s).__name__}")
            e = self.sockets.get(s)
            sock = None if e is None else e.provider.table.get(s)
            if e is None or sock is None:
                raise ValueError(f"s: {s} is not an open socket of process {self.pid}")
            registry: dict[tuple[str, int] | None, str] = e.provider.registry(sock)
            return registry


__all__ = ["SecureAPI"]
