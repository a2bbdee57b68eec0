"""``--engine``: python, polars and duckdb give the same report on the same Parquet file, and an
engine that cannot take an input says why (exit 2), never a traceback."""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jobstate import ReadOptions, Validator, read_input
from jobstate._constants import Engine
from jobstate.results import InputSummary
from tests.clirun import RanText, cli_text

pl = pytest.importorskip("polars")
pytest.importorskip("duckdb")

PCT = "percentageComplete"
ENGINES: tuple[Engine, ...] = ("python", "polars", "duckdb")


def _everything(summary: InputSummary) -> Any:
    """All a report says of an input, message by message."""
    u = summary.unlisted
    return (
        [j.to_dict() for j in summary.jobs],
        summary.units_read,
        summary.unattributed,
        summary.unattributed_not_kept,
        (u.jobs, dict(u.outcomes), u.observations) if u is not None else None,
        summary.observations,
        summary.rejected,
    )


_CODES = [200, 202, 303, 302, 401, 404, 410, 429, 500, 503, 1000, -1]
_KEYS = st.sampled_from(["a", "b", "c", "d", "", "  ", "\u2003"]) | st.none()
_ROWS = st.lists(
    st.tuples(
        _KEYS,
        st.none()
        | st.sampled_from(
            [
                "notStarted",
                "inProgress",
                "waiting",
                "completed",
                "failed",
                "cancelPending",
                "cancelled",
                "updating",
                "Run",
                "",
            ]
        ),
        st.none() | st.sampled_from([0.0, 10.0, 55.5, 100.0, 5.0, -1.0, 250.0, float("nan")]),
    ),
    min_size=1,
    max_size=60,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=_ROWS,
    spec=st.sampled_from(["current", "legacy", "any"]),
    mode=st.sampled_from(["sampled", "step"]),
    keep=st.none() | st.integers(0, 4),
    only_failing=st.booleans(),
    pct_type=st.sampled_from(["f64", "f32", "int"]),
    order=st.none() | st.lists(st.none() | st.integers(0, 5), min_size=60, max_size=60),
    http=st.none() | st.lists(st.none() | st.sampled_from(_CODES), min_size=60, max_size=60),
)
def test_engines_report_alike_on_parquet(
    tmp_path: Path,
    rows: list[tuple[str | None, str | None, float | None]],
    spec: str,
    mode: str,
    keep: int | None,
    only_failing: bool,
    pct_type: str,
    order: list[int | None] | None,
    http: list[int | None] | None,
) -> None:
    """Every engine gives the same jobs (key, outcome, counts, span, every violation with its
    row and message), the same rejected rows, the same kept and counted violations under a
    small ``--keep-violations``, and the same unlisted counts with ``--only-failing``; with
    ``--order-by`` a column of few values (ties in row order) and empty ones (rows rejected);
    with ``--http-key`` a column of answers' statuses (completions, error answers, the monitor
    gone, transient errors, codes out of range: each job's answers counted by status)."""
    pcts: list[Any] = [r[2] for r in rows]
    dtype = {"f64": pl.Float64, "f32": pl.Float32, "int": pl.Int64}[pct_type]
    if pct_type == "int":
        pcts = [None if p is None or p != p else int(p) for p in pcts]
    df = pl.DataFrame(
        {"job_id": [r[0] for r in rows], "status": [r[1] for r in rows], PCT: pcts},
        schema={"job_id": pl.String, "status": pl.String, PCT: dtype},
    )
    if order is not None:
        df = df.with_columns(pl.Series("ts", order[: len(rows)], dtype=pl.Int64))
    if http is not None:
        df = df.with_columns(pl.Series("code", http[: len(rows)], dtype=pl.Int64))
    path = str(tmp_path / "p.parquet")
    df.write_parquet(path)
    got = {}
    for engine in ENGINES:
        summary = read_input(
            path,
            Validator(spec, mode),
            ReadOptions(
                engine=engine,
                order_by="ts" if order is not None else None,
                http_key="code" if http is not None else None,
            ),
            keep_violations=keep,
            only_failing=only_failing,
        )
        got[engine] = _everything(summary)
    assert got["polars"] == got["python"]
    assert got["duckdb"] == got["python"]


