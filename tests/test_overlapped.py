"""Overlapped requests: WSARecv / WSASend / WSARecvFrom / WSASendTo / WSAIoctl
with a WSAOVERLAPPED, the fields of the structure, immediate and later
completion, and WSAGetOverlappedResult (SPI-FACTS 3.4; WINDOWS-OBSERVED
section 4, W37-W42, W83)."""

from __future__ import annotations

import ctypes
import threading

import pytest
from ovl_kit import ERR, PROFILES, Later, Out, Recorder, World

import wsspi_sim as ws
from wsspi_sim.errors import ntstatus_to_wsa

# -- the fields of WSAOVERLAPPED ----------------------------------------------------------


@pytest.mark.parametrize("profile", PROFILES)
def test_pending_receive_is_marked_in_progress_and_counts_untouched(profile: str) -> None:
    """SPI-FACTS 3.4: "At start of an overlapped op: Internal =
    WSS_OPERATION_IN_PROGRESS"; a call that returns WSA_IO_PENDING does not
    update lpNumberOfBytesRecvd; W39: Internal = STATUS_PENDING (the same 0x103)."""
    w = World(profile)
    c, _s = w.pair()
    ov = ws.WSAOVERLAPPED(hEvent=w.event())
    rc, _buf, got = w.recv_ov(c, 8, ov)
    assert (rc, w.err()) == (ERR, ws.WSA_IO_PENDING)
    assert ov.Internal == ws.WSS_OPERATION_IN_PROGRESS == ws.STATUS_PENDING
    assert got.value == 0xDEAD


@pytest.mark.parametrize("profile", PROFILES)
def test_completion_writes_bytes_flags_error_and_status(profile: str) -> None:
    """SPI-FACTS 3.4: at completion InternalHigh = bytes, Offset = flags,
    OffsetHigh = the Winsock error, Internal something other than 0x103 (DESIGN 2:
    the NTSTATUS in profile "windows", STATUS_SUCCESS for success)."""
    w = World(profile)
    c, s = w.pair()
    ov = ws.WSAOVERLAPPED(hEvent=w.event())
    rc, buf, _ = w.recv_ov(c, 8, ov)
    assert rc == ERR
    assert w.send(s, b"abc") == 3
    assert ov.InternalHigh == 3
    assert ov.Offset == 0 and ov.OffsetHigh == 0
    assert ov.Internal != ws.WSS_OPERATION_IN_PROGRESS
    if w.windows:
        assert ov.Internal == ws.STATUS_SUCCESS
    assert bytes(buf[:3]) == b"abc"


@pytest.mark.parametrize("profile", PROFILES)
def test_pending_request_resets_its_event(profile: str) -> None:
    """SPI-FACTS 3.4: "The function that started the operation resets hEvent to
    non-signaled" when the operation is pending."""
    w = World(profile)
    c, _ = w.pair()
    ev = w.event()
    assert w.api.WSASetEvent(ev)
    rc, _, _ = w.recv_ov(c, 4, ws.WSAOVERLAPPED(hEvent=ev))
    assert rc == ERR and w.err() == ws.WSA_IO_PENDING
    assert not w.signalled(ev)


# -- immediate completion still notifies ------------------------------------------------


@pytest.mark.parametrize("profile", PROFILES)
def test_immediate_receive_returns_zero_and_notifies_event_and_port(profile: str) -> None:
    """SPI-FACTS 3.4: "Returns 0 if completed immediately"; the completion
    indication still occurs: the event is signalled and a packet is queued."""
    w = World(profile)
    c, s = w.pair()
    port = w.api.CreateIoCompletionPort(c, None, 42, 0)
    assert w.send(s, b"hello") == 5
    ev = w.event()
    ov = ws.WSAOVERLAPPED(hEvent=ev)
    rc, buf, got = w.recv_ov(c, 16, ov)
    assert rc == 0
    assert got.value == 5 and bytes(buf[:5]) == b"hello"
    assert w.signalled(ev)
    assert w.packets(port) == [(1, 5, 42, ov, 0)]


@pytest.mark.parametrize("profile", PROFILES)
def test_immediate_completion_queues_the_routine(profile: str) -> None:
    """SPI-FACTS 3.4: "Returns 0 if completed immediately (completion routine, if
    any, has already been queued)"; it runs in the next alertable wait."""
    w = World(profile)
    c, s = w.pair()
    w.send(s, b"xyz")
    rec = Recorder()
    ov = ws.WSAOVERLAPPED()
    rc, _, got = w.recv_ov(c, 8, ov, rec)
    assert rc == 0 and got.value == 3
    assert rec.calls == []  # queued, not run: the thread has not been alertable yet
    assert w.alert() == ws.WAIT_IO_COMPLETION
    assert rec.calls == [(0, 3, ov, 0)]


