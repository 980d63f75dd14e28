"""closesocket and SO_LINGER: graceful, abortive, lingering, nonblocking.

Seed 004: "The Windows Sockets switch fully implements the semantics required by
graceful disconnect and associated socket options such as SO_LINGER,
SO_DONTLINGER, and nonblocking close.  The switch calls the SAN service
provider's WSPCloseSocket function only for a hard close on the socket (that is,
to close the socket's connection and cancel all outstanding requests on the
socket)."
The four cases of the linger table (SPI-FACTS 3.7), in virtual time.

Run:  python examples/linger_modes.py
"""

from __future__ import annotations

import ctypes
import struct

import wsspi_sim as ws


def err(code: int) -> str:
    return ws.ErrorCode(code).name


class Pair:
    """A fresh connection from 10.0.0.1 to 10.0.0.2:port."""

    def __init__(self, sim: ws.Simulator, cli: ws.WS2, srv: ws.WS2, port: int, peer_rcvbuf: int = 65536) -> None:
        self.cli, self.srv = cli, srv
        lst = srv.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP)
        srv.setsockopt(lst, ws.SOL_SOCKET, ws.SO_RCVBUF, struct.pack("<i", peer_rcvbuf), 4)
        srv.bind(lst, ws.sockaddr("10.0.0.2", port), 16)
        srv.listen(lst, 1)
        self.c = cli.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP)
        cli.connect(self.c, ws.sockaddr("10.0.0.2", port), 16)
        self.s = srv.accept(lst, None, None)

    def linger(self, onoff: int, seconds: int) -> None:
        self.cli.setsockopt(self.c, ws.SOL_SOCKET, ws.SO_LINGER, ws.linger(onoff, seconds).pack(), 4)

    def peer_reads(self) -> str:
        buf = bytearray(256)
        parts = []
        while True:
            n = self.srv.recv(self.s, buf, 256, 0)
            if n == ws.SOCKET_ERROR:
                parts.append(err(self.srv.WSAGetLastError()))
                return ", ".join(parts)
            parts.append(f"{n} bytes" if n else "0 (graceful end)")
            if n == 0:
                return ", ".join(parts)


def main() -> None:
    sim = ws.Simulator()
    cli = sim.add_host("10.0.0.1").ws2
    srv = sim.add_host("10.0.0.2").ws2
    for api in (cli, srv):
        api.WSAStartup(0x0202, ws.WSADATA())

    # 1. Default, SO_DONTLINGER: graceful close in the background.
    p = Pair(sim, cli, srv, 81)
    cli.send(p.c, b"x" * 100, 100, 0)
    print(f"1. SO_DONTLINGER (default): closesocket -> {cli.closesocket(p.c)}; the peer reads: {p.peer_reads()}")

    # 2. SO_LINGER {1, 0}: abortive close, unsent data lost, the peer is reset.
    p = Pair(sim, cli, srv, 82)
    cli.send(p.c, b"x" * 100, 100, 0)
    p.linger(1, 0)
    print(f"2. SO_LINGER {{1, 0}}: closesocket -> {cli.closesocket(p.c)}; the peer reads: {p.peer_reads()}")

    # 3. SO_LINGER {1, 5} on a blocking socket whose peer never reads: the close
    #    waits 5 virtual seconds for the data to go, then closes abortively.
    p = Pair(sim, cli, srv, 83, peer_rcvbuf=8)
    cli.send(p.c, b"x" * 100, 100, 0)
    p.linger(1, 5)
    before = sim.now
    rc = cli.closesocket(p.c)
    print(f"3. SO_LINGER {{1, 5}}, blocking: closesocket -> {rc} after {sim.now - before:.1f} virtual seconds; "
          f"the peer reads: {p.peer_reads()}")

    # 4. The same on a nonblocking socket: WSAEWOULDBLOCK, and the handle stays valid.
    p = Pair(sim, cli, srv, 84, peer_rcvbuf=8)
    cli.send(p.c, b"x" * 100, 100, 0)
    p.linger(1, 5)
    cli.ioctlsocket(p.c, ws.FIONBIO, ctypes.c_ulong(1))
    rc = cli.closesocket(p.c)
    code = err(cli.WSAGetLastError())
    still = cli.getsockname(p.c, bytearray(16), ctypes.c_int(16))
    print(f"4. SO_LINGER {{1, 5}}, nonblocking: closesocket -> {rc} ({code}); handle still valid: {still == 0}")
    p.linger(1, 0)
    print(f"   after SO_LINGER {{1, 0}}: closesocket -> {cli.closesocket(p.c)}")


if __name__ == "__main__":
    main()
