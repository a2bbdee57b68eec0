"""The spec as SQL: one query, generated from a spec and mode, that checks every poll of a table.

For data too large to leave its warehouse: the state and transition tables are inlined as
``VALUES`` (compiled from the spec's machine, like every other path), and window functions
compute each rule per observation, then a report per job or one row per violation. Dialects:
``duckdb`` and ``spark`` (Spark SQL, Databricks). Nothing is needed on the cluster.

The table has one row per poll: a job key, a status (``NULL`` when the body had none), a
percentage (a number, ``NULL`` when absent) and an order key; rows of a job are ordered by the
order key, then by ``tiebreak`` (give one, such as a line number, when the order key may tie).
The result equals the Python engine's on the same polls (a property test runs both); since the
percentage column is numeric, ``percentage-type`` and ``malformed-record`` cannot occur.

Captured traffic may add the HTTP status of each answer (``http``) and the code of its error
body (``error_code``), read as the Python engine reads them: a 303 without a status is the
completion; another redirect or an answer of 400 or more without a status is an error answer
(counted, not validated) or, when it says the monitor is gone (404, 410, ``operationNotFound``),
either the monitor's expiry after the end or ``monitor-lost``; a 5xx with a status is validated
and counted as transient.

>>> print(generate_sql(report="violations").splitlines()[0])
-- jobstate 'current' spec, sampled mode, duckdb: one row per violation
"""

from __future__ import annotations

from jobstate._constants import SQL_DIALECTS, SQL_REPORTS, STALL_SECONDS, SUCCESS_NOT_TOP, Mode
from jobstate.exceptions import OptionError
from jobstate.spec import Spec
from jobstate.spec.model import Progress
from jobstate.spec.protocol import GONE, GONE_ERROR
from jobstate.sql_messages import violations_select, words_ctes
from jobstate.sql_text import ident as _ident
from jobstate.sql_text import sql_literal
from jobstate.sql_text import values as _values
from jobstate.sql_time import job_time_columns, report_time_columns, stall_ctes, stall_rows
from jobstate.validation.tables import Tables

__all__ = ["DUCKDB_NAN_SAFE", "SQL_DIALECTS", "SQL_REPORTS", "generate_sql"]

#: Run on a DuckDB connection before the query reads Parquet: DuckDB trusts a file's min/max
#: statistics, which writers keep NaN out of (as Parquet says they must), so it folds
#: ``isnan(pct)`` to false and misses a NaN percentage (duckdb/duckdb#25521).
DUCKDB_NAN_SAFE = "SET disabled_optimizers = 'statistics_propagation'"


_ORDER = (  # the order the general path reports one observation's violations in
    "missing-status",
    "unknown-status",
    "after-terminal",
    "illegal-transition",
    "percentage-range",
    "percentage-regression",
    SUCCESS_NOT_TOP,
)
_HTTP_ORDER = (*_ORDER, "monitor-lost")  # alone on its row: its place among the others is moot


_LOST = "{p}answer = 'gone' AND ({p}first_end IS NULL OR {p}first_end > {p}k)"
"""A poll answered 'gone' before the job's end (``p``: the table's alias and a dot)."""


def _rules(http: bool, timed: bool = False) -> tuple[str, ...]:
    """The rules the query checks, in reporting order (``monitor-lost`` needs HTTP statuses,
    ``stalled`` the time; the flags of one row are all but ``stalled``, a run's)."""
    return (*(_HTTP_ORDER if http else _ORDER), *(("stalled",) if timed else ()))


