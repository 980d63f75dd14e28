"""Shared test configuration: Hypothesis profiles.

- ``default``: fast, for every local run and ``make test``;
- ``ci``: what .ci/run uses (set HYPOTHESIS_PROFILE=ci), a few more examples, no deadline;
- ``deep``: for long local runs (HYPOTHESIS_PROFILE=deep).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "default", max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
settings.register_profile(
    "deep", max_examples=2000, deadline=None, suppress_health_check=list(HealthCheck)
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


# -- "the code takes only listed transitions" (DESIGN 1; issue 2, part A) -----------
# Every assignment of a provider socket's state goes through Sock.state's setter,
# which calls wsspi_sim.states.observer.  This fixture installs a recorder for every
# test of the suite and fails the test (at teardown) if the simulator moved a
# socket along a pair (old -> new) that no row of the state tables lists.

from collections.abc import Iterator  # noqa: E402

import pytest  # noqa: E402

from wsspi_sim import states as _states  # noqa: E402

#: Every (machine, old, new) move seen during this run (per xdist worker).
SUITE_STATE_MOVES: set[tuple[str, _states.State, _states.State]] = set()


def unlisted_moves(
    moves: set[tuple[str, _states.State, _states.State]],
) -> list[str]:
    """The moves of ``moves`` that are not the outcome of a table row from ``old``."""
    return sorted(
        f"{machine}: {old!r} -> {new!r}"
        for machine, old, new in moves
        if not _states.listed_move(machine, old, new)
    )


@pytest.fixture(autouse=True)
def state_moves() -> Iterator[set[tuple[str, _states.State, _states.State]]]:
    """The set of (machine, old, new) state moves the current test caused."""
    moves: set[tuple[str, _states.State, _states.State]] = set()
    previous = _states.observer

    def record(old: _states.State, new: _states.State, machine: str) -> None:
        moves.add((machine, old, new))

    _states.observer = record
    try:
        yield moves
    finally:
        _states.observer = previous
    SUITE_STATE_MOVES.update(moves)
    bad = unlisted_moves(moves)
    if bad:
        pytest.fail("the simulator took state moves no table row lists: " + "; ".join(bad))
