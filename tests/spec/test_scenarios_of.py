"""Scenarios generated from any spec: each end, each loop and a value outside the spec, legal
traces of it; `jobstate serve --spec FILE` plays them and the correct poller grades clean."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from hypothesis import given, settings

import jobstate
from jobstate import load_spec, monitor
from jobstate.cli import main
from jobstate.spec.model import Spec
from jobstate.spec.scenarios import scenarios_of
from jobstate.validation.checker import Checker
from tests.strategies import specs

ROOT = Path(__file__).resolve().parents[2]
IPP = str(ROOT / "examples/specs/ipp-print-job.toml")


def _checked(spec: Spec, bodies: list[Any]) -> Checker:
    c = Checker(jobstate.Validator(spec, mode="step").tables)
    for i, body in enumerate(bodies):
        c.feed(body, i, 200)
    return c


@settings(max_examples=60, deadline=None)
@given(spec=specs())
def test_every_end_and_loop_is_a_legal_course_of_the_spec(spec: Spec) -> None:
    """For a generated spec: one end-STATE scenario per terminal state, ending there with its
    outcome; every scenario a step-by-step legal trace with no violation (percentages never
    fall, a success ends at 100), a loop scenario returning to its first state; the
    unknown-value one breaks only unknown-status, once, and still reaches an end (or, where the
    spec's policy says a client gives the job up, ends at the unknown value)."""
    scenarios = scenarios_of(spec)
    ends = {n.removeprefix("end-") for n in scenarios if n.startswith("end-")}
    assert ends == set(spec.terminal)
    for name, s in scenarios.items():
        bodies = [dict(a.body or {}) for a in s.answers]
        assert {a.http for a in s.answers} == {200} and s.spec is spec
        c = _checked(spec, bodies)
        last = bodies[-1][spec.status_field]
        if name == "unknown-value" and spec.unknown.client == "failure":  # the end: given up
            assert last == spec.unknown.value and c.outcome is None  # no end seen
            assert [v.rule for v in c.violations] == ["unknown-status"]
            continue
        assert last in spec.terminal and c.outcome == spec.outcome(last)
        if spec.outcome(last) == "success" and spec.progress is not None:
            assert bodies[-1][spec.progress.field] == spec.progress.high
        rules = [v.rule for v in c.violations]
        assert rules == (["unknown-status"] if name == "unknown-value" else []), (name, rules)
        if name.startswith("end-"):
            assert last == name.removeprefix("end-")
        if name.startswith("loop-"):
            statuses = [b[spec.status_field] for b in bodies]
            assert len(statuses) > len(set(statuses)), statuses


def test_a_spec_files_scenarios_grade_the_correct_poller_clean() -> None:
    """Over real HTTP: every scenario of the IPP print job, polled by monitor.wait with that
    spec, ends with the outcome of its last status and a clean grade."""
    spec = load_spec(IPP)
    scenarios = scenarios_of(spec)
    with jobstate.MonitorServer(scenarios, idle=0.2) as server:
        for name, s in scenarios.items():
            url = server.play(name)
            result = monitor.wait(url, spec=spec, interval=0.01, timeout=10)
            last = (s.answers[-1].body or {})[spec.status_field]  # job-state, IPP's
            assert result.outcome == spec.outcome(last), name
            assert server.grade(url).ok, name


def test_the_cli_lists_and_serves_a_spec_files_scenarios() -> None:
    """`jobstate scenarios --spec FILE` lists the generated scenarios; `serve --spec FILE`
    refuses a scenario not among them and --dialect (the Graph pack's), exit 2 with why."""
    listed = CliRunner().invoke(main, ["scenarios", "--spec", IPP, "--format", "json"])
    assert listed.exit_code == 0
    listing = json.loads(listed.stdout)
    names = [s["name"] for s in listing]
    assert names[:3] == ["end-aborted", "end-canceled", "end-completed"]
    assert "unknown-value" in names and {s["spec"] for s in listing} == {"ipp-print-job"}
    wrong = CliRunner().invoke(main, ["serve", "--spec", IPP, "--scenario", "completed-303"])
    assert wrong.exit_code == 2 and "scenarios: end-aborted" in wrong.output
    dialect = CliRunner().invoke(main, ["serve", "--spec", IPP, "--dialect", "onedrive"])
    assert dialect.exit_code == 2 and "HTTP dialects are the Microsoft Graph pack's" in (
        dialect.output
    )
