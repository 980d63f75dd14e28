"""Tests of wsspi_sim.structs: sizes, offsets and byte layouts of the Windows x64
structures, and the sockaddr helpers.

Layouts are checked against ctypes models of the same C declarations. ctypes
computes natural alignment, so on this 64-bit host it gives the x64 offsets as long
as every field uses an explicit width (LLP64: long / u_long / DWORD are 32-bit).
"""

from __future__ import annotations

import ctypes
import ipaddress
import uuid
from collections.abc import Callable
from ctypes import c_int32, c_int64, c_uint8, c_uint16, c_uint32, c_uint64
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from wsspi_sim import structs as S
from wsspi_sim.structs import (
    SOCKADDR_STORAGE,
    SOCKET_PEER_TARGET_NAME,
    SOCKET_SECURITY_QUERY_INFO,
    SOCKET_SECURITY_QUERY_TEMPLATE,
    SOCKET_SECURITY_SETTINGS,
    SOCKET_SECURITY_SETTINGS_IPSEC,
    WSABUF,
    WSADATA,
    WSANETWORKEVENTS,
    WSAOVERLAPPED,
    WSAPROTOCOL_INFOW,
    WSAPROTOCOLCHAIN,
    WSATHREADID,
    WSPDATA,
    as_bytes,
    fill,
    linger,
    parse_sockaddr,
    sizeof,
    sockaddr,
    sockaddr_family,
    sockaddr_in,
    sockaddr_in6,
    timeval,
)

AF_INET = 2
AF_INET6 = 23

# ---------------------------------------------------------------------------
# ctypes models of the C declarations (SPI-FACTS section 2)

LE = ctypes.LittleEndianStructure


class GUID_C(LE):
    _fields_ = [
        ("Data1", c_uint32),
        ("Data2", c_uint16),
        ("Data3", c_uint16),
        ("Data4", c_uint8 * 8),
    ]


class SOCKADDR_IN_C(LE):
    _fields_ = [
        ("sin_family", c_uint16),
        ("sin_port", c_uint8 * 2),  # network order
        ("sin_addr", c_uint8 * 4),  # network order
        ("sin_zero", c_uint8 * 8),
    ]


class SOCKADDR_IN6_C(LE):
    _fields_ = [
        ("sin6_family", c_uint16),
        ("sin6_port", c_uint8 * 2),
        ("sin6_flowinfo", c_uint32),
        ("sin6_addr", c_uint8 * 16),
        ("sin6_scope_id", c_uint32),
    ]


class SOCKADDR_STORAGE_C(LE):
    _fields_ = [
        ("ss_family", c_uint16),
        ("ss_pad1", c_uint8 * 6),
        ("ss_align", c_int64),
        ("ss_pad2", c_uint8 * 112),
    ]


class LINGER_C(LE):
    _fields_ = [("l_onoff", c_uint16), ("l_linger", c_uint16)]


class TIMEVAL_C(LE):
    _fields_ = [("tv_sec", c_int32), ("tv_usec", c_int32)]


class WSANETWORKEVENTS_C(LE):
    _fields_ = [("lNetworkEvents", c_int32), ("iErrorCode", c_int32 * 10)]


class WSAPROTOCOLCHAIN_C(LE):
    _fields_ = [("ChainLen", c_int32), ("ChainEntries", c_uint32 * 7)]


class WSAPROTOCOL_INFOW_C(LE):
    _fields_ = [
        ("dwServiceFlags1", c_uint32),
        ("dwServiceFlags2", c_uint32),
        ("dwServiceFlags3", c_uint32),
        ("dwServiceFlags4", c_uint32),
        ("dwProviderFlags", c_uint32),
        ("ProviderId", GUID_C),
        ("dwCatalogEntryId", c_uint32),
        ("ProtocolChain", WSAPROTOCOLCHAIN_C),
        ("iVersion", c_int32),
        ("iAddressFamily", c_int32),
        ("iMaxSockAddr", c_int32),
        ("iMinSockAddr", c_int32),
        ("iSocketType", c_int32),
        ("iProtocol", c_int32),
        ("iProtocolMaxOffset", c_int32),
        ("iNetworkByteOrder", c_int32),
        ("iSecurityScheme", c_int32),
        ("dwMessageSize", c_uint32),
        ("dwProviderReserved", c_uint32),
        ("szProtocol", c_uint16 * 256),  # WCHAR (ctypes' c_wchar is 4 bytes on Linux)
    ]


class WSADATA_C(LE):  # the _WIN64 branch of winsock2.h
    _fields_ = [
        ("wVersion", c_uint16),
        ("wHighVersion", c_uint16),
        ("iMaxSockets", c_uint16),
        ("iMaxUdpDg", c_uint16),
        ("lpVendorInfo", c_uint64),  # char*
        ("szDescription", ctypes.c_char * 257),
        ("szSystemStatus", ctypes.c_char * 129),
    ]


class WSPDATA_C(LE):
    _fields_ = [
        ("wVersion", c_uint16),
        ("wHighVersion", c_uint16),
        ("szDescription", c_uint16 * 256),
    ]


class WSATHREADID_C(LE):
    _fields_ = [("ThreadHandle", c_uint64), ("Reserved", c_uint64)]


class WSABUF_C(LE):
    _fields_ = [("len", c_uint32), ("buf", c_uint64)]


class OVERLAPPED_C(LE):
    _fields_ = [
        ("Internal", c_uint64),
        ("InternalHigh", c_uint64),
        ("Offset", c_uint32),
        ("OffsetHigh", c_uint32),
        ("hEvent", c_uint64),
    ]


class SOCKET_PEER_TARGET_NAME_C(LE):
    _fields_ = [
        ("SecurityProtocol", c_int32),
        ("PeerAddress", SOCKADDR_STORAGE_C),
        ("PeerTargetNameStringLen", c_uint32),
        ("AllStrings", c_uint16 * 0),
    ]


class SOCKET_SECURITY_SETTINGS_C(LE):
    _fields_ = [("SecurityProtocol", c_int32), ("SecurityFlags", c_uint32)]


class SOCKET_SECURITY_SETTINGS_IPSEC_C(LE):
    _fields_ = [
        ("SecurityProtocol", c_int32),
        ("SecurityFlags", c_uint32),
        ("IpsecFlags", c_uint32),
        ("AuthipMMPolicyKey", GUID_C),
        ("AuthipQMPolicyKey", GUID_C),
        ("Reserved", GUID_C),
        ("Reserved2", c_uint64),
        ("UserNameStringLen", c_uint32),
        ("DomainNameStringLen", c_uint32),
        ("PasswordStringLen", c_uint32),
        ("AllStrings", c_uint16 * 0),
    ]


class SOCKET_SECURITY_QUERY_TEMPLATE_C(LE):
    _fields_ = [
        ("SecurityProtocol", c_int32),
        ("PeerAddress", SOCKADDR_STORAGE_C),
        ("PeerTokenAccessMask", c_uint32),
    ]


class SOCKET_SECURITY_QUERY_INFO_C(LE):
    _fields_ = [
        ("SecurityProtocol", c_int32),
        ("Flags", c_uint32),
        ("PeerApplicationAccessTokenHandle", c_uint64),
        ("PeerMachineAccessTokenHandle", c_uint64),
    ]


# ---------------------------------------------------------------------------
# Sizes

