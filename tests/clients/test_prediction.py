"""What a client model concludes on each monitor scenario (the pack's ``predict``), the two ways
of deciding that real clients showed when run against the emulator (a 5xx error body that
raises while a 5xx status body is read; a body without ``status`` that raises), and the options
and model-file keys that set them."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from jobstate import PROFILES, ClientModel, check_client, load_model
from jobstate.packs.graph.client_protocol import on_answer
from jobstate.packs.graph.prediction import predict
from jobstate.packs.graph.scenarios import SCENARIOS
from tests.clirun import cli_text

FAITHFUL = ClientModel.from_lists(
    "faithful", success=["completed"], failure=["failed", "deleteFailed"], cancelled=["cancelled"]
)
ERROR_500 = {"error": {"code": "operationNotFound", "message": "gone"}}
ITEM = {"id": "01NEWITEM", "name": "copy", "file": {}}


@pytest.mark.parametrize(
    ("changes", "scenario", "expected"),
    [
        ({}, "completed", "success"),
        ({}, "failed", "failure"),
        ({}, "cancelled", "cancelled"),
        ({}, "completed-303", "success"),  # on_redirect stop: the 303 is the end
        ({}, "operation-not-found", "polls"),  # a 5xx retried, forever
        ({"on_server_error": "raise"}, "transient-500", "crash"),
        ({"on_server_error": "raise-on-error"}, "transient-500", "success"),
        ({"on_server_error": "raise-on-error"}, "operation-not-found", "crash"),
        ({"on_redirect": "follow"}, "completed-303", "polls"),  # the item has no status
        ({"on_redirect": "follow", "on_no_status": "crash"}, "completed-303", "crash"),
        ({"on_no_status": "crash"}, "location-is-item", "crash"),
        (
            {"on_no_status": "crash", "ends_on": frozenset({"status", "no-status"})},
            "location-is-item",
            "success",
        ),  # the loop ends on it before anything reads status
        ({"actions": {"completed": "poll"}, "on_gone": "poll"}, "expired-404", "polls"),
        ({"actions": {"completed": "poll"}, "on_gone": "crash"}, "expired-404", "crash"),
        ({"actions": {"completed": "poll"}, "on_gone": "stop"}, "expired-404", "failure"),
    ],
)
def test_predict_plays_the_model_against_the_answers(
    changes: dict[str, Any], scenario: str, expected: str
) -> None:
    """The first answer the model acts on decides: an outcome, a crash, or polls (it never
    decides, the end repeated and an expiring monitor's 404 included)."""
    assert predict(replace(FAITHFUL, **changes), SCENARIOS[scenario]) == expected


def test_on_answer_reads_a_5xx_by_its_body_under_raise_on_error() -> None:
    """raise-on-error: a 5xx with a status body is read as usual, one with an error body (or
    none) raises; the other choices ignore the body."""
    model = replace(FAITHFUL, on_server_error="raise-on-error")
    assert on_answer(model, 500, {"status": "inProgress"}) == "poll"
    assert on_answer(model, 500, {"status": "completed"}) == "success"
    assert on_answer(model, 500, ERROR_500) == "crash"
    assert on_answer(model, 503, None) == "crash"
    assert on_answer(replace(model, on_server_error="retry"), 500, ERROR_500) == "poll"
    assert on_answer(replace(model, on_server_error="raise"), 500, {"status": "x"}) == "crash"
    assert on_answer(replace(model, on_server_error="poll"), 500, {"status": "failed"}) == "failure"


def test_on_answer_crashes_on_a_body_without_status_under_on_no_status_crash() -> None:
    """on_no_status crash: a 2xx without a status (the item) raises unless ends_on ends the
    loop on it; unknown (the default) reads it as an unknown value (poll here)."""
    crash = replace(FAITHFUL, on_no_status="crash")
    assert on_answer(crash, 200, ITEM) == "crash"
    assert on_answer(crash, 200, {"status": "inProgress"}) == "poll"
    assert on_answer(FAITHFUL, 200, ITEM) == "poll"
    assert on_answer(replace(crash, ends_on=frozenset({"no-status"})), 200, ITEM) == "success"
    assert on_answer(replace(crash, on_redirect="follow"), 303, None) == "crash"


def test_a_no_status_crash_is_a_completion_missed_by_crashing() -> None:
    """A client that follows the 303 and reads body['status'] misses that completion: it
    crashes there (fs-onedrivefs, run against the emulator, raised KeyError)."""
    model = replace(FAITHFUL, on_redirect="follow", on_no_status="crash")
    found = [f for f in check_client(model) if f.id == "misses-completion"]
    assert [f.message for f in found] == ["crashes on the onedrive dialect's completion (HTTP 303)"]
    assert found[0].exchanges[-1]["http"] == 303


def test_the_options_and_model_file_keys_set_the_new_choices(tmp_path: Path) -> None:
    """--on-no-status and --on-5xx raise-on-error on the CLI, on-no-status (or on_no_status) in
    a model file; a wrong value is exit 2 naming the choices."""
    ran = cli_text(
        "client",
        "--success",
        "completed",
        "--on-redirect",
        "follow",
        "--on-no-status",
        "crash",
        "--format",
        "json",
    )
    assert ran.returncode == 1 and "crashes on the onedrive dialect's completion" in ran.stdout
    f = tmp_path / "m.toml"
    f.write_text('success = ["completed"]\non-no-status = "crash"\non-5xx = "raise-on-error"\n')
    model = load_model(f)
    assert (model.on_no_status, model.on_server_error) == ("crash", "raise-on-error")
    f.write_text('success = ["completed"]\non_no_status = "explode"\n')
    with pytest.raises(ValueError, match="on_no_status 'explode'; expected one of unknown, crash"):
        load_model(f)
    bad = cli_text("client", "--success", "completed", "--on-no-status", "explode")
    assert bad.returncode == 2 and "explode" in bad.stderr


def test_the_profiles_changed_by_the_interop_runs_predict_what_the_clients_did() -> None:
    """What the real clients did against the emulator (tests/interop), as their profiles now
    predict it: Office365-REST ends on the item and dies on a 500, fs-onedrivefs dies on the
    item, a 500 and a 404, onedrivesdk's polling thread dies on an error body."""
    office, fs, sdk = (
        PROFILES[n]
        for n in ("office365-rest-python-client", "fs-onedrivefs", "onedrive-sdk-python")
    )
    assert predict(office, SCENARIOS["location-is-item"]) == "success"
    assert predict(office, SCENARIOS["operation-not-found"]) == "crash"
    assert [predict(fs, SCENARIOS[n]) for n in ("location-is-item", "transient-500")] == [
        "crash",
        "crash",
    ]
    assert predict(sdk, SCENARIOS["operation-not-found"]) == "crash"
    assert predict(sdk, SCENARIOS["transient-500"]) == "polls"  # a 5xx status body is read
