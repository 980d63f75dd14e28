"""I/O completion ports: CreateIoCompletionPort, GetQueuedCompletionStatus,
PostQueuedCompletionStatus, the low bit of hEvent, routines on associated
sockets (issue 3 part 2; DESIGN 2; SPI-FACTS 3.4; W34, W42, W43, W55)."""

from __future__ import annotations

import ctypes

import pytest
from ovl_kit import ERR, PROFILES, Later, Out, Recorder, World

import wsspi_sim as ws

INVALID_HANDLE_VALUE = 0xFFFFFFFFFFFFFFFF


@pytest.mark.parametrize("profile", PROFILES)
def test_create_port_and_associate_in_one_call(profile: str) -> None:
    """DESIGN 2: "CreateIoCompletionPort(s, None, key, 0) creates a port and
    associates the socket in one call"; its completions carry the key."""
    w = World(profile)
    c, s = w.pair()
    port = w.api.CreateIoCompletionPort(c, None, 0xABC, 0)
    assert port
    ov = ws.WSAOVERLAPPED()
    assert w.recv_ov(c, 4, ov)[0] == ERR
    assert w.gqcs(port)[3] is None  # ERROR_IO_PENDING: no packet yet (W21)
    w.send(s, b"four")
    assert w.gqcs(port) == (1, 4, 0xABC, ov, 0)


@pytest.mark.parametrize("profile", PROFILES)
def test_associate_with_an_existing_port(profile: str) -> None:
    """CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 0) makes a port;
    CreateIoCompletionPort(s, port, key, 0) associates and returns that port.
    Two sockets on one port keep their own keys; packets come out FIFO."""
    w = World(profile)
    port = w.port()
    (c1, s1), (c2, s2) = w.pair(), w.pair()
    assert w.api.CreateIoCompletionPort(c1, port, 1, 0) == port
    assert w.api.CreateIoCompletionPort(c2, port, 2, 0) == port
    ov1, ov2 = ws.WSAOVERLAPPED(), ws.WSAOVERLAPPED()
    w.recv_ov(c1, 8, ov1)
    w.recv_ov(c2, 8, ov2)
    w.send(s2, b"two")
    w.send(s1, b"one!")
    assert w.packets(port) == [(1, 3, 2, ov2, 0), (1, 4, 1, ov1, 0)]


@pytest.mark.parametrize("profile", PROFILES)
def test_port_creation_errors(profile: str) -> None:
    """A handle joins one port only (ERROR_INVALID_PARAMETER the second time); a
    handle that is not a socket or port gives ERROR_INVALID_HANDLE."""
    w = World(profile)
    c, _ = w.pair()
    assert w.api.CreateIoCompletionPort(c, None, 1, 0)
    assert w.api.CreateIoCompletionPort(c, None, 2, 0) is None
    assert w.err() == ws.ERROR_INVALID_PARAMETER
    assert w.api.CreateIoCompletionPort(0x7FFF0001, None, 1, 0) is None
    assert w.err() == ws.ERROR_INVALID_HANDLE
    c2, _ = w.pair()
    assert w.api.CreateIoCompletionPort(c2, 0x7FFF0005, 1, 0) is None
    assert w.err() == ws.ERROR_INVALID_HANDLE


@pytest.mark.parametrize("profile", PROFILES)
def test_empty_port_times_out_in_virtual_time(profile: str) -> None:
    """DESIGN 2: "A GetQueuedCompletionStatus that dequeues nothing returns FALSE
    with lpOverlapped.value None" (last error WAIT_TIMEOUT); the timeout runs
    in virtual time (DESIGN 3)."""
    w = World(profile)
    port = w.port()
    t0 = w.sim.now
    rc, _, _, ov, err = w.gqcs(port, 700)
    assert (rc, ov, err) == (0, None, ws.WAIT_TIMEOUT)
    assert w.sim.now - t0 == pytest.approx(0.7)
    with pytest.raises(ws.SimulationDeadlock, match="GetQueuedCompletionStatus"):
        w.gqcs(port, ws.WSA_INFINITE)


