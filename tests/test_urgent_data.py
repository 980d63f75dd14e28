"""TCP urgent (out-of-band) data: send(MSG_OOB), recv(MSG_OOB), SO_OOBINLINE,
SIOCATMARK, FIONREAD, FD_OOB, select's exceptfds and WSAPoll's POLLRDBAND.

Sources: WINDOWS-OBSERVED W70 (its OOB paragraph: Wine's test_oob_events,
test_select and test_WSAPoll, which run on Windows) and W74
(test_fionread_siocatmark); SPI-FACTS 3.6 (MSG_OOB on a non-stream socket is
WSAEOPNOTSUPP) and 3.9 (FD_OOB is level-triggered, re-enabled by a receive);
the Winsock "protocol-independent out-of-band data" text (a receive never spans
the mark; with SO_OOBINLINE the urgent byte is read by itself; OOB data can be
peeked); the simulator's choices in docs/design-choices.md, "Urgent data".
"""

from __future__ import annotations

import ctypes

import pytest
from ovl_kit import ERR, PROFILES, Later, World

import wsspi_sim as ws
from wsspi_sim.testing import connected_tcp_pair, started_winsock

ALL = ws.FD_READ | ws.FD_WRITE | ws.FD_OOB | ws.FD_ACCEPT | ws.FD_CONNECT | ws.FD_CLOSE
#: What WSAPoll is asked for in Wine's check_poll (every input bit).
POLL_ALL = ws.POLLRDNORM | ws.POLLRDBAND | ws.POLLWRNORM


def nonblocking(w: World, s: int) -> None:
    assert w.api.ioctlsocket(s, ws.FIONBIO, ctypes.c_ulong(1)) == 0


def oob(w: World, s: int, data: bytes = b"!") -> None:
    assert w.api.send(s, data, len(data), ws.MSG_OOB) == len(data), w.err()


def recv_oob(w: World, s: int, n: int = 1, flags: int = ws.MSG_OOB) -> bytes | int:
    """recv(MSG_OOB): the bytes, or the error code."""
    buf = bytearray(n)
    got = w.api.recv(s, buf, n, flags)
    return w.err() if got == ERR else bytes(buf[:got])


def recv_err(w: World, s: int, n: int = 16) -> bytes | int:
    """A normal recv: the bytes, or the error code."""
    buf = bytearray(n)
    got = w.api.recv(s, buf, n, 0)
    return w.err() if got == ERR else bytes(buf[:got])


def fionread_atmark(w: World, s: int) -> tuple[int, int]:
    """(FIONREAD, SIOCATMARK), as Wine's check_fionread_siocatmark reads them."""
    n, m = ctypes.c_ulong(0xDEAD), ctypes.c_ulong(0xDEAD)
    assert w.api.ioctlsocket(s, ws.FIONREAD, n) == 0, w.err()
    assert w.api.ioctlsocket(s, ws.SIOCATMARK, m) == 0, w.err()
    return int(n.value), int(m.value)


def inline(w: World, s: int, on: bool = True) -> None:
    w.setopt(s, ws.SO_OOBINLINE, int(on))


def select(w: World, s: int) -> tuple[bool, bool]:
    """select with ``s`` in readfds and exceptfds, not waiting: (readable, except)."""
    rd, ex = [s], [s]
    assert w.api.select(0, rd, None, ex, ws.timeval(0, 0)) != ERR, w.err()
    return s in rd, s in ex


def poll(w: World, s: int, events: int = POLL_ALL) -> int:
    fd = ws.WSAPOLLFD(fd=s, events=events, revents=0)
    assert w.api.WSAPoll([fd], 1, 0) != ERR, w.err()
    return int(fd.revents)


def events(w: World, s: int, ev: int) -> int:
    ne = ws.WSANETWORKEVENTS()
    assert w.api.WSAEnumNetworkEvents(s, ev, ne) == 0, w.err()
    return int(ne.lNetworkEvents)


