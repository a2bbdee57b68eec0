"""One example per rule id and per unknown-status hint, and the precise semantics of the issue."""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

import pytest

from jobstate import RULES, Validator, validate


def found(bodies: list[Any], spec: str = "current", mode: str = "sampled") -> list[tuple[str, int]]:
    return [(v.rule, v.index) for v in validate(bodies, spec=spec, mode=mode).violations]


def S(status: Any, pct: Any = None, **extra: Any) -> dict[str, Any]:
    body = {"status": status, **extra}
    if pct is not None:
        body["percentageComplete"] = pct
    return body


GOLDEN_RULES = Path(__file__).parents[1] / "golden" / "rules.json"


def test_every_rule_and_finding_reads_as_the_golden_file_says() -> None:
    """`jobstate rules --format json` (the lifecycle rules and the client-behaviour findings:
    id, severity, provenance, summary, rationale, scope) is exactly the golden file, which a
    change of wording must update on purpose (``JOBSTATE_REGOLD=1``)."""
    from tests.clirun import cli_text

    out = cli_text("rules", "--format", "json").stdout
    if os.environ.get("JOBSTATE_REGOLD") == "1":
        GOLDEN_RULES.write_text(out, encoding="utf-8")
    assert out == GOLDEN_RULES.read_text(encoding="utf-8")


def test_rule_table_is_the_public_contract() -> None:
    """Rule ids and severities are exactly those of the spec; inferred rules only warn."""
    assert {r: RULES[r].severity for r in RULES} == {
        "unknown-status": "error",
        "illegal-transition": "error",
        "after-terminal": "error",
        "missing-status": "error",
        "malformed-record": "error",
        "percentage-type": "error",
        "percentage-range": "error",
        "percentage-regression": "warning",
        "completed-not-100": "warning",
        "monitor-lost": "error",
        "stalled": "warning",
    }
    for rule in RULES.values():
        assert (rule.severity == "warning") == (rule.provenance == "inferred")


def test_unknown_status() -> None:
    """A value outside the vocabulary is an error at its index."""
    assert found([S("inProgress"), S("paused"), S("completed")]) == [("unknown-status", 1)]


def test_illegal_transition_sampled() -> None:
    """inProgress cannot go back to notStarted, even with skipped polls."""
    report = validate([S("inProgress"), S("notStarted")])
    assert [(v.rule, v.index) for v in report.violations] == [("illegal-transition", 1)]
    msg = report.violations[0].message
    assert "'inProgress' -> 'notStarted'" in msg and "reachable from 'inProgress'" in msg


def test_illegal_transition_step_mode_only() -> None:
    """A skip is a gap in sampled mode and an illegal transition in step mode."""
    trace = [S("notStarted"), S("completed")]
    assert found(trace, mode="sampled") == []
    assert found(trace, mode="step") == [("illegal-transition", 1)]


def test_after_terminal_only() -> None:
    """A change after a terminal status is after-terminal, not also illegal-transition."""
    assert found([S("completed"), S("inProgress"), S("inProgress")]) == [("after-terminal", 1)]


def test_after_terminal_each_change() -> None:
    """Validation resynchronises: each further change after terminal is reported once."""
    assert found([S("failed"), S("completed"), S("cancelled")]) == [
        ("after-terminal", 1),
        ("after-terminal", 2),
    ]


def test_missing_status() -> None:
    """No status, or a status that is not a string."""
    assert found([S("inProgress"), {"percentageComplete": 5}]) == [("missing-status", 1)]
    assert found([{"status": 7}]) == [("missing-status", 0)]
    assert found([{"status": None}]) == [("missing-status", 0)]


def test_malformed_record() -> None:
    """A record that is not a JSON object."""
    report = validate([S("inProgress"), ["completed"], "x"])
    assert [(v.rule, v.index) for v in report.violations] == [
        ("malformed-record", 1),
        ("malformed-record", 2),
    ]
    assert "got an array" in report.violations[0].message


@pytest.mark.parametrize("value", ["50", True, False, [50], {"v": 1}])
def test_percentage_type(value: Any) -> None:
    """Strings, booleans and containers are not numbers."""
    assert found([S("inProgress", value)]) == [("percentage-type", 0)]