@pytest.mark.parametrize("profile", PROFILES)
def test_gqcs_waits_for_a_completion(profile: str) -> None:
    """A thread blocked in GetQueuedCompletionStatus(INFINITE) gets the packet of
    a request another thread completes."""
    w = World(profile)
    c, s = w.pair()
    port = w.api.CreateIoCompletionPort(c, None, 3, 0)
    ov = ws.WSAOVERLAPPED()
    w.recv_ov(c, 8, ov)
    with Later(w, lambda: w.send(s, b"hi")):
        got = w.gqcs(port, ws.WSA_INFINITE)
    assert got == (1, 2, 3, ov, 0)


@pytest.mark.parametrize("profile", PROFILES)
def test_post_queued_completion_status(profile: str) -> None:
    """PostQueuedCompletionStatus queues the caller's own packet, dequeued as is
    (TRUE, with the given count, key and overlapped pointer)."""
    w = World(profile)
    port = w.port()
    ov = ws.WSAOVERLAPPED()
    assert w.api.PostQueuedCompletionStatus(port, 17, 99, ov) == 1
    assert w.api.PostQueuedCompletionStatus(port, 0, 0, None) == 1
    assert w.gqcs(port) == (1, 17, 99, ov, 0)
    n, key, out = ctypes.c_ulong(5), ctypes.c_uint64(5), Out("x")
    assert w.api.GetQueuedCompletionStatus(port, n, key, out, 0) == 1
    assert (n.value, key.value, out.value) == (0, 0, None)
    assert w.api.PostQueuedCompletionStatus(0x7FFF0001, 0, 0, None) == 0
    assert w.err() == ws.ERROR_INVALID_HANDLE


@pytest.mark.parametrize("profile", PROFILES)
def test_gqcs_parameter_errors(profile: str) -> None:
    """GetQueuedCompletionStatus on a handle that is not a port ->
    ERROR_INVALID_HANDLE; NULL out-parameters -> ERROR_INVALID_PARAMETER."""
    w = World(profile)
    port = w.port()
    n, key, out = ctypes.c_ulong(), ctypes.c_uint64(), Out()
    assert w.api.GetQueuedCompletionStatus(0x7FFF0001, n, key, out, 0) == 0
    assert w.err() == ws.ERROR_INVALID_HANDLE
    assert w.api.GetQueuedCompletionStatus(port, None, key, out, 0) == 0
    assert w.err() == ws.ERROR_INVALID_PARAMETER
    assert w.api.CloseHandle(port) == 1
    assert w.api.GetQueuedCompletionStatus(port, n, key, out, 0) == 0
    assert w.err() == ws.ERROR_INVALID_HANDLE


@pytest.mark.parametrize("profile", PROFILES)
def test_failed_request_packet_reports_win32_error(profile: str) -> None:
    """DESIGN 2: "a failed operation's packet returns FALSE with the request object
    in lpOverlapped.value and its Win32 error in GetLastError()"; W42: a reset is
    STATUS_CONNECTION_RESET -> ERROR_NETNAME_DELETED (64) for GQCS, while
    WSAGetOverlappedResult reports WSAECONNRESET."""
    w = World(profile)
    c, s = w.pair()
    port = w.api.CreateIoCompletionPort(c, None, 8, 0)
    ov = ws.WSAOVERLAPPED()
    w.recv_ov(c, 8, ov)
    w.rst_close(s)
    rc, n, key, got, err = w.gqcs(port)
    assert (rc, n, key, got, err) == (0, 0, 8, ov, ws.ERROR_NETNAME_DELETED)
    assert w.api.GetLastError() == 64
    assert w.result(c, ov)[::3] == (0, ws.WSAECONNRESET)
    if w.windows:
        assert ov.Internal == ws.STATUS_CONNECTION_RESET


