"""The secure socket extensions in the base provider: the peer-target-name
registry (seeds 000/001/002), security settings, security queries, and the
simulated IPsec that makes the registry mean something.

Theory of operation
===================

Four WSPIoctl codes (SPI-FACTS 1.9, 5) reach this class:

``SIO_SET_PEER_TARGET_NAME``
    input: a SOCKET_PEER_TARGET_NAME (144-byte header, the UTF-16 name from
    offset 140).  A stream socket has one name (its registry key is ``None``;
    the PeerAddress is not needed for TCP); a datagram socket has one name per
    peer address, keyed ``(family, ip, port)``.  A second set for the same key
    replaces the name.
``SIO_DELETE_PEER_TARGET_NAME``
    input: the peer's sockaddr and its length (what WSADeleteSocketPeerTargetName
    is given); a SOCKET_PEER_TARGET_NAME (a length of 144 or more) is accepted
    too and its PeerAddress used.  Deleting a name that is not there succeeds.
``SIO_SET_SECURITY``
    input: NULL (default settings), a SOCKET_SECURITY_SETTINGS, or a
    SOCKET_SECURITY_SETTINGS_IPSEC; once per socket, before bind/connect; it
    sets SO_EXCLUSIVEADDRUSE.
``SIO_QUERY_SECURITY``
    input: a SOCKET_SECURITY_QUERY_TEMPLATE (optional on TCP); output: a
    SOCKET_SECURITY_QUERY_INFO (24 bytes).  No output buffer, or one shorter
    than 24 bytes, is the size probe: the call fails and *lpcbBytesReturned
    receives 24.

Simulated IPsec.  A socket with security settings authenticates its peer when
it connects (TCP, UDP connect) or first exchanges a datagram with a peer (send
or receive).  Every simulated host takes part in the negotiation with its
machine principal (``Host.principal``); the peer is whichever host the network
routes the peer's address to (so an impostor that took the address over with
``Simulator.reroute`` is the one authenticated).  When a target name is
registered for the peer and it does not name the peer's principal
(case-insensitively, as SPNs compare), the negotiation fails:

* without SOCKET_SETTINGS_ALLOW_INSECURE the connect / send fails with
  WSAEACCES (an inbound datagram is dropped), nothing reaches the peer;
* with SOCKET_SETTINGS_ALLOW_INSECURE the traffic falls back to clear text:
  it flows, but the connection is not reported secured and has no peer token;
* with SOCKET_SETTINGS_IPSEC_OPTIONAL_PEER_NAME_VERIFICATION the mismatch is
  tolerated and the actual principal is authenticated.

Without a registered name any principal is accepted: the "trusted man in the
middle" seed 002 warns of.  Without security settings nothing is
authenticated and names are stored but never checked.

Evaluation order of every check: docs/design-choices.md, "Secure socket
extensions".
"""

from __future__ import annotations

import ipaddress
import struct
from typing import Any

import attrs

from .. import states as S
from ..constants import (
    AF_INET,
    AF_INET6,
    SIO_DELETE_PEER_TARGET_NAME,
    SIO_QUERY_SECURITY,
    SIO_SET_PEER_TARGET_NAME,
    SIO_SET_SECURITY,
    SOCK_DGRAM,
    SOCK_STREAM,
    SOCKET_ERROR,
    SOCKET_INFO_CONNECTION_ENCRYPTED,
    SOCKET_INFO_CONNECTION_SECURED,
    SOCKET_SECURITY_PROTOCOL_DEFAULT,
    SOCKET_SECURITY_PROTOCOL_IPSEC,
    SOCKET_SECURITY_PROTOCOL_IPSEC2,
    SOCKET_SETTINGS_ALLOW_INSECURE,
    SOCKET_SETTINGS_GUARANTEE_ENCRYPTION,
    SOCKET_SETTINGS_IPSEC_OPTIONAL_PEER_NAME_VERIFICATION,
)
from ..errors import (
    WSAEACCES,
    WSAEAFNOSUPPORT,
    WSAECONNRESET,
    WSAEFAULT,
    WSAEINVAL,
    WSAEISCONN,
    WSAEMSGSIZE,
)
from ..structs import SOCKET_PEER_TARGET_NAME, SOCKET_SECURITY_QUERY_INFO, fill
from .control import Control
from .core import put, readable, writable
from .sock import Sock

