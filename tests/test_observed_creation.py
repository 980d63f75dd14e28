"""WINDOWS-OBSERVED section 1: socket() / WSASocketW argument validation
(W1, W2, W4, W5, W7, W8, W9), through ``api.WSASocketW`` and ``api.socket``,
in both profiles (the documents are silent on these orders; Windows' answers
hold in both, except W8's setsockopt(SO_TYPE) on UDP, a Policy field)."""

from __future__ import annotations

import ctypes
from typing import Any

import pytest
from sockapi_helpers import PROFILES, bind, err, sockname, world

import wsspi_sim as ws

DEAD = 0xDEAD
INVALID = ws.INVALID_SOCKET


@pytest.fixture(params=PROFILES)
def api(request: pytest.FixtureRequest) -> Any:
    return world(request.param)[2]


def create_fails(api: Any, af: int, type_: int, protocol: int, expected: int) -> None:
    """Both WSASocketW and socket() fail with ``expected``, returning INVALID_SOCKET."""
    api.WSASetLastError(0)
    assert api.WSASocketW(af, type_, protocol, None, 0, 0) == INVALID
    assert err(api) == expected, (af, type_, protocol, ws.ErrorCode(err(api)))
    api.WSASetLastError(0)
    assert api.socket(af, type_, protocol) == INVALID
    assert err(api) == expected, (af, type_, protocol, ws.ErrorCode(err(api)))


def family_of(api: Any, s: int) -> int:
    """The address family the socket reports through SO_PROTOCOL_INFOW."""
    buf = bytearray(ws.sizeof(ws.WSAPROTOCOL_INFOW))
    n = ctypes.c_int(len(buf))
    assert api.getsockopt(s, ws.SOL_SOCKET, ws.SO_PROTOCOL_INFOW, buf, n) == 0, err(api)
    return int(ws.WSAPROTOCOL_INFOW.unpack(buf).iAddressFamily)


def so_type(api: Any, s: int) -> int:
    buf = bytearray(4)
    n = ctypes.c_int(4)
    assert api.getsockopt(s, ws.SOL_SOCKET, ws.SO_TYPE, buf, n) == 0, err(api)
    return int.from_bytes(buf, "little")


# -- W1 ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "af, protocol", [(DEAD, ws.IPPROTO_TCP), (-1, ws.IPPROTO_TCP), (DEAD, ws.IPPROTO_UDP)]
)
def test_w1_bad_family_is_eafnosupport(api: Any, af: int, protocol: int) -> None:
    """W1: WSASocket(af = 0xdead or -1, SOCK_STREAM, IPPROTO_TCP) and (0xdead,
    SOCK_STREAM, IPPROTO_UDP) give INVALID_SOCKET with WSAEAFNOSUPPORT."""
    create_fails(api, af, ws.SOCK_STREAM, protocol, ws.WSAEAFNOSUPPORT)


# -- W2 ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "type_, protocol", [(DEAD, ws.IPPROTO_TCP), (-1, ws.IPPROTO_TCP), (DEAD, 0)]
)
def test_w2_bad_type_is_esocktnosupport(api: Any, type_: int, protocol: int) -> None:
    """W2: WSASocket(AF_INET, type 0xdead or -1, IPPROTO_TCP) and (AF_INET, 0xdead,
    0) give INVALID_SOCKET with WSAESOCKTNOSUPPORT."""
    create_fails(api, ws.AF_INET, type_, protocol, ws.WSAESOCKTNOSUPPORT)


# -- W4 ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "af, type_, protocol, expected",
    [
        (DEAD, DEAD, ws.IPPROTO_TCP, ws.WSAESOCKTNOSUPPORT),
        (DEAD, ws.SOCK_STREAM, DEAD, ws.WSAEAFNOSUPPORT),
        (ws.AF_INET, DEAD, DEAD, ws.WSAESOCKTNOSUPPORT),
    ],
)
def test_w4_type_before_family_before_protocol(
    api: Any, af: int, type_: int, protocol: int, expected: int
) -> None:
    """W4: "type is checked before family, family before protocol":
    (0xdead, 0xdead, TCP) -> WSAESOCKTNOSUPPORT; (0xdead, SOCK_STREAM, 0xdead) ->
    WSAEAFNOSUPPORT; (AF_INET, 0xdead, 0xdead) -> WSAESOCKTNOSUPPORT."""
    create_fails(api, af, type_, protocol, expected)


