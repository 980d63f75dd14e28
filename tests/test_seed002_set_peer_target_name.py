"""Seed 002 (WSASetSocketPeerTargetName), sentence by sentence, through the
wrapper and through WSAIoctl(SIO_SET_PEER_TARGET_NAME), for TCP and UDP, IPv4
and IPv6.  Error order and every choice: docs/design-choices.md, "Secure
socket extensions"."""

from __future__ import annotations

import ctypes

import pytest
import securekit as k

import wsspi_sim as ws

FAMS = k.FAMILIES
KINDS = (ws.SOCK_STREAM, ws.SOCK_DGRAM)


@pytest.mark.parametrize("via", k.VIAS)
@pytest.mark.parametrize("family", FAMS)
def test_specifies_the_name_for_a_peer_ip_address(family: int, via: str) -> None:
    """Seed 002: "The WSASetSocketPeerTargetName function is used to specify the
    peer target name (SPN) that corresponds to a peer IP address." """
    w = k.world()
    s = k.sock(w.cli, family, ws.SOCK_DGRAM)
    obj = k.ptn(k.SERVER_PRINCIPAL, k.addr(family))
    assert k.set_name(w.cli, s, obj, via=via) == (0, 0)
    assert w.cli.peer_target_names(s) == {(k.SERVER_IP[family], k.PORT): k.SERVER_PRINCIPAL}


@pytest.mark.parametrize("family", FAMS)
def test_the_name_identifies_the_peer_that_is_authenticated(family: int) -> None:
    """Seed 002: "This target name is meant to be specified by client applications
    to securely identify the peer that should be authenticated."  A secured
    client naming its server connects, and the peer it authenticated (the one it
    can impersonate) is that server's principal."""
    w = k.world()
    k.listener(w.srv, family, k.SERVER_IP[family])
    s = k.sock(w.cli, family, ws.SOCK_STREAM)
    assert k.set_security(w.cli, s) == (0, 0)
    assert k.set_name(w.cli, s, k.ptn(k.SERVER_PRINCIPAL)) == (0, 0)
    assert k.connect(w.cli, s, family) == (0, 0)
    rc, e, info, _ = k.query(w.cli, s)
    assert (rc, e) == (0, 0) and info.Flags & ws.SOCKET_INFO_CONNECTION_SECURED
    assert w.cli.WSAImpersonateSocketPeer(s, None, 0) == 0
    assert w.cli.impersonated_principal() == k.SERVER_PRINCIPAL


@pytest.mark.parametrize("via", k.VIAS)
@pytest.mark.parametrize("kind", KINDS)
def test_socket_must_be_a_valid_descriptor(kind: int, via: str) -> None:
    """Seed 002: "[in] Socket: A descriptor identifying a socket on which the peer
    target name is being assigned." and "WSAENOTSOCK: The descriptor passed in the
    Socket parameter is not a valid socket." (a closed handle, a never-valid one)."""
    w = k.world()
    s = k.sock(w.cli, ws.AF_INET, kind)
    assert w.cli.closesocket(s) == 0
    obj = k.ptn("host/x", k.addr(ws.AF_INET))
    assert k.set_name(w.cli, s, obj, via=via) == (ws.SOCKET_ERROR, ws.WSAENOTSOCK)
    assert k.set_name(w.cli, 0xDEAD0, obj, via=via) == (ws.SOCKET_ERROR, ws.WSAENOTSOCK)


@pytest.mark.parametrize("via", k.VIAS)
@pytest.mark.parametrize("name", ["host/db1.example.test", "HOST/Ünïcödé-сервер", "host/\U0001f512.test", ""])
def test_peer_target_name_structure_utf16(name: str, via: str) -> None:
    """Seed 002: "[in] PeerTargetName: A pointer to a SOCKET_PEER_TARGET_NAME
    structure that defines the peer target name." -- the name is UTF-16 (DESIGN 2),
    the structure object and its packed bytes are the same thing."""
    w = k.world()
    s = k.sock(w.cli, ws.AF_INET6, ws.SOCK_DGRAM)
    obj = k.ptn(name, k.addr(ws.AF_INET6))
    assert k.set_name(w.cli, s, obj, via=via) == (0, 0)
    assert w.cli.peer_target_names(s) == {(k.SERVER_IP[ws.AF_INET6], k.PORT): name}


