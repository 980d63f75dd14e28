"""Network events: WSAEventSelect / WSAEnumNetworkEvents and the provider's
WSPEventSelect / WSPEnumNetworkEvents (issue 3 part 5; SPI-FACTS 3.9;
WINDOWS-OBSERVED section 7, W65-W72, and W54, W56, W59, W60)."""

from __future__ import annotations

import ctypes

import pytest
from ovl_kit import ERR, PROFILES, World

import wsspi_sim as ws

ALL = ws.FD_READ | ws.FD_WRITE | ws.FD_OOB | ws.FD_ACCEPT | ws.FD_CONNECT | ws.FD_CLOSE


def enum(w: World, s: int, ev: int | None) -> tuple[int, list[int]]:
    """WSAEnumNetworkEvents: (lNetworkEvents, iErrorCode) with untouched slots
    pre-filled with 0x7777 (W65: slots of bits not set are left alone)."""
    ne = ws.WSANETWORKEVENTS()
    for i in range(len(ne.iErrorCode)):
        ne.iErrorCode[i] = 0x7777
    assert w.api.WSAEnumNetworkEvents(s, ev, ne) == 0, w.err()
    return int(ne.lNetworkEvents), list(ne.iErrorCode)


def bits(w: World, s: int, ev: int | None) -> int:
    return enum(w, s, ev)[0]


# -- the association -----------------------------------------------------------------------


@pytest.mark.parametrize("profile", PROFILES)
def test_event_select_makes_socket_nonblocking(profile: str) -> None:
    """SPI-FACTS 3.9: "WSPEventSelect sets the socket nonblocking regardless of
    lNetworkEvents"; W72: FIONBIO(1) then succeeds but FIONBIO(0) fails WSAEINVAL
    while the association is active; cancelling it (lNetworkEvents 0) allows it."""
    w = World(profile)
    c, _ = w.pair()
    ev = w.event()
    assert w.api.WSAEventSelect(c, ev, ws.FD_READ) == 0
    assert w.api.recv(c, bytearray(4), 4, 0) == ERR and w.err() == ws.WSAEWOULDBLOCK
    assert w.api.ioctlsocket(c, ws.FIONBIO, ctypes.c_ulong(1)) == 0
    assert w.api.ioctlsocket(c, ws.FIONBIO, ctypes.c_ulong(0)) == ERR
    assert w.err() == ws.WSAEINVAL
    assert w.api.WSAEventSelect(c, None, 0) == 0  # hEventObject ignored when cancelling
    assert w.api.recv(c, bytearray(4), 4, 0) == ERR and w.err() == ws.WSAEWOULDBLOCK
    assert w.api.ioctlsocket(c, ws.FIONBIO, ctypes.c_ulong(0)) == 0


@pytest.mark.parametrize("profile", PROFILES)
def test_event_select_errors(profile: str) -> None:
    """WSAEventSelect on a handle that is not a socket: WSAENOTSOCK; a nonzero
    mask with something that is not an event: WSAEINVAL (an invalid parameter)."""
    w = World(profile)
    c, _ = w.pair()
    assert w.api.WSAEventSelect(0x7FFF0001, w.event(), ws.FD_READ) == ERR
    assert w.err() == ws.WSAENOTSOCK
    assert w.api.WSAEventSelect(c, 0x7FFF0000, ws.FD_READ) == ERR
    assert w.err() == ws.WSAEINVAL


@pytest.mark.parametrize("profile", PROFILES)
def test_one_association_per_socket(profile: str) -> None:
    """SPI-FACTS 3.9: "Only one event object per socket": a new WSAEventSelect
    cancels the previous one -- events now go to the new event only."""
    w = World(profile)
    c, s = w.pair()
    ev1, ev2 = w.event(), w.event()
    assert w.api.WSAEventSelect(c, ev1, ws.FD_READ) == 0
    assert w.api.WSAEventSelect(c, ev2, ws.FD_READ) == 0
    w.send(s, b"x")
    assert w.signalled(ev2) and not w.signalled(ev1)


