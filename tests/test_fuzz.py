"""Hostile-argument fuzzing of every API and SPI entry point (issue 6, hardening).

The entry points are found by introspection -- every public Windows-named
method of ``WS2`` and every ``WSP*`` entry point of ``BaseProvider`` -- so a
new entry point is fuzzed without editing this file.  Each is called with
hostile arguments: None, wrong types, negative and huge lengths, truncated
structures, closed handles, handles of another process and of another host,
events that were closed.  DESIGN 2: "Misuse that C would not compile or that
Windows reports as a crash ... raises a clear TypeError / ValueError that
names the parameter.  Everything Windows reports as an error code is an error
code."  So the only exceptions allowed out are TypeError/ValueError naming a
parameter, and SimulationDeadlock (DESIGN 3: a blocking call nothing can
complete); afterwards the simulator's invariants must still hold.
"""

from __future__ import annotations

import ctypes
import inspect
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import wsspi_sim as ws
from wsspi_sim.testing import check_invariants, connected_tcp_pair
from wsspi_sim.testing import strategies as wst

#: Methods of WS2 that are the switch's own machinery, not Windows functions.
_SWITCH_HELPERS = frozenset({"entry", "ret", "ts"})
#: Windows function names that contain an underscore.
_UNDERSCORE_API = re.compile(r"^(inet_|__WSAFDIsSet$)")


def api_entry_points() -> list[str]:
    """Every Windows function the WS2 object offers (Windows-named public methods)."""
    out = []
    for name in dir(ws.WS2):
        if name.startswith("_") or not callable(getattr(ws.WS2, name)):
            continue
        if name.startswith("WPU"):
            continue  # upcalls: fuzzed through the provider's side below
        if name[0].isupper() or ("_" not in name and name not in _SWITCH_HELPERS) or _UNDERSCORE_API.match(name):
            out.append(name)
    return sorted(out)


def spi_entry_points() -> list[str]:
    """WSPStartup and the 30 WSPPROC_TABLE entry points (plus any new WSP*)."""
    return sorted(n for n in dir(ws.BaseProvider) if n.startswith("WSP") and callable(getattr(ws.BaseProvider, n)))


_HANDLE_PARAMS = frozenset({"s", "Socket", "hFile", "FileHandle"})
API = api_entry_points()
SPI = spi_entry_points()
CALLS = {"count": 0}


class World:
    """Two hosts, three started processes, and a zoo of live and dead handles."""

    def __init__(self, profile: str = "documented") -> None:
        self.sim = ws.Simulator(profile=profile)
        self.a = self.sim.add_host("10.0.0.1", "fd00::1")
        self.b = self.sim.add_host("10.0.0.2")
        self.api = self.a.ws2
        self.api2 = self.a.new_process()
        self.api3 = self.b.ws2
        for p in (self.api, self.api2, self.api3):
            assert p.WSAStartup(0x0202, ws.WSADATA()) == 0
        pair = connected_tcp_pair(self.api)
        self.client, self.server, self.listener = pair.client, pair.server, pair.listener
        self.udp = self.api.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP)
        self.closed = self.api.socket(ws.AF_INET, ws.SOCK_STREAM, 0)
        assert self.api.closesocket(self.closed) == 0
        self.foreign = self.api2.socket(ws.AF_INET, ws.SOCK_STREAM, 0)
        self.remote = self.api3.socket(ws.AF_INET, ws.SOCK_DGRAM, 0)
        self.event = self.api.WSACreateEvent()
        self.dead_event = self.api.WSACreateEvent()
        self.api.WSACloseEvent(self.dead_event)
        self.port = self.api.CreateIoCompletionPort(-1, None, 0, 0)
        self.handles = [self.client, self.server, self.listener, self.udp, self.closed, self.foreign,
                        self.remote, ws.INVALID_SOCKET, 0, -1]  # fmt: skip


def _out() -> st.SearchStrategy[Any]:
    return st.sampled_from(["c_int", "c_ulong", "c_uint64", "small", "none"]).map(
        lambda k: {
            "c_int": ctypes.c_int(28),
            "c_ulong": ctypes.c_ulong(4),
            "c_uint64": ctypes.c_uint64(0),
            "small": ctypes.c_int(1),
            "none": None,
        }[k]
    )


