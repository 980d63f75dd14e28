"""Windows x64 structures as mutable attrs classes with their exact byte layouts.

Every structure here:

- is an ``attrs`` class whose field names are Windows' own and whose fields all
  have defaults, so ``T()`` is the zero-initialised C structure (except that
  ``sockaddr_in`` / ``sockaddr_in6`` default to their own address family);
- has ``SIZE``, the Windows x64 ``sizeof`` (LLP64, natural alignment);
- packs to, and unpacks from, the little-endian byte layout Windows uses.
  Addresses and ports inside sockaddrs are in network order, as in C.

Pointers and handles (``WSABUF.buf``, ``WSAOVERLAPPED.hEvent``,
``WSADATA.lpVendorInfo``, ``WSATHREADID.ThreadHandle``) have no address in
Python: an integer is packed as its value, ``None`` and any other object as 0,
and 0 unpacks as ``None``.

Layouts: SPI-FACTS.md section 2 (from ReactOS ws2def.h / winsock2.h / ws2spi.h
and the SDK's mstcpip.h), checked against ctypes models in tests/test_structs.py.
"""

from __future__ import annotations

import ipaddress
import struct
import uuid
from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, Union

import attrs

from .constants import AF_INET, AF_INET6, AF_UNSPEC

if TYPE_CHECKING:
    from typing import Self

__all__ = [
    "SOCKADDR_STORAGE",
    "SOCKET_PEER_TARGET_NAME",
    "SOCKET_SECURITY_QUERY_INFO",
    "SOCKET_SECURITY_QUERY_TEMPLATE",
    "SOCKET_SECURITY_SETTINGS",
    "SOCKET_SECURITY_SETTINGS_IPSEC",
    "WSABUF",
    "WSADATA",
    "WSANETWORKEVENTS",
    "WSAOVERLAPPED",
    "WSAPOLLFD",
    "WSAPROTOCOLCHAIN",
    "WSAPROTOCOL_INFOW",
    "WSATHREADID",
    "WSPDATA",
    "as_bytes",
    "fill",
    "linger",
    "parse_sockaddr",
    "sizeof",
    "sockaddr",
    "sockaddr_family",
    "sockaddr_in",
    "sockaddr_in6",
    "timeval",
]

Buffer = Union[bytes, bytearray, memoryview]
"""What ``unpack`` accepts (any other object with the buffer protocol works too)."""

# Security protocols (SPI-FACTS 2.3); the public names live in constants.py.
_SOCKET_SECURITY_PROTOCOL_IPSEC2 = 2

_WSADESCRIPTION_LEN = 256  # char szDescription[WSADESCRIPTION_LEN + 1]
_WSASYS_STATUS_LEN = 128  # char szSystemStatus[WSASYS_STATUS_LEN + 1]
_WSPDESCRIPTION_LEN = 255  # WCHAR szDescription[WSPDESCRIPTION_LEN + 1]
_WSAPROTOCOL_LEN = 255  # WCHAR szProtocol[WSAPROTOCOL_LEN + 1]
_MAX_PROTOCOL_CHAIN = 7
_FD_MAX_EVENTS = 10
_SS_MAXSIZE = 128

_MASK64 = (1 << 64) - 1

# ---------------------------------------------------------------------------
# Precompiled layouts (all little-endian, x64 natural alignment, explicit padding).
# Ports / IPv4 and IPv6 addresses / flowinfo are pre-swapped into byte strings.

_SOCKADDR_IN = struct.Struct("<H2s4s8s")  # 16
_SOCKADDR_IN6 = struct.Struct("<H2s4s16sI")  # 28
_SOCKADDR_STORAGE = struct.Struct("<H126s")  # 128
_LINGER = struct.Struct("<HH")  # 4
_TIMEVAL = struct.Struct("<ii")  # 8
_WSANETWORKEVENTS = struct.Struct("<i10i")  # 44
_WSAPROTOCOLCHAIN = struct.Struct("<i7I")  # 32
# 5 DWORD, GUID, DWORD catalog id, chain (int + 7 DWORD), 9 int, 2 DWORD, WCHAR[256]
_WSAPROTOCOL_INFOW = struct.Struct("<5I16sIi7I9i2I512s")  # 628
_WSADATA = struct.Struct("<4HQ257s129s6x")  # 408
_WSPDATA = struct.Struct("<HH512s")  # 516
_WSATHREADID = struct.Struct("<QQ")  # 16
_WSABUF = struct.Struct("<I4xQ")  # 16
_WSAOVERLAPPED = struct.Struct("<QQIIQ")  # 32
_WSAPOLLFD = struct.Struct("<Qhh4x")  # 16: SOCKET fd; SHORT events, revents; padding
# SecurityProtocol, pad, SOCKADDR_STORAGE, ULONG StringLen; AllStrings at 140
_PEER_TARGET_NAME_HDR = struct.Struct("<i4x128sI")  # 140
_SOCKET_SECURITY_SETTINGS = struct.Struct("<iI")  # 8
# SecurityProtocol, SecurityFlags, IpsecFlags, 3 GUID, pad, Reserved2, 3 lengths
_SETTINGS_IPSEC_HDR = struct.Struct("<iII16s16s16s4xQIII")  # 84
_QUERY_TEMPLATE = struct.Struct("<i4x128sI4x")  # 144
_QUERY_INFO = struct.Struct("<iIQQ")  # 24
_U16 = struct.Struct("<H")

_PEER_TARGET_NAME_STRINGS = _PEER_TARGET_NAME_HDR.size  # 140
_SETTINGS_IPSEC_STRINGS = _SETTINGS_IPSEC_HDR.size  # 84

# C integer kinds of fields, by struct format character: (C name, min, max).
_CTYPES: dict[str, tuple[str, int, int]] = {
    "h": ("signed 16-bit", -(1 << 15), (1 << 15) - 1),
    "H": ("unsigned 16-bit", 0, 0xFFFF),
    "I": ("unsigned 32-bit", 0, 0xFFFFFFFF),
    "i": ("signed 32-bit", -(1 << 31), (1 << 31) - 1),
    "Q": ("unsigned 64-bit", 0, _MASK64),
}


# ---------------------------------------------------------------------------
# Field helpers


def _int(c: str, default: int = 0) -> Any:
    """An integer field of C kind ``c`` (a struct format character)."""
    return attrs.field(default=default, metadata={"c": c})


def _type_name(v: object) -> str:
    return type(v).__name__


def _ptr(v: object) -> int:
    """The integer a pointer/handle field packs as (see the module docstring)."""
    if v is None:
        return 0
    if isinstance(v, int):
        return v & _MASK64
    index = getattr(type(v), "__index__", None)
    if index is not None:
        return int(index(v)) & _MASK64
    return 0


def _unptr(v: int) -> int | None:
    return v if v else None