@pytest.mark.parametrize("via", k.VIAS)
def test_ipsec2_string_length_counts_bytes(via: str) -> None:
    """SPI-FACTS 2.3 / DESIGN 2: "PeerTargetNameStringLen counts characters for
    SOCKET_SECURITY_PROTOCOL_DEFAULT and _IPSEC (bytes for _IPSEC2)"."""
    w = k.world()
    s = k.sock(w.cli, ws.AF_INET, ws.SOCK_DGRAM)
    obj = k.ptn("host/two", k.addr(ws.AF_INET), protocol=ws.SOCKET_SECURITY_PROTOCOL_IPSEC2)
    assert obj.string_len() == 16
    assert k.set_name(w.cli, s, obj, via=via) == (0, 0)
    assert w.cli.peer_target_names(s) == {(k.SERVER_IP[ws.AF_INET], k.PORT): "host/two"}
    # the same count read as characters (protocol IPSEC) declares twice the bytes
    lying = k.ptn("host/two", k.addr(ws.AF_INET), PeerTargetNameStringLen=16)
    assert k.set_name(w.cli, s, lying, 144 + 16, via=via) == (ws.SOCKET_ERROR, ws.WSAEMSGSIZE)


@pytest.mark.parametrize("via", k.VIAS)
@pytest.mark.parametrize("kind", KINDS)
def test_length_is_size_in_bytes_and_too_small_is_wsaemsgsize(kind: int, via: str) -> None:
    """Seed 002: "[in] PeerTargetNameLen: The size, in bytes, of the PeerTargetName
    parameter." and "WSAEMSGSIZE: A buffer passed was too small." -- sizeof (144)
    + the name's bytes is enough; less than the header, or than the header and
    the declared name, is WSAEMSGSIZE and stores nothing."""
    w = k.world()
    s = k.sock(w.cli, ws.AF_INET, kind)
    obj = k.ptn("host/a-rather-long-name.example.test", k.addr(ws.AF_INET))
    full = k.ptn_len(obj)
    for short in (0, 1, 143, full - 5):
        assert k.set_name(w.cli, s, obj, short, via=via) == (ws.SOCKET_ERROR, ws.WSAEMSGSIZE), short
    assert w.cli.peer_target_names(s) == {}
    assert k.set_name(w.cli, s, obj, full, via=via) == (0, 0)
    assert len(w.cli.peer_target_names(s)) == 1


@pytest.mark.parametrize("via", k.VIAS)
def test_null_peer_target_name_is_wsaefault(via: str) -> None:
    """Seed 002: "WSAEFAULT: ... This error is returned if the PeerTargetName
    parameter was a NULL pointer." """
    w = k.world()
    for kind in KINDS:
        s = k.sock(w.cli, ws.AF_INET, kind)
        assert k.set_name(w.cli, s, None, 160, via=via) == (ws.SOCKET_ERROR, ws.WSAEFAULT)


@pytest.mark.parametrize("via", k.VIAS)
@pytest.mark.parametrize("family", FAMS)
def test_unsupported_peer_address_family_is_wsaeafnosupport(family: int, via: str) -> None:
    """Seed 002: "WSAEAFNOSUPPORT: The specified address family is not supported."
    -- a PeerAddress of a family the socket does not use (AF_IPX, or the other IP
    family), on UDP and on TCP."""
    w = k.world()
    wrong = k.addr(ws.AF_INET6 if family == ws.AF_INET else ws.AF_INET)
    ipx = bytes([ws.AF_IPX, 0]) + bytes(range(1, 15))
    for kind in KINDS:
        s = k.sock(w.cli, family, kind)
        for peer in (wrong, ipx):
            assert k.set_name(w.cli, s, k.ptn("host/x", peer), via=via) == (
                ws.SOCKET_ERROR, ws.WSAEAFNOSUPPORT,
            )  # fmt: skip
        assert w.cli.peer_target_names(s) == {}