@pytest.mark.parametrize("profile", PROFILES)
def test_registration_is_per_underlying_socket(profile: str) -> None:
    """SPI-FACTS 3.7: "Event registration (WSPAsyncSelect/WSPEventSelect) is per
    underlying socket: issuing one via any descriptor cancels the previous
    registration made via any descriptor"."""
    w = World(profile)
    c, s = w.pair()
    other = w.host.new_process()
    other.WSAStartup(0x0202, ws.WSADATA())
    info = ws.WSAPROTOCOL_INFOW()
    assert w.api.WSADuplicateSocketW(c, other.GetCurrentProcessId(), info) == 0
    d = other.WSASocketW(
        ws.FROM_PROTOCOL_INFO, ws.FROM_PROTOCOL_INFO, ws.FROM_PROTOCOL_INFO, info, 0, 0
    )
    ev = w.event()
    assert w.api.WSAEventSelect(c, ev, ws.FD_READ) == 0
    oev = other.WSACreateEvent()
    assert other.WSAEventSelect(d, oev, ws.FD_READ) == 0
    w.send(s, b"dup")
    assert not w.signalled(ev)
    assert other.WSAWaitForMultipleEvents(1, [oev], False, 0, False) == 0


@pytest.mark.parametrize("profile", PROFILES)
def test_enum_resets_event_and_clears_record(profile: str) -> None:
    """SPI-FACTS 3.9: WSPEnumNetworkEvents "copies the record into
    WSANETWORKEVENTS, clears the record and resets hEventObject (if non-NULL)
    atomically"; W65: it works with hEventObject NULL (then the event is left
    alone)."""
    w = World(profile)
    c, s = w.pair()
    ev = w.event()
    assert w.api.WSAEventSelect(c, ev, ws.FD_READ | ws.FD_CLOSE) == 0
    bits(w, c, ev)  # the initial FD_WRITE (not selected) -- nothing
    w.send(s, b"a")
    assert w.signalled(ev)
    assert bits(w, c, None) == ws.FD_READ
    assert w.signalled(ev)  # NULL: not reset
    assert bits(w, c, ev) == 0
    assert not w.signalled(ev)


@pytest.mark.parametrize("profile", PROFILES)
def test_enum_errors_change_nothing(profile: str) -> None:
    """SPI-FACTS 3.9: "on failure nothing is cleared or reset": WSAEFAULT for a
    NULL WSANETWORKEVENTS, WSAENOTSOCK for a bad socket."""
    w = World(profile)
    c, s = w.pair()
    ev = w.event()
    w.api.WSAEventSelect(c, ev, ws.FD_READ)
    w.send(s, b"a")
    assert w.api.WSAEnumNetworkEvents(c, ev, None) == ERR and w.err() == ws.WSAEFAULT
    assert w.api.WSAEnumNetworkEvents(0x7FFF0001, ev, ws.WSANETWORKEVENTS()) == ERR
    assert w.err() == ws.WSAENOTSOCK
    assert w.signalled(ev)
    assert bits(w, c, ev) == ws.FD_READ
    with pytest.raises(TypeError, match="lpNetworkEvents"):
        w.api.WSAEnumNetworkEvents(c, ev, bytearray(44))


@pytest.mark.parametrize("profile", PROFILES)
def test_event_select_clears_the_record(profile: str) -> None:
    """SPI-FACTS 3.9: WSPEventSelect "clears the internal network-event record";
    a level condition still holding is recorded again at once."""
    w = World(profile)
    c, s = w.pair()
    ev = w.event()
    w.api.WSAEventSelect(c, ev, ws.FD_READ | ws.FD_WRITE)
    bits(w, c, ev)
    w.send(s, b"a")
    w.api.WSAEventSelect(c, ev, ws.FD_WRITE)
    assert bits(w, c, ev) == 0  # the recorded FD_READ is gone
    w.api.WSAEventSelect(c, ev, ws.FD_READ)
    assert bits(w, c, ev) == ws.FD_READ  # data still there: level-triggered


# -- initial events (W65, W68) -----------------------------------------------------------------


