"""The guided demo: the main job of ``wsspi-sim demo`` (and ``make demo``).

One scenario, run in virtual time with tracing on.  Each step does a few
calls, then prints what it demonstrates (the seed sentence, quoted exactly,
or the SPI-FACTS section when no seed sentence covers it), a one-line
explanation, the trace of its calls (API -> SPI -> upcall, the state
transitions and the completions) and its outcome.

The scenario runs in both profiles every time; the chosen one is printed, and
every step whose outcome differs in the other profile says so.  So
``wsspi-sim demo --profile windows`` shows what changes.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable
from typing import TextIO

import attrs

import wsspi_sim as ws

from .errors import error_name as _err
from .trace import TraceEvent, use_color


@attrs.frozen
class Source:
    """What a step demonstrates: a sentence of a seed (quoted exactly) or a reference."""

    where: str  # "seed 003" or "SPI-FACTS 3.4"
    text: str
    quote: bool  # True: ``text`` is an exact sentence of the seed named in ``where``


@attrs.define
class Step:
    """One step of the demo, after it ran."""

    number: int
    title: str
    explanation: str
    source: Source
    events: list[TraceEvent]
    outcome: str


SERVER_IP = "10.0.0.2"
CLIENT_IP = "10.0.0.1"
IMPOSTOR_IP = "10.0.0.66"
SERVER_PRINCIPAL = "host/server.example"
IMPOSTOR_PRINCIPAL = "host/mallory"
PORT = 5000
UDP_PORT = 5353




def _rc(rc: int, api: ws.WS2) -> str:
    """A return value as a C programmer reads it (with the last error after a failure)."""
    if rc == ws.SOCKET_ERROR:
        return f"SOCKET_ERROR ({_err(api.WSAGetLastError())})"
    if rc == ws.INVALID_SOCKET:
        return f"INVALID_SOCKET ({_err(api.WSAGetLastError())})"
    return str(rc)


class Scenario:
    """The demo's world and its steps (run once per profile)."""

    def __init__(self, profile: str) -> None:
        self.profile = profile
        self.sim = ws.Simulator(profile=profile, trace=True)
        self.server = self.sim.add_host(SERVER_IP, principal=SERVER_PRINCIPAL, name="server")
        self.client = self.sim.add_host(CLIENT_IP, name="client")
        self.impostor = self.sim.add_host(IMPOSTOR_IP, principal=IMPOSTOR_PRINCIPAL, name="impostor")
        self.steps: list[Step] = []
        self.routine_calls: list[tuple[int, int]] = []

    # -- running ----------------------------------------------------------------------------
    def step(self, title: str, explanation: str, source: Source, body: Callable[[], str]) -> None:
        tracer = self.sim.tracer
        assert tracer is not None
        mark = tracer.mark()
        outcome = body()
        self.steps.append(Step(len(self.steps) + 1, title, explanation, source, tracer.since(mark), outcome))

    def run(self) -> list[Step]:
        srv, cli, imp = self.server.ws2, self.client.ws2, self.impostor.ws2
        data = ws.WSADATA()

        def create() -> str:
            for api in (srv, cli, imp):
                api.WSAStartup(0x0202, data)
            self.listener = srv.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP)
            srv.bind(self.listener, ws.sockaddr(SERVER_IP, PORT), 16)
            srv.listen(self.listener, 5)
            self.c = cli.WSASocketW(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP, None, 0, ws.WSA_FLAG_OVERLAPPED)
            return f"server listens on {SERVER_IP}:{PORT} (socket {self.listener}); client socket {self.c} (overlapped)"

        self.step(
            "WSAStartup and WSPSocket",
            "The switch starts the provider (WSPStartup) and then calls its entry points through the "
            "proc table; every socket handle comes from the WPUCreateSocketHandle upcall.",
            Source("SPI-FACTS 3.1-3.3", "WSPStartup fills a WSPPROC_TABLE; a non-IFS provider gets handles from WPUCreateSocketHandle.", False),
            create,
        )

        ptn = ws.SOCKET_PEER_TARGET_NAME(
            SecurityProtocol=ws.SOCKET_SECURITY_PROTOCOL_IPSEC,
            PeerAddress=ws.sockaddr(SERVER_IP, PORT),
            AllStrings=SERVER_PRINCIPAL,
        )
        ptn_len = ws.sizeof(ptn) + 2 * len(SERVER_PRINCIPAL)

        def name_peer() -> str:
            rc1 = cli.WSASetSocketSecurity(self.c, None, 0, None, None)
            rc2 = cli.WSASetSocketPeerTargetName(self.c, ptn, ptn_len, None, None)
            return f"WSASetSocketSecurity -> {_rc(rc1, cli)}; WSASetSocketPeerTargetName -> {_rc(rc2, cli)}"

        self.step(
            "Name the peer before connecting",
            f"The client asks for (simulated) IPsec and says the peer at {SERVER_IP} must prove to be "
            f"{SERVER_PRINCIPAL}.",
            Source("seed 002", "For connection-oriented sockets, the WSASetSocketPeerTargetName function should be called before WSAConnect.", True),
            name_peer,
        )

        def impostor() -> str:
            self.sim.reroute(SERVER_IP, self.impostor)
            fake = imp.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP)
            imp.bind(fake, ws.sockaddr(SERVER_IP, PORT), 16)
            imp.listen(fake, 5)
            rc = cli.connect(self.c, ws.sockaddr(SERVER_IP, PORT), 16)
            shown = _rc(rc, cli)
            imp.closesocket(fake)
            self.sim.reroute(SERVER_IP, self.server)
            return f"connect -> {shown}: {IMPOSTOR_PRINCIPAL} is not {SERVER_PRINCIPAL}, nothing reached it"

        self.step(
            "An impostor answers for the server: refused",
            f"A host whose principal is {IMPOSTOR_PRINCIPAL} takes over {SERVER_IP}; the connection "
            "fails authentication instead of talking to it.",
            Source("seed 002", "A client application should specify the peer target name in order to prevent trusted man-in-the-middle attacks.", True),
            impostor,
        )

        def connect() -> str:
            rc = cli.connect(self.c, ws.sockaddr(SERVER_IP, PORT), 16)
            shown = _rc(rc, cli)
            self.peer = srv.accept(self.listener, None, None)
            return f"connect -> {shown}; the server accepts socket {self.peer}"

        self.step(
            "Connect to the real server",
            f"Now {SERVER_IP} is the real server again: it proves to be {SERVER_PRINCIPAL} and the "
            "connection is made (OPEN -> CONNECTING -> CONNECTED).",
            Source("seed 002", "This target name is meant to be specified by client applications to securely identify the peer that should be authenticated.", True),
            connect,
        )

        def connected_refuses() -> str:
            rc = cli.WSASetSocketPeerTargetName(self.c, ptn, ptn_len, None, None)
            return f"WSASetSocketPeerTargetName -> {_rc(rc, cli)}"

        self.step(
            "A connected socket takes no new name",
            "Once connected, the name can no longer change.",
            Source("seed 002", "This function is not permitted with a connected socket, whether the socket is connection oriented or connectionless.", True),
            connected_refuses,
        )

        self.u = 0

        def udp_names() -> str:
            self.u = cli.WSASocketW(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP, None, 0, ws.WSA_FLAG_OVERLAPPED)
            cli.WSASetSocketSecurity(self.u, None, 0, None, None)  # before bind (SPI-FACTS 5.5)
            cli.bind(self.u, ws.sockaddr(CLIENT_IP, UDP_PORT), 16)
            results = []
            for ip, principal in ((SERVER_IP, SERVER_PRINCIPAL), (IMPOSTOR_IP, IMPOSTOR_PRINCIPAL)):
                n = ws.SOCKET_PEER_TARGET_NAME(
                    SecurityProtocol=ws.SOCKET_SECURITY_PROTOCOL_IPSEC,
                    PeerAddress=ws.sockaddr(ip, UDP_PORT), AllStrings=principal,
                )  # fmt: skip
                rc = cli.WSASetSocketPeerTargetName(self.u, n, ws.sizeof(n) + 2 * len(principal), None, None)
                results.append(f"{ip} -> {principal}: {_rc(rc, cli)}")
            # The impostor takes 10.0.0.2 over again: datagrams to it are refused.
            self.sim.reroute(SERVER_IP, self.impostor)
            self.fake_udp = imp.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP)
            imp.bind(self.fake_udp, ws.sockaddr(SERVER_IP, UDP_PORT), 16)
            rc = cli.sendto(self.u, b"query", 5, 0, ws.sockaddr(SERVER_IP, UDP_PORT), 16)
            results.append(f"sendto {SERVER_IP} (impostor) -> {_rc(rc, cli)}")
            return "; ".join(results)

        self.step(
            "UDP: one name per peer address",
            "A connectionless socket keeps a name for each peer; a datagram to the impostor is refused.",
            Source("seed 002", "For connectionless sockets, an application can call the WSASetSocketPeerTargetName function multiple times to specify different target names for different peer IP addresses.", True),
            udp_names,
        )

        def udp_delete() -> str:
            rc = cli.WSADeleteSocketPeerTargetName(self.u, ws.sockaddr(SERVER_IP, UDP_PORT), 16, None, None)
            shown = _rc(rc, cli)
            rc2 = cli.sendto(self.u, b"query", 5, 0, ws.sockaddr(SERVER_IP, UDP_PORT), 16)
            got = bytearray(16)
            n = imp.recvfrom(self.fake_udp, got, 16, 0, None, None)
            imp.closesocket(self.fake_udp)
            self.sim.reroute(SERVER_IP, self.server)
            return (f"WSADeleteSocketPeerTargetName -> {shown}; sendto -> {_rc(rc2, cli)}; "
                    f"the impostor received {n if n >= 0 else 0} bytes (no name: no check)")  # fmt: skip

        self.step(
            "Delete the name: no future check uses it",
            f"With the name for {SERVER_IP} deleted, nothing checks who answers there: the same "
            "datagram now reaches the impostor (the trusted man-in-the-middle again).",
            Source("seed 000", "After a successful return, there will be no future association between the IP address and the target name.", True),
            udp_delete,
        )

        self.ov1 = ws.WSAOVERLAPPED(hEvent=0)
        self.ov2 = ws.WSAOVERLAPPED(hEvent=0)
        self.ov3 = ws.WSAOVERLAPPED(hEvent=0)
        self.bufs = [bytearray(64) for _ in range(3)]

        def routine(dwError: int, cbTransferred: int, lpOverlapped: object, dwFlags: int) -> None:
            self.routine_calls.append((dwError, cbTransferred))

        def post() -> str:
            self.ov1.hEvent = cli.WSACreateEvent()
            self.ov3.hEvent = cli.WSACreateEvent()
            got, flags = ctypes.c_ulong(), ctypes.c_ulong()
            r1 = cli.WSARecv(self.c, [ws.WSABUF(64, self.bufs[0])], 1, got, flags, self.ov1, None)
            s1 = _rc(r1, cli)
            r2 = cli.WSARecv(self.c, [ws.WSABUF(64, self.bufs[1])], 1, got, flags, self.ov2, routine)
            s2 = _rc(r2, cli)
            r3 = cli.WSARecvFrom(self.u, [ws.WSABUF(64, self.bufs[2])], 1, got, flags, None, None, self.ov3, None)
            s3 = _rc(r3, cli)
            return f"TCP receive (event) -> {s1}; TCP receive (completion routine) -> {s2}; UDP receive -> {s3}"

        self.step(
            "Post overlapped receives",
            "Three receives wait for data: two on the TCP connection (one signals an event, one will run "
            "a completion routine) and one on the UDP socket.",
            Source("SPI-FACTS 3.4", "A request the provider accepts returns WSA_IO_PENDING; its Internal is WSS_OPERATION_IN_PROGRESS until it completes.", False),
            post,
        )

        def recv_disconnect() -> str:
            errno = ctypes.c_int()
            rc = self.server.provider.WSPRecvDisconnect(self.peer, None, errno)
            buf = bytearray(16)
            r2 = srv.recv(self.peer, buf, 16, 0)
            return f"WSPRecvDisconnect -> {rc}; the server's recv -> {_rc(r2, srv)}"

        self.step(
            "WSPRecvDisconnect: the server stops receiving",
            "The server's provider is called directly: reception is disabled (CONNECTED -> RECV_SHUT).",
            Source("seed 003", "After this function has been successfully issued, subsequent receives on the socket will be disallowed.", True),
            recv_disconnect,
        )

        def still_accepts() -> str:
            rc = cli.send(self.c, b"late data", 9, 0)
            sent = _rc(rc, cli)
            avail = ctypes.c_ulong()
            srv.ioctlsocket(self.peer, ws.FIONREAD, avail)
            name = bytearray(16)
            rc2 = srv.getsockname(self.peer, name, ctypes.c_int(16))
            return (f"client send -> {sent}; bytes waiting at the server: {avail.value}; "
                    f"its getsockname -> {_rc(rc2, srv)} (the socket is still open)")  # fmt: skip

        self.step(
            "Data still arrives after WSPRecvDisconnect",
            "The client can still send: the server's TCP keeps accepting bytes into its window, and the "
            "socket is not closed.",
            Source("seed 003", "For TCP, the TCP window is not changed and incoming data will be accepted (but not acknowledged) until the window is exhausted.", True),
            still_accepts,
        )

        def hard_close() -> str:
            errno = ctypes.c_int()
            rc1 = self.client.provider.WSPCloseSocket(self.c, errno)
            rc2 = self.client.provider.WSPCloseSocket(self.u, errno)
            ran = cli.SleepEx(0, True)  # an alertable wait runs the completion routine
            parts = [f"WSPCloseSocket -> {rc1}, {rc2}"]
            for label, ov in (("TCP/event", self.ov1), ("TCP/routine", self.ov2), ("UDP", self.ov3)):
                parts.append(f"{label}: {_err(ov.OffsetHigh)} (Internal 0x{ov.Internal:X})")
            parts.append(f"routine ran: {'yes' if ran == ws.WAIT_IO_COMPLETION else 'no'} "
                         f"(dwError {', '.join(_err(e) for e, _ in self.routine_calls) or '-'})")  # fmt: skip
            return "; ".join(parts)

        windows_note = (" Profile \"windows\" follows Windows instead: a receive on a connected TCP socket "
                        "completes with WSAECONNABORTED (W21)." if self.profile == "windows" else "")  # fmt: skip
        self.step(
            "Hard close with I/O pending: WSA_OPERATION_ABORTED",
            "WSPCloseSocket completes every pending request through the mechanism it chose (event, "
            "completion routine) before the handle goes away." + windows_note,
            Source("seed 004", "It also passes the WSA_OPERATION_ABORTED error code to specify that the overlapped operation was canceled because the socket was closed.", True),
            hard_close,
        )

        def gone() -> str:
            buf = bytearray(8)
            rc = cli.recv(self.c, buf, 8, 0)
            errno = ctypes.c_int()
            rc2 = self.client.provider.WSPRecv(self.c, [ws.WSABUF(8, buf)], 1, ctypes.c_ulong(), ctypes.c_ulong(),
                                               None, None, None, errno)  # fmt: skip
            return f"recv -> {_rc(rc, cli)}; WSPRecv -> {rc2} with lpErrno {_err(errno.value)}"

        self.step(
            "The closed handle is gone at both levels",
            "The provider's close ends with the WPUCloseSocketHandle upcall, so the switch forgets the handle too.",
            Source("seed 004", "After the WSPCloseSocket completes, the SAN service provider should fail further references to the closed socket with the error WSAENOTSOCK.", True),
            gone,
        )

        def peer_reset() -> str:
            buf = bytearray(16)
            rc = srv.recv(self.peer, buf, 16, 0)
            return f"the server's recv -> {_rc(rc, srv)}"

        self.step(
            "The remote peer sees the reset",
            "The hard close reset the connection: the server's socket moved to RESET.",
            Source("seed 004", "Any subsequent WSPRecv call from the remote peer of the connection fails with WSAECONNRESET.", True),
            peer_reset,
        )
        return self.steps