def _view(buf: object, who: str, size: int, param: str = "buf") -> bytes | bytearray | memoryview:
    """``buf`` as something sliceable in bytes; checks it holds ``size`` bytes."""
    view: bytes | bytearray | memoryview
    if isinstance(buf, (bytes, bytearray)):
        view = buf
    elif isinstance(buf, str) or buf is None:
        raise TypeError(f"{who}: {param} must be a bytes-like object, not {_type_name(buf)}")
    else:
        try:
            mv = memoryview(buf)  # type: ignore[arg-type]
        except TypeError:
            raise TypeError(
                f"{who}: {param} must be a bytes-like object, not {_type_name(buf)}"
            ) from None
        view = mv if mv.format == "B" and mv.ndim == 1 else memoryview(mv.tobytes())
    if len(view) < size:
        raise ValueError(f"{who}: {param} holds {len(view)} bytes, needs at least {size}")
    return view


def _pack_error(obj: _Struct, exc: Exception) -> Exception:
    """A TypeError/ValueError naming the field that made ``pack()`` fail."""
    who = f"{type(obj).__name__}.pack"
    for a in obj.__attrs_attrs__:
        c = a.metadata.get("c")
        value = getattr(obj, a.name)
        if c is None or value is None:
            continue
        values = value if isinstance(value, list) else [value]
        if isinstance(value, list) and "n" in a.metadata and len(value) != a.metadata["n"]:
            return ValueError(
                f"{who}: {a.name} must have {a.metadata['n']} elements, has {len(value)}"
            )
        kind, lo, hi = _CTYPES[c]
        for v in values:
            if not isinstance(v, int):
                return TypeError(f"{who}: {a.name} must be an int, not {_type_name(v)}")
            if not lo <= v <= hi:
                return ValueError(f"{who}: {a.name} = {v} does not fit in {kind} ({lo}..{hi})")
    for a in obj.__attrs_attrs__:
        value = getattr(obj, a.name)
        if isinstance(value, _Struct) and value is not obj:
            return _pack_error(value, exc)
    return ValueError(f"{who}: {exc}")


_PACK_ERRORS = (struct.error, OverflowError, TypeError, AttributeError)


def _bytes_like(v: object) -> bool:
    if isinstance(v, (bytes, bytearray, memoryview)):
        return True
    if isinstance(v, str):
        return False
    try:
        memoryview(v)  # type: ignore[arg-type]
    except TypeError:
        return False
    return True


def _to_bytes(v: object) -> object:
    """Converter: bytes-like -> bytes; anything else is left for the validator."""
    if isinstance(v, bytes):
        return v
    if isinstance(v, (bytearray, memoryview)):
        return bytes(v)
    if _bytes_like(v):
        return memoryview(v).tobytes()  # type: ignore[arg-type]
    return v


def _conv_zero8(v: object) -> Any:
    """Converter for sin_zero: bytes, zero-padded to 8."""
    b = _to_bytes(v)
    return b.ljust(8, b"\0") if isinstance(b, bytes) else b


def _conv_ss_data(v: object) -> Any:
    """Converter for SOCKADDR_STORAGE.ss_data: bytes, zero-padded to 126."""
    b = _to_bytes(v)
    return b.ljust(_SS_MAXSIZE - 2, b"\0") if isinstance(b, bytes) else b


def _fixed_bytes_validator(n: int) -> Any:
    def check(inst: object, a: attrs.Attribute[Any], v: object) -> None:
        if not isinstance(v, bytes):
            raise TypeError(
                f"{type(inst).__name__}.{a.name} must be bytes-like, not {_type_name(v)}"
            )
        if len(v) != n:
            raise ValueError(f"{type(inst).__name__}.{a.name} must be {n} bytes, got {len(v)}")

    return check


def _conv_guid(v: object) -> Any:
    """Converter for GUID fields: uuid.UUID -> its Windows (bytes_le) layout."""
    if isinstance(v, uuid.UUID):
        return v.bytes_le
    return _to_bytes(v)


def _int_list(v: object, n: int) -> object:
    """An iterable as a new list of ``n`` elements; like a C initialiser, missing
    elements are zero. Anything else is left for the validator."""
    if isinstance(v, (str, bytes)) or not isinstance(v, Iterable):
        return v
    items = list(v)
    if len(items) < n:
        items.extend([0] * (n - len(items)))
    return items


def _conv_list10(v: object) -> Any:
    """Converter for WSANETWORKEVENTS.iErrorCode."""
    return _int_list(v, _FD_MAX_EVENTS)


def _conv_list7(v: object) -> Any:
    """Converter for WSAPROTOCOLCHAIN.ChainEntries."""
    return _int_list(v, _MAX_PROTOCOL_CHAIN)


def _int_list_validator(inst: object, a: attrs.Attribute[Any], v: object) -> None:
    n = a.metadata["n"]
    if not isinstance(v, list):
        raise TypeError(f"{type(inst).__name__}.{a.name} must be a list of {n} ints")
    if len(v) > n:
        raise ValueError(f"{type(inst).__name__}.{a.name} holds at most {n} ints, got {len(v)}")


def _str_validator(inst: object, a: attrs.Attribute[Any], v: object) -> None:
    if not isinstance(v, str):
        raise TypeError(f"{type(inst).__name__}.{a.name} must be a str, not {_type_name(v)}")


@lru_cache(maxsize=4096)
def _ipv4_text(v: str) -> str:
    return str(ipaddress.IPv4Address(v))


def _ipv6_str(a: ipaddress.IPv6Address) -> str:
    """Usual text of an IPv6 address; IPv4-mapped ones end in dotted quad
    ("::ffff:1.2.3.4"), as Windows and Python >= 3.13 write them."""
    mapped = a.ipv4_mapped
    if mapped is not None:
        return f"::ffff:{mapped}"
    return str(a)


@lru_cache(maxsize=4096)
def _ipv6_text(v: str) -> str:
    a = ipaddress.IPv6Address(v)
    if a.scope_id is not None:
        raise ValueError("a zone index (%...) is not part of the address; use the scope id")
    return _ipv6_str(a)


@lru_cache(maxsize=4096)
def _ipv4_packed(v: str) -> bytes:
    return ipaddress.IPv4Address(v).packed


@lru_cache(maxsize=4096)
def _ipv6_packed(v: str) -> bytes:
    return ipaddress.IPv6Address(v).packed


@lru_cache(maxsize=4096)
def _ipv4_from_packed(b: bytes) -> str:
    return str(ipaddress.IPv4Address(b))


@lru_cache(maxsize=4096)
def _ipv6_from_packed(b: bytes) -> str:
    return _ipv6_str(ipaddress.IPv6Address(b))