@pytest.mark.parametrize("profile", PROFILES)
def test_initial_events_of_unconnected_sockets(profile: str) -> None:
    """W65: bound-but-unconnected TCP -> nothing; unbound UDP -> nothing; bound UDP
    with FD_READ|FD_WRITE -> FD_WRITE once, and re-issuing WSAEventSelect with the
    same mask does not re-report it (repeated 5 times)."""
    w = World(profile)
    t = w.tcp()
    assert w.api.bind(t, ws.sockaddr("127.0.0.1", 0), 16) == 0
    ev = w.event()
    w.api.WSAEventSelect(t, ev, ALL)
    assert bits(w, t, ev) == 0
    u0, _ = w.udp(bind=False)
    w.api.WSAEventSelect(u0, ev, ALL)
    assert bits(w, u0, ev) == 0
    u, _ = w.udp()
    w.api.WSAEventSelect(u, ev, ws.FD_READ | ws.FD_WRITE)
    got, codes = enum(w, u, ev)
    assert got == ws.FD_WRITE and codes[ws.FD_WRITE_BIT] == 0
    assert codes[ws.FD_READ_BIT] == 0x7777  # slots of unset bits untouched
    for _ in range(5):
        assert w.api.WSAEventSelect(u, ev, ws.FD_READ | ws.FD_WRITE) == 0
        assert bits(w, u, ev) == 0


@pytest.mark.parametrize("profile", PROFILES)
def test_connected_tcp_reports_fd_write_once(profile: str) -> None:
    """W65: connected TCP with FD_READ|FD_WRITE -> FD_WRITE reported once;
    re-selecting the same mask does not re-report it."""
    w = World(profile)
    c, _ = w.pair()
    ev = w.event()
    w.api.WSAEventSelect(c, ev, ws.FD_READ | ws.FD_WRITE)
    assert w.signalled(ev)
    assert bits(w, c, ev) == ws.FD_WRITE
    for _ in range(5):
        w.api.WSAEventSelect(c, ev, ws.FD_READ | ws.FD_WRITE)
        assert bits(w, c, ev) == 0


@pytest.mark.parametrize("profile", PROFILES)
def test_connect_events(profile: str) -> None:
    """W68: connect() while selecting -> FD_CONNECT and FD_WRITE, both error 0;
    connected before selecting -> event mode reports FD_CONNECT + FD_WRITE;
    selecting a subset without FD_CONNECT first, then adding it -> FD_CONNECT."""
    w = World(profile)
    lst, port = w.listener()
    c = w.tcp()
    ev = w.event()
    w.api.WSAEventSelect(c, ev, ALL)
    assert w.api.connect(c, ws.sockaddr("127.0.0.1", port), 16) == ERR
    assert w.err() == ws.WSAEWOULDBLOCK  # nonblocking (SPI-FACTS 3.9)
    got, codes = enum(w, c, ev)
    assert got == ws.FD_CONNECT | ws.FD_WRITE
    assert codes[ws.FD_CONNECT_BIT] == codes[ws.FD_WRITE_BIT] == 0
    c2 = w.tcp()
    assert w.api.connect(c2, ws.sockaddr("127.0.0.1", port), 16) == 0
    w.api.WSAEventSelect(c2, ev, ALL)
    assert bits(w, c2, ev) == ws.FD_CONNECT | ws.FD_WRITE
    c3 = w.tcp()
    assert w.api.connect(c3, ws.sockaddr("127.0.0.1", port), 16) == 0
    w.api.WSAEventSelect(c3, ev, ws.FD_READ | ws.FD_WRITE)
    assert bits(w, c3, ev) == ws.FD_WRITE
    w.api.WSAEventSelect(c3, ev, ws.FD_READ | ws.FD_WRITE | ws.FD_CONNECT)
    assert bits(w, c3, ev) == ws.FD_CONNECT


@pytest.mark.parametrize("profile", PROFILES)
def test_refused_connect_reports_fd_connect_with_error(profile: str) -> None:
    """W68 (afd.c test_get_events): a refused nonblocking connect records
    FD_CONNECT carrying WSAECONNREFUSED (SPI-FACTS 3.9 lists it among the
    FD_CONNECT codes); it is one-shot (no FD_CONNECT on the next enumeration)."""
    w = World(profile)
    c = w.tcp()
    ev = w.event()
    w.api.WSAEventSelect(c, ev, ws.FD_CONNECT)
    assert w.api.connect(c, ws.sockaddr("127.0.0.1", 1), 16) == ERR
    got, codes = enum(w, c, ev)
    assert got == ws.FD_CONNECT and codes[ws.FD_CONNECT_BIT] == ws.WSAECONNREFUSED
    assert bits(w, c, ev) == 0


