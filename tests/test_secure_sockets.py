"""The rest of the secure socket extensions (SPI-FACTS 5.5-5.7): security
settings, security queries and their size probe, peer impersonation, and the
simulated IPsec that checks registered names (the man-in-the-middle scenario of
seed 002).  Choices: docs/design-choices.md, "Secure socket extensions"."""

from __future__ import annotations

import ctypes
import threading

import pytest
import securekit as k

import wsspi_sim as ws

FAMS = k.FAMILIES
KINDS = (ws.SOCK_STREAM, ws.SOCK_DGRAM)
SET_VIAS = ("wrapper", "ioctl")


def _exclusive(api: object, s: int) -> int:
    val = bytearray(4)
    n = ctypes.c_int(4)
    assert api.getsockopt(s, ws.SOL_SOCKET, ws.SO_EXCLUSIVEADDRUSE, val, n) == 0  # type: ignore[attr-defined]
    return int.from_bytes(val, "little")


# -- WSASetSocketSecurity ---------------------------------------------------------------
@pytest.mark.parametrize("via", SET_VIAS)
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("family", FAMS)
def test_set_security_once_and_sets_exclusiveaddruse(family: int, kind: int, via: str) -> None:
    """SPI-FACTS 5.5: "Can be called only once per socket" (a second call is
    WSAEINVAL: our choice) and "It internally sets SO_EXCLUSIVEADDRUSE"; NULL
    settings mean the defaults."""
    w = k.world()
    s = k.sock(w.cli, family, kind)
    assert _exclusive(w.cli, s) == 0
    assert k.set_security(w.cli, s, via=via) == (0, 0)
    assert _exclusive(w.cli, s) == 1
    assert k.set_security(w.cli, s, ws.SOCKET_SECURITY_SETTINGS(), via=via) == (ws.SOCKET_ERROR, ws.WSAEINVAL)


@pytest.mark.parametrize("via", SET_VIAS)
@pytest.mark.parametrize("family", FAMS)
def test_set_security_before_bind_and_connect(family: int, via: str) -> None:
    """SPI-FACTS 5.5: "Must be called before bind/connect ... (TCP client: before
    connect, fails after; TCP server: before bind, fails after; UDP: right after
    socket creation)": WSAEISCONN once connected, WSAEINVAL once bound (including
    the auto-bind of a first sendto) or listening."""
    w = k.world()
    k.listener(w.srv, family, k.SERVER_IP[family])
    t = k.sock(w.cli, family, ws.SOCK_STREAM)
    assert k.connect(w.cli, t, family) == (0, 0)
    assert k.set_security(w.cli, t, via=via) == (ws.SOCKET_ERROR, ws.WSAEISCONN)
    b = k.sock(w.cli, family, ws.SOCK_STREAM)
    name = ws.sockaddr(k.CLIENT_IP[family], 0)
    assert w.cli.bind(b, name, len(name)) == 0
    assert k.set_security(w.cli, b, via=via) == (ws.SOCKET_ERROR, ws.WSAEINVAL)
    assert w.cli.listen(b, 1) == 0
    assert k.set_security(w.cli, b, via=via) == (ws.SOCKET_ERROR, ws.WSAEINVAL)
    u = k.sock(w.cli, family, ws.SOCK_DGRAM)
    assert k.sendto(w.cli, u, b"x", family) == (1, 0)
    assert k.set_security(w.cli, u, via=via) == (ws.SOCKET_ERROR, ws.WSAEINVAL)
    c = k.sock(w.cli, family, ws.SOCK_DGRAM)
    assert k.connect(w.cli, c, family) == (0, 0)
    assert k.set_security(w.cli, c, via=via) == (ws.SOCKET_ERROR, ws.WSAEISCONN)


