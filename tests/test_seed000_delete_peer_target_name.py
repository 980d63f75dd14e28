"""Seed 000 (WSADeleteSocketPeerTargetName; seed 001 is the same page in
Portuguese), sentence by sentence, through the wrapper and through
WSAIoctl(SIO_DELETE_PEER_TARGET_NAME), for TCP and UDP, IPv4 and IPv6.
Error order and choices: docs/design-choices.md, "Secure socket extensions"."""

from __future__ import annotations

import ctypes

import pytest
import securekit as k

import wsspi_sim as ws

FAMS = k.FAMILIES
KINDS = (ws.SOCK_STREAM, ws.SOCK_DGRAM)
DELETE_VIAS = ("wrapper", "ioctl")


def _udp_with_names(w: k.World, family: int) -> int:
    u = k.sock(w.cli, family, ws.SOCK_DGRAM)
    for ip, name in ((k.SERVER_IP[family], "host/a"), (k.OTHER_IP[family], "host/b")):
        assert k.set_name(w.cli, u, k.ptn(name, k.addr(family, ip))) == (0, 0)
    return u


@pytest.mark.parametrize("via", DELETE_VIAS)
@pytest.mark.parametrize("family", FAMS)
def test_removes_the_association_for_that_ip_address(family: int, via: str) -> None:
    """Seed 000/001: "The WSADeleteSocketPeerTargetName function removes the
    association between a peer target name and an IP address for a socket. After a
    successful return, there will be no future association between the IP address
    and the target name."  Only that peer's name goes; the others stay."""
    w = k.world()
    u = _udp_with_names(w, family)
    assert k.delete_name(w.cli, u, k.addr(family), via=via) == (0, 0)
    assert w.cli.peer_target_names(u) == {(k.OTHER_IP[family], k.PORT): "host/b"}


@pytest.mark.parametrize("via", DELETE_VIAS)
@pytest.mark.parametrize("kind", KINDS)
def test_socket_must_be_a_valid_descriptor(kind: int, via: str) -> None:
    """Seed 000/001: "[in] Socket: A descriptor identifying a socket on which the peer
    target name is being deleted." and "WSAENOTSOCK: The descriptor passed in the
    Socket parameter is not a valid socket." """
    w = k.world()
    s = k.sock(w.cli, ws.AF_INET, kind)
    assert w.cli.closesocket(s) == 0
    assert k.delete_name(w.cli, s, k.addr(ws.AF_INET), via=via) == (ws.SOCKET_ERROR, ws.WSAENOTSOCK)
    assert k.delete_name(w.cli, 12345, k.addr(ws.AF_INET), via=via) == (ws.SOCKET_ERROR, ws.WSAENOTSOCK)


@pytest.mark.parametrize("via", DELETE_VIAS)
@pytest.mark.parametrize("family", FAMS)
def test_peer_addr_is_the_ip_address_of_the_peer(family: int, via: str) -> None:
    """Seed 000/001: "[in] PeerAddr: The IP address of the peer for which the target
    name is being deleted." -- as packed bytes or as a sockaddr_in / sockaddr_in6
    structure; a different port of the same IP is another peer."""
    w = k.world()
    u = _udp_with_names(w, family)
    assert k.delete_name(w.cli, u, k.addr(family, k.OTHER_IP[family], k.PORT + 1), via=via) == (0, 0)
    assert len(w.cli.peer_target_names(u)) == 2
    if family == ws.AF_INET:
        struct_addr = ws.sockaddr_in(sin_port=k.PORT, sin_addr=k.OTHER_IP[family])
    else:
        struct_addr = ws.sockaddr_in6(sin6_port=k.PORT, sin6_addr=k.OTHER_IP[family])
    rc = (
        w.cli.WSADeleteSocketPeerTargetName(u, struct_addr, ws.sizeof(struct_addr))
        if via == "wrapper"
        else w.cli.WSAIoctl(u, ws.SIO_DELETE_PEER_TARGET_NAME, struct_addr, ws.sizeof(struct_addr),
                            None, 0, ctypes.c_ulong(), None, None)
    )  # fmt: skip
    assert rc == 0
    assert w.cli.peer_target_names(u) == {(k.SERVER_IP[family], k.PORT): "host/a"}