@lru_cache(maxsize=4096)
def _ip_parse(ip: str) -> tuple[int, bytes, str | None]:
    """(family, packed address, IPv6 zone or None) of an IP text address."""
    addr = ipaddress.ip_address(ip)
    if isinstance(addr, ipaddress.IPv4Address):
        return AF_INET, addr.packed, None
    return AF_INET6, addr.packed, addr.scope_id


def _conv_ipv4(v: object) -> Any:
    """Converter for sin_addr: canonical dotted-quad text."""
    if isinstance(v, ipaddress.IPv4Address):
        return str(v)
    if isinstance(v, str):
        try:
            return _ipv4_text(v)
        except ValueError as e:
            raise ValueError(f"sockaddr_in.sin_addr: not an IPv4 address: {v!r} ({e})") from None
    raise TypeError(f"sockaddr_in.sin_addr must be a str like '1.2.3.4', not {_type_name(v)}")


def _conv_ipv6(v: object) -> Any:
    """Converter for sin6_addr: canonical IPv6 text."""
    if isinstance(v, ipaddress.IPv6Address):
        v = str(v)
    if isinstance(v, str):
        try:
            return _ipv6_text(v)
        except ValueError as e:
            raise ValueError(f"sockaddr_in6.sin6_addr: not an IPv6 address: {v!r} ({e})") from None
    raise TypeError(f"sockaddr_in6.sin6_addr must be a str like '::1', not {_type_name(v)}")


_FAMILY_SIZES = {AF_INET: 16, AF_INET6: 28}


def _canonical_storage(b: bytes) -> bytes:
    """Shortest form of a sockaddr in a SOCKADDR_STORAGE: trailing zeros dropped,
    but never shorter than the family's sockaddr (16 / 28 bytes)."""
    full = b.ljust(_SS_MAXSIZE, b"\0")
    n = len(full.rstrip(b"\0"))
    family = full[0] | (full[1] << 8)
    return full[: max(n, _FAMILY_SIZES.get(family, 0))]


def _conv_peer_address(v: object) -> Any:
    """Converter for PeerAddress: a sockaddr (structure or bytes) in canonical form."""
    if isinstance(v, _Struct):
        v = v.pack()
    b = _to_bytes(v)
    if isinstance(b, bytes) and len(b) <= _SS_MAXSIZE:
        return _canonical_storage(b)
    return b


def _peer_address_validator(inst: object, a: attrs.Attribute[Any], v: object) -> None:
    if not isinstance(v, bytes):
        raise TypeError(
            f"{type(inst).__name__}.{a.name} must be packed sockaddr bytes, not {_type_name(v)}"
        )
    if len(v) > _SS_MAXSIZE:
        raise ValueError(
            f"{type(inst).__name__}.{a.name} must fit a SOCKADDR_STORAGE "
            f"({_SS_MAXSIZE} bytes), got {len(v)}"
        )


def _buf_validator(inst: object, a: attrs.Attribute[Any], v: object) -> None:
    if v is not None and not _bytes_like(v):
        raise TypeError(
            f"WSABUF.buf must be a bytes-like object (bytes, bytearray, memoryview) or None, "
            f"not {_type_name(v)}"
        )


def _wstr_pack(s: str, nchars: int, who: str) -> bytes:
    """A str as a NUL-terminated WCHAR[nchars] (struct pads with zeros)."""
    if not isinstance(s, str):
        raise TypeError(f"{who} must be a str, not {_type_name(s)}")
    b = s.encode("utf-16-le", "surrogatepass")
    if len(b) >= 2 * nchars:
        raise ValueError(f"{who} holds at most {nchars - 1} UTF-16 code units, got {len(b) // 2}")
    return b


def _wstr_unpack(raw: bytes | bytearray | memoryview) -> str:
    s = bytes(raw).decode("utf-16-le", "surrogatepass")
    i = s.find("\0")
    return s if i < 0 else s[:i]


def _astr_pack(s: str, nchars: int, who: str) -> bytes:
    """A str as a NUL-terminated char[nchars] (Latin-1, one byte a character)."""
    if not isinstance(s, str):
        raise TypeError(f"{who} must be a str, not {_type_name(s)}")
    try:
        b = s.encode("latin-1")
    except UnicodeEncodeError:
        raise ValueError(f"{who} must contain only 8-bit characters: {s!r}") from None
    if len(b) >= nchars:
        raise ValueError(f"{who} holds at most {nchars - 1} characters, got {len(b)}")
    return b


def _astr_unpack(raw: bytes | bytearray | memoryview) -> str:
    b = bytes(raw)
    i = b.find(b"\0")
    return (b if i < 0 else b[:i]).decode("latin-1")


def _utf16_decode(raw: bytes | bytearray | memoryview) -> str:
    """UTF-16LE bytes of a counted string; an odd trailing byte gets a zero high byte."""
    b = bytes(raw)
    if len(b) % 2:
        b += b"\0"
    return b.decode("utf-16-le", "surrogatepass")


# ---------------------------------------------------------------------------
# Structures


class _Struct:
    """Base of every structure: SIZE, pack(), unpack()."""

    __slots__ = ()
    __attrs_attrs__: ClassVar[tuple[attrs.Attribute[Any], ...]]
    SIZE: ClassVar[int]

    def pack(self) -> bytes:
        """The structure's bytes, as Windows x64 lays it out."""
        raise NotImplementedError

    @classmethod
    def unpack(cls, buf: Buffer) -> Self:
        """A structure read from the first SIZE bytes of ``buf``."""
        raise NotImplementedError


_S = TypeVar("_S", bound=_Struct)


@attrs.define
class sockaddr_in(_Struct):
    """SOCKADDR_IN: an IPv4 address and port (16 bytes). sin_port is in host order
    here and packed in network order; sin_addr is text ("1.2.3.4")."""

    SIZE: ClassVar[int] = 16

    sin_family: int = _int("H", AF_INET)
    sin_port: int = _int("H")
    sin_addr: str = attrs.field(default="0.0.0.0", converter=_conv_ipv4)
    sin_zero: bytes = attrs.field(
        default=bytes(8), converter=_conv_zero8, validator=_fixed_bytes_validator(8)
    )

    def pack(self) -> bytes:
        """The 16-byte SOCKADDR_IN."""
        try:
            return _SOCKADDR_IN.pack(
                self.sin_family,
                int.to_bytes(self.sin_port, 2, "big"),
                _ipv4_packed(self.sin_addr),
                self.sin_zero,
            )
        except _PACK_ERRORS as e:
            raise _pack_error(self, e) from e

    @classmethod
    def unpack(cls, buf: Buffer) -> Self:
        """Read a SOCKADDR_IN (the family field is taken as is)."""
        v = _view(buf, "sockaddr_in.unpack", 16)
        family, port, addr, zero = _SOCKADDR_IN.unpack_from(v)
        return cls(family, int.from_bytes(port, "big"), _ipv4_from_packed(addr), zero)


