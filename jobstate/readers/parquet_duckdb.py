"""Parquet through DuckDB (``--engine duckdb``, the ``sql`` extra): the generated SQL
(:func:`jobstate.generate_sql`) screens every job inside DuckDB; only the rows of flagged jobs
and of rows without a job key come back to Python, where the exact engine gives their messages.

Clean jobs' reports are built from the query's counts, outcome and line span, so the report is
the one the other engines give (a property test compares all three). The rows that come back are
handed on in the same slices of :data:`~jobstate.readers.parquet.BATCH` rows as the other ways of
reading Parquet, rejections first, so that ``--keep-violations`` keeps the same ones.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from jobstate.exceptions import InputError
from jobstate.readers.parquet import BATCH, parquet_columns, row_body
from jobstate.readers.parts import number_parts, same_columns
from jobstate.readers.routing import JobRouter
from jobstate.results import InputSummary, JobReport, JobTable, Record, Unlisted
from jobstate.sql import DUCKDB_NAN_SAFE, generate_sql
from jobstate.sql_text import sql_literal
from jobstate.validation.tables import Tables

__all__ = ["WHITESPACE", "CleanJobs", "literal_path", "literal_paths", "read_parquet_duckdb"]

WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
"""What ``str.strip()`` removes (a test checks it against ``str.isspace``): a job key of these
alone is empty, as the other ways read it."""
_NUMBERS = {
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
    "FLOAT",
    "DOUBLE",
}
_KEYS = _NUMBERS - {"FLOAT", "DOUBLE"} | {"VARCHAR"}
_TIMES = {"TIMESTAMP", "TIMESTAMP WITH TIME ZONE", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS"}


def _ident(name: str) -> str:
    """A Parquet column name quoted whole (a dot in it is part of the name, unlike the
    qualified table names :func:`jobstate.sql.generate_sql` quotes)."""
    return '"' + name.replace('"', '""') + '"'


class CleanJobs:
    """Jobs' counts, outcomes and line spans from the query, in order of first appearance, and
    which of them were flagged (their reports come from the exact engine); with
    ``only_failing``, the flagged jobs only and the clean ones counted by outcome
    (``unlisted``: outcome, jobs, observations)."""

    def __init__(
        self,
        rows: Sequence[tuple[str, int, int, int, str, bool]],
        unlisted: Sequence[tuple[str, int, int]] = (),
        http: Mapping[str, Mapping[int, int]] | None = None,
    ) -> None:
        self.rows, self.unlisted, self.http = rows, unlisted, http or {}

    def reports(
        self,
        flagged: Sequence[JobReport],
        tables: Tables,
        input: str | None,
        unlisted: Unlisted | None,
    ) -> Sequence[JobReport]:
        """All reports in order, as a :class:`JobTable` whose flagged jobs are the exact
        engine's ``flagged`` reports; with ``unlisted``, the flagged ones alone (the rows hold
        no others then) and the clean ones counted there."""
        exact = {r.key: r for r in flagged}
        if unlisted is not None:
            for outcome, jobs, observations in self.unlisted:
                unlisted.jobs += jobs
                unlisted.outcomes[outcome] += jobs
                unlisted.observations += observations
            # a job flagged for its answers alone (an error answer, say) may pass: the exact
            # engine counted it among the unlisted, as the other engines do
            return [exact[row[0]] for row in self.rows if row[0] in exact]
        keys: list[str | None] = []
        counts, first, last = [], [], []
        outcomes: list[Any] = []
        by_index: dict[int, JobReport] = {}
        http: dict[int, Mapping[int, int]] = {}
        for i, (key, n, a, b, outcome, bad) in enumerate(self.rows):
            if bad:  # the columns say what the exact report says
                job = by_index[i] = exact[key]
                outcome, n = job.outcome, job.observations
            elif key in self.http:
                http[i] = self.http[key]
            keys.append(key)
            outcomes.append(outcome)
            counts.append(n)
            first.append(a)
            last.append(b)
        name, mode = tables.spec.name, tables.mode
        return JobTable(name, mode, input, keys, outcomes, counts, first, last, http, by_index)


def read_parquet_duckdb(
    path: str | list[str],
    summary: InputSummary,
    router: JobRouter,
    tables: Tables,
    tick: Callable[[float], None],
    only_failing: bool = False,
) -> CleanJobs:
    """Read the Parquet file at ``path`` (or a folder's or glob's files, a list: one table,
    rows numbered through them) with DuckDB; route the rows of flagged jobs (and reject those
    without a job key) through ``router``; the per-job results of the rest (``only_failing``:
    of the flagged ones, and the others counted by outcome)."""
    try:
        import duckdb
    except ImportError:
        raise InputError(
            f"{summary.name}: --engine duckdb needs duckdb: pip install 'jobstate-graph[sql]'"
        ) from None
    con = duckdb.connect()
    try:
        con.execute("SET enable_progress_bar = false")
        con.execute(DUCKDB_NAN_SAFE)
        if isinstance(path, list):
            with literal_paths(path) as literals:
                source = _parts_source(con, path, literals, summary)
                return _read(con, source, summary, router, tables, tick, only_failing)
        with literal_path(path) as literal:
            source = f"read_parquet({sql_literal(literal)}, file_row_number = true)"
            return _read(con, source, summary, router, tables, tick, only_failing)
    finally:
        con.close()


@contextlib.contextmanager
def literal_path(path: str) -> Iterator[str]:
    """``path`` as DuckDB reads it literally: DuckDB reads every path as a glob, so a name with
    ``*``, ``?``, ``[`` or a brace is read through a link of a plain name in a private folder
    (``p[1].parquet`` would read ``p1.parquet``).

    >>> with literal_path("polls.parquet") as p:
    ...     p
    'polls.parquet'
    """
    if not any(c in path for c in "*?[]{}"):
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="jobstate-") as folder:
        link = os.path.join(folder, "input.parquet")
        os.symlink(os.path.abspath(path), link)
        yield link


@contextlib.contextmanager
def literal_paths(paths: list[str]) -> Iterator[list[str]]:
    """``paths`` as DuckDB reads them literally: links of plain names in a private folder (see
    :func:`literal_path`)."""
    with tempfile.TemporaryDirectory(prefix="jobstate-") as folder:
        links = [os.path.join(folder, f"part-{i:06d}.parquet") for i in range(len(paths))]
        for path, link in zip(paths, links, strict=True):
            os.symlink(os.path.abspath(path), link)
        yield links


_FILE = "jobstate_file"
"""The column DuckDB names each row's file in (``filename``), for a folder's or glob's rows."""


def _parts_source(con: Any, paths: list[str], links: list[str], summary: InputSummary) -> str:
    """The files of a folder or glob as one table whose ``file_row_number`` numbers the rows
    through them, the files' rows counted from their footers (as the polars reader numbers
    them)."""
    import duckdb

    counts: list[int] = []
    columns: list[list[str]] = []
    try:
        for link in links:
            one = f"read_parquet({sql_literal(link)})"
            [(n,)] = con.execute(f"SELECT count(*) FROM {one}").fetchall()
            counts.append(int(n))
            described = con.execute(f"DESCRIBE SELECT * FROM {one}").fetchall()
            columns.append([f"{row[0]} {row[1]}" for row in described])
    except duckdb.Error as exc:
        what = "readable Parquet files of one table"
        raise InputError(f"{summary.name}: not {what} ({exc})") from None
    same_columns(summary, paths, columns)
    number_parts(summary, paths, counts)
    offsets, at = [], 0
    for link, n in zip(links, counts, strict=True):
        offsets.append(f"WHEN {sql_literal(link)} THEN {at}")
        at += n
    listed = ", ".join(map(sql_literal, links))
    files = f"read_parquet([{listed}], file_row_number = true, filename = '{_FILE}')"
    return (
        f"(SELECT * EXCLUDE (file_row_number, {_FILE}), file_row_number"
        f" + CASE {_FILE} {' '.join(offsets)} END AS file_row_number FROM {files})"
    )


def _read(
    con: Any,
    source: str,
    summary: InputSummary,
    router: JobRouter,
    tables: Tables,
    tick: Callable[[float], None],
    only_failing: bool,
) -> CleanJobs:
    import duckdb

    try:
        described = con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()
    except duckdb.Error as exc:
        what = "readable Parquet files of one table" if summary.parts else "a readable Parquet file"
        raise InputError(f"{summary.name}: not {what} ({exc})") from None
    schema = {row[0]: row[1] for row in described if row[0] != "file_row_number"}
    cols = parquet_columns(list(schema), router, summary.name)
    _check_types(schema, cols, summary.name)
    return _Query(con, source, cols, summary, router, tables, schema).run(tick, only_failing)


def _check_types(schema: dict[str, str], cols: dict[str, str | None], file: str) -> None:
    """The column types the query reads as the other engines do, else a clear refusal."""
    want = [(cols["job"], _KEYS, "text or integers"), (cols["status"], {"VARCHAR"}, "text")]
    if cols["pct"] is not None:
        want.append((cols["pct"], _NUMBERS, "integers or floats"))
    if cols["order"] is not None:  # text would sort as text, not as the times it may hold
        want.append((cols["order"], _NUMBERS | _TIMES, "numbers or timestamps (to order by)"))
    if cols["http"] is not None:
        want.append((cols["http"], _KEYS - {"VARCHAR"}, "integers (HTTP statuses)"))
    for col, types, what in want:
        assert col is not None
        if schema[col] not in types:
            raise InputError(
                f"{file}: --engine duckdb reads column {col!r} as {what}, not {schema[col]};"
                " use --engine python or polars"
            )


class _Query:
    """The queries of one file, on one DuckDB connection."""

    def __init__(
        self,
        con: Any,
        source: str,
        cols: dict[str, str | None],
        summary: InputSummary,
        router: JobRouter,
        tables: Tables,
        schema: dict[str, str],
    ) -> None:
        self.con, self.summary, self.router, self.cols = con, summary, router, cols
        self.answers = cols["http"] is not None
        job, status, pct, order, http = (
            _ident(c) if c else "NULL"
            for c in (cols["job"], cols["status"], cols["pct"], cols["order"], cols["http"])
        )
        if cols["order"] is not None and schema[cols["order"]] in _TIMES:
            order = f"epoch_us({order})"  # an instant as a number: the router sorts numbers
        con.execute(
            f"CREATE TEMP VIEW raw AS SELECT CAST({job} AS VARCHAR) AS job, {status} AS status,"
            f" {pct} AS pct, file_row_number + 1 AS line, {order} AS ord,"
            f" CASE WHEN {http} BETWEEN 0 AND 999 THEN CAST({http} AS INTEGER) END AS http"
            f" FROM {source}"
        )
        ws = sql_literal(WHITESPACE)
        con.execute(
            "CREATE TEMP TABLE blank AS SELECT DISTINCT job FROM raw"
            f" WHERE job IS NOT NULL AND trim(job, {ws}) = ''"
        )
        # a row with no value to order by is rejected by the router (it comes back below)
        ordered = cols["order"] is not None
        con.execute(
            "CREATE TEMP VIEW polls AS SELECT job, status, pct, line, ord, http"
            " FROM raw WHERE job IS NOT NULL AND job NOT IN (SELECT job FROM blank)"
            + (" AND ord IS NOT NULL" if ordered else "")
        )
        screen = generate_sql(  # the view's columns, whatever the spec's fields
            tables.spec,
            tables.mode,
            status="status",
            percentage="pct",
            order="ord" if ordered else "line",
            tiebreak="line" if ordered else None,
            http="http" if self.answers else None,
        )
        # a job with answers that are no observations has counts the columns do not keep
        answered = " + r.error_answers + r.transient + r.expired + r.lost" if self.answers else ""
        con.execute(
            "CREATE TEMP TABLE res AS SELECT s.job, s.n, s.first, s.last, r.outcome,"
            f" r.errors + r.warnings{answered} > 0 AS flagged FROM (SELECT job, count(*) AS n,"
            " min(line) AS first, max(line) AS last FROM polls GROUP BY job) s"
            f" JOIN (\n{screen}\n) r ON s.job = r.job"
        )

    def run(self, tick: Callable[[float], None], only_failing: bool) -> CleanJobs:
        """Hand the rows that need the exact engine on; every job's screen result."""
        con, summary = self.con, self.summary
        [(rows,)] = con.execute("SELECT count(*) FROM raw").fetchall()
        cur = con.execute(
            "SELECT job, status, pct, line, ord, http FROM raw WHERE job IS NULL"
            " OR job IN (SELECT job FROM blank) OR job IN (SELECT job FROM res WHERE flagged)"
            + (" OR ord IS NULL" if self.cols["order"] is not None else "")
            + " ORDER BY line"
        )
        slice_no = None
        batch: list[tuple[Any, ...]] = []
        while chunk := cur.fetchmany(BATCH):
            for row in chunk:
                k = (row[3] - 1) // BATCH
                if k != slice_no and batch:
                    self._slice(batch)
                    batch = []
                    tick(min(k * BATCH / max(rows, 1), 1.0))
                slice_no = k
                batch.append(row)
        if batch:
            self._slice(batch)
        summary.units_read = int(rows)
        listed = "SELECT job, n, first, last, outcome, flagged FROM res"
        if not only_failing:
            return CleanJobs(con.execute(f"{listed} ORDER BY first").fetchall(), (), self._codes())
        clean = "SELECT outcome, count(*), sum(n) FROM res WHERE NOT flagged GROUP BY outcome"
        counted = [(o, int(j), int(k)) for o, j, k in con.execute(clean).fetchall()]
        return CleanJobs(con.execute(f"{listed} WHERE flagged ORDER BY first").fetchall(), counted)

    def _codes(self) -> dict[str, dict[int, int]]:
        """The clean jobs' answers counted by HTTP status (none without ``--http-key``)."""
        codes: dict[str, dict[int, int]] = {}
        if self.answers:
            for job, code, n in self.con.execute(
                "SELECT job, http, count(*) FROM polls WHERE http IS NOT NULL"
                " AND job IN (SELECT job FROM res WHERE NOT flagged) GROUP BY job, http"
            ).fetchall():
                codes.setdefault(job, {})[code] = int(n)
        return codes

    def _slice(self, rows: list[tuple[Any, ...]]) -> None:
        """One slice's returned rows, as the row-by-row way gives them: the rows without a job
        key rejected at their line, then the others to their jobs."""
        keys: list[Any] = []
        bodies: list[Record] = []
        lines: list[int] = []
        order = self.cols["order"]
        wrappers: list[Record] = []  # what --order-by reads: the router holds and sorts them
        codes: list[int | None] = []
        for key, status, pct, line, ord_value, http in rows:
            if key is None or not key.strip():
                self.summary.reject(line, f"row has an empty {self.cols['job']!r}")
                continue
            keys.append(key)
            bodies.append(row_body(status, pct, self.router.body_keys))
            lines.append(line)
            codes.append(http)
            if order is not None:
                wrappers.append({order: ord_value})
        answers = codes if self.answers else None
        self.router.route_bodies(keys, bodies, lines, answers, wrappers if order else None)