# -- out of band (SO_OOBINLINE off) -------------------------------------------------------


@pytest.mark.parametrize("profile", PROFILES)
def test_select_reports_urgent_data_in_exceptfds(profile: str) -> None:
    """W70 (test_select ≈4960): a MSG_OOB byte puts the socket in exceptfds, not
    readfds; recv(MSG_OOB) with a larger buffer returns just that byte.  With
    SO_OOBINLINE it is normal data: readfds, recv(MSG_OOB) fails WSAEINVAL, a
    normal recv returns it, and nothing is left after it."""
    w = World(profile)
    c, s = w.pair()
    nonblocking(w, s)
    oob(w, c, b"A")
    assert select(w, s) == (False, True)
    assert recv_oob(w, s, 16) == b"A"
    assert select(w, s) == (False, False)
    inline(w, s)
    oob(w, c, b"A")
    assert select(w, s) == (True, False)
    assert recv_oob(w, s, 16) == ws.WSAEINVAL
    assert recv_err(w, s) == b"A"
    assert recv_err(w, s) == ws.WSAEWOULDBLOCK


@pytest.mark.parametrize("profile", PROFILES)
def test_wsapoll_reports_urgent_data_as_pollrdband(profile: str) -> None:
    """W70 (test_WSAPoll ≈8450): urgent data held out of band is POLLRDBAND (not
    POLLRDNORM); once read, only POLLWRNORM is left.  With SO_OOBINLINE the
    byte is POLLRDNORM, like normal data."""
    w = World(profile)
    c, s = w.pair()
    oob(w, c, b"A")
    assert poll(w, s, ws.POLLRDNORM | ws.POLLRDBAND) == ws.POLLRDBAND
    assert poll(w, s) == ws.POLLWRNORM | ws.POLLRDBAND
    assert poll(w, s, ws.POLLRDNORM) == 0
    assert recv_oob(w, s) == b"A"
    assert poll(w, s) == ws.POLLWRNORM
    inline(w, s)
    oob(w, c, b"A")
    assert poll(w, s, ws.POLLRDNORM | ws.POLLRDBAND) == ws.POLLRDNORM
    assert recv_err(w, s, 1) == b"A"
    assert poll(w, s) == ws.POLLWRNORM


@pytest.mark.parametrize("profile", PROFILES)
def test_fd_oob_is_level_triggered_and_reenabled_by_recv(profile: str) -> None:
    """W70 (test_oob_events ≈7360), SPI-FACTS 3.9: a MSG_OOB byte records FD_OOB
    (error 0), not FD_READ.  A second one before any receive records FD_OOB
    again on Windows (Policy.fd_read_per_arrival), not in the documented
    profile.  A recv(MSG_OOB) re-enables FD_OOB, recorded again while urgent
    data remains; with none left, nothing.  Urgent data that arrived while not
    selecting is reported on the next WSAEventSelect."""
    w = World(profile)
    c, s = w.pair()
    ev = w.event()
    assert w.api.WSAEventSelect(s, ev, ALL & ~ws.FD_WRITE) == 0
    assert events(w, s, ev) == 0
    oob(w, c, b"a")
    ne = ws.WSANETWORKEVENTS()
    assert w.api.WSAEnumNetworkEvents(s, ev, ne) == 0
    assert ne.lNetworkEvents == ws.FD_OOB and ne.iErrorCode[ws.FD_OOB_BIT] == 0
    assert events(w, s, ev) == 0
    oob(w, c, b"b")
    # Windows: FD_OOB again; documented: no FD_OOB (not re-enabled), but "a" is
    # normal data now, and FD_READ was never recorded
    assert events(w, s, ev) == (ws.FD_OOB if w.windows else ws.FD_READ)
    if w.windows:  # both urgent bytes are held (Policy.urgent_bytes_queue)
        assert recv_oob(w, s) == b"a"
        assert events(w, s, ev) == ws.FD_OOB
        assert recv_oob(w, s) == b"b"
        assert events(w, s, ev) == 0
    else:  # "b" replaced the mark; "a" is normal data now
        assert recv_oob(w, s) == b"b"
        assert events(w, s, ev) == ws.FD_READ
        assert recv_err(w, s) == b"a"
        assert events(w, s, ev) == 0
    assert w.api.WSAEventSelect(s, ev, 0) == 0
    oob(w, c, b"c")
    assert w.api.WSAEventSelect(s, ev, ALL & ~ws.FD_WRITE) == 0
    assert events(w, s, ev) == ws.FD_OOB
    assert recv_oob(w, s) == b"c"