@pytest.mark.parametrize("value", [-0.5, 100.01, 1e9, math.nan, math.inf, -math.inf])
def test_percentage_range(value: float) -> None:
    """Outside 0-100, NaN and Infinity."""
    assert found([S("inProgress", value)]) == [("percentage-range", 0)]


@pytest.mark.parametrize("value", [0, 0.0, 100, 100.0, 27.8])
def test_percentage_bounds_are_inclusive(value: float) -> None:
    """0 and 100, integers or doubles, are fine."""
    assert found([S("inProgress", value)]) == []


def test_percentage_absent_or_null_is_allowed() -> None:
    """A null or absent percentage is not a violation."""
    assert found([S("inProgress"), {"status": "completed", "percentageComplete": None}]) == []


def test_percentage_regression() -> None:
    """A decrease with no waiting in between warns, at the lower observation."""
    report = validate([S("inProgress", 40), S("inProgress", 30)])
    assert [(v.rule, v.index, v.severity) for v in report.violations] == [
        ("percentage-regression", 1, "warning")
    ]
    assert report.ok


def test_waiting_resets_the_baseline() -> None:
    """The waiting observation and those after it may be lower."""
    assert found([S("inProgress", 40), S("waiting", 10), S("inProgress", 20)]) == []
    assert found([S("inProgress", 40), S("waiting"), S("inProgress", 20)]) == []
    # the waiting's own 50 is no baseline: 45 starts a new one
    assert found([S("inProgress", 40), S("waiting", 50), S("inProgress", 45)]) == []
    assert found([S("waiting", 50), S("inProgress", 45), S("inProgress", 44)]) == [
        ("percentage-regression", 2)
    ]


def test_regression_compares_with_previous_observed_percentage() -> None:
    """The baseline is the last valid percentage, skipping absent and invalid ones."""
    assert found([S("inProgress", 40), S("inProgress"), S("inProgress", 39)]) == [
        ("percentage-regression", 2)
    ]
    assert found([S("inProgress", 40), S("inProgress", "x"), S("inProgress", 41)]) == [
        ("percentage-type", 1)
    ]


def test_completed_not_100() -> None:
    """completed with a percentage that is not 100 warns; absent is fine."""
    assert found([S("inProgress", 10), S("completed", 90)]) == [("completed-not-100", 1)]
    assert found([S("completed")]) == []
    assert found([S("completed", 100.0)]) == []


def test_completed_not_100_applies_to_legacy_success() -> None:
    """The rule follows the spec's success outcome, not a hard-coded name."""
    assert found([S("completed", 50)], spec="legacy") == [("completed-not-100", 0)]


def test_outcome_is_the_first_terminal() -> None:
    """The job's outcome is that of the first terminal status, else unfinished."""
    assert validate([S("failed"), S("completed")]).jobs[0].outcome == "failure"
    assert validate([S("inProgress")]).jobs[0].outcome == "unfinished"
    assert validate([]).jobs[0].outcome == "unfinished"
    assert validate([S("deletePending")], spec="legacy").jobs[0].outcome == "unfinished"


def test_one_bad_step_one_violation() -> None:
    """After an illegal change, validation goes on from the observed status."""
    trace = [S("inProgress"), S("notStarted"), S("notStarted"), S("inProgress"), S("completed")]
    assert found(trace) == [("illegal-transition", 1)]


def test_unknown_status_keeps_the_previous_state() -> None:
    """An unusable record does not move the state: the next change is judged from before it."""
    assert found([S("inProgress"), S("??"), S("notStarted")]) == [
        ("unknown-status", 1),
        ("illegal-transition", 2),
    ]


def test_steps_classify_every_record() -> None:
    """start, stutter, edge, gap (with its explaining path) and rejected."""
    report = validate([S("notStarted"), S("notStarted"), S("inProgress"), S("cancelled"), 5])
    steps = report.jobs[0].steps
    assert [s.kind for s in steps] == ["start", "stutter", "edge", "gap", "rejected"]
    assert steps[3].path == ("inProgress", "cancelPending", "cancelled")
    late = validate([S("completed")]).jobs[0].steps[0]
    assert (late.kind, late.path) == ("start", ("notStarted", "inProgress", "completed"))