SIZES = [
    (sockaddr_in, 16, "SPI-FACTS 2.1: sockaddr_in is 16 bytes"),
    (sockaddr_in6, 28, "SPI-FACTS 2.1: sockaddr_in6 is 28 bytes"),
    (SOCKADDR_STORAGE, 128, "SPI-FACTS 2.1: SOCKADDR_STORAGE is 128 bytes"),
    (linger, 4, "SPI-FACTS 2.2: linger is two u_short, 4 bytes"),
    (timeval, 8, "winsock2.h: timeval is two longs, 8 bytes"),
    (WSANETWORKEVENTS, 44, "SPI-FACTS 1.5/2.2: WSANETWORKEVENTS is 44 bytes"),
    (WSAPROTOCOLCHAIN, 32, "SPI-FACTS 2.2: WSAPROTOCOLCHAIN is 32 bytes"),
    (WSAPROTOCOL_INFOW, 628, "SPI-FACTS 2.2: WSAPROTOCOL_INFOW is 628 bytes"),
    (WSADATA, 408, "winsock2.h _WIN64 branch: WSADATA is 408 bytes"),
    (WSPDATA, 516, "SPI-FACTS 2.2: WSPDATA is 516 bytes"),
    (WSATHREADID, 16, "SPI-FACTS 2.2: WSATHREADID is 16 bytes"),
    (WSABUF, 16, "SPI-FACTS 2.2: WSABUF is 16 bytes"),
    (WSAOVERLAPPED, 32, "SPI-FACTS 2.2: WSAOVERLAPPED is 32 bytes"),
    (SOCKET_PEER_TARGET_NAME, 144, "SPI-FACTS 2.3: SOCKET_PEER_TARGET_NAME is 144 bytes"),
    (SOCKET_SECURITY_SETTINGS, 8, "SPI-FACTS 2.3: SOCKET_SECURITY_SETTINGS is 8 bytes"),
    (SOCKET_SECURITY_SETTINGS_IPSEC, 88, "SPI-FACTS 2.3: SOCKET_SECURITY_SETTINGS_IPSEC is 88"),
    (SOCKET_SECURITY_QUERY_TEMPLATE, 144, "SPI-FACTS 2.3: the query template is 144 bytes"),
    (SOCKET_SECURITY_QUERY_INFO, 24, "SPI-FACTS 2.3: SOCKET_SECURITY_QUERY_INFO is 24 bytes"),
]

MODELS: dict[type[Any], type[ctypes.Structure]] = {
    sockaddr_in: SOCKADDR_IN_C,
    sockaddr_in6: SOCKADDR_IN6_C,
    SOCKADDR_STORAGE: SOCKADDR_STORAGE_C,
    linger: LINGER_C,
    timeval: TIMEVAL_C,
    WSANETWORKEVENTS: WSANETWORKEVENTS_C,
    WSAPROTOCOLCHAIN: WSAPROTOCOLCHAIN_C,
    WSAPROTOCOL_INFOW: WSAPROTOCOL_INFOW_C,
    WSADATA: WSADATA_C,
    WSPDATA: WSPDATA_C,
    WSATHREADID: WSATHREADID_C,
    WSABUF: WSABUF_C,
    WSAOVERLAPPED: OVERLAPPED_C,
    SOCKET_PEER_TARGET_NAME: SOCKET_PEER_TARGET_NAME_C,
    SOCKET_SECURITY_SETTINGS: SOCKET_SECURITY_SETTINGS_C,
    SOCKET_SECURITY_SETTINGS_IPSEC: SOCKET_SECURITY_SETTINGS_IPSEC_C,
    SOCKET_SECURITY_QUERY_TEMPLATE: SOCKET_SECURITY_QUERY_TEMPLATE_C,
    SOCKET_SECURITY_QUERY_INFO: SOCKET_SECURITY_QUERY_INFO_C,
}

ALL_CLASSES = [cls for cls, _, _ in SIZES]


@pytest.mark.parametrize(("cls", "size", "source"), SIZES, ids=[c.__name__ for c in ALL_CLASSES])
def test_size(cls: Any, size: int, source: str) -> None:
    """SPI-FACTS section 2 (sizes): SIZE, sizeof() and the ctypes model agree."""
    assert cls.SIZE == size, source
    assert sizeof(cls) == size
    assert sizeof(cls()) == size
    assert ctypes.sizeof(MODELS[cls]) == size, source


@pytest.mark.parametrize("cls", ALL_CLASSES, ids=[c.__name__ for c in ALL_CLASSES])
def test_default_packs_to_size(cls: Any) -> None:
    """DESIGN 2: output structures are constructible with no arguments; a default
    structure packs to exactly sizeof bytes."""
    assert len(cls().pack()) == cls.SIZE


def test_sizeof_peer_target_name_ignores_name() -> None:
    """DESIGN 2 / SPI-FACTS 2.3: sizeof(SOCKET_PEER_TARGET_NAME) is 144 whatever the name."""
    assert sizeof(SOCKET_PEER_TARGET_NAME(AllStrings="x" * 100)) == 144


@pytest.mark.parametrize("bad", [3, "sockaddr_in", None, bytes(16), int, S._Struct])
def test_sizeof_rejects_non_structures(bad: object) -> None:
    """DESIGN 2 (misuse raises a TypeError naming the parameter): sizeof(x) of a non-structure."""
    with pytest.raises(TypeError, match=r"\bx\b"):
        sizeof(bad)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------
# Offsets of the ctypes models against the tables of SPI-FACTS section 2