@pytest.mark.parametrize("via", DELETE_VIAS)
@pytest.mark.parametrize("family", FAMS)
def test_peer_addr_len_too_small_is_wsaemsgsize(family: int, via: str) -> None:
    """Seed 000/001: "[in] PeerAddrLen: The size, in bytes, of the PeerAddr
    parameter." and "WSAEMSGSIZE: A buffer passed was too small." -- shorter than
    the family's sockaddr (16 / 28 bytes) is WSAEMSGSIZE and deletes nothing."""
    w = k.world()
    u = _udp_with_names(w, family)
    size = 16 if family == ws.AF_INET else 28
    for short in (0, 1, size - 1):
        assert k.delete_name(w.cli, u, k.addr(family), short, via=via) == (ws.SOCKET_ERROR, ws.WSAEMSGSIZE)
    assert len(w.cli.peer_target_names(u)) == 2
    assert k.delete_name(w.cli, u, k.addr(family), size, via=via) == (0, 0)


@pytest.mark.parametrize("via", DELETE_VIAS)
@pytest.mark.parametrize("family", FAMS)
def test_unsupported_family_is_wsaeafnosupport(family: int, via: str) -> None:
    """Seed 000/001: "WSAEAFNOSUPPORT: The specified address family is not
    supported." -- an AF_IPX address, an AF_UNSPEC one, or the other IP family."""
    w = k.world()
    u = _udp_with_names(w, family)
    other_family = k.addr(ws.AF_INET6 if family == ws.AF_INET else ws.AF_INET)
    for peer in (bytes([ws.AF_IPX, 0]) + bytes(26), bytes(28), other_family):
        assert k.delete_name(w.cli, u, peer, via=via) == (ws.SOCKET_ERROR, ws.WSAEAFNOSUPPORT)
    assert len(w.cli.peer_target_names(u)) == 2


@pytest.mark.parametrize("via", DELETE_VIAS)
@pytest.mark.parametrize("kind", KINDS)
def test_null_peer_addr_is_wsaefault(kind: int, via: str) -> None:
    """Seed 000/001: "WSAEFAULT: ... This error is returned if the PeerAddr parameter
    was a NULL pointer." """
    w = k.world()
    s = k.sock(w.cli, ws.AF_INET6, kind)
    assert k.delete_name(w.cli, s, None, 28, via=via) == (ws.SOCKET_ERROR, ws.WSAEFAULT)


@pytest.mark.parametrize("via", DELETE_VIAS)
@pytest.mark.parametrize("kind", KINDS)
def test_socket_of_another_family_or_type_is_wsaeinval(kind: int, via: str) -> None:
    """Seed 000/001: "WSAEINVAL: ... if the socket passed in the Socket parameter was
    not created with an address family of the AF_INET or AF_INET6 and a socket type
    of SOCK_DGRAM or SOCK_STREAM." and "An error will be returned if the following
    conditions are not met. - The address family ... AF_INET or AF_INET6. - The
    socket type must be either SOCK_STREAM or SOCK_DGRAM."  (The catalog creates
    only those, so the provider's record is altered to stand for another socket.)"""
    w = k.world()
    for attr, value in (("family", ws.AF_IPX), ("type", ws.SOCK_RAW)):
        s = k.sock(w.cli, ws.AF_INET, kind)
        setattr(w.client.provider.table[s], attr, value)
        assert k.delete_name(w.cli, s, k.addr(ws.AF_INET), via=via) == (ws.SOCKET_ERROR, ws.WSAEINVAL)