#: sizeof(SOCKET_PEER_TARGET_NAME) and the offset of its AllStrings (SPI-FACTS 2.3).
PEER_TARGET_NAME_SIZE = 144
PEER_TARGET_NAME_STRINGS = 140
#: sizeof(SOCKET_SECURITY_SETTINGS), sizeof(..._IPSEC) and its strings' offset.
SETTINGS_SIZE = 8
SETTINGS_IPSEC_SIZE = 88
SETTINGS_IPSEC_STRINGS = 84
#: sizeof(SOCKET_SECURITY_QUERY_TEMPLATE) and sizeof(SOCKET_SECURITY_QUERY_INFO).
QUERY_TEMPLATE_SIZE = 144
QUERY_INFO_SIZE = 24

_PTN_HDR = struct.Struct("<i4x128sI")  # SecurityProtocol, PeerAddress, StringLen
_SETTINGS = struct.Struct("<iI")
_SETTINGS_IPSEC_HDR = struct.Struct("<iII16s16s16s4xQIII")
_TEMPLATE = struct.Struct("<i4x128sI")
_U16 = struct.Struct("<H")
_PROTOCOLS = (
    SOCKET_SECURITY_PROTOCOL_DEFAULT,
    SOCKET_SECURITY_PROTOCOL_IPSEC,
    SOCKET_SECURITY_PROTOCOL_IPSEC2,
)
_SECURITY_FLAGS = SOCKET_SETTINGS_GUARANTEE_ENCRYPTION | SOCKET_SETTINGS_ALLOW_INSECURE
_IPSEC_FLAGS = 0xF  # the four SOCKET_SETTINGS_IPSEC_* bits (SPI-FACTS 2.3)
_ADDR_SIZE = {AF_INET: 16, AF_INET6: 28}
#: Stream states in which a connection exists or is being made: setting a
#: name or security settings there is WSAEISCONN (seed 002: "not permitted with
#: a connected socket"); RESET still counts, as the tables' "connect" row says.
_STREAM_CONNECTED = (S.CONNECTING, S.CONNECTED, S.RECV_SHUT, S.SEND_SHUT, S.BOTH_SHUT, S.RESET)
_STREAM_ESTABLISHED = (S.CONNECTED, S.RECV_SHUT, S.SEND_SHUT, S.BOTH_SHUT)

PeerKey = tuple[int, str, int]
"""A datagram registry key: (family, ip text, port)."""


@attrs.frozen
class SecuritySettings:
    """What WSASetSocketSecurity stored for a socket (the simulation's view)."""

    SecurityProtocol: int = SOCKET_SECURITY_PROTOCOL_DEFAULT
    SecurityFlags: int = 0
    IpsecFlags: int = 0
    UserName: str = ""
    DomainName: str = ""
    Password: str = ""


def _input(buf: Any, name: str) -> bytes:
    """A caller's input buffer as bytes: a structure object packs itself (C's
    pointer to it), anything else must be bytes-like."""
    return bytes(readable(buf, name))


def _utf16(raw: bytes) -> str:
    if len(raw) % 2:
        raw += b"\0"  # an odd IPSEC2 byte count: the last unit's high byte is zero
    return raw.decode("utf-16-le", "surrogatepass")


def _decode(family: int, raw: bytes) -> tuple[str, int]:
    """(ip, port) of a packed sockaddr of ``family`` (raw holds its full size)."""
    port = (raw[2] << 8) | raw[3]
    if family == AF_INET:
        return str(ipaddress.IPv4Address(raw[4:8])), port
    return str(ipaddress.IPv6Address(raw[8:24])), port