@pytest.mark.parametrize("profile", PROFILES)
def test_urgent_byte_is_the_last_byte_and_normal_receives_skip_it(profile: str) -> None:
    """W74: after "data" and a MSG_OOB byte, FIONREAD counts only the normal
    bytes and SIOCATMARK is FALSE [TODO_WINE]; send(MSG_OOB) of several bytes
    sends the rest as normal data and its last byte as the urgent byte.  A
    normal receive never reads the urgent byte and does not span its place
    (Winsock OOB text: one recv before the mark, another after it)."""
    w = World(profile)
    c, s = w.pair()
    nonblocking(w, s)
    assert w.send(c, b"abc") == 3
    oob(w, c, b"de!")
    assert w.send(c, b"fg") == 2
    assert fionread_atmark(w, s) == (7, ws.FALSE)
    assert recv_err(w, s, 100) == b"abcde"
    assert fionread_atmark(w, s) == (2, ws.FALSE)
    assert recv_err(w, s, 100) == b"fg"
    assert recv_err(w, s, 100) == ws.WSAEWOULDBLOCK
    assert recv_oob(w, s, 8) == b"!"
    assert fionread_atmark(w, s) == (0, ws.TRUE)


@pytest.mark.parametrize("profile", PROFILES)
def test_reading_the_urgent_byte_first(profile: str) -> None:
    """The Winsock OOB text: the urgent byte "jumps the queue" -- recv(MSG_OOB)
    reads it before the normal data in front of it.  Our choice ("Urgent
    data"): the mark goes with the byte, so SIOCATMARK is TRUE at once (no OOB
    data waits, W74) and a normal receive no longer stops at its place."""
    w = World(profile)
    c, s = w.pair()
    assert w.send(c, b"abc") == 3
    oob(w, c, b"de!")
    assert w.send(c, b"fg") == 2
    assert recv_oob(w, s, 8) == b"!"
    assert fionread_atmark(w, s) == (7, ws.TRUE)
    assert recv_err(w, s, 100) == b"abcdefg"


@pytest.mark.parametrize("profile", PROFILES)
def test_urgent_data_can_be_peeked(profile: str) -> None:
    """The Winsock OOB text: "It is possible to peek at OOB data": MSG_OOB |
    MSG_PEEK returns the urgent byte and leaves it held."""
    w = World(profile)
    c, s = w.pair()
    oob(w, c, b"xy")
    assert recv_oob(w, s, 4, ws.MSG_OOB | ws.MSG_PEEK) == b"y"
    assert fionread_atmark(w, s) == (1, ws.FALSE)
    assert recv_oob(w, s, 4) == b"y"
    assert fionread_atmark(w, s) == (1, ws.TRUE)