def arg_strategy(world: World, pname: str) -> st.SearchStrategy[Any]:
    """Plausible and hostile values for one parameter, chosen by its name."""
    n = pname.lower()
    hostile = wst.hostile_values()
    if n in ("s", "socket", "hfile", "filehandle", "hobject"):
        specific: st.SearchStrategy[Any] = st.sampled_from(world.handles)
    elif "event" in n and "network" not in n:
        if n.startswith("lph"):
            specific = st.lists(st.sampled_from([world.event, world.dead_event, 0]), max_size=3)
        else:
            specific = st.sampled_from([world.event, world.dead_event, world.event | 1, 0])
    elif "completionport" in n:
        specific = st.sampled_from([world.port, world.event, None, 0])
    elif n in ("lpbuffers",):
        specific = st.one_of(wst.wsabuf_lists(writable=True), wst.malformed_wsabuf_lists().map(lambda t: t[0]))
    elif n in ("lpoverlapped", "overlapped"):
        specific = st.sampled_from([None, "ov", "ov_event", "ov_dead"]).map(
            lambda k: None if k is None else ws.WSAOVERLAPPED(
                hEvent={"ov": None, "ov_event": world.event, "ov_dead": world.dead_event}[k]
            )
        )
    elif "completionroutine" in n or n in ("lpfncondition", "lpfnuserapc"):
        specific = st.sampled_from([None, lambda *a: 0, lambda *a: 1])
    elif n in ("name", "to", "lpto", "from_", "lpfrom", "addr", "peeraddr", "lpsaaddress"):
        specific = st.one_of(wst.sockaddrs(), wst.malformed_sockaddr_args().map(lambda t: t[0]),
                             st.integers(0, 64).map(bytearray))  # fmt: skip
    elif n in ("peertargetname",):
        specific = st.one_of(wst.peer_target_name_args().map(lambda t: t[0]),
                             wst.malformed_peer_target_name_args().map(lambda t: t[0]))  # fmt: skip
    elif n in ("buf", "optval", "lpvinbuffer", "lpvoutbuffer", "lpinbounddisconnectdata"):
        specific = st.one_of(st.integers(0, 700).map(bytearray), st.binary(max_size=64))
    elif n.startswith("lp") and n.endswith(("errno", "len", "length", "bytesrecvd", "bytessent", "flags",
                                             "cbtransfer", "dwflags", "bytesreturned", "numberofbytes",
                                             "completionkey", "context", "threadid")) or n in (
        "namelen", "addrlen", "optlen_out", "argp", "fromlen", "lpfromlen"
    ):
        specific = _out()
    elif n in ("lpprotocolinfo",):
        specific = st.sampled_from([None, "info", "bytes", "short"]).map(
            lambda k: None if k is None else {
                "info": ws.WSAPROTOCOL_INFOW(), "bytes": ws.WSAPROTOCOL_INFOW().pack(), "short": b"\0" * 10
            }[k]
        )
    elif n in ("lpwsadata", "lpnetworkevents", "lpwspdata"):
        specific = st.sampled_from([None, ws.WSADATA(), ws.WSANETWORKEVENTS(), ws.WSPDATA()])
    elif n in ("upcalltable",):
        specific = st.sampled_from([world.api.upcall_table, ws.WSPUPCALLTABLE(), None])
    elif n in ("lpproctable",):
        specific = st.sampled_from([None, "table"]).map(lambda k: None if k is None else ws.WSPPROC_TABLE())
    elif n in ("dwprocessid",):
        specific = st.sampled_from([world.api.pid, world.api2.pid, world.api3.pid, 0, -1])
    else:
        specific = st.one_of(wst.hostile_ints(), st.sampled_from(
            [0, 1, 2, ws.AF_INET, ws.AF_INET6, ws.SOCK_STREAM, ws.SOCK_DGRAM, ws.SOL_SOCKET, ws.SO_LINGER,
             ws.FIONBIO, ws.FIONREAD, ws.SIO_SET_PEER_TARGET_NAME, 0x0202, 16, 28]))  # fmt: skip
    return st.one_of(specific, specific, hostile)


def _norm(word: str) -> str:
    # The API's ``flags`` is WSPRecv's ``lpFlags``: compare names without the
    # Hungarian "lp" prefix, case-insensitively.
    w = word.lower()
    return w[2:] if w.startswith("lp") and len(w) > 2 else w