@pytest.mark.parametrize("profile", PROFILES)
def test_connected_udp_reports_connect_and_write(profile: str) -> None:
    """W65: "connecting a UDP socket reports FD_CONNECT and FD_WRITE" (Windows;
    the documents are silent, so both profiles follow it)."""
    w = World(profile)
    u, _ = w.udp(bind=False)
    ev = w.event()
    w.api.WSAEventSelect(u, ev, ALL)
    assert w.api.connect(u, ws.sockaddr("127.0.0.1", 9), 16) == 0
    assert bits(w, u, ev) == ws.FD_CONNECT | ws.FD_WRITE


# -- FD_ACCEPT (W67) -----------------------------------------------------------------------


@pytest.mark.parametrize("profile", PROFILES)
def test_accept_events(profile: str) -> None:
    """W67: WSAEventSelect signals the event immediately if an already-recorded
    event is in the new mask: FD_ACCEPT fires; re-select without FD_ACCEPT ->
    event still signalled; ResetEvent, re-select without it -> not signalled;
    re-select with FD_ACCEPT -> signalled at once, enumeration returns FD_ACCEPT."""
    w = World(profile)
    lst, port = w.listener()
    ev = w.event()
    w.api.WSAEventSelect(lst, ev, ws.FD_ACCEPT)
    c = w.tcp()
    assert w.api.connect(c, ws.sockaddr("127.0.0.1", port), 16) == 0
    assert w.signalled(ev)
    w.api.WSAEventSelect(lst, ev, ws.FD_READ)
    assert w.signalled(ev)
    w.api.WSAResetEvent(ev)
    w.api.WSAEventSelect(lst, ev, ws.FD_READ)
    assert not w.signalled(ev)
    w.api.WSAEventSelect(lst, ev, ws.FD_ACCEPT)
    assert w.signalled(ev)
    assert bits(w, lst, ev) == ws.FD_ACCEPT


@pytest.mark.parametrize("profile", PROFILES)
def test_fd_accept_is_level_triggered_and_reenabled_by_accept(profile: str) -> None:
    """SPI-FACTS 3.9: FD_ACCEPT is level-triggered and re-enabled by WSPAccept:
    after an accept, it is recorded again while connections remain queued, and
    not once the queue is empty."""
    w = World(profile)
    lst, port = w.listener()
    ev = w.event()
    w.api.WSAEventSelect(lst, ev, ws.FD_ACCEPT)
    for _ in range(2):
        c = w.tcp()
        assert w.api.connect(c, ws.sockaddr("127.0.0.1", port), 16) == 0
    assert bits(w, lst, ev) == ws.FD_ACCEPT
    assert bits(w, lst, ev) == 0  # not re-enabled yet
    assert w.api.accept(lst, None, None) != ws.INVALID_SOCKET
    assert bits(w, lst, ev) == ws.FD_ACCEPT  # one still queued
    assert w.api.accept(lst, None, None) != ws.INVALID_SOCKET
    assert bits(w, lst, ev) == 0
    assert w.api.accept(lst, None, None) == ws.INVALID_SOCKET
    assert w.err() == ws.WSAEWOULDBLOCK


@pytest.mark.parametrize("profile", PROFILES)
def test_deferred_accept_does_not_reenable(profile: str) -> None:
    """SPI-FACTS 3.9: FD_ACCEPT is re-enabled by WSPAccept "unless it returned
    WSATRY_AGAIN for CF_DEFER"."""
    w = World(profile)
    lst, port = w.listener()
    ev = w.event()
    w.api.WSAEventSelect(lst, ev, ws.FD_ACCEPT)
    c = w.tcp()
    w.api.connect(c, ws.sockaddr("127.0.0.1", port), 16)
    assert bits(w, lst, ev) == ws.FD_ACCEPT

    def defer(*args: object) -> int:
        return ws.CF_DEFER

    assert w.api.WSAAccept(lst, None, None, defer, 0) == ws.INVALID_SOCKET
    assert w.err() == ws.WSATRY_AGAIN
    assert bits(w, lst, ev) == 0
    assert w.api.accept(lst, None, None) != ws.INVALID_SOCKET