@pytest.mark.parametrize("via", DELETE_VIAS)
def test_return_value(via: str) -> None:
    """Seed 000/001: "If the function succeeds, the return value is 0. Otherwise, a
    value of SOCKET_ERROR is returned, and a specific error code can be retrieved by
    calling WSAGetLastError." -- deleting a name that is not registered succeeds
    (docs/design-choices.md); before WSAStartup: WSANOTINITIALISED."""
    sim = ws.Simulator()
    api = sim.add_host("10.0.0.9").ws2
    assert k.delete_name(api, 0x104, k.addr(ws.AF_INET), via=via) == (ws.SOCKET_ERROR, ws.WSANOTINITIALISED)
    api.WSAStartup(0x0202, ws.WSADATA())
    u = k.sock(api, ws.AF_INET, ws.SOCK_DGRAM)
    assert k.delete_name(api, u, k.addr(ws.AF_INET), via=via) == (0, 0)
    assert api.peer_target_names(u) == {}


@pytest.mark.parametrize("via", DELETE_VIAS)
@pytest.mark.parametrize("family", FAMS)
def test_deletes_a_name_set_with_wsasetsocketpeertargetname(family: int, via: str) -> None:
    """Seed 000/001: "This function is used to delete a peer target name that was
    previously set with the WSASetSocketPeerTargetName function." -- names set
    through either path are deleted through either path."""
    w = k.world()
    u = k.sock(w.cli, family, ws.SOCK_DGRAM)
    for set_via in k.VIAS:
        assert k.set_name(w.cli, u, k.ptn("host/x", k.addr(family)), via=set_via) == (0, 0)
        assert k.delete_name(w.cli, u, k.addr(family), via=via) == (0, 0)
        assert w.cli.peer_target_names(u) == {}


@pytest.mark.parametrize("family", FAMS)
def test_no_future_authentication_uses_the_deleted_name(family: int) -> None:
    """Seed 000/001: "After the WSADeleteSocketPeerTargetName function returns, no
    future authentication to the IP address will use the previously specified
    target name."  A wrong name refuses sends; once deleted, the next send
    negotiates without it.  And a peer authenticated under the old name is
    negotiated again after the delete: when an impostor has taken the address
    meanwhile, it is accepted as itself -- the old name is not what decided."""
    w = k.world()
    k.udp_bound(w.srv, family, k.SERVER_IP[family])
    u = k.sock(w.cli, family, ws.SOCK_DGRAM)
    assert k.set_security(w.cli, u) == (0, 0)
    assert k.set_name(w.cli, u, k.ptn("host/wrong", k.addr(family))) == (0, 0)
    assert k.sendto(w.cli, u, b"x", family) == (ws.SOCKET_ERROR, ws.WSAEACCES)
    assert k.delete_name(w.cli, u, k.addr(family)) == (0, 0)
    assert k.sendto(w.cli, u, b"x", family) == (1, 0)
    # authenticated under the right name, then the name is deleted
    v = k.sock(w.cli, family, ws.SOCK_DGRAM)
    assert k.set_security(w.cli, v) == (0, 0)
    assert k.set_name(w.cli, v, k.ptn(k.SERVER_PRINCIPAL, k.addr(family))) == (0, 0)
    assert k.sendto(w.cli, v, b"y", family) == (1, 0)
    k.hijack(w)
    trap = k.udp_bound(w.imp, family, k.SERVER_IP[family])
    assert k.delete_name(w.cli, v, k.addr(family)) == (0, 0)
    assert k.sendto(w.cli, v, b"z", family) == (1, 0)
    assert k.pending(w.imp, trap) == 1
    tmpl = k.template(family)
    rc, e, info, _ = k.query(w.cli, v, tmpl, 144, info=ws.SOCKET_SECURITY_QUERY_INFO())
    assert (rc, e) == (0, 0) and info.Flags & ws.SOCKET_INFO_CONNECTION_SECURED
    assert w.cli.WSAImpersonateSocketPeer(v, k.addr(family), len(k.addr(family))) == 0
    assert w.cli.impersonated_principal() == k.IMPOSTOR_PRINCIPAL