@pytest.mark.parametrize("via", k.VIAS)
@pytest.mark.parametrize("family", FAMS)
def test_connectionless_zero_address_and_port_is_wsaeinval(family: int, via: str) -> None:
    """Seed 002: "This error is also returned for a connectionless socket if the IP
    address and port are zero in the PeerAddress member of the
    SOCKET_PEER_TARGET_NAME structure pointed to by the PeerTargetName parameter."
    A stream socket needs no PeerAddress, so a zero one is fine there."""
    w = k.world()
    zero = ws.sockaddr("0.0.0.0" if family == ws.AF_INET else "::", 0)
    u = k.sock(w.cli, family, ws.SOCK_DGRAM)
    for peer in (zero, b""):
        assert k.set_name(w.cli, u, k.ptn("host/x", peer), via=via) == (ws.SOCKET_ERROR, ws.WSAEINVAL)
    assert w.cli.peer_target_names(u) == {}
    # IP zero but a port, or a port zero but an IP: not "IP address and port zero"
    assert k.set_name(w.cli, u, k.ptn("host/p", k.addr(family, k.SERVER_IP[family], 0)), via=via) == (0, 0)
    t = k.sock(w.cli, family, ws.SOCK_STREAM)
    for peer in (zero, b""):
        assert k.set_name(w.cli, t, k.ptn("host/x", peer), via=via) == (0, 0)


@pytest.mark.parametrize("via", k.VIAS)
@pytest.mark.parametrize("kind", KINDS)
def test_socket_of_another_family_or_type_is_wsaeinval(kind: int, via: str) -> None:
    """Seed 002: "WSAEINVAL: ... if the socket passed in the Socket parameter was not
    created with an address family of the AF_INET or AF_INET6 and a socket type of
    SOCK_DGRAM or SOCK_STREAM." and "An error will be returned if the following
    conditions are not met. - The address family of the Socket parameter must be
    either AF_INET or AF_INET6. - The socket type must be either SOCK_STREAM or
    SOCK_DGRAM."  The simulated catalog serves only those four triples, so the
    provider's socket record is altered to stand for another kind of socket."""
    w = k.world()
    for attr, value in (("family", ws.AF_IPX), ("type", ws.SOCK_RAW)):
        s = k.sock(w.cli, ws.AF_INET, kind)
        record = w.client.provider.table[s]
        setattr(record, attr, value)
        assert k.set_name(w.cli, s, k.ptn("host/x", k.addr(ws.AF_INET)), via=via) == (
            ws.SOCKET_ERROR, ws.WSAEINVAL,
        )  # fmt: skip


@pytest.mark.parametrize("via", k.VIAS)
@pytest.mark.parametrize("family", FAMS)
def test_connected_socket_is_wsaeisconn_stream_and_datagram(family: int, via: str) -> None:
    """Seed 002: "WSAEISCONN: The socket is connected. This function is not
    permitted with a connected socket, whether the socket is connection oriented or
    connectionless." """
    w = k.world()
    k.listener(w.srv, family, k.SERVER_IP[family])
    t = k.sock(w.cli, family, ws.SOCK_STREAM)
    assert k.connect(w.cli, t, family) == (0, 0)
    assert k.set_name(w.cli, t, k.ptn(k.SERVER_PRINCIPAL), via=via) == (ws.SOCKET_ERROR, ws.WSAEISCONN)
    assert w.cli.peer_target_names(t) == {}
    u = k.sock(w.cli, family, ws.SOCK_DGRAM)
    assert k.connect(w.cli, u, family) == (0, 0)
    other = k.ptn("host/other", k.addr(family, k.OTHER_IP[family]))
    assert k.set_name(w.cli, u, other, via=via) == (ws.SOCKET_ERROR, ws.WSAEISCONN)
    assert w.cli.peer_target_names(u) == {}
    # dissolving the association makes the socket connectionless again
    unspec = bytes(16)
    assert w.cli.connect(u, unspec, 16) == 0
    assert k.set_name(w.cli, u, other, via=via) == (0, 0)


