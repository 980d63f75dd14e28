"""The wsspi_sim pytest plugin (entry point ``pytest11``: ``wsspi_sim``).

Fixtures (function scope: a fresh world for every test):

``wsspi_sim``
    A new :class:`wsspi_sim.Simulator` of the selected profile and seed.
``winsock``
    A started Winsock (``host.ws2`` after WSAStartup) on host 10.0.0.1 /
    fd00::1 of ``wsspi_sim``; the host is ``winsock.host``.
``tcp_pair``
    A :class:`wsspi_sim.testing.TcpPair`: ``.api`` with two connected TCP
    handles ``.client`` and ``.server`` (and ``.listener``); unpacks as
    ``api, client, server = tcp_pair``.
``wsspi_profile`` / ``wsspi_seed``
    The profile name and seed the fixtures above use.

Session scope (safe inside ``@given`` tests and state machines, where
function-scoped fixtures are not reset between examples):

``simulator_factory`` (alias ``wsspi_factory``)
    A :class:`WsspiFactory`: ``factory()`` makes a new simulator,
    ``factory.winsock()`` a started Winsock on a new world, and
    ``factory.tcp_pair()`` a connected pair on a new world.

Choosing the profile: ``pytest --wsspi-profile=windows`` for a whole run, or
``@pytest.mark.wsspi_profile("windows")`` on a test, class or module (the
marker wins; the session factories follow the option).  ``--wsspi-seed=N``
seeds every simulator the fixtures make.

This module imports nothing from wsspi_sim's submodules at import time, so
loading the plugin costs almost nothing; the fixtures import what they use.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from ..world import Simulator
    from . import TcpPair

_MARKER = "wsspi_profile"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("wsspi_sim", "wsspi_sim simulated Winsock")
    group.addoption(
        "--wsspi-profile",
        action="store",
        default=None,
        metavar="NAME",
        help='profile of the simulators the wsspi_sim fixtures make: "documented" (default) or "windows"',
    )
    group.addoption(
        "--wsspi-seed",
        action="store",
        type=int,
        default=0,
        metavar="N",
        help="seed of the simulators the wsspi_sim fixtures make (default 0)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f'{_MARKER}(name): run the wsspi_sim fixtures of this test with profile "name" '
        '("documented" or "windows")',
    )


def _option_profile(config: pytest.Config) -> str:
    value = config.getoption("--wsspi-profile", default=None)
    return str(value) if value else "documented"


def _option_seed(config: pytest.Config) -> int:
    value = config.getoption("--wsspi-seed", default=0)
    return int(value or 0)


class WsspiFactory:
    """Builds fresh worlds on demand (for ``@given`` tests and state machines).

    ``profile`` and ``seed`` are the defaults (from ``--wsspi-profile`` and
    ``--wsspi-seed``); every method takes its own ``profile=`` to override."""

    def __init__(self, profile: str = "documented", seed: int = 0) -> None:
        self.profile = profile
        self.seed = seed

    def __call__(self, profile: str | None = None, *, seed: int | None = None, trace: bool = False,
                 strict: bool = False) -> Simulator:
        """A new simulator (same as :meth:`simulator`)."""
        return self.simulator(profile, seed=seed, trace=trace, strict=strict)

    def simulator(self, profile: str | None = None, *, seed: int | None = None, trace: bool = False,
                  strict: bool = False) -> Simulator:
        """A new simulator."""
        from . import new_simulator

        return new_simulator(
            profile or self.profile, seed=self.seed if seed is None else seed, trace=trace, strict=strict
        )

    def winsock(self, sim: Simulator | None = None, *addresses: str, profile: str | None = None,
                lsp: Callable[[Any], Any] | None = None) -> Any:
        """A started Winsock on a new host (of ``sim``, or of a new simulator);
        ``lsp`` installs a layered-provider factory first."""
        from . import started_winsock

        if sim is None:
            sim = self.simulator(profile)
        return started_winsock(sim, *addresses, lsp=lsp)

    def tcp_pair(self, api: Any = None, *, profile: str | None = None, family: int | None = None,
                 nonblocking: bool = False, lsp: Callable[[Any], Any] | None = None) -> TcpPair:
        """A connected TCP pair (on ``api``, or on a new world)."""
        from . import AF_INET, connected_tcp_pair

        if api is None:
            api = self.winsock(profile=profile, lsp=lsp)
        return connected_tcp_pair(api, family=AF_INET if family is None else family, nonblocking=nonblocking)


@pytest.fixture
def wsspi_profile(request: pytest.FixtureRequest) -> str:
    """The profile name the wsspi_sim fixtures of this test use."""
    marker = request.node.get_closest_marker(_MARKER)
    if marker is not None:
        if len(marker.args) != 1 or not isinstance(marker.args[0], str):
            raise pytest.UsageError('use @pytest.mark.wsspi_profile("documented") or ("windows")')
        return str(marker.args[0])
    return _option_profile(request.config)


@pytest.fixture
def wsspi_seed(request: pytest.FixtureRequest) -> int:
    """The seed the wsspi_sim fixtures of this test use (``--wsspi-seed``)."""
    return _option_seed(request.config)


@pytest.fixture
def wsspi_sim(wsspi_profile: str, wsspi_seed: int) -> Simulator:
    """A fresh simulator of the selected profile."""
    from . import new_simulator

    return new_simulator(wsspi_profile, seed=wsspi_seed)


@pytest.fixture
def winsock(wsspi_sim: Simulator) -> Any:
    """A started Winsock on host 10.0.0.1 / fd00::1 of ``wsspi_sim``."""
    from . import started_winsock

    return started_winsock(wsspi_sim)


@pytest.fixture
def tcp_pair(winsock: Any) -> TcpPair:
    """Two connected TCP sockets of ``winsock`` (``.api``, ``.client``, ``.server``)."""
    from . import connected_tcp_pair

    return connected_tcp_pair(winsock)


@pytest.fixture(scope="session")
def simulator_factory(request: pytest.FixtureRequest) -> WsspiFactory:
    """Makes fresh worlds; safe in ``@given`` tests and state machines."""
    return WsspiFactory(_option_profile(request.config), _option_seed(request.config))


@pytest.fixture(scope="session")
def wsspi_factory(simulator_factory: WsspiFactory) -> WsspiFactory:
    """The same as ``simulator_factory``."""
    return simulator_factory