@attrs.define
class sockaddr_in6(_Struct):
    """SOCKADDR_IN6: an IPv6 address, port, flow info and scope id (28 bytes).
    sin6_port and sin6_flowinfo are packed in network order (as the BSD socket
    API stores them), sin6_scope_id in host order; sin6_addr is text ("::1")."""

    SIZE: ClassVar[int] = 28

    sin6_family: int = _int("H", AF_INET6)
    sin6_port: int = _int("H")
    sin6_flowinfo: int = _int("I")
    sin6_addr: str = attrs.field(default="::", converter=_conv_ipv6)
    sin6_scope_id: int = _int("I")

    def pack(self) -> bytes:
        """The 28-byte SOCKADDR_IN6."""
        try:
            return _SOCKADDR_IN6.pack(
                self.sin6_family,
                int.to_bytes(self.sin6_port, 2, "big"),
                int.to_bytes(self.sin6_flowinfo, 4, "big"),
                _ipv6_packed(self.sin6_addr),
                self.sin6_scope_id,
            )
        except _PACK_ERRORS as e:
            raise _pack_error(self, e) from e

    @classmethod
    def unpack(cls, buf: Buffer) -> Self:
        """Read a SOCKADDR_IN6 (the family field is taken as is)."""
        v = _view(buf, "sockaddr_in6.unpack", 28)
        family, port, flow, addr, scope = _SOCKADDR_IN6.unpack_from(v)
        return cls(
            family,
            int.from_bytes(port, "big"),
            int.from_bytes(flow, "big"),
            _ipv6_from_packed(addr),
            scope,
        )


@attrs.define
class SOCKADDR_STORAGE(_Struct):
    """SOCKADDR_STORAGE (128 bytes): ss_family and the 126 bytes after it
    (Windows' __ss_pad1, __ss_align and __ss_pad2, as raw bytes)."""

    SIZE: ClassVar[int] = 128

    ss_family: int = _int("H", AF_UNSPEC)
    ss_data: bytes = attrs.field(
        default=bytes(_SS_MAXSIZE - 2),
        converter=_conv_ss_data,
        validator=_fixed_bytes_validator(_SS_MAXSIZE - 2),
    )

    def pack(self) -> bytes:
        """The 128-byte SOCKADDR_STORAGE."""
        try:
            return _SOCKADDR_STORAGE.pack(self.ss_family, self.ss_data)
        except _PACK_ERRORS as e:
            raise _pack_error(self, e) from e

    @classmethod
    def unpack(cls, buf: Buffer) -> Self:
        """Read a SOCKADDR_STORAGE."""
        v = _view(buf, "SOCKADDR_STORAGE.unpack", _SS_MAXSIZE)
        family, data = _SOCKADDR_STORAGE.unpack_from(v)
        return cls(family, data)

    @classmethod
    def from_sockaddr(cls, addr: Buffer | sockaddr_in | sockaddr_in6) -> Self:
        """A storage holding ``addr`` (packed sockaddr bytes, up to 128, or a structure)."""
        b = as_bytes(addr, param="addr")
        if len(b) > _SS_MAXSIZE:
            raise ValueError(f"SOCKADDR_STORAGE.from_sockaddr: addr is {len(b)} bytes, max 128")
        return cls.unpack(b.ljust(_SS_MAXSIZE, b"\0"))

    def to_sockaddr(self) -> bytes:
        """The sockaddr held: 16 bytes for AF_INET, 28 for AF_INET6, else all 128."""
        return self.pack()[: _FAMILY_SIZES.get(self.ss_family, _SS_MAXSIZE)]


@attrs.define
class linger(_Struct):
    """LINGER (4 bytes): two u_short, l_onoff and l_linger (seconds)."""

    SIZE: ClassVar[int] = 4

    l_onoff: int = _int("H")
    l_linger: int = _int("H")

    def pack(self) -> bytes:
        """The 4-byte LINGER."""
        try:
            return _LINGER.pack(self.l_onoff, self.l_linger)
        except _PACK_ERRORS as e:
            raise _pack_error(self, e) from e

    @classmethod
    def unpack(cls, buf: Buffer) -> Self:
        """Read a LINGER."""
        return cls(*_LINGER.unpack_from(_view(buf, "linger.unpack", 4)))


@attrs.define
class timeval(_Struct):
    """TIMEVAL (8 bytes): long tv_sec, long tv_usec (long is 32-bit on Windows)."""

    SIZE: ClassVar[int] = 8

    tv_sec: int = _int("i")
    tv_usec: int = _int("i")

    def pack(self) -> bytes:
        """The 8-byte TIMEVAL."""
        try:
            return _TIMEVAL.pack(self.tv_sec, self.tv_usec)
        except _PACK_ERRORS as e:
            raise _pack_error(self, e) from e

    @classmethod
    def unpack(cls, buf: Buffer) -> Self:
        """Read a TIMEVAL."""
        return cls(*_TIMEVAL.unpack_from(_view(buf, "timeval.unpack", 8)))


@attrs.define
class WSANETWORKEVENTS(_Struct):
    """WSANETWORKEVENTS (44 bytes): LONG lNetworkEvents and int iErrorCode[10],
    indexed by the FD_*_BIT numbers."""

    SIZE: ClassVar[int] = 44

    lNetworkEvents: int = _int("i")
    iErrorCode: list[int] = attrs.field(
        factory=lambda: [0] * _FD_MAX_EVENTS,
        converter=_conv_list10,
        validator=_int_list_validator,
        metadata={"c": "i", "n": _FD_MAX_EVENTS},
    )

    def pack(self) -> bytes:
        """The 44-byte WSANETWORKEVENTS."""
        try:
            return _WSANETWORKEVENTS.pack(self.lNetworkEvents, *self.iErrorCode)
        except _PACK_ERRORS as e:
            raise _pack_error(self, e) from e

    @classmethod
    def unpack(cls, buf: Buffer) -> Self:
        """Read a WSANETWORKEVENTS."""
        t = _WSANETWORKEVENTS.unpack_from(_view(buf, "WSANETWORKEVENTS.unpack", 44))
        return cls(t[0], list(t[1:]))


@attrs.define
class WSAPROTOCOLCHAIN(_Struct):
    """WSAPROTOCOLCHAIN (32 bytes): int ChainLen, DWORD ChainEntries[7]."""

    SIZE: ClassVar[int] = 32

    ChainLen: int = _int("i")
    ChainEntries: list[int] = attrs.field(
        factory=lambda: [0] * _MAX_PROTOCOL_CHAIN,
        converter=_conv_list7,
        validator=_int_list_validator,
        metadata={"c": "I", "n": _MAX_PROTOCOL_CHAIN},
    )

    def pack(self) -> bytes:
        """The 32-byte WSAPROTOCOLCHAIN."""
        try:
            return _WSAPROTOCOLCHAIN.pack(self.ChainLen, *self.ChainEntries)
        except _PACK_ERRORS as e:
            raise _pack_error(self, e) from e

    @classmethod
    def unpack(cls, buf: Buffer) -> Self:
        """Read a WSAPROTOCOLCHAIN."""
        t = _WSAPROTOCOLCHAIN.unpack_from(_view(buf, "WSAPROTOCOLCHAIN.unpack", 32))
        return cls(t[0], list(t[1:]))