@pytest.mark.parametrize("profile", PROFILES)
def test_second_urgent_byte_before_the_first_is_read(profile: str) -> None:
    """W74 (test_fionread_siocatmark ≈5860) and W70 (test_oob_events): on
    Windows two urgent sends give two held urgent bytes, FIONREAD still counts
    the 5 normal bytes, each recv(MSG_OOB) returns one, and POLLRDBAND stays
    until both are read.  Documented profile (the BSD model of WinSock 1.1):
    the new urgent byte replaces the mark and the old one becomes normal data
    at its place.  Policy.urgent_bytes_queue."""
    w = World(profile)
    c, s = w.pair()
    nonblocking(w, s)
    assert w.send(c, b"data\0") == 5
    assert fionread_atmark(w, s) == (5, ws.TRUE)
    oob(w, c, b"a")
    assert fionread_atmark(w, s) == (5, ws.FALSE)
    oob(w, c, b"b")
    if w.windows:
        assert fionread_atmark(w, s) == (5, ws.FALSE)
        assert recv_err(w, s, 3) == b"dat"
        assert fionread_atmark(w, s) == (2, ws.FALSE)
        assert recv_oob(w, s) == b"a"
        assert poll(w, s, ws.POLLRDBAND) == ws.POLLRDBAND
        assert fionread_atmark(w, s) == (2, ws.FALSE)
        assert recv_err(w, s, 5) == b"a\0"
        assert fionread_atmark(w, s) == (0, ws.FALSE)
        assert recv_oob(w, s) == b"b"
        assert fionread_atmark(w, s) == (0, ws.TRUE)
    else:
        assert fionread_atmark(w, s) == (6, ws.FALSE)
        assert recv_err(w, s, 3) == b"dat"
        assert recv_oob(w, s) == b"b"
        assert poll(w, s, ws.POLLRDBAND) == 0
        assert fionread_atmark(w, s) == (3, ws.TRUE)
        assert recv_err(w, s, 5) == b"a\0a"
        assert recv_oob(w, s) == ws.WSAEWOULDBLOCK


# -- SO_OOBINLINE --------------------------------------------------------------------------


@pytest.mark.parametrize("profile", PROFILES)
def test_oobinline_before_arrival(profile: str) -> None:
    """W74: with SO_OOBINLINE already on when the byte arrives, FIONREAD is 1 and
    SIOCATMARK TRUE on Windows; the ioctlsocket/WSPIoctl documentation says
    FALSE while OOB data waits to be read (Policy.siocatmark_true_at_inline_mark).
    W70: it is reported as normal data (FD_READ, no FD_OOB); recv(MSG_OOB) is
    WSAEINVAL; after it is read, SIOCATMARK is TRUE in both profiles."""
    w = World(profile)
    c, s = w.pair()
    inline(w, s)
    ev = w.event()
    assert w.api.WSAEventSelect(s, ev, ws.FD_READ | ws.FD_OOB) == 0
    oob(w, c, b"a")
    assert events(w, s, ev) == ws.FD_READ
    assert fionread_atmark(w, s) == (1, ws.TRUE if w.windows else ws.FALSE)
    assert recv_oob(w, s) == ws.WSAEINVAL
    assert recv_err(w, s) == b"a"
    assert fionread_atmark(w, s) == (0, ws.TRUE)


@pytest.mark.parametrize("profile", PROFILES)
def test_oobinline_after_arrival(profile: str) -> None:
    """W74: turning SO_OOBINLINE on after the byte arrived: FIONREAD 1 and
    SIOCATMARK FALSE until it is read, then (0, TRUE); the byte is normal data
    from then on (readfds, recv(MSG_OOB) WSAEINVAL)."""
    w = World(profile)
    c, s = w.pair()
    oob(w, c, b"a")
    assert poll(w, s, ws.POLLRDBAND) == ws.POLLRDBAND
    assert fionread_atmark(w, s) == (0, ws.FALSE)
    inline(w, s)
    assert fionread_atmark(w, s) == (1, ws.FALSE)
    assert select(w, s) == (True, False)
    assert recv_oob(w, s) == ws.WSAEINVAL
    assert recv_err(w, s, 1) == b"a"
    assert fionread_atmark(w, s) == (0, ws.TRUE)
    oob(w, c, b"a")
    assert poll(w, s, ws.POLLRDNORM | ws.POLLRDBAND) == ws.POLLRDNORM
    assert fionread_atmark(w, s) == (1, ws.TRUE if w.windows else ws.FALSE)