@pytest.mark.parametrize("via", SET_VIAS)
def test_set_security_bad_values_and_lengths(via: str) -> None:
    """SPI-FACTS 5.5: WSAEINVAL for "bad value in SOCKET_SECURITY_SETTINGS",
    WSAEMSGSIZE for "buffer too small"; SO_REUSEADDR set before cannot join
    SO_EXCLUSIVEADDRUSE (WSAEINVAL, our choice).  A refused call stores nothing."""
    w = k.world()
    s = k.sock(w.cli, ws.AF_INET, ws.SOCK_STREAM)
    bad = [
        (ws.SOCKET_SECURITY_SETTINGS(SecurityProtocol=ws.SOCKET_SECURITY_PROTOCOL_INVALID), 8, ws.WSAEINVAL),
        (ws.SOCKET_SECURITY_SETTINGS(SecurityFlags=0x80), 8, ws.WSAEINVAL),
        (ws.SOCKET_SECURITY_SETTINGS(), 7, ws.WSAEMSGSIZE),
        (ws.SOCKET_SECURITY_SETTINGS_IPSEC(SecurityProtocol=ws.SOCKET_SECURITY_PROTOCOL_IPSEC, IpsecFlags=0x10),
         88, ws.WSAEINVAL),
        (ws.SOCKET_SECURITY_SETTINGS_IPSEC.from_strings("user", "DOM", "pw",
                                                        SecurityProtocol=ws.SOCKET_SECURITY_PROTOCOL_IPSEC),
         88, ws.WSAEMSGSIZE),
    ]  # fmt: skip
    for settings, length, error in bad:
        assert k.set_security(w.cli, s, settings, length, via=via) == (ws.SOCKET_ERROR, error)
    assert _exclusive(w.cli, s) == 0
    good = ws.SOCKET_SECURITY_SETTINGS_IPSEC.from_strings(
        "user", "DOM", "pw", SecurityProtocol=ws.SOCKET_SECURITY_PROTOCOL_IPSEC,
        IpsecFlags=ws.SOCKET_SETTINGS_IPSEC_SKIP_FILTER_INSTANTIATION,
    )  # fmt: skip
    assert k.set_security(w.cli, s, good, 88 + good.strings_bytes(), via=via) == (0, 0)
    r = k.sock(w.cli, ws.AF_INET, ws.SOCK_STREAM)
    assert w.cli.setsockopt(r, ws.SOL_SOCKET, ws.SO_REUSEADDR, (1).to_bytes(4, "little"), 4) == 0
    assert k.set_security(w.cli, r, via=via) == (ws.SOCKET_ERROR, ws.WSAEINVAL)
    assert k.set_security(w.cli, 0xBAD0, via=via) == (ws.SOCKET_ERROR, ws.WSAENOTSOCK)


# -- WSAQuerySocketSecurity -------------------------------------------------------------
@pytest.mark.parametrize("via", SET_VIAS)
@pytest.mark.parametrize("family", FAMS)
def test_query_reports_secured_and_encrypted_per_settings(family: int, via: str) -> None:
    """SPI-FACTS 2.3 / 5.6: SOCKET_INFO_CONNECTION_SECURED for a connection secured
    by (simulated) IPsec, SOCKET_INFO_CONNECTION_ENCRYPTED when the settings
    guarantee encryption; a socket without settings is neither."""
    w = k.world()
    k.listener(w.srv, family, k.SERVER_IP[family])
    expect = {
        None: 0,
        0: ws.SOCKET_INFO_CONNECTION_SECURED,
        ws.SOCKET_SETTINGS_GUARANTEE_ENCRYPTION: ws.SOCKET_INFO_CONNECTION_SECURED
        | ws.SOCKET_INFO_CONNECTION_ENCRYPTED,
    }
    for flags, want in expect.items():
        t = k.sock(w.cli, family, ws.SOCK_STREAM)
        if flags is not None:
            settings = ws.SOCKET_SECURITY_SETTINGS(ws.SOCKET_SECURITY_PROTOCOL_IPSEC, flags)
            assert k.set_security(w.cli, t, settings, 8, via=via) == (0, 0)
        rc, e, info, n = k.query(w.cli, t, via=via)
        assert (rc, e, info.Flags, n) == (0, 0, 0, 24)  # not connected yet: not secured
        assert k.connect(w.cli, t, family) == (0, 0)
        rc, e, info, n = k.query(w.cli, t, via=via)
        assert (rc, e, info.Flags, n) == (0, 0, want, 24)


