"""The trace recorder (wsspi_sim/trace.py): structured, nested, queryable,
exportable, deterministic, and free when off (DESIGN 1 side modules, DESIGN 3)."""

from __future__ import annotations

import ctypes
import io
import json
import threading

import pytest

import wsspi_sim as ws
from wsspi_sim.lsp import LayeredProvider
from wsspi_sim.trace import QUIET_NAMES, Tracer, capture, capturing


def _pair(trace: bool = True, profile: str = "documented") -> tuple[ws.Simulator, ws.WS2, ws.WS2]:
    sim = ws.Simulator(profile=profile, trace=trace)
    a = sim.add_host("10.0.0.1")
    b = sim.add_host("10.0.0.2")
    for h in (a, b):
        assert h.ws2.WSAStartup(0x0202, ws.WSADATA()) == 0
    return sim, a.ws2, b.ws2


def _connected(sim: ws.Simulator, api: ws.WS2, srv: ws.WS2) -> tuple[int, int, int]:
    lst = srv.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP)
    assert srv.bind(lst, ws.sockaddr("10.0.0.2", 80), 16) == 0
    assert srv.listen(lst, 5) == 0
    c = api.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP)
    assert api.connect(c, ws.sockaddr("10.0.0.2", 80), 16) == 0
    s = srv.accept(lst, None, None)
    assert s != ws.INVALID_SOCKET
    return lst, c, s


def _scenario(profile: str = "documented") -> Tracer:
    sim, api, srv = _pair(profile=profile)
    _lst, c, s = _connected(sim, api, srv)
    ov = ws.WSAOVERLAPPED(hEvent=api.WSACreateEvent())
    buf = bytearray(8)
    api.WSARecv(c, [ws.WSABUF(8, buf)], 1, ctypes.c_ulong(), ctypes.c_ulong(), ov, None)
    api.host.provider.WSPCloseSocket(c, ctypes.c_int())
    srv.recv(s, bytearray(8), 8, 0)
    assert sim.tracer is not None
    return sim.tracer


def test_off_by_default_and_nothing_wrapped() -> None:
    """DESIGN 1 (trace recorder) and DESIGN 3: tracing is off by default, and then
    the API methods, the proc table and the upcall table are the plain functions
    (no wrapper on any call path)."""
    sim, api, _srv = _pair(trace=False)
    assert sim.tracer is None
    assert "socket" not in vars(api) and "WSARecv" not in vars(api)
    assert "WSPRecv" not in vars(api.host.provider)
    for fn in api.procs.entries():
        assert fn is not None and not getattr(fn, "__wsspi_traced__", False)
    for fn in api.upcall_table.entries():
        assert fn is None or not getattr(fn, "__wsspi_traced__", False)


def test_on_wraps_api_spi_and_upcalls() -> None:
    """DESIGN 1: with Simulator(trace=True) every API call, SPI call (through the
    switch's WSPPROC_TABLE, SPI-FACTS 3.2) and upcall (SPI-FACTS 3.3) is recorded."""
    sim, api, _srv = _pair()
    assert all(getattr(fn, "__wsspi_traced__", False) for fn in api.procs.entries())
    assert all(getattr(fn, "__wsspi_traced__", False) for fn in api.upcall_table.entries() if fn is not None)
    assert sim.tracer is not None
    assert [e.name for e in sim.tracer.calls(kind="spi")] == ["WSPStartup", "WSPStartup"]


def test_calls_nest_api_spi_upcall() -> None:
    """SPI-FACTS 3.3: a non-IFS provider's WSPSocket gets its handle from the
    WPUCreateSocketHandle upcall; the trace nests socket -> WSASocketW -> WSPSocket
    -> WPUCreateSocketHandle, each event's parent being the call around it."""
    sim, api, _srv = _pair()
    tr = sim.tracer
    assert tr is not None
    mark = tr.mark()
    s = api.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP)
    evs = tr.since(mark)
    assert [(e.kind, e.name, e.depth) for e in evs] == [
        ("api", "socket", 0),
        ("api", "WSASocketW", 1),
        ("spi", "WSPSocket", 2),
        ("upcall", "WPUCreateSocketHandle", 3),
    ]
    assert [e.parent for e in evs] == [None, evs[0].seq, evs[1].seq, evs[2].seq]
    assert all(e.socket == s and e.result == s for e in evs)
    assert all(e.process == api.pid for e in evs)
    assert tr.children(evs[0]) == [evs[1]]


