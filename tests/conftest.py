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
