"""The generated SQL gives exactly the Python engine's verdicts (DuckDB runs it here), and its
text is stable per dialect (golden files; regenerate with ``JOBSTATE_REGOLD=1``)."""

from __future__ import annotations

import json
import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jobstate import DUCKDB_NAN_SAFE, OptionError, Validator, generate_sql, get_spec
from jobstate._constants import MODES, SPEC_NAMES
from jobstate.spec.model import Edge, Spec, State
from jobstate.validation import Tables
from jobstate.validation.checker import Checker
from tests.clirun import cli_text
from tests.duck import polls_table

duckdb = pytest.importorskip("duckdb")

GOLDEN = Path(__file__).parent / "golden" / "sql"
PCT = st.one_of(
    st.none(),
    st.integers(-5, 105).map(float),
    st.floats(-1, 101, allow_nan=False),
    st.sampled_from([0.0, 100.0, math.nan, -0.0, 1e308]),
)


UNKNOWN = ["Done", "", "running", "Updating", "COMPLETED", "unknownFutureValue", "x" * 201]
ODD = st.sampled_from(
    [*map(chr, range(256)), "\u2028", "\u200b", "\ufeff", "\uffff", "Ω", "\U0001f600",
     "\U000e0001", "\U0010fffd", "\u0378"]
)  # fmt: skip
"""Characters for unknown statuses, of every escape Python's repr has: ASCII, Latin-1, a
printable non-ASCII character, format and separator characters, a private-use and an
unassigned one, within the BMP and beyond (the Unicode all sides know alike)."""


def CASED(names: list[str]) -> st.SearchStrategy[str]:
    """A known value in another case (hinted as the spec's own)."""
    return st.sampled_from(names).map(lambda n: n.upper() if n != n.upper() else n.lower())


@st.composite
def polls(
    draw: st.DrawFn, spec: str | Spec
) -> list[tuple[str, int, int, str | None, float | None]]:
    """Rows (job, ts, line, status, pct) of a few jobs, order keys with ties, statuses known,
    unknown and missing, percentages in and out of range."""
    names = list(get_spec(spec).names)
    unknown = st.one_of(st.sampled_from(UNKNOWN), st.text(ODD, max_size=90), CASED(names))
    status = st.one_of(st.sampled_from(names), unknown, st.none())
    rows = []
    for line, job in enumerate(draw(st.lists(st.sampled_from("abcd"), min_size=1, max_size=40))):
        rows.append((job, draw(st.integers(0, 6)), line, draw(status), draw(PCT)))
    return rows


