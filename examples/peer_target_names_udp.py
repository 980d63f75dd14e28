"""Peer target names on a UDP socket (seeds 000 and 002), step by step.

"For connectionless sockets, an application can call the
WSASetSocketPeerTargetName function multiple times to specify different target
names for different peer IP addresses."  Each name is used when the socket
first exchanges a datagram with that peer; WSADeleteSocketPeerTargetName removes
one peer's name ("no future authentication to the IP address will use the
previously specified target name").  The same operations also go through
WSAIoctl(SIO_SET_PEER_TARGET_NAME / SIO_DELETE_PEER_TARGET_NAME) directly.

Run:  python examples/peer_target_names_udp.py
"""

from __future__ import annotations

import ctypes

import wsspi_sim as ws


def result(api: object, rc: int) -> str:
    if rc == ws.SOCKET_ERROR:
        return f"SOCKET_ERROR ({ws.ErrorCode(api.WSAGetLastError()).name})"  # type: ignore[attr-defined]
    return str(rc)


def main() -> None:
    sim = ws.Simulator()
    client = sim.add_host("10.0.0.1", name="sensor")
    ntp = sim.add_host("10.0.0.2", principal="host/ntp.example.test", name="ntp")
    log = sim.add_host("10.0.0.3", principal="host/log.example.test", name="log")
    for h in (client, ntp, log):
        h.ws2.WSAStartup(0x0202, ws.WSADATA())
    api = client.ws2
    peers = {"ntp": ws.sockaddr("10.0.0.2", 123), "log": ws.sockaddr("10.0.0.3", 514)}
    for host, peer in ((ntp, peers["ntp"]), (log, peers["log"])):
        r = host.ws2.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP)
        host.ws2.bind(r, peer, len(peer))

    u = api.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP)
    print("WSASetSocketSecurity(defaults)        ->", result(api, api.WSASetSocketSecurity(u, None, 0)))

    def set_name(peer: bytes, principal: str, through_ioctl: bool = False) -> str:
        obj = ws.SOCKET_PEER_TARGET_NAME(
            SecurityProtocol=ws.SOCKET_SECURITY_PROTOCOL_IPSEC, PeerAddress=peer, AllStrings=principal
        )
        length = ws.sizeof(obj) + 2 * len(principal)
        if through_ioctl:
            rc = api.WSAIoctl(u, ws.SIO_SET_PEER_TARGET_NAME, obj.pack(), length, None, 0,
                              ctypes.c_ulong(), None, None)  # fmt: skip
        else:
            rc = api.WSASetSocketPeerTargetName(u, obj, length, None, None)
        return result(api, rc)

    print("name for 10.0.0.2:123 (wrapper)       ->", set_name(peers["ntp"], "host/ntp.example.test"))
    print("name for 10.0.0.3:514 (WSAIoctl)      ->", set_name(peers["log"], "host/wrong.example.test", True))
    print("name for 0.0.0.0:0                    ->", set_name(ws.sockaddr("0.0.0.0", 0), "host/x"))
    print("registry:", api.peer_target_names(u))

    def send(which: str) -> str:
        peer = peers[which]
        return result(api, api.sendto(u, b"tick", 4, 0, peer, len(peer)))

    print("sendto ntp (name matches)             ->", send("ntp"))
    print("sendto log (name is wrong)            ->", send("log"))

    rc = api.WSADeleteSocketPeerTargetName(u, peers["log"], len(peers["log"]), None, None)
    print("WSADeleteSocketPeerTargetName(log)    ->", result(api, rc))
    print("sendto log (no name: any principal)   ->", send("log"))
    print("registry:", api.peer_target_names(u))

    rc = api.WSAIoctl(u, ws.SIO_DELETE_PEER_TARGET_NAME, peers["ntp"], 15, None, 0, ctypes.c_ulong(), None, None)
    print("SIO_DELETE_PEER_TARGET_NAME, len 15   ->", result(api, rc))

    api.connect(u, peers["ntp"], len(peers["ntp"]))
    print("after connect, set a name             ->", set_name(peers["log"], "host/log.example.test"))


if __name__ == "__main__":
    main()
