"""Shared test set-up: Hypothesis profiles (``HYPOTHESIS_PROFILE=ci`` runs more examples,
``quick`` fewer, for mutation runs), the number of workers of ``-n auto``, and
the columnar stream for in-process reads of small files."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("dev", max_examples=100, deadline=None)
settings.register_profile("quick", max_examples=20, deadline=None)  # mutation runs
settings.register_profile(
    "ci", max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture(autouse=True)
def columnar_for_small_files(monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process reads (the CLI's too, run through tests.clirun) take the columnar stream
    (numpy, and polars for JSON Lines) even for the small files tests write, so the suite
    exercises it; the CLI run as a real process keeps the real thresholds, and
    ``test_paths_agree`` proves the two streams agree."""
    import jobstate.readers

    monkeypatch.setattr(jobstate.readers, "SMALL_INPUT", 0)
    monkeypatch.setattr(jobstate.readers, "POLARS_FROM", 0)


@pytest.hookimpl(optionalhook=True)  # xdist's hook: without xdist (-p no:xdist), not called
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """``-n auto`` (the README's test command) starts one worker more than the cores this
    process may run on: about a third of the suite's test time is spent waiting (on a real
    subprocess under a memory limit, real clients, servers, a Retry-After), which a third
    worker fills. Measured on 2 cores: 153 s with two workers, 130 s with three."""
    affinity = getattr(os, "sched_getaffinity", None)  # Linux; elsewhere, every core
    return (len(affinity(0)) if affinity else os.cpu_count() or 1) + 1
