"""Peer target names on a TCP socket (seeds 000 and 002), step by step.

A stream socket holds one target name, set before WSAConnect.  This script
follows Microsoft's secure-socket client sample: WSASocket ->
WSASetSocketSecurity -> WSASetSocketPeerTargetName -> WSAConnect -> send ->
WSAQuerySocketSecurity, and shows what each call returns -- including the
errors the seed lists (WSAEMSGSIZE, WSAEISCONN) and the size probe of
WSAQuerySocketSecurity.

Run:  python examples/peer_target_names_tcp.py
"""

from __future__ import annotations

import ctypes

import wsspi_sim as ws


def show(api: object, what: str, rc: int) -> None:
    if rc == ws.SOCKET_ERROR:
        err = ws.ErrorCode(api.WSAGetLastError())  # type: ignore[attr-defined]
        print(f"{what:<58} -> SOCKET_ERROR, {err.name}")
    else:
        print(f"{what:<58} -> {rc}")


def main() -> None:
    sim = ws.Simulator(trace=True)
    server = sim.add_host("fd00::2", principal="host/files.example.test", name="files")
    client = sim.add_host("fd00::1", name="laptop")
    srv, api = server.ws2, client.ws2
    srv.WSAStartup(0x0202, ws.WSADATA())
    api.WSAStartup(0x0202, ws.WSADATA())

    # The server secures its listening socket; accepted sockets inherit it.
    addr = ws.sockaddr("fd00::2", 445)
    # not overlapped: the accepted socket is impersonated, which needs a blocking,
    # non-overlapped socket (SPI-FACTS 5.7)
    lst = srv.WSASocketW(ws.AF_INET6, ws.SOCK_STREAM, ws.IPPROTO_TCP, None, 0, 0)
    srv.WSASetSocketSecurity(lst, None, 0)
    srv.bind(lst, addr, len(addr))
    srv.listen(lst, 5)

    s = api.WSASocketW(ws.AF_INET6, ws.SOCK_STREAM, ws.IPPROTO_TCP, None, 0, 0)
    settings = ws.SOCKET_SECURITY_SETTINGS(
        ws.SOCKET_SECURITY_PROTOCOL_IPSEC, ws.SOCKET_SETTINGS_GUARANTEE_ENCRYPTION
    )
    show(api, "WSASetSocketSecurity(GUARANTEE_ENCRYPTION)", api.WSASetSocketSecurity(s, settings, 8))

    name = ws.SOCKET_PEER_TARGET_NAME(
        SecurityProtocol=ws.SOCKET_SECURITY_PROTOCOL_IPSEC, AllStrings="host/files.example.test"
    )
    full = ws.sizeof(name) + 2 * len(name.AllStrings)
    show(api, "WSASetSocketPeerTargetName(len = 143: too small)", api.WSASetSocketPeerTargetName(s, name, 143))
    show(api, f"WSASetSocketPeerTargetName(len = {full})", api.WSASetSocketPeerTargetName(s, name, full))
    print(f"{'  registry now':<58}    {api.peer_target_names(s)}")

    show(api, "WSAConnect([fd00::2]:445)", api.WSAConnect(s, addr, len(addr), None, None, None, None))
    show(api, "WSASetSocketPeerTargetName after connect", api.WSASetSocketPeerTargetName(s, name, full))
    show(api, "send(b'hello')", api.send(s, b"hello", 5, 0))

    size = ctypes.c_ulong(0)
    show(api, "WSAQuerySocketSecurity(info NULL): the size probe", api.WSAQuerySocketSecurity(s, None, 0, None, size))
    print(f"{'  size needed':<58}    {size.value}")
    info = ws.SOCKET_SECURITY_QUERY_INFO()
    show(api, "WSAQuerySocketSecurity(info)", api.WSAQuerySocketSecurity(s, None, 0, info, size))
    flags = [n for n in ("SECURED", "ENCRYPTED") if info.Flags & getattr(ws, f"SOCKET_INFO_CONNECTION_{n}")]
    print(f"{'  flags':<58}    {' | '.join(flags)}")

    # On the server: impersonate the client machine for an authorization check.
    peer = srv.accept(lst, None, None)
    show(srv, "server: WSAImpersonateSocketPeer", srv.WSAImpersonateSocketPeer(peer, None, 0))
    print(f"{'  server thread now acts as':<58}    {srv.impersonated_principal()!r}")
    show(srv, "server: WSARevertImpersonation", srv.WSARevertImpersonation())

    # Seed 000: "For connection oriented clients ... this function should not be called."
    show(api, "WSADeleteSocketPeerTargetName (TCP: allowed, discouraged)",
         api.WSADeleteSocketPeerTargetName(s, addr, len(addr), None, None))  # fmt: skip

    print("\ntrace of the registry and of the IPsec negotiation:")
    assert sim.tracer is not None
    for ev in sim.tracer.events:
        if ev.kind in ("peer_name", "ipsec", "security"):
            print(f"  {ev.kind:<9} {ev.fields}")


if __name__ == "__main__":
    main()
