"""What a spec says beyond its graph: its unknown-value policy ([unknown]: the value that stands
for one it does not list, the severity of unknown-status, what a client does on one) and its
own words for the rules ([rules.ID]); read and located, printed, and obeyed by the checker, the
SQL, the generated scenarios, check_poller and the client models."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import FrozenInstanceError
from pathlib import Path
from typing import Any

import duckdb
import pytest

import jobstate
from jobstate import ClientModel, check_client, validate
from jobstate._constants import BEHAVIOUR_IDS, RULE_IDS
from jobstate.conform import truth
from jobstate.diagrams import to_mermaid
from jobstate.exceptions import SpecError
from jobstate.packs import graph
from jobstate.spec import get_spec
from jobstate.spec.diff import diff_specs
from jobstate.spec.loading import spec_from_mapping
from jobstate.spec.model import Spec
from jobstate.spec.policy import Unknown
from jobstate.spec.scenarios import scenarios_of
from jobstate.testing import check_poller, coverage_suite
from jobstate.validation.behaviour import BEHAVIOURS
from jobstate.validation.checker import Checker
from jobstate.validation.rule_text import behaviours_for, rules_for
from jobstate.validation.rules import RULES, completion_body
from jobstate.validation.tables import Tables
from tests.clirun import cli_text

STATES = [
    {"name": "queued", "class": "initial", "provenance": "doc", "rationale": "r"},
    {"name": "running", "class": "active", "provenance": "doc", "rationale": "r"},
    {
        "name": "done",
        "class": "terminal",
        "outcome": "success",
        "provenance": "doc",
        "rationale": "r",
    },
    {
        "name": "broken",
        "class": "terminal",
        "outcome": "failure",
        "provenance": "doc",
        "rationale": "r",
    },
]
EDGES = [
    {"source": "queued", "dest": "running", "provenance": "doc", "rationale": "r"},
    {"source": "running", "dest": "done", "provenance": "doc", "rationale": "r"},
    {"source": "running", "dest": "broken", "provenance": "doc", "rationale": "r"},
]


def _spec(**extra: Any) -> Spec:
    doc: dict[str, Any] = {"name": "job", "states": STATES, "edges": EDGES, **extra}
    return spec_from_mapping(doc)


def _poller(on_unknown: str) -> Callable[[Callable[[], dict[str, Any]]], str]:
    """A poller of ``_spec`` that stops on its ends and, on any other value, polls on
    (``poll``) or gives up (``failure``)."""

    def poll(fetch: Callable[[], dict[str, Any]]) -> str:
        while True:
            status = fetch()["status"]
            if status in ("done", "broken"):
                return "success" if status == "done" else "failure"
            if status not in ("queued", "running") and on_unknown == "failure":
                return "failure"

    return poll


def test_the_id_tuples_are_the_tables_ids() -> None:
    """_constants' RULE_IDS and BEHAVIOUR_IDS (what a spec file's [rules.ID] may name) are the
    rule table's and the findings table's ids, in their order."""
    assert tuple(RULES) == RULE_IDS and tuple(BEHAVIOURS) == BEHAVIOUR_IDS


def test_the_graph_packs_unknown_value_is_its_files() -> None:
    """jobstate.FUTURE_VALUE is the [unknown] value of each of the pack's specs, whose policy
    says a client polls on and an unknown status is an error."""
    for name in ("current", "legacy", "any"):
        assert get_spec(name).unknown == Unknown(graph.FUTURE_VALUE, "error", "poll")
    assert jobstate.FUTURE_VALUE == "unknownFutureValue"


def test_a_spec_says_nothing_and_gets_the_default_policy() -> None:
    """No [unknown]: a stand-in no spec state is, an error, and a client polls on; its JSON
    carries neither [unknown] nor [rules], and a policy read back is the same."""
    sp = _spec()
    assert sp.unknown == Unknown("notInThisSpec", "error", "poll")
    assert "unknown" not in sp.to_dict() and "rules" not in sp.to_dict()
    said = _spec(unknown={"value": "mystery", "severity": "warning", "client": "failure"})
    assert said.to_dict()["unknown"] == {
        "value": "mystery",
        "severity": "warning",
        "client": "failure",
    }
    assert spec_from_mapping(said.to_dict()).to_dict() == said.to_dict()


@pytest.mark.parametrize(
    ("extra", "where", "problem"),
    [
        ({"unknown": "error"}, "unknown", "must be a table"),
        ({"unknown": {"severity": "fatal"}}, "unknown.severity", "one of error, warning"),
        ({"unknown": {"client": "crash"}}, "unknown.client", "one of poll, failure"),
        ({"unknown": {"value": ""}}, "unknown.value", "non-empty text"),
        ({"unknown": {"value": "running"}}, "unknown.value", "'running' is a state of the spec"),
        ({"unknown": {"odd": "x"}}, "unknown", "unknown key 'odd'"),
        ({"rules": []}, "rules", "a table of [rules.ID] tables"),
        ({"rules": {"no-such-rule": {"summary": "s"}}}, "rules.no-such-rule", "no rule or finding"),
        ({"rules": {"stalled": "text"}}, "rules.stalled", "must be a table"),
        ({"rules": {"stalled": {"why": "s"}}}, "rules.stalled", "unknown key 'why'"),
        ({"rules": {"stalled": {"summary": " "}}}, "rules.stalled.summary", "non-empty text"),
    ],
)
def test_a_wrong_policy_or_rule_text_names_its_place(
    extra: dict[str, Any], where: str, problem: str
) -> None:
    """Each way [unknown] or [rules.ID] can be wrong is a SpecError naming the key and the
    problem."""
    with pytest.raises(SpecError) as caught:
        _spec(**extra)
    message = str(caught.value)
    assert f"{where}:" in message and problem in message, message


def test_the_model_refuses_a_policy_it_cannot_have() -> None:
    """A Spec built in Python checks its policy and its rule texts as a file's are checked,
    each refusal saying the spec, the place and the problem; a policy is immutable."""
    base = _spec()
    policy = "spec 'x': the unknown-value policy: "
    ids = ", ".join([*RULE_IDS, *BEHAVIOUR_IDS])
    for kwargs, message in (
        ({"unknown": Unknown("done")}, policy + "its value 'done' is a state of the spec"),
        (
            {"unknown": Unknown(severity="fatal")},  # type: ignore[arg-type]
            policy + "severity 'fatal' is not one of error, warning",
        ),
        (
            {"unknown": Unknown(client="crash")},  # type: ignore[arg-type]
            policy + "client 'crash' is not one of poll, failure",
        ),
        ({"unknown": Unknown("")}, policy + "its value must be non-empty text"),
        (
            {"texts": {"nope": {"summary": "s"}}},
            f"spec 'x': rules.nope: no rule or finding has this id; ids: {ids}",
        ),
        (
            {"texts": {"stalled": {}}},
            "spec 'x': rules.stalled: says a summary and/or a rationale, and nothing else",
        ),
        (
            {"texts": {"stalled": {"summary": ""}}},
            "spec 'x': rules.stalled: its summary and rationale must be non-empty text",
        ),
    ):
        with pytest.raises(SpecError) as caught:
            Spec("x", base.states, base.edges, **kwargs)
        assert str(caught.value) == message
    with pytest.raises(SpecError) as caught:  # a huge value is said shortened
        Spec("x", base.states, base.edges, unknown=Unknown(severity="f" * 10_000))  # type: ignore[arg-type]
    assert str(caught.value) == (
        policy + "severity '" + "f" * 59 + "… (10,002 characters) is not one of error, warning"
    )
    with pytest.raises(FrozenInstanceError):
        base.unknown.severity = "warning"  # type: ignore[misc]


def test_the_policy_sets_unknown_statuss_severity_on_every_path(tmp_path: Path) -> None:
    """Under severity = warning an unknown status is a warning in the Python engine, the
    rules listing and the generated SQL; the default keeps it an error."""
    bodies = [{"status": "queued"}, {"status": "mystery"}, {"status": "done"}]
    lenient = _spec(unknown={"severity": "warning"})
    for sp, severity in ((_spec(), "error"), (lenient, "warning")):
        job = validate(bodies, spec=sp).jobs[0]
        assert [(v.rule, v.severity) for v in job.violations] == [("unknown-status", severity)]
        assert {r.id: r.severity for r in rules_for(sp)}["unknown-status"] == severity
        con = duckdb.connect()
        con.execute("CREATE TABLE polls (job VARCHAR, seq INTEGER, status VARCHAR, p DOUBLE)")
        rows = [(i, b["status"]) for i, b in enumerate(bodies)]
        con.executemany("INSERT INTO polls VALUES ('j', ?, ?, NULL)", rows)
        sql = jobstate.generate_sql(sp, table="polls", job="job", order="seq", report="violations")
        assert con.execute(sql).fetchall()[0][2:4] == ("unknown-status", severity)
    path = tmp_path / "polls.jsonl"
    path.write_text("".join(f'{{"job": "j", "status": "{b["status"]}"}}\n' for b in bodies))
    spec_file = tmp_path / "lenient.json"
    spec_file.write_text(json.dumps(lenient.to_dict()))
    ran = cli_text("check", str(path), "--spec", str(spec_file), "--job-key", "job")
    assert ran.returncode == 0 and "warning  unknown-status" in ran.stdout, ran.stdout + ran.stderr
    strict = cli_text(
        "check", str(path), "--spec", str(spec_file), "--job-key", "job", "--fail-on", "warning"
    )
    assert strict.returncode == 1


def test_a_user_specs_rules_say_its_words_and_cite_nothing_of_graph() -> None:
    """Under a user's spec no rule or finding cites the Graph pack's sources; its [rules.ID]
    texts replace the summary or rationale they name, and the built-in specs' say the pack's."""
    plain = _spec()
    rationales = [r.rationale for r in rules_for(plain)]
    rationales += [b.rationale for b in behaviours_for(plain)]
    for why in rationales:
        assert "sources:" not in why and "asyncJobStatus" not in why, why
    own = _spec(rules={"stalled": {"rationale": "our runbook"}, "never-polled": {"summary": "s"}})
    assert {r.id: r.rationale for r in rules_for(own)}["stalled"] == "our runbook"
    assert {r.id: r.description for r in behaviours_for(own)}["never-polled"] == "s"
    builtin = {r.id: r for r in rules_for(get_spec("current"))}
    assert "(sources: properties)" in builtin["unknown-status"].rationale
    assert (
        builtin["completed-not-100"].summary == "a success status with a percentage that is not 100"
    )


def test_a_completion_without_a_status_body_is_the_specs_success() -> None:
    """A 303 See Other reads as the spec's first success state in its status field, or as its
    unknown value where it has no success; the Graph pack's is completed."""
    assert completion_body(get_spec("current")) == {"status": "completed"}
    shaped = _spec(body={"status": "phase"})
    assert completion_body(shaped) == {"phase": "done"}
    fails_only = spec_from_mapping(
        {
            "name": "f",
            "states": [STATES[0], STATES[3]],
            "edges": [
                {"source": "queued", "dest": "broken", "provenance": "doc", "rationale": "r"}
            ],
        }
    )
    assert completion_body(fails_only) == {"status": "notInThisSpec"}
    checker = Checker(Tables.compile(shaped, "sampled"))
    checker.feed({"phase": "queued"}, 1, 202)
    checker.feed(None, 2, 303)
    job = checker.to_job_report("j")
    assert (job.outcome, job.errors) == ("success", 0)