@pytest.mark.parametrize("via", k.VIAS)
def test_return_value_zero_or_socket_error_with_last_error(via: str) -> None:
    """Seed 002: "If the function succeeds, the return value is zero. Otherwise, a
    value of SOCKET_ERROR is returned, and a specific error code can be retrieved by
    calling WSAGetLastError." -- before WSAStartup the error is WSANOTINITIALISED."""
    sim = ws.Simulator()
    api = sim.add_host("10.0.0.9").ws2
    assert k.set_name(api, 0x100, k.ptn("host/x"), via=via) == (ws.SOCKET_ERROR, ws.WSANOTINITIALISED)
    assert api.WSAStartup(0x0202, ws.WSADATA()) == 0
    s = k.sock(api, ws.AF_INET, ws.SOCK_STREAM)
    assert k.set_name(api, s, k.ptn("host/x"), via=via) == (0, 0)


@pytest.mark.parametrize("family", FAMS)
def test_naming_the_server_prevents_a_trusted_man_in_the_middle_tcp(family: int) -> None:
    """Seed 002: "A client application should specify the peer target name in order
    to prevent trusted man-in-the-middle attacks."  An impostor host (trusted: it
    authenticates fine as itself) takes over the server's address: the client that
    named its server is refused (WSAEACCES, no connection reaches the impostor);
    one that did not name it is connected to the impostor."""
    w = k.world()
    k.hijack(w)
    lst = k.listener(w.imp, family, k.SERVER_IP[family])
    named = k.sock(w.cli, family, ws.SOCK_STREAM)
    assert k.set_security(w.cli, named) == (0, 0)
    assert k.set_name(w.cli, named, k.ptn(k.SERVER_PRINCIPAL)) == (0, 0)
    assert k.connect(w.cli, named, family) == (ws.SOCKET_ERROR, ws.WSAEACCES)
    w.imp.ioctlsocket(lst, ws.FIONBIO, ctypes.c_ulong(1))
    assert w.imp.accept(lst, None, None) == ws.INVALID_SOCKET
    assert k.err(w.imp) == ws.WSAEWOULDBLOCK
    unnamed = k.sock(w.cli, family, ws.SOCK_STREAM)
    assert k.set_security(w.cli, unnamed) == (0, 0)
    assert k.connect(w.cli, unnamed, family) == (0, 0)
    assert w.imp.accept(lst, None, None) != ws.INVALID_SOCKET
    assert w.cli.WSAImpersonateSocketPeer(unnamed, None, 0) == 0
    assert w.cli.impersonated_principal() == k.IMPOSTOR_PRINCIPAL


@pytest.mark.parametrize("family", FAMS)
def test_naming_the_server_prevents_a_trusted_man_in_the_middle_udp(family: int) -> None:
    """Seed 002: "A client application should specify the peer target name in order
    to prevent trusted man-in-the-middle attacks." -- the datagram form: the first
    WSASendTo to the hijacked address fails WSAEACCES and nothing arrives."""
    w = k.world()
    k.hijack(w)
    trap = k.udp_bound(w.imp, family, k.SERVER_IP[family])
    u = k.sock(w.cli, family, ws.SOCK_DGRAM)
    assert k.set_security(w.cli, u) == (0, 0)
    assert k.set_name(w.cli, u, k.ptn(k.SERVER_PRINCIPAL, k.addr(family))) == (0, 0)
    assert k.sendto(w.cli, u, b"secret", family) == (ws.SOCKET_ERROR, ws.WSAEACCES)
    assert k.pending(w.imp, trap) == 0


@pytest.mark.parametrize("via", k.VIAS)
@pytest.mark.parametrize("family", FAMS)
def test_connectionless_multiple_names_for_different_peers(family: int, via: str) -> None:
    """Seed 002: "For connectionless sockets, an application can call the
    WSASetSocketPeerTargetName function multiple times to specify different target
    names for different peer IP addresses."  Each name then applies to its own peer."""
    w = k.world()
    u = k.sock(w.cli, family, ws.SOCK_DGRAM)
    assert k.set_security(w.cli, u) == (0, 0)
    peers = {k.SERVER_IP[family]: k.SERVER_PRINCIPAL, k.OTHER_IP[family]: "host/other"}
    for ip, name in peers.items():
        assert k.set_name(w.cli, u, k.ptn(name, k.addr(family, ip)), via=via) == (0, 0)
    assert w.cli.peer_target_names(u) == {(ip, k.PORT): name for ip, name in peers.items()}
    k.udp_bound(w.srv, family, k.SERVER_IP[family])
    k.udp_bound(w.other.ws2, family, k.OTHER_IP[family])
    # each peer is who its own name says (host "other" has the default principal
    # "host/other"); a wrong name for a third peer address refuses that one only
    assert k.sendto(w.cli, u, b"a", family, k.SERVER_IP[family]) == (1, 0)
    assert k.sendto(w.cli, u, b"b", family, k.OTHER_IP[family]) == (1, 0)
    wrong = k.ptn("host/not-other", k.addr(family, k.OTHER_IP[family], 6000))
    assert k.set_name(w.cli, u, wrong, via=via) == (0, 0)
    assert k.sendto(w.cli, u, b"c", family, k.OTHER_IP[family], 6000) == (ws.SOCKET_ERROR, ws.WSAEACCES)