def test_many_jobs() -> None:
    """A mapping of job keys validates each job on its own."""
    report = validate({"a": [S("completed")], "b": [S("completed"), S("failed")]})
    assert [(j.key, j.ok) for j in report.jobs] == [("a", True), ("b", False)]
    assert report.totals.outcomes["success"] == 2


def test_report_json() -> None:
    """The JSON report has the stable top-level keys and violation fields."""
    import orjson

    data = orjson.loads(validate([S("completed"), S("failed")]).to_json())
    assert set(data) >= {"ok", "spec", "mode", "totals", "jobs"}
    assert data["jobs"][0]["outcome"] == "success"
    fields = {"rule", "severity", "index", "line", "http_status", "message"}
    assert set(data["jobs"][0]["violations"][0]) == fields


def test_validator_rejects_unknown_mode() -> None:
    """A mode that does not exist is a ValueError, not silence."""
    with pytest.raises(ValueError, match="sampled, step"):
        Validator("current", "strict")


# -- hints ------------------------------------------------------------------------------------


def hint(status: str, spec: str = "current") -> str:
    [v] = validate([S(status)], spec=spec).violations
    assert v.rule == "unknown-status"
    return v.message


def test_hint_case_mismatch() -> None:
    """'Completed' suggests 'completed'."""
    assert "did you mean 'completed'?" in hint("Completed")


def test_hint_other_revision() -> None:
    """deleteFailed under current points at the legacy and any specs, and the reverse."""
    msg = hint("deleteFailed")
    assert "legacy" in msg and "--spec legacy" in msg and "--spec any" in msg
    msg = hint("cancelled", spec="legacy")
    assert "--spec current" in msg and "--spec any" in msg


def test_hint_other_revision_with_case_mismatch() -> None:
    """'DeletePending' under current suggests the legacy spelling and spec."""
    msg = hint("DeletePending")
    assert "did you mean 'deletePending'?" in msg and "--spec legacy" in msg


@pytest.mark.parametrize(
    ("value", "ours"),
    [
        ("running", "inProgress"),
        ("Running", "inProgress"),
        ("succeeded", "completed"),
        ("Succeeded", "completed"),
        ("Canceled", "cancelled"),
    ],
)
def test_hint_neighbouring_vocabulary(value: str, ours: str) -> None:
    """Graph longRunningOperation and Azure LRO values name their asyncJobStatus counterpart."""
    assert f"asyncJobStatus says '{ours}'" in hint(value)


def test_hint_neighbour_missing_from_spec() -> None:
    """'Canceled' under legacy also says that 'cancelled' needs the current vocabulary."""
    msg = hint("Canceled", spec="legacy")
    assert "'cancelled'" in msg and "--spec current" in msg


def test_hint_unknown_future_value() -> None:
    """Graph's evolvable-enum sentinel is recognised."""
    assert "evolvable-enum" in hint("unknownFutureValue")


def test_no_hint_lists_the_vocabulary() -> None:
    """A value with no near match lists what is expected."""
    assert "expected one of: notStarted, inProgress" in hint("paused")


def test_waiting_carries_no_baseline() -> None:
    """inProgress 30 -> waiting 30 -> inProgress 0: the first percentage after a waiting starts
    a new baseline, whatever the waiting observation itself carried."""
    bodies = [S("inProgress", 30), S("waiting", 30), S("inProgress", 0), S("inProgress", 5)]
    assert validate(bodies).violations == []


def test_a_run_of_waiting_may_go_down() -> None:
    """Successive waiting observations may report less and less progress."""
    bodies = [S("inProgress", 60), S("waiting", 50), S("waiting", 20), S("waiting", 0)]
    assert validate(bodies).violations == []


def test_regression_after_a_restart_is_measured_from_the_new_baseline() -> None:
    """After a restart, a fall below the new baseline is a regression, and its message is
    true: there is no waiting between the two values."""
    bodies = [S("inProgress", 30), S("waiting", 30), S("inProgress", 20), S("inProgress", 10)]
    [v] = validate(bodies).violations
    assert (v.rule, v.index) == ("percentage-regression", 3)
    assert v.message == ("percentageComplete went down from 20 to 10 with no 'waiting' in between")