# -- W5 ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "type_, protocol", [(ws.SOCK_STREAM, ws.IPPROTO_UDP), (ws.SOCK_DGRAM, ws.IPPROTO_TCP)]
)
def test_w5_type_protocol_mismatch_is_eprotonosupport(api: Any, type_: int, protocol: int) -> None:
    """W5: (AF_INET, SOCK_STREAM, IPPROTO_UDP) and (AF_INET, SOCK_DGRAM,
    IPPROTO_TCP) give WSAEPROTONOSUPPORT, not WSAEPROTOTYPE, on Windows; the
    documented answer is WSAEPROTOTYPE ("the protocol is the wrong type for the
    socket", SPI-FACTS 3.6 WSPSocket).  Policy.protocol_type_mismatch_error."""
    if api.policy.name == "windows":
        create_fails(api, ws.AF_INET, type_, protocol, ws.WSAEPROTONOSUPPORT)
        assert err(api) != ws.WSAEPROTOTYPE
    else:
        create_fails(api, ws.AF_INET, type_, protocol, ws.WSAEPROTOTYPE)


# -- W7 ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "type_, protocol, expected_type",
    [
        (ws.SOCK_STREAM, ws.IPPROTO_TCP, ws.SOCK_STREAM),
        (0, ws.IPPROTO_TCP, ws.SOCK_STREAM),
        (0, ws.IPPROTO_UDP, ws.SOCK_DGRAM),
    ],
)
def test_w7_unspec_with_protocol_succeeds_as_inet(
    api: Any, type_: int, protocol: int, expected_type: int
) -> None:
    """W7: (AF_UNSPEC, SOCK_STREAM, TCP) and (AF_UNSPEC, 0, TCP/UDP) succeed, the
    reported family being AF_INET; a successful WSASocket sets the last error to 0
    (DESIGN 2)."""
    api.WSASetLastError(12345)
    s = api.WSASocketW(ws.AF_UNSPEC, type_, protocol, None, 0, ws.WSA_FLAG_OVERLAPPED)
    assert s != INVALID, err(api)
    assert err(api) == 0
    assert family_of(api, s) == ws.AF_INET
    assert so_type(api, s) == expected_type
    # Binding an IPv4 address works and getsockname reports AF_INET.
    assert bind(api, s, "127.0.0.1", 0) == 0, err(api)
    assert sockname(api, s)[0] == ws.AF_INET


@pytest.mark.parametrize(
    "type_, protocol, expected",
    [
        (ws.SOCK_STREAM, 0, ws.WSAEINVAL),
        (ws.SOCK_DGRAM, 0, ws.WSAEINVAL),
        (DEAD, 0, ws.WSAEINVAL),  # a bad type with protocol 0: EINVAL, not ESOCKTNOSUPPORT
        (0, 0, ws.WSAEINVAL),
        (ws.SOCK_STREAM, DEAD, ws.WSAEPROTONOSUPPORT),
        (0, DEAD, ws.WSAEPROTONOSUPPORT),
        (DEAD, ws.IPPROTO_UDP, ws.WSAESOCKTNOSUPPORT),
    ],
)
def test_w7_unspec_failures(api: Any, type_: int, protocol: int, expected: int) -> None:
    """W7: (AF_UNSPEC, STREAM, 0), (AF_UNSPEC, DGRAM, 0), (AF_UNSPEC, 0xdead, 0),
    (AF_UNSPEC, 0, 0) -> WSAEINVAL; (AF_UNSPEC, STREAM, 0xdead) and (AF_UNSPEC, 0,
    0xdead) -> WSAEPROTONOSUPPORT; (AF_UNSPEC, 0xdead, UDP) -> WSAESOCKTNOSUPPORT."""
    create_fails(api, ws.AF_UNSPEC, type_, protocol, expected)


# -- W8 ----------------------------------------------------------------------------------


def test_w8_info_all_minus_one_is_eafnosupport(api: Any) -> None:
    """W8: "Info with family/type/protocol all -1, call (0, 0, IPPROTO_UDP, &info)
    -> WSAEAFNOSUPPORT"."""
    info = ws.WSAPROTOCOL_INFOW(iAddressFamily=-1, iSocketType=-1, iProtocol=-1)
    api.WSASetLastError(0)
    assert api.WSASocketW(0, 0, ws.IPPROTO_UDP, info, 0, 0) == INVALID
    assert err(api) == ws.WSAEAFNOSUPPORT
    # The packed form of the same info behaves the same (DESIGN 2: structure or bytes).
    api.WSASetLastError(0)
    assert api.WSASocketW(0, 0, ws.IPPROTO_UDP, info.pack(), 0, 0) == INVALID
    assert err(api) == ws.WSAEAFNOSUPPORT


def udp_info() -> ws.WSAPROTOCOL_INFOW:
    return ws.WSAPROTOCOL_INFOW(
        iAddressFamily=ws.AF_INET, iSocketType=ws.SOCK_DGRAM, iProtocol=ws.IPPROTO_UDP
    )