@attrs.define
class WSAPROTOCOL_INFOW(_Struct):
    """WSAPROTOCOL_INFOW (628 bytes). ProviderId is the GUID's 16 bytes in Windows
    layout (a uuid.UUID is accepted and stored as its bytes_le); szProtocol is a
    str of at most 255 UTF-16 code units."""

    SIZE: ClassVar[int] = 628

    dwServiceFlags1: int = _int("I")
    dwServiceFlags2: int = _int("I")
    dwServiceFlags3: int = _int("I")
    dwServiceFlags4: int = _int("I")
    dwProviderFlags: int = _int("I")
    ProviderId: bytes = attrs.field(
        default=bytes(16), converter=_conv_guid, validator=_fixed_bytes_validator(16)
    )
    dwCatalogEntryId: int = _int("I")
    ProtocolChain: WSAPROTOCOLCHAIN = attrs.field(
        factory=WSAPROTOCOLCHAIN, validator=attrs.validators.instance_of(WSAPROTOCOLCHAIN)
    )
    iVersion: int = _int("i")
    iAddressFamily: int = _int("i")
    iMaxSockAddr: int = _int("i")
    iMinSockAddr: int = _int("i")
    iSocketType: int = _int("i")
    iProtocol: int = _int("i")
    iProtocolMaxOffset: int = _int("i")
    iNetworkByteOrder: int = _int("i")
    iSecurityScheme: int = _int("i")
    dwMessageSize: int = _int("I")
    dwProviderReserved: int = _int("I")
    szProtocol: str = attrs.field(default="", validator=_str_validator)

    def pack(self) -> bytes:
        """The 628-byte WSAPROTOCOL_INFOW."""
        name = _wstr_pack(self.szProtocol, _WSAPROTOCOL_LEN + 1, "WSAPROTOCOL_INFOW.szProtocol")
        chain = self.ProtocolChain
        try:
            return _WSAPROTOCOL_INFOW.pack(
                self.dwServiceFlags1,
                self.dwServiceFlags2,
                self.dwServiceFlags3,
                self.dwServiceFlags4,
                self.dwProviderFlags,
                self.ProviderId,
                self.dwCatalogEntryId,
                chain.ChainLen,
                *chain.ChainEntries,
                self.iVersion,
                self.iAddressFamily,
                self.iMaxSockAddr,
                self.iMinSockAddr,
                self.iSocketType,
                self.iProtocol,
                self.iProtocolMaxOffset,
                self.iNetworkByteOrder,
                self.iSecurityScheme,
                self.dwMessageSize,
                self.dwProviderReserved,
                name,
            )
        except _PACK_ERRORS as e:
            raise _pack_error(self, e) from e

    @classmethod
    def unpack(cls, buf: Buffer) -> Self:
        """Read a WSAPROTOCOL_INFOW."""
        t = _WSAPROTOCOL_INFOW.unpack_from(_view(buf, "WSAPROTOCOL_INFOW.unpack", 628))
        chain = WSAPROTOCOLCHAIN(t[7], list(t[8:15]))
        return cls(
            t[0], t[1], t[2], t[3], t[4], t[5], t[6],
            chain,
            t[15], t[16], t[17], t[18], t[19], t[20], t[21], t[22], t[23], t[24], t[25],
            _wstr_unpack(t[26]),
        )  # fmt: skip


@attrs.define
class WSADATA(_Struct):
    """WSADATA, x64 layout (408 bytes): wVersion, wHighVersion, iMaxSockets,
    iMaxUdpDg, lpVendorInfo (a pointer, see the module docstring), then
    char szDescription[257] and char szSystemStatus[129] (str, Latin-1)."""

    SIZE: ClassVar[int] = 408

    wVersion: int = _int("H")
    wHighVersion: int = _int("H")
    iMaxSockets: int = _int("H")
    iMaxUdpDg: int = _int("H")
    lpVendorInfo: object = None
    szDescription: str = attrs.field(default="", validator=_str_validator)
    szSystemStatus: str = attrs.field(default="", validator=_str_validator)

    def pack(self) -> bytes:
        """The 408-byte WSADATA."""
        desc = _astr_pack(self.szDescription, _WSADESCRIPTION_LEN + 1, "WSADATA.szDescription")
        status = _astr_pack(self.szSystemStatus, _WSASYS_STATUS_LEN + 1, "WSADATA.szSystemStatus")
        try:
            return _WSADATA.pack(
                self.wVersion,
                self.wHighVersion,
                self.iMaxSockets,
                self.iMaxUdpDg,
                _ptr(self.lpVendorInfo),
                desc,
                status,
            )
        except _PACK_ERRORS as e:
            raise _pack_error(self, e) from e

    @classmethod
    def unpack(cls, buf: Buffer) -> Self:
        """Read a WSADATA."""
        t = _WSADATA.unpack_from(_view(buf, "WSADATA.unpack", 408))
        return cls(t[0], t[1], t[2], t[3], _unptr(t[4]), _astr_unpack(t[5]), _astr_unpack(t[6]))


@attrs.define
class WSPDATA(_Struct):
    """WSPDATA (516 bytes): wVersion, wHighVersion, WCHAR szDescription[256]."""

    SIZE: ClassVar[int] = 516

    wVersion: int = _int("H")
    wHighVersion: int = _int("H")
    szDescription: str = attrs.field(default="", validator=_str_validator)

    def pack(self) -> bytes:
        """The 516-byte WSPDATA."""
        desc = _wstr_pack(self.szDescription, _WSPDESCRIPTION_LEN + 1, "WSPDATA.szDescription")
        try:
            return _WSPDATA.pack(self.wVersion, self.wHighVersion, desc)
        except _PACK_ERRORS as e:
            raise _pack_error(self, e) from e

    @classmethod
    def unpack(cls, buf: Buffer) -> Self:
        """Read a WSPDATA."""
        t = _WSPDATA.unpack_from(_view(buf, "WSPDATA.unpack", 516))
        return cls(t[0], t[1], _wstr_unpack(t[2]))