@pytest.mark.parametrize("via", SET_VIAS)
@pytest.mark.parametrize("profile", ("documented", "windows"))
def test_query_size_probe(profile: str, via: str) -> None:
    """SPI-FACTS 5.6: "Size probe: info NULL (or buffer too small) -> SOCKET_ERROR and
    *SecurityQueryInfoLen = needed size. For a TCP socket Microsoft's sample expects
    WSAEFAULT ...; for a non-TCP socket the doc table says WSAEMSGSIZE".  Profile
    "windows" gives WSAEMSGSIZE on TCP too (Policy.query_security_tcp_probe_error)."""
    w = k.world(profile)
    t = k.sock(w.cli, ws.AF_INET, ws.SOCK_STREAM)
    u = k.sock(w.cli, ws.AF_INET, ws.SOCK_DGRAM)
    tcp_error = ws.WSAEMSGSIZE if profile == "windows" else ws.WSAEFAULT
    for info, ilen in ((None, 0), (None, 24), ("new", 23)):
        rc, e, _, n = k.query(w.cli, t, via=via, info=info if info is None else ws.SOCKET_SECURITY_QUERY_INFO(),
                              ilen=ilen)  # fmt: skip
        assert (rc, e, n) == (ws.SOCKET_ERROR, tcp_error, 24)
        rc, e, _, n = k.query(w.cli, u, k.template(ws.AF_INET), via=via,
                              info=info if info is None else ws.SOCKET_SECURITY_QUERY_INFO(), ilen=ilen)  # fmt: skip
        assert (rc, e, n) == (ws.SOCKET_ERROR, ws.WSAEMSGSIZE, 24)


@pytest.mark.parametrize("via", SET_VIAS)
def test_query_template_rules(via: str) -> None:
    """SPI-FACTS 5.6: "TCP: template may be NULL with length 0. Non-TCP: template
    required, PeerAddress must hold AF_INET/AF_INET6 address and port"; a template
    length under sizeof(SOCKET_SECURITY_QUERY_TEMPLATE) is WSAEMSGSIZE; a NULL
    SecurityQueryInfoLen is WSAEFAULT."""
    w = k.world()
    t = k.sock(w.cli, ws.AF_INET, ws.SOCK_STREAM)
    u = k.sock(w.cli, ws.AF_INET, ws.SOCK_DGRAM)
    assert k.query(w.cli, t, via=via)[:2] == (0, 0)
    assert k.query(w.cli, t, k.template(), 143, via=via)[:2] == (ws.SOCKET_ERROR, ws.WSAEMSGSIZE)
    assert k.query(w.cli, u, via=via)[:2] == (ws.SOCKET_ERROR, ws.WSAEMSGSIZE)
    assert k.query(w.cli, u, k.template(), via=via)[:2] == (ws.SOCKET_ERROR, ws.WSAEINVAL)
    assert k.query(w.cli, u, k.template(ws.AF_INET6), via=via)[:2] == (ws.SOCKET_ERROR, ws.WSAEAFNOSUPPORT)
    assert k.query(w.cli, u, k.template(ws.AF_INET), via=via)[:2] == (0, 0)
    bad_protocol = ws.SOCKET_SECURITY_QUERY_TEMPLATE(SecurityProtocol=7)
    assert k.query(w.cli, t, bad_protocol, via=via)[:2] == (ws.SOCKET_ERROR, ws.WSAEINVAL)
    w.cli.WSASetLastError(0)
    assert w.cli.WSAQuerySocketSecurity(t, None, 0, ws.SOCKET_SECURITY_QUERY_INFO(), None) == ws.SOCKET_ERROR
    assert k.err(w.cli) == ws.WSAEFAULT
    assert w.cli.WSAIoctl(t, ws.SIO_QUERY_SECURITY, None, 0, bytearray(24), 24, None, None, None) == -1
    assert k.err(w.cli) == ws.WSAEFAULT