def _num(x: float) -> str:
    """A number as SQL text: ``100``, ``-1.5``."""
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def _flag_columns(http: bool, high: float) -> str:
    """The rule flags of one observation, in reporting order: a nullable column per rule
    (``high``: the top of the progress range, what a success shows)."""
    cases = {
        "missing-status": "status IS NULL" + (" AND answer IS NULL" if http else ""),
        "unknown-status": "status IS NOT NULL AND known IS NULL",
        "after-terminal": "known IS NOT NULL AND state IS NOT NULL AND known <> state"
        " AND state_terminal",
        "illegal-transition": "known IS NOT NULL AND state IS NOT NULL AND known <> state"
        " AND NOT state_terminal AND NOT legal",
        "percentage-range": "pct IS NOT NULL AND NOT pct_valid",
        "percentage-regression": "pct_valid AND before IS NOT NULL AND pct < before",
        SUCCESS_NOT_TOP: f"pct_valid AND known_success AND pct <> {_num(high)}",
        "monitor-lost": "k = first_lost",  # once a job: the first 'gone' before the end
    }
    return ",\n    ".join(
        f"CASE WHEN {cases[r]} THEN {sql_literal(r)} END AS {_flag(r)}" for r in _rules(http)
    )


def _flag(rule: str) -> str:
    return "v_" + rule.replace("-", "_")


def generate_sql(
    spec: str | Spec = "current",
    mode: Mode | str = "sampled",
    *,
    dialect: str = "duckdb",
    report: str = "jobs",
    table: str = "polls",
    job: str = "job",
    status: str | None = None,
    percentage: str | None = None,
    order: str = "ts",
    tiebreak: str | None = None,
    http: str | None = None,
    error_code: str | None = None,
    time: str | None = None,
    stall: float | None = STALL_SECONDS,
) -> str:
    """The query that checks the polls of ``table`` against ``spec`` in ``mode``.

    ``report="jobs"``: one row per job (``job``, ``observations``, ``outcome``, ``errors``,
    ``warnings``, ``violations``: a list of ``(idx, rule)`` ordered as the Python engine
    reports them, ``idx`` 0-based within the job; with ``http``, also ``error_answers``,
    ``transient``, ``expired`` and ``lost``, the polls answered 'gone' before the end, of
    which the first is the job's one ``monitor-lost``). ``report="violations"``: one row per
    violation (``job``, ``idx``, ``rule``, ``severity``; with ``http``, the answer's
    ``http_status`` too; then ``order_value``, the poll's value of the ``order`` column, which
    finds it in the table, and ``message``, the Python engine's, word for word:
    :mod:`jobstate.sql_messages`). With ``time`` (a column of seconds since the epoch; give it
    as the order column too), the job rows also have ``first_poll``, ``last_poll`` and
    ``duration``, and a job that shows the same status and percentage for more than
    ``stall`` seconds has a ``stalled`` violation (see :mod:`jobstate.sql_time`).
    ``status`` and ``percentage`` name the columns; by default the spec's status and
    progress fields (a spec without progress reads none: its rules never fire).
    """
    if dialect not in SQL_DIALECTS:
        raise OptionError(f"unknown SQL dialect {dialect!r}; expected one of: duckdb, spark")
    if report not in SQL_REPORTS:
        raise OptionError(f"unknown SQL report {report!r}; expected one of: jobs, violations")
    if error_code is not None and http is None:
        raise OptionError("an error code column needs the HTTP status column (--http-col)")
    t = Tables.compile(spec, mode)

    def q(name: str) -> str:
        return _ident(name, dialect)

    head = f"-- jobstate {t.spec.name!r} spec, {t.mode} mode, {dialect}: " + (
        "one row per job" if report == "jobs" else "one row per violation"
    )
    if dialect == "duckdb":
        head += f"\n-- over Parquet, run first (else NaN percentages pass): {DUCKDB_NAN_SAFE};"
    order_by = q(order) + (f", {q(tiebreak)}" if tiebreak else "")
    number = (
        f"row_number() OVER (PARTITION BY {q(job)} ORDER BY {order_by}) - 1 AS k, {q(order)} AS ord"
    )
    status_q, pct = _body_columns(t, dialect, status, percentage)
    columns = f"SELECT {q(job)} AS job, CAST({status_q} AS STRING) AS "
    timed = time is not None
    if timed:
        number += f", CAST({q(str(time))} AS DOUBLE) AS t"
    http_q, code_q = (q(c) if c else None for c in (http, error_code))
    done = t.completion[t.status_field]
    # no progress field: no value to check, whatever the column
    polls = _polls(columns, pct, number, q(table), http_q, code_q, done, timed)
    has_http = http is not None
    parts = [
        head,
        "WITH",
        *_table_ctes(t, dialect, has_http, timed),
        *(words_ctes(t, dialect, has_http) if report == "violations" else []),
        *polls,
        *_rule_ctes(dialect, has_http, timed, stall, t.progress),
    ]
    if report == "violations":
        parts += violations_select(t, dialect, has_http)
    else:
        parts += _report_select(dialect, http=has_http, timed=timed)
    return "\n".join(parts) + "\n"