def test_the_waiting_restart_example_passes() -> None:
    """The bundled example whose waiting carries a non-zero percentage is clean."""
    from pathlib import Path

    from jobstate import Validator, read_input

    example = Path(__file__).resolve().parents[2] / "examples" / "traces" / "waiting-restart.jsonl"
    [job] = read_input(str(example), Validator()).jobs
    assert job.ok and job.warnings == 0 and job.outcome == "success"


def test_record_shape_messages_word_for_word() -> None:
    """malformed-record, missing-status: each message exactly, a null status apart from a
    missing one (it is present, and not a string)."""
    from jobstate.validation import rules

    assert rules.malformed_record([1]) == "record is not a JSON object (got an array)"
    assert rules.malformed_record({"status": "x"}) is None
    assert rules.missing_status({}) == "record has no 'status'"
    assert rules.missing_status({"status": None}) == "'status' is not a string (got null)"
    assert rules.missing_status({"status": 3}) == "'status' is not a string (got a number)"
    assert rules.missing_status({"status": "x"}) is None
    assert rules.has_status_body({"status": "x"}) and not rules.has_status_body({"state": "x"})
    assert rules.has_status_body({"state": "x"}, "state")


def test_a_stray_redirect_is_any_3xx_but_303_without_a_status_body() -> None:
    """300, 301, 304, 307 and 399 without a status body are stray; 303 is the completion; 299
    and 400 are not redirects; a status body is read as one, whatever the code."""
    from jobstate.validation.rules import stray_redirect

    assert [stray_redirect(None, h) for h in (300, 301, 304, 307, 399)] == [True] * 5
    assert [stray_redirect(None, h) for h in (303, 299, 400)] == [False] * 3
    assert stray_redirect({"status": "inProgress"}, 302) is False
    assert stray_redirect({}, None) is False


def test_rules_are_frozen() -> None:
    """A rule (public API) cannot be changed in place."""
    import dataclasses

    with pytest.raises(dataclasses.FrozenInstanceError):
        RULES["stalled"].severity = "error"  # type: ignore[misc]


def test_every_message_word_for_word() -> None:
    """Each rule's message and each hint, exactly (a wording change is a test change): the
    case, revision, neighbour and sentinel hints, a value past the hint's 200-character bound,
    an 80-character value shown whole and an 81-character one cut, both modes' transitions."""
    names = "notStarted, inProgress, waiting, cancelPending, completed, failed, cancelled"
    cases = {
        "Completed": "did you mean 'completed'? (values are case-sensitive)",
        "updating": "'updating' belongs to the legacy vocabulary: try --spec legacy or --spec any",
        "zzz": f"expected one of: {names}",
    }
    for value, hint in cases.items():
        (v,) = validate([S(value)]).violations
        assert v.message == f"unknown status {value!r} (spec current); {hint}"
    long = validate([S("x" * 201)]).violations[0].message
    assert (
        long
        == f"unknown status {'x' * 80!r}… (201 characters) (spec current); expected one of: {names}"
    )
    assert f"unknown status {'z' * 80!r} (spec" in validate([S("z" * 80)]).violations[0].message
    assert "… (81 characters)" in validate([S("z" * 81)]).violations[0].message
    sampled = validate([S("cancelPending"), S("inProgress")]).violations[0].message
    assert sampled == (
        "'cancelPending' -> 'inProgress' is not allowed in sampled mode;"
        " reachable from 'cancelPending': cancelled"
    )
    step = validate([S("inProgress"), S("notStarted")], mode="step").violations[0].message
    assert step == (
        "'inProgress' -> 'notStarted' is not allowed in step mode;"
        " one step from 'inProgress': waiting, cancelPending, completed, failed"
    )
    after = validate([S("completed"), S("inProgress")]).violations[0].message
    assert after == (
        "'inProgress' after terminal 'completed' (outcome success): a terminal status never changes"
    )
    progress = validate(
        [
            S("inProgress", True),
            S("inProgress", 101),
            S("inProgress", 50),
            S("inProgress", 40),
            S("completed", 90),
        ]
    ).violations
    assert [v.message for v in progress] == [
        "percentageComplete is a boolean True, not a number",
        "percentageComplete 101 is outside 0-100",
        "percentageComplete went down from 50 to 40 with no 'waiting' in between",
        "'completed' with percentageComplete 90, not 100",
    ]