@pytest.mark.parametrize("family", FAMS)
def test_query_after_reset_is_wsaeconnreset(family: int) -> None:
    """SPI-FACTS 5.6: WSAECONNRESET "(TCP reset ...)"."""
    w = k.world()
    lst = k.listener(w.srv, family, k.SERVER_IP[family])
    t = k.sock(w.cli, family, ws.SOCK_STREAM)
    assert k.set_security(w.cli, t) == (0, 0)
    assert k.connect(w.cli, t, family) == (0, 0)
    peer = w.srv.accept(lst, None, None)
    assert w.srv.setsockopt(peer, ws.SOL_SOCKET, ws.SO_LINGER, ws.linger(1, 0).pack(), 4) == 0
    assert w.srv.closesocket(peer) == 0
    assert k.query(w.cli, t)[:2] == (ws.SOCKET_ERROR, ws.WSAECONNRESET)


def test_query_tokens_only_with_an_access_mask() -> None:
    """SPI-FACTS 5.6: "Template with PeerTokenAccessMask = 0 -> token handles not
    returned"; with a mask the peer's machine token is returned (user tokens are
    not modelled)."""
    w = k.world()
    k.listener(w.srv, ws.AF_INET, k.SERVER_IP[ws.AF_INET])
    t = k.sock(w.cli, ws.AF_INET, ws.SOCK_STREAM)
    assert k.set_security(w.cli, t) == (0, 0)
    assert k.connect(w.cli, t, ws.AF_INET) == (0, 0)
    _, _, info, _ = k.query(w.cli, t, k.template(mask=0))
    assert (info.PeerApplicationAccessTokenHandle, info.PeerMachineAccessTokenHandle) == (0, 0)
    _, _, info, _ = k.query(w.cli, t, k.template(mask=0x8))
    assert info.PeerApplicationAccessTokenHandle == 0 and info.PeerMachineAccessTokenHandle != 0
    assert w.client.provider.tokens[info.PeerMachineAccessTokenHandle] == k.SERVER_PRINCIPAL


def test_overlapped_query_and_settings_complete_to_a_port() -> None:
    """SPI-FACTS 3.4 (issue 4: "the overlapped forms (completion through the same
    events, routines and ports as every other overlapped call)")."""
    w = k.world()
    t = k.sock(w.cli, ws.AF_INET, ws.SOCK_STREAM, overlapped=True)
    port = w.cli.CreateIoCompletionPort(t, None, 9, 0)
    ov1 = ws.WSAOVERLAPPED()
    assert w.cli.WSASetSocketSecurity(t, None, 0, ov1, None) == 0
    info = ws.SOCKET_SECURITY_QUERY_INFO()
    n = ctypes.c_ulong(24)
    ov2 = ws.WSAOVERLAPPED()
    assert w.cli.WSAQuerySocketSecurity(t, None, 0, info, n, ov2, None) == 0
    got = []
    for _ in range(2):
        nb, key, lp = ctypes.c_ulong(), ctypes.c_uint64(), k.Out()
        assert w.cli.GetQueuedCompletionStatus(port, nb, key, lp, 0) == ws.TRUE
        got.append((key.value, lp.value))
    assert got == [(9, ov1), (9, ov2)]


# -- the man in the middle ------------------------------------------------------------
@pytest.mark.parametrize("family", FAMS)
def test_allow_insecure_falls_back_to_clear_text(family: int) -> None:
    """SPI-FACTS 2.3: SOCKET_SETTINGS_ALLOW_INSECURE: "clear text allowed; if NOT
    set, packets are never sent in clear text even when negotiation fails".  With
    it, a failed name check still connects, but not secured and with no peer to
    impersonate."""
    w = k.world()
    k.hijack(w)
    k.listener(w.imp, family, k.SERVER_IP[family])
    t = k.sock(w.cli, family, ws.SOCK_STREAM)
    settings = ws.SOCKET_SECURITY_SETTINGS(ws.SOCKET_SECURITY_PROTOCOL_IPSEC, ws.SOCKET_SETTINGS_ALLOW_INSECURE)
    assert k.set_security(w.cli, t, settings, 8) == (0, 0)
    assert k.set_name(w.cli, t, k.ptn(k.SERVER_PRINCIPAL)) == (0, 0)
    assert k.connect(w.cli, t, family) == (0, 0)
    assert k.query(w.cli, t)[2].Flags == 0
    assert w.cli.WSAImpersonateSocketPeer(t, None, 0) == ws.SOCKET_ERROR
    assert k.err(w.cli) == ws.WSAEINVAL