@pytest.mark.parametrize("family", FAMS)
def test_connectionless_client_after_terminating_the_connection(family: int) -> None:
    """Seed 000/001: "This function is primarily designed to be used by
    connectionless clients (for example, a socket created with the type set to
    SOCK_DGRAM or the protocol set to IPPROTO_UDP) after they have terminated the
    connection with the IP address associated with the peer target name."  A UDP
    client connects, talks, dissolves the association and deletes the name; no
    WSAEISCONN is documented for delete, so it works while connected too."""
    w = k.world()
    srv = k.udp_bound(w.srv, family, k.SERVER_IP[family])
    u = k.sock(w.cli, family, ws.SOCK_DGRAM)
    assert k.set_security(w.cli, u) == (0, 0)
    assert k.set_name(w.cli, u, k.ptn(k.SERVER_PRINCIPAL, k.addr(family))) == (0, 0)
    assert k.connect(w.cli, u, family) == (0, 0)
    assert w.cli.send(u, b"hello", 5, 0) == 5
    assert k.pending(w.srv, srv) == 5
    assert k.delete_name(w.cli, u, k.addr(family)) == (0, 0)  # still connected: allowed
    assert w.cli.peer_target_names(u) == {}
    assert w.cli.connect(u, bytes(28), 28) == 0  # terminated (dissolved)
    assert k.set_name(w.cli, u, k.ptn("host/next", k.addr(family, k.OTHER_IP[family]))) == (0, 0)
    assert k.delete_name(w.cli, u, k.addr(family, k.OTHER_IP[family])) == (0, 0)
    assert w.cli.peer_target_names(u) == {}


@pytest.mark.parametrize("via", DELETE_VIAS)
@pytest.mark.parametrize("family", FAMS)
def test_connection_oriented_clients_should_not_call_it(family: int, via: str) -> None:
    """Seed 000/001: "For connection oriented clients (for example, a socket created
    with the type set to SOCK_STREAM or protocol set to IPPROTO_TCP), this function
    should not be called."  No error is documented for doing so: the simulation
    removes the stream socket's one name (docs/design-choices.md), before or after
    the connection, and an established connection is not affected."""
    w = k.world()
    k.listener(w.srv, family, k.SERVER_IP[family])
    t = k.sock(w.cli, family, ws.SOCK_STREAM)
    assert k.set_security(w.cli, t) == (0, 0)
    assert k.set_name(w.cli, t, k.ptn(k.SERVER_PRINCIPAL)) == (0, 0)
    assert k.delete_name(w.cli, t, k.addr(family), via=via) == (0, 0)
    assert w.cli.peer_target_names(t) == {}
    assert k.set_name(w.cli, t, k.ptn(k.SERVER_PRINCIPAL)) == (0, 0)
    assert k.connect(w.cli, t, family) == (0, 0)
    assert k.delete_name(w.cli, t, k.addr(family), via=via) == (0, 0)
    assert w.cli.peer_target_names(t) == {}
    rc, e, info, _ = k.query(w.cli, t)
    assert (rc, e) == (0, 0) and info.Flags & ws.SOCKET_INFO_CONNECTION_SECURED


@pytest.mark.parametrize("profile", ("documented", "windows"))
@pytest.mark.parametrize("family", FAMS)
def test_same_results_and_errors_through_wsaioctl(family: int, profile: str) -> None:
    """Seed 000/001: "The WSADeleteSocketPeerTargetName function simplifies having to
    call the WSAIoctl function with a dwIoControlCode parameter set to
    SIO_DELETE_PEER_TARGET_NAME."  Same inputs, same results and registries."""
    size = 16 if family == ws.AF_INET else 28
    cases = [
        (k.addr(family), size),
        (k.addr(family, k.OTHER_IP[family]), size),
        (k.addr(family), size - 1),
        (None, size),
        (bytes(size), size),
        (k.addr(family, k.OTHER_IP[family], 1), size),
    ]
    results = {}
    for via in DELETE_VIAS:
        w = k.world(profile)
        u = _udp_with_names(w, family)
        t = k.sock(w.cli, family, ws.SOCK_STREAM)
        assert k.set_name(w.cli, t, k.ptn("host/t")) == (0, 0)
        got = [k.delete_name(w.cli, s, peer, n, via=via) for s in (u, t) for peer, n in cases]
        results[via] = (got, w.cli.peer_target_names(u), w.cli.peer_target_names(t))
    assert results["wrapper"] == results["ioctl"]
    assert {e for _, e in results["ioctl"][0]} == {0, ws.WSAEMSGSIZE, ws.WSAEFAULT, ws.WSAEAFNOSUPPORT}