def test_engines_take_integer_job_keys(tmp_path: Path) -> None:
    """An integer job column is read as its decimal text by every engine."""
    df = pl.DataFrame(
        {"job_id": [7, 7, 8, 8], "status": ["inProgress", "completed", "completed", "waiting"],
         "percentageComplete": [10, 100, 90, None]}
    )  # fmt: skip
    path = str(tmp_path / "k.parquet")
    df.write_parquet(path)
    reports = [_everything(read_input(path, Validator(), ReadOptions(engine=e))) for e in ENGINES]
    assert reports[0] == reports[1] == reports[2]
    assert [j["key"] for j in reports[0][0]] == ["7", "8"]


def _cli(*args: str) -> RanText:
    """``jobstate check ARGS`` in process (tests.clirun)."""
    return cli_text("check", *args)


@pytest.mark.parametrize(
    ("make", "extra", "why"),
    [
        ("jsonl", (), "it reads Parquet files"),
        ("text-order", ("--order-by", "ts"), "as numbers or timestamps (to order by)"),
        ("parquet", ("--time-key", "ts"), "it does not take --time-key"),
        ("text-order", ("--http-key", "ts"), "as integers (HTTP statuses)"),
        ("parquet", ("--explain",), "--explain/--diagram"),
        ("decimal", (), "not DECIMAL"),
    ],
)
def test_duckdb_engine_refuses_what_it_cannot_read(
    tmp_path: Path, make: str, extra: tuple[str, ...], why: str
) -> None:
    """An input or option the DuckDB engine cannot take: exit 2 and one line saying why."""
    if make == "jsonl":
        path = tmp_path / "x.jsonl"
        path.write_text('{"status": "completed"}\n')
    else:
        from decimal import Decimal

        pct = [Decimal("50.0")] if make == "decimal" else [50.0]
        path = tmp_path / "x.parquet"
        ts: list[Any] = ["2026-11-24T10:00:00Z"] if make == "text-order" else [1]
        df = pl.DataFrame({"job_id": ["a"], "status": ["inProgress"], "ts": ts, PCT: pct})
        df.write_parquet(path)
    proc = _cli("--engine", "duckdb", *extra, str(path))
    assert proc.returncode == 2, proc.stderr
    assert why in proc.stderr and "Traceback" not in proc.stderr


def test_duckdb_orders_by_a_timestamp_column_as_polars_does(tmp_path: Path) -> None:
    """A timestamp column to order by (with a time zone or none) gives every engine the same
    report: the polls in time order, whatever the row order."""
    from datetime import datetime, timedelta, timezone

    start = datetime(2026, 11, 24, 10, tzinfo=timezone.utc)
    statuses = ["completed", "notStarted", "inProgress", "inProgress", "failed", "notStarted"]
    minutes = [5, 0, 1, 1, 2, 0]
    keys = ["a", "a", "a", "b", "b", "b"]
    for tz in (timezone.utc, None):
        times = [(start + timedelta(minutes=m)).replace(tzinfo=tz) for m in minutes]
        df = pl.DataFrame({"job_id": keys, "status": statuses, "ts": times})
        path = str(tmp_path / "t.parquet")
        df.write_parquet(path)
        reports = [
            _everything(read_input(path, Validator(), ReadOptions(engine=e, order_by="ts")))
            for e in ENGINES
        ]
        assert reports[0] == reports[1] == reports[2]
        jobs = {j["key"]: (j["outcome"], j["errors"]) for j in reports[0][0]}
        assert jobs == {"a": ("success", 0), "b": ("failure", 0)}


def test_decimal_percentages_are_not_numbers_on_any_engine(tmp_path: Path) -> None:
    """A Decimal percentage column is no JSON number: ``percentage-type`` from python and polars
    alike (the columnar way once cast it to a float and passed it)."""
    from decimal import Decimal

    path = tmp_path / "d.parquet"
    pl.DataFrame({"job_id": ["a"], "status": ["inProgress"], PCT: [Decimal("5")]}).write_parquet(
        path
    )
    rules = {}
    for e in ("python", "polars"):
        jobs = read_input(str(path), Validator(), ReadOptions(engine=e)).jobs
        rules[e] = [v.rule for j in jobs for v in j.violations]
    assert rules == {"python": ["percentage-type"], "polars": ["percentage-type"]}