def _names_parameter(message: str, params: list[str]) -> bool:
    """True if the message names one of ``params`` (or its SPI spelling)."""
    words = {_norm(w) for w in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", message)}
    return any(_norm(p) in words for p in params)


def call_hostile(target: Any, fname: str, args: list[Any], params: list[str]) -> None:
    """Call ``target.fname(*args)``; fail on any exception but a clear TypeError /
    ValueError naming a parameter, or SimulationDeadlock."""
    CALLS["count"] += 1
    try:
        getattr(target, fname)(*args)
    except (TypeError, ValueError) as e:
        msg = str(e)
        assert _names_parameter(msg, params), f"{fname}{tuple(args)!r}: {type(e).__name__} does not name a parameter: {msg}"
    except ws.SimulationDeadlock:
        pass


def _params(target: Any, fname: str) -> list[str]:
    sig = inspect.signature(getattr(target, fname))
    return [p.name for p in sig.parameters.values() if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]


@st.composite
def hostile_calls(draw: st.DrawFn, world: World) -> tuple[str, str, list[Any], list[str]]:
    side = draw(st.sampled_from(["api", "spi"]))
    if side == "api":
        fname = draw(st.sampled_from(API))
        target = world.api
    else:
        fname = draw(st.sampled_from(SPI))
        target = world.a.provider
    params = _params(target, fname)
    args = [draw(arg_strategy(world, p)) for p in params]
    return side, fname, args, params


@settings(max_examples=40, deadline=None)
@given(data=st.data(), profile=st.sampled_from(["documented", "windows"]))
def test_hostile_calls_give_error_codes_or_clear_type_errors(data: st.DataObject, profile: str) -> None:
    """DESIGN 2 (misuse -> TypeError/ValueError naming the parameter, Windows
    errors -> error codes) and issue 6 hardening: a sequence of hostile calls on
    API and SPI entry points never raises anything else, and the invariants of
    the simulator still hold afterwards."""
    world = World(profile)
    for _ in range(data.draw(st.integers(5, 25), label="calls")):
        side, fname, args, params = data.draw(hostile_calls(world), label="call")
        target = world.api if side == "api" else world.a.provider
        call_hostile(target, fname, args, params)
        check_invariants(world.sim)


@pytest.mark.parametrize("fname", API)
def test_every_api_entry_point_survives_none_and_wrong_types(fname: str) -> None:
    """Issue 6: every API entry point (found by introspection, so new ones are
    covered) called with all-None, all-str and all-huge arguments, on a closed,
    a foreign-process and another host's handle, answers with an error code or a
    clear TypeError/ValueError; the invariants still hold."""
    world = World()
    params = _params(world.api, fname)
    for fill in (None, "x", 2**70, -1, b"\xff" * 3):
        call_hostile(world.api, fname, [fill] * len(params), params)
    if params and params[0] in _HANDLE_PARAMS:
        for handle in (world.closed, world.foreign, world.remote):
            call_hostile(world.api, fname, [handle] + [None] * (len(params) - 1), params)
    check_invariants(world.sim)


@pytest.mark.parametrize("fname", SPI)
def test_every_spi_entry_point_survives_none_and_wrong_types(fname: str) -> None:
    """Issue 6: every WSP entry point of the base provider (SPI-FACTS 3.2, found by
    introspection) with all-None, wrong-typed and huge arguments, and with closed
    and foreign handles, reports through lpErrno or raises a clear
    TypeError/ValueError; the invariants still hold."""
    world = World()
    spi = world.a.provider
    params = _params(spi, fname)
    for fill in (None, "x", 2**70, -1, b"\xff" * 3):
        call_hostile(spi, fname, [fill] * len(params), params)
    if len(params) >= 2 and params[0] in _HANDLE_PARAMS:
        for handle in (world.closed, world.foreign, world.remote):
            errno = ctypes.c_int()
            call_hostile(spi, fname, [handle] + [None] * (len(params) - 2) + [errno], params)
            if handle != world.foreign:  # the host's provider does know its other processes' sockets
                assert errno.value == ws.WSAENOTSOCK, (fname, handle, errno.value)
    check_invariants(world.sim)


def test_introspection_finds_the_contract_entry_points() -> None:
    """DESIGN 2 lists the API functions the switch offers and SPI-FACTS 3.2 the 30
    WSP entry points: the fuzz suite's introspection must find every one (so the
    fuzzing above cannot silently skip an entry point)."""
    contract = {
        "WSAStartup", "WSACleanup", "socket", "WSASocketW", "closesocket", "bind", "listen", "accept",
        "WSAAccept", "connect", "WSAConnect", "send", "recv", "sendto", "recvfrom", "WSASend", "WSARecv",
        "WSASendTo", "WSARecvFrom", "shutdown", "WSASendDisconnect", "WSARecvDisconnect", "getsockopt",
        "setsockopt", "getsockname", "getpeername", "ioctlsocket", "WSAIoctl", "WSADuplicateSocketW",
        "WSAEventSelect", "WSAEnumNetworkEvents", "WSACreateEvent", "WSASetEvent", "WSAResetEvent",
        "WSACloseEvent", "WSAWaitForMultipleEvents", "SleepEx", "WSAGetOverlappedResult",
        "CreateIoCompletionPort", "GetQueuedCompletionStatus", "PostQueuedCompletionStatus", "CancelIo",
        "CancelIoEx", "WSAGetLastError", "WSASetLastError", "GetLastError", "GetCurrentProcessId",
        "WSASetSocketPeerTargetName", "WSADeleteSocketPeerTargetName", "WSASetSocketSecurity",
        "WSAQuerySocketSecurity", "WSAImpersonateSocketPeer", "WSARevertImpersonation",
    }  # fmt: skip
    assert contract <= set(API), contract - set(API)
    assert set(ws.PROC_NAMES) | {"WSPStartup"} <= set(SPI)


@pytest.fixture(scope="module", autouse=True)
def _report_call_count(request: pytest.FixtureRequest) -> Any:
    """Print how many hostile calls this module made (issue 6: count the calls per run)."""
    yield
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.ensure_newline()
        reporter.write_line(f"tests/test_fuzz.py: {CALLS['count']} hostile API/SPI calls", bold=True)
