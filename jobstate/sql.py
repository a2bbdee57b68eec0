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

>>> print(generate_sql(report="violations").splitlines()[0])
-- jobstate 'current' spec, sampled mode, duckdb: one row per violation
"""

from __future__ import annotations

from collections.abc import Iterable

from jobstate._constants import SQL_DIALECTS, SQL_REPORTS, Mode
from jobstate.exceptions import OptionError
from jobstate.spec import Spec
from jobstate.validation.rules import RULES
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
    "completed-not-100",
)


def sql_literal(value: str) -> str:
    """``value`` as an SQL string literal (quotes doubled), in both dialects."""
    return "'" + value.replace("'", "''") + "'"


def _ident(name: str, dialect: str) -> str:
    """A column or table name quoted for ``dialect`` (dots split a qualified table name)."""
    if dialect == "spark":
        return ".".join("`" + p.replace("`", "``") + "`" for p in name.split("."))
    return ".".join('"' + p.replace('"', '""') + '"' for p in name.split("."))


def _values(rows: Iterable[tuple[str, ...]], names: str, dialect: str) -> str:
    """An inline table (Spark SQL takes ``VALUES`` bare in ``FROM``, DuckDB in parentheses)."""
    body = ",\n    ".join("(" + ", ".join(row) + ")" for row in rows)
    if dialect == "spark":
        return f"VALUES\n    {body}\n  AS t({names})"
    return f"(VALUES\n    {body}\n  ) AS t({names})"


def _flag_columns() -> str:
    """The rule flags of one observation, in reporting order: a nullable column per rule."""
    cases = {
        "missing-status": "status IS NULL",
        "unknown-status": "status IS NOT NULL AND known IS NULL",
        "after-terminal": "known IS NOT NULL AND state IS NOT NULL AND known <> state"
        " AND state_terminal",
        "illegal-transition": "known IS NOT NULL AND state IS NOT NULL AND known <> state"
        " AND NOT state_terminal AND NOT legal",
        "percentage-range": "pct IS NOT NULL AND NOT pct_valid",
        "percentage-regression": "pct_valid AND before IS NOT NULL AND pct < before",
        "completed-not-100": "pct_valid AND known_success AND pct <> 100",
    }
    return ",\n    ".join(
        f"CASE WHEN {cases[r]} THEN {sql_literal(r)} END AS {_flag(r)}" for r in _ORDER
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
    status: str = "status",
    percentage: str = "percentageComplete",
    order: str = "ts",
    tiebreak: str | None = None,
) -> str:
    """The query that checks the polls of ``table`` against ``spec`` in ``mode``.

    ``report="jobs"``: one row per job (``job``, ``observations``, ``outcome``, ``errors``,
    ``warnings``, ``violations``: a list of ``(idx, rule)`` ordered as the Python engine
    reports them, ``idx`` 0-based within the job). ``report="violations"``: one row per
    violation (``job``, ``idx``, ``rule``, ``severity``).
    """
    if dialect not in SQL_DIALECTS:
        raise OptionError(f"unknown SQL dialect {dialect!r}; expected one of: duckdb, spark")
    if report not in SQL_REPORTS:
        raise OptionError(f"unknown SQL report {report!r}; expected one of: jobs, violations")
    t = Tables.compile(spec, mode)

    def q(name: str) -> str:
        return _ident(name, dialect)

    head = f"-- jobstate {t.spec.name!r} spec, {t.mode} mode, {dialect}: " + (
        "one row per job" if report == "jobs" else "one row per violation"
    )
    if dialect == "duckdb":
        head += f"\n-- over Parquet, run first (else NaN percentages pass): {DUCKDB_NAN_SAFE};"
    order_by = q(order) + (f", {q(tiebreak)}" if tiebreak else "")
    polls = [
        "polls AS (",
        f"  SELECT {q(job)} AS job, CAST({q(status)} AS STRING) AS status,"
        f" CAST({q(percentage)} AS DOUBLE) AS pct,",
        f"    row_number() OVER (PARTITION BY {q(job)} ORDER BY {order_by}) - 1 AS k",
        f"  FROM {q(table)}",
        "),",
    ]
    parts = [head, "WITH", *_table_ctes(t, dialect), *polls, *_rule_ctes(dialect)]
    if report == "violations":
        parts.append("SELECT job, idx, rule, severity FROM violations ORDER BY job, idx, rank")
    else:
        parts += _report_select(dialect)
    return "\n".join(parts) + "\n"


def _table_ctes(t: Tables, dialect: str) -> list[str]:
    """The spec's states, legal changes and rules as inline tables."""
    states = _values(
        (
            (
                sql_literal(s),
                "TRUE" if s in t.terminal else "FALSE",
                "TRUE" if s in t.success else "FALSE",
                "TRUE" if s in t.resets else "FALSE",
                sql_literal(t.outcome[s]),
            )
            for s in t.spec.names
        ),
        "name, terminal, success, resets, outcome",
        dialect,
    )
    legal = _values(
        ((sql_literal(a), sql_literal(b)) for (a, b) in sorted(t.kind) if a != b),
        "src, dst",
        dialect,
    )
    rule_rows = _values(
        ((sql_literal(r), sql_literal(RULES[r].severity), str(i)) for i, r in enumerate(_ORDER)),
        "rule, severity, rank",
        dialect,
    )
    return [
        f"states AS (SELECT * FROM {states}),",
        f"legal_changes AS (SELECT * FROM {legal}),",
        f"rules AS (SELECT * FROM {rule_rows}),",
    ]