def _body_columns(
    t: Tables, dialect: str, status: str | None, percentage: str | None
) -> tuple[str, str]:
    """The status and progress columns, quoted: those given (dotted names: struct fields),
    else the spec's fields (one column each); no progress field reads none (``NULL``)."""
    status_q = _ident(status, dialect) if status else _ident(t.status_field, dialect, dotted=False)
    if t.progress is None:
        return status_q, "NULL"
    if percentage:
        return status_q, _ident(percentage, dialect)
    return status_q, _ident(t.progress.field, dialect, dotted=False)


def _polls(
    columns: str,
    pct: str,
    number: str,
    table: str,
    http: str | None,
    error_code: str | None,
    done: str,
    timed: bool = False,
) -> list[str]:
    """The ``jobstate_polls`` CTE: each poll's job, status, percentage and place in its job
    (``columns``: the select of the first two, the status's alias still to come), and with
    ``http`` (quoted column names), each answer read as the Python engine reads it (``done``:
    the status a completion without a status body reads as)."""
    if http is None:
        return [
            "jobstate_polls AS (",
            f"  {columns}status, CAST({pct} AS DOUBLE) AS pct,",
            f"    {number}",
            f"  FROM {table}",
            "),",
        ]
    code = "CAST(NULL AS STRING)" if error_code is None else f"CAST({error_code} AS STRING)"
    return _http_polls(
        f"{columns}given, CAST({pct} AS DOUBLE) AS given_pct,\n"
        f"    CAST({http} AS INTEGER) AS http, {code} AS error_code,\n    {number}",
        table,
        done,
        timed,
    )


def _http_polls(select: str, table: str, done: str, timed: bool) -> list[str]:
    """The polls of captured traffic, each answer read as the Python engine reads it: a 303
    without a status is the completion; another redirect (301, 302, 307, 308) or 400 or more
    without one is an error answer, or the monitor ``gone``; none has a percentage to check.
    The table keeps no body beyond its status, so the finished item answered at the monitor
    URL (a 2xx with an ``id``) is not told from a body without a status here."""
    gone = ", ".join(str(c) for c in sorted(GONE))
    done = sql_literal(done)
    return [
        "jobstate_answers AS (",
        f"  {select}",
        f"  FROM {table}",
        "),",
        "jobstate_polls AS (",
        "  SELECT job, k, ord, http," + (" t," if timed else ""),
        f"    CASE WHEN http >= 400 AND given IS NULL AND (http IN ({gone})"
        f" OR error_code = {sql_literal(GONE_ERROR)}) THEN 'gone'",
        "      WHEN http >= 300 AND http <> 303 AND given IS NULL THEN 'error' END AS answer,",
        f"    CASE WHEN http = 303 AND given IS NULL THEN {done} ELSE given END AS status,",
        "    CASE WHEN http >= 300 AND given IS NULL THEN NULL ELSE given_pct END AS pct",
        "  FROM jobstate_answers",
        "),",
    ]