def test_check_poller_holds_a_poller_to_the_policy() -> None:
    """Under client = failure a poller that gives a job up on an unknown value passes and one
    that polls on fails; under the default it is the other way round."""
    failing = _spec(unknown={"client": "failure"})
    check_poller(_poller("failure"), spec=failing, max_examples=20, derandomize=True)
    with pytest.raises(AssertionError, match=r"returned|polls forever"):
        check_poller(_poller("poll"), spec=failing, max_examples=20, derandomize=True)
    check_poller(_poller("poll"), spec=_spec(), max_examples=20, derandomize=True)
    with pytest.raises(AssertionError):
        check_poller(_poller("failure"), spec=_spec(), max_examples=20, derandomize=True)
    ends = [bodies[-1] for bodies, outcome in coverage_suite(failing) if outcome == "failure"]
    assert {"status": "notInThisSpec"} in ends


def test_the_generated_unknown_scenario_follows_the_policy() -> None:
    """The unknown-value scenario passes the spec's value and goes on to the end, or, under
    client = failure, ends at it: nobody can know the outcome, a failure is accepted."""
    polled = scenarios_of(_spec(unknown={"value": "mystery"}))["unknown-value"]
    assert [a.body["status"] for a in polled.answers if a.body][:2] == ["queued", "mystery"]
    assert truth(polled).outcome == "success" and "keep polling" in polled.description
    given_up = scenarios_of(_spec(unknown={"client": "failure"}))["unknown-value"]
    assert given_up.answers[-1].body == {"status": "notInThisSpec"}
    assert truth(given_up).accepts("failure") and "given up" in given_up.description