def test_a_monitor_gone_and_its_message() -> None:
    """monitor-lost: a 404/410 or an operationNotFound error is gone, unless the body has a
    status; another error code is not; the message names the HTTP status."""
    from jobstate.validation.checker import Checker
    from jobstate.validation.rules import json_type, monitor_gone
    from jobstate.validation.tables import Tables

    assert monitor_gone({"error": {"code": "operationNotFound"}}, 500)
    assert not monitor_gone({"error": {"code": "itemNotFound"}}, 500)
    assert not monitor_gone({"error": "operationNotFound"}, 500)
    assert not monitor_gone({"status": "inProgress"}, 404)
    assert monitor_gone(None, 410) and not monitor_gone(None, None)
    checker = Checker(Tables.compile("current", "sampled"))
    checker.feed(S("inProgress"), 1, 202)
    checker.feed({"error": {"code": "itemNotFound"}}, 2, 404)
    assert [v.message for v in checker.violations] == [
        "the monitor answered HTTP 404 (gone) before any terminal status: the job's end was"
        " never seen"
    ]
    values: tuple[object, ...] = (None, True, "s", 1, 1.5, {}, [], (), object())
    assert [json_type(v) for v in values] == [
        "null",
        "a boolean",
        "a string",
        "a number",
        "a number",
        "an object",
        "an array",
        "an array",
        "object",
    ]


def test_a_400_without_a_status_body_is_an_error_answer() -> None:
    """An HTTP 400 whose body has no status is neither a completion (as a 303 or the item at
    a 2xx would be) nor a missing status: an error answer, counted, with no violation; the
    same body at a 200 is the item, which completes the job."""
    from jobstate.validation.checker import Checker
    from jobstate.validation.tables import Tables

    tables = Tables.compile("current", "sampled")
    bad = Checker(tables)
    bad.feed(S("inProgress"), 1, 202)
    bad.feed({"id": "01X", "name": "copy"}, 2, 400)
    assert (bad.violations, bad.error_answers, bad.outcome, bad.state) == (
        [],
        1,
        None,
        "inProgress",
    )
    item = Checker(tables)
    item.feed(S("inProgress"), 1, 202)
    item.feed({"id": "01X", "name": "copy"}, 2, 200)
    assert (item.violations, item.error_answers, item.outcome) == ([], 0, "success")


def test_a_long_value_is_cut_at_40_characters_in_a_type_message() -> None:
    """percentage-type shows a value's repr whole up to 40 characters, else its first 37 and
    '...'."""
    forty, longer = "x" * 38, "x" * 39  # reprs of 40 and 41 characters
    (a,) = validate([S("inProgress", forty)]).violations
    assert a.message == f"percentageComplete is a string {forty!r}, not a number"
    (b,) = validate([S("inProgress", longer)]).violations
    assert b.message == f"percentageComplete is a string {repr(longer)[:37]}..., not a number"


def test_a_regression_names_every_state_that_resets_progress() -> None:
    """With two states that reset progress, the message names both, in spec order."""
    from jobstate.spec.loading import spec_from_mapping

    def state(name: str, cls: str, **more: Any) -> dict[str, Any]:
        return {"name": name, "class": cls, "provenance": "doc", "rationale": "r", **more}

    spec = spec_from_mapping(
        {
            "name": "two",
            "body": {"progress": "p"},
            "states": [
                state("a", "initial"),
                state("b", "active", resets_progress=True),
                state("c", "active", resets_progress=True),
                state("d", "terminal", outcome="success"),
            ],
            "edges": [
                {"source": s, "dest": d, "provenance": "doc", "rationale": "r"}
                for s, d in (("a", "b"), ("b", "c"), ("c", "d"), ("a", "d"))
            ],
        }
    )
    (v,) = validate([{"status": "a", "p": 50}, {"status": "a", "p": 20}], spec=spec).violations
    assert v.message == "p went down from 50 to 20 with no 'b' or 'c' in between"