OFFSETS: list[tuple[type[ctypes.Structure], dict[str, int], str]] = [
    (
        SOCKADDR_IN_C,
        {"sin_family": 0, "sin_port": 2, "sin_addr": 4, "sin_zero": 8},
        "SPI-FACTS 2.1 sockaddr_in",
    ),
    (
        SOCKADDR_IN6_C,
        {"sin6_family": 0, "sin6_port": 2, "sin6_flowinfo": 4, "sin6_addr": 8, "sin6_scope_id": 24},
        "SPI-FACTS 2.1 sockaddr_in6",
    ),
    (
        SOCKADDR_STORAGE_C,
        {"ss_family": 0, "ss_pad1": 2, "ss_align": 8, "ss_pad2": 16},
        "SPI-FACTS 2.1 SOCKADDR_STORAGE",
    ),
    (WSABUF_C, {"len": 0, "buf": 8}, "SPI-FACTS 2.2 WSABUF"),
    (
        OVERLAPPED_C,
        {"Internal": 0, "InternalHigh": 8, "Offset": 16, "OffsetHigh": 20, "hEvent": 24},
        "SPI-FACTS 2.2 WSAOVERLAPPED",
    ),
    (LINGER_C, {"l_onoff": 0, "l_linger": 2}, "SPI-FACTS 2.2 linger"),
    (WSANETWORKEVENTS_C, {"lNetworkEvents": 0, "iErrorCode": 4}, "SPI-FACTS 2.2"),
    (WSATHREADID_C, {"ThreadHandle": 0, "Reserved": 8}, "SPI-FACTS 2.2 WSATHREADID"),
    (WSPDATA_C, {"wVersion": 0, "wHighVersion": 2, "szDescription": 4}, "SPI-FACTS 2.2 WSPDATA"),
    (WSAPROTOCOLCHAIN_C, {"ChainLen": 0, "ChainEntries": 4}, "SPI-FACTS 2.2"),
    (
        WSAPROTOCOL_INFOW_C,
        {
            "dwServiceFlags1": 0,
            "dwServiceFlags2": 4,
            "dwServiceFlags3": 8,
            "dwServiceFlags4": 12,
            "dwProviderFlags": 16,
            "ProviderId": 20,
            "dwCatalogEntryId": 36,
            "ProtocolChain": 40,
            "iVersion": 72,
            "iAddressFamily": 76,
            "iMaxSockAddr": 80,
            "iMinSockAddr": 84,
            "iSocketType": 88,
            "iProtocol": 92,
            "iProtocolMaxOffset": 96,
            "iNetworkByteOrder": 100,
            "iSecurityScheme": 104,
            "dwMessageSize": 108,
            "dwProviderReserved": 112,
            "szProtocol": 116,
        },
        "SPI-FACTS 2.2 WSAPROTOCOL_INFOW",
    ),
    (
        WSADATA_C,
        {
            "wVersion": 0,
            "wHighVersion": 2,
            "iMaxSockets": 4,
            "iMaxUdpDg": 6,
            "lpVendorInfo": 8,
            "szDescription": 16,
            "szSystemStatus": 273,
        },
        "winsock2.h _WIN64 WSADATA",
    ),
    (
        SOCKET_PEER_TARGET_NAME_C,
        {
            "SecurityProtocol": 0,
            "PeerAddress": 8,
            "PeerTargetNameStringLen": 136,
            "AllStrings": 140,
        },
        "SPI-FACTS 2.3 SOCKET_PEER_TARGET_NAME",
    ),
    (
        SOCKET_SECURITY_SETTINGS_C,
        {"SecurityProtocol": 0, "SecurityFlags": 4},
        "SPI-FACTS 2.3 SOCKET_SECURITY_SETTINGS",
    ),
    (
        SOCKET_SECURITY_SETTINGS_IPSEC_C,
        {
            "SecurityProtocol": 0,
            "SecurityFlags": 4,
            "IpsecFlags": 8,
            "AuthipMMPolicyKey": 12,
            "AuthipQMPolicyKey": 28,
            "Reserved": 44,
            "Reserved2": 64,
            "UserNameStringLen": 72,
            "DomainNameStringLen": 76,
            "PasswordStringLen": 80,
            "AllStrings": 84,
        },
        "SPI-FACTS 2.3 SOCKET_SECURITY_SETTINGS_IPSEC",
    ),
    (
        SOCKET_SECURITY_QUERY_TEMPLATE_C,
        {"SecurityProtocol": 0, "PeerAddress": 8, "PeerTokenAccessMask": 136},
        "SPI-FACTS 2.3 SOCKET_SECURITY_QUERY_TEMPLATE",
    ),
    (
        SOCKET_SECURITY_QUERY_INFO_C,
        {
            "SecurityProtocol": 0,
            "Flags": 4,
            "PeerApplicationAccessTokenHandle": 8,
            "PeerMachineAccessTokenHandle": 16,
        },
        "SPI-FACTS 2.3 SOCKET_SECURITY_QUERY_INFO",
    ),
]


@pytest.mark.parametrize(
    ("model", "offsets", "source"), OFFSETS, ids=[m.__name__ for m, _, _ in OFFSETS]
)
def test_ctypes_model_offsets(
    model: type[ctypes.Structure], offsets: dict[str, int], source: str
) -> None:
    """SPI-FACTS section 2 offset tables: the ctypes models used below have exactly
    the documented x64 offsets (so they are valid references for the byte tests)."""
    got = {name: getattr(model, name).offset for name, *_ in model._fields_}
    assert got == offsets, source


# ---------------------------------------------------------------------------
# Conversion of a Python structure into its ctypes model, written independently
# of wsspi_sim.structs (which uses struct.Struct), for byte-for-byte comparison.


def _arr(ctype: Any, n: int, values: Any) -> Any:
    return (ctype * n)(*values)


def _guid_c(b: bytes) -> GUID_C:
    u = uuid.UUID(bytes_le=b)
    return GUID_C(u.time_low, u.time_mid, u.time_hi_version, _arr(c_uint8, 8, u.bytes[8:]))


def _wchars(s: str) -> Any:
    units = s.encode("utf-16-le", "surrogatepass")
    return _arr(c_uint16, 256, [units[i] | units[i + 1] << 8 for i in range(0, len(units), 2)])


def _storage_c(addr: bytes) -> SOCKADDR_STORAGE_C:
    full = addr.ljust(128, b"\0")
    st_ = SOCKADDR_STORAGE_C()
    st_.ss_family = full[0] | full[1] << 8
    st_.ss_pad1 = _arr(c_uint8, 6, full[2:8])
    st_.ss_align = int.from_bytes(full[8:16], "little", signed=True)
    st_.ss_pad2 = _arr(c_uint8, 112, full[16:])
    return st_


def _ptr(v: object) -> int:
    return 0 if v is None or not isinstance(v, int) else v


def _chain_c(ch: WSAPROTOCOLCHAIN) -> WSAPROTOCOLCHAIN_C:
    return WSAPROTOCOLCHAIN_C(ch.ChainLen, _arr(c_uint32, 7, ch.ChainEntries))