def test_result_last_error_and_errno_recorded() -> None:
    """SPI-FACTS 3.5: API functions set the thread's last error, SPI functions
    report through lpErrno; the trace records both with the result."""
    sim, api, _srv = _pair()
    tr = sim.tracer
    assert tr is not None
    s = api.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP)
    assert api.recv(s, bytearray(4), 4, 0) == ws.SOCKET_ERROR
    rec = tr.calls(name="recv")[-1]
    assert rec.result == ws.SOCKET_ERROR and rec.last_error == ws.WSAENOTCONN
    assert rec.failed and rec.error == ws.WSAENOTCONN
    wsp = tr.calls(name="WSPRecv")[-1]
    assert wsp.kind == "spi" and wsp.errno == ws.WSAENOTCONN and wsp.parent == rec.seq
    ok = tr.calls(name="socket")[-1]
    assert not ok.failed and ok.error is None and ok.last_error == 0


def test_transitions_of_one_socket() -> None:
    """Seed 004 ("The switch calls ... WSPCloseSocket ... only for a hard close"):
    the trace's transitions of one socket follow the stream table, OPEN ->
    CONNECTING -> CONNECTED, and a hard close moves it to CLOSED."""
    tr = _scenario()
    c = tr.calls(name="connect")[0].socket
    assert c is not None
    assert tr.states(c) == ["OPEN", "CONNECTING", "CONNECTED", "CLOSED"]
    assert [e.fields["event"] for e in tr.transitions(c)] == ["connect", "connect_ok", "close"]


def test_refused_rows_are_recorded_separately() -> None:
    """SPI-FACTS 3.6 (WSPRecvDisconnect: WSAENOTCONN, connection-oriented only):
    a row whose outcome is an error is recorded as refused and keeps the state;
    transitions() lists it only when asked."""
    sim, api, _srv = _pair()
    tr = sim.tracer
    assert tr is not None
    s = api.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP)
    errno = ctypes.c_int()
    assert api.host.provider.WSPRecvDisconnect(s, None, errno) == ws.SOCKET_ERROR
    assert errno.value == ws.WSAENOTCONN
    assert tr.transitions(s) == []
    refused = tr.transitions(s, refused=True)
    assert [(e.fields["from"], e.fields["event"], e.fields["error"]) for e in refused] == [
        ("OPEN", "recv_disconnect", ws.WSAENOTCONN)
    ]


def test_hard_close_completion_is_recorded() -> None:
    """Seed 004: "It also passes the WSA_OPERATION_ABORTED error code to specify
    that the overlapped operation was canceled because the socket was closed." --
    the completion event says so, inside the WSPCloseSocket call, after the
    WPUCompleteOverlappedRequest upcall."""
    tr = _scenario()
    close = tr.calls(name="WSPCloseSocket")[0]
    assert close.fields.get("direct") is True
    comps = tr.completions(close.socket)
    assert len(comps) == 1 and comps[0].fields["error"] == ws.WSA_OPERATION_ABORTED
    assert comps[0].parent == close.seq
    up = tr.calls(name="WPUCompleteOverlappedRequest")
    assert len(up) == 1 and up[0].parent == close.seq and up[0].seq < comps[0].seq


def test_profile_windows_completion_differs_in_trace() -> None:
    """W21: in profile "windows" a pending receive on a connected TCP socket closed
    locally completes with the connection aborted; the trace shows the code."""
    tr = _scenario("windows")
    comps = tr.completions()
    assert [e.fields["error"] for e in comps] == [ws.WSAECONNABORTED]


def test_peer_transition_belongs_to_peer_process() -> None:
    """Seed 004: "Any subsequent WSPRecv call from the remote peer of the connection
    fails with WSAECONNRESET." -- the peer's move to RESET is recorded with the
    peer's process, and its recv fails with WSAECONNRESET."""
    tr = _scenario()
    recv = tr.calls(name="recv")[-1]
    peer = recv.socket
    assert peer is not None and recv.last_error == ws.WSAECONNRESET
    reset = [e for e in tr.transitions(peer) if e.fields["to"] == "RESET"]
    assert len(reset) == 1 and reset[0].process == recv.process