def test_optional_peer_name_verification_tolerates_a_mismatch() -> None:
    """SPI-FACTS 2.3: SOCKET_SETTINGS_IPSEC_OPTIONAL_PEER_NAME_VERIFICATION -- the
    name check may fail; the connection is secured with the peer's real principal."""
    w = k.world()
    k.hijack(w)
    k.listener(w.imp, ws.AF_INET, k.SERVER_IP[ws.AF_INET])
    t = k.sock(w.cli, ws.AF_INET, ws.SOCK_STREAM)
    settings = ws.SOCKET_SECURITY_SETTINGS_IPSEC(
        SecurityProtocol=ws.SOCKET_SECURITY_PROTOCOL_IPSEC,
        IpsecFlags=ws.SOCKET_SETTINGS_IPSEC_OPTIONAL_PEER_NAME_VERIFICATION,
    )
    assert k.set_security(w.cli, t, settings, 88) == (0, 0)
    assert k.set_name(w.cli, t, k.ptn(k.SERVER_PRINCIPAL)) == (0, 0)
    assert k.connect(w.cli, t, ws.AF_INET) == (0, 0)
    assert k.query(w.cli, t)[2].Flags == ws.SOCKET_INFO_CONNECTION_SECURED
    assert w.cli.WSAImpersonateSocketPeer(t, None, 0) == 0
    assert w.cli.impersonated_principal() == k.IMPOSTOR_PRINCIPAL


@pytest.mark.parametrize("family", FAMS)
def test_names_without_security_settings_are_not_checked(family: int) -> None:
    """Issue 4: "A socket given security settings ... authenticates its peer" -- a
    socket without them does no IPsec, so its registered names are never checked
    (the connection to the impostor goes through, unsecured)."""
    w = k.world()
    k.hijack(w)
    k.listener(w.imp, family, k.SERVER_IP[family])
    t = k.sock(w.cli, family, ws.SOCK_STREAM)
    assert k.set_name(w.cli, t, k.ptn(k.SERVER_PRINCIPAL)) == (0, 0)
    assert k.connect(w.cli, t, family) == (0, 0)
    assert k.query(w.cli, t)[2].Flags == 0


@pytest.mark.parametrize("family", FAMS)
def test_first_inbound_datagram_from_an_impostor_is_dropped(family: int) -> None:
    """Issue 4 (the receiving side): a secured socket also authenticates a peer on
    the first datagram it receives from it; the impostor, sending from the address
    it took over, fails the name check and its datagram is dropped, while the real
    peer's datagrams (and an unnamed peer's) arrive."""
    w = k.world()
    rx = k.udp_bound(w.cli, family, k.CLIENT_IP[family], 7000, secure=True)
    assert k.set_name(w.cli, rx, k.ptn(k.SERVER_PRINCIPAL, k.addr(family, port=k.PORT))) == (0, 0)
    real = k.udp_bound(w.srv, family, k.SERVER_IP[family])
    assert k.sendto(w.srv, real, b"real", family, k.CLIENT_IP[family], 7000) == (4, 0)
    assert k.recvfrom(w.cli, rx)[1:] == (b"real", (family, k.SERVER_IP[family], k.PORT))
    k.hijack(w)
    # a fresh receiver: the server's address was authenticated on the old one
    rx2 = k.udp_bound(w.cli, family, k.CLIENT_IP[family], 7001, secure=True)
    assert k.set_name(w.cli, rx2, k.ptn(k.SERVER_PRINCIPAL, k.addr(family, port=k.PORT))) == (0, 0)
    fake = k.udp_bound(w.imp, family, k.SERVER_IP[family])
    dropped = w.sim.network.dropped_datagrams
    assert k.sendto(w.imp, fake, b"fake", family, k.CLIENT_IP[family], 7001) == (4, 0)
    assert k.pending(w.cli, rx2) == 0
    assert w.sim.network.dropped_datagrams == dropped + 1
    other = k.udp_bound(w.other.ws2, family, k.OTHER_IP[family])
    assert k.sendto(w.other.ws2, other, b"ok", family, k.CLIENT_IP[family], 7001) == (2, 0)
    assert k.recvfrom(w.cli, rx2)[1] == b"ok"