# -- printing ------------------------------------------------------------------------------------
_BOLD = "\x1b[1m"
_CYAN = "\x1b[36m"
_YELLOW = "\x1b[33m"
_RESET = "\x1b[0m"


def _p(text: str, code: str, color: bool) -> str:
    return f"{code}{text}{_RESET}" if color else text


def run_demo(profile: str, out: TextIO, *, color: bool | None = None, trace: bool = True) -> int:
    """Run the demo scenario, printing each step; returns the exit status (0)."""
    if profile not in ws.PROFILES:
        raise ValueError(f"profile must be one of {', '.join(ws.PROFILES)}, not {profile!r}")
    if color is None:
        color = use_color(out)
    other_name = "windows" if profile == "documented" else "documented"
    scenario = Scenario(profile)
    steps = scenario.run()
    other = Scenario(other_name).run()
    tracer = scenario.sim.tracer
    assert tracer is not None
    w = out.write
    w(_p(f"wsspi-sim demo -- profile \"{profile}\"", _BOLD, color) + "\n")
    w("A client (10.0.0.1), a server (10.0.0.2, principal host/server.example) and an impostor\n"
      "(10.0.0.66, principal host/mallory), in virtual time.  Each step prints what it\n"
      "demonstrates, then its trace: api = Winsock call, spi = WSP entry point, upcall = WPU call\n"
      "back into the switch, transition = a row of the state tables, completion = an overlapped\n"
      "request completing.  Indentation shows nesting (API -> SPI -> upcall).\n")  # fmt: skip
    differ = []
    for step, theirs in zip(steps, other, strict=True):
        w("\n" + _p(f"Step {step.number}. {step.title}", _BOLD, color) + "\n")
        src = step.source
        if src.quote:
            w(f"  {src.where}: " + _p(f'"{src.text}"', _CYAN, color) + "\n")
        else:
            w(f"  ({src.where}) {src.text}\n")
        w(f"  {step.explanation}\n")
        if trace:
            w(tracer.timeline(step.events, color=color, indent="    ", compact=True))
        w("  => " + step.outcome + "\n")
        if theirs.outcome != step.outcome:
            differ.append(step.number)
            w(_p(f"  (profile \"{other_name}\": {theirs.outcome})", _YELLOW, color) + "\n")
    w("\n" + _p("Summary", _BOLD, color) + "\n")
    quoted = sum(1 for s in steps if s.source.quote)
    w(f"  {len(steps)} steps, {quoted} of them quoting a seed sentence; {len(tracer.events)} trace events.\n")
    if differ:
        which = f"step {differ[0]} ends" if len(differ) == 1 else f"steps {', '.join(map(str, differ))} end"
        w(f"  In profile \"{other_name}\" {which} differently "
          f"(run `wsspi-sim demo --profile {other_name}`; the whole list of differences is in docs/profiles.md).\n")  # fmt: skip
    else:
        w(f"  Profile \"{other_name}\" ends every step the same way.\n")
    w("  Diagrams of the state machines: `wsspi-sim diagram --format svg`; an error code: `wsspi-sim explain WSAENOTSOCK`.\n")
    w("demo complete\n")
    return 0


__all__ = ["Scenario", "Source", "Step", "run_demo"]
