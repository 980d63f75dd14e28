"""WSPRecvDisconnect (seed 003), step by step.

Seed 003 says:
  "After this function has been successfully issued, subsequent receives on the
   socket will be disallowed."
  "For TCP, the TCP window is not changed and incoming data will be accepted (but
   not acknowledged) until the window is exhausted."
  "For UDP, incoming datagrams are accepted and queued."
  "Note that WSPRecvDisconnect does not close the socket, and resources attached
   to the socket will not be freed until WSPCloseSocket is invoked."

Run:  python examples/recv_disconnect.py
"""

from __future__ import annotations

import ctypes

import wsspi_sim as ws


def err(code: int) -> str:
    return ws.ErrorCode(code).name


def main() -> None:
    sim = ws.Simulator()
    server_host = sim.add_host("10.0.0.2")
    client_host = sim.add_host("10.0.0.1")
    srv, cli = server_host.ws2, client_host.ws2
    for api in (srv, cli):
        api.WSAStartup(0x0202, ws.WSADATA())
    spi = server_host.provider  # the server's base provider: its WSP* entry points

    # --- TCP: a connection, then the server disables reception -------------------------
    listener = srv.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP)
    srv.bind(listener, ws.sockaddr("10.0.0.2", 7000), 16)
    srv.listen(listener, 1)
    c = cli.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP)
    cli.connect(c, ws.sockaddr("10.0.0.2", 7000), 16)
    s = srv.accept(listener, None, None)

    errno = ctypes.c_int()
    rc = spi.WSPRecvDisconnect(s, None, errno)  # lpInboundDisconnectData = NULL
    print(f"TCP: WSPRecvDisconnect -> {rc}")

    buf = bytearray(64)
    rc = srv.recv(s, buf, 64, 0)
    print(f"TCP: recv after it -> SOCKET_ERROR={rc == ws.SOCKET_ERROR}, error {err(srv.WSAGetLastError())}")

    # The peer can still send: the bytes are accepted into the receive window.
    sent = cli.send(c, b"still flowing", 13, 0)
    waiting = ctypes.c_ulong()
    srv.ioctlsocket(s, ws.FIONREAD, waiting)
    print(f"TCP: the client sent {sent} bytes; {waiting.value} bytes wait at the server")

    # The socket is not closed: its local name is still there.
    name, namelen = bytearray(16), ctypes.c_int(16)
    srv.getsockname(s, name, namelen)
    print(f"TCP: the socket is still open, bound to {ws.parse_sockaddr(name)[1]}:{ws.parse_sockaddr(name)[2]}")

    # Only WSPCloseSocket frees it.
    rc = spi.WSPCloseSocket(s, errno)
    rc2 = srv.getsockname(s, name, namelen)
    print(f"TCP: WSPCloseSocket -> {rc}; getsockname now -> error {err(srv.WSAGetLastError()) if rc2 else 'none'}")

    # --- connection-oriented only: an unconnected TCP socket is refused ----------------
    t = srv.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP)
    rc = spi.WSPRecvDisconnect(t, None, errno)
    print(f"TCP (not connected): WSPRecvDisconnect -> {rc}, lpErrno {err(errno.value)}")

    # --- UDP: datagrams are still accepted and queued ----------------------------------------
    u = srv.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP)
    srv.bind(u, ws.sockaddr("10.0.0.2", 7001), 16)
    rc = spi.WSPRecvDisconnect(u, None, errno)
    v = cli.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP)
    cli.sendto(v, b"datagram", 8, 0, ws.sockaddr("10.0.0.2", 7001), 16)
    srv.ioctlsocket(u, ws.FIONREAD, waiting)
    rc2 = srv.recvfrom(u, buf, 64, 0, None, None)
    print(f"UDP: WSPRecvDisconnect -> {rc}; {waiting.value} bytes queued; "
          f"recvfrom -> error {err(srv.WSAGetLastError()) if rc2 == ws.SOCKET_ERROR else rc2}")


if __name__ == "__main__":
    main()