# -- impersonation (SPI-FACTS 5.7) --------------------------------------------------
@pytest.mark.parametrize("family", FAMS)
def test_impersonate_and_revert_tcp_both_sides(family: int) -> None:
    """SPI-FACTS 5.7: WSAImpersonateSocketPeer "impersonates the peer's user token if
    available, else the peer computer token" (TCP: after connect/accept; PeerAddr
    ignored); WSARevertImpersonation "ends the calling thread's socket-peer
    impersonation; if the thread is not impersonating, no action, success"."""
    w = k.world()
    lst = k.listener(w.srv, family, k.SERVER_IP[family], secure=True)
    t = k.sock(w.cli, family, ws.SOCK_STREAM)
    assert k.set_security(w.cli, t) == (0, 0)
    assert k.connect(w.cli, t, family) == (0, 0)
    peer = w.srv.accept(lst, None, None)
    assert w.cli.impersonated_principal() is None
    assert w.cli.WSAImpersonateSocketPeer(t, b"ignored", 1) == 0
    assert w.cli.impersonated_principal() == k.SERVER_PRINCIPAL
    assert w.srv.WSAImpersonateSocketPeer(peer, None, 0) == 0
    assert w.srv.impersonated_principal() == w.client.principal == "host/client"
    assert w.cli.WSARevertImpersonation() == 0
    assert w.cli.impersonated_principal() is None
    assert w.cli.WSARevertImpersonation() == 0
    assert w.srv.impersonated_principal() == "host/client"


def test_impersonation_is_per_thread() -> None:
    """SPI-FACTS 5.7: impersonation belongs to "the calling thread"."""
    w = k.world()
    k.listener(w.srv, ws.AF_INET, k.SERVER_IP[ws.AF_INET])
    t = k.sock(w.cli, ws.AF_INET, ws.SOCK_STREAM)
    assert k.set_security(w.cli, t) == (0, 0)
    assert k.connect(w.cli, t, ws.AF_INET) == (0, 0)
    seen: list[object] = []

    def other() -> None:
        seen.append(w.cli.impersonated_principal())
        seen.append(w.cli.WSAImpersonateSocketPeer(t, None, 0))
        seen.append(w.cli.impersonated_principal())

    th = threading.Thread(target=other)
    th.start()
    th.join()
    assert seen == [None, 0, k.SERVER_PRINCIPAL]
    assert w.cli.impersonated_principal() is None


