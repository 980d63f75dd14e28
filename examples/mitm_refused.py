"""Seed 002's purpose, runnable: naming the server stops a trusted man in the middle.

"A client application should specify the peer target name in order to prevent
trusted man-in-the-middle attacks." (WSASetSocketPeerTargetName)

An impostor host -- one the network trusts: it authenticates fine as itself --
takes over the database server's address.  A client that secured its socket but
did not say *who* the server must be is connected to the impostor without a
word.  A client that named its server (host/db1.example.test) is refused: the
simulated IPsec negotiation finds that the peer at that address is not the
principal the client asked for, and the connect fails with WSAEACCES before a
single byte is sent.

Run:  python examples/mitm_refused.py
"""

from __future__ import annotations

import ctypes

import wsspi_sim as ws

SERVER_PRINCIPAL = "host/db1.example.test"


def main() -> None:
    sim = ws.Simulator()
    db1 = sim.add_host("10.0.0.2", principal=SERVER_PRINCIPAL, name="db1")
    client = sim.add_host("10.0.0.1", name="client")
    mallory = sim.add_host("10.0.0.66", principal="host/mallory.example.test", name="mallory")
    for host in (db1, client, mallory):
        host.ws2.WSAStartup(0x0202, ws.WSADATA())
    api = client.ws2
    server = ws.sockaddr("10.0.0.2", 1433)

    # 1. The impostor takes over the server's address and listens on its port.
    sim.reroute("10.0.0.2", mallory)
    trap = mallory.ws2.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP)
    mallory.ws2.bind(trap, server, len(server))
    mallory.ws2.listen(trap, 5)
    print("mallory (host/mallory.example.test) now answers for 10.0.0.2:1433")

    def secured_socket() -> int:
        # not overlapped: WSAImpersonateSocketPeer needs a blocking, non-overlapped socket
        s = api.WSASocketW(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP, None, 0, 0)
        # Default IPsec settings, before connect (WSASetSocketSecurity).
        assert api.WSASetSocketSecurity(s, None, 0) == 0
        return s

    # 2. A secured client that does not name its server: connected to mallory.
    naive = secured_socket()
    rc = api.connect(naive, server, len(server))
    print(f"client without a target name: connect -> {rc}")
    if api.WSAImpersonateSocketPeer(naive, None, 0) == 0:
        print(f"  ...and the peer it authenticated is {api.impersonated_principal()!r}  <- the man in the middle")
        api.WSARevertImpersonation()

    # 3. A client that names its server (Microsoft's sample: sizeof + name bytes).
    careful = secured_socket()
    name = ws.SOCKET_PEER_TARGET_NAME(
        SecurityProtocol=ws.SOCKET_SECURITY_PROTOCOL_IPSEC, AllStrings=SERVER_PRINCIPAL
    )
    length = ws.sizeof(name) + 2 * len(SERVER_PRINCIPAL)
    rc = api.WSASetSocketPeerTargetName(careful, name, length, None, None)
    print(f"client names its server {SERVER_PRINCIPAL!r}: WSASetSocketPeerTargetName -> {rc}")
    rc = api.connect(careful, server, len(server))
    err = ws.ErrorCode(api.WSAGetLastError())
    print(f"  connect -> {rc}, {err.name}: refused, nothing reached mallory")

    mallory.ws2.ioctlsocket(trap, ws.FIONBIO, ctypes.c_ulong(1))
    accepted = 0
    while mallory.ws2.accept(trap, None, None) != ws.INVALID_SOCKET:
        accepted += 1
    print(f"connections mallory received: {accepted} (only the naive client's)")


if __name__ == "__main__":
    main()