def python_engine(
    rows: Sequence[tuple[str, int, int, str | None, float | None]], v: Validator
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for job in sorted({r[0] for r in rows}):
        mine = sorted((r for r in rows if r[0] == job), key=lambda r: (r[1], r[2]))
        bodies: list[dict[str, Any]] = []
        t = v.tables
        progress = t.progress.field if t.progress is not None else "percentageComplete"
        for _, _, _, s, p in mine:
            body: dict[str, Any] = {}
            if s is not None:
                body[t.status_field] = s
            if p is not None:
                body[progress] = p  # without a progress field, one the spec does not read
            bodies.append(body)
        r = v.check_job(bodies)
        out[job] = (
            len(bodies), r.outcome, r.errors, r.warnings,
            [(x.index, x.rule, x.message) for x in r.violations],
        )  # fmt: skip
    return out


def sql_engine(rows: list[Any], spec: str | Spec, mode: str) -> dict[str, Any]:
    sp = get_spec(spec)  # columns named as the spec's fields (the query's defaults)
    status = '"' + sp.status_field.replace('"', '""') + '"'
    pct = '"' + (sp.progress.field if sp.progress else "unread").replace('"', '""') + '"'
    columns = f"job VARCHAR, ts BIGINT, line BIGINT, {status} VARCHAR, {pct} DOUBLE"
    con = polls_table(columns, rows)
    query = generate_sql(spec, mode, tiebreak="line")
    out: dict[str, Any] = {}
    flat = con.sql(generate_sql(spec, mode, tiebreak="line", report="violations")).fetchall()
    said = {(j, i, r): m for j, i, r, _, _, m in flat}  # each violation's row: its message
    for job, n, outcome, errors, warnings, violations in con.sql(query).fetchall():
        listed = [(v["idx"], v["rule"], said[job, v["idx"], v["rule"]]) for v in violations or []]
        out[job] = (n, outcome, errors, warnings, listed)
    ts = _order_values(rows)  # each violation's row carries its poll's order value
    assert [(j, i, r, o) for j, i, r, _, o, _ in flat] == [
        (j, i, r, ts[j][i]) for j in sorted(out) for i, r, _ in out[j][4]
    ]
    return out


def _order_values(rows: Sequence[tuple[Any, ...]]) -> dict[str, list[int]]:
    """Each job's order values (``ts``, ties by ``line``), in the order its polls are checked."""
    return {
        job: [ts for ts, _ in sorted((r[1], r[2]) for r in rows if r[0] == job)]
        for job in {r[0] for r in rows}
    }


HTTP = st.one_of(
    st.none(), st.sampled_from([200, 202, 303, 302, 401, 404, 410, 429, 500, 503])
)  # fmt: skip
CODE = st.sampled_from([None, None, "operationNotFound", "itemNotFound"])
HttpRow = tuple[str, int, int, str | None, float | None, int | None, str | None]
HTTP_COLUMNS = (
    "job VARCHAR, ts BIGINT, line BIGINT, status VARCHAR, percentageComplete DOUBLE,"
    " code INTEGER, err VARCHAR"
)


@st.composite
def http_polls(draw: st.DrawFn, spec: str) -> list[HttpRow]:
    """Rows (job, ts, line, status, pct, http, error code) of captured answers: redirects with
    and without a status, error answers, 'gone' before and after the end, 5xx with a status."""
    return [
        (*row, draw(HTTP), draw(CODE)) for row in draw(polls(spec))
    ]  # fmt: skip


def python_http_engine(rows: Sequence[HttpRow], spec: str, mode: str) -> dict[str, Any]:
    """The reference: each job's answers fed, in order, to the general path with their HTTP
    status, as a reader of captured traffic feeds them."""
    tables = Tables.compile(spec, mode)
    out: dict[str, Any] = {}
    for job in sorted({r[0] for r in rows}):
        checker = Checker(tables, record_steps=False)
        for _, _, line, s, p, http, code in sorted(
            (r for r in rows if r[0] == job), key=lambda r: (r[1], r[2])
        ):
            body: dict[str, Any] = {"error": {"code": code}} if code is not None else {}
            if s is not None:
                body["status"] = s
            if p is not None:
                body["percentageComplete"] = p
            checker.feed(body, line, http)
        r = checker.to_job_report(job)
        out[job] = (
            r.observations, r.outcome, r.errors, r.warnings,
            [(x.index, x.rule, x.http_status, x.message) for x in r.violations],
            r.error_answers, r.transient, r.expired, r.lost,
        )  # fmt: skip
    return out


def sql_http_engine(rows: list[HttpRow], spec: str, mode: str) -> dict[str, Any]:
    con = polls_table(HTTP_COLUMNS, rows)
    cols: dict[str, Any] = {"tiebreak": "line", "http": "code", "error_code": "err"}
    flat = con.sql(generate_sql(spec, mode, report="violations", **cols)).fetchall()
    out: dict[str, Any] = {}
    ts = _order_values(rows)
    assert all(o == ts[j][i] for j, i, _, _, _, o, _ in flat)  # the poll's order value
    for job, n, outcome, errors, warnings, _, *answers in con.sql(
        generate_sql(spec, mode, **cols)
    ).fetchall():
        listed = [(i, rule, http, m) for j, i, rule, _, http, _, m in flat if j == job]
        out[job] = (n, outcome, errors, warnings, listed, *answers)
    return out


@pytest.mark.parametrize("spec", SPEC_NAMES)
@pytest.mark.parametrize("mode", MODES)
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_generated_sql_with_http_statuses_agrees_with_the_python_engine(
    spec: str, mode: str, data: Any
) -> None:
    """With the HTTP status and error code columns: per job, the counts of error answers,
    transient and expired answers, the outcome and every violation with its HTTP status."""
    rows = data.draw(http_polls(spec))
    assert sql_http_engine(rows, spec, mode) == python_http_engine(rows, spec, mode)


def test_http_answers_read_as_the_python_engine_reads_them() -> None:
    """A 303 without a status completes the job; a 404 after the end is the monitor's expiry, a
    500 operationNotFound before it is ``monitor-lost``, once however often it is asked (the
    polls are counted as lost); a 401 without a status is an error
    answer; a 503 with a status is validated and counted as transient."""
    rows: list[HttpRow] = [
        ("a", 1, 1, "inProgress", 10.0, 202, None), ("a", 2, 2, None, 50.0, 303, None),
        ("a", 3, 3, None, None, 404, "itemNotFound"),
        ("b", 1, 1, "inProgress", 10.0, 202, None), ("b", 2, 2, None, None, 401, None),
        ("b", 3, 3, "inProgress", 5.0, 503, None),
        ("b", 4, 4, None, None, 500, "operationNotFound"), ("b", 5, 5, None, None, 404, None),
    ]  # fmt: skip
    got = sql_http_engine(rows, "current", "sampled")
    assert got["a"] == (3, "success", 0, 0, [], 0, 0, 1, 0)
    assert got["b"] == (
        5, "unfinished", 1, 1,
        [(2, "percentage-regression", 503,
          "percentageComplete went down from 10 to 5 with no 'waiting' in between"),
         (3, "monitor-lost", 500, "the monitor answered HTTP 500 (gone) before any terminal"
          " status: the job's end was never seen")], 1, 1, 0, 2,
    )  # fmt: skip
    assert got == python_http_engine(rows, "current", "sampled")


@pytest.mark.parametrize("spec", SPEC_NAMES)
@pytest.mark.parametrize("mode", MODES)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_generated_sql_agrees_with_the_python_engine(spec: str, mode: str, data: Any) -> None:
    """Per job: observations, outcome, errors, warnings and every violation (index and rule, in
    the engine's order), for every spec and mode, with ties in the order key broken by line."""
    rows = data.draw(polls(spec))
    assert sql_engine(rows, spec, mode) == python_engine(rows, Validator(spec, mode))


def test_the_traps_named_in_the_issue() -> None:
    """After-terminal behind an unknown status (plain LAG would miss it); a regression after a
    waiting that rose (the baseline is the new value, not the maximum since the waiting)."""
    rows = [
        ("a", 1, 1, "completed", 100.0), ("a", 2, 2, "Done", None), ("a", 3, 3, "inProgress", None),
        ("b", 1, 1, "inProgress", 50.0), ("b", 2, 2, "waiting", 60.0),
        ("b", 3, 3, "inProgress", 20.0), ("b", 4, 4, "inProgress", 10.0),
    ]  # fmt: skip
    got = sql_engine(rows, "current", "sampled")
    names = ", ".join(get_spec("current").names)
    assert got["a"][4] == [
        (1, "unknown-status", f"unknown status 'Done' (spec current); expected one of: {names}"),
        (2, "after-terminal", "'inProgress' after terminal 'completed' (outcome success):"
         " a terminal status never changes"),
    ]  # fmt: skip
    assert got["b"][4] == [
        (3, "percentage-regression",
         "percentageComplete went down from 20 to 10 with no 'waiting' in between"),
    ]  # fmt: skip
    assert got == python_engine(rows, Validator())


@pytest.mark.parametrize("dialect", ["duckdb", "spark"])
@pytest.mark.parametrize("report", ["jobs", "violations"])
@pytest.mark.parametrize("http", [None, "http_status"])
def test_golden_sql(dialect: str, report: str, http: str | None) -> None:
    """The generated text per dialect and report, with and without HTTP columns, is the
    reviewed one (a change is deliberate)."""
    name = f"{dialect}-{report}" + ("-http" if http else "")
    path = GOLDEN / f"{name}.sql"
    code = "error_code" if http else None
    text = generate_sql(dialect=dialect, report=report, tiebreak="line", http=http, error_code=code)
    if os.environ.get("JOBSTATE_REGOLD"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    assert text == path.read_text()


def test_names_are_quoted_for_each_dialect() -> None:
    """Column and table names are quoted, so odd names cannot break (or inject into) the SQL;
    DuckDB runs a query over columns whose names need quoting."""
    duck = generate_sql(table='my"db.polls', job="job id")
    assert 'FROM "my""db"."polls"' in duck and '"job id" AS job' in duck
    con = duckdb.connect()
    con.execute(
        'CREATE TABLE "my polls" ("job id" VARCHAR, "t s" BIGINT, "st" VARCHAR, "p" DOUBLE)'
    )
    con.execute(
        "INSERT INTO \"my polls\" VALUES ('a', 2, 'completed', 100), ('a', 1, 'inProgress', 5)"
    )
    query = generate_sql(table="my polls", job="job id", order="t s", status="st", percentage="p")
    assert con.sql(query).fetchall() == [("a", 2, "success", 0, 0, None)]
    spark = generate_sql(dialect="spark", table="lake.polls", order="event`ts")
    assert "FROM `lake`.`polls`" in spark and "`event``ts`" in spark


def test_bad_choices_are_option_errors() -> None:
    """An unknown dialect, report, spec or mode is an OptionError naming the choices."""
    bad: list[dict[str, Any]] = [
        {"dialect": "oracle"}, {"report": "all"}, {"mode": "strict"}, {"error_code": "err"}
    ]  # fmt: skip
    for kwargs in bad:
        with pytest.raises(OptionError):
            generate_sql(**kwargs)


def test_the_duckdb_header_says_how_to_keep_nan_percentages_over_parquet(tmp_path: Path) -> None:
    """Over a Parquet file whose statistics leave a NaN out, the query run after the setting its
    header names reports the NaN as out of range (without it, DuckDB 2.0 does not)."""
    pl = pytest.importorskip("polars")
    path = tmp_path / "n.parquet"  # written by polars: min/max 0.0, NaN left out
    pl.DataFrame(
        {"job": ["a", "b"], "ts": [1, 2], "status": ["notStarted"] * 2,
         "percentageComplete": [math.nan, 0.0]}
    ).write_parquet(path)  # fmt: skip
    con = duckdb.connect()
    query = generate_sql(report="violations")
    assert f"-- over Parquet, run first (else NaN percentages pass): {DUCKDB_NAN_SAFE};" in query
    con.execute(DUCKDB_NAN_SAFE)
    con.execute(f"CREATE VIEW polls AS SELECT * FROM read_parquet('{path}')")
    assert con.sql(query).fetchall() == [
        ("a", 0, "percentage-range", "error", 1, "percentageComplete nan is outside 0-100")
    ]


def test_sql_command_prints_a_query_duckdb_runs(tmp_path: Path) -> None:
    """`jobstate sql` prints the query; DuckDB runs it on a CSV export as the table."""
    csv = tmp_path / "polls.csv"
    csv.write_text("job,ts,status,percentageComplete\na,1,inProgress,50\na,2,completed,90\n")
    proc = cli_text("sql", "--table", "polls", "--order-col", "ts")
    assert proc.returncode == 0, proc.stderr
    con = duckdb.connect()
    con.execute(f"CREATE TABLE polls AS SELECT * FROM read_csv_auto('{csv}')")
    [(job, n, outcome, errors, warnings, violations)] = con.sql(proc.stdout).fetchall()
    assert (job, n, outcome, errors, warnings) == ("a", 2, "success", 0, 1)
    assert violations == [{"idx": 1, "rule": "completed-not-100"}]
    bad = cli_text("sql", "--dialect", "oracle")
    assert bad.returncode == 2 and "oracle" in bad.stderr


def test_sql_with_http_col_reads_the_bundled_csv_as_check_does(tmp_path: Path) -> None:
    """`jobstate sql --http-col` run by DuckDB on examples/polls.csv gives each job the outcome,
    counts and transient and expired answers `jobstate check --http-key` gives it."""
    root = Path(__file__).parent.parent
    cols = ["--job-col", "job_id", "--order-col", "timestamp", "--tiebreak-col", "line"]
    query = cli_text("sql", *cols, "--http-col", "http_status").stdout
    checked = cli_text(
        "check",
        "--format",
        "json",
        "--job-key",
        "job_id",
        "--order-by",
        "timestamp",
        "--http-key",
        "http_status",
        "examples/polls.csv",
        cwd=root,
    )
    assert checked.returncode == 0, checked.stderr
    con = duckdb.connect()
    con.execute(
        "CREATE VIEW polls AS SELECT *, row_number() OVER () AS line"
        f" FROM read_csv_auto('{root / 'examples' / 'polls.csv'}')"
    )
    result = con.sql(query)
    counts = [t for t in result.types if str(t) in ("BIGINT", "HUGEINT")]
    assert [str(t) for t in counts] == ["BIGINT"] * 7  # not HUGEINT: pandas would make floats
    got = {
        job: (n, outcome, errors, warnings, *answers)
        for job, n, outcome, errors, warnings, _, *answers in result.fetchall()
    }
    fields = ("observations", "outcome", "errors", "warnings", "error_answers", "transient_5xx",
              "expired_polls", "lost_polls")  # fmt: skip
    want = {j["key"]: tuple(j[f] for f in fields) for j in json.loads(checked.stdout)["jobs"]}
    assert got == want
    assert got["op-0007"][-2] == 3 and got["op-0005"][-3] == 1  # the answers the CSV holds


@pytest.mark.parametrize("name", ["states", "legal_changes", "rules", "events", "violations"])
def test_a_users_table_named_like_a_step_of_the_query(name: str) -> None:
    """A table named states, legal_changes, rules, events or violations is read as the polls,
    never confused with a step of the generated query (whose names are prefixed)."""
    con = duckdb.connect()
    con.execute(
        f'CREATE TABLE "{name}" (job VARCHAR, ts BIGINT, status VARCHAR, percentageComplete DOUBLE)'
    )
    con.execute(
        f"""INSERT INTO "{name}" VALUES ('a', 1, 'notStarted', 0), ('a', 2, 'completed', 100),"""
        " ('b', 1, 'inProgress', 50), ('b', 2, 'notStarted', 0)"
    )
    rows = con.sql(generate_sql(table=name)).fetchall()
    assert [(r[0], r[2], r[3]) for r in rows] == [("a", "success", 0), ("b", "unfinished", 1)]


def _three_states(name: str, names: list[str]) -> Spec:
    """A spec of three states in a line: ``names`` initial, active, terminal (success)."""
    states = [
        State(names[0], "initial", "inferred", "test"),
        State(names[1], "active", "inferred", "test"),
        State(names[2], "terminal", "inferred", "test", outcome="success"),
    ]
    edges = [Edge(names[0], names[1], "inferred", "t"), Edge(names[1], names[2], "inferred", "t")]
    return Spec(name, states, edges)


def test_state_names_holding_nul_characters_are_worded_as_the_engine_words_them() -> None:
    """The query's words are cut around a hole of NUL characters longer than any a spec's names
    hold: a name made of NULs is still said whole, where the engine says it."""
    names = ["\x00", "a\x00\x00b", "done"]
    spec = _three_states("nul", names)
    rows = [("j", 1, 1, "done", None), ("j", 2, 2, names[1], None), ("k", 1, 1, names[1], None),
            ("k", 2, 2, names[0], None)]  # fmt: skip
    got = sql_engine(rows, spec, "sampled")
    assert got == python_engine(rows, Validator(spec, "sampled"))
    assert [m for _, _, m in got["j"][4] + got["k"][4]] == [
        "'a\x00\x00b' after terminal 'done' (outcome success): a terminal status never changes",
        "'a\x00\x00b' -> '\x00' is not allowed in sampled mode; reachable from 'a\x00\x00b': done",
    ]


def test_quoting_and_hints_at_their_edges_are_pythons() -> None:
    """Unknown statuses at the edges of Python's repr and of the message's cuts: '~' printed and
    DEL escaped, 80 characters whole and 81 cut, both quote kinds; and a user's state of 201
    characters, whose other case is no hint (nor at 200 characters, where it is one)."""
    names = ["s" * 200, "t" * 201, "done"]
    spec = _three_states("long", names)
    odd = ["~\x7f", "y" * 80, "y" * 81, 'it\'s "q"', "S" * 200, "T" * 201]
    rows = [("j", i, i, status, None) for i, status in enumerate(odd)]
    got = sql_engine(rows, spec, "sampled")
    assert got == python_engine(rows, Validator(spec, "sampled"))
    said = [m for _, _, m in got["j"][4]]
    assert said[0].startswith("unknown status '~\\x7f' (spec long)")
    assert said[1].startswith(f"unknown status '{'y' * 80}' (spec long)")
    assert said[2].startswith(f"unknown status '{'y' * 80}'… (81 characters) (spec long)")
    assert said[4].endswith(f"did you mean '{'s' * 200}'? (values are case-sensitive)")
    assert said[5].endswith("expected one of: " + ", ".join(names))