def test_a_nan_beside_finite_percentages_is_out_of_range_on_every_engine(tmp_path: Path) -> None:
    """A NaN percentage in a row group whose other values are finite: the file's statistics
    leave NaN out, and DuckDB, trusting them, had folded the range check away (found by CI)."""
    import math

    path = tmp_path / "n.parquet"
    pl.DataFrame(
        {"job_id": ["a", None, "b"], "status": ["notStarted", None, "notStarted"],
         PCT: [math.nan, 0.0, 0.0]}
    ).write_parquet(path, row_group_size=3)  # fmt: skip
    for e in ENGINES:
        jobs = read_input(str(path), Validator(), ReadOptions(engine=e)).jobs
        assert [(j.key, [v.rule for v in j.violations]) for j in jobs] == [
            ("a", ["percentage-range"]),
            ("b", []),
        ], e


@pytest.mark.parametrize("extra", [(), ("--only-failing",)])
def test_engine_on_the_command_line_changes_nothing_in_the_report(
    tmp_path: Path, extra: tuple[str, ...]
) -> None:
    """``check --engine E --format json`` prints the same document for every engine."""
    path = tmp_path / "c.parquet"
    pl.DataFrame(
        {"job_id": ["a", "a", "b", "b", "c"],
         "status": ["inProgress", "completed", "waiting", "Run", "failed"],
         "percentageComplete": [50.0, 90.0, 10.0, None, None]}
    ).write_parquet(path)  # fmt: skip
    outs = {e: _cli("--engine", e, "--format", "json", *extra, str(path)) for e in ENGINES}
    assert {p.returncode for p in outs.values()} == {1}
    assert outs["python"].stdout == outs["polars"].stdout == outs["duckdb"].stdout


def test_duckdb_whitespace_is_what_str_strip_removes() -> None:
    """The characters the DuckDB engine trims from job keys are exactly ``str.isspace``'s."""
    from jobstate.readers.parquet_duckdb import WHITESPACE

    spaces = "".join(c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace())
    assert spaces == WHITESPACE


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=_ROWS,
    batch=st.integers(1, 9),
    group=st.integers(1, 9),
    keep=st.none() | st.integers(0, 4),
    pieces=st.none() | st.lists(st.integers(1, 5), min_size=1, max_size=4),
)
def test_parquet_read_in_batches_reports_as_read_whole(
    tmp_path: Path,
    rows: list[tuple[str | None, str | None, float | None]],
    batch: int,
    group: int,
    keep: int | None,
    pieces: list[int] | None,
) -> None:
    """A Parquet file read by path in batches (row groups of ``group`` rows, slices of ``batch``;
    ``pieces``: polars made to hand over batches of those sizes instead) gives the report of the
    same file read whole (gzipped: no seeking), on every engine that reads it so."""
    import itertools

    from jobstate.readers import parquet, parquet_duckdb

    def irregular(self: Any, **_: Any) -> Any:
        frame, sizes, at = self.collect(), itertools.cycle(pieces or [1]), 0
        while at < frame.height:
            n = next(sizes)
            yield frame.slice(at, n)
            at += n

    with pytest.MonkeyPatch.context() as mp:  # undone after each example
        mp.setattr(parquet, "BATCH", batch)
        mp.setattr(parquet_duckdb, "BATCH", batch)
        if pieces is not None:  # irregular batches: the reader must still cut slices of ``batch``
            mp.setattr(pl.LazyFrame, "collect_batches", irregular)
        _batches_agree(tmp_path, rows, group, keep)