@pytest.mark.parametrize("family", FAMS)
def test_impersonate_datagram_peer(family: int) -> None:
    """SPI-FACTS 5.7: UDP: "right after a receive from a new peer"; WSAEFAULT when
    PeerAddr is NULL for a connectionless socket; WSAEAFNOSUPPORT; WSAEMSGSIZE;
    WSAENOTSOCK.  A peer never exchanged with cannot be impersonated (WSAEINVAL)."""
    w = k.world()
    rx = k.udp_bound(w.cli, family, k.CLIENT_IP[family], 7000, secure=True)
    tx = k.udp_bound(w.srv, family, k.SERVER_IP[family])
    assert k.sendto(w.srv, tx, b"hi", family, k.CLIENT_IP[family], 7000) == (2, 0)
    src = k.addr(family)
    size = len(src)
    cases = [
        ((None, size), ws.WSAEFAULT),
        ((src, size - 1), ws.WSAEMSGSIZE),
        ((src, 1), ws.WSAEMSGSIZE),
        ((bytes([ws.AF_IPX, 0]) + bytes(26), 28), ws.WSAEAFNOSUPPORT),
        ((k.addr(family, k.OTHER_IP[family]), size), ws.WSAEINVAL),
    ]
    for (peer, n), error in cases:
        assert w.cli.WSAImpersonateSocketPeer(rx, peer, n) == ws.SOCKET_ERROR
        assert k.err(w.cli) == error, (peer, n)
    assert w.cli.WSAImpersonateSocketPeer(rx, src, size) == 0
    assert w.cli.impersonated_principal() == k.SERVER_PRINCIPAL
    assert w.cli.WSAImpersonateSocketPeer(0x7777, src, size) == ws.SOCKET_ERROR
    assert k.err(w.cli) == ws.WSAENOTSOCK


def test_impersonate_unsecured_or_unconnected_is_wsaeinval() -> None:
    """SPI-FACTS 5.7 (TCP: "after connect/accept"): without an authenticated peer --
    not connected, or no security settings -- there is nothing to impersonate:
    WSAEINVAL (our choice, docs/design-choices.md)."""
    w = k.world()
    k.listener(w.srv, ws.AF_INET, k.SERVER_IP[ws.AF_INET])
    secured = k.sock(w.cli, ws.AF_INET, ws.SOCK_STREAM)
    assert k.set_security(w.cli, secured) == (0, 0)
    plain = k.sock(w.cli, ws.AF_INET, ws.SOCK_STREAM)
    assert k.connect(w.cli, plain, ws.AF_INET) == (0, 0)
    for s in (secured, plain):
        assert w.cli.WSAImpersonateSocketPeer(s, None, 0) == ws.SOCKET_ERROR
        assert k.err(w.cli) == ws.WSAEINVAL
    assert w.cli.impersonated_principal() is None


# -- the simulator's hooks --------------------------------------------------------------
def test_reroute_validates_its_arguments() -> None:
    """Issue 4: ``Simulator.reroute(ip, host)`` lets a host take over an address;
    bad arguments are a ValueError naming what is wrong, never a silent change."""
    w = k.world()
    foreign = ws.Simulator().add_host("10.9.9.9")
    with pytest.raises(ValueError, match="host"):
        w.sim.reroute("10.0.0.2", foreign)
    with pytest.raises(ValueError, match="loopback"):
        w.sim.reroute("127.0.0.1", w.impostor)
    with pytest.raises(ValueError):
        w.sim.reroute("not an ip", w.impostor)
    w.sim.reroute("10.0.0.2", w.impostor)
    assert "10.0.0.2" in w.impostor.addresses