@pytest.mark.parametrize("profile", PROFILES)
def test_immediate_send_completion_notifies(profile: str) -> None:
    """SPI-FACTS 3.4 applies to WSPSend too: an overlapped send that completes at
    once returns 0, reports the count, signals the event and queues a packet."""
    w = World(profile)
    c, s = w.pair()
    port = w.api.CreateIoCompletionPort(c, None, 7, 0)
    ev = w.event()
    ov = ws.WSAOVERLAPPED(hEvent=ev)
    rc, sent = w.send_ov(c, b"data!", ov)
    assert rc == 0 and sent.value == 5
    assert w.signalled(ev) and ov.InternalHigh == 5
    assert w.packets(port) == [(1, 5, 7, ov, 0)]
    assert w.recv(s, 16) == b"data!"


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("case", ["notconn", "nobuf", "noflags", "badflags"])
def test_failing_call_starts_nothing_and_notifies_nothing(profile: str, case: str) -> None:
    """SPI-FACTS 3.4: "any other error means no operation was started and no
    completion indication will occur": no event, no packet, no routine, the
    OVERLAPPED untouched."""
    w = World(profile)
    if case == "notconn":
        s = w.tcp()
    else:
        s, _ = w.pair()
    w.api.CreateIoCompletionPort(s, None, 1, 0)
    port_h = w.api.CreateIoCompletionPort(s, None, 1, 0)  # second association fails
    assert port_h is None
    port = w.port()
    s2 = s
    ev = w.event()
    ov = ws.WSAOVERLAPPED(Internal=0x1234, InternalHigh=0x55, hEvent=ev)
    buf = bytearray(8)
    got = ctypes.c_ulong(0)
    flags: object = ctypes.c_ulong(0)
    bufs: object = [ws.WSABUF(8, buf)]
    want = {"notconn": ws.WSAENOTCONN, "nobuf": ws.WSAEFAULT, "noflags": ws.WSAEFAULT,
            "badflags": ws.WSAEOPNOTSUPP}[case]  # fmt: skip
    if case == "nobuf":
        bufs = None
    elif case == "noflags":
        flags = None
    elif case == "badflags":
        flags = ctypes.c_ulong(0x40000)
    rc = w.api.WSARecv(s2, bufs, 1, got, flags, ov, None)
    assert (rc, w.err()) == (ERR, want)
    assert (ov.Internal, ov.InternalHigh) == (0x1234, 0x55)
    assert not w.signalled(ev)
    assert w.gqcs(port)[3] is None
    # and with a routine: it is never queued
    rec = Recorder()
    assert w.api.WSARecv(s2, bufs, 1, got, flags, ws.WSAOVERLAPPED(), rec) == ERR
    assert w.alert() == 0 and rec.calls == []


# -- later completion ----------------------------------------------------------------------


@pytest.mark.parametrize("profile", PROFILES)
def test_pending_receives_complete_in_issue_order(profile: str) -> None:
    """W39 (test_simultaneous_async_recv): two pending 16-byte WSARecvs, the peer
    sends 32 bytes -> they complete in issue order, bytes 0-15 then 16-31."""
    w = World(profile)
    c, s = w.pair()
    ev1, ev2 = w.event(), w.event()
    ov1, ov2 = ws.WSAOVERLAPPED(hEvent=ev1), ws.WSAOVERLAPPED(hEvent=ev2)
    r1, b1, _ = w.recv_ov(c, 16, ov1)
    r2, b2, _ = w.recv_ov(c, 16, ov2)
    assert r1 == r2 == ERR
    data = bytes(range(32))
    assert w.send(s, data) == 32
    assert w.signalled(ev1) and w.signalled(ev2)
    assert (bytes(b1), bytes(b2)) == (data[:16], data[16:])
    assert ov1.InternalHigh == ov2.InternalHigh == 16


@pytest.mark.parametrize("profile", PROFILES)
def test_pending_receives_deliver_routines_in_issue_order(profile: str) -> None:
    """W39 and SPI-FACTS 3.4: the completion order is the issue order, also for
    completion routines (APCs run FIFO in the issuing thread)."""
    w = World(profile)
    c, s = w.pair()
    order: list[int] = []
    ovs = [ws.WSAOVERLAPPED() for _ in range(3)]
    bufs = []
    for i, ov in enumerate(ovs):
        rc, b, _ = w.recv_ov(c, 2, ov, lambda e, n, o, f, i=i: order.append(i))
        assert rc == ERR
        bufs.append(b)
    w.send(s, b"aabbcc")
    assert w.alert() == ws.WAIT_IO_COMPLETION
    assert order == [0, 1, 2]
    assert [bytes(b) for b in bufs] == [b"aa", b"bb", b"cc"]


@pytest.mark.parametrize("profile", PROFILES)
def test_zero_length_receive_completes_without_consuming(profile: str) -> None:
    """Issue 3 part 1: a zero-length receive completes (when data is there, at
    once; otherwise when data arrives) and consumes nothing."""
    w = World(profile)
    c, s = w.pair()
    ev = w.event()
    ov = ws.WSAOVERLAPPED(hEvent=ev)
    rc, _, _ = w.recv_ov(c, 0, ov)
    assert (rc, w.err()) == (ERR, ws.WSA_IO_PENDING)
    assert not w.signalled(ev)
    w.send(s, b"keep")
    assert w.signalled(ev) and ov.InternalHigh == 0 and ov.OffsetHigh == 0
    ov2 = ws.WSAOVERLAPPED(hEvent=w.event())
    rc, _, got = w.recv_ov(c, 0, ov2)
    assert rc == 0 and got.value == 0
    assert w.recv(c, 16) == b"keep"