@pytest.mark.parametrize("via", k.VIAS)
@pytest.mark.parametrize("family", FAMS)
def test_second_set_for_the_same_peer_replaces(family: int, via: str) -> None:
    """Seed 002 remarks (calling it "multiple times"); SPI-FACTS 5.2: a second set for
    the same peer replaces the name (docs/design-choices.md), for UDP per peer and
    for TCP's one name."""
    w = k.world()
    u = k.sock(w.cli, family, ws.SOCK_DGRAM)
    for name in ("host/first", "host/second"):
        assert k.set_name(w.cli, u, k.ptn(name, k.addr(family)), via=via) == (0, 0)
    assert w.cli.peer_target_names(u) == {(k.SERVER_IP[family], k.PORT): "host/second"}
    t = k.sock(w.cli, family, ws.SOCK_STREAM)
    for name in ("host/first", "host/second"):
        assert k.set_name(w.cli, t, k.ptn(name, k.addr(family)), via=via) == (0, 0)
    assert w.cli.peer_target_names(t) == {None: "host/second"}


@pytest.mark.parametrize("profile", ("documented", "windows"))
@pytest.mark.parametrize("family", FAMS)
def test_same_results_and_errors_through_wsaioctl(family: int, profile: str) -> None:
    """Seed 002: "This function simplifies having to call the WSAIoctl function with
    a dwIoControlCode parameter set to SIO_SET_PEER_TARGET_NAME."  The same inputs
    give the same return values, errors and registries both ways."""
    cases = [
        (k.ptn("host/a", k.addr(family)), None),
        (k.ptn("host/b", k.addr(family, k.OTHER_IP[family])), None),
        (k.ptn("host/c", b""), None),
        (None, 160),
        (k.ptn("host/d", k.addr(family)), 100),
        (k.ptn("host/e", k.addr(family), protocol=ws.SOCKET_SECURITY_PROTOCOL_INVALID), None),
        (k.ptn("host/f", k.addr(ws.AF_INET6 if family == ws.AF_INET else ws.AF_INET)), None),
    ]
    results = {}
    for via in k.VIAS:
        w = k.world(profile)
        u = k.sock(w.cli, family, ws.SOCK_DGRAM)
        t = k.sock(w.cli, family, ws.SOCK_STREAM)
        got = [k.set_name(w.cli, s, obj, length, via=via) for s in (u, t) for obj, length in cases]
        results[via] = (got, w.cli.peer_target_names(u), w.cli.peer_target_names(t))
    assert results["wrapper"] == results["ioctl"] == results["wrapper-bytes"]
    assert any(rc for rc, _ in results["ioctl"][0]) and any(not rc for rc, _ in results["ioctl"][0])