def _is_zero(ip: str) -> bool:
    return not any(ipaddress.ip_address(ip).packed)


def same_principal(a: str, b: str) -> bool:
    """SPNs compare case-insensitively (Kerberos / AuthIP names)."""
    return a.casefold() == b.casefold()


class Security(Control):
    """SIO_SET/DELETE_PEER_TARGET_NAME, SIO_SET/QUERY_SECURITY and the
    authentication hooks WSPConnect and WSPSendTo call."""

    def __init__(self, host: Any) -> None:
        super().__init__(host)
        #: peer access tokens handed out by SIO_QUERY_SECURITY: handle -> principal
        self.tokens: dict[int, str] = {}
        self._token_of: dict[str, int] = {}
        #: the size a failing size probe reports (set by a handler, read by WSPIoctl)
        self._needed: int | None = None

    # -- dispatch --------------------------------------------------------------------
    def ioctl_handlers(self) -> dict[int, Any]:
        """The base codes plus the four secure-socket codes (SPI-FACTS 1.9)."""
        handlers = super().ioctl_handlers()
        handlers[SIO_SET_PEER_TARGET_NAME] = self._set_peer_target_name
        handlers[SIO_DELETE_PEER_TARGET_NAME] = self._delete_peer_target_name
        handlers[SIO_SET_SECURITY] = self._set_security
        handlers[SIO_QUERY_SECURITY] = self._query_security
        return handlers

    def WSPIoctl(
        self, s: int, dwIoControlCode: int, lpvInBuffer: Any, cbInBuffer: int, lpvOutBuffer: Any,
        cbOutBuffer: int, lpcbBytesReturned: Any, lpOverlapped: Any, lpCompletionRoutine: Any,
        lpThreadId: Any, lpErrno: Any,
    ) -> int:  # fmt: skip
        """Control a socket (SPI-FACTS 3.6, 4.5, 5).  A failed size probe of
        SIO_QUERY_SECURITY also writes the size needed to *lpcbBytesReturned."""
        self._needed = None
        rc: int = super().WSPIoctl(
            s, dwIoControlCode, lpvInBuffer, cbInBuffer, lpvOutBuffer, cbOutBuffer,
            lpcbBytesReturned, lpOverlapped, lpCompletionRoutine, lpThreadId, lpErrno,
        )  # fmt: skip
        needed, self._needed = self._needed, None
        if rc == SOCKET_ERROR and needed is not None and lpcbBytesReturned is not None:
            put(lpcbBytesReturned, needed, "lpcbBytesReturned")
        return rc

    # -- helpers ----------------------------------------------------------------------
    @staticmethod
    def secure_kind(sock: Sock) -> bool:
        """AF_INET/AF_INET6 and SOCK_STREAM/SOCK_DGRAM (seeds 000, 002)."""
        return sock.family in (AF_INET, AF_INET6) and sock.type in (SOCK_STREAM, SOCK_DGRAM)

    @staticmethod
    def is_connected(sock: Sock) -> bool:
        """Connected in seed 002's sense: a TCP connection exists or is being
        made, or a datagram socket has a default peer."""
        if sock.stream:
            return sock.state in _STREAM_CONNECTED
        return sock.ep.raddr is not None

    @staticmethod
    def auth_cache(sock: Sock) -> dict[Any, str | None]:
        """Peers this socket has negotiated with: ``None`` (stream) or (ip, port)
        -> the authenticated principal, or None when it fell back to clear text."""
        cache = sock.sec_peer
        if cache is None:
            cache = sock.sec_peer = {}
        return cache  # type: ignore[no-any-return]

    def _forget(self, sock: Sock, key: PeerKey) -> None:
        """A name changed: the next exchange with the peer negotiates again, so no
        later authentication uses the old name (seed 000)."""
        cache = sock.sec_peer
        if not cache:
            return
        _, ip, port = key
        for peer in [p for p in cache if p is not None and p[0] == ip and (port == 0 or p[1] == port)]:
            del cache[peer]

    def _trace(self, kind: str, **fields: Any) -> None:
        tr = self.sim.tracer
        if tr is not None:
            tr.event(kind, host=self.host.name, **fields)

    def registry(self, sock: Sock) -> dict[tuple[str, int] | None, str]:
        """The socket's peer-target-name registry: ``None`` -> name for a stream
        socket, ``(ip, port)`` -> name for a datagram socket."""
        return {(None if k is None else (k[1], k[2])): v for k, v in sock.peer_names.items()}

    def name_for(self, sock: Sock, ip: str, port: int) -> str | None:
        """The target name authentication to (ip, port) uses: the stream's one
        name, or the datagram entry for (ip, port), else for (ip, any port)."""
        names = sock.peer_names
        if sock.stream:
            return names.get(None)
        name = names.get((sock.family, ip, port))
        if name is None:
            name = names.get((sock.family, ip, 0))
        return name

    # -- SIO_SET_PEER_TARGET_NAME (seed 002) --------------------------------------------
    def _set_peer_target_name(
        self, sock: Sock, s: int, inb: Any, cb_in: int, outb: Any, cb_out: int, *_: Any
    ) -> Any:
        if inb is None:
            return WSAEFAULT  # seed 002: PeerTargetName NULL
        if cb_in < PEER_TARGET_NAME_SIZE:
            return WSAEMSGSIZE  # seed 002: a buffer passed was too small
        raw = _input(inb, "lpvInBuffer")
        if len(raw) < PEER_TARGET_NAME_STRINGS:
            return WSAEFAULT  # the header lies outside the caller's memory
        if not self.secure_kind(sock):
            return WSAEINVAL
        protocol, storage, string_len = _PTN_HDR.unpack_from(raw)
        if protocol not in _PROTOCOLS:
            return WSAEINVAL  # SOCKET_SECURITY_PROTOCOL_INVALID and beyond
        family = _U16.unpack_from(storage)[0]
        key: PeerKey | None = None
        zero = False
        if sock.stream:
            # TCP needs no PeerAddress; one that is given must fit the socket.
            if family and family != sock.family:
                return WSAEAFNOSUPPORT
        elif family == 0 and not any(storage):
            zero = True  # an all-zero PeerAddress: IP address and port zero
        elif family != sock.family:
            return WSAEAFNOSUPPORT
        else:
            ip, port = _decode(family, storage)
            zero = port == 0 and _is_zero(ip)
            key = (family, ip, port)
        if self.is_connected(sock):
            return WSAEISCONN
        if zero:
            return WSAEINVAL  # seed 002: connectionless, IP address and port zero
        nbytes = string_len if protocol == SOCKET_SECURITY_PROTOCOL_IPSEC2 else 2 * string_len
        end = PEER_TARGET_NAME_STRINGS + nbytes
        if cb_in < end:
            return WSAEMSGSIZE  # the declared name does not fit the declared length
        if len(raw) < end:
            return WSAEFAULT
        name = _utf16(raw[PEER_TARGET_NAME_STRINGS:end])
        sock.peer_names[key] = name
        if key is not None:
            self._forget(sock, key)
        self._trace(
            "peer_name", action="set", socket=s, peer=None if key is None else (key[1], key[2]),
            name=name, protocol=protocol,
        )  # fmt: skip
        return (0, b"", None)

    # -- SIO_DELETE_PEER_TARGET_NAME (seeds 000, 001) ------------------------------------
    def _delete_peer_target_name(
        self, sock: Sock, s: int, inb: Any, cb_in: int, outb: Any, cb_out: int, *_: Any
    ) -> Any:
        if inb is None:
            return WSAEFAULT  # seed 000: PeerAddr NULL
        raw = _input(inb, "lpvInBuffer")
        if isinstance(inb, SOCKET_PEER_TARGET_NAME) or cb_in >= PEER_TARGET_NAME_SIZE:
            # the structure form: its PeerAddress is the peer
            addr, alen = raw[8:136], max(0, min(cb_in, 136) - 8)
        else:
            addr, alen = raw, cb_in
        if not self.secure_kind(sock):
            return WSAEINVAL  # seed 000
        if alen < 2:
            return WSAEMSGSIZE  # not even the address family fits
        if len(addr) < 2:
            return WSAEFAULT
        family = _U16.unpack_from(addr)[0]
        if family != sock.family:
            return WSAEAFNOSUPPORT  # seed 000: family not supported (by this socket)
        size = _ADDR_SIZE[family]
        if alen < size:
            return WSAEMSGSIZE  # seed 000: a buffer passed was too small
        if len(addr) < size:
            return WSAEFAULT
        ip, port = _decode(family, addr)
        key: PeerKey | None = None if sock.stream else (family, ip, port)
        removed = sock.peer_names.pop(key, None)
        if key is not None:
            self._forget(sock, key)
        if removed is not None:
            self._trace("peer_name", action="delete", socket=s,
                        peer=None if key is None else (ip, port), name=removed)  # fmt: skip
        return (0, b"", None)

    # -- SIO_SET_SECURITY (WSASetSocketSecurity) ----------------------------------------
    def _set_security(
        self, sock: Sock, s: int, inb: Any, cb_in: int, outb: Any, cb_out: int, *_: Any
    ) -> Any:
        settings = SecuritySettings()
        if inb is not None and cb_in < SETTINGS_SIZE:
            return WSAEMSGSIZE
        if not self.secure_kind(sock):
            return WSAEINVAL
        if inb is not None:
            raw = _input(inb, "lpvInBuffer")
            if len(raw) < SETTINGS_SIZE:
                return WSAEFAULT
            protocol, flags = _SETTINGS.unpack_from(raw)
            if protocol not in _PROTOCOLS or flags & ~_SECURITY_FLAGS:
                return WSAEINVAL  # a bad value in SOCKET_SECURITY_SETTINGS (SPI-FACTS 5.5)
            settings = SecuritySettings(protocol, flags)
            if protocol == SOCKET_SECURITY_PROTOCOL_IPSEC and cb_in >= SETTINGS_IPSEC_SIZE:
                # The protocol says how to read the structure: the _IPSEC form.
                if len(raw) < SETTINGS_IPSEC_STRINGS:
                    return WSAEFAULT
                t = _SETTINGS_IPSEC_HDR.unpack_from(raw)
                ipsec_flags, lens = t[2], t[7:10]
                if ipsec_flags & ~_IPSEC_FLAGS:
                    return WSAEINVAL
                end = SETTINGS_IPSEC_STRINGS + sum(lens)
                if cb_in < end:
                    return WSAEMSGSIZE
                if len(raw) < end:
                    return WSAEFAULT
                a = SETTINGS_IPSEC_STRINGS
                b, c = a + lens[0], a + lens[0] + lens[1]
                settings = SecuritySettings(
                    protocol, flags, ipsec_flags, _utf16(raw[a:b]), _utf16(raw[b:c]), _utf16(raw[c:end])
                )
        if self.is_connected(sock):
            return WSAEISCONN  # SPI-FACTS 5.5
        if sock.security is not None:
            return WSAEINVAL  # "can be called only once per socket"
        if sock.ep.bound or sock.state is not S.OPEN:
            return WSAEINVAL  # must come before bind (and the auto-bind of a send)
        if sock.reuse:
            return WSAEINVAL  # SO_EXCLUSIVEADDRUSE cannot join SO_REUSEADDR
        sock.security = settings
        sock.exclusive = True  # SPI-FACTS 5.5: it sets SO_EXCLUSIVEADDRUSE
        self._trace("security", action="set", socket=s, protocol=settings.SecurityProtocol,
                    flags=settings.SecurityFlags, ipsec_flags=settings.IpsecFlags)  # fmt: skip
        return (0, b"", None)

    # -- SIO_QUERY_SECURITY (WSAQuerySocketSecurity) -------------------------------------
    def _query_security(
        self, sock: Sock, s: int, inb: Any, cb_in: int, outb: Any, cb_out: int, *_: Any
    ) -> Any:
        if not self.secure_kind(sock):
            return WSAEINVAL
        tcp = sock.stream
        protocol, storage, mask = SOCKET_SECURITY_PROTOCOL_DEFAULT, bytes(128), 0
        if inb is None or cb_in == 0:
            if not tcp:
                return WSAEMSGSIZE  # SPI-FACTS 5.6: non-TCP needs a template
        else:
            if cb_in < QUERY_TEMPLATE_SIZE:
                return WSAEMSGSIZE
            raw = _input(inb, "lpvInBuffer")
            if len(raw) < _TEMPLATE.size:
                return WSAEFAULT
            protocol, storage, mask = _TEMPLATE.unpack_from(raw)
            if protocol not in _PROTOCOLS:
                return WSAEINVAL
        peer: tuple[str, int] | None = None
        if not tcp:
            family = _U16.unpack_from(storage)[0]
            if family == 0 and not any(storage):
                return WSAEINVAL  # no peer named
            if family != sock.family:
                return WSAEAFNOSUPPORT
            peer = _decode(family, storage)
            if peer[1] == 0 and _is_zero(peer[0]):
                return WSAEINVAL
        elif sock.state is S.RESET:
            return WSAECONNRESET  # SPI-FACTS 5.6
        if outb is None or cb_out < QUERY_INFO_SIZE:
            self._needed = QUERY_INFO_SIZE  # the size probe (SPI-FACTS 5.6)
            return self.policy.query_security_tcp_probe_error if tcp else WSAEMSGSIZE
        secured, principal = self.peer_status(sock, peer)
        settings = sock.security
        flags = 0
        if secured:
            flags |= SOCKET_INFO_CONNECTION_SECURED
            if settings is not None and settings.SecurityFlags & SOCKET_SETTINGS_GUARANTEE_ENCRYPTION:
                flags |= SOCKET_INFO_CONNECTION_ENCRYPTED
        token = self.token_for(principal) if secured and mask and principal is not None else 0
        # An all-zero template asks for Flags only (WSAQuerySocketSecurity docs):
        # the protocol echoes the template's, the tokens need an access mask.
        info = SOCKET_SECURITY_QUERY_INFO(
            SecurityProtocol=protocol,
            Flags=flags,
            PeerApplicationAccessTokenHandle=0,  # user authentication is not modelled
            PeerMachineAccessTokenHandle=token,
        )
        data = info.pack()
        if isinstance(outb, SOCKET_SECURITY_QUERY_INFO):
            fill(outb, info)
        else:
            mv = writable(outb, "lpvOutBuffer")
            if mv is None or len(mv) < QUERY_INFO_SIZE:
                return WSAEFAULT
            mv[:QUERY_INFO_SIZE] = data
        return (QUERY_INFO_SIZE, data, None)

    def peer_status(self, sock: Sock, peer: tuple[str, int] | None) -> tuple[bool, str | None]:
        """(secured, authenticated principal) of the stream's connection, or of the
        datagram socket's exchanges with ``peer``."""
        if sock.security is None:
            return False, None
        cache = self.auth_cache(sock)
        if sock.stream:
            if sock.state not in _STREAM_ESTABLISHED:
                return False, None
            if None not in cache:
                # An accepted connection: the client's host negotiated with us.
                other = sock.ep.peer
                cache[None] = None if other is None else other.host.principal
            principal = cache[None]
            return principal is not None, principal
        principal = cache.get(peer)
        return principal is not None, principal

    def impersonation_mode_error(self, s: int) -> int:
        """WSAImpersonateSocketPeer's socket rule (SPI-FACTS 5.7: "only for
        blocking, non-overlapped sockets"): WSAEINVAL for a socket created with
        WSA_FLAG_OVERLAPPED or made nonblocking (FIONBIO, WSAEventSelect), our
        choice (docs/design-choices.md); 0 otherwise."""
        sock = self.table.get(s)
        if sock is None:
            return 0
        return WSAEINVAL if sock.overlapped or sock.nonblocking else 0

    def token_for(self, principal: str) -> int:
        """The (simulated) machine access token handle of ``principal``."""
        h = self._token_of.get(principal)
        if h is None:
            h = self.sim.new_handle()
            self._token_of[principal] = h
            self.tokens[h] = principal
        return h

    # -- simulated IPsec ------------------------------------------------------------------
    def negotiate(self, sock: Sock, ip: str, port: int) -> tuple[int, str | None] | None:
        """Run the simulated AuthIP negotiation with the host answering for ``ip``:
        None if no host answers, else (error, principal) where principal is None
        for a clear-text fallback."""
        settings = sock.security
        assert settings is not None
        host = self.sim.network.route(ip, self.host)
        if host is None:
            return None
        actual = host.principal
        wanted = self.name_for(sock, ip, port)
        if wanted is None or same_principal(wanted, actual):
            outcome: tuple[int, str | None] = (0, actual)
        elif settings.IpsecFlags & SOCKET_SETTINGS_IPSEC_OPTIONAL_PEER_NAME_VERIFICATION:
            outcome = (0, actual)
        elif settings.SecurityFlags & SOCKET_SETTINGS_ALLOW_INSECURE:
            outcome = (0, None)
        else:
            outcome = (WSAEACCES, None)
        self._trace(
            "ipsec", socket=sock.handles[0] if sock.handles else None, peer=(ip, port),
            target_name=wanted, principal=actual, error=int(outcome[0]), secured=outcome[1] is not None,
        )  # fmt: skip
        return outcome

    def _authenticate(self, sock: Sock, key: tuple[str, int] | None, ip: str, port: int) -> int:
        """Negotiate with (ip, port) and cache the outcome under ``key``; returns
        the error.  When nobody answers nothing is cached and the error is 0:
        the connect times out as usual, the datagram is lost anyway."""
        outcome = self.negotiate(sock, ip, port)
        if outcome is None:
            return 0
        err, principal = outcome
        if not err:
            self.auth_cache(sock)[key] = principal
        return err

    def authenticate_connect(self, sock: Sock, ip: str, port: int) -> int:
        """WSPConnect on a secured TCP socket: authenticate the peer first."""
        if sock.security is None:
            return 0
        self.auth_cache(sock).pop(None, None)
        return self._authenticate(sock, None, ip, port)

    def authenticate_datagram(self, sock: Sock, ip: str, port: int) -> int:
        """A secured datagram socket connects to, sends to, or receives from
        (ip, port): the first exchange with that peer negotiates; later ones
        use the result."""
        if sock.security is None or (ip, port) in self.auth_cache(sock):
            return 0
        return self._authenticate(sock, (ip, port), ip, port)

    def refuse_datagram(self, sock: Sock) -> bool:
        """A datagram arrived on a secured socket: the first one from a peer
        negotiates; one failing authentication is dropped, as IPsec drops it."""
        ep = sock.ep
        if ep.dgrams:
            entry = ep.dgrams[-1]  # deliver() appends, then notifies us
            data, (ip, port) = entry[0], entry[1]
            if self.authenticate_datagram(sock, ip, port):
                ep.dgrams.pop()
                ep.dgram_bytes -= len(data)
                self.sim.network.dropped_datagrams += 1
                return True
        return False


__all__ = [
    "PEER_TARGET_NAME_SIZE",
    "PEER_TARGET_NAME_STRINGS",
    "QUERY_INFO_SIZE",
    "QUERY_TEMPLATE_SIZE",
    "Security",
    "SecuritySettings",
    "same_principal",
]