def _table_ctes(t: Tables, dialect: str, http: bool, timed: bool) -> list[str]:
    """The spec's states, legal changes and rules as inline tables."""

    def lit(value: str) -> str:
        return sql_literal(value, dialect)

    states = _values(
        (
            (
                lit(s),
                "TRUE" if s in t.terminal else "FALSE",
                "TRUE" if s in t.success else "FALSE",
                "TRUE" if s in t.resets else "FALSE",
                lit(t.outcome[s]),
            )
            for s in t.spec.names
        ),
        "name, terminal, success, resets, outcome",
        dialect,
    )
    legal = _values(
        ((lit(a), lit(b)) for (a, b) in sorted(t.kind) if a != b),
        "src, dst",
        dialect,
    )
    rule_rows = _values(
        ((lit(r), lit(t.severity[r]), str(i)) for i, r in enumerate(_rules(http, timed))),
        "rule, severity, rank",
        dialect,
    )
    return [
        f"jobstate_states AS (SELECT * FROM {states}),",
        f"jobstate_legal_changes AS (SELECT * FROM {legal}),",
        f"jobstate_rules AS (SELECT * FROM {rule_rows}),",
    ]


def _ends(http: bool, timed: bool) -> tuple[list[str], list[str]]:
    """The columns of each job's first terminal status (what an answer 'gone' after it, and
    a stall, are measured against) and of its first 'gone' before it (the job's one
    ``monitor-lost``), where the query needs them."""
    first_end = (
        ["    min(CASE WHEN known_terminal THEN k END) OVER (PARTITION BY job) AS first_end,"]
        if http or timed
        else []
    )
    first_lost = (
        [
            f"    min(CASE WHEN {_LOST.format(p='c.')} THEN c.k END)"
            " OVER (PARTITION BY c.job) AS first_lost,"
        ]
        if http
        else []
    )
    return first_end, first_lost


def _rule_ctes(
    dialect: str, http: bool, timed: bool, stall: float | None, progress: Progress | None
) -> list[str]:
    """Each observation's known status, the state and baseline carried to it, its rule flags,
    then one row per violation (``timed``: the table has a time column; ``stall``: the stall
    threshold, ``None`` for none)."""
    before = "ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING"
    if dialect == "spark":
        last_known = f"last_value(known, true) OVER (PARTITION BY job ORDER BY k {before})"
        last_event = f"last_value(event, true) OVER (PARTITION BY job ORDER BY k {before})"
    else:
        last_known = f"last_value(known IGNORE NULLS) OVER (PARTITION BY job ORDER BY k {before})"
        last_event = f"last_value(event IGNORE NULLS) OVER (PARTITION BY job ORDER BY k {before})"
    first_end, first_lost = _ends(http, timed)
    low, high = (progress.low, progress.high) if progress is not None else (0.0, 100.0)
    below = f"{low - 1:.1f}"  # a reset's event: lower than any valid value
    return [
        "jobstate_known AS (",
        "  SELECT p.*, s.name AS known, COALESCE(s.success, FALSE) AS known_success,",
        "    COALESCE(s.resets, FALSE) AS resets,"
        + (" COALESCE(s.terminal, FALSE) AS known_terminal," if http or timed else ""),
        f"    p.pct IS NOT NULL AND p.pct >= {_num(low)} AND p.pct <= {_num(high)}"
        " AND NOT isnan(p.pct) AS pct_valid",
        "  FROM jobstate_polls p LEFT JOIN jobstate_states s ON s.name = p.status",
        "),",
        "jobstate_events AS (",
        f"  SELECT *, CASE WHEN resets THEN {below} WHEN pct_valid THEN pct END AS event",
        "  FROM jobstate_known",
        "),",
        "jobstate_carried AS (",
        f"  SELECT *, {last_known} AS state,",
        *first_end,
        f"    {last_event} AS last_event",
        "  FROM jobstate_events",
        "),",
        "jobstate_obs AS (",
        "  SELECT c.*, COALESCE(st.terminal, FALSE) AS state_terminal,",
        *first_lost,
        "    lc.src IS NOT NULL AS legal,",
        f"    CASE WHEN c.resets OR c.last_event < {_num(low)} THEN NULL ELSE c.last_event END"
        " AS before",
        "  FROM jobstate_carried c",
        "  LEFT JOIN jobstate_states st ON st.name = c.state",
        "  LEFT JOIN jobstate_legal_changes lc ON lc.src = c.state AND lc.dst = c.known",
        "),",
        "jobstate_flags AS (",
        "  SELECT job, k, known," + (" http," if http else ""),
        f"    {_flag_columns(http, high)}",
        "  FROM jobstate_obs",
        "),",
        *(stall_ctes(stall) if timed else []),
        "jobstate_violations AS (",
        "  SELECT f.job, f.k AS idx, r.rule, r.severity, r.rank" + (", f.http" if http else ""),
        "  FROM jobstate_flags f JOIN jobstate_rules r ON r.rule IN ("
        + ", ".join(f"f.{_flag(x)}" for x in _rules(http))
        + ")",
        *(stall_rows(http) if timed else []),
        ")",
    ]


