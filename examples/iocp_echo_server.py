"""An echo server driven by an I/O completion port (SPI-FACTS 3.4).

Every accepted socket is associated with one port (CreateIoCompletionPort) and
keeps one overlapped WSARecv posted.  The server loop dequeues packets with
GetQueuedCompletionStatus: a receive with data is echoed with an overlapped
WSASend and re-posted; a receive of 0 bytes means the client closed gracefully,
so the server closes too.  Completion keys tell the loop which connection a
packet belongs to.  Everything runs in virtual time, in one thread.

Run:  python examples/iocp_echo_server.py
"""

from __future__ import annotations

import ctypes

import wsspi_sim as ws

RECV, SEND = "recv", "send"
INVALID_HANDLE_VALUE = -1  # (HANDLE)-1: "create a new port, associate nothing"


class Conn:
    def __init__(self, s: int) -> None:
        self.s = s
        self.buf = bytearray(64)
        self.recv_ov = ws.WSAOVERLAPPED()
        self.send_ov = ws.WSAOVERLAPPED()
        self.echoed = 0


def post_recv(api: ws.WS2, conn: Conn) -> None:
    rc = api.WSARecv(conn.s, [ws.WSABUF(64, conn.buf)], 1, ctypes.c_ulong(), ctypes.c_ulong(), conn.recv_ov, None)
    assert rc == 0 or api.WSAGetLastError() == ws.WSA_IO_PENDING


def main() -> None:
    sim = ws.Simulator()
    server = sim.add_host("10.0.0.2").ws2
    client = sim.add_host("10.0.0.1").ws2
    for api in (server, client):
        api.WSAStartup(0x0202, ws.WSADATA())

    listener = server.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP)
    server.bind(listener, ws.sockaddr("10.0.0.2", 7), 16)
    server.listen(listener, 5)
    port = server.CreateIoCompletionPort(INVALID_HANDLE_VALUE, None, 0, 0)

    # Three clients connect; the server accepts each and associates it with the port.
    clients = []
    conns: dict[int, Conn] = {}
    for key in (1, 2, 3):
        c = client.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP)
        client.connect(c, ws.sockaddr("10.0.0.2", 7), 16)
        s = server.accept(listener, None, None)
        server.CreateIoCompletionPort(s, port, key, 0)
        conns[key] = Conn(s)
        post_recv(server, conns[key])
        clients.append(c)
    print("server: 3 connections on one completion port, a receive posted on each")

    # Each client sends a line; later it reads the echo and shuts its sending side.
    for i, c in enumerate(clients, 1):
        msg = f"hello from client {i}".encode()
        client.send(c, msg, len(msg), 0)

    def serve(until_idle: bool) -> None:
        nbytes, key, ovp = ctypes.c_ulong(), ctypes.c_uint64(), ctypes.py_object()
        while True:
            ok = server.GetQueuedCompletionStatus(port, nbytes, key, ovp, 0 if until_idle else 1000)
            if not ok and ovp.value is None:
                return  # nothing queued (WAIT_TIMEOUT)
            conn = conns[key.value]
            kind = RECV if ovp.value is conn.recv_ov else SEND
            if kind == SEND:
                continue
            if nbytes.value == 0:
                print(f"server: key {key.value}: 0 bytes, the client closed; closing")
                server.closesocket(conn.s)
                continue
            data = bytes(conn.buf[: nbytes.value])
            print(f"server: key {key.value}: received {data!r}, echoing")
            server.WSASend(conn.s, [ws.WSABUF(len(data), data)], 1, ctypes.c_ulong(), 0, conn.send_ov, None)
            conn.echoed += 1
            post_recv(server, conn)

    serve(until_idle=True)
    for i, c in enumerate(clients, 1):
        buf = bytearray(64)
        n = client.recv(c, buf, 64, 0)
        print(f"client {i}: got back {bytes(buf[:n])!r}")
        client.shutdown(c, ws.SD_SEND)
    serve(until_idle=True)
    for i, c in enumerate(clients, 1):
        n = client.recv(c, bytearray(8), 8, 0)
        print(f"client {i}: recv -> {n} (the server closed too)")
        client.closesocket(c)
    print(f"echoed {sum(c.echoed for c in conns.values())} messages; virtual time {sim.now:.3f} s")


if __name__ == "__main__":
    main()