def _batches_agree(
    tmp_path: Path,
    rows: list[tuple[str | None, str | None, float | None]],
    group: int,
    keep: int | None,
) -> None:
    import gzip

    df = pl.DataFrame(
        {"job_id": [r[0] for r in rows], "status": [r[1] for r in rows], PCT: [r[2] for r in rows]},
        schema={"job_id": pl.String, "status": pl.String, PCT: pl.Float64},
    )
    path = tmp_path / "b.parquet"
    df.write_parquet(path, row_group_size=group)
    packed = tmp_path / "b.parquet.gz"
    packed.write_bytes(gzip.compress(path.read_bytes()))

    def report(source: Path, engine: Engine = "auto") -> Any:
        opts = ReadOptions(format="parquet", engine=engine)
        jobs, *rest = _everything(read_input(str(source), Validator(), opts, keep_violations=keep))
        return [{**j, "input": None} for j in jobs], *rest  # the two files' names differ

    whole = report(packed)
    for engine in ENGINES:
        assert report(path, engine) == whole, engine


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=_ROWS, http=st.booleans(), keep=st.none() | st.integers(0, 4))
def test_job_table_reports_as_its_objects_do(
    tmp_path: Path,
    rows: list[tuple[str | None, str | None, float | None]],
    http: bool,
    keep: int | None,
) -> None:
    """The columnar engine's reports come as a :class:`JobTable`: its JSON written from the
    columns is each built report's ``to_dict``, and the whole report (totals, inputs, jobs) is
    the one the exact engine gives for the same JSON Lines."""
    from jobstate.results import JobTable, Report

    lines = []
    for n, (key, status, pct) in enumerate(rows):
        rec: dict[str, Any] = {"job": key, "status": status, PCT: pct}
        if http:
            rec["code"] = [202, 200, 303, 404, 500][n % 5]
        lines.append(json.dumps({k: v for k, v in rec.items() if v is not None}, allow_nan=True))
    path = tmp_path / "t.jsonl"
    path.write_text("\n".join(lines) + "\n")
    got = {}
    for engine in ("python", "polars"):
        opts = ReadOptions(job_key="job", http_key="code" if http else None, engine=engine)
        summary = read_input(str(path), Validator(), opts, keep_violations=keep)
        if engine == "polars":
            assert isinstance(summary.jobs, JobTable)
            assert list(summary.jobs.dicts()) == [j.to_dict() for j in summary.jobs]
        got[engine] = Report.from_inputs("current", "sampled", [summary]).to_dict()
    assert got["polars"] == got["python"]


@pytest.mark.parametrize("engine", ["polars", "duckdb"])
def test_parquet_progress_rises_to_the_whole_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: Engine
) -> None:
    """Read by path (by rows, not through the file handle), Parquet still reports progress:
    positions that rise, slice by slice, to the file's size."""
    from jobstate.readers import parquet, parquet_duckdb

    monkeypatch.setattr(parquet, "BATCH", 3)
    monkeypatch.setattr(parquet_duckdb, "BATCH", 3)
    path = tmp_path / "p.parquet"
    n = 10
    pl.DataFrame({"job_id": ["a"] * n, "status": ["inProgress"] * (n - 1) + ["Run"]}).write_parquet(
        path
    )
    seen: list[tuple[int, int]] = []
    opts = ReadOptions(engine=engine)
    read_input(str(path), Validator(), opts, progress=lambda at, size: seen.append((at, size)))
    size = path.stat().st_size
    assert seen and all(s == size for _, s in seen)
    positions = [at for at, _ in seen]
    assert positions == sorted(positions) and 0 < positions[0] < size
    if engine == "polars":
        assert positions[-1] == size and len(positions) == 4  # slices of 3, 3, 3 and 1 rows


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name", ["p[1].parquet", "q?.parquet", "r*.parquet", "s{1,2}.parquet"])
def test_a_parquet_path_is_a_path_not_a_glob(tmp_path: Path, engine: Engine, name: str) -> None:
    """A file whose name holds glob characters is read alone, by every engine: never its
    siblings that the pattern would match (p1.parquet for p[1].parquet)."""
    sibling = name.replace("[1]", "1").replace("?", "1").replace("*", "1").replace("{1,2}", "1")
    pl.DataFrame({"job": ["x", "x"], "status": ["inProgress", "completed"]}).write_parquet(
        tmp_path / sibling
    )
    pl.DataFrame({"job": ["y"], "status": ["failed"]}).write_parquet(tmp_path / name)
    summary = read_input(
        str(tmp_path / name), Validator(), ReadOptions(engine=engine, job_key="job")
    )
    assert [(j.key, j.outcome) for j in summary.jobs] == [("y", "failure")]


