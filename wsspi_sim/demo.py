"""The guided demo: the main job of ``wsspi-sim demo``."""

from __future__ import annotations

import ctypes
from typing import TextIO

import wsspi_sim as ws


def run_demo(profile: str, out: TextIO) -> int:
    """Run the demo scenario, printing each step; returns the exit status."""
    sim = ws.Simulator(profile=profile)
    server_host = sim.add_host("10.0.0.2")
    client_host = sim.add_host("10.0.0.1")
    srv, cli = server_host.ws2, client_host.ws2
    for api in (srv, cli):
        api.WSAStartup(0x0202, ws.WSADATA())

    def say(step: str, detail: str) -> None:
        out.write(f"[t={sim.now:6.3f}s] {step:<34} {detail}\n")

    listener = srv.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP)
    srv.bind(listener, ws.sockaddr("10.0.0.2", 5000), 16)
    srv.listen(listener, 5)
    say("WSPSocket + bind + listen", f"server listening on 10.0.0.2:5000 (handle {listener})")
    s = cli.WSASocketW(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP, None, 0, ws.WSA_FLAG_OVERLAPPED)
    say("WSPSocket", f"client socket {s}, overlapped")
    rc = cli.connect(s, ws.sockaddr("10.0.0.2", 5000), 16)
    peer = srv.accept(listener, None, None)
    say("WSPConnect / WSPAccept", f"connect -> {rc}, accepted handle {peer}")
    buf = bytearray(64)
    ov = ws.WSAOVERLAPPED(hEvent=cli.WSACreateEvent())
    got, flags = ctypes.c_ulong(), ctypes.c_ulong()
    rc = cli.WSARecv(s, [ws.WSABUF(64, buf)], 1, got, flags, ov, None)
    say("WSPRecv (overlapped)", f"-> {rc}, last error {ws.ErrorCode(cli.WSAGetLastError())!s}")
    errno = ctypes.c_int()
    rc = server_host.provider.WSPRecvDisconnect(peer, None, errno)
    say("WSPRecvDisconnect (server)", f"-> {rc}: the server receives no more; the socket stays open")
    rc = client_host.provider.WSPCloseSocket(s, errno)
    say(
        "WSPCloseSocket (hard close)",
        f"-> {rc}; pending receive completed with OffsetHigh={ov.OffsetHigh} "
        f"({ws.ErrorCode(ov.OffsetHigh).name})",
    )
    out.write("demo complete\n")
    return 0