TO_C: dict[type[Any], Callable[[Any], ctypes.Structure]] = {
    sockaddr_in: lambda x: SOCKADDR_IN_C(
        x.sin_family,
        _arr(c_uint8, 2, x.sin_port.to_bytes(2, "big")),
        _arr(c_uint8, 4, ipaddress.IPv4Address(x.sin_addr).packed),
        _arr(c_uint8, 8, x.sin_zero),
    ),
    sockaddr_in6: lambda x: SOCKADDR_IN6_C(
        x.sin6_family,
        _arr(c_uint8, 2, x.sin6_port.to_bytes(2, "big")),
        int.from_bytes(x.sin6_flowinfo.to_bytes(4, "big"), "little"),  # htonl
        _arr(c_uint8, 16, ipaddress.IPv6Address(x.sin6_addr).packed),
        x.sin6_scope_id,
    ),
    SOCKADDR_STORAGE: lambda x: _storage_c(x.ss_family.to_bytes(2, "little") + x.ss_data),
    linger: lambda x: LINGER_C(x.l_onoff, x.l_linger),
    timeval: lambda x: TIMEVAL_C(x.tv_sec, x.tv_usec),
    WSANETWORKEVENTS: lambda x: WSANETWORKEVENTS_C(
        x.lNetworkEvents, _arr(c_int32, 10, x.iErrorCode)
    ),
    WSAPROTOCOLCHAIN: _chain_c,
    WSAPROTOCOL_INFOW: lambda x: WSAPROTOCOL_INFOW_C(
        x.dwServiceFlags1,
        x.dwServiceFlags2,
        x.dwServiceFlags3,
        x.dwServiceFlags4,
        x.dwProviderFlags,
        _guid_c(x.ProviderId),
        x.dwCatalogEntryId,
        _chain_c(x.ProtocolChain),
        x.iVersion,
        x.iAddressFamily,
        x.iMaxSockAddr,
        x.iMinSockAddr,
        x.iSocketType,
        x.iProtocol,
        x.iProtocolMaxOffset,
        x.iNetworkByteOrder,
        x.iSecurityScheme,
        x.dwMessageSize,
        x.dwProviderReserved,
        _wchars(x.szProtocol),
    ),
    WSADATA: lambda x: WSADATA_C(
        x.wVersion,
        x.wHighVersion,
        x.iMaxSockets,
        x.iMaxUdpDg,
        _ptr(x.lpVendorInfo),
        x.szDescription.encode("latin-1"),
        x.szSystemStatus.encode("latin-1"),
    ),
    WSPDATA: lambda x: WSPDATA_C(x.wVersion, x.wHighVersion, _wchars(x.szDescription)),
    WSATHREADID: lambda x: WSATHREADID_C(_ptr(x.ThreadHandle), x.Reserved),
    WSABUF: lambda x: WSABUF_C(x.len, 0),
    WSAOVERLAPPED: lambda x: OVERLAPPED_C(
        x.Internal, x.InternalHigh, x.Offset, x.OffsetHigh, _ptr(x.hEvent)
    ),
    SOCKET_PEER_TARGET_NAME: lambda x: SOCKET_PEER_TARGET_NAME_C(
        x.SecurityProtocol, _storage_c(x.PeerAddress), x.string_len()
    ),
    SOCKET_SECURITY_SETTINGS: lambda x: SOCKET_SECURITY_SETTINGS_C(
        x.SecurityProtocol, x.SecurityFlags
    ),
    SOCKET_SECURITY_SETTINGS_IPSEC: lambda x: SOCKET_SECURITY_SETTINGS_IPSEC_C(
        x.SecurityProtocol,
        x.SecurityFlags,
        x.IpsecFlags,
        _guid_c(x.AuthipMMPolicyKey),
        _guid_c(x.AuthipQMPolicyKey),
        _guid_c(x.Reserved),
        x.Reserved2,
        x.UserNameStringLen,
        x.DomainNameStringLen,
        x.PasswordStringLen,
    ),
    SOCKET_SECURITY_QUERY_TEMPLATE: lambda x: SOCKET_SECURITY_QUERY_TEMPLATE_C(
        x.SecurityProtocol, _storage_c(x.PeerAddress), x.PeerTokenAccessMask
    ),
    SOCKET_SECURITY_QUERY_INFO: lambda x: SOCKET_SECURITY_QUERY_INFO_C(
        x.SecurityProtocol,
        x.Flags,
        x.PeerApplicationAccessTokenHandle,
        x.PeerMachineAccessTokenHandle,
    ),
}

# Structures with a trailing wchar_t AllStrings[]: the ctypes model covers the header.
STRINGS_AT = {SOCKET_PEER_TARGET_NAME: 140, SOCKET_SECURITY_SETTINGS_IPSEC: 84}


# ---------------------------------------------------------------------------
# Hypothesis strategies: random instances of every structure

INT_RANGES = {
    "H": (0, 0xFFFF),
    "I": (0, 0xFFFFFFFF),
    "i": (-(1 << 31), (1 << 31) - 1),
    "Q": (0, (1 << 64) - 1),
}

TEXT = st.text(st.characters(blacklist_characters="\0", blacklist_categories=("Cs",)))
LATIN1 = st.characters(min_codepoint=1, max_codepoint=255)
POINTERS = st.none() | st.integers(1, (1 << 64) - 1)
GUIDS = st.binary(min_size=16, max_size=16) | st.uuids()


def utf16_units(s: str) -> int:
    return len(s.encode("utf-16-le", "surrogatepass")) // 2


def wstr(max_units: int) -> st.SearchStrategy[str]:
    return TEXT.filter(lambda s: utf16_units(s) <= max_units)


ipv4 = st.ip_addresses(v=4).map(str)
ipv6 = st.ip_addresses(v=6).map(str)
ports = st.integers(0, 0xFFFF)
packed_sockaddrs = st.one_of(
    st.builds(sockaddr, ipv4, ports),
    st.builds(sockaddr, ipv6, ports, flowinfo=st.integers(0, 0xFFFFF), scope_id=st.integers(0, 99)),
)
peer_addresses = st.one_of(st.just(b""), packed_sockaddrs, st.binary(max_size=128))