@attrs.define
class WSATHREADID(_Struct):
    """WSATHREADID (16 bytes): HANDLE ThreadHandle (a handle, see the module
    docstring), DWORD_PTR Reserved."""

    SIZE: ClassVar[int] = 16

    ThreadHandle: object = None
    Reserved: int = _int("Q")

    def pack(self) -> bytes:
        """The 16-byte WSATHREADID."""
        try:
            return _WSATHREADID.pack(_ptr(self.ThreadHandle), self.Reserved)
        except _PACK_ERRORS as e:
            raise _pack_error(self, e) from e

    @classmethod
    def unpack(cls, buf: Buffer) -> Self:
        """Read a WSATHREADID."""
        handle, reserved = _WSATHREADID.unpack_from(_view(buf, "WSATHREADID.unpack", 16))
        return cls(_unptr(handle), reserved)


@attrs.define
class WSABUF(_Struct):
    """WSABUF (16 bytes): ULONG len, CHAR* buf. ``WSABUF(len, buf)``: buf is the
    bytes-like object itself (writable for receives) or None; pack() writes the
    pointer as 0, so unpack() gives buf None."""

    SIZE: ClassVar[int] = 16

    len: int = _int("I")
    buf: bytes | bytearray | memoryview | None = attrs.field(default=None, validator=_buf_validator)

    def pack(self) -> bytes:
        """The 16-byte WSABUF (buf pointer 0)."""
        try:
            return _WSABUF.pack(self.len, 0)
        except _PACK_ERRORS as e:
            raise _pack_error(self, e) from e

    @classmethod
    def unpack(cls, buf: Buffer) -> Self:
        """Read a WSABUF (its buf is None)."""
        length, _ = _WSABUF.unpack_from(_view(buf, "WSABUF.unpack", 16))
        return cls(length, None)


@attrs.define(eq=False)
class WSAOVERLAPPED(_Struct):
    """WSAOVERLAPPED (= OVERLAPPED, 32 bytes): ULONG_PTR Internal, InternalHigh;
    DWORD Offset, OffsetHigh; HANDLE hEvent. Compared and hashed by identity:
    the simulator keys pending requests by the object."""

    SIZE: ClassVar[int] = 32

    Internal: int = _int("Q")
    InternalHigh: int = _int("Q")
    Offset: int = _int("I")
    OffsetHigh: int = _int("I")
    hEvent: object = None

    def pack(self) -> bytes:
        """The 32-byte OVERLAPPED (hEvent as a handle, see the module docstring)."""
        try:
            return _WSAOVERLAPPED.pack(
                self.Internal, self.InternalHigh, self.Offset, self.OffsetHigh, _ptr(self.hEvent)
            )
        except _PACK_ERRORS as e:
            raise _pack_error(self, e) from e

    @classmethod
    def unpack(cls, buf: Buffer) -> Self:
        """Read an OVERLAPPED into a new object."""
        t = _WSAOVERLAPPED.unpack_from(_view(buf, "WSAOVERLAPPED.unpack", 32))
        return cls(t[0], t[1], t[2], t[3], _unptr(t[4]))


def _name_bytes(protocol: int, string_len: int) -> int:
    """Bytes of a counted UTF-16 name: the count is bytes for IPSEC2, else characters."""
    return string_len if protocol == _SOCKET_SECURITY_PROTOCOL_IPSEC2 else 2 * string_len


@attrs.define
class SOCKET_PEER_TARGET_NAME(_Struct):
    """SOCKET_PEER_TARGET_NAME: header of 144 bytes (sizeof), name from offset 140.

    PeerAddress is a packed sockaddr (bytes, or a sockaddr_in / sockaddr_in6 /
    SOCKADDR_STORAGE, stored as bytes without trailing zeros beyond the family's
    size), laid out as a SOCKADDR_STORAGE at offset 8. AllStrings is the name, a str
    written UTF-16LE from offset 140 without a NUL. PeerTargetNameStringLen None
    means "derived from AllStrings": its UTF-16 code units for
    SOCKET_SECURITY_PROTOCOL_DEFAULT / _IPSEC, its bytes for _IPSEC2."""

    SIZE: ClassVar[int] = 144

    SecurityProtocol: int = _int("i")
    PeerAddress: bytes = attrs.field(
        default=b"", converter=_conv_peer_address, validator=_peer_address_validator
    )
    PeerTargetNameStringLen: int | None = attrs.field(default=None, metadata={"c": "I"})
    AllStrings: str = attrs.field(default="", validator=_str_validator)

    def string_len(self) -> int:
        """PeerTargetNameStringLen, or the value derived from AllStrings if None."""
        if self.PeerTargetNameStringLen is not None:
            return self.PeerTargetNameStringLen
        units = len(self.AllStrings.encode("utf-16-le", "surrogatepass")) // 2
        if self.SecurityProtocol == _SOCKET_SECURITY_PROTOCOL_IPSEC2:
            return 2 * units
        return units

    def name_bytes(self) -> int:
        """Bytes of the name that the header declares (from PeerTargetNameStringLen)."""
        return _name_bytes(self.SecurityProtocol, self.string_len())

    def pack(self) -> bytes:
        """The header with AllStrings written from offset 140; at least 144 bytes,
        so sizeof (144) + the name's bytes always covers it."""
        try:
            name = self.AllStrings.encode("utf-16-le", "surrogatepass")
            data = (
                _PEER_TARGET_NAME_HDR.pack(
                    self.SecurityProtocol,
                    self.PeerAddress.ljust(_SS_MAXSIZE, b"\0"),
                    self.string_len(),
                )
                + name
            )
        except _PACK_ERRORS as e:
            raise _pack_error(self, e) from e
        return data.ljust(self.SIZE, b"\0")

    @classmethod
    def unpack(cls, buf: Buffer) -> Self:
        """Read the header and the name it declares (ValueError if buf is too short)."""
        v = _view(buf, "SOCKET_PEER_TARGET_NAME.unpack", 144)
        protocol, storage, string_len = _PEER_TARGET_NAME_HDR.unpack_from(v)
        end = _PEER_TARGET_NAME_STRINGS + _name_bytes(protocol, string_len)
        if len(v) < end:
            raise ValueError(
                f"SOCKET_PEER_TARGET_NAME.unpack: buf holds {len(v)} bytes, but the "
                f"declared name (PeerTargetNameStringLen={string_len}) needs {end}"
            )
        name = _utf16_decode(v[_PEER_TARGET_NAME_STRINGS:end])
        return cls(protocol, storage, string_len, name)


@attrs.define
class SOCKET_SECURITY_SETTINGS(_Struct):
    """SOCKET_SECURITY_SETTINGS (8 bytes): SecurityProtocol, SecurityFlags."""

    SIZE: ClassVar[int] = 8

    SecurityProtocol: int = _int("i")
    SecurityFlags: int = _int("I")

    def pack(self) -> bytes:
        """The 8-byte SOCKET_SECURITY_SETTINGS."""
        try:
            return _SOCKET_SECURITY_SETTINGS.pack(self.SecurityProtocol, self.SecurityFlags)
        except _PACK_ERRORS as e:
            raise _pack_error(self, e) from e

    @classmethod
    def unpack(cls, buf: Buffer) -> Self:
        """Read a SOCKET_SECURITY_SETTINGS."""
        v = _view(buf, "SOCKET_SECURITY_SETTINGS.unpack", 8)
        return cls(*_SOCKET_SECURITY_SETTINGS.unpack_from(v))