def test_a_client_model_is_held_to_the_policy() -> None:
    """A model that polls on an unknown value is wrong where the policy says a client gives
    up, and right where it says poll; one that crashes is an error either way."""
    knows: dict[str, Any] = {"queued": "poll", "running": "poll", "done": "success"}
    knows["broken"] = "failure"
    polls, gives_up = (
        ClientModel("p", knows, unknown="poll"),
        ClientModel("g", knows, unknown="failure"),
    )
    failing = _spec(unknown={"client": "failure", "value": "mystery"})
    assert [(f.id, f.status) for f in check_client(polls, failing)] == [
        ("unknown-value", "mystery")
    ]
    assert check_client(gives_up, failing) == []
    assert check_client(polls, _spec()) == []
    crash = check_client(ClientModel("c", knows, unknown="crash"), _spec())
    assert [(f.id, f.severity) for f in crash] == [("unknown-value", "error")]


def test_a_diagrams_title_names_the_lifecycle_the_spec_says() -> None:
    """A spec's lifecycle (the pack's asyncJobStatus) titles its diagram; without one, its
    name does."""
    assert "title: asyncJobStatus lifecycle (spec current)" in to_mermaid("current")
    assert "title: job lifecycle" in to_mermaid(_spec())
    assert "title: Print lifecycle (spec job)" in to_mermaid(_spec(lifecycle="Print"))
    with pytest.raises(SpecError, match="lifecycle: must be non-empty text"):
        _spec(lifecycle=3)


