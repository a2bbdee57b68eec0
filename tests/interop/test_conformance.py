"""Real clients, run for real through ``jobstate conform``'s runner on every scenario: each
concludes what its profile predicts, and the README's table of real clients is what they did.

A process per case, each bounded by the runner's time limit; the fake Graph API (mitmproxy)
runs once for the module and is stopped after it. Without a client, or mitmproxy, its tests
skip, unless ``JOBSTATE_REQUIRE_INTEROP=1`` (CI's interop step) makes that a failure.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from jobstate.conform import Case
from jobstate.packs.graph.prediction import predict
from jobstate.packs.graph.profiles import PROFILES
from jobstate.packs.graph.scenarios import SCENARIOS
from tests.interop.real_clients import (
    CLIENTS,
    RealClient,
    fake_graph,
    mitmdump,
    observed,
    play,
    readme_table,
    table,
)

pytestmark = pytest.mark.interop

REQUIRED = os.environ.get("JOBSTATE_REQUIRE_INTEROP") == "1"


def _unavailable(why: str) -> None:
    if REQUIRED:
        pytest.fail(f"{why} (JOBSTATE_REQUIRE_INTEROP=1)")
    pytest.skip(why)


@pytest.fixture(scope="module")
def fake() -> Iterator[str]:
    """The fake Graph API's proxy and CA file. Without mitmproxy the conformance run is not
    whole, so the module's tests skip (the interop step installs it)."""
    command = mitmdump()
    if command is None:
        _unavailable("mitmdump (mitmproxy) is not installed: set JOBSTATE_MITMDUMP")
        return
    with fake_graph(command) as value:
        yield value


@pytest.fixture(scope="module")
def runs() -> dict[str, list[Case]]:
    """Each client's cases, played once for the module."""
    return {}


def _cases(client: RealClient, runs: dict[str, list[Case]], fake: str) -> list[Case]:
    if client.name not in runs:
        if client.version() is None:
            _unavailable(f"{client.name} is not installed")
        runs[client.name] = play(client, fake if client.fake_graph else None)
    return runs[client.name]


def _agrees(case: Case, predicted: str) -> bool:
    """A crash may leave a client hung rather than exited (a polling thread that dies): it
    concluded nothing, either way."""
    seen = observed(case)
    if predicted == "crash":
        return case.concluded is None and case.fate in ("crashed", "hung")
    return seen == predicted


@pytest.mark.parametrize("client", CLIENTS, ids=[c.name for c in CLIENTS])
def test_each_real_client_does_what_its_profile_predicts(
    client: RealClient, runs: dict[str, list[Case]], fake: str
) -> None:
    """Every scenario played to the real client: it concludes the outcome its profile predicts,
    or concludes nothing where the profile has it crash, or poll on (then its traffic shows
    polls past the end)."""
    cases = _cases(client, runs, fake)
    assert [c.scenario for c in cases] == list(SCENARIOS)
    model = PROFILES[client.profile]
    wrong = []
    for case in cases:
        predicted = predict(model, SCENARIOS[case.scenario])
        if not _agrees(case, predicted):
            wrong.append(
                f"{case.scenario}: profile {client.profile} predicts {predicted}; the client"
                f" {observed(case)} (fate {case.fate}; {'; '.join(case.problems) or 'ok'};"
                f" {' / '.join(case.stderr_tail[-2:])})"
            )
    assert not wrong, "\n".join(wrong)


def test_the_readme_table_is_what_the_real_clients_did(
    runs: dict[str, list[Case]], fake: str
) -> None:
    """The README's conformance table of real clients is exactly a fresh run's (regenerate it
    with ``python -m tests.interop.real_clients --write``)."""
    results = {c: _cases(c, runs, fake) for c in CLIENTS}
    assert readme_table() == table(results), "run: python -m tests.interop.real_clients --write"