@attrs.define
class SOCKET_SECURITY_SETTINGS_IPSEC(_Struct):
    """SOCKET_SECURITY_SETTINGS_IPSEC: header of 88 bytes (sizeof), strings from
    offset 84. AllStrings is user name, domain name and password concatenated
    (a str, written UTF-16LE); the three *StringLen fields are byte counts, as the
    structure's documentation says. GUID fields as in WSAPROTOCOL_INFOW.ProviderId."""

    SIZE: ClassVar[int] = 88

    SecurityProtocol: int = _int("i")
    SecurityFlags: int = _int("I")
    IpsecFlags: int = _int("I")
    AuthipMMPolicyKey: bytes = attrs.field(
        default=bytes(16), converter=_conv_guid, validator=_fixed_bytes_validator(16)
    )
    AuthipQMPolicyKey: bytes = attrs.field(
        default=bytes(16), converter=_conv_guid, validator=_fixed_bytes_validator(16)
    )
    Reserved: bytes = attrs.field(
        default=bytes(16), converter=_conv_guid, validator=_fixed_bytes_validator(16)
    )
    Reserved2: int = _int("Q")
    UserNameStringLen: int = _int("I")
    DomainNameStringLen: int = _int("I")
    PasswordStringLen: int = _int("I")
    AllStrings: str = attrs.field(default="", validator=_str_validator)

    @classmethod
    def from_strings(
        cls, UserName: str = "", DomainName: str = "", Password: str = "", **fields: Any
    ) -> Self:
        """A structure whose AllStrings and *StringLen fields hold the three strings."""
        lens = [
            len(s.encode("utf-16-le", "surrogatepass")) for s in (UserName, DomainName, Password)
        ]
        return cls(
            UserNameStringLen=lens[0],
            DomainNameStringLen=lens[1],
            PasswordStringLen=lens[2],
            AllStrings=UserName + DomainName + Password,
            **fields,
        )

    def strings_bytes(self) -> int:
        """Bytes of strings that the header declares."""
        return self.UserNameStringLen + self.DomainNameStringLen + self.PasswordStringLen

    def strings(self) -> tuple[str, str, str]:
        """(UserName, DomainName, Password) split out of AllStrings by the byte counts."""
        raw = self.AllStrings.encode("utf-16-le", "surrogatepass")
        a = self.UserNameStringLen
        b = a + self.DomainNameStringLen
        c = b + self.PasswordStringLen
        return (_utf16_decode(raw[:a]), _utf16_decode(raw[a:b]), _utf16_decode(raw[b:c]))

    def pack(self) -> bytes:
        """The header with AllStrings written from offset 84; at least 88 bytes."""
        try:
            data = _SETTINGS_IPSEC_HDR.pack(
                self.SecurityProtocol,
                self.SecurityFlags,
                self.IpsecFlags,
                self.AuthipMMPolicyKey,
                self.AuthipQMPolicyKey,
                self.Reserved,
                self.Reserved2,
                self.UserNameStringLen,
                self.DomainNameStringLen,
                self.PasswordStringLen,
            ) + self.AllStrings.encode("utf-16-le", "surrogatepass")
        except _PACK_ERRORS as e:
            raise _pack_error(self, e) from e
        return data.ljust(self.SIZE, b"\0")

    @classmethod
    def unpack(cls, buf: Buffer) -> Self:
        """Read the header and the strings it declares (ValueError if buf is too short)."""
        v = _view(buf, "SOCKET_SECURITY_SETTINGS_IPSEC.unpack", 88)
        t = _SETTINGS_IPSEC_HDR.unpack_from(v)
        end = _SETTINGS_IPSEC_STRINGS + t[7] + t[8] + t[9]
        if len(v) < end:
            raise ValueError(
                f"SOCKET_SECURITY_SETTINGS_IPSEC.unpack: buf holds {len(v)} bytes, but the "
                f"declared strings need {end}"
            )
        return cls(
            t[0], t[1], t[2], t[3], t[4], t[5], t[6], t[7], t[8], t[9],
            _utf16_decode(v[_SETTINGS_IPSEC_STRINGS:end]),
        )  # fmt: skip


@attrs.define
class SOCKET_SECURITY_QUERY_TEMPLATE(_Struct):
    """SOCKET_SECURITY_QUERY_TEMPLATE (144 bytes): SecurityProtocol, PeerAddress
    (a SOCKADDR_STORAGE at offset 8, given as in SOCKET_PEER_TARGET_NAME),
    PeerTokenAccessMask."""

    SIZE: ClassVar[int] = 144

    SecurityProtocol: int = _int("i")
    PeerAddress: bytes = attrs.field(
        default=b"", converter=_conv_peer_address, validator=_peer_address_validator
    )
    PeerTokenAccessMask: int = _int("I")

    def pack(self) -> bytes:
        """The 144-byte SOCKET_SECURITY_QUERY_TEMPLATE."""
        try:
            return _QUERY_TEMPLATE.pack(
                self.SecurityProtocol,
                self.PeerAddress.ljust(_SS_MAXSIZE, b"\0"),
                self.PeerTokenAccessMask,
            )
        except _PACK_ERRORS as e:
            raise _pack_error(self, e) from e

    @classmethod
    def unpack(cls, buf: Buffer) -> Self:
        """Read a SOCKET_SECURITY_QUERY_TEMPLATE."""
        v = _view(buf, "SOCKET_SECURITY_QUERY_TEMPLATE.unpack", 144)
        return cls(*_QUERY_TEMPLATE.unpack_from(v))


@attrs.define
class SOCKET_SECURITY_QUERY_INFO(_Struct):
    """SOCKET_SECURITY_QUERY_INFO (24 bytes): SecurityProtocol, Flags and the two
    UINT64 token handles."""

    SIZE: ClassVar[int] = 24

    SecurityProtocol: int = _int("i")
    Flags: int = _int("I")
    PeerApplicationAccessTokenHandle: int = _int("Q")
    PeerMachineAccessTokenHandle: int = _int("Q")

    def pack(self) -> bytes:
        """The 24-byte SOCKET_SECURITY_QUERY_INFO."""
        try:
            return _QUERY_INFO.pack(
                self.SecurityProtocol,
                self.Flags,
                self.PeerApplicationAccessTokenHandle,
                self.PeerMachineAccessTokenHandle,
            )
        except _PACK_ERRORS as e:
            raise _pack_error(self, e) from e

    @classmethod
    def unpack(cls, buf: Buffer) -> Self:
        """Read a SOCKET_SECURITY_QUERY_INFO."""
        v = _view(buf, "SOCKET_SECURITY_QUERY_INFO.unpack", 24)
        return cls(*_QUERY_INFO.unpack_from(v))


