"""Duplicated descriptors and the last reference (seed 004, SPI-FACTS 3.7).

Seed 004: "If the WSPCloseSocket function releases the last reference to an
underlying socket, the SAN service provider discards the associated naming
information and queued data."  WSPDuplicateSocket duplicates the *descriptor*,
not the socket: closing one descriptor leaves the socket (its data, its name,
its pending requests) to the others; only the last close tears it down.

Run:  python examples/duplicate_last_reference.py
"""

from __future__ import annotations

import ctypes

import wsspi_sim as ws


def err(code: int) -> str:
    return ws.ErrorCode(code).name


def main() -> None:
    sim = ws.Simulator()
    host = sim.add_host("10.0.0.1")
    peer_host = sim.add_host("10.0.0.2")
    p1 = host.ws2                # the first process
    p2 = host.new_process()      # a second process on the same host
    peer = peer_host.ws2
    for api in (p1, p2, peer):
        api.WSAStartup(0x0202, ws.WSADATA())

    u = p1.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP)
    p1.bind(u, ws.sockaddr("10.0.0.1", 4000), 16)

    # Process 1 duplicates its socket for process 2 (the info can be used once).
    info = ws.WSAPROTOCOL_INFOW()
    p1.WSADuplicateSocketW(u, p2.GetCurrentProcessId(), info)
    d = p2.WSASocketW(ws.FROM_PROTOCOL_INFO, ws.FROM_PROTOCOL_INFO, ws.FROM_PROTOCOL_INFO, info, 0,
                      ws.WSA_FLAG_OVERLAPPED)
    again = p2.WSASocketW(ws.FROM_PROTOCOL_INFO, ws.FROM_PROTOCOL_INFO, ws.FROM_PROTOCOL_INFO, info, 0, 0)
    print(f"process 1 has socket {u}; process 2 imported it as {d}; "
          f"a second import -> {'INVALID_SOCKET' if again == ws.INVALID_SOCKET else again} ({err(p2.WSAGetLastError())})")

    # A datagram arrives and waits in the underlying socket.
    s = peer.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP)
    peer.sendto(s, b"hello both", 10, 0, ws.sockaddr("10.0.0.1", 4000), 16)

    errno = ctypes.c_int()
    print(f"close process 1's descriptor: WSPCloseSocket -> {host.provider.WSPCloseSocket(u, errno)}")
    rc = p1.recv(u, bytearray(16), 16, 0)
    print(f"process 1's handle is gone: recv -> {rc}, {err(p1.WSAGetLastError())}")
    buf = bytearray(16)
    n = p2.recvfrom(d, buf, 16, 0, None, None)
    print(f"process 2 still reads the queued datagram: {bytes(buf[:n])!r}")

    # The name is kept while a descriptor remains: binding the port again fails.
    t = p1.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP)
    rc = p1.bind(t, ws.sockaddr("10.0.0.1", 4000), 16)
    print(f"bind 10.0.0.1:4000 again while process 2 holds the socket -> {rc}, {err(p1.WSAGetLastError())}")

    # A receive pending on the last descriptor, then the last close.
    ov = ws.WSAOVERLAPPED(hEvent=p2.WSACreateEvent())
    p2.WSARecv(d, [ws.WSABUF(16, bytearray(16))], 1, ctypes.c_ulong(), ctypes.c_ulong(), ov, None)
    print(f"a receive is pending: Internal = 0x{ov.Internal:X} (WSS_OPERATION_IN_PROGRESS)")
    print(f"close the last descriptor: WSPCloseSocket -> {host.provider.WSPCloseSocket(d, errno)}")
    print(f"the pending receive completed with {err(ov.OffsetHigh)}")
    rc = p1.bind(t, ws.sockaddr("10.0.0.1", 4000), 16)
    print(f"the name was discarded: bind 10.0.0.1:4000 now -> {rc}")


if __name__ == "__main__":
    main()