def test_w8_zero_arguments_come_from_info(api: Any) -> None:
    """W8: "Zero arguments are filled from the supplied protocol info": info
    AF_INET/DGRAM/UDP with (0, 0, 0, &info) gives a UDP socket (SO_TYPE = SOCK_DGRAM)."""
    s = api.WSASocketW(0, 0, 0, udp_info(), 0, 0)
    assert s != INVALID, err(api)
    assert so_type(api, s) == ws.SOCK_DGRAM
    assert family_of(api, s) == ws.AF_INET


def test_w8_nonzero_arguments_win_over_info(api: Any) -> None:
    """W8: "non-zero arguments win": the UDP info with (AF_INET, STREAM, TCP, &info)
    gives a TCP socket."""
    s = api.WSASocketW(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP, udp_info(), 0, 0)
    assert s != INVALID, err(api)
    assert so_type(api, s) == ws.SOCK_STREAM


def test_w8_partial_zero_arguments_mix_with_info(api: Any) -> None:
    """W8: zero arguments only are taken from the info: (AF_INET, 0, 0, UDP info)
    is UDP; (0, SOCK_STREAM, IPPROTO_TCP, UDP info) is TCP (family from the info)."""
    s = api.WSASocketW(ws.AF_INET, 0, 0, udp_info(), 0, 0)
    assert s != INVALID and so_type(api, s) == ws.SOCK_DGRAM
    t = api.WSASocketW(0, ws.SOCK_STREAM, ws.IPPROTO_TCP, udp_info(), 0, 0)
    assert t != INVALID and so_type(api, t) == ws.SOCK_STREAM
    assert family_of(api, t) == ws.AF_INET


def test_w8_setsockopt_so_type_always_fails(api: Any) -> None:
    """W8: "setsockopt(SO_TYPE) always fails: WSAENOPROTOOPT on the TCP socket; on
    the UDP one Windows gives WSAEINVAL" -- Policy.set_so_type_dgram_error (the
    documented profile keeps WSAENOPROTOOPT: SO_TYPE is get-only, SPI-FACTS 3.6)."""
    policy = ws.PROFILES[api.sim.profile]
    tcp_s = api.WSASocketW(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP, udp_info(), 0, 0)
    udp_s = api.WSASocketW(0, 0, 0, udp_info(), 0, 0)
    value = (ws.SOCK_DGRAM).to_bytes(4, "little")
    assert api.setsockopt(tcp_s, ws.SOL_SOCKET, ws.SO_TYPE, value, 4) == ws.SOCKET_ERROR
    assert err(api) == ws.WSAENOPROTOOPT
    assert api.setsockopt(udp_s, ws.SOL_SOCKET, ws.SO_TYPE, value, 4) == ws.SOCKET_ERROR
    assert err(api) == policy.set_so_type_dgram_error
    expected = ws.WSAEINVAL if api.sim.profile == "windows" else ws.WSAENOPROTOOPT
    assert err(api) == expected
    # The type did not change.
    assert so_type(api, tcp_s) == ws.SOCK_STREAM
    assert so_type(api, udp_s) == ws.SOCK_DGRAM


# -- W9 ----------------------------------------------------------------------------------


def test_w9_unprivileged_raw_icmp_is_eacces(api: Any) -> None:
    """W9: "Unprivileged (AF_INET, SOCK_RAW, IPPROTO_ICMP) -> WSAEACCES at creation
    time"."""
    create_fails(api, ws.AF_INET, ws.SOCK_RAW, ws.IPPROTO_ICMP, ws.WSAEACCES)


@pytest.mark.parametrize(
    "af, type_, protocol, expected",
    [
        (ws.AF_IPX, ws.SOCK_DGRAM, 0, ws.WSAEAFNOSUPPORT),
        (ws.AF_BTH, ws.SOCK_STREAM, 0, ws.WSAEAFNOSUPPORT),
        (ws.AF_BTH, ws.SOCK_DGRAM, ws.BTHPROTO_RFCOMM, ws.WSAEAFNOSUPPORT),
        (ws.AF_IPX, ws.SOCK_STREAM, ws.NSPROTO_IPX, ws.WSAEPROTONOSUPPORT),
    ],
)
def test_w9_unavailable_families(api: Any, af: int, type_: int, protocol: int, expected: int) -> None:
    """W9: "Unavailable families AF_IPX / AF_BTH -> WSAEAFNOSUPPORT; (AF_BTH,
    SOCK_DGRAM, RFCOMM) -> WSAEAFNOSUPPORT; (AF_IPX, SOCK_STREAM, NSPROTO_IPX) ->
    WSAEPROTONOSUPPORT"."""
    create_fails(api, af, type_, protocol, expected)


