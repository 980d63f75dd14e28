"""Layered service providers in Python (issue 6, part 3; SPI-FACTS 3.1, 3.4, 3.7).

Issue 6: "A user installs a Python layered service provider on top of the base
provider: it receives WSPStartup, gets the lower proc table, and intercepts or
passes through each entry, as Windows' LSP sample does, including the
overlapped path.  Examples: a counting LSP, and an LSP that rewrites peer
target names."
"""

from __future__ import annotations

import ctypes
import functools
import importlib.util
import pathlib
from types import ModuleType
from typing import Any

import pytest

import wsspi_sim as ws
from wsspi_sim.lsp import LayeredProvider
from wsspi_sim.testing import check_invariants, connected_tcp_pair, started_winsock

EXAMPLES = pathlib.Path(__file__).resolve().parent.parent / "examples"


def _example(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


class Recorder(LayeredProvider):
    """Records the name and arguments of every call that passes through it."""

    def __init__(self, lower: Any) -> None:
        super().__init__(lower)
        self.seen: list[str] = []
        self.startups = 0

    def WSPStartup(self, *args: Any) -> int:
        self.startups += 1
        return super().WSPStartup(*args)

    def next_proc(self, name: str) -> Any:
        self.seen.append(name)
        return super().next_proc(name)


class Wrapping(LayeredProvider):
    """Intercepts every overlapped completion (the LSP sample's pattern)."""

    wrap_completions = True

    def __init__(self, lower: Any) -> None:
        super().__init__(lower)
        self.completed: list[tuple[str, int, int]] = []

    def on_complete(self, kind: str, s: int, lpOverlapped: Any, dwError: int, cbTransferred: int,
                    dwFlags: int) -> tuple[int, int, int]:
        self.completed.append((kind, dwError, cbTransferred))
        return dwError, cbTransferred, dwFlags


class _Out:
    value: Any = None


def test_startup_goes_through_the_chain() -> None:
    """SPI-FACTS 3.1: the switch calls the top provider's WSPStartup; the layer
    calls the lower WSPStartup itself and keeps the table it fills (the LSP
    sample's NextProcTable); the switch's table holds the layer's entries."""
    sim = ws.Simulator()
    host = sim.add_host("10.0.0.1")
    layer = host.install_lsp(Recorder)
    assert isinstance(layer, Recorder) and layer.lower is host.provider
    api = host.ws2
    assert api.WSAStartup(0x0202, ws.WSADATA()) == 0
    assert layer.startups == 1
    assert all(fn is not None for fn in layer.next_procs.entries())
    assert api.procs.lpWSPSend.__self__ is layer  # type: ignore[union-attr]
    assert host.provider.started.get(api) == 1  # the base provider was started for this process


def test_processes_started_before_install_keep_their_chain() -> None:
    """A process whose WSAStartup ran before the layer was installed keeps
    calling the base provider; one started afterwards goes through the layer
    (Windows loads the catalog when ws2_32 starts)."""
    sim = ws.Simulator()
    host = sim.add_host("10.0.0.1")
    early = host.ws2
    assert early.WSAStartup(0x0202, ws.WSADATA()) == 0
    layer = host.install_lsp(Recorder)
    late = host.new_process()
    assert late.WSAStartup(0x0202, ws.WSADATA()) == 0
    early.socket(ws.AF_INET, ws.SOCK_STREAM, 0)
    assert layer.seen == []
    late.socket(ws.AF_INET, ws.SOCK_STREAM, 0)
    assert layer.seen == ["WSPSocket"]


def test_the_counting_example_counts_and_data_flows() -> None:
    """Issue 6 example: the counting LSP sees each call once and the connection
    still carries the bytes (pass-through changes nothing)."""
    mod = _example("counting_lsp")
    api = started_winsock(lsp=mod.CountingLSP)
    lsp = api.host.top_provider
    pair = connected_tcp_pair(api)
    assert api.send(pair.client, b"abc", 3, 0) == 3
    buf = bytearray(3)
    assert api.recv(pair.server, buf, 3, 0) == 3 and buf == b"abc"
    assert lsp.calls["WSPSend"] == 1 and lsp.calls["WSPRecv"] == 1
    assert lsp.calls["WSPSocket"] == 2 and lsp.calls["WSPAccept"] == 1
    mod.main()  # the example's own demo runs


def test_handles_are_the_same_at_every_level() -> None:
    """DESIGN 2: "A handle from api.socket is the same handle the provider knows:
    a test may ... hard-close it with spi.WSPCloseSocket" -- still true with a
    layer installed; afterwards WSAENOTSOCK at both levels."""
    api = started_winsock(lsp=Recorder)
    s = api.socket(ws.AF_INET, ws.SOCK_STREAM, 0)
    errno = ctypes.c_int()
    assert api.host.provider.WSPCloseSocket(s, errno) == 0
    assert api.closesocket(s) == ws.SOCKET_ERROR and api.WSAGetLastError() == ws.WSAENOTSOCK
    assert api.host.top_provider.WSPCloseSocket(s, errno) == ws.SOCKET_ERROR
    assert errno.value == ws.WSAENOTSOCK


@pytest.mark.parametrize("layer", [Recorder, Wrapping])
@pytest.mark.parametrize("mech", ["event", "port", "routine"])
def test_overlapped_requests_complete_once_through_a_layer(layer: type, mech: str) -> None:
    """SPI-FACTS 3.4 through a layer, pass-through and intercepted: a pending
    overlapped receive completes exactly once by the caller's mechanism (event,
    completion port packet, completion routine in an alertable wait) with the
    caller's own WSAOVERLAPPED and the bytes that arrived."""
    api = started_winsock(lsp=layer)
    pair = connected_tcp_pair(api)
    port = api.CreateIoCompletionPort(pair.server, None, 5, 0) if mech == "port" else None
    calls: list[tuple[int, int, Any]] = []
    ov = ws.WSAOVERLAPPED(hEvent=api.WSACreateEvent() if mech == "event" else None)
    routine = (lambda e, n, o, f: calls.append((e, n, o))) if mech == "routine" else None
    buf = bytearray(8)
    rc = api.WSARecv(pair.server, [ws.WSABUF(8, buf)], 1, ctypes.c_ulong(), ctypes.c_ulong(0), ov, routine)
    assert rc == ws.SOCKET_ERROR and api.WSAGetLastError() == ws.WSA_IO_PENDING
    assert ov.Internal == ws.WSS_OPERATION_IN_PROGRESS
    assert api.send(pair.client, b"layered", 7, 0) == 7
    assert ov.InternalHigh == 7 and ov.OffsetHigh == 0 and bytes(buf[:7]) == b"layered"
    if mech == "event":
        assert api.WSAWaitForMultipleEvents(1, [ov.hEvent], False, 0, False) == 0
    elif mech == "port":
        out = _Out()
        assert api.GetQueuedCompletionStatus(port, ctypes.c_ulong(), ctypes.c_uint64(), out, 0) == ws.TRUE
        assert out.value is ov
        out2 = _Out()
        assert api.GetQueuedCompletionStatus(port, ctypes.c_ulong(), ctypes.c_uint64(), out2, 0) == ws.FALSE
        assert out2.value is None  # exactly one packet
    else:
        assert calls == []  # only in an alertable wait (DESIGN 3)
        assert api.SleepEx(0, True) == ws.WAIT_IO_COMPLETION
        assert api.SleepEx(0, True) == 0
        assert calls == [(0, 7, ov)]
    got, flags = ctypes.c_ulong(), ctypes.c_ulong()
    assert api.WSAGetOverlappedResult(pair.server, ov, got, False, flags) == ws.TRUE and got.value == 7
    if layer is Wrapping:
        assert api.host.top_provider.completed == [("recv", 0, 7)]
    check_invariants(api.sim)


def test_an_intercepting_layer_can_change_what_the_caller_sees() -> None:
    """The LSP sample completes the caller's request itself: a layer may report
    another result (here it fails every receive with WSAECONNABORTED) and the
    caller sees exactly that, once."""

    class Failing(Wrapping):
        def on_complete(self, kind: str, s: int, lpOverlapped: Any, dwError: int, cbTransferred: int,
                        dwFlags: int) -> tuple[int, int, int]:
            return ws.WSAECONNABORTED, 0, 0

    api = started_winsock(lsp=Failing)
    pair = connected_tcp_pair(api)
    ov = ws.WSAOVERLAPPED(hEvent=api.WSACreateEvent())
    api.send(pair.client, b"xyz", 3, 0)
    rc = api.WSARecv(pair.server, [ws.WSABUF(8, bytearray(8))], 1, ctypes.c_ulong(), ctypes.c_ulong(0), ov, None)
    assert rc == 0  # completed at once, below and above
    got, flags = ctypes.c_ulong(), ctypes.c_ulong()
    assert api.WSAGetOverlappedResult(pair.server, ov, got, False, flags) == ws.FALSE
    assert api.WSAGetLastError() == ws.WSAECONNABORTED


@pytest.mark.parametrize("how", ["cancel", "hard_close", "cleanup"])
def test_intercepted_requests_are_cancelled_and_aborted(how: str) -> None:
    """SPI-FACTS 3.7 through an intercepting layer: CancelIoEx of the caller's
    request, a hard close (WSPCloseSocket completes pending requests with
    WSA_OPERATION_ABORTED) and WSACleanup (ends them without notification)."""
    api = started_winsock(lsp=Wrapping)
    # A datagram socket: no peer whose own teardown could complete the request first.
    s = api.socket(ws.AF_INET, ws.SOCK_DGRAM, 0)
    assert api.bind(s, ws.sockaddr("127.0.0.1", 0), 16) == 0
    calls: list[int] = []
    ov = ws.WSAOVERLAPPED()
    rc = api.WSARecv(s, [ws.WSABUF(8, bytearray(8))], 1, ctypes.c_ulong(), ctypes.c_ulong(0), ov,
                     lambda e, n, o, f: calls.append(e))  # fmt: skip
    assert rc == ws.SOCKET_ERROR and api.WSAGetLastError() == ws.WSA_IO_PENDING
    if how == "cancel":
        assert api.CancelIoEx(s, ov) == ws.TRUE
    elif how == "hard_close":
        assert api.host.top_provider.WSPCloseSocket(s, ctypes.c_int()) == 0
    else:
        assert api.WSACleanup() == 0
    assert ov.Internal != ws.WSS_OPERATION_IN_PROGRESS
    if how == "cleanup":
        assert ov.OffsetHigh == ws.WSA_OPERATION_ABORTED
        assert api.SleepEx(0, True) == 0 and calls == []  # no notification (SPI-FACTS 3.7)
    else:
        api.SleepEx(0, True)
        assert calls == [ws.WSA_OPERATION_ABORTED]
    check_invariants(api.sim)


def test_a_routine_on_a_port_socket_is_refused_through_a_layer() -> None:
    """W34 through an intercepting layer: a completion routine on a socket
    associated with a completion port is WSAEINVAL, as without the layer."""
    api = started_winsock(lsp=Wrapping)
    pair = connected_tcp_pair(api)
    api.CreateIoCompletionPort(pair.server, None, 1, 0)
    rc = api.WSARecv(pair.server, [ws.WSABUF(4, bytearray(4))], 1, ctypes.c_ulong(), ctypes.c_ulong(0),
                     ws.WSAOVERLAPPED(), lambda *a: None)  # fmt: skip
    assert rc == ws.SOCKET_ERROR and api.WSAGetLastError() == ws.WSAEINVAL


def test_two_layers_stack_top_first() -> None:
    """Layers stack: the last installed is called first and passes down to the
    one below it, which passes down to the base provider (SPI-FACTS 3.1)."""
    order: list[str] = []

    class Named(LayeredProvider):
        label = ""

        def WSPSocket(self, *args: Any) -> int:
            order.append(self.label)
            return super().WSPSocket(*args)

    class Lower(Named):
        label = "lower"

    class Upper(Named):
        label = "upper"

    sim = ws.Simulator()
    host = sim.add_host("10.0.0.1")
    low = host.install_lsp(Lower)
    up = host.install_lsp(Upper)
    assert up.lower is low and low.lower is host.provider and host.lsps == [low, up]
    api = host.ws2
    api.WSAStartup(0x0202, ws.WSADATA())
    assert api.socket(ws.AF_INET, ws.SOCK_DGRAM, 0) != ws.INVALID_SOCKET
    assert order == ["upper", "lower"]


def test_graceful_close_and_linger_work_through_a_layer() -> None:
    """The switch asks its provider for close_info/unsent (graceful close and
    SO_LINGER, SPI-FACTS 3.7); the layer passes them down, so a graceful close
    still delivers queued data and then end-of-stream."""
    api = started_winsock(lsp=Recorder)
    pair = connected_tcp_pair(api)
    assert api.send(pair.client, b"bye", 3, 0) == 3
    assert api.closesocket(pair.client) == 0
    buf = bytearray(8)
    assert api.recv(pair.server, buf, 8, 0) == 3
    assert api.recv(pair.server, buf, 8, 0) == 0


def test_the_rewrite_example_rewrites_peer_target_names() -> None:
    """Issue 6 example; seed 002 (WSASetSocketPeerTargetName reaches the provider
    as SIO_SET_PEER_TARGET_NAME): the layer rewrites the name on its way down
    and the provider registers the rewritten name."""
    mod = _example("rewrite_peer_names_lsp")
    layer = functools.partial(mod.RewritePeerNamesLSP, rewrite={"host/a": "host/b.example.com"})
    api = started_winsock(lsp=layer)
    s = api.socket(ws.AF_INET, ws.SOCK_STREAM, 0)
    ptn = ws.SOCKET_PEER_TARGET_NAME(PeerAddress=ws.sockaddr("10.0.0.2", 443), AllStrings="host/a")
    assert api.WSASetSocketPeerTargetName(s, ptn, 144 + ptn.name_bytes(), None, None) == 0
    assert api.peer_target_names(s) == {None: "host/b.example.com"}
    assert api.host.top_provider.rewritten == [("host/a", "host/b.example.com")]
    mod.main()


def test_the_rewrite_example_passes_malformed_requests_down_unchanged() -> None:
    """Seed 002 error table: a request too short for its structure fails the same
    way with and without the layer (the layer does not mask the base's errors)."""
    mod = _example("rewrite_peer_names_lsp")
    results = []
    for lsp in (None, functools.partial(mod.RewritePeerNamesLSP, rewrite=str.upper)):
        api = started_winsock(lsp=lsp)
        s = api.socket(ws.AF_INET, ws.SOCK_STREAM, 0)
        ptn = ws.SOCKET_PEER_TARGET_NAME(PeerAddress=ws.sockaddr("10.0.0.2", 443), AllStrings="host/x")
        rc = api.WSASetSocketPeerTargetName(s, ptn.pack()[:100], 100, None, None)
        results.append((rc, api.WSAGetLastError()))
    assert results[0] == results[1] and results[0][0] == ws.SOCKET_ERROR


def test_install_lsp_rejects_what_is_not_a_layer() -> None:
    """DESIGN 2 applied to the kit: a factory that is not callable, or that returns
    something without WSPStartup, is a clear TypeError naming the factory."""
    host = ws.Simulator().add_host("10.0.0.1")
    with pytest.raises(TypeError, match="factory"):
        host.install_lsp(42)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="factory"):
        host.install_lsp(lambda lower: object())
    with pytest.raises(TypeError, match="lower"):
        LayeredProvider(None)