def _report_select(dialect: str, *, http: bool, timed: bool = False) -> list[str]:
    """The per-job report: counts, outcome (the first terminal status), violations in order;
    with HTTP statuses, the answers that were not observations of a status too."""
    if dialect == "spark":
        listed = (
            "transform(array_sort(collect_list(named_struct('idx', v.idx, 'rank', v.rank,"
            " 'rule', v.rule))), x -> named_struct('idx', x.idx, 'rule', x.rule))"
        )
        first_terminal = "min_by(o.known, o.k) FILTER (WHERE st.terminal)"
    else:
        listed = "list({'idx': v.idx, 'rule': v.rule} ORDER BY v.idx, v.rank)"
        first_terminal = "arg_min(o.known, o.k) FILTER (WHERE st.terminal)"
    counts = (
        [
            "    count(CASE WHEN o.answer = 'error' THEN 1 END) AS error_answers,",
            "    count(CASE WHEN o.answer IS NULL AND o.http >= 500 THEN 1 END) AS transient,",
            "    count(CASE WHEN o.answer = 'gone' AND o.first_end < o.k THEN 1 END) AS expired,",
            f"    count(CASE WHEN {_LOST.format(p='o.')} THEN 1 END) AS lost",
        ]
        if http
        else []
    )
    return [
        ", jobstate_per_job AS (",
        f"  SELECT o.job, count(*) AS observations, {first_terminal} AS first_terminal"
        + ("," if http or timed else ""),
        *(job_time_columns(more=http) if timed else []),
        *counts,
        "  FROM jobstate_obs o LEFT JOIN jobstate_states st ON st.name = o.known",
        "  GROUP BY o.job",
        "), jobstate_per_job_violations AS (",
        "  SELECT v.job,",
        "    count(CASE WHEN v.severity = 'error' THEN 1 END) AS errors,",
        "    count(CASE WHEN v.severity = 'warning' THEN 1 END) AS warnings,",
        f"    {listed} AS violations",
        "  FROM jobstate_violations v",
        "  GROUP BY v.job",
        ")",
        "SELECT j.job, j.observations,",
        "  COALESCE(s.outcome, 'unfinished') AS outcome,",
        "  COALESCE(pv.errors, 0) AS errors, COALESCE(pv.warnings, 0) AS warnings,",
        "  pv.violations"
        + (", j.error_answers, j.transient, j.expired, j.lost" if http else "")
        + (report_time_columns() if timed else ""),
        "FROM jobstate_per_job j",
        "LEFT JOIN jobstate_states s ON s.name = j.first_terminal",
        "LEFT JOIN jobstate_per_job_violations pv ON pv.job = j.job",
        "ORDER BY j.job",
    ]
