"""The pytest plugin, run the way a user runs it (issue 6, part 1).

Issue 6: "pytest plugin registered through the pytest11 entry point: fixtures
for a fresh simulator, a started Winsock API on a host, and a connected TCP
pair; a marker or option to choose the profile; safe with function scope and
with Hypothesis ...; works under pytest-xdist."  Each test writes a small user
suite and runs it with ``pytester``, so only the plugin's documented fixtures
and the exported kit are used.
"""

from __future__ import annotations

import importlib.metadata

import pytest

pytest_plugins = ["pytester"]

USER_SUITE = '''
import ctypes
import wsspi_sim as ws

def test_fresh_simulator(wsspi_sim):
    assert isinstance(wsspi_sim, ws.Simulator)
    assert wsspi_sim.hosts == [] and wsspi_sim.now == 0

def test_started_winsock(winsock):
    s = winsock.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP)
    assert s != ws.INVALID_SOCKET and winsock.WSAGetLastError() == 0
    assert winsock.host.owns("10.0.0.1")

def test_tcp_pair(tcp_pair):
    api, client, server = tcp_pair
    assert api.send(client, b"ping", 4, 0) == 4
    buf = bytearray(4)
    assert api.recv(server, buf, 4, 0) == 4 and buf == b"ping"
    assert tcp_pair.client == client and tcp_pair.server == server

def test_isolated_one(winsock):
    winsock.socket(ws.AF_INET, ws.SOCK_DGRAM, 0)
    assert len(winsock.sockets) == 1

def test_isolated_two(winsock):
    assert len(winsock.sockets) == 0  # a fresh world for every test
'''


def test_the_entry_points_are_registered() -> None:
    """Issue 6: the plugin is registered through ``pytest11`` and the strategies
    through Hypothesis' ``hypothesis`` entry point."""
    eps = importlib.metadata.entry_points()
    assert any(e.value == "wsspi_sim.testing.plugin" for e in eps.select(group="pytest11"))
    hyp = [e for e in eps.select(group="hypothesis") if e.value.startswith("wsspi_sim.")]
    assert hyp and hyp[0].value == "wsspi_sim.testing.strategies:_hypothesis_setup_hook"


def test_fixtures_work_in_a_user_suite(pytester: pytest.Pytester) -> None:
    """Issue 6: fixtures for a fresh simulator (``wsspi_sim``), a started Winsock
    on a host (``winsock``) and a connected TCP pair (``tcp_pair``), each fresh
    per test (function scope)."""
    pytester.makepyfile(test_user=USER_SUITE)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=5)


def test_profile_marker_and_option(pytester: pytest.Pytester) -> None:
    """Issue 6: "a marker or option to choose the profile": the marker wins over
    the option, the option over the default ("documented", DESIGN 2)."""
    pytester.makepyfile(
        test_profiles='''
import pytest

def test_default_or_option(wsspi_sim, request):
    assert wsspi_sim.profile == (request.config.getoption("--wsspi-profile") or "documented")

@pytest.mark.wsspi_profile("windows")
def test_marker(wsspi_sim, winsock):
    assert wsspi_sim.profile == "windows" and winsock.sim.profile == "windows"

@pytest.mark.wsspi_profile("documented")
def test_marker_beats_option(tcp_pair):
    assert tcp_pair.sim.profile == "documented"
'''
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=3)
    pytester.runpytest("-p", "no:cacheprovider", "--wsspi-profile=windows").assert_outcomes(passed=3)


def test_unknown_profile_is_a_clear_error(pytester: pytest.Pytester) -> None:
    """A profile name that does not exist fails the test with a ValueError naming it."""
    pytester.makepyfile(test_bad="def test_x(wsspi_sim):\n    pass\n")
    result = pytester.runpytest("-p", "no:cacheprovider", "--wsspi-profile=nonesuch")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*nonesuch*"])


def test_factory_form_with_given_and_state_machines(pytester: pytest.Pytester) -> None:
    """Issue 6: safe with Hypothesis: ``@given`` tests and state machines build a
    fresh world per example from the session-scoped ``simulator_factory`` (no
    function-scoped fixture health check), and the exported state machines run
    against a factory (here one that installs a layered provider)."""
    pytester.makepyfile(
        test_hyp='''
from hypothesis import given, settings, strategies as st
import wsspi_sim as ws
from wsspi_sim.lsp import LayeredProvider
from wsspi_sim.testing import started_winsock
from wsspi_sim.testing.stateful import StreamMachine
from wsspi_sim.testing import strategies as wst

@settings(max_examples=10, deadline=None)
@given(payload=st.binary(min_size=1, max_size=100))
def test_echo(simulator_factory, payload):
    pair = simulator_factory.tcp_pair()
    assert pair.api.send(pair.client, payload, len(payload), 0) == len(payload)
    buf = bytearray(len(payload))
    assert pair.api.recv(pair.server, buf, len(buf), 0) == len(payload)
    assert bytes(buf) == payload

@settings(max_examples=10, deadline=None)
@given(name=st.from_type(ws.SOCKET_PEER_TARGET_NAME), bufs=wst.wsabuf_lists())
def test_registered_types(wsspi_factory, name, bufs):
    assert isinstance(name, ws.SOCKET_PEER_TARGET_NAME)
    assert wsspi_factory().profile in ("documented", "windows")

TestLayered = StreamMachine.with_factory(lambda: started_winsock(lsp=LayeredProvider)).TestCase
TestLayered.settings = settings(max_examples=5, stateful_step_count=10, deadline=None)
'''
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=3)