@pytest.mark.parametrize("lsp", [None, Wrapping])
def test_cleanup_ends_both_ends_of_a_connection_silently(lsp: Any) -> None:
    """SPI-FACTS 3.7 (WSPCleanup: pending overlapped requests are cancelled
    "without setting the event or running the completion routine"): with both
    ends of a connection in the process, tearing down one end must not notify
    the other end's pending receive with a reset first.  (Found by the kit's
    tests; fixed in WSPCleanup.)"""
    api = started_winsock(lsp=lsp)
    pair = connected_tcp_pair(api)
    calls: list[int] = []
    ovs = [ws.WSAOVERLAPPED(), ws.WSAOVERLAPPED()]
    for h, ov in zip(pair.handles, ovs, strict=True):
        rc = api.WSARecv(h, [ws.WSABUF(8, bytearray(8))], 1, ctypes.c_ulong(), ctypes.c_ulong(0), ov,
                         lambda e, n, o, f: calls.append(e))  # fmt: skip
        assert rc == ws.SOCKET_ERROR and api.WSAGetLastError() == ws.WSA_IO_PENDING
    assert api.WSACleanup() == 0
    assert api.SleepEx(0, True) == 0
    assert calls == []
    assert [ov.OffsetHigh for ov in ovs] == [api.sim.policy.close_aborts_connected_recv_with] * 2
    check_invariants(api.sim)