def test_wrapper_type_errors_name_the_parameter() -> None:
    """DESIGN 2: misuse C would not compile "raises a clear TypeError / ValueError
    that names the parameter"."""
    w = k.world()
    s = k.sock(w.cli, ws.AF_INET, ws.SOCK_STREAM)
    with pytest.raises(TypeError, match="PeerTargetName"):
        w.cli.WSASetSocketPeerTargetName(s, "host/x", 160)
    with pytest.raises(TypeError, match="PeerAddr"):
        w.cli.WSADeleteSocketPeerTargetName(s, "10.0.0.2", 16)
    with pytest.raises(TypeError, match="SecuritySettings"):
        w.cli.WSASetSocketSecurity(s, 5, 8)
    with pytest.raises(TypeError, match="SecurityQueryInfoLen"):
        w.cli.WSAQuerySocketSecurity(s, None, 0, None, 24)
    with pytest.raises(ValueError, match="not an open socket"):
        w.cli.peer_target_names(0x9999)


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("mitm_refused.py", ["connect -> -1, WSAEACCES", "'host/mallory.example.test'  <- the man in the middle",
                             "connections mallory received: 1"]),
        ("peer_target_names_tcp.py", ["len = 143: too small)           -> SOCKET_ERROR, WSAEMSGSIZE",
                                      "after connect                   -> SOCKET_ERROR, WSAEISCONN",
                                      "SECURED | ENCRYPTED", "'host/laptop'"]),
        ("peer_target_names_udp.py", ["sendto log (name is wrong)            -> SOCKET_ERROR (WSAEACCES)",
                                      "sendto log (no name: any principal)   -> 4",
                                      "name for 0.0.0.0:0                    -> SOCKET_ERROR (WSAEINVAL)"]),
    ],
)  # fmt: skip
def test_examples_run_and_show_the_seed_002_purpose(
    script: str, expected: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 4: "Seed 002's purpose -- preventing a trusted man-in-the-middle --
    becomes a runnable example": the three examples run and print the outcomes the
    seeds promise."""
    import pathlib
    import runpy

    path = pathlib.Path(__file__).resolve().parent.parent / "examples" / script
    runpy.run_path(str(path), run_name="__main__")
    out = capsys.readouterr().out
    for line in expected:
        assert line in out


@pytest.mark.parametrize("mode", ["overlapped", "nonblocking", "event_select"])
def test_impersonate_overlapped_or_nonblocking_socket_is_wsaeinval(mode: str) -> None:
    """SPI-FACTS 5.7: WSAImpersonateSocketPeer is "only for blocking, non-overlapped
    sockets". A socket created with WSA_FLAG_OVERLAPPED, or made nonblocking by
    FIONBIO or WSAEventSelect, is refused with WSAEINVAL (our choice,
    docs/design-choices.md "Secure socket extensions"), after the documented
    argument errors; once blocking again (FIONBIO 0) the same socket works."""
    w = k.world()
    k.listener(w.srv, ws.AF_INET, k.SERVER_IP[ws.AF_INET])
    t = k.sock(w.cli, ws.AF_INET, ws.SOCK_STREAM, overlapped=mode == "overlapped")
    assert k.set_security(w.cli, t) == (0, 0)
    assert k.connect(w.cli, t, ws.AF_INET) == (0, 0)
    ev = 0
    if mode == "nonblocking":
        assert w.cli.ioctlsocket(t, ws.FIONBIO, ctypes.c_ulong(1)) == 0
    elif mode == "event_select":
        ev = int(w.cli.WSACreateEvent())
        assert w.cli.WSAEventSelect(t, ev, ws.FD_READ) == 0
    assert w.cli.WSAImpersonateSocketPeer(t, None, 0) == ws.SOCKET_ERROR
    assert k.err(w.cli) == ws.WSAEINVAL
    assert w.cli.impersonated_principal() is None
    if mode == "overlapped":
        return
    if mode == "event_select":
        assert w.cli.WSAEventSelect(t, ev, 0) == 0
    assert w.cli.ioctlsocket(t, ws.FIONBIO, ctypes.c_ulong(0)) == 0
    assert w.cli.WSAImpersonateSocketPeer(t, None, 0) == 0
    assert w.cli.impersonated_principal() == k.SERVER_PRINCIPAL


def test_impersonate_datagram_argument_errors_come_before_the_mode_rule() -> None:
    """SPI-FACTS 5.7 documented errors (WSAEFAULT for a NULL PeerAddr on a
    connectionless socket) come before the model's WSAEINVAL for an overlapped
    socket (docs/design-choices.md "Secure socket extensions")."""
    w = k.world()
    rx = k.sock(w.cli, ws.AF_INET, ws.SOCK_DGRAM, overlapped=True)
    assert w.cli.WSAImpersonateSocketPeer(rx, None, 0) == ws.SOCKET_ERROR
    assert k.err(w.cli) == ws.WSAEFAULT
    assert w.cli.WSAImpersonateSocketPeer(rx, k.addr(ws.AF_INET), 16) == ws.SOCKET_ERROR
    assert k.err(w.cli) == ws.WSAEINVAL