@pytest.mark.parametrize("profile", PROFILES)
def test_inline_urgent_byte_is_read_by_itself(profile: str) -> None:
    """The Winsock OOB text, SO_OOBINLINE on: "there must be three read requests
    to get past the OOB data" -- the normal data before it, the urgent byte,
    the data after it.  SIOCATMARK (W74; Policy.siocatmark_true_at_inline_mark):
    FALSE while data precedes the mark; at the mark TRUE on Windows, FALSE
    documented; TRUE once the byte is read."""
    w = World(profile)
    c, s = w.pair()
    inline(w, s)
    assert w.send(c, b"abc") == 3
    oob(w, c, b"de!")
    assert w.send(c, b"fg") == 2
    assert fionread_atmark(w, s) == (8, ws.FALSE)
    assert recv_err(w, s, 100) == b"abcde"
    assert fionread_atmark(w, s) == (3, ws.TRUE if w.windows else ws.FALSE)
    assert recv_err(w, s, 100) == b"!"
    assert fionread_atmark(w, s) == (2, ws.TRUE)
    assert recv_err(w, s, 100) == b"fg"


@pytest.mark.parametrize("profile", PROFILES)
def test_oobinline_turned_off_again(profile: str) -> None:
    """Our choice (docs/design-choices.md "Urgent data"): SO_OOBINLINE decides
    where an urgent byte goes when it arrives; turning it off leaves bytes
    already in the stream there, and the next urgent byte is held."""
    w = World(profile)
    c, s = w.pair()
    inline(w, s)
    oob(w, c, b"a")
    inline(w, s, False)
    oob(w, c, b"b")
    if w.windows:
        assert fionread_atmark(w, s) == (1, ws.FALSE)
        assert recv_oob(w, s) == b"b"
        assert recv_err(w, s) == b"a"
    else:  # "b" replaced the mark: "a" is plain data
        assert recv_oob(w, s) == b"b"
        assert fionread_atmark(w, s) == (1, ws.TRUE)
        assert recv_err(w, s) == b"a"


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("listener_inline", [False, True])
def test_urgent_data_before_accept(profile: str, listener_inline: bool) -> None:
    """Our choice ("Urgent data"): an urgent byte that arrives before accept is
    held; if the accepted socket inherits SO_OOBINLINE from the listener (W63),
    it goes back into the stream as when SO_OOBINLINE is turned on after arrival
    (W74: SIOCATMARK FALSE until read)."""
    w = World(profile)
    lst, port = w.listener()
    if listener_inline:
        inline(w, lst)
    c = w.tcp()
    assert w.api.connect(c, ws.sockaddr("127.0.0.1", port), 16) == 0
    oob(w, c, b"x!")
    s = int(w.api.accept(lst, None, None))
    if listener_inline:
        assert fionread_atmark(w, s) == (2, ws.FALSE)
        assert recv_err(w, s) == b"x"
        assert recv_err(w, s) == b"!"
        assert fionread_atmark(w, s) == (0, ws.TRUE)
    else:
        assert fionread_atmark(w, s) == (1, ws.FALSE)
        assert recv_oob(w, s) == b"!"
        assert recv_err(w, s) == b"x"


# -- receiving urgent data that has not come --------------------------------------------