@pytest.mark.parametrize("profile", PROFILES)
def test_accepted_socket_inherits_the_association(profile: str) -> None:
    """SPI-FACTS 3.9: "Accepted sockets inherit the listening socket's event
    association and mask"; W68: an accepted socket reports FD_WRITE only; it is
    nonblocking like the listener (W72: FIONBIO 0 fails WSAEINVAL)."""
    w = World(profile)
    lst, port = w.listener()
    ev = w.event()
    w.api.WSAEventSelect(lst, ev, ws.FD_ACCEPT | ws.FD_READ | ws.FD_WRITE | ws.FD_CLOSE)
    c = w.tcp()
    w.api.connect(c, ws.sockaddr("127.0.0.1", port), 16)
    assert bits(w, lst, ev) == ws.FD_ACCEPT
    s = w.api.accept(lst, None, None)
    assert w.signalled(ev)
    assert bits(w, s, ev) == ws.FD_WRITE
    w.send(c, b"hi")
    assert w.signalled(ev) and bits(w, s, ev) == ws.FD_READ
    assert w.api.ioctlsocket(s, ws.FIONBIO, ctypes.c_ulong(0)) == ERR
    assert w.err() == ws.WSAEINVAL


# -- FD_READ (W70) -----------------------------------------------------------------------------


@pytest.mark.parametrize("profile", PROFILES)
def test_fd_read_level_triggered_and_reenabled_by_recv(profile: str) -> None:
    """SPI-FACTS 3.9 and W70: data -> FD_READ; a recv of part of the data ->
    FD_READ re-signalled while data remains; after the last byte is read,
    nothing."""
    w = World(profile)
    c, s = w.pair()
    ev = w.event()
    w.api.WSAEventSelect(c, ev, ws.FD_READ)
    w.send(s, b"abcdef")
    got, codes = enum(w, c, ev)
    assert got == ws.FD_READ and codes[ws.FD_READ_BIT] == 0
    assert w.recv(c, 2) == b"ab"
    assert w.signalled(ev) and bits(w, c, ev) == ws.FD_READ
    assert w.recv(c, 8) == b"cdef"
    assert not w.signalled(ev) and bits(w, c, ev) == 0


@pytest.mark.parametrize("profile", PROFILES)
def test_more_data_before_any_recv(profile: str) -> None:
    """W70: "more data before any recv -> FD_READ again in event mode" on Windows;
    SPI-FACTS 3.9: FD_READ is re-enabled only by a receive, so the documented
    profile records nothing new (Policy.fd_read_per_arrival)."""
    w = World(profile)
    c, s = w.pair()
    ev = w.event()
    w.api.WSAEventSelect(c, ev, ws.FD_READ)
    w.send(s, b"one")
    assert bits(w, c, ev) == ws.FD_READ
    w.send(s, b"two")
    assert bits(w, c, ev) == (ws.FD_READ if w.windows else 0)
    assert w.recv(c, 1) == b"o"
    assert bits(w, c, ev) == ws.FD_READ  # any recv re-enables (both profiles)


@pytest.mark.parametrize("profile", PROFILES)
def test_data_while_not_selecting(profile: str) -> None:
    """W70: data arriving while not selecting is reported on the next select;
    data consumed while not selecting -> nothing."""
    w = World(profile)
    c, s = w.pair()
    ev = w.event()
    w.send(s, b"early")
    w.api.WSAEventSelect(c, ev, ws.FD_READ)
    assert bits(w, c, ev) == ws.FD_READ
    w.api.WSAEventSelect(c, None, 0)
    assert w.recv(c, 8) == b"early"
    w.api.WSAEventSelect(c, ev, ws.FD_READ)
    assert bits(w, c, ev) == 0


@pytest.mark.parametrize("profile", PROFILES)
def test_pending_receive_prevents_fd_read(profile: str) -> None:
    """W70: "A pending WSARecv that consumes the data prevents FD_READ; the next
    arrival re-signals it"."""
    w = World(profile)
    c, s = w.pair()
    ev = w.event()
    w.api.WSAEventSelect(c, ev, ws.FD_READ)
    ov = ws.WSAOVERLAPPED(hEvent=w.event())
    assert w.recv_ov(c, 8, ov)[0] == ERR
    w.send(s, b"eaten")
    assert ov.InternalHigh == 5
    assert not w.signalled(ev) and bits(w, c, ev) == 0
    w.send(s, b"next")
    assert bits(w, c, ev) == ws.FD_READ