def test_same_script_same_trace() -> None:
    """DESIGN 3: "same script, same results, same trace" -- two runs export the
    same JSON Lines, byte for byte."""
    assert _scenario().to_jsonl() == _scenario().to_jsonl()


def test_jsonl_export(tmp_path: object) -> None:
    """DESIGN 1 (trace recorder): the trace exports as JSON Lines, one event per line
    with time, process, thread, kind, name, args, result."""
    tr = _scenario()
    text = tr.to_jsonl()
    lines = text.splitlines()
    assert len(lines) == len(tr.events)
    rows = [json.loads(line) for line in lines]
    assert [r["seq"] for r in rows] == list(range(len(rows)))
    first = rows[0]
    assert first["kind"] == "api" and first["name"] == "WSAStartup" and first["result"] == 0
    assert {"time", "thread", "process", "args"} <= set(first)
    buf = io.StringIO()
    tr.to_jsonl(buf)
    assert buf.getvalue() == text
    import pathlib

    path = pathlib.Path(str(tmp_path)) / "t.jsonl"
    tr.to_jsonl(path)
    assert path.read_text(encoding="utf-8") == text


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_timeline_colours_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """DESIGN 1 (trace recorder): the timeline is indented by nesting and uses ANSI
    colours only when the stream is a terminal."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    tr = _scenario()
    plain = io.StringIO()
    tr.print_timeline(plain)
    assert "\x1b[" not in plain.getvalue()
    tty = _Tty()
    tr.print_timeline(tty)
    assert "\x1b[" in tty.getvalue()
    lines = plain.getvalue().splitlines()
    spi = next(line for line in lines if " WSPSocket(" in line)
    api_line = next(line for line in lines if " WSASocketW(" in line)
    assert spi.index("spi") > api_line.index("api")  # nested one level deeper
    assert "[WSAECONNRESET]" in plain.getvalue()
    monkeypatch.setenv("NO_COLOR", "1")
    tty2 = _Tty()
    tr.print_timeline(tty2)
    assert "\x1b[" not in tty2.getvalue()


def test_timeline_hides_quiet_calls_by_default() -> None:
    """SPI-FACTS 3.5: WSAGetLastError only reads the thread's last error; it is
    kept in the trace but the timeline leaves it out unless asked."""
    sim, api, _srv = _pair()
    tr = sim.tracer
    assert tr is not None
    api.WSAGetLastError()
    assert tr.calls(name="WSAGetLastError")
    assert "WSAGetLastError" in QUIET_NAMES
    assert "WSAGetLastError" not in tr.timeline()
    assert "WSAGetLastError" in tr.timeline(hide=())


def test_threads_are_numbered_in_order() -> None:
    """DESIGN 3 (safe from several Python threads; deterministic trace): events
    carry a thread number in order of first appearance, not an OS id."""
    sim, api, _srv = _pair()
    tr = sim.tracer
    assert tr is not None
    t = threading.Thread(target=lambda: api.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP))
    t.start()
    t.join()
    assert tr.calls(name="socket")[0].thread == 2
    assert tr.events[0].thread == 1


def test_exception_unwinds_depth() -> None:
    """DESIGN 2: misuse C would not compile raises a TypeError naming the parameter;
    the trace records it and later calls start again at depth 0."""
    sim, api, _srv = _pair()
    tr = sim.tracer
    assert tr is not None
    with pytest.raises(TypeError):
        api.bind(object(), None, 16)  # type: ignore[arg-type]
    bad = tr.calls(name="bind")[-1]
    assert bad.exception is not None and "TypeError" in bad.exception
    api.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP)
    assert tr.calls(name="socket")[-1].depth == 0


def test_fault_and_traced_entry_points_survive_fault_arming() -> None:
    """DESIGN 5 (trio: seeded fault hooks) and SPI-FACTS 3.6 (WSPRecv: WSAENETDOWN):
    a fault rule armed after tracing started still fires through the switch's
    table, the call stays traced, and the fault is a trace event."""
    sim, api, _srv = _pair()
    tr = sim.tracer
    assert tr is not None
    s = api.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP)
    assert api.bind(s, ws.sockaddr("10.0.0.1", 7), 16) == 0
    sim.faults.fail_call("WSPRecv", error=ws.WSAENETDOWN, repeat=True)
    assert api.recv(s, bytearray(4), 4, 0) == ws.SOCKET_ERROR
    assert api.WSAGetLastError() == ws.WSAENETDOWN
    wsp = tr.calls(name="WSPRecv")[-1]
    assert wsp.errno == ws.WSAENETDOWN and not wsp.fields.get("direct")
    faults = tr.of_kind("fault")
    assert len(faults) == 1 and faults[0].fields["call"] == "WSPRecv"
    # a direct call after arming fails too, and is traced as a direct call
    errno = ctypes.c_int()
    rc = api.host.provider.WSPRecv(s, [ws.WSABUF(4, bytearray(4))], 1, ctypes.c_ulong(), ctypes.c_ulong(),
                                   None, None, None, errno)  # fmt: skip
    assert rc == ws.SOCKET_ERROR and errno.value == ws.WSAENETDOWN
    direct = tr.calls(name="WSPRecv")[-1]
    assert direct.fields.get("direct") is True and direct.errno == ws.WSAENETDOWN
    assert len(tr.of_kind("fault")) == 2


def test_layered_provider_calls_are_traced() -> None:
    """SPI-FACTS 3.1: a layered provider's WSPStartup starts the provider below and
    fills the switch's table with its own entry points; the trace shows the
    switch -> layer -> base provider calls nested."""
    sim = ws.Simulator(trace=True)
    host = sim.add_host("10.0.0.1")
    host.install_lsp(LayeredProvider)
    api = host.ws2
    assert api.WSAStartup(0x0202, ws.WSADATA()) == 0
    tr = sim.tracer
    assert tr is not None
    mark = tr.mark()
    api.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP)
    spis = [e for e in tr.since(mark) if e.kind == "spi"]
    assert [e.name for e in spis] == ["WSPSocket", "WSPSocket"]
    assert spis[1].parent == spis[0].seq
    assert not any(e.fields.get("direct") for e in spis)


def test_capture_traces_every_simulator() -> None:
    """DESIGN 1 (the CLI's run --trace): inside trace.capture() every Simulator
    created records a trace; outside, none does."""
    assert not capturing()
    with capture() as found:
        assert capturing()
        s1 = ws.Simulator()
        s2 = ws.Simulator(profile="windows")
    assert [t.sim for t in found] == [s1, s2]
    assert ws.Simulator().tracer is None


def test_point_event_api_kept() -> None:
    """DESIGN 1: recording sites call tracer.event(kind, **fields) and tests query
    of_kind(kind); both keep working, with the socket field lifted."""
    sim, _api, _srv = _pair()
    tr = sim.tracer
    assert tr is not None
    ev = tr.event("custom", socket=7, note="x")
    assert tr.of_kind("custom") == [ev] and ev.socket == 7 and ev.fields["note"] == "x"
    assert tr.for_socket(7) == [ev]


def test_hard_close_of_an_accepted_socket_names_its_handle() -> None:
    """README: "`ws.Simulator(trace=True)` records every ... state transition ...,
    queryable from tests (`sim.tracer.transitions(s)`, `sim.tracer.states(s)`)" --
    the README's own example hard-closes an accepted socket that took no row
    before; its CONNECTED --close--> CLOSED row carries its handle (it printed
    "socket None" and was missing from transitions(s))."""
    sim = ws.Simulator(trace=True)
    a = sim.add_host("10.0.0.1")
    b = sim.add_host("10.0.0.2")
    api, srv = a.ws2, b.ws2
    for x in (api, srv):
        assert x.WSAStartup(0x0202, ws.WSADATA()) == 0
    _lst, _c, s = _connected(sim, api, srv)
    assert b.provider.WSPCloseSocket(s, ctypes.c_int()) == 0
    assert sim.tracer is not None
    assert sim.tracer.states(s) == ["CONNECTED", "CLOSED"]
    assert all(e.fields["socket"] is not None for e in sim.tracer.transitions(refused=True))
    assert f"socket {s}: CONNECTED --close--> CLOSED" in sim.tracer.timeline()
