"""Hypothesis: random sequences of WSASetSocketPeerTargetName /
WSADeleteSocketPeerTargetName (through the wrappers and through WSAIoctl) leave a
socket's registry equal to a plain dict model (issue 4, seeds 000 and 002)."""

from __future__ import annotations

from typing import Any

import securekit as k
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

import wsspi_sim as ws

_IPS = {
    ws.AF_INET: ["10.0.0.2", "10.0.0.3", "192.0.2.7", "0.0.0.0"],
    ws.AF_INET6: ["fd00::2", "fd00::3", "2001:db8::7", "::"],
}
_PORTS = [0, 53, 5000]
names = st.text(max_size=24)
vias = st.sampled_from(k.VIAS)


def _zero(ip: str, port: int) -> bool:
    return port == 0 and ip in ("0.0.0.0", "::")


@given(
    family=st.sampled_from(k.FAMILIES),
    ops=st.lists(
        st.tuples(
            st.sampled_from(["set", "delete"]),
            st.integers(0, len(_IPS[ws.AF_INET]) - 1),
            st.sampled_from(_PORTS),
            names,
            vias,
        ),
        max_size=25,
    ),
)
def test_datagram_registry_matches_a_dict(family: int, ops: list[tuple[str, int, int, str, str]]) -> None:
    """Seed 002: "For connectionless sockets, an application can call the
    WSASetSocketPeerTargetName function multiple times to specify different target
    names for different peer IP addresses" (a set replaces the peer's name; an IP
    and port both zero is WSAEINVAL) and seed 000: "After a successful return,
    there will be no future association between the IP address and the target
    name" (deleting an absent name succeeds)."""
    w = k.world()
    u = k.sock(w.cli, family, ws.SOCK_DGRAM)
    model: dict[tuple[str, int] | None, str] = {}
    for op, i, port, name, via in ops:
        ip = _IPS[family][i]
        peer = ws.sockaddr(ip, port)
        if op == "set":
            got = k.set_name(w.cli, u, k.ptn(name, peer), via=via)
            if _zero(ip, port):
                assert got == (ws.SOCKET_ERROR, ws.WSAEINVAL)
            else:
                assert got == (0, 0)
                model[(ip, port)] = name
        else:
            assert k.delete_name(w.cli, u, peer, via="ioctl" if via == "ioctl" else "wrapper") == (0, 0)
            model.pop((ip, port), None)
        assert w.cli.peer_target_names(u) == model


@given(
    ops=st.lists(st.tuples(st.sampled_from(["set", "delete"]), names, vias), max_size=15),
    family=st.sampled_from(k.FAMILIES),
)
def test_stream_registry_holds_one_name(family: int, ops: list[tuple[str, str, str]]) -> None:
    """SPI-FACTS 5.2 and seed 002 ("For connection-oriented sockets, the
    WSASetSocketPeerTargetName function should be called before WSAConnect"): a
    stream socket holds one name, replaced by each set and removed by a delete
    (seed 000 on a stream socket: allowed, docs/design-choices.md)."""
    w = k.world()
    t = k.sock(w.cli, family, ws.SOCK_STREAM)
    model: dict[tuple[str, int] | None, str] = {}
    for op, name, via in ops:
        if op == "set":
            assert k.set_name(w.cli, t, k.ptn(name, k.addr(family)), via=via) == (0, 0)
            model[None] = name
        else:
            assert k.delete_name(w.cli, t, k.addr(family), via="ioctl" if via == "ioctl" else "wrapper") == (0, 0)
            model.pop(None, None)
        assert w.cli.peer_target_names(t) == model


class RegistryMachine(RuleBasedStateMachine):
    """Seeds 000/002 as a state machine: two UDP sockets (IPv4, IPv6) and a
    duplicate handle of the first, which shares its registry (SPI-FACTS 6:
    "secure-socket state ... peer-name map" belongs to the underlying socket)."""

    @initialize()
    def start(self) -> None:
        self.w = k.world()
        api = self.w.cli
        self.socks: dict[int, int] = {fam: k.sock(api, fam, ws.SOCK_DGRAM) for fam in k.FAMILIES}
        info = ws.WSAPROTOCOL_INFOW()
        assert api.WSADuplicateSocketW(self.socks[ws.AF_INET], api.GetCurrentProcessId(), info) == 0
        dup = api.WSASocketW(ws.FROM_PROTOCOL_INFO, ws.FROM_PROTOCOL_INFO, ws.FROM_PROTOCOL_INFO, info, 0, 0)
        assert dup != ws.INVALID_SOCKET
        self.dup = int(dup)
        self.models: dict[int, dict[Any, str]] = {fam: {} for fam in k.FAMILIES}

    def _handle(self, family: int, use_dup: bool) -> int:
        return self.dup if use_dup and family == ws.AF_INET else self.socks[family]

    @rule(
        family=st.sampled_from(k.FAMILIES), i=st.integers(0, 2), port=st.sampled_from(_PORTS[1:]),
        name=names, via=vias, use_dup=st.booleans(),
    )  # fmt: skip
    def set_name(self, family: int, i: int, port: int, name: str, via: str, use_dup: bool) -> None:
        ip = _IPS[family][i]
        got = k.set_name(self.w.cli, self._handle(family, use_dup), k.ptn(name, ws.sockaddr(ip, port)), via=via)
        assert got == (0, 0)
        self.models[family][(ip, port)] = name

    @rule(
        family=st.sampled_from(k.FAMILIES), i=st.integers(0, 2), port=st.sampled_from(_PORTS[1:]),
        via=st.sampled_from(["wrapper", "ioctl"]), use_dup=st.booleans(),
    )  # fmt: skip
    def delete_name(self, family: int, i: int, port: int, via: str, use_dup: bool) -> None:
        ip = _IPS[family][i]
        assert k.delete_name(self.w.cli, self._handle(family, use_dup), ws.sockaddr(ip, port), via=via) == (0, 0)
        self.models[family].pop((ip, port), None)

    @invariant()
    def registries_match(self) -> None:
        for fam, s in self.socks.items():
            assert self.w.cli.peer_target_names(s) == self.models[fam]
        assert self.w.cli.peer_target_names(self.dup) == self.models[ws.AF_INET]


TestRegistryMachine = RegistryMachine.TestCase
TestRegistryMachine.__doc__ = RegistryMachine.__doc__