@pytest.mark.parametrize(
    ("status", "spec", "said"),
    [
        ("COMPLETED", "current", "did you mean 'completed'? (values are case-sensitive)"),
        (
            "updating",
            "current",
            "'updating' belongs to the legacy vocabulary: try --spec legacy or --spec any",
        ),
        (
            "Updating",
            "current",
            "did you mean 'updating'? 'updating' belongs to the legacy vocabulary: try"
            " --spec legacy or --spec any",
        ),
        (
            "Cancelled",
            "legacy",
            "did you mean 'cancelled'? 'cancelled' belongs to the current"
            " vocabulary: try --spec current or --spec any",
        ),
        (
            "SUCCEEDED",
            "any",
            "this looks like Graph longRunningOperation / Azure LRO"
            " 'succeeded': asyncJobStatus says 'completed'",
        ),
    ],
)
def test_hints_word_for_word(status: str, spec: str, said: str) -> None:
    """Each kind of hint, whole: another case of the spec's own value first, then a value of
    another revision, another case of one, a neighbour's word."""
    assert hint(status, spec) == f"unknown status {status!r} (spec {spec}); {said}"


def test_a_value_over_200_characters_gets_no_hint() -> None:
    """A hint is not looked for in a value over 200 characters; at 200 it still is, in each
    table."""
    from jobstate.validation.hints import Hints

    for n in (200, 201):
        word = "w" * n
        for h in (
            Hints({word: "own"}, {}, {}),
            Hints({}, {word: "x"}, {}),
            Hints({}, {}, {word: "l"}),
        ):
            assert (h.hint(word) is None) is (n == 201)
    names = ", ".join(Validator("current").spec.names)
    assert hint("Running" * 30).endswith(f"expected one of: {names}")


def test_a_user_spec_has_its_own_case_hint_only() -> None:
    """A user's spec, even named as a built-in, has no pack's hints; another case of its own
    value is still pointed out."""
    from jobstate.spec import get_spec
    from jobstate.spec.model import Spec

    sp = get_spec("current")
    mine = Spec("current", sp.states, sp.edges)
    [v] = validate([S("running")], spec=mine).violations
    assert v.message.endswith("expected one of: " + ", ".join(sp.names))
    [v] = validate([S("Waiting")], spec=mine).violations
    assert v.message.endswith("did you mean 'waiting'? (values are case-sensitive)")


@pytest.mark.parametrize(
    ("bodies", "message"),
    [
        (
            [S("inProgress", 50.0000001), S("inProgress", 50)],
            "percentageComplete went down from 50.0000001 to 50 with no 'waiting' in between",
        ),
        (
            [S("inProgress", 2 / 3), S("completed", 99.99999)],
            "'completed' with percentageComplete 99.99999, not 100",
        ),
        ([S("inProgress", 150.0)], "percentageComplete 150 is outside 0-100"),
        ([S("inProgress", 1e300)], "percentageComplete 1e+300 is outside 0-100"),
        ([S("inProgress", -1e-7)], "percentageComplete -1e-07 is outside 0-100"),
        ([S("inProgress", math.nan)], "percentageComplete nan is outside 0-100"),
        (
            [S("inProgress", 10**400)],
            "percentageComplete an integer of 401 digits is outside 0-100",
        ),
    ],
)
def test_numbers_in_messages_are_exact(bodies: list[Any], message: str) -> None:
    """A percentage is said exactly, integral values without '.0' (the generated SQL says them
    alike): a fall of a ten-millionth is not 'from 50 to 50'."""
    assert [v.message for v in validate(bodies).violations] == [message]


def test_a_specs_hints_are_computed_once_and_cannot_be_changed() -> None:
    """The hint tables of a spec are made once (a message per unknown value reads them) and
    are a value: a field cannot be replaced."""
    import dataclasses

    from jobstate.spec import get_spec
    from jobstate.validation.hints import hints_of

    h = hints_of(get_spec("current"))
    assert hints_of(get_spec("current")) is h
    with pytest.raises(dataclasses.FrozenInstanceError):
        h.own = {}  # type: ignore[misc]