@pytest.mark.parametrize("profile", PROFILES)
def test_datagram_fd_read(profile: str) -> None:
    """SPI-FACTS 3.9: FD_READ for datagrams, level-triggered: re-recorded after a
    recvfrom while datagrams remain."""
    w = World(profile)
    a, _ = w.udp()
    b, pb = w.udp()
    ev = w.event()
    w.api.WSAEventSelect(b, ev, ws.FD_READ)
    to = ws.sockaddr("127.0.0.1", pb)
    w.api.sendto(a, b"1", 1, 0, to, 16)
    w.api.sendto(a, b"2", 1, 0, to, 16)
    assert bits(w, b, ev) == ws.FD_READ
    assert w.recv(b, 4) == b"1"
    assert bits(w, b, ev) == ws.FD_READ
    assert w.recv(b, 4) == b"2"
    assert bits(w, b, ev) == 0


# -- FD_WRITE (W69) ----------------------------------------------------------------------------


@pytest.mark.parametrize("profile", PROFILES)
def test_fd_write_after_wouldblock_and_drain(profile: str) -> None:
    """W69 and SPI-FACTS 3.9: "FD_WRITE is recorded on connect/accept completion
    and afterwards only after a send failed with WSAEWOULDBLOCK and space became
    available"; sending does not clear FD_WRITE."""
    w = World(profile)
    c, s = w.pair(rcvbuf=8, sndbuf=8)
    ev = w.event()
    w.api.WSAEventSelect(c, ev, ws.FD_WRITE)
    assert w.send(c, b"12345") == 5
    assert bits(w, c, ev) == ws.FD_WRITE  # the initial one, not cleared by send
    while w.api.send(c, b"x" * 8, 8, 0) != ERR:
        pass
    assert w.err() == ws.WSAEWOULDBLOCK
    assert bits(w, c, ev) == 0
    w.recv(s, 64)
    assert w.signalled(ev) and bits(w, c, ev) == ws.FD_WRITE


@pytest.mark.parametrize("profile", PROFILES)
def test_adding_fd_write_later_reports_it(profile: str) -> None:
    """W69: selecting a subset without FD_WRITE (client: FD_CONNECT shows), then
    adding FD_WRITE -> FD_WRITE reported."""
    w = World(profile)
    c, _ = w.pair()
    ev = w.event()
    w.api.WSAEventSelect(c, ev, ws.FD_CONNECT)
    assert bits(w, c, ev) == ws.FD_CONNECT
    w.api.WSAEventSelect(c, ev, ws.FD_CONNECT | ws.FD_WRITE)
    assert bits(w, c, ev) == ws.FD_WRITE


# -- FD_CLOSE (W54, W56, W59, W60, W21) ----------------------------------------------------------


@pytest.mark.parametrize("profile", PROFILES)
def test_graceful_peer_close_reports_fd_close_zero(profile: str) -> None:
    """W59 and SPI-FACTS 3.9: graceful close by the peer -> FD_CLOSE with error 0
    (only FD_CLOSE, not also FD_READ); recv then returns 0; it is one-shot."""
    w = World(profile)
    c, s = w.pair()
    ev = w.event()
    w.api.WSAEventSelect(c, ev, ws.FD_READ | ws.FD_CLOSE)
    assert w.api.closesocket(s) == 0
    got, codes = enum(w, c, ev)
    assert got == ws.FD_CLOSE and codes[ws.FD_CLOSE_BIT] == 0
    assert w.api.recv(c, bytearray(4), 4, 0) == 0
    assert bits(w, c, ev) == 0