def struct_strategy(cls: Any, **overrides: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """st.builds(cls) with in-range integers for every integer field (from the
    field's C kind) and the given strategies for the others."""
    kwargs: dict[str, st.SearchStrategy[Any]] = {}
    for a in attrs.fields(cls):
        if a.name in overrides:
            kwargs[a.name] = overrides[a.name]
        elif "n" in a.metadata:
            kwargs[a.name] = st.lists(
                st.integers(*INT_RANGES[a.metadata["c"]]), max_size=a.metadata["n"]
            )
        elif "c" in a.metadata:
            kwargs[a.name] = st.integers(*INT_RANGES[a.metadata["c"]])
        else:  # pragma: no cover - a field the strategy table forgot
            raise AssertionError(f"no strategy for {cls.__name__}.{a.name}")
    return st.builds(cls, **kwargs)


chains = struct_strategy(WSAPROTOCOLCHAIN)

STRATEGIES: dict[type[Any], st.SearchStrategy[Any]] = {
    sockaddr_in: struct_strategy(sockaddr_in, sin_addr=ipv4, sin_zero=st.binary(max_size=8)),
    sockaddr_in6: struct_strategy(sockaddr_in6, sin6_addr=ipv6),
    SOCKADDR_STORAGE: struct_strategy(SOCKADDR_STORAGE, ss_data=st.binary(max_size=126)),
    linger: struct_strategy(linger),
    timeval: struct_strategy(timeval),
    WSANETWORKEVENTS: struct_strategy(WSANETWORKEVENTS),
    WSAPROTOCOLCHAIN: chains,
    WSAPROTOCOL_INFOW: struct_strategy(
        WSAPROTOCOL_INFOW, ProviderId=GUIDS, ProtocolChain=chains, szProtocol=wstr(255)
    ),
    WSADATA: struct_strategy(
        WSADATA,
        lpVendorInfo=POINTERS,
        szDescription=st.text(LATIN1, max_size=256),
        szSystemStatus=st.text(LATIN1, max_size=128),
    ),
    WSPDATA: struct_strategy(WSPDATA, szDescription=wstr(255)),
    WSATHREADID: struct_strategy(WSATHREADID, ThreadHandle=POINTERS),
    WSABUF: struct_strategy(WSABUF, buf=st.none()),
    WSAOVERLAPPED: struct_strategy(WSAOVERLAPPED, hEvent=POINTERS),
    SOCKET_PEER_TARGET_NAME: struct_strategy(
        SOCKET_PEER_TARGET_NAME,
        SecurityProtocol=st.sampled_from([0, 1, 2, 3]) | st.integers(-(1 << 31), (1 << 31) - 1),
        PeerAddress=peer_addresses,
        PeerTargetNameStringLen=st.none(),
        AllStrings=wstr(300),
    ),
    SOCKET_SECURITY_SETTINGS: struct_strategy(SOCKET_SECURITY_SETTINGS),
    SOCKET_SECURITY_SETTINGS_IPSEC: st.builds(
        SOCKET_SECURITY_SETTINGS_IPSEC.from_strings,
        TEXT,
        TEXT,
        TEXT,
        SecurityProtocol=st.integers(*INT_RANGES["i"]),
        SecurityFlags=st.integers(*INT_RANGES["I"]),
        IpsecFlags=st.integers(*INT_RANGES["I"]),
        AuthipMMPolicyKey=GUIDS,
        AuthipQMPolicyKey=GUIDS,
        Reserved=GUIDS,
        Reserved2=st.integers(*INT_RANGES["Q"]),
    ),
    SOCKET_SECURITY_QUERY_TEMPLATE: struct_strategy(
        SOCKET_SECURITY_QUERY_TEMPLATE, PeerAddress=peer_addresses
    ),
    SOCKET_SECURITY_QUERY_INFO: struct_strategy(SOCKET_SECURITY_QUERY_INFO),
}

any_structure = st.sampled_from(ALL_CLASSES).flatmap(lambda c: STRATEGIES[c])


def resolved(x: Any) -> Any:
    """x with derived values made explicit (what unpack returns)."""
    if isinstance(x, SOCKET_PEER_TARGET_NAME):
        return attrs.evolve(x, PeerTargetNameStringLen=x.string_len())
    return x


def same(a: Any, b: Any) -> bool:
    """Field-wise equality (WSAOVERLAPPED compares by identity)."""
    return type(a) is type(b) and attrs.astuple(a, recurse=True) == attrs.astuple(b, recurse=True)


@pytest.mark.parametrize("cls", ALL_CLASSES, ids=[c.__name__ for c in ALL_CLASSES])
@given(data=st.data())
def test_pack_matches_ctypes_model(cls: Any, data: st.DataObject) -> None:
    """SPI-FACTS section 2 (layouts, checked with a ctypes model): pack() gives the
    same bytes as the ctypes model of the C declaration filled with the same values,
    padding included; unpack() of the model's bytes gives the structure back."""
    x = data.draw(STRATEGIES[cls])
    model_bytes = bytes(TO_C[cls](x))
    packed = x.pack()
    if cls in STRINGS_AT:
        at = STRINGS_AT[cls]
        assert packed[:at] == model_bytes[:at]
        names = x.AllStrings.encode("utf-16-le")
        assert packed[at : at + len(names)] == names
        assert len(packed) == max(cls.SIZE, at + len(names))
        assert same(cls.unpack(model_bytes[:at] + names.ljust(4, b"\0")), resolved(x))
    else:
        assert packed == model_bytes
        assert same(cls.unpack(model_bytes), x)


@given(any_structure)
def test_unpack_pack_round_trip(x: Any) -> None:
    """DESIGN 2 (structures have a packed byte layout): unpack(pack(x)) == x for
    random instances of every structure."""
    y = type(x).unpack(x.pack())
    if isinstance(x, WSAOVERLAPPED):
        assert y is not x and same(y, x)
    else:
        assert y == resolved(x)


@given(any_structure, st.binary(max_size=64))
def test_unpack_ignores_trailing_bytes(x: Any, tail: bytes) -> None:
    """C reads a structure from the start of a buffer: bytes after it do not matter
    (unpack accepts bytes, bytearray and memoryview)."""
    packed = x.pack()
    for buf in (packed + tail, bytearray(packed + tail), memoryview(packed + tail)):
        assert same(type(x).unpack(buf), resolved(x))


@pytest.mark.parametrize("cls", ALL_CLASSES, ids=[c.__name__ for c in ALL_CLASSES])
def test_unpack_short_buffer_names_buf(cls: Any) -> None:
    """Brief / DESIGN 2: unpack of fewer than SIZE bytes is a ValueError naming buf."""
    with pytest.raises(ValueError, match=r"\bbuf\b"):
        cls.unpack(bytes(cls.SIZE - 1))


@pytest.mark.parametrize("cls", ALL_CLASSES, ids=[c.__name__ for c in ALL_CLASSES])
def test_unpack_rejects_str(cls: Any) -> None:
    """DESIGN 2 (a str where a buffer belongs is a TypeError naming the parameter)."""
    with pytest.raises(TypeError, match=r"\bbuf\b"):
        cls.unpack("x" * 1000)


# ---------------------------------------------------------------------------
# Specific layouts


def test_sockaddr_in_bytes() -> None:
    """SPI-FACTS 2.1: sockaddr_in = family (LE u16), port and address in network order, zeros."""
    x = sockaddr_in(sin_port=0x1234, sin_addr="10.0.0.1")
    assert x.pack() == b"\x02\x00\x12\x34\x0a\x00\x00\x01" + bytes(8)
    assert x.sin_family == AF_INET
    assert sockaddr_in.unpack(x.pack()) == x


def test_sockaddr_in6_bytes() -> None:
    """SPI-FACTS 2.1 / 1.3: sockaddr_in6 = family 23 (Windows), port, flowinfo,
    address (network order), scope id (host order)."""
    x = sockaddr_in6(sin6_port=80, sin6_flowinfo=1, sin6_addr="::1", sin6_scope_id=5)
    assert x.sin6_family == AF_INET6 == 23
    assert x.pack() == (
        b"\x17\x00\x00\x50" + b"\x00\x00\x00\x01" + bytes(15) + b"\x01" + b"\x05\x00\x00\x00"
    )


def test_sockaddr_addresses_are_canonical_text() -> None:
    """DESIGN 2: addresses are text in the usual form ("127.0.0.1", "::1")."""
    assert sockaddr_in6(sin6_addr="0:0:0:0:0:0:0:1").sin6_addr == "::1"
    assert sockaddr_in6(sin6_addr="::FFFF:0102:0304").sin6_addr == "::ffff:1.2.3.4"
    assert sockaddr_in(sin_addr=ipaddress.IPv4Address("1.2.3.4")).sin_addr == "1.2.3.4"  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("cls", "field", "value", "exc"),
    [
        (sockaddr_in, "sin_addr", "1.2.3", ValueError),
        (sockaddr_in, "sin_addr", "::1", ValueError),
        (sockaddr_in, "sin_addr", 16909060, TypeError),
        (sockaddr_in6, "sin6_addr", "1.2.3.4", ValueError),
        (sockaddr_in6, "sin6_addr", b"\0" * 16, TypeError),
        (sockaddr_in, "sin_zero", bytes(9), ValueError),
        (sockaddr_in, "sin_zero", "zero", TypeError),
        (WSAPROTOCOL_INFOW, "ProviderId", bytes(15), ValueError),
        (WSAPROTOCOL_INFOW, "szProtocol", b"TCP", TypeError),
        (WSANETWORKEVENTS, "iErrorCode", [0] * 11, ValueError),
        (WSABUF, "buf", "text", TypeError),
        (SOCKET_PEER_TARGET_NAME, "PeerAddress", bytes(129), ValueError),
        (SOCKET_PEER_TARGET_NAME, "PeerAddress", "10.0.0.1", TypeError),
        (SOCKET_PEER_TARGET_NAME, "AllStrings", b"name", TypeError),
    ],
)
def test_bad_field_values_name_the_field(cls: Any, field: str, value: object, exc: type) -> None:
    """DESIGN 2 (misuse raises a clear TypeError / ValueError naming the parameter),
    at construction and on assignment."""
    with pytest.raises(exc, match=field):
        cls(**{field: value})
    x = cls()
    with pytest.raises(exc, match=field):
        setattr(x, field, value)