@pytest.mark.parametrize("profile", PROFILES)
def test_send_pends_on_full_window_and_completes_when_peer_drains(profile: str) -> None:
    """Issue 3 part 1 and DESIGN 3 ("a sender can meet ... a pending overlapped
    send"): the send pends while the window is full and completes, with every
    byte, once the peer reads."""
    w = World(profile)
    c, s = w.pair(rcvbuf=100, sndbuf=100)
    ev = w.event()
    ov = ws.WSAOVERLAPPED(hEvent=ev)
    data = bytes(i % 251 for i in range(500))
    rc, sent = w.send_ov(c, data, ov)
    assert (rc, w.err()) == (ERR, ws.WSA_IO_PENDING)
    assert sent.value == 0xDEAD and not w.signalled(ev)
    got = b""
    while len(got) < len(data):
        got += w.recv(s, 64)
    assert got == data
    assert w.signalled(ev) and ov.InternalHigh == 500 and ov.OffsetHigh == 0


@pytest.mark.parametrize("profile", PROFILES)
def test_sends_queue_behind_a_pending_send(profile: str) -> None:
    """Bytes keep their order (issue 3, invariants): a send issued while another
    is pending queues behind it, even if it would fit."""
    w = World(profile)
    c, s = w.pair(rcvbuf=10, sndbuf=10)
    ov1, ov2 = ws.WSAOVERLAPPED(), ws.WSAOVERLAPPED()
    assert w.send_ov(c, b"A" * 30, ov1)[0] == ERR
    w.recv(s, 5)
    assert w.send_ov(c, b"B", ov2)[0] == ERR
    got = b""
    while len(got) < 26:
        got += w.recv(s, 64)
    assert got == b"A" * 25 + b"B"
    assert ov1.InternalHigh == 30 and ov2.InternalHigh == 1


@pytest.mark.parametrize("profile", PROFILES)
def test_overlapped_sendto_and_recvfrom_on_udp(profile: str) -> None:
    """SPI-FACTS 3.4 rules for WSPSendTo and WSPRecvFrom: an overlapped send
    completes at once (0, event); a pending WSARecvFrom completes with the
    datagram and writes the sender's address."""
    w = World(profile)
    a, pa = w.udp()
    b, pb = w.udp()
    ev = w.event()
    ov = ws.WSAOVERLAPPED(hEvent=ev)
    buf = bytearray(32)
    got, flags = ctypes.c_ulong(0), ctypes.c_ulong(0)
    frm, frmlen = bytearray(16), ctypes.c_int(16)
    rc = w.api.WSARecvFrom(b, [ws.WSABUF(32, buf)], 1, got, flags, frm, frmlen, ov, None)
    assert (rc, w.err()) == (ERR, ws.WSA_IO_PENDING)
    ev2 = w.event()
    ov2 = ws.WSAOVERLAPPED(hEvent=ev2)
    sent = ctypes.c_ulong(0)
    to = ws.sockaddr("127.0.0.1", pb)
    assert w.api.WSASendTo(a, [ws.WSABUF(4, b"ping")], 1, sent, 0, to, 16, ov2, None) == 0
    assert sent.value == 4 and w.signalled(ev2) and ov2.InternalHigh == 4
    assert w.signalled(ev) and ov.InternalHigh == 4 and bytes(buf[:4]) == b"ping"
    assert ws.parse_sockaddr(bytes(frm)) == (ws.AF_INET, "127.0.0.1", pa)


@pytest.mark.parametrize("profile", PROFILES)
def test_truncated_datagram_fails_with_msgsize_and_copied_count(profile: str) -> None:
    """W83: 9-byte datagram into a 6-byte pending receive -> WSAEMSGSIZE with 6
    bytes copied (STATUS_BUFFER_OVERFLOW in Internal on Windows), the rest is
    discarded and the next receive gets the next datagram.  WSAGetOverlappedResult
    reports FALSE/WSAEMSGSIZE; Windows reports the copied count (W83), the
    documented SPI leaves *lpcbTransfer alone on FALSE (SPI-FACTS 3.4)."""
    w = World(profile)
    a, _ = w.udp()
    b, pb = w.udp()
    ov = ws.WSAOVERLAPPED(hEvent=w.event())
    rc, buf, _ = w.recv_ov(b, 6, ov)
    assert rc == ERR
    to = ws.sockaddr("127.0.0.1", pb)
    assert w.api.sendto(a, b"123456789", 9, 0, to, 16) == 9
    assert w.api.sendto(a, b"next", 4, 0, to, 16) == 4
    assert ov.OffsetHigh == ws.WSAEMSGSIZE and ov.InternalHigh == 6
    assert bytes(buf) == b"123456"
    rc, n, _, err = w.result(b, ov)
    assert (rc, err) == (0, ws.WSAEMSGSIZE)
    if w.windows:
        assert ov.Internal == ws.STATUS_BUFFER_OVERFLOW
        assert n == 6
    else:
        assert n == 0xDEAD
    assert w.recv(b, 16) == b"next"


