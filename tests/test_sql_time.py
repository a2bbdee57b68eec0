"""Time in the generated SQL: with a time column, the job rows' first and last poll, duration
and ``stalled`` violations are exactly the Python engine's (its time tracker beside the
general path), with and without HTTP statuses; ``jobstate sql --time-col`` prints that query."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jobstate import generate_sql
from jobstate._constants import SPEC_NAMES
from jobstate.spec.protocol import Exchange
from jobstate.validation import Tables
from jobstate.validation.checker import Checker
from jobstate.validation.timing import TimeTracker
from tests.clirun import cli_text
from tests.duck import polls_table
from tests.test_sql import CODE, HTTP, HTTP_COLUMNS, HttpRow, polls

duckdb = pytest.importorskip("duckdb")

STALL = 2.0


FIELDS = ("status", "percentageComplete")  # the built-in specs' bodies


def python_timed_engine(rows: Sequence[HttpRow], spec: str, http: bool) -> dict[str, Any]:
    """The reference: each job's polls in (time, line) order, fed to the general path and to
    a time tracker; the stalls join the violations as read_input joins them."""
    tables = Tables.compile(spec, "sampled")
    out: dict[str, Any] = {}
    for job in sorted({r[0] for r in rows}):
        checker = Checker(tables, record_steps=False)
        timer = TimeTracker(tables.terminal, STALL, frozenset(tables.spec.names))
        for _, ts, line, s, p, code, err in sorted(
            (r for r in rows if r[0] == job), key=lambda r: (r[1], r[2])
        ):
            body: dict[str, Any] = {"error": {"code": err}} if err is not None else {}
            if s is not None:
                body["status"] = s
            if p is not None:
                body["percentageComplete"] = p
            checker.feed(body, line, code if http else None)
            timer.feed(Exchange.of(code if http else None, body, time=float(ts), fields=FIELDS))
        r = checker.to_job_report(job)
        facts = timer.facts()
        assert facts is not None
        found = [(v.index, v.rule) for v in r.violations]
        found += [(s.poll, "stalled") for s in facts.stalls]
        found.sort(key=lambda x: x[0])  # stable: a stall after the others at its poll
        out[job] = (r.errors, r.warnings + len(facts.stalls), found, facts.first, facts.last,
                    facts.duration)  # fmt: skip
    return out


def sql_timed_engine(rows: Sequence[HttpRow], spec: str, http: bool) -> dict[str, Any]:
    con = polls_table(HTTP_COLUMNS, rows)
    cols: dict[str, Any] = {"tiebreak": "line", "time": "ts", "stall": STALL}
    if http:
        cols |= {"http": "code", "error_code": "err"}
    out: dict[str, Any] = {}
    for row in con.sql(generate_sql(spec, "sampled", **cols)).fetchall():
        job, _, _, errors, warnings, listed, *rest = row
        first, last, duration = rest[-3:]
        found = [(x["idx"], x["rule"]) for x in listed or []]
        out[job] = (errors, warnings, found, first, last, duration)
    return out


@st.composite
def timed_rows(draw: st.DrawFn, spec: str) -> list[HttpRow]:
    """Polls of a few jobs (times with ties, statuses known, unknown and missing) with HTTP
    statuses and error codes; no NaN percentage (SQL's NaN equals itself, Python's does not)."""
    return [
        (*row[:4], None if row[4] != row[4] else row[4], draw(HTTP), draw(CODE))
        for row in draw(polls(spec))
    ]


@pytest.mark.parametrize("spec", SPEC_NAMES)
@pytest.mark.parametrize("http", [False, True])
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_the_sqls_time_facts_and_stalls_are_the_python_engines(
    spec: str, http: bool, data: Any
) -> None:
    """Per job: errors, warnings (stalls among them), every violation in order, first and
    last poll and duration agree between the generated SQL and the Python engine."""
    rows = data.draw(timed_rows(spec))
    assert sql_timed_engine(rows, spec, http) == python_timed_engine(rows, spec, http)


def test_a_stuck_job_in_sql() -> None:
    """Ten minutes at 45.2%: one stalled warning at the run's first poll; a job that ended
    has its duration to the end; without a time column there are no time columns."""
    rows: list[HttpRow] = [
        ("a", 0, 1, "notStarted", 0.0, 202, None), ("a", 5, 2, "inProgress", 45.2, 202, None),
        ("a", 305, 3, "inProgress", 45.2, 202, None), ("a", 401, 4, None, None, 401, None),
        ("a", 607, 5, "inProgress", 45.2, 202, None),
        ("b", 0, 1, "inProgress", 1.0, 202, None), ("b", 10, 2, None, None, 303, None),
        ("b", 900, 3, "completed", 100.0, 202, None),
    ]  # fmt: skip
    con = duckdb.connect()
    con.execute("CREATE TABLE polls (job VARCHAR, ts BIGINT, line BIGINT, status VARCHAR,"
                " percentageComplete DOUBLE, code INTEGER, err VARCHAR)")  # fmt: skip
    con.executemany("INSERT INTO polls VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    query = generate_sql(tiebreak="line", http="code", time="ts")
    got = {r[0]: r for r in con.sql(query).fetchall()}
    assert got["a"][5] == [{"idx": 1, "rule": "stalled"}] and got["a"][4] == 1
    assert got["a"][-3:] == (0.0, 607.0, 607.0)
    assert got["b"][-3:] == (0.0, 900.0, 10.0)  # ended by the 303 at 10 s
    assert "duration" not in generate_sql(tiebreak="line")
    none = generate_sql(tiebreak="line", http="code", time="ts", stall=None)
    assert con.sql(none).fetchall()[0][5] is None  # --stall 0: no stall


def test_the_cli_takes_a_time_column_and_a_stall() -> None:
    """`jobstate sql --time-col ts --stall 600` prints the timed query with that threshold;
    --stall 0 leaves stalls out; a negative stall is a usage error."""
    ran = cli_text("sql", "--time-col", "ts", "--stall", "600")
    assert ran.returncode == 0 and "> 600.0" in ran.stdout and "AS duration" in ran.stdout
    off = cli_text("sql", "--time-col", "ts", "--stall", "0")
    assert "jobstate_still" not in off.stdout and "AS duration" in off.stdout
    assert cli_text("sql", "--stall", "-1").returncode == 2