@pytest.mark.parametrize(
    ("x", "field"),
    [
        (linger(l_onoff=1, l_linger=65536), "l_linger"),
        (linger(l_onoff=-1), "l_onoff"),
        (WSANETWORKEVENTS(iErrorCode=[0, 2**31]), "iErrorCode"),
        (WSAOVERLAPPED(Offset=2**32), "Offset"),
        (WSADATA(wVersion="2.2"), "wVersion"),  # type: ignore[arg-type]
        (WSAPROTOCOL_INFOW(szProtocol="x" * 256), "szProtocol"),
        (WSPDATA(szDescription="x" * 256), "szDescription"),
        (WSADATA(szDescription="x" * 257), "szDescription"),
        (WSADATA(szSystemStatus="\u20ac"), "szSystemStatus"),
        (SOCKET_PEER_TARGET_NAME(PeerTargetNameStringLen=-1), "PeerTargetNameStringLen"),
        (sockaddr_in(sin_port=65536), "sin_port"),
    ],
)
def test_pack_out_of_range_names_the_field(x: Any, field: str) -> None:
    """DESIGN 2 (misuse names the parameter): a value C could not store raises at pack()."""
    with pytest.raises((ValueError, TypeError), match=field):
        x.pack()


def test_pack_error_inside_nested_chain() -> None:
    """A bad nested WSAPROTOCOLCHAIN is reported by its own field name."""
    info = WSAPROTOCOL_INFOW()
    info.ProtocolChain.ChainEntries.append(1)
    with pytest.raises(ValueError, match="ChainEntries"):
        info.pack()


def test_string_fields_round_trip_at_their_limits() -> None:
    """SPI-FACTS 1.1: szProtocol / WSPDATA.szDescription hold 255 WCHARs + NUL;
    WSADATA strings 256 and 128 chars + NUL."""
    info = WSAPROTOCOL_INFOW(szProtocol="\u00e9" * 255)
    assert WSAPROTOCOL_INFOW.unpack(info.pack()).szProtocol == "\u00e9" * 255
    wsp = WSPDATA(szDescription="\U0001f600" * 127)  # 254 UTF-16 code units
    assert WSPDATA.unpack(wsp.pack()).szDescription == wsp.szDescription
    data = WSADATA(szDescription="d" * 256, szSystemStatus="Running" + "s" * 121)
    assert WSADATA.unpack(data.pack()) == data


def test_wsadata_x64_order() -> None:
    """winsock2.h _WIN64 branch: iMaxSockets, iMaxUdpDg and lpVendorInfo come before
    the strings (szDescription at 16, szSystemStatus at 273), size 408."""
    b = WSADATA(0x0202, 0x0202, 7, 9, None, "WinSock 2.0", "Running").pack()
    assert b[0:8] == b"\x02\x02\x02\x02\x07\x00\x09\x00"
    assert b[8:16] == bytes(8)
    assert b[16:28] == b"WinSock 2.0\0"
    assert b[273:281] == b"Running\0"
    assert len(b) == 408


def test_wsaprotocol_info_guid_and_name() -> None:
    """SPI-FACTS 2.2: ProviderId is a GUID at 20 (Windows little-endian layout),
    szProtocol UTF-16LE at 116; a uuid.UUID is stored as its bytes_le."""
    guid = uuid.UUID("e70f1aa0-ab8b-11cf-8ca3-00805f48a192")
    info = WSAPROTOCOL_INFOW(ProviderId=guid, szProtocol="MSAFD Tcpip [TCP/IP]")
    assert info.ProviderId == guid.bytes_le
    b = info.pack()
    assert b[20:24] == b"\xa0\x1a\x0f\xe7"
    assert b[116 : 116 + 12] == "MSAFD ".encode("utf-16-le")
    assert uuid.UUID(bytes_le=WSAPROTOCOL_INFOW.unpack(b).ProviderId) == guid


def test_int_arrays_are_padded_like_c_initialisers() -> None:
    """SPI-FACTS 2.2: iErrorCode has FD_MAX_EVENTS (10) ints, ChainEntries 7; a
    shorter list is completed with zeros, as a C initialiser would."""
    ev = WSANETWORKEVENTS(0x21, [0, 0, 0, 0, 0, 10054])
    assert ev.iErrorCode == [0, 0, 0, 0, 0, 10054, 0, 0, 0, 0]
    assert WSANETWORKEVENTS.unpack(ev.pack()).iErrorCode[5] == 10054
    chain = WSAPROTOCOLCHAIN(1, (1001,))
    assert chain.ChainEntries == [1001, 0, 0, 0, 0, 0, 0]


def test_wsabuf_positional_and_buffer_kept() -> None:
    """DESIGN 2: WSABUF(len, buf) with buf a bytes-like object kept as is (a receive
    writes into it); pack() writes the pointer as 0."""
    data = bytearray(8)
    wb = WSABUF(8, data)
    assert wb.len == 8 and wb.buf is data
    view = memoryview(data)
    assert WSABUF(8, view).buf is view
    assert WSABUF(3, b"abc").pack() == b"\x03\x00\x00\x00" + bytes(12)
    assert WSABUF().buf is None


def test_wsaoverlapped_identity() -> None:
    """DESIGN 2: WSAOVERLAPPED(hEvent=None) / WSAOVERLAPPED() work and the object is
    hashable by identity (the simulator keys dicts by it)."""
    a, b = WSAOVERLAPPED(), WSAOVERLAPPED(hEvent=None)
    assert a != b and a == a
    d = {a: 1, b: 2}
    assert d[a] == 1 and d[b] == 2
    a.Internal = 0x103
    assert d[a] == 1
    assert WSAOVERLAPPED(hEvent=0x44).pack()[24:] == b"\x44" + bytes(7)


def test_handles_pack_as_integers() -> None:
    """Module rule: an integer handle packs as its value (negative ones as C would
    convert them), None and other objects as 0; 0 unpacks as None."""
    assert WSAOVERLAPPED(hEvent=-1).pack()[24:] == b"\xff" * 8
    assert WSAOVERLAPPED(hEvent=object()).pack()[24:] == bytes(8)
    assert WSATHREADID.unpack(WSATHREADID(ThreadHandle=None).pack()).ThreadHandle is None
    assert WSATHREADID.unpack(WSATHREADID(ThreadHandle=12).pack()).ThreadHandle == 12


# ---------------------------------------------------------------------------
# SOCKET_PEER_TARGET_NAME


def test_peer_target_name_sample_layout() -> None:
    """SPI-FACTS 2.3: SecurityProtocol at 0, SOCKADDR_STORAGE at 8, StringLen at 136,
    name (UTF-16LE, no NUL) from 140; Microsoft's sample passes 144 + name bytes."""
    addr = sockaddr("10.0.0.2", 443)
    p = SOCKET_PEER_TARGET_NAME(SecurityProtocol=1, PeerAddress=addr, AllStrings="host/srv")
    b = p.pack()
    assert b[0:4] == b"\x01\x00\x00\x00"
    assert b[4:8] == bytes(4)
    assert b[8:24] == addr
    assert b[24:136] == bytes(112)
    assert b[136:140] == b"\x08\x00\x00\x00"  # 8 characters
    assert b[140:] == "host/srv".encode("utf-16-le")
    assert len(b) == 140 + 16 <= sizeof(p) + 2 * len("host/srv")