@pytest.mark.parametrize("profile", PROFILES)
def test_recv_oob_without_urgent_data(profile: str) -> None:
    """Our choice (ReactOS msafd WSPRecv: a MSG_OOB receive is an expedited AFD
    receive that pends like any other): no urgent data held -> a nonblocking
    socket fails WSAEWOULDBLOCK; normal data does not satisfy it; a blocking
    one times out (SO_RCVTIMEO, W41) or returns the urgent byte sent meanwhile;
    after the peer's FIN it returns 0."""
    w = World(profile)
    c, s = w.pair()
    nonblocking(w, s)
    assert recv_oob(w, s) == ws.WSAEWOULDBLOCK
    assert w.send(c, b"normal") == 6
    assert recv_oob(w, s) == ws.WSAEWOULDBLOCK
    c2, s2 = w.pair()
    w.setopt(s2, ws.SO_RCVTIMEO, 100)
    assert w.send(c2, b"normal") == 6
    assert recv_oob(w, s2) == ws.WSAETIMEDOUT
    with Later(w, lambda: oob(w, c2, b"!")):
        assert recv_oob(w, s2) == b"!"
    assert w.api.shutdown(c2, ws.SD_SEND) == 0
    assert recv_oob(w, s2, 4) == b""


@pytest.mark.parametrize("profile", PROFILES)
def test_overlapped_recv_oob(profile: str) -> None:
    """Our choice ("Urgent data"): an overlapped recv(MSG_OOB) completes at once
    with a held urgent byte (flags MSG_OOB, as ReactOS msafd reports
    STATUS_RECEIVE_EXPEDITED); with none it pends until one arrives.  Normal
    data neither completes it nor waits behind it: a normal overlapped receive
    issued meanwhile completes with that data."""
    w = World(profile)
    c, s = w.pair()
    oob(w, c, b"1")
    buf, got, flags = bytearray(4), ctypes.c_ulong(), ctypes.c_ulong(ws.MSG_OOB)
    ov = ws.WSAOVERLAPPED(hEvent=w.event())
    assert w.api.WSARecv(s, [ws.WSABUF(4, buf)], 1, got, flags, ov, None) == 0
    assert (got.value, flags.value, buf[:1]) == (1, ws.MSG_OOB, b"1")
    flags.value = ws.MSG_OOB
    ov2 = ws.WSAOVERLAPPED(hEvent=w.event())
    assert w.api.WSARecv(s, [ws.WSABUF(4, buf)], 1, got, flags, ov2, None) == ERR
    assert w.err() == ws.WSA_IO_PENDING
    assert w.send(c, b"ab") == 2
    assert w.result(s, ov2)[3] == ws.WSA_IO_INCOMPLETE
    rc, nbuf, _ = w.recv_ov(s, 8, ws.WSAOVERLAPPED(hEvent=w.event()))
    assert rc == 0 and nbuf[:2] == b"ab"
    oob(w, c, b"xy")
    assert w.result(s, ov2)[:3] == (ws.TRUE, 1, ws.MSG_OOB) and buf[:1] == b"y"
    assert recv_err(w, s) == b"x"


@pytest.mark.parametrize("profile", PROFILES)
def test_pending_recv_oob_prevents_fd_oob(profile: str) -> None:
    """W70's rule for FD_READ, applied to FD_OOB: a pending receive that takes
    the urgent byte at once leaves no FD_OOB to record; the next urgent byte
    records it.  A pending normal receive does not take urgent data."""
    w = World(profile)
    c, s = w.pair()
    ev = w.event()
    assert w.api.WSAEventSelect(s, ev, ws.FD_READ | ws.FD_OOB) == 0
    rc, buf, _ = w.recv_ov(s, 4, ws.WSAOVERLAPPED(hEvent=w.event()))
    assert rc == ERR and w.err() == ws.WSA_IO_PENDING
    flags = ctypes.c_ulong(ws.MSG_OOB)
    obuf, ov = bytearray(1), ws.WSAOVERLAPPED(hEvent=w.event())
    assert w.api.WSARecv(s, [ws.WSABUF(1, obuf)], 1, None, flags, ov, None) == ERR
    oob(w, c, b"u")
    assert obuf == b"u" and ov.InternalHigh == 1
    assert events(w, s, ev) == 0
    oob(w, c, b"v")
    assert events(w, s, ev) == ws.FD_OOB
    assert buf == bytes(4)  # the normal receive still waits