@pytest.mark.parametrize("profile", PROFILES)
def test_overlapped_receive_ignores_so_rcvtimeo(profile: str) -> None:
    """W41: overlapped WSARecv ignores SO_RCVTIMEO (still pending after the
    timeout, completes on data) while a blocking recv fails WSAETIMEDOUT."""
    w = World(profile)
    c, s = w.pair()
    w.setopt(c, ws.SO_RCVTIMEO, 100)
    ev = w.event()
    ov = ws.WSAOVERLAPPED(hEvent=ev)
    assert w.recv_ov(c, 4, ov)[0] == ERR
    assert w.api.WSAWaitForMultipleEvents(1, [ev], False, 200, False) == ws.WSA_WAIT_TIMEOUT
    assert ov.Internal == ws.WSS_OPERATION_IN_PROGRESS
    w.send(s, b"late")
    assert w.signalled(ev) and ov.InternalHigh == 4
    c2, _s2 = w.pair(overlapped=False)
    w.setopt(c2, ws.SO_RCVTIMEO, 100)
    assert w.api.recv(c2, bytearray(4), 4, 0) == ERR and w.err() == ws.WSAETIMEDOUT


@pytest.mark.parametrize("profile", PROFILES)
def test_nonblocking_overlapped_socket_still_pends(profile: str) -> None:
    """W39: on a nonblocking overlapped socket, recv without OVERLAPPED fails
    WSAEWOULDBLOCK, WSARecv with an OVERLAPPED pends (and later completes)."""
    w = World(profile)
    c, s = w.pair()
    arg = ctypes.c_ulong(1)
    assert w.api.ioctlsocket(c, ws.FIONBIO, arg) == 0
    assert w.api.recv(c, bytearray(4), 4, 0) == ERR and w.err() == ws.WSAEWOULDBLOCK
    ov = ws.WSAOVERLAPPED(hEvent=w.event())
    assert w.recv_ov(c, 4, ov)[0] == ERR and w.err() == ws.WSA_IO_PENDING
    w.send(s, b"1234")
    assert ov.InternalHigh == 4


@pytest.mark.parametrize("profile", PROFILES)
def test_overlapped_on_socket_without_overlapped_flag(profile: str) -> None:
    """W39: a socket created without WSA_FLAG_OVERLAPPED given an OVERLAPPED
    completes synchronously (returns 0); on Windows it blocks until data arrives
    regardless of FIONBIO.  Seed 000 ("ignored for non-overlapped sockets") and
    SPI-FACTS 3.4: the documented profile ignores the OVERLAPPED, so a nonblocking
    socket fails WSAEWOULDBLOCK (Policy.overlapped_on_plain_socket_blocks)."""
    w = World(profile)
    c, s = w.pair(overlapped=False)
    w.send(s, b"now")
    ov = ws.WSAOVERLAPPED(hEvent=w.event())
    rc, buf, got = w.recv_ov(c, 8, ov)
    assert rc == 0 and got.value == 3 and bytes(buf[:3]) == b"now"
    assert w.api.ioctlsocket(c, ws.FIONBIO, ctypes.c_ulong(1)) == 0
    if not w.windows:
        rc, _, _ = w.recv_ov(c, 8, ws.WSAOVERLAPPED(hEvent=w.event()))
        assert (rc, w.err()) == (ERR, ws.WSAEWOULDBLOCK)
        return
    ov = ws.WSAOVERLAPPED(hEvent=w.event())
    with Later(w, lambda: w.send(s, b"later")):
        rc, buf, got = w.recv_ov(c, 8, ov)
    assert rc == 0 and got.value == 5 and bytes(buf[:5]) == b"later"


@pytest.mark.parametrize("profile", PROFILES)
def test_routine_without_overlapped_is_synchronous(profile: str) -> None:
    """SPI-FACTS 3.4 ("If both lpOverlapped and lpCompletionRoutine are NULL the
    call is treated as non-overlapped") and W34 (ReactOS WSARecv.c: a routine with
    a NULL OVERLAPPED works synchronously and the routine is not called)."""
    w = World(profile)
    c, s = w.pair()
    w.send(s, b"sync")
    rec = Recorder()
    buf = bytearray(8)
    got, flags = ctypes.c_ulong(0), ctypes.c_ulong(0)
    assert w.api.WSARecv(c, [ws.WSABUF(8, buf)], 1, got, flags, None, rec) == 0
    assert got.value == 4
    assert w.alert() == 0 and rec.calls == []


# -- WSAIoctl with an OVERLAPPED (W37, W38) -------------------------------------------------


@pytest.mark.parametrize("profile", PROFILES)
def test_synchronous_ioctl_with_overlapped_completes_through_it(profile: str) -> None:
    """W37: a synchronous code (FIONREAD) given an OVERLAPPED returns 0 at once,
    Internal 0, and queues a packet; Windows' packet and InternalHigh say 0 bytes
    although lpcbBytesReturned is 4; the documented completion carries the 4
    bytes (SPI-FACTS 3.4: cbTransferred).  Policy.sync_ioctl_completes_with_zero_bytes."""
    w = World(profile)
    c, s = w.pair()
    w.send(s, b"xy")
    port = w.api.CreateIoCompletionPort(c, None, 9, 0)
    out = bytearray(4)
    ret = ctypes.c_ulong(0xDEAD)
    ov = ws.WSAOVERLAPPED(hEvent=w.event())
    assert w.api.WSAIoctl(c, ws.FIONREAD, None, 0, out, 4, ret, ov, None) == 0
    assert ret.value == 4 and int.from_bytes(out, "little") == 2
    shown = 0 if w.windows else 4
    assert ov.Internal == 0 and ov.InternalHigh == shown
    assert w.packets(port) == [(1, shown, 9, ov, 0)]


