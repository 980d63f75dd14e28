"""A hard close (WSPCloseSocket) with overlapped requests pending (seed 004).

Seed 004 says the provider "cancels any pending calls or asynchronous operations
for the socket": it calls WPUCompleteOverlappedRequest for each one and "passes
the WSA_OPERATION_ABORTED error code to specify that the overlapped operation was
canceled because the socket was closed".  The request's completion action is
still performed, whichever the caller chose: an event, a completion routine
(run in the issuing thread's next alertable wait) or a completion-port packet.
Then "Any subsequent WSPRecv call from the remote peer of the connection fails
with WSAECONNRESET."

Run:  python examples/close_aborts_overlapped.py [documented|windows]
(profile "windows" shows what Windows reports instead for a connected TCP
receive: WSAECONNABORTED, W21.)
"""

from __future__ import annotations

import ctypes
import sys

import wsspi_sim as ws


def err(code: int) -> str:
    return ws.ErrorCode(code).name


def main(profile: str) -> None:
    sim = ws.Simulator(profile=profile)
    a = sim.add_host("10.0.0.1")
    b = sim.add_host("10.0.0.2")
    api, srv = a.ws2, b.ws2
    for x in (api, srv):
        x.WSAStartup(0x0202, ws.WSADATA())
    print(f"profile: {profile}")

    # A connected TCP socket with two receives pending: one event, one routine.
    listener = srv.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP)
    srv.bind(listener, ws.sockaddr("10.0.0.2", 80), 16)
    srv.listen(listener, 1)
    tcp = api.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP)
    api.connect(tcp, ws.sockaddr("10.0.0.2", 80), 16)
    peer = srv.accept(listener, None, None)

    got, flags = ctypes.c_ulong(), ctypes.c_ulong()
    ov_event = ws.WSAOVERLAPPED(hEvent=api.WSACreateEvent())
    rc = api.WSARecv(tcp, [ws.WSABUF(32, bytearray(32))], 1, got, flags, ov_event, None)
    print(f"WSARecv with an event -> {rc}, {err(api.WSAGetLastError())}")

    calls: list[tuple[int, int]] = []

    def routine(dwError: int, cbTransferred: int, lpOverlapped: ws.WSAOVERLAPPED, dwFlags: int) -> None:
        calls.append((dwError, cbTransferred))

    ov_routine = ws.WSAOVERLAPPED()
    rc = api.WSARecv(tcp, [ws.WSABUF(32, bytearray(32))], 1, got, flags, ov_routine, routine)
    print(f"WSARecv with a completion routine -> {rc}, {err(api.WSAGetLastError())}")

    # A UDP socket associated with a completion port, one receive pending.
    udp = api.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP)
    api.bind(udp, ws.sockaddr("10.0.0.1", 53), 16)
    port = api.CreateIoCompletionPort(udp, None, 0xC0FFEE, 0)
    ov_port = ws.WSAOVERLAPPED()
    rc = api.WSARecvFrom(udp, [ws.WSABUF(32, bytearray(32))], 1, got, flags, None, None, ov_port, None)
    print(f"WSARecvFrom on a completion port -> {rc}, {err(api.WSAGetLastError())}")

    # The hard close, straight through the provider, as the switch would call it.
    errno = ctypes.c_int()
    print(f"WSPCloseSocket(tcp) -> {a.provider.WSPCloseSocket(tcp, errno)}")
    print(f"WSPCloseSocket(udp) -> {a.provider.WSPCloseSocket(udp, errno)}")

    # 1. the event is signalled and the OVERLAPPED holds the error (OffsetHigh)
    signalled = api.WSAWaitForMultipleEvents(1, [ov_event.hEvent], False, 0, False) == ws.WSA_WAIT_EVENT_0
    print(f"event signalled: {signalled}; OffsetHigh = {err(ov_event.OffsetHigh)}")

    # 2. the completion routine runs in this thread's next alertable wait
    print(f"routine ran before the wait: {bool(calls)}")
    rc = api.SleepEx(0, True)
    print(f"SleepEx(0, TRUE) -> {'WAIT_IO_COMPLETION' if rc == ws.WAIT_IO_COMPLETION else rc}; "
          f"routine called with dwError = {err(calls[0][0])}, cbTransferred = {calls[0][1]}")

    # 3. the port gets a packet: FALSE, the request, and the Win32 error
    nbytes, key, ovp = ctypes.c_ulong(), ctypes.c_uint64(), ctypes.py_object()
    ok = api.GetQueuedCompletionStatus(port, nbytes, key, ovp, 0)
    print(f"GetQueuedCompletionStatus -> {ok}, key 0x{key.value:X}, same OVERLAPPED: {ovp.value is ov_port}, "
          f"GetLastError = {err(api.GetLastError())}")

    # The handles are gone, and the remote peer sees the reset.
    rc = api.recv(tcp, bytearray(4), 4, 0)
    print(f"recv on the closed handle -> {rc}, {err(api.WSAGetLastError())}")
    rc = srv.recv(peer, bytearray(4), 4, 0)
    print(f"the peer's recv -> {rc}, {err(srv.WSAGetLastError())}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "documented")
