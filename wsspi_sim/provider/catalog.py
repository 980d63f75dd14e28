"""The protocol catalog of the base provider and socket-triple validation.

Validation order (WINDOWS-OBSERVED W1-W9): the socket type is checked first,
then the address family, then the protocol; zero type/protocol take defaults
from each other; AF_UNSPEC needs an explicit protocol.  When a
WSAPROTOCOL_INFOW is given, zero (or FROM_PROTOCOL_INFO) arguments are taken
from it (W8) and the family is checked first -- W8's info with every field -1
reports WSAEAFNOSUPPORT; this ordering for the info path is our choice
(docs/design-choices.md).
"""

from __future__ import annotations

from typing import Final

import attrs

from ..constants import (
    AF_INET,
    AF_INET6,
    AF_IPX,
    AF_UNSPEC,
    BASE_PROTOCOL,
    FROM_PROTOCOL_INFO,
    IPPROTO_TCP,
    IPPROTO_UDP,
    PFL_MATCHES_PROTOCOL_ZERO,
    SOCK_DGRAM,
    SOCK_RAW,
    SOCK_RDM,
    SOCK_SEQPACKET,
    SOCK_STREAM,
    XP1_CONNECTIONLESS,
    XP1_EXPEDITED_DATA,
    XP1_GRACEFUL_CLOSE,
    XP1_GUARANTEED_DELIVERY,
    XP1_GUARANTEED_ORDER,
    XP1_MESSAGE_ORIENTED,
    XP1_SUPPORT_BROADCAST,
)
from ..errors import (
    WSAEACCES,
    WSAEAFNOSUPPORT,
    WSAEINVAL,
    WSAEPROTONOSUPPORT,
    WSAESOCKTNOSUPPORT,
)
from ..structs import WSAPROTOCOL_INFOW, WSAPROTOCOLCHAIN

#: This provider's GUID (the bytes of a Windows GUID, little-endian layout).
PROVIDER_ID: Final = bytes.fromhex("5c1d7a3e9b2f4e0a8d6c11e0a1b2c3d4")
NSPROTO_IPX: Final = 1000


@attrs.frozen
class Entry:
    """One catalog entry: a (family, type, protocol) this provider serves."""

    catalog_id: int
    family: int
    type: int
    protocol: int
    flags: int
    max_msg: int
    name: str

    def info(self) -> WSAPROTOCOL_INFOW:
        """The entry's WSAPROTOCOL_INFOW (what WSAEnumProtocols would list)."""
        size = 28 if self.family == AF_INET6 else 16
        return WSAPROTOCOL_INFOW(
            dwServiceFlags1=self.flags,
            dwProviderFlags=PFL_MATCHES_PROTOCOL_ZERO,
            ProviderId=PROVIDER_ID,
            dwCatalogEntryId=self.catalog_id,
            ProtocolChain=WSAPROTOCOLCHAIN(BASE_PROTOCOL, [0] * 7),
            iVersion=2,
            iAddressFamily=self.family,
            iMaxSockAddr=size,
            iMinSockAddr=size,
            iSocketType=self.type,
            iProtocol=self.protocol,
            iProtocolMaxOffset=0,
            iNetworkByteOrder=0,
            iSecurityScheme=0,
            dwMessageSize=self.max_msg,
            dwProviderReserved=0,
            szProtocol=self.name,
        )


_TCP_FLAGS = XP1_GUARANTEED_DELIVERY | XP1_GUARANTEED_ORDER | XP1_GRACEFUL_CLOSE | XP1_EXPEDITED_DATA
_UDP_FLAGS = XP1_CONNECTIONLESS | XP1_MESSAGE_ORIENTED | XP1_SUPPORT_BROADCAST

CATALOG: Final[tuple[Entry, ...]] = (
    Entry(1001, AF_INET, SOCK_STREAM, IPPROTO_TCP, _TCP_FLAGS, 0, "wsspi_sim Tcpip [TCP/IP]"),
    Entry(1002, AF_INET, SOCK_DGRAM, IPPROTO_UDP, _UDP_FLAGS, 65467, "wsspi_sim Tcpip [UDP/IP]"),
    Entry(1003, AF_INET6, SOCK_STREAM, IPPROTO_TCP, _TCP_FLAGS, 0, "wsspi_sim Tcpip [TCP/IPv6]"),
    Entry(1004, AF_INET6, SOCK_DGRAM, IPPROTO_UDP, _UDP_FLAGS, 65467, "wsspi_sim Tcpip [UDP/IPv6]"),
)