@pytest.mark.parametrize("profile", PROFILES)
def test_synchronous_ioctl_with_routine_runs_it_once(profile: str) -> None:
    """W37: with a completion routine the APC runs once with error 0 and size 0
    (Windows); the documented size is the bytes returned."""
    w = World(profile)
    c, _ = w.pair()
    rec = Recorder()
    ov = ws.WSAOVERLAPPED()
    assert w.api.WSAIoctl(c, ws.FIONREAD, None, 0, bytearray(4), 4, ctypes.c_ulong(), ov, rec) == 0
    assert w.alert() == ws.WAIT_IO_COMPLETION
    assert w.alert() == 0
    assert rec.calls == [(0, 0 if w.windows else 4, ov, 0)]


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("routine", [False, True])
def test_ioctl_null_byte_count_is_efault_even_overlapped(profile: str, routine: bool) -> None:
    """W37: "A NULL lpcbBytesReturned is WSAEFAULT even when an OVERLAPPED (with or
    without routine) is supplied" -- and nothing is notified (SPI-FACTS 3.4)."""
    w = World(profile)
    c, _ = w.pair()
    rec = Recorder()
    ev = w.event()
    rc = w.api.WSAIoctl(c, ws.FIONREAD, None, 0, bytearray(4), 4, None, ws.WSAOVERLAPPED(hEvent=ev),
                        rec if routine else None)  # fmt: skip
    assert (rc, w.err()) == (ERR, ws.WSAEFAULT)
    assert not w.signalled(ev) and w.alert() == 0 and rec.calls == []


@pytest.mark.parametrize("profile", PROFILES)
def test_unknown_ioctl_without_overlapped_fails_and_zeroes_count(profile: str) -> None:
    """W38: unknown codes without OVERLAPPED -> WSAEOPNOTSUPP and
    *lpcbBytesReturned set to 0 on Windows; the documented answer for a code that
    is "not a valid command" is WSAEINVAL (SPI-FACTS 3.6 WSPIoctl), the count
    zeroed too.  Policy.unknown_ioctl_error."""
    w = World(profile)
    c, _ = w.pair()
    for code in (0xDEADBEEF, 0x667E):
        ret = ctypes.c_ulong(77)
        assert w.api.WSAIoctl(c, code, None, 0, None, 0, ret, None, None) == ERR
        assert (w.err(), ret.value) == (ws.WSAEOPNOTSUPP if w.windows else ws.WSAEINVAL, 0)


@pytest.mark.parametrize("profile", PROFILES)
def test_unknown_ioctl_with_overlapped(profile: str) -> None:
    """W38: with an OVERLAPPED Windows returns ERROR_IO_PENDING (size untouched),
    then a failure packet: FALSE, ERROR_NOT_SUPPORTED, 0 bytes, Internal
    STATUS_NOT_SUPPORTED.  Documented (SPI-FACTS 3.4, 3.6): the call fails at once
    with WSAEINVAL ("not a valid command") and nothing is notified.
    Policy.unknown_ioctl_overlapped_pends, Policy.unknown_ioctl_error."""
    w = World(profile)
    c, _ = w.pair()
    port = w.api.CreateIoCompletionPort(c, None, 5, 0)
    ret = ctypes.c_ulong(77)
    ov = ws.WSAOVERLAPPED(hEvent=w.event())
    rc = w.api.WSAIoctl(c, 0xDEADBEEF, None, 0, None, 0, ret, ov, None)
    assert rc == ERR
    if w.windows:
        assert w.err() == ws.WSA_IO_PENDING and ret.value == 77
        assert ov.Internal == ws.STATUS_NOT_SUPPORTED
        assert w.packets(port) == [(0, 0, 5, ov, ws.ERROR_NOT_SUPPORTED)]
    else:
        assert w.err() == ws.WSAEINVAL and ret.value == 0
        assert w.packets(port) == []


@pytest.mark.parametrize("profile", PROFILES)
def test_unknown_ioctl_with_routine(profile: str) -> None:
    """W38: "With a routine: APC error WSAEOPNOTSUPP, size 0" (Windows); the
    documented call fails at once and the routine never runs."""
    w = World(profile)
    c, _ = w.pair()
    rec = Recorder()
    ov = ws.WSAOVERLAPPED()
    rc = w.api.WSAIoctl(c, 0xDEADBEEF, None, 0, None, 0, ctypes.c_ulong(), ov, rec)
    assert rc == ERR
    w.alert()
    if w.windows:
        assert w.err() == ws.WSA_IO_PENDING or rec.calls
        assert rec.calls == [(ws.WSAEOPNOTSUPP, 0, ov, 0)]
    else:
        assert rec.calls == []


def test_strict_mode_raises_for_unknown_ioctl() -> None:
    """DESIGN 2: "Nothing is a silent stub" -- strict mode raises NotModelledError
    for a code the simulation does not model (SIO_FLUSH, a code Windows defines),
    instead of guessing."""
    sim = ws.Simulator(strict=True)
    api = sim.add_host("10.0.0.1").ws2
    api.WSAStartup(0x0202, ws.WSADATA())
    s = api.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP)
    with pytest.raises(ws.NotModelledError):
        api.WSAIoctl(s, ws.SIO_FLUSH, None, 0, None, 0, ctypes.c_ulong(), ws.WSAOVERLAPPED(), None)