@pytest.mark.parametrize("family", FAMS)
def test_connection_oriented_set_before_wsaconnect(family: int) -> None:
    """Seed 002: "For connection-oriented sockets, the WSASetSocketPeerTargetName
    function should be called before WSAConnect."  Set before WSAConnect, the name
    is checked by the connection's authentication (a wrong name refuses it); after
    the connection exists it is WSAEISCONN."""
    w = k.world()
    k.listener(w.srv, family, k.SERVER_IP[family])
    t = k.sock(w.cli, family, ws.SOCK_STREAM)
    assert k.set_security(w.cli, t) == (0, 0)
    assert k.set_name(w.cli, t, k.ptn("host/someone-else")) == (0, 0)
    name = k.addr(family)
    assert w.cli.WSAConnect(t, name, len(name), None, None, None, None) == ws.SOCKET_ERROR
    assert k.err(w.cli) == ws.WSAEACCES
    assert k.set_name(w.cli, t, k.ptn(k.SERVER_PRINCIPAL.upper())) == (0, 0)  # SPNs ignore case
    assert w.cli.WSAConnect(t, name, len(name), None, None, None, None) == 0
    assert k.set_name(w.cli, t, k.ptn(k.SERVER_PRINCIPAL)) == (ws.SOCKET_ERROR, ws.WSAEISCONN)


@pytest.mark.parametrize("family", FAMS)
def test_connectionless_set_before_wsaconnect_or_first_sendto(family: int) -> None:
    """Seed 002: "For connectionless sockets, this function should be called before
    WSAConnect or before the first WSASendTo call directed to the peer address."
    A name set before the first WSASendTo to a peer is used by it; a name set
    before WSAConnect is used by the connect.  A name set after the first exchange
    applies from the next exchange on (docs/design-choices.md)."""
    w = k.world()
    k.udp_bound(w.srv, family, k.SERVER_IP[family])
    u = k.sock(w.cli, family, ws.SOCK_DGRAM)
    assert k.set_security(w.cli, u) == (0, 0)
    assert k.set_name(w.cli, u, k.ptn("host/wrong", k.addr(family))) == (0, 0)
    buf = ws.WSABUF(2, b"hi")
    to = k.addr(family)
    sent = ctypes.c_ulong()
    assert w.cli.WSASendTo(u, [buf], 1, sent, 0, to, len(to), None, None) == ws.SOCKET_ERROR
    assert k.err(w.cli) == ws.WSAEACCES
    assert k.set_name(w.cli, u, k.ptn(k.SERVER_PRINCIPAL, k.addr(family))) == (0, 0)
    assert w.cli.WSASendTo(u, [buf], 1, sent, 0, to, len(to), None, None) == 0
    # after the first exchange: a new (wrong) name is used by the next negotiation
    assert k.set_name(w.cli, u, k.ptn("host/wrong", k.addr(family))) == (0, 0)
    assert w.cli.WSASendTo(u, [buf], 1, sent, 0, to, len(to), None, None) == ws.SOCKET_ERROR
    # WSAConnect: the name set before it is checked by the connect
    c = k.sock(w.cli, family, ws.SOCK_DGRAM)
    assert k.set_security(w.cli, c) == (0, 0)
    assert k.set_name(w.cli, c, k.ptn("host/wrong", k.addr(family))) == (0, 0)
    assert w.cli.WSAConnect(c, to, len(to), None, None, None, None) == ws.SOCKET_ERROR
    assert k.err(w.cli) == ws.WSAEACCES
    assert k.set_name(w.cli, c, k.ptn(k.SERVER_PRINCIPAL, k.addr(family))) == (0, 0)
    assert w.cli.WSAConnect(c, to, len(to), None, None, None, None) == 0


@pytest.mark.parametrize("kind", KINDS)
def test_overlapped_ignored_for_non_overlapped_sockets(kind: int) -> None:
    """Seed 002: "[in, optional] Overlapped: A pointer to a WSAOVERLAPPED structure.
    This parameter is ignored for non-overlapped sockets." and "[in, optional]
    CompletionRoutine: ... This parameter is ignored for non-overlapped sockets."
    The call completes synchronously: the event is not set, the routine never runs."""
    w = k.world()
    s = k.sock(w.cli, ws.AF_INET, kind, overlapped=False)
    ev = w.cli.WSACreateEvent()
    ov = ws.WSAOVERLAPPED(hEvent=ev)
    calls: list[int] = []
    obj = k.ptn("host/x", k.addr(ws.AF_INET))
    assert k.set_name(w.cli, s, obj, ov=ov) == (0, 0)
    assert w.cli.WSAWaitForMultipleEvents(1, [ev], False, 0, False) == ws.WSA_WAIT_TIMEOUT
    ov2 = ws.WSAOVERLAPPED()
    assert k.set_name(w.cli, s, obj, ov=ov2, routine=lambda *a: calls.append(a[0])) == (0, 0)
    assert w.cli.SleepEx(0, True) == 0
    assert calls == [] and ov2.Internal == 0 and ov.Internal == 0