@pytest.mark.parametrize("profile", PROFILES)
def test_low_bit_of_hevent_suppresses_the_packet(profile: str) -> None:
    """W43: "Setting the low bit of hEvent suppresses the packet" (SPI-FACTS 2.2);
    the event itself (handle without the bit) is still signalled."""
    w = World(profile)
    c, s = w.pair()
    port = w.api.CreateIoCompletionPort(c, None, 4, 0)
    ev = w.event()
    ov = ws.WSAOVERLAPPED(hEvent=ev | 1)
    assert w.recv_ov(c, 4, ov)[0] == ERR
    w.send(s, b"bits")
    assert w.signalled(ev) and ov.InternalHigh == 4
    assert w.packets(port) == []
    rc, n, _, _ = w.result(c, ov, wait=True)
    assert (rc, n) == (1, 4)


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("call", ["WSARecv", "WSASend", "WSAIoctl"])
def test_routine_on_port_associated_socket_is_einval(profile: str, call: str) -> None:
    """W34: on a socket associated with an IOCP, a call with lpCompletionRoutine
    fails SOCKET_ERROR WSAEINVAL and the routine is never called (NT level:
    STATUS_INVALID_PARAMETER for any request with an APC)."""
    w = World(profile)
    c, s = w.pair()
    port = w.api.CreateIoCompletionPort(c, None, 1, 0)
    rec = Recorder()
    ov = ws.WSAOVERLAPPED()
    if call == "WSARecv":
        w.send(s, b"data")
        rc = w.api.WSARecv(
            c, [ws.WSABUF(4, bytearray(4))], 1, ctypes.c_ulong(), ctypes.c_ulong(), ov, rec
        )
    elif call == "WSASend":
        rc = w.api.WSASend(c, [ws.WSABUF(1, b"x")], 1, ctypes.c_ulong(), 0, ov, rec)
    else:
        rc = w.api.WSAIoctl(c, ws.FIONREAD, None, 0, bytearray(4), 4, ctypes.c_ulong(), ov, rec)
    assert (rc, w.err()) == (ERR, ws.WSAEINVAL)
    assert w.alert() == 0 and rec.calls == [] and w.packets(port) == []


@pytest.mark.parametrize("profile", PROFILES)
def test_blocking_calls_never_queue_packets(profile: str) -> None:
    """W43: "connect() (blocking or nonblocking) never queues a packet"; W55:
    shutdown, WSASendDisconnect and WSARecvDisconnect never queue a packet; calls
    without an OVERLAPPED do not either."""
    w = World(profile)
    lst, port_no = w.listener()
    c = w.tcp()
    port = w.api.CreateIoCompletionPort(c, None, 1, 0)
    assert w.api.connect(c, ws.sockaddr("127.0.0.1", port_no), 16) == 0
    s = w.api.accept(lst, None, None)
    w.send(c, b"plain")
    w.send(s, b"reply")
    assert w.recv(c, 8) == b"reply"
    assert w.api.WSARecvDisconnect(c, None) == 0
    assert w.api.WSASendDisconnect(c, None) == 0
    assert w.api.shutdown(c, ws.SD_BOTH) == 0
    assert w.packets(port) == []


@pytest.mark.parametrize("profile", PROFILES)
def test_packet_for_send_completing_later(profile: str) -> None:
    """A send pending on a full window queues its packet when the peer drains
    (issue 3 part 1, through WPUCompleteOverlappedRequest: SPI-FACTS 3.4)."""
    w = World(profile)
    c, s = w.pair(rcvbuf=16, sndbuf=16)
    port = w.api.CreateIoCompletionPort(c, None, 6, 0)
    ov = ws.WSAOVERLAPPED()
    assert w.send_ov(c, b"z" * 64, ov)[0] == ERR
    assert w.packets(port) == []
    got = b""
    while len(got) < 64:
        got += w.recv(s, 16)
    assert w.packets(port) == [(1, 64, 6, ov, 0)]