def test_works_under_xdist(pytester: pytest.Pytester) -> None:
    """Issue 6: "works under pytest-xdist": the user suite passes with ``-n 2``
    (fixtures are per test; nothing is shared between workers)."""
    pytester.makepyfile(test_user=USER_SUITE)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-n", "2")
    result.assert_outcomes(passed=5)


def test_plugin_can_be_disabled(pytester: pytest.Pytester) -> None:
    """A suite that disables the plugin (``-p no:wsspi_sim``) has no wsspi_sim
    fixtures: the plugin is what provides them."""
    pytester.makepyfile(test_x="def test_x(winsock):\n    pass\n")
    result = pytester.runpytest("-p", "no:cacheprovider", "-p", "no:wsspi_sim")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*fixture 'winsock' not found*"])


# -- the strategies' documented promises (found by following docs/testing-kit.md) ------------
def _set_ptn(dgram: bool, args: tuple) -> int:
    import wsspi_sim as ws
    from wsspi_sim.testing import started_winsock

    api = started_winsock()
    s = api.socket(ws.AF_INET, ws.SOCK_DGRAM if dgram else ws.SOCK_STREAM, 0)
    return int(api.WSASetSocketPeerTargetName(s, args[0], args[1], None, None))


def test_malformed_peer_target_names_are_rejected_on_a_datagram_socket() -> None:
    """docs/testing-kit.md: "`(PeerTargetName, PeerTargetNameLen)` ... that it
    rejects with an error code on an unconnected datagram socket".  The strategy
    used to draw lengths up to sizeof + name bytes - 1, but Windows (and the
    simulator) accept any length from max(144, 140 + name bytes): those
    "truncated" lengths were accepted."""
    from hypothesis import HealthCheck, given, settings

    import wsspi_sim as ws
    from wsspi_sim.testing import strategies as wst

    accepted: list[tuple] = []

    @settings(max_examples=400, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(args=wst.malformed_peer_target_name_args())
    def run(args: tuple) -> None:
        if _set_ptn(True, args) != ws.SOCKET_ERROR:
            accepted.append(args)

    run()
    assert accepted == []

    # the shortest accepted length of a name longer than 4 bytes is 140 + its bytes
    p = ws.SOCKET_PEER_TARGET_NAME(PeerAddress=ws.sockaddr("10.0.0.2", 80), AllStrings="host/server")
    assert _set_ptn(True, (p.pack(), 140 + p.name_bytes())) == 0
    assert _set_ptn(True, (p.pack(), 140 + p.name_bytes() - 1)) == ws.SOCKET_ERROR


def test_malformed_peer_target_names_declared_longer_are_rejected_on_a_stream_socket() -> None:
    """docs/testing-kit.md: "(a stream socket accepts the zero-address ones: TCP
    needs no PeerAddress)" -- every other malformed pair is rejected there too.
    The "declared name longer than the buffer" case counted code points, not
    UTF-16 units (a name of non-BMP characters was not longer at all), and one
    extra unit on a 1-unit name still fit in the 144 bytes pack() writes."""
    from hypothesis import HealthCheck, given, settings

    import wsspi_sim as ws
    from wsspi_sim.testing import strategies as wst

    zero = ws.sockaddr("0.0.0.0", 0).rstrip(b"\0")
    accepted: list[tuple] = []

    @settings(max_examples=400, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(args=wst.malformed_peer_target_name_args())
    def run(args: tuple) -> None:
        if _set_ptn(False, args) == ws.SOCKET_ERROR:
            return
        ptn = args[0]
        if not isinstance(ptn, ws.SOCKET_PEER_TARGET_NAME):
            ptn = ws.SOCKET_PEER_TARGET_NAME.unpack(ptn)
        if ptn.PeerAddress.rstrip(b"\0") != zero:
            accepted.append(args)

    run()
    assert accepted == []
    # the two examples the old strategy drew and a stream socket accepted
    for name, declared in (("\U00010000\U00010000", 4), ("0", 2)):
        p = ws.SOCKET_PEER_TARGET_NAME(PeerAddress=b"", AllStrings=name, PeerTargetNameStringLen=declared)
        assert _set_ptn(False, (p, 144 + p.name_bytes())) == 0  # not malformed: the name fits


def test_testing_kit_snippets_run() -> None:
    """docs/testing-kit.md: "`host.install_lsp(factory)` calls `factory(lower)` ...
    processes whose `WSAStartup` runs afterwards go through it" and "Every
    simulator has `sim.faults`" -- the LSP and fault-injection snippets, copied
    as they are, run (they used `ws`, `host` and `sim` without defining them)."""
    import pathlib
    import re

    text = (pathlib.Path(__file__).parent.parent / "docs" / "testing-kit.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    elided = re.compile(r"^\s*\.\.\.\s*$|\(\.\.\.\)", re.M)  # "    ..." and "@given(...)"
    runnable = [b for b in blocks if not elided.search(b) and "MyLsp" not in b]
    assert any("install_lsp" in b for b in runnable) and any("sim.faults" in b for b in runnable)
    for block in runnable:
        if "def test_" in block:
            continue  # fixture examples: run by the pytester tests above
        exec(compile(block, "docs/testing-kit.md", "exec"), {})