_BY_TRIPLE: Final = {(e.family, e.type, e.protocol): e for e in CATALOG}
_KNOWN_TYPES: Final = frozenset({SOCK_STREAM, SOCK_DGRAM, SOCK_RAW, SOCK_RDM, SOCK_SEQPACKET})
_INET_PROTOCOLS: Final = frozenset({IPPROTO_TCP, IPPROTO_UDP})
# Raw protocols Windows knows (ICMP, IGMP, RAW, ICMPv6 ...): creation needs privileges.
_RAW_PROTOCOLS: Final = frozenset({0, 1, 2, 58, 255})


def _c_int(v: int) -> int:
    """The value C would see for an int argument (0xdead stays, 0xFFFFFFFF is -1)."""
    v &= 0xFFFFFFFF
    return v - 0x100000000 if v & 0x80000000 else v


def resolve(
    af: int, type_: int, protocol: int, info: WSAPROTOCOL_INFOW | None = None,
    mismatch: int = WSAEPROTONOSUPPORT,
) -> Entry | int:
    """The catalog entry for a socket triple, or Windows' error code.

    ``mismatch`` is the error for a protocol this family serves, but for the
    other socket type (TCP with SOCK_DGRAM, UDP with SOCK_STREAM): the profile's
    ``protocol_type_mismatch_error`` (SPI-FACTS 3.6 WSAEPROTOTYPE; W5).
    """
    if info is None:  # an exact catalog triple passes every check below unchanged
        entry = _BY_TRIPLE.get((af, type_, protocol))
        if entry is not None:
            return entry
    af, type_, protocol = _c_int(af), _c_int(type_), _c_int(protocol)
    if info is not None:
        if af in (0, FROM_PROTOCOL_INFO):
            af = info.iAddressFamily
        if type_ in (0, FROM_PROTOCOL_INFO):
            type_ = info.iSocketType
        if protocol in (0, FROM_PROTOCOL_INFO):
            protocol = info.iProtocol
        if af not in (AF_INET, AF_INET6, AF_UNSPEC):
            return WSAEAFNOSUPPORT
    # 1. the type (W2, W4); AF_UNSPEC with protocol 0 reports EINVAL first (W7)
    if type_ != 0 and type_ not in _KNOWN_TYPES:
        if af == AF_UNSPEC and protocol == 0:
            return WSAEINVAL
        return WSAESOCKTNOSUPPORT
    # 2. the family (W1, W4, W9)
    if af not in (AF_INET, AF_INET6, AF_UNSPEC):
        if af == AF_IPX and type_ in (SOCK_STREAM, SOCK_SEQPACKET) and protocol >= NSPROTO_IPX:
            return WSAEPROTONOSUPPORT  # W9: (AF_IPX, SOCK_STREAM, NSPROTO_IPX)
        # (AF_BTH, ...) and every other family is a plain WSAEAFNOSUPPORT (W9)
        return WSAEAFNOSUPPORT
    # 3. AF_UNSPEC needs a protocol to pick the family (W7)
    if af == AF_UNSPEC:
        if protocol == 0:
            return WSAEINVAL
        if protocol not in _INET_PROTOCOLS:
            return WSAEPROTONOSUPPORT
        af = AF_INET
    # 4. raw sockets need privileges the simulated process does not have (W9)
    if type_ == SOCK_RAW:
        return WSAEACCES if protocol in _RAW_PROTOCOLS or 0 <= protocol < 256 else WSAEPROTONOSUPPORT
    if type_ in (SOCK_RDM, SOCK_SEQPACKET):
        return WSAESOCKTNOSUPPORT
    # 5. defaults (ReactOS msafd, SPI-FACTS 4.1)
    if type_ == 0:
        if protocol == 0 or protocol == IPPROTO_TCP:
            type_ = SOCK_STREAM
        elif protocol == IPPROTO_UDP:
            type_ = SOCK_DGRAM
        else:
            return WSAEPROTONOSUPPORT
    if protocol == 0:
        protocol = IPPROTO_TCP if type_ == SOCK_STREAM else IPPROTO_UDP
    # 6. the protocol must fit the type: W5 says WSAEPROTONOSUPPORT, the
    # documentation WSAEPROTOTYPE (the caller's ``mismatch``)
    entry = _BY_TRIPLE.get((af, type_, protocol))
    if entry is None:
        return mismatch if protocol in _INET_PROTOCOLS else WSAEPROTONOSUPPORT
    return entry


def by_catalog_id(catalog_id: int) -> Entry | None:
    for e in CATALOG:
        if e.catalog_id == catalog_id:
            return e
    return None
