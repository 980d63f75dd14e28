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