# -- WSAGetOverlappedResult (SPI-FACTS 3.4, W42) -------------------------------------------


@pytest.mark.parametrize("profile", PROFILES)
def test_get_overlapped_result_incomplete_then_done(profile: str) -> None:
    """SPI-FACTS 3.4: while pending and fWait FALSE -> FALSE, WSA_IO_INCOMPLETE
    (W42: STATUS_PENDING -> ERROR_IO_INCOMPLETE); once done -> TRUE with bytes
    and flags."""
    w = World(profile)
    c, s = w.pair()
    ov = ws.WSAOVERLAPPED(hEvent=w.event())
    w.recv_ov(c, 8, ov)
    rc, n, fl, err = w.result(c, ov)
    assert (rc, err, n, fl) == (0, ws.WSA_IO_INCOMPLETE, 0xDEAD, 0xDEAD)
    w.send(s, b"12345")
    rc, n, fl, _ = w.result(c, ov)
    assert (rc, n, fl) == (1, 5, 0)


@pytest.mark.parametrize("profile", PROFILES)
def test_get_overlapped_result_waits_in_virtual_time(profile: str) -> None:
    """SPI-FACTS 3.4: "if fWait wait on hEvent"; the wait ends when another
    thread completes the request."""
    w = World(profile)
    c, s = w.pair()
    ov = ws.WSAOVERLAPPED(hEvent=w.event())
    w.recv_ov(c, 8, ov)
    with Later(w, lambda: w.send(s, b"wake")):
        rc, n, _, _ = w.result(c, ov, wait=True)
    assert (rc, n) == (1, 4)


@pytest.mark.parametrize("profile", PROFILES)
def test_get_overlapped_result_wait_that_cannot_end_is_a_deadlock(profile: str) -> None:
    """DESIGN 3: a blocking call nothing can complete raises SimulationDeadlock
    instead of hanging (WSAGetOverlappedResult with fWait on a request no one
    will complete)."""
    w = World(profile)
    c, _ = w.pair()
    ov = ws.WSAOVERLAPPED(hEvent=w.event())
    w.recv_ov(c, 8, ov)
    with pytest.raises(ws.SimulationDeadlock):
        w.result(c, ov, wait=True)


@pytest.mark.parametrize("profile", PROFILES)
def test_get_overlapped_result_errors(profile: str) -> None:
    """SPI-FACTS 3.4 WSPGetOverlappedResult errors: WSAENOTSOCK, WSAEFAULT for a
    NULL pointer, WSA_INVALID_HANDLE when it must wait on an hEvent that is not an
    event; a failed request reports its own error (WSAECONNRESET here)."""
    w = World(profile)
    c, s = w.pair()
    ov = ws.WSAOVERLAPPED(hEvent=w.event())
    assert (
        w.api.WSAGetOverlappedResult(0x7FFF0001, ov, ctypes.c_ulong(), False, ctypes.c_ulong()) == 0
    )
    assert w.err() == ws.WSAENOTSOCK
    assert w.api.WSAGetOverlappedResult(c, ov, None, False, ctypes.c_ulong()) == 0
    assert w.err() == ws.WSAEFAULT
    bad = ws.WSAOVERLAPPED(hEvent=0x7FFF0000)
    w.recv_ov(c, 4, bad)
    assert w.api.WSAGetOverlappedResult(c, bad, ctypes.c_ulong(), True, ctypes.c_ulong()) == 0
    assert w.err() == ws.WSA_INVALID_HANDLE
    w.rst_close(s)
    rc, _, _, err = w.result(c, bad)
    assert (rc, err) == (0, ws.WSAECONNRESET)
    with pytest.raises(TypeError, match="lpOverlapped"):
        w.api.WSAGetOverlappedResult(c, "ov", ctypes.c_ulong(), False, ctypes.c_ulong())


W42_STATUSES = [
    ws.STATUS_CANCELLED, ws.STATUS_CONNECTION_ABORTED, ws.STATUS_LOCAL_DISCONNECT,
    ws.STATUS_TRANSACTION_ABORTED, ws.STATUS_CONNECTION_RESET, ws.STATUS_REMOTE_DISCONNECT,
    ws.STATUS_CONNECTION_DISCONNECTED, ws.STATUS_LINK_FAILED, ws.STATUS_PORT_UNREACHABLE,
    ws.STATUS_PIPE_DISCONNECTED, ws.STATUS_BUFFER_OVERFLOW, ws.STATUS_INVALID_BUFFER_SIZE,
    ws.STATUS_INVALID_HANDLE, ws.STATUS_OBJECT_TYPE_MISMATCH, ws.STATUS_INVALID_CONNECTION,
    ws.STATUS_DEVICE_NOT_READY, ws.STATUS_REQUEST_NOT_ACCEPTED, ws.STATUS_BUFFER_TOO_SMALL,
    ws.STATUS_ACCESS_VIOLATION, ws.STATUS_NOT_SUPPORTED, ws.STATUS_NOT_IMPLEMENTED,
    ws.STATUS_CONNECTION_REFUSED, ws.STATUS_REMOTE_NOT_LISTENING, ws.STATUS_GRACEFUL_DISCONNECT,
    ws.STATUS_IO_TIMEOUT, ws.STATUS_REQUEST_ABORTED, ws.STATUS_CONNECTION_ACTIVE,
    ws.STATUS_UNSUCCESSFUL,
]  # fmt: skip