@pytest.mark.parametrize(("polars_from", "columns"), [(0, True), (1 << 30, False)])
def test_a_json_lines_file_under_one_chunk_is_read_without_polars(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, polars_from: int, columns: bool
) -> None:
    """Under ``POLARS_FROM`` (one 8 MiB chunk) a JSON Lines file on disk goes to the array
    stream line by line, without polars, whose import costs more than it saves there; from it
    on, and with ``--engine polars`` asked for, to polars' columns. The report is the same."""
    import jobstate.readers
    from jobstate.readers.jsonl_polars import PolarsJsonlReader

    path = tmp_path / "t.jsonl"
    path.write_text(
        "".join(
            f'{{"job":"j{i % 3}","status":"inProgress","percentageComplete":{i}}}\n'
            for i in range(9)
        )
    )
    monkeypatch.setattr(jobstate.readers, "POLARS_FROM", polars_from)
    made: list[bool] = []
    real = PolarsJsonlReader.create.__func__  # type: ignore[attr-defined]

    def spy(cls: type[PolarsJsonlReader], router: Any) -> Any:
        made.append(True)
        return real(cls, router)

    monkeypatch.setattr(PolarsJsonlReader, "create", classmethod(spy))
    auto = read_input(str(path), Validator(), ReadOptions(job_key="job"))
    asked = read_input(str(path), Validator(), ReadOptions(job_key="job", engine="polars"))
    assert made == ([True, True] if columns else [True])
    assert auto.to_dict() == asked.to_dict() and auto.jobs[0].ok


def test_every_engine_counts_a_clean_jobs_answers_by_status(tmp_path: Path) -> None:
    """With ``--http-key``, a job the DuckDB engine finds clean keeps its answers counted by
    status (a 303 completion among them, a code out of range not counted), and a job with an
    answer that is no observation (an error answer, a transient 5xx, the monitor gone after
    the end) goes to the exact engine: every engine reports them alike."""
    jobs: dict[str, list[tuple[str | None, int]]] = {
        "clean": [("inProgress", 202), ("completed", 200)],
        "completed-by-303": [("inProgress", 202), (None, 303)],
        "odd-code": [("inProgress", 1000), ("completed", 200)],
        "error-answer": [("inProgress", 202), (None, 401), ("completed", 200)],
        "transient": [("inProgress", 503), ("completed", 200)],
        "expired": [("completed", 200), (None, 404)],
    }
    rows = [(job, s, code) for job, polls in jobs.items() for s, code in polls]
    df = pl.DataFrame(
        {
            "job_id": [r[0] for r in rows],
            "status": [r[1] for r in rows],
            "code": [r[2] for r in rows],
        }
    )
    path = str(tmp_path / "h.parquet")
    df.write_parquet(path)
    got = {}
    for engine in ENGINES:
        opts = ReadOptions(engine=engine, http_key="code")
        got[engine] = [j.to_dict() for j in read_input(path, Validator(), opts).jobs]
    assert got["duckdb"] == got["polars"] == got["python"]
    said = {
        j["key"]: (j["http_status"], j["error_answers"], j["transient_5xx"], j["expired_polls"])
        for j in got["duckdb"]
    }
    assert said == {
        "clean": ({"200": 1, "202": 1}, 0, 0, 0),
        "completed-by-303": ({"202": 1, "303": 1}, 0, 0, 0),
        "odd-code": ({"200": 1}, 0, 0, 0),
        "error-answer": ({"200": 1, "202": 1, "401": 1}, 1, 0, 0),
        "transient": ({"200": 1, "503": 1}, 0, 1, 0),
        "expired": ({"200": 1, "404": 1}, 0, 0, 1),
    }


def test_a_job_flagged_for_its_answers_alone_is_unlisted_when_it_passes() -> None:
    """With ``--only-failing``, a job that DuckDB flags for an answer that is no observation (a
    302 without a status) but that passes is counted among the unlisted, as by every engine
    (the DuckDB engine looked for its report and raised)."""
    df = pl.DataFrame(
        {"job_id": ["a", "b"], "status": [None, None], "code": [None, 302]},
        schema={"job_id": pl.String, "status": pl.String, "code": pl.Int64},
    )
    got = {}
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "a.parquet")
        df.write_parquet(path)
        for engine in ENGINES:
            opts = ReadOptions(engine=engine, http_key="code")
            summary = read_input(path, Validator(), opts, only_failing=True)
            got[engine] = _everything(summary)
    assert got["duckdb"] == got["polars"] == got["python"]
    assert [j["key"] for j in got["duckdb"][0]] == ["a"] and got["duckdb"][4] == (
        1,
        {"unfinished": 1},
        1,
    )