# -- the sender's side ---------------------------------------------------------------------


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("reader", ["recv", "WSARecv"])
def test_urgent_byte_waiting_in_the_send_queue(profile: str, reader: str) -> None:
    """Our transport model (docs/design-choices.md "Core model"): bytes wait in
    the sender's queue while the receive window is full, the urgent byte with
    them; it becomes urgent data at the receiver when a read there pulls it
    across -- and a recv(MSG_OOB) pending meanwhile then completes with it.
    Both the switch's recv (fast path) and WSARecv (general path)."""
    w = World(profile)
    c, s = w.pair(rcvbuf=4)
    assert w.send(c, b"abcd") == 4
    oob(w, c, b"xyz!")
    assert fionread_atmark(w, s) == (4, ws.TRUE)
    assert select(w, s) == (True, False)
    flags = ctypes.c_ulong(ws.MSG_OOB)
    obuf, ov = bytearray(1), ws.WSAOVERLAPPED(hEvent=w.event())
    assert w.api.WSARecv(s, [ws.WSABUF(1, obuf)], 1, None, flags, ov, None) == ERR
    assert w.err() == ws.WSA_IO_PENDING
    if reader == "recv":
        assert recv_err(w, s, 4) == b"abcd"
    else:
        rc, buf, _ = w.recv_ov(s, 4, ws.WSAOVERLAPPED(hEvent=w.event()))
        assert rc == 0 and buf == b"abcd"
    assert obuf == b"!" and w.result(s, ov)[:3] == (ws.TRUE, 1, ws.MSG_OOB)
    assert fionread_atmark(w, s) == (3, ws.TRUE)
    assert recv_err(w, s) == b"xyz"


@pytest.mark.parametrize("profile", PROFILES)
def test_partial_nonblocking_urgent_send(profile: str) -> None:
    """Our choice ("Urgent data"): the urgent byte is the last byte of the send;
    a nonblocking send(MSG_OOB) that accepts only part of the data has not sent
    it, so no urgent data arrives; sending the rest with MSG_OOB sends it."""
    w = World(profile)
    c, s = w.pair(rcvbuf=4, sndbuf=4)
    nonblocking(w, c)
    assert w.api.send(c, b"0123456789", 10, ws.MSG_OOB) == 8
    assert recv_err(w, s, 8) == b"0123"
    assert recv_err(w, s, 8) == b"4567"
    assert fionread_atmark(w, s) == (0, ws.TRUE)
    oob(w, c, b"89")
    assert recv_oob(w, s) == b"9"
    assert recv_err(w, s) == b"8"


@pytest.mark.parametrize("profile", PROFILES)
def test_overlapped_urgent_send_that_pends(profile: str) -> None:
    """Issue 3 (an overlapped send pends while the window is full) with MSG_OOB:
    when the peer drains, the rest goes and its last byte is urgent data."""
    w = World(profile)
    c, s = w.pair(rcvbuf=4, sndbuf=4)
    data = b"0123456789"
    ov = ws.WSAOVERLAPPED(hEvent=w.event())
    sent = ctypes.c_ulong()
    assert w.api.WSASend(c, [ws.WSABUF(10, data)], 1, sent, ws.MSG_OOB, ov, None) == ERR
    assert w.err() == ws.WSA_IO_PENDING
    assert recv_err(w, s, 4) == b"0123"
    assert recv_err(w, s, 4) == b"4567"
    assert w.result(c, ov)[:2] == (ws.TRUE, 10)
    assert recv_oob(w, s) == b"9"
    assert recv_err(w, s) == b"8"