def test_structure_form_of_the_ioctl_input() -> None:
    """SPI-FACTS 5.3 leaves the SIO_DELETE_PEER_TARGET_NAME input open: a
    SOCKET_PEER_TARGET_NAME (144 bytes or more) is accepted as well as a sockaddr,
    and its PeerAddress names the peer (docs/design-choices.md)."""
    w = k.world()
    u = _udp_with_names(w, ws.AF_INET)
    obj = k.ptn("", k.addr(ws.AF_INET))
    rc = w.cli.WSAIoctl(u, ws.SIO_DELETE_PEER_TARGET_NAME, obj.pack(), 144, None, 0, ctypes.c_ulong(), None, None)
    assert rc == 0
    assert w.cli.peer_target_names(u) == {(k.OTHER_IP[ws.AF_INET], k.PORT): "host/b"}


@pytest.mark.parametrize("kind", KINDS)
def test_overlapped_and_routine_ignored_for_non_overlapped_sockets(kind: int) -> None:
    """Seed 000/001: "[in, optional] Overlapped: A pointer to a WSAOVERLAPPED
    structure. This parameter is ignored for non-overlapped sockets." and
    "[in, optional] CompletionRoutine: ... This parameter is ignored for
    non-overlapped sockets." """
    w = k.world()
    s = k.sock(w.cli, ws.AF_INET, kind)
    ev = w.cli.WSACreateEvent()
    ov = ws.WSAOVERLAPPED(hEvent=ev)
    calls: list[int] = []
    assert k.delete_name(w.cli, s, k.addr(ws.AF_INET), ov=ov, routine=lambda *a: calls.append(1)) == (0, 0)
    assert w.cli.WSAWaitForMultipleEvents(1, [ev], False, 0, True) == ws.WSA_WAIT_TIMEOUT
    assert calls == [] and ov.Internal == 0


@pytest.mark.parametrize("via", DELETE_VIAS)
def test_completion_routine_called_when_completed(via: str) -> None:
    """Seed 000/001: "[in, optional] CompletionRoutine: A pointer to the completion
    routine called when the operation has been completed." -- on an overlapped
    socket: the routine (alertable wait), the event, or the port."""
    w = k.world()
    u = k.sock(w.cli, ws.AF_INET6, ws.SOCK_DGRAM, overlapped=True)
    calls: list[tuple[int, int, object]] = []
    ov = ws.WSAOVERLAPPED()
    assert k.delete_name(w.cli, u, k.addr(ws.AF_INET6), via=via, ov=ov,
                         routine=lambda e, n, o, f: calls.append((e, n, o))) == (0, 0)  # fmt: skip
    assert w.cli.SleepEx(10, True) == ws.WAIT_IO_COMPLETION
    assert calls == [(0, 0, ov)]
    ev = w.cli.WSACreateEvent()
    ov2 = ws.WSAOVERLAPPED(hEvent=ev)
    assert k.delete_name(w.cli, u, k.addr(ws.AF_INET6), via=via, ov=ov2) == (0, 0)
    assert w.cli.WSAWaitForMultipleEvents(1, [ev], False, 0, False) == 0
    port = w.cli.CreateIoCompletionPort(u, None, 5, 0)
    ov3 = ws.WSAOVERLAPPED()
    assert k.delete_name(w.cli, u, k.addr(ws.AF_INET6), via=via, ov=ov3) == (0, 0)
    n, key, lp = ctypes.c_ulong(), ctypes.c_uint64(), k.Out()
    assert w.cli.GetQueuedCompletionStatus(port, n, key, lp, 0) == ws.TRUE
    assert (key.value, lp.value) == (5, ov3)