W42_EXPECTED = {
    ws.STATUS_CANCELLED: ws.WSA_OPERATION_ABORTED,
    ws.STATUS_CONNECTION_ABORTED: ws.WSAECONNABORTED,
    ws.STATUS_LOCAL_DISCONNECT: ws.WSAECONNABORTED,
    ws.STATUS_TRANSACTION_ABORTED: ws.WSAECONNABORTED,
    ws.STATUS_CONNECTION_RESET: ws.WSAECONNRESET,
    ws.STATUS_REMOTE_DISCONNECT: ws.WSAECONNRESET,
    ws.STATUS_CONNECTION_DISCONNECTED: ws.WSAECONNRESET,
    ws.STATUS_LINK_FAILED: ws.WSAECONNRESET,
    ws.STATUS_PORT_UNREACHABLE: ws.WSAECONNRESET,
    ws.STATUS_PIPE_DISCONNECTED: ws.WSAESHUTDOWN,
    ws.STATUS_BUFFER_OVERFLOW: ws.WSAEMSGSIZE,
    ws.STATUS_INVALID_BUFFER_SIZE: ws.WSAEMSGSIZE,
    ws.STATUS_INVALID_HANDLE: ws.WSAENOTSOCK,
    ws.STATUS_OBJECT_TYPE_MISMATCH: ws.WSAENOTSOCK,
    ws.STATUS_INVALID_CONNECTION: ws.WSAENOTCONN,
    ws.STATUS_DEVICE_NOT_READY: ws.WSAEWOULDBLOCK,
    ws.STATUS_REQUEST_NOT_ACCEPTED: ws.WSAEWOULDBLOCK,
    ws.STATUS_BUFFER_TOO_SMALL: ws.WSAEFAULT,
    ws.STATUS_ACCESS_VIOLATION: ws.WSAEFAULT,
    ws.STATUS_NOT_SUPPORTED: ws.WSAEOPNOTSUPP,
    ws.STATUS_NOT_IMPLEMENTED: ws.WSAEOPNOTSUPP,
    ws.STATUS_CONNECTION_REFUSED: ws.WSAECONNREFUSED,
    ws.STATUS_REMOTE_NOT_LISTENING: ws.WSAECONNREFUSED,
    ws.STATUS_GRACEFUL_DISCONNECT: ws.WSAEDISCON,
    ws.STATUS_IO_TIMEOUT: ws.WSAETIMEDOUT,
    ws.STATUS_REQUEST_ABORTED: ws.WSAEINTR,
    ws.STATUS_CONNECTION_ACTIVE: ws.WSAEISCONN,
    ws.STATUS_UNSUCCESSFUL: ws.WSAEINVAL,  # "any other failure -> WSAEINVAL"
}


@pytest.mark.parametrize("status", W42_STATUSES, ids=lambda v: f"{v:#010x}")
def test_windows_result_maps_internal_status(status: int) -> None:
    """W42: WSAGetOverlappedResult with Internal forced to each NTSTATUS returns
    FALSE for failures with the listed Winsock code, and reports InternalHigh."""
    w = World("windows")
    c, _ = w.pair()
    ov = ws.WSAOVERLAPPED(Internal=status, InternalHigh=3, hEvent=w.event())
    rc, n, _, err = w.result(c, ov)
    assert (rc, err, n) == (0, W42_EXPECTED[status], 3)
    assert ntstatus_to_wsa(status) == W42_EXPECTED[status]


@pytest.mark.parametrize("status", [ws.STATUS_SUCCESS, 0x00000001, 0x40000000])
def test_windows_result_success_statuses_are_true(status: int) -> None:
    """W42: "returns TRUE iff the status is a success status other than
    STATUS_PENDING"; last error = RtlNtStatusToDosError(status) (0 for success)."""
    w = World("windows")
    c, _ = w.pair()
    w.api.WSASetLastError(1234)
    rc, n, _, err = w.result(c, ws.WSAOVERLAPPED(Internal=status, InternalHigh=9))
    assert (rc, n) == (1, 9)
    if status == ws.STATUS_SUCCESS:
        assert err == 0


def test_windows_result_signalled_event_ends_wait_at_once() -> None:
    """W42: "Pending Internal with fWait=TRUE and an already-signalled hEvent ->
    returns TRUE without blocking and without running queued APCs"."""
    w = World("windows")
    c, s = w.pair()
    w.send(s, b"q")
    rec = Recorder()
    w.recv_ov(c, 1, ws.WSAOVERLAPPED(), rec)  # completes at once: an APC is queued
    ev = w.event()
    ov = ws.WSAOVERLAPPED(hEvent=ev)
    w.recv_ov(c, 4, ov)
    assert w.api.WSASetEvent(ev)
    rc, _, _, _ = w.result(c, ov, wait=True)
    assert rc == 1 and ov.Internal == ws.STATUS_PENDING
    assert rec.calls == []