@pytest.mark.parametrize("profile", PROFILES)
def test_peer_shutdown_send_reports_fd_close_once(profile: str) -> None:
    """W54: peer SD_SEND -> local FD_CLOSE (error 0); the peer's later
    closesocket produces no second event."""
    w = World(profile)
    c, s = w.pair()
    ev = w.event()
    w.api.WSAEventSelect(c, ev, ws.FD_CLOSE)
    assert w.api.shutdown(s, ws.SD_SEND) == 0
    assert bits(w, c, ev) == ws.FD_CLOSE
    assert w.api.closesocket(s) == 0
    assert bits(w, c, ev) == 0


@pytest.mark.parametrize("profile", PROFILES)
def test_data_then_close(profile: str) -> None:
    """W60: peer sends 5 bytes then closes -> Windows reports FD_CLOSE while the
    data is still unread; the API doc (SPI-FACTS 3.9) says FD_CLOSE only after
    all data has been read (Policy.fd_close_waits_for_data).  Reading the rest
    gives no second FD_CLOSE."""
    w = World(profile)
    c, s = w.pair()
    ev = w.event()
    w.api.WSAEventSelect(c, ev, ws.FD_READ | ws.FD_CLOSE)
    w.send(s, b"12345")
    assert bits(w, c, ev) == ws.FD_READ
    assert w.api.closesocket(s) == 0
    assert bits(w, c, ev) == (ws.FD_CLOSE if w.windows else 0)
    assert w.recv(c, 3) == b"123"
    assert bits(w, c, ev) == ws.FD_READ
    assert w.recv(c, 3) == b"45"
    assert bits(w, c, ev) == (0 if w.windows else ws.FD_CLOSE)
    assert bits(w, c, ev) == 0


@pytest.mark.parametrize("profile", PROFILES)
def test_peer_reset_fd_close_error(profile: str) -> None:
    """W56: abortive close by the peer -> FD_CLOSE with iErrorCode WSAECONNABORTED
    on Windows; SPI-FACTS 3.9: "WSAECONNRESET = circuit reset" (documented).
    Re-calling WSAEventSelect does not report it again."""
    w = World(profile)
    c, s = w.pair()
    ev = w.event()
    w.api.WSAEventSelect(c, ev, ws.FD_READ | ws.FD_CLOSE)
    w.rst_close(s)
    got, codes = enum(w, c, ev)
    assert got == ws.FD_CLOSE
    assert codes[ws.FD_CLOSE_BIT] == (ws.WSAECONNABORTED if w.windows else ws.WSAECONNRESET)
    w.api.WSAEventSelect(c, ev, ws.FD_READ | ws.FD_CLOSE)
    assert bits(w, c, ev) == 0


@pytest.mark.parametrize("profile", PROFILES)
def test_no_fd_close_for_own_close(profile: str) -> None:
    """SPI-FACTS 3.7 point 5: "FD_CLOSE is not posted after WSPCloseSocket" to the
    socket's own client (W21: no FD_CLOSE); seed 004: no event objects are
    signalled during closure."""
    w = World(profile)
    c, _ = w.pair()
    ev = w.event()
    w.api.WSAEventSelect(c, ev, ws.FD_CLOSE | ws.FD_READ)
    assert bits(w, c, ev) == 0
    assert w.api.closesocket(c) == 0
    assert not w.signalled(ev)
    lst, port = w.listener()
    w.api.WSAEventSelect(lst, ev, ws.FD_ACCEPT | ws.FD_CLOSE)
    c2 = w.tcp()
    w.api.connect(c2, ws.sockaddr("127.0.0.1", port), 16)
    w.api.WSAResetEvent(ev)
    assert w.api.closesocket(lst) == 0
    assert not w.signalled(ev)


@pytest.mark.parametrize("profile", PROFILES)
def test_local_shutdown_records_nothing_locally(profile: str) -> None:
    """SPI-FACTS 3.9: FD_CLOSE is recorded when the *peer's* FIN or close is
    received; W54: "Peer SD_RECEIVE plus local SD_BOTH -> no events at all"."""
    w = World(profile)
    c, s = w.pair()
    ev = w.event()
    w.api.WSAEventSelect(c, ev, ws.FD_CLOSE | ws.FD_READ)
    w.api.WSAEventSelect(s, w.event(), ws.FD_CLOSE)
    assert w.api.shutdown(s, ws.SD_RECEIVE) == 0
    assert w.api.shutdown(c, ws.SD_BOTH) == 0
    assert bits(w, c, ev) == 0