@pytest.mark.parametrize("via", ("wrapper", "ioctl"))
def test_overlapped_completes_through_event_port_and_routine(via: str) -> None:
    """Seed 002: "[in, optional] CompletionRoutine: A pointer to the completion routine
    called when the operation has been completed." -- on an overlapped socket the
    call completes through the caller's event, its completion port, or its routine
    (in the next alertable wait), with no error."""
    w = k.world()
    obj = k.ptn("host/x", k.addr(ws.AF_INET))
    # event
    s = k.sock(w.cli, ws.AF_INET, ws.SOCK_DGRAM, overlapped=True)
    ev = w.cli.WSACreateEvent()
    ov = ws.WSAOVERLAPPED(hEvent=ev)
    assert k.set_name(w.cli, s, obj, via=via, ov=ov) == (0, 0)
    assert w.cli.WSAWaitForMultipleEvents(1, [ev], False, 0, False) == 0
    assert ov.OffsetHigh == 0 and ov.Internal != ws.WSS_OPERATION_IN_PROGRESS
    # port
    p = k.sock(w.cli, ws.AF_INET, ws.SOCK_STREAM, overlapped=True)
    port = w.cli.CreateIoCompletionPort(p, None, 77, 0)
    ovp = ws.WSAOVERLAPPED()
    assert k.set_name(w.cli, p, obj, via=via, ov=ovp) == (0, 0)
    n, key, lp = ctypes.c_ulong(), ctypes.c_uint64(), k.Out()
    assert w.cli.GetQueuedCompletionStatus(port, n, key, lp, 0) == ws.TRUE
    assert key.value == 77 and lp.value is ovp
    # routine
    r = k.sock(w.cli, ws.AF_INET, ws.SOCK_DGRAM, overlapped=True)
    calls: list[tuple[int, int]] = []
    ovr = ws.WSAOVERLAPPED()
    assert k.set_name(w.cli, r, obj, via=via, ov=ovr, routine=lambda e, b, o, f: calls.append((e, b))) == (0, 0)
    assert calls == []
    assert w.cli.SleepEx(0, True) == ws.WAIT_IO_COMPLETION
    assert calls == [(0, 0)]


def test_failed_overlapped_call_does_not_complete() -> None:
    """Seed 002 return value: an immediate failure is reported by the return value
    alone; like every WSAIoctl failure (W77, W79) the OVERLAPPED is not completed."""
    w = k.world()
    s = k.sock(w.cli, ws.AF_INET, ws.SOCK_DGRAM, overlapped=True)
    ev = w.cli.WSACreateEvent()
    ov = ws.WSAOVERLAPPED(hEvent=ev)
    assert k.set_name(w.cli, s, k.ptn("host/x"), ov=ov) == (ws.SOCKET_ERROR, ws.WSAEINVAL)
    assert w.cli.WSAWaitForMultipleEvents(1, [ev], False, 0, False) == ws.WSA_WAIT_TIMEOUT
    assert ov.Internal == 0


def test_registry_changes_are_traced() -> None:
    """Issue 4: the registry is "visible in the trace": each set and delete is a
    ``peer_name`` event naming the socket, the peer and the name."""
    w = k.world(trace=True)
    u = k.sock(w.cli, ws.AF_INET, ws.SOCK_DGRAM)
    assert k.set_name(w.cli, u, k.ptn("host/a", k.addr(ws.AF_INET))) == (0, 0)
    assert k.delete_name(w.cli, u, k.addr(ws.AF_INET)) == (0, 0)
    tracer = w.sim.tracer
    assert tracer is not None
    events = [(e.fields["action"], e.fields["socket"], e.fields["peer"], e.fields["name"])
              for e in tracer.of_kind("peer_name")]  # fmt: skip
    peer = (k.SERVER_IP[ws.AF_INET], k.PORT)
    assert events == [("set", u, peer, "host/a"), ("delete", u, peer, "host/a")]