def test_documented_result_reads_offsethigh() -> None:
    """SPI-FACTS 3.4 (LSP convention): WSPGetOverlappedResult returns TRUE iff
    OffsetHigh == 0, the error is OffsetHigh, bytes InternalHigh, flags Offset;
    on FALSE *lpcbTransfer is not updated."""
    w = World("documented")
    c, _ = w.pair()
    ov = ws.WSAOVERLAPPED(Internal=0, InternalHigh=12, Offset=ws.MSG_PARTIAL, OffsetHigh=0)
    assert w.result(c, ov)[:3] == (1, 12, ws.MSG_PARTIAL)
    ov = ws.WSAOVERLAPPED(Internal=1, InternalHigh=12, Offset=0, OffsetHigh=ws.WSAECONNRESET)
    assert w.result(c, ov) == (0, 0xDEAD, 0, ws.WSAECONNRESET)


@pytest.mark.parametrize("profile", PROFILES)
def test_spi_get_overlapped_result_through_lperrno(profile: str) -> None:
    """DESIGN 2: "SPI functions report errors through lpErrno": the provider's
    WSPGetOverlappedResult gives WSA_IO_INCOMPLETE there while pending."""
    w = World(profile)
    c, _ = w.pair()
    ov = ws.WSAOVERLAPPED(hEvent=w.event())
    w.recv_ov(c, 4, ov)
    errno = ctypes.c_int(0)
    assert (
        w.spi.WSPGetOverlappedResult(c, ov, ctypes.c_ulong(), False, ctypes.c_ulong(), errno) == 0
    )
    assert errno.value == ws.WSA_IO_INCOMPLETE


# -- the provider completes through the upcalls (SPI-FACTS 3.3, 3.4) -------------------------


@pytest.mark.parametrize("profile", PROFILES)
def test_completions_go_through_the_upcalls(profile: str) -> None:
    """SPI-FACTS 3.4: a non-IFS provider completes event/port requests with
    WPUCompleteOverlappedRequest and routine requests with WPUQueueApc; a pending
    request's event is reset with WPUResetEvent -- visible in the trace."""
    w = World(profile, trace=True)
    c, s = w.pair()
    tr = w.sim.tracer
    assert tr is not None
    start = len(tr.events)
    w.recv_ov(c, 4, ws.WSAOVERLAPPED(hEvent=w.event()))
    w.send(s, b"abcd")
    w.recv_ov(c, 4, ws.WSAOVERLAPPED(), Recorder())
    w.send(s, b"efgh")
    names = [e.name for e in tr.events[start:] if e.kind == "upcall"]
    assert names.count("WPUResetEvent") == 1
    assert names.count("WPUCompleteOverlappedRequest") == 1
    assert names.count("WPUQueueApc") == 1
    assert names.index("WPUResetEvent") < names.index("WPUCompleteOverlappedRequest")


@pytest.mark.parametrize("profile", PROFILES)
def test_direct_spi_call_with_routine_and_no_thread_id(profile: str) -> None:
    """DESIGN 2 ("lpThreadId may be None for a non-overlapped WSP call") and
    SPI-FACTS 3.3: a direct overlapped WSPRecv with a routine and no thread id
    still runs the routine in the calling thread (the provider asks the switch,
    WPUOpenCurrentThread)."""
    w = World(profile)
    c, s = w.pair()
    rec = Recorder()
    ov = ws.WSAOVERLAPPED()
    buf = bytearray(4)
    errno = ctypes.c_int(0)
    rc = w.spi.WSPRecv(
        c, [ws.WSABUF(4, buf)], 1, ctypes.c_ulong(), ctypes.c_ulong(0), ov, rec, None, errno
    )
    assert (rc, errno.value) == (ERR, ws.WSA_IO_PENDING)
    w.send(s, b"spi!")
    assert w.alert() == ws.WAIT_IO_COMPLETION
    assert rec.calls == [(0, 4, ov, 0)] and rec.threads == [threading.get_ident()]


@pytest.mark.parametrize("profile", PROFILES)
def test_wpu_complete_overlapped_request_on_unknown_socket(profile: str) -> None:
    """SPI-FACTS 3.4: WPUCompleteOverlappedRequest "works only on sockets created
    by WPUCreateSocketHandle; otherwise returns SOCKET_ERROR with WSAEINVAL"."""
    w = World(profile)
    errno = ctypes.c_int(0)
    rc = w.api.WPUCompleteOverlappedRequest(0x7FFF0001, ws.WSAOVERLAPPED(), 0, 0, errno)
    assert (rc, errno.value) == (ERR, ws.WSAEINVAL)


@pytest.mark.parametrize("profile", PROFILES)
def test_wrong_overlapped_type_is_a_type_error(profile: str) -> None:
    """DESIGN 2: misuse C would not compile raises a clear TypeError naming the
    parameter."""
    w = World(profile)
    c, _ = w.pair()
    with pytest.raises(TypeError, match="lpOverlapped"):
        w.api.WSARecv(
            c, [ws.WSABUF(4, bytearray(4))], 1, ctypes.c_ulong(), ctypes.c_ulong(), object(), None
        )
    with pytest.raises(TypeError, match="lpOverlapped"):
        w.api.WSASend(c, [ws.WSABUF(1, b"x")], 1, ctypes.c_ulong(), 0, Out(), None)