def _rule_ctes(dialect: str) -> list[str]:
    """Each observation's known status, the state and baseline carried to it, its rule flags,
    then one row per violation."""
    before = "ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING"
    if dialect == "spark":
        last_known = f"last_value(known, true) OVER (PARTITION BY job ORDER BY k {before})"
        last_event = f"last_value(event, true) OVER (PARTITION BY job ORDER BY k {before})"
    else:
        last_known = f"last_value(known IGNORE NULLS) OVER (PARTITION BY job ORDER BY k {before})"
        last_event = f"last_value(event IGNORE NULLS) OVER (PARTITION BY job ORDER BY k {before})"
    return [
        "known AS (",
        "  SELECT p.*, s.name AS known, COALESCE(s.success, FALSE) AS known_success,",
        "    COALESCE(s.resets, FALSE) AS resets,",
        "    p.pct IS NOT NULL AND p.pct >= 0 AND p.pct <= 100 AND NOT isnan(p.pct) AS pct_valid",
        "  FROM polls p LEFT JOIN states s ON s.name = p.status",
        "),",
        "events AS (",
        "  SELECT *, CASE WHEN resets THEN -1.0 WHEN pct_valid THEN pct END AS event",
        "  FROM known",
        "),",
        "carried AS (",
        f"  SELECT *, {last_known} AS state,",
        f"    {last_event} AS last_event",
        "  FROM events",
        "),",
        "obs AS (",
        "  SELECT c.*, COALESCE(st.terminal, FALSE) AS state_terminal,",
        "    lc.src IS NOT NULL AS legal,",
        "    CASE WHEN c.resets OR c.last_event < 0 THEN NULL ELSE c.last_event END AS before",
        "  FROM carried c",
        "  LEFT JOIN states st ON st.name = c.state",
        "  LEFT JOIN legal_changes lc ON lc.src = c.state AND lc.dst = c.known",
        "),",
        "flags AS (",
        "  SELECT job, k, known,",
        f"    {_flag_columns()}",
        "  FROM obs",
        "),",
        "violations AS (",
        "  SELECT f.job, f.k AS idx, r.rule, r.severity, r.rank",
        "  FROM flags f JOIN rules r ON r.rule IN ("
        + ", ".join(f"f.{_flag(x)}" for x in _ORDER)
        + ")",
        ")",
    ]


def _report_select(dialect: str) -> list[str]:
    """The per-job report: counts, outcome (the first terminal status), violations in order."""
    if dialect == "spark":
        listed = (
            "transform(array_sort(collect_list(named_struct('idx', v.idx, 'rank', v.rank,"
            " 'rule', v.rule))), x -> named_struct('idx', x.idx, 'rule', x.rule))"
        )
        first_terminal = "min_by(o.known, o.k) FILTER (WHERE st.terminal)"
    else:
        listed = "list({'idx': v.idx, 'rule': v.rule} ORDER BY v.idx, v.rank)"
        first_terminal = "arg_min(o.known, o.k) FILTER (WHERE st.terminal)"
    return [
        ", per_job AS (",
        f"  SELECT o.job, count(*) AS observations, {first_terminal} AS first_terminal",
        "  FROM obs o LEFT JOIN states st ON st.name = o.known",
        "  GROUP BY o.job",
        "), per_job_violations AS (",
        "  SELECT v.job,",
        "    sum(CASE WHEN v.severity = 'error' THEN 1 ELSE 0 END) AS errors,",
        "    sum(CASE WHEN v.severity = 'warning' THEN 1 ELSE 0 END) AS warnings,",
        f"    {listed} AS violations",
        "  FROM violations v",
        "  GROUP BY v.job",
        ")",
        "SELECT j.job, j.observations,",
        "  COALESCE(s.outcome, 'unfinished') AS outcome,",
        "  COALESCE(pv.errors, 0) AS errors, COALESCE(pv.warnings, 0) AS warnings,",
        "  pv.violations",
        "FROM per_job j",
        "LEFT JOIN states s ON s.name = j.first_terminal",
        "LEFT JOIN per_job_violations pv ON pv.job = j.job",
        "ORDER BY j.job",
    ]