def test_the_tables_carry_the_policy() -> None:
    """Tables compiled from a spec hold its completion body and each rule's severity."""
    t = Tables.compile(_spec(unknown={"severity": "warning"}), "sampled")
    assert t.completion == {"status": "done"} and t.severity["unknown-status"] == "warning"
    assert t.severity["stalled"] == "warning" and t.severity["illegal-transition"] == "error"


def test_spec_diff_says_what_the_policy_and_the_rule_words_changed() -> None:
    """spec diff lists a changed unknown-value key and a rule's changed, added or removed words;
    the built-in current and legacy share both, so their diff has none of them."""
    a = _spec(rules={"stalled": {"rationale": "five minutes"}})
    b = _spec(unknown={"severity": "warning"}, rules={"never-polled": {"summary": "s"}})
    changes = [(c.what, c.subject, c.field, c.before, c.after) for c in diff_specs(a, b).changes]
    assert changes == [
        ("unknown", "policy", "severity", "error", "warning"),
        ("rule", "stalled", "rationale", "five minutes", None),
        ("rule", "never-polled", "summary", None, "s"),
    ]
    graph_diff = diff_specs(get_spec("legacy"), get_spec("current")).changes
    assert not [c for c in graph_diff if c.what in ("unknown", "rule")]


def test_the_regression_rule_names_every_reset_state_or_none() -> None:
    """percentage-regression's summary names the spec's reset states joined by 'or', in spec
    order, and says 'reset' where the spec has none."""
    states = [dict(s, resets_progress=s["name"] in ("queued", "running")) for s in STATES]
    two = spec_from_mapping(
        {"name": "r", "states": states, "edges": EDGES, "body": {"progress": "p"}}
    )
    none = _spec(body={"progress": "p"})
    said = {sp.name: {r.id: r.summary for r in rules_for(sp)} for sp in (two, none)}
    regression = "percentage-regression"
    assert said["r"][regression] == "p decreases with no 'queued' or 'running' observed in between"
    assert said["job"][regression] == "p decreases with no reset observed in between"


def test_jobstate_spec_says_the_policy() -> None:
    """`jobstate spec` prints the unknown-value policy under the body shape: the Graph pack's,
    and a user's that gives a job up."""
    from jobstate.render import spec_lines

    assert list(spec_lines(get_spec("current")))[3] == (
        "unknown values: error; stand-in 'unknownFutureValue'; a client polls on"
    )
    own = _spec(unknown={"value": "mystery", "severity": "warning", "client": "failure"})
    assert list(spec_lines(own))[3] == (
        "unknown values: warning; stand-in 'mystery'; a client gives the job up (failure)"
    )