@pytest.mark.parametrize(
    ("protocol", "name", "string_len", "name_bytes"),
    [
        (0, "abc", 3, 6),  # DEFAULT: characters
        (1, "abc", 3, 6),  # IPSEC: characters
        (2, "abc", 6, 6),  # IPSEC2: bytes
        (1, "\U0001f600", 2, 4),  # characters are UTF-16 code units
        (2, "", 0, 0),
    ],
)
def test_peer_target_name_string_len_default(
    protocol: int, name: str, string_len: int, name_bytes: int
) -> None:
    """SPI-FACTS 2.3 (Microsoft's sample; NtApiDotNet SocketSecurityUtils): the
    StringLen counts characters for DEFAULT/IPSEC and bytes for IPSEC2."""
    p = SOCKET_PEER_TARGET_NAME(SecurityProtocol=protocol, AllStrings=name)
    assert p.PeerTargetNameStringLen is None
    assert p.string_len() == string_len
    assert p.name_bytes() == name_bytes
    q = SOCKET_PEER_TARGET_NAME.unpack(p.pack())
    assert q.PeerTargetNameStringLen == string_len
    assert q.AllStrings == name


def test_peer_target_name_string_len_follows_later_assignment() -> None:
    """C style: fill an empty structure field by field; a None StringLen is derived
    when packed, not frozen at construction."""
    p = SOCKET_PEER_TARGET_NAME()
    p.SecurityProtocol = 1
    p.AllStrings = "host/a.example"
    assert SOCKET_PEER_TARGET_NAME.unpack(p.pack()).PeerTargetNameStringLen == 14


def test_peer_target_name_short_names_are_padded_to_sizeof() -> None:
    """SPI-FACTS 2.3: sizeof is 144 (tail padding), so pack() is never shorter than
    144 and the first two characters sit in the padding bytes 140..143."""
    assert len(SOCKET_PEER_TARGET_NAME().pack()) == 144
    b = SOCKET_PEER_TARGET_NAME(AllStrings="a").pack()
    assert len(b) == 144 and b[140:144] == b"a\x00\x00\x00"
    assert SOCKET_PEER_TARGET_NAME.unpack(b).AllStrings == "a"


def test_peer_target_name_declared_name_longer_than_buffer() -> None:
    """SPI-FACTS 2.3 (length rules): a buffer shorter than 140 + the declared name's
    bytes is a ValueError naming buf (the API reports WSAEMSGSIZE)."""
    p = SOCKET_PEER_TARGET_NAME(AllStrings="abcd", PeerTargetNameStringLen=40)
    with pytest.raises(ValueError, match=r"\bbuf\b"):
        SOCKET_PEER_TARGET_NAME.unpack(p.pack())
    p.PeerTargetNameStringLen = 2  # shorter than AllStrings: only that much is read
    assert SOCKET_PEER_TARGET_NAME.unpack(p.pack()).AllStrings == "ab"


def test_peer_target_name_odd_ipsec2_byte_count() -> None:
    """SPI-FACTS 2.3: for IPSEC2 the StringLen is a byte count and may be odd; the
    last UTF-16 unit gets a zero high byte."""
    p = SOCKET_PEER_TARGET_NAME(SecurityProtocol=2, AllStrings="ab", PeerTargetNameStringLen=3)
    assert p.name_bytes() == 3
    q = SOCKET_PEER_TARGET_NAME.unpack(p.pack())
    assert q.AllStrings == "ab" and q.PeerTargetNameStringLen == 3


def test_peer_address_forms() -> None:
    """DESIGN 2: PeerAddress is packed sockaddr bytes (a SOCKADDR_STORAGE when packed);
    a sockaddr structure, a bytearray or a whole 128-byte storage are accepted too."""
    addr = sockaddr("fd00::2", 500)
    assert SOCKET_PEER_TARGET_NAME(PeerAddress=bytearray(addr)).PeerAddress == addr
    assert SOCKET_PEER_TARGET_NAME(PeerAddress=addr.ljust(128, b"\0")).PeerAddress == addr
    s6 = sockaddr_in6.unpack(addr)
    assert SOCKET_PEER_TARGET_NAME(PeerAddress=s6).PeerAddress == addr  # type: ignore[arg-type]
    t = SOCKET_SECURITY_QUERY_TEMPLATE(PeerAddress=addr, PeerTokenAccessMask=8)
    assert parse_sockaddr(SOCKET_SECURITY_QUERY_TEMPLATE.unpack(t.pack()).PeerAddress) == (
        AF_INET6,
        "fd00::2",
        500,
    )


def test_security_settings_ipsec_strings() -> None:
    """SPI-FACTS 2.3 / mstcpip docs: AllStrings is user name, domain and password
    concatenated from offset 84; the three lengths are byte counts."""
    x = SOCKET_SECURITY_SETTINGS_IPSEC.from_strings("user", "dom", "pw", SecurityProtocol=1)
    assert (x.UserNameStringLen, x.DomainNameStringLen, x.PasswordStringLen) == (8, 6, 4)
    assert x.strings_bytes() == 18
    b = x.pack()
    assert len(b) == 84 + 18
    assert b[84:] == "userdompw".encode("utf-16-le")
    assert SOCKET_SECURITY_SETTINGS_IPSEC.unpack(b).strings() == ("user", "dom", "pw")
    with pytest.raises(ValueError, match=r"\bbuf\b"):
        SOCKET_SECURITY_SETTINGS_IPSEC.unpack(b[:-1])


def test_security_query_info_layout() -> None:
    """SPI-FACTS 2.3: SOCKET_SECURITY_QUERY_INFO = int, ULONG Flags, two UINT64 handles."""
    b = SOCKET_SECURITY_QUERY_INFO(1, 3, 0x10, 0x20).pack()
    assert b == b"\x01\0\0\0\x03\0\0\0\x10" + bytes(7) + b"\x20" + bytes(7)


# ---------------------------------------------------------------------------
# sockaddr helpers


@given(ip=ipv4, port=ports)
def test_sockaddr_ipv4_round_trip(ip: str, port: int) -> None:
    """DESIGN 2: sockaddr(ip, port) is a packed SOCKADDR_IN (16 bytes) and
    parse_sockaddr gives (AF_INET, ip, port) back."""
    b = sockaddr(ip, port)
    assert len(b) == 16
    assert parse_sockaddr(b) == (AF_INET, ip, port)
    assert sockaddr_family(b) == AF_INET
    assert sockaddr_in.unpack(b) == sockaddr_in(AF_INET, port, ip)


@given(
    ip=ipv6,
    port=ports,
    flowinfo=st.integers(0, 0xFFFFFFFF),
    scope_id=st.integers(0, 0xFFFFFFFF),
)
def test_sockaddr_ipv6_round_trip(ip: str, port: int, flowinfo: int, scope_id: int) -> None:
    """DESIGN 2 / SPI-FACTS 1.3: sockaddr(ipv6, port) is a SOCKADDR_IN6 (28 bytes,
    family 23) and parse_sockaddr gives (23, ip in usual text form, port)."""
    b = sockaddr(ip, port, flowinfo=flowinfo, scope_id=scope_id)
    assert len(b) == 28
    family, text, got_port = parse_sockaddr(b)
    assert (family, got_port) == (AF_INET6, port)
    assert ipaddress.IPv6Address(text) == ipaddress.IPv6Address(ip)
    x = sockaddr_in6.unpack(b)
    assert (x.sin6_flowinfo, x.sin6_scope_id, x.sin6_addr) == (flowinfo, scope_id, text)
    assert parse_sockaddr(x.pack()) == (family, text, port)