@pytest.mark.parametrize("profile", PROFILES)
def test_msg_oob_on_datagram_sockets_is_unsupported(profile: str) -> None:
    """SPI-FACTS 3.6: WSAEOPNOTSUPP for MSG_OOB on a non-stream socket, on every
    send and receive entry point."""
    w = World(profile)
    u, port = w.udp()
    to = ws.sockaddr("127.0.0.1", port)
    buf = bytearray(4)
    assert w.api.send(u, b"x", 1, ws.MSG_OOB) == ERR and w.err() == ws.WSAEOPNOTSUPP
    assert w.api.sendto(u, b"x", 1, ws.MSG_OOB, to, 16) == ERR and w.err() == ws.WSAEOPNOTSUPP
    assert w.api.recv(u, buf, 4, ws.MSG_OOB) == ERR and w.err() == ws.WSAEOPNOTSUPP
    assert w.api.recvfrom(u, buf, 4, ws.MSG_OOB, None, None) == ERR and w.err() == ws.WSAEOPNOTSUPP


@pytest.mark.parametrize("profile", PROFILES)
def test_blocking_select_wakes_for_urgent_data(profile: str) -> None:
    """W70 (exceptfds) with DESIGN 3 (a blocking call waits until something
    completes it): select blocked on exceptfds returns when a MSG_OOB byte
    arrives."""
    w = World(profile)
    c, s = w.pair()
    ex = [s]
    with Later(w, lambda: oob(w, c, b"!")):
        assert w.api.select(0, None, None, ex, None) == 1
    assert ex == [s]


@pytest.mark.parametrize("profile", PROFILES)
def test_urgent_data_after_shutdown_receive(profile: str) -> None:
    """Urgent data is data: after shutdown(SD_RECEIVE) it resets the connection
    in the documented profile (SPI-FACTS 3.8), as normal data does; Windows
    keeps accepting it (W46, W48; Policy.shutdown_receive_resets), held, and
    recv(MSG_OOB) fails WSAESHUTDOWN like any receive (W46)."""
    w = World(profile)
    c, s = w.pair()
    assert w.api.shutdown(s, ws.SD_RECEIVE) == 0
    oob(w, c, b"!")
    if w.windows:
        assert select(w, s) == (False, True)
        assert recv_oob(w, s) == ws.WSAESHUTDOWN
        assert w.send(c, b"more") == 4
    else:
        assert select(w, s)[1] is False
        assert w.api.send(c, b"more", 4, 0) == ERR and w.err() == ws.WSAECONNRESET


@pytest.mark.parametrize("profile", PROFILES)
def test_reset_discards_held_urgent_data(profile: str) -> None:
    """SPI-FACTS 3.7 / W56: a reset discards unread data -- urgent data held out
    of band too: exceptfds and SIOCATMARK stop reporting it and recv(MSG_OOB)
    reports the reset."""
    w = World(profile)
    c, s = w.pair()
    oob(w, c, b"!")
    assert select(w, s)[1]
    w.rst_close(c)
    assert select(w, s) == (True, False)
    assert fionread_atmark(w, s) == (0, ws.TRUE)
    assert recv_oob(w, s) == ws.WSAECONNRESET


@pytest.mark.parametrize("profile", PROFILES)
def test_urgent_data_in_strict_simulator_and_through_wsasend(profile: str) -> None:
    """DESIGN 2: urgent data is modelled, so a strict simulator (issue 6) does
    not raise; WSASend with several buffers and MSG_OOB makes the last byte of
    the whole send urgent (the buffers are one send)."""
    api = started_winsock(ws.Simulator(profile=profile, strict=True))
    pair = connected_tcp_pair(api)
    sent = ctypes.c_ulong()
    bufs = [ws.WSABUF(2, b"ab"), ws.WSABUF(2, b"cd")]
    assert api.WSASend(pair.client, bufs, 2, sent, ws.MSG_OOB, None, None) == 0 and sent.value == 4
    buf = bytearray(8)
    assert api.recv(pair.server, buf, 8, ws.MSG_OOB) == 1 and buf[:1] == b"d"
    assert api.recv(pair.server, buf, 8, 0) == 3 and buf[:3] == b"abc"