@pytest.mark.parametrize("profile", PROFILES)
def test_w9_before_startup_is_notinitialised(profile: str) -> None:
    """W9: "Before WSAStartup: WSASocketA(0,0,0) -> WSANOTINITIALISED (10093)"."""
    sim = ws.Simulator(profile=profile)
    api = sim.add_host("10.0.0.1").ws2
    assert api.WSASocketW(0, 0, 0, None, 0, 0) == INVALID
    assert err(api) == ws.WSANOTINITIALISED
    assert api.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP) == INVALID
    assert err(api) == ws.WSANOTINITIALISED


@pytest.mark.parametrize("profile", PROFILES)
def test_w9_last_cleanup_destroys_every_socket_including_duplicates(profile: str) -> None:
    """W9: "After the last WSACleanup every socket (including WSADuplicateSocket
    copies) is destroyed: after a fresh WSAStartup, send/getsockname on the old
    handles -> WSAENOTSOCK"."""
    sim, host, api = world(profile)
    s = api.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP)
    assert bind(api, s, "127.0.0.1", 0) == 0
    port = sockname(api, s)[2]
    info = ws.WSAPROTOCOL_INFOW()
    assert api.WSADuplicateSocketW(s, api.GetCurrentProcessId(), info) == 0, err(api)
    dup = api.WSASocketW(
        ws.FROM_PROTOCOL_INFO, ws.FROM_PROTOCOL_INFO, ws.FROM_PROTOCOL_INFO, info, 0, 0
    )
    assert dup != INVALID and dup != s, err(api)
    # A second startup: only the *last* cleanup destroys the sockets.
    assert api.WSAStartup(0x0202, ws.WSADATA()) == 0
    assert api.WSACleanup() == 0
    assert sockname(api, dup)[0] == ws.AF_INET
    assert api.WSACleanup() == 0
    assert api.WSAStartup(0x0202, ws.WSADATA()) == 0
    target = ws.sockaddr("127.0.0.1", 9)
    for h in (s, dup):
        assert api.sendto(h, b"x", 1, 0, target, len(target)) == ws.SOCKET_ERROR
        assert err(api) == ws.WSAENOTSOCK
        assert api.send(h, b"x", 1, 0) == ws.SOCKET_ERROR
        assert err(api) == ws.WSAENOTSOCK
        buf = bytearray(28)
        assert api.getsockname(h, buf, ctypes.c_int(28)) == ws.SOCKET_ERROR
        assert err(api) == ws.WSAENOTSOCK
    # The port the old sockets held is free again: they are really gone.
    t = api.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP)
    assert t != INVALID and t not in (s, dup)
    assert bind(api, t, "127.0.0.1", port) == 0, err(api)


@pytest.mark.parametrize("profile", PROFILES)
def test_w9_surplus_cleanup_is_notinitialised(profile: str) -> None:
    """W9: "A surplus WSACleanup -> SOCKET_ERROR + WSANOTINITIALISED"."""
    sim, host, api = world(profile)
    assert api.WSACleanup() == 0
    assert api.WSACleanup() == ws.SOCKET_ERROR
    assert err(api) == ws.WSANOTINITIALISED


def test_successful_creation_clears_last_error_and_gives_distinct_handles(api: Any) -> None:
    """DESIGN 2: "A successful WSASocket / socket sets the last error to 0"; handles
    are ints, never 0 and never INVALID_SOCKET."""
    seen = set()
    for af in (ws.AF_INET, ws.AF_INET6):
        for type_, proto in ((ws.SOCK_STREAM, ws.IPPROTO_TCP), (ws.SOCK_DGRAM, ws.IPPROTO_UDP), (0, ws.IPPROTO_TCP)):
            api.WSASetLastError(ws.WSAEINVAL)
            h = api.socket(af, type_, proto)
            assert isinstance(h, int) and h not in (0, INVALID), err(api)
            assert err(api) == 0
            assert family_of(api, h) == af
            seen.add(h)
    assert len(seen) == 6


def test_python_misuse_is_typeerror(api: Any) -> None:
    """DESIGN 2: misuse C would not compile (a str where an int belongs) raises a
    TypeError naming the parameter."""
    with pytest.raises(TypeError, match="af"):
        api.WSASocketW("inet", ws.SOCK_STREAM, 0, None, 0, 0)
    with pytest.raises(TypeError, match="lpProtocolInfo"):
        api.WSASocketW(0, 0, 0, "info", 0, 0)
    # A short packed WSAPROTOCOL_INFOW is Windows' WSAEFAULT, not an exception.
    assert api.WSASocketW(0, 0, 0, bytes(10), 0, 0) == INVALID
    assert err(api) == ws.WSAEFAULT