@given(packed_sockaddrs)
def test_parse_sockaddr_from_storage(addr: bytes) -> None:
    """SPI-FACTS 2.1: a SOCKADDR_STORAGE holding a sockaddr parses like the sockaddr."""
    storage = SOCKADDR_STORAGE.from_sockaddr(addr)
    assert parse_sockaddr(storage.pack()) == parse_sockaddr(addr)
    assert storage.to_sockaddr() == addr
    assert storage.ss_family == sockaddr_family(addr)


@pytest.mark.parametrize(
    ("ip", "text"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("::1", "::1"),
        ("0:0:0:0:0:0:0:1", "::1"),
        ("FD00:0::2", "fd00::2"),
        ("::ffff:10.0.0.1", "::ffff:10.0.0.1"),
    ],
)
def test_parse_sockaddr_usual_text(ip: str, text: str) -> None:
    """DESIGN 2: parse_sockaddr returns the ip as the usual text ("127.0.0.1", "::1")."""
    assert parse_sockaddr(sockaddr(ip, 7))[1] == text


def test_sockaddr_zone_is_scope_id() -> None:
    """An IPv6 zone "%N" in the text is the sockaddr's scope id."""
    assert sockaddr_in6.unpack(sockaddr("fe80::1%7", 1)).sin6_scope_id == 7
    assert sockaddr("fe80::1%7", 1) == sockaddr("fe80::1", 1, scope_id=7)


@pytest.mark.parametrize(
    ("args", "kwargs", "exc", "param"),
    [
        (("1.2.3.4", 65536), {}, ValueError, "port"),
        (("1.2.3.4", -1), {}, ValueError, "port"),
        (("1.2.3.4", "80"), {}, TypeError, "port"),
        (("1.2.3.4", 80.0), {}, TypeError, "port"),
        (("1.2.3", 80), {}, ValueError, "ip"),
        (("localhost", 80), {}, ValueError, "ip"),
        ((b"1.2.3.4", 80), {}, TypeError, "ip"),
        ((None, 80), {}, TypeError, "ip"),
        (("fe80::1%eth0", 80), {}, ValueError, "ip"),
        (("::1", 80), {"flowinfo": 2**32}, ValueError, "flowinfo"),
        (("::1", 80), {"scope_id": -1}, ValueError, "scope_id"),
        (("1.2.3.4", 80), {"scope_id": 1}, ValueError, "scope_id"),
    ],
)
def test_sockaddr_bad_input_names_parameter(
    args: tuple[Any, ...], kwargs: dict[str, Any], exc: type, param: str
) -> None:
    """Brief / DESIGN 2: sockaddr() raises TypeError / ValueError naming the parameter."""
    with pytest.raises(exc, match=param):
        sockaddr(*args, **kwargs)


@pytest.mark.parametrize(
    "buf",
    [b"", b"\x02", b"\x02\x00" + bytes(13), b"\x17\x00" + bytes(25), b"\x01\x00" + bytes(30)],
)
def test_parse_sockaddr_rejects_short_or_unknown(buf: bytes) -> None:
    """Brief: parse_sockaddr raises ValueError naming buf for too-short bytes or an
    unknown family (only AF_INET 2 and AF_INET6 23 are addresses here)."""
    with pytest.raises(ValueError, match=r"\bbuf\b"):
        parse_sockaddr(buf)


def test_parse_sockaddr_rejects_str() -> None:
    """DESIGN 2: a str where a buffer belongs is a TypeError naming the parameter."""
    with pytest.raises(TypeError, match=r"\bbuf\b"):
        parse_sockaddr("127.0.0.1")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("buf", "family"),
    [
        (b"", 0),
        (b"\x02", 0),
        (b"\x02\x00", 2),
        (bytearray(b"\x17\x00\x01"), 23),
        (b"\x34\x12", 0x1234),
    ],
)
def test_sockaddr_family(buf: bytes, family: int) -> None:
    """Brief: sockaddr_family reads the first two bytes little-endian, 0 if fewer."""
    assert sockaddr_family(buf) == family


# ---------------------------------------------------------------------------
# fill and as_bytes


@given(any_structure)
def test_fill_copies_every_field(src: Any) -> None:
    """DESIGN 2: output structures are filled in place; fill(dst, src) copies every field."""
    dst = type(src)()
    before = id(dst)
    fill(dst, src)
    assert id(dst) == before
    assert same(dst, src)


def test_fill_does_not_share_mutable_fields() -> None:
    """C copies values into the caller's structure: later changes to the source's
    lists or nested chain do not show through the filled copy."""
    src = WSAPROTOCOL_INFOW(ProtocolChain=WSAPROTOCOLCHAIN(1, [1001]))
    dst = WSAPROTOCOL_INFOW()
    fill(dst, src)
    src.ProtocolChain.ChainEntries[0] = 5
    src.ProtocolChain.ChainLen = 2
    assert dst.ProtocolChain == WSAPROTOCOLCHAIN(1, [1001])
    ev, out = WSANETWORKEVENTS(1, [7]), WSANETWORKEVENTS()
    fill(out, ev)
    ev.iErrorCode[0] = 0
    assert out.iErrorCode[0] == 7


def test_fill_keeps_buffers_and_handles_by_reference() -> None:
    """WSABUF.buf and handles are references in C too: fill copies the reference."""
    data = bytearray(4)
    dst = WSABUF()
    fill(dst, WSABUF(4, data))
    assert dst.buf is data


@pytest.mark.parametrize(
    ("dst", "src"),
    [(linger(), WSABUF()), (linger(), (1, 2)), ({}, linger())],
)
def test_fill_rejects_mismatched_types(dst: Any, src: Any) -> None:
    """fill needs two structures of the same class."""
    with pytest.raises(TypeError, match="fill"):
        fill(dst, src)


@given(any_structure)
def test_as_bytes_of_structure_is_pack(x: Any) -> None:
    """DESIGN 2: functions taking a structure pointer accept the attrs object or its
    packed bytes; as_bytes gives the same bytes for both."""
    assert as_bytes(x, param="p") == x.pack()
    assert as_bytes(x.pack(), param="p") == x.pack()


def test_as_bytes_accepts_bytes_like() -> None:
    """as_bytes accepts bytes, bytearray, memoryview and other buffer objects (ctypes)."""
    assert as_bytes(bytearray(b"ab"), param="p") == b"ab"
    assert as_bytes(memoryview(b"abc")[1:], param="p") == b"bc"
    assert as_bytes(ctypes.create_string_buffer(b"ab", 3), param="p") == b"ab\0"
    assert as_bytes(LINGER_C(1, 2), param="p") == linger(1, 2).pack()


@pytest.mark.parametrize("bad", ["text", None, 5, [1, 2], linger])
def test_as_bytes_rejects_others_naming_param(bad: object) -> None:
    """DESIGN 2: a str (or other non-buffer) where a buffer belongs is a TypeError
    naming the parameter."""
    with pytest.raises(TypeError, match="PeerTargetName"):
        as_bytes(bad, param="PeerTargetName")