@attrs.define
class WSAPOLLFD(_Struct):
    """WSAPOLLFD (16 bytes): SOCKET fd; SHORT events; SHORT revents; 4 bytes of
    padding. ``fd`` is a socket handle; a negative value (C's ``fd = -1``) packs
    as the 64-bit SOCKET it converts to, so -1 is INVALID_SOCKET."""

    SIZE: ClassVar[int] = 16

    fd: int = _int("Q")
    events: int = _int("h")
    revents: int = _int("h")

    def pack(self) -> bytes:
        """The 16-byte WSAPOLLFD."""
        fd = self.fd
        try:
            if isinstance(fd, int) and not isinstance(fd, bool) and -(1 << 63) <= fd < 0:
                fd &= _MASK64  # C converts a negative int to the unsigned SOCKET
            return _WSAPOLLFD.pack(fd, self.events, self.revents)
        except _PACK_ERRORS as e:
            raise _pack_error(self, e) from e

    @classmethod
    def unpack(cls, buf: Buffer) -> Self:
        """Read a WSAPOLLFD."""
        return cls(*_WSAPOLLFD.unpack_from(_view(buf, "WSAPOLLFD.unpack", 16)))


# ---------------------------------------------------------------------------
# Module functions


def sizeof(x: type[_Struct] | _Struct) -> int:
    """Windows x64 sizeof of a structure class or instance (SOCKET_PEER_TARGET_NAME
    is always 144, whatever its name)."""
    if isinstance(x, _Struct) or (
        isinstance(x, type) and issubclass(x, _Struct) and x is not _Struct
    ):
        return x.SIZE
    raise TypeError(f"sizeof: x must be a wsspi_sim structure or structure class, not {x!r}")


def sockaddr_family(buf: Buffer) -> int:
    """The address family of packed sockaddr bytes (first 2 bytes LE); 0 if shorter."""
    v = _view(buf, "sockaddr_family", 0)
    if len(v) < 2:
        return 0
    family: int = _U16.unpack_from(v)[0]
    return family


def sockaddr(ip: str, port: int, *, flowinfo: int = 0, scope_id: int = 0) -> bytes:
    """Packed SOCKADDR_IN (16 bytes) for an IPv4 text address, SOCKADDR_IN6 (28
    bytes, family AF_INET6 = 23) for an IPv6 one. An IPv6 zone "%N" is taken as
    the scope id."""
    if isinstance(ip, (ipaddress.IPv4Address, ipaddress.IPv6Address)):
        ip = str(ip)
    if not isinstance(ip, str):
        raise TypeError(f"sockaddr: ip must be a str, not {_type_name(ip)}")
    for name, value, hi in (
        ("port", port, 0xFFFF),
        ("flowinfo", flowinfo, 0xFFFFFFFF),
        ("scope_id", scope_id, 0xFFFFFFFF),
    ):
        if not isinstance(value, int) or isinstance(value, bool):
            raise TypeError(f"sockaddr: {name} must be an int, not {_type_name(value)}")
        if not 0 <= value <= hi:
            raise ValueError(f"sockaddr: {name} must be in 0..{hi}, got {value}")
    try:
        family, packed, zone = _ip_parse(ip)
    except ValueError:
        raise ValueError(f"sockaddr: ip is not an IPv4 or IPv6 address: {ip!r}") from None
    if family == AF_INET:
        if flowinfo or scope_id:
            raise ValueError("sockaddr: flowinfo and scope_id apply to IPv6 addresses only")
        return _SOCKADDR_IN.pack(AF_INET, port.to_bytes(2, "big"), packed, bytes(8))
    if zone is not None:
        if not zone.isdigit() or int(zone) > 0xFFFFFFFF:
            raise ValueError(f"sockaddr: ip has a zone that is not a scope id number: {ip!r}")
        if scope_id and scope_id != int(zone):
            raise ValueError(f"sockaddr: ip's zone {zone} differs from scope_id {scope_id}")
        scope_id = int(zone)
    return _SOCKADDR_IN6.pack(
        AF_INET6, port.to_bytes(2, "big"), flowinfo.to_bytes(4, "big"), packed, scope_id
    )


def parse_sockaddr(buf: Buffer) -> tuple[int, str, int]:
    """(family, ip text, port) of a packed SOCKADDR_IN / SOCKADDR_IN6 (or a
    SOCKADDR_STORAGE holding one)."""
    v = _view(buf, "parse_sockaddr", 2)
    family = _U16.unpack_from(v)[0]
    if family == AF_INET:
        if len(v) < 16:
            raise ValueError(f"parse_sockaddr: buf holds {len(v)} bytes, an AF_INET sockaddr 16")
        _, port, addr, _ = _SOCKADDR_IN.unpack_from(v)
        return AF_INET, _ipv4_from_packed(addr), int.from_bytes(port, "big")
    if family == AF_INET6:
        if len(v) < 28:
            raise ValueError(f"parse_sockaddr: buf holds {len(v)} bytes, an AF_INET6 sockaddr 28")
        _, port, _, addr, _ = _SOCKADDR_IN6.unpack_from(v)
        return AF_INET6, _ipv6_from_packed(addr), int.from_bytes(port, "big")
    raise ValueError(f"parse_sockaddr: buf holds address family {family}, not AF_INET or AF_INET6")


def fill(dst: _S, src: _S) -> None:
    """Copy every field of ``src`` into ``dst`` (same class), as C fills an output
    structure in place. Lists and nested structures are copied, not shared."""
    if not isinstance(src, _Struct) or type(dst) is not type(src):
        raise TypeError(
            f"fill: dst and src must be the same structure class, not "
            f"{_type_name(dst)} and {_type_name(src)}"
        )
    for a in type(src).__attrs_attrs__:
        value = getattr(src, a.name)
        if isinstance(value, list):
            value = list(value)
        elif isinstance(value, _Struct):
            copy = type(value)()
            fill(copy, value)
            value = copy
        setattr(dst, a.name, value)


def as_bytes(obj_or_buf: object, *, param: str) -> bytes:
    """The bytes of a structure (its pack()) or of a bytes-like object; TypeError
    naming ``param`` for anything else (a str included)."""
    if isinstance(obj_or_buf, _Struct):
        return obj_or_buf.pack()
    if isinstance(obj_or_buf, bytes):
        return obj_or_buf
    if isinstance(obj_or_buf, (bytearray, memoryview)):
        return bytes(obj_or_buf)
    if _bytes_like(obj_or_buf):
        return memoryview(obj_or_buf).tobytes()  # type: ignore[arg-type]
    raise TypeError(
        f"{param} must be a structure or a bytes-like object, not {_type_name(obj_or_buf)}"
    )
