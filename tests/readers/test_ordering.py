"""``--order-by``: the columnar sort (numpy over all jobs, polars reading RFC 3339 times) orders
every job's records as a stable per-job sort by the value does, and reads times exactly as
``rfc3339_ns`` does."""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jobstate import ReadOptions, Validator, read_input
from jobstate.readers.fields import rfc3339_ns
from jobstate.readers.ordering import order_positions, rfc3339_ns_many

pl = pytest.importorskip("polars")


def _two(lo: int, hi: int) -> st.SearchStrategy[str]:
    return st.integers(lo, hi).map(lambda n: f"{n:02d}")


@st.composite
def _stamps(draw: st.DrawFn) -> str:
    """Strings near RFC 3339: valid and invalid dates and times, leap seconds, every separator,
    fraction and zone form, years at the edges of int64 nanoseconds, stray spaces and digits."""
    year = draw(st.sampled_from([0, 1, 1677, 1678, 1970, 2000, 2024, 2100, 2261, 2262, 9999]))
    parts = [
        f"{year:04d}", "-", draw(_two(0, 13)), "-", draw(_two(0, 32)),
        draw(st.sampled_from(["T", "t", " ", "_"])),
        draw(_two(0, 25)), ":", draw(_two(0, 61)), ":", draw(_two(0, 61)),
        draw(st.sampled_from(["", ".", ","]) .flatmap(
            lambda sep: st.just("") if not sep else st.integers(1, 12).map(
                lambda n: sep + "".join(str((7 * i + 3) % 10) for i in range(n))))),
        draw(st.sampled_from(["", "Z", "z", "+00:00", "-00:00", "+05:30", "-0800", "+25:00",
                              "+05:70", "-99:99", "+5:30"])),
    ]  # fmt: skip
    text = "".join(parts)
    if draw(st.booleans()):
        text = draw(st.sampled_from([" ", "\t", ""])) + text + draw(st.sampled_from([" ", ""]))
    if draw(st.integers(0, 9)) == 0:
        text = text.replace("1", "\u0661")  # an Arabic-Indic one: Python's \d reads it
    return text


@settings(max_examples=300, deadline=None)
@given(st.lists(_stamps() | st.text(max_size=30), max_size=30))
def test_polars_reads_times_as_rfc3339_ns_does(values: list[str]) -> None:
    """Every string, valid or not, reads to the same nanoseconds (or none) by polars."""
    assert rfc3339_ns_many(values, many=0) == [rfc3339_ns(v) for v in values]


def _reference(jobs: list[int], values: list[Any]) -> tuple[list[int], str, int | None]:
    """The order as it was computed before the columnar sort: job by job, a stable list sort by
    number, time or text, and the first value (job by job) that is neither."""
    grouped = sorted(range(len(jobs)), key=lambda i: jobs[i])
    numbers = all(type(v) in (int, float) for v in values)

    times = [rfc3339_ns(v) for v in values]
    if numbers:
        kind, key, odd = "numbers", (lambda i: values[i]), None
    elif all(t is not None for t in times):
        kind, key, odd = "times", (lambda i: times[i]), None
    else:
        kind, key = "text", (lambda i: (isinstance(values[i], str), values[i]))
        odd = next(
            (i for i in grouped if times[i] is None and type(values[i]) not in (int, float)),
            None,
        )
    out: list[int] = []
    for j in sorted(set(jobs)):
        out += sorted((i for i in grouped if jobs[i] == j), key=key)
    return out, kind, odd


_VALUES = st.one_of(
    st.lists(st.integers(-5, 5) | st.sampled_from([2**63, -(2**63) - 1, 2**53 + 1])),
    st.lists(st.integers(-5, 5) | st.floats(-6, 6) | st.sampled_from([math.nan, 2**60])),
    st.lists(
        st.datetimes(min_value=datetime(1600, 1, 1), max_value=datetime(2400, 1, 1)).map(
            lambda d: d.isoformat() + "Z"
        )
        | st.sampled_from(["2026-01-01T00:00:00Z", "2026-01-01T01:00:00+01:00"])
    ),
    st.lists(st.sampled_from(["b", "a", "2026-01-01T00:00:00Z", 3, 1.5, "2025-12-31T00:00:00Z"])),
)


@settings(max_examples=300, deadline=None)
@given(values=_VALUES, data=st.data())
def test_columnar_order_is_the_per_job_sort(values: list[Any], data: st.DataObject) -> None:
    """Positions, kind and the odd value are those of a stable sort, job by job, whatever the
    values: numbers of any size (NaN too), times across int64's range, a mixture."""
    n = len(values)
    jobs = data.draw(st.lists(st.integers(0, 3), min_size=n, max_size=n))
    first: dict[int, int] = {}
    jobs = [first.setdefault(j, len(first)) for j in jobs]  # numbered as first seen
    got = order_positions(jobs, values)
    want, kind, odd = _reference(jobs, values)
    assert (got.positions, got.kind, got.odd) == (want, kind, odd)


def test_many_shuffled_polls_sort_back_to_the_ordered_file(tmp_path: Path) -> None:
    """5,000 polls of 500 jobs, shuffled, times with offsets and nanoseconds (enough for the
    polars reading): ``--order-by`` gives the report of the file in order, job for job."""
    rnd = random.Random(3)
    base = datetime(2026, 3, 1, tzinfo=timezone.utc)
    rows = []
    for j in range(500):
        steps = ["notStarted"] + ["inProgress"] * 7 + ["waiting", "completed"]
        for i, status in enumerate(steps):
            when = base + timedelta(minutes=j, seconds=i)
            zone = timezone(timedelta(hours=rnd.choice([-8, 0, 5])))
            stamp = when.astimezone(zone).isoformat(timespec="microseconds")
            stamp = stamp[:26] + f"{rnd.randrange(1000):03d}" + stamp[26:]
            pct = 100.0 if status == "completed" else float(10 * i)
            rows.append({"job": f"j{j}", "ts": stamp, "status": status, "percentageComplete": pct})
    rows[13]["percentageComplete"] = 3.0  # one regression, kept in its place by the sort
    ordered, shuffled = tmp_path / "ordered.jsonl", tmp_path / "shuffled.jsonl"
    ordered.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    lines = list(enumerate(rows, start=1))
    rnd.shuffle(lines)
    shuffled.write_bytes(b"".join(orjson.dumps(r) + b"\n" for _, r in lines))
    line_of = {pos: line for pos, (line, _) in enumerate(lines, start=1)}

    def report(path: Path, **kw: Any) -> list[Any]:
        opts = ReadOptions(job_key="job", **kw)
        jobs = read_input(str(path), Validator(), opts).jobs
        return sorted(
            (j.key, j.outcome, [(v.rule, v.index) for v in j.violations], j.observations)
            for j in jobs
        )

    got = read_input(str(shuffled), Validator(), ReadOptions(job_key="job", order_by="ts"))
    assert report(shuffled, order_by="ts") == report(ordered)
    assert got.notes == []
    [bad] = [j for j in got.jobs if j.violations]
    assert [line_of[v.line] for v in bad.violations if v.line is not None] == [14]


def test_a_parquet_datetime_column_sorts_as_times(tmp_path: Path) -> None:
    """A Parquet timestamp column (read as RFC 3339 text) orders by instant, with no note."""
    path = tmp_path / "d.parquet"
    t = datetime(2026, 1, 1)
    pl.DataFrame(
        {"job_id": ["a", "a", "a"], "status": ["completed", "notStarted", "inProgress"],
         "ts": [t + timedelta(seconds=2), t, t + timedelta(microseconds=1)]}
    ).write_parquet(path)  # fmt: skip
    got = read_input(str(path), Validator(), ReadOptions(order_by="ts", engine="python"))
    assert got.notes == []
    [job] = got.jobs
    assert (job.outcome, list(job.violations)) == ("success", [])


def _report(path: Path, engine: Any, keep: int | None) -> Any:
    """All a report says of an input, message by message."""
    opts = ReadOptions(order_by="ts", engine=engine, http_key="http")
    s = read_input(str(path), Validator(), opts, keep_violations=keep)
    return (
        [j.to_dict() for j in s.jobs],
        s.units_read, s.unattributed, s.notes, s.observations, s.rejected,
    )  # fmt: skip


_ORDER_COLUMNS = st.sampled_from(["int", "float", "datetime", "text", "stamps"])


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(1, 40),
    kind=_ORDER_COLUMNS,
    keep=st.none() | st.integers(0, 3),
    data=st.data(),
)
def test_parquet_sorted_by_columns_reports_as_row_by_row(
    n: int, kind: str, keep: int | None, data: st.DataObject
) -> None:
    """Parquet with ``--order-by``: the columnar sort (polars engine) gives the report of the
    row-by-row way (python engine), message by message: ties, nulls, NaN, blank job keys,
    text that is not a time, redirects without a status (those go row by row)."""
    import tempfile

    draw = data.draw
    base = datetime(2026, 1, 1)
    odd = draw(st.integers(0, 3)) == 0  # with values the columnar way leaves to the rows
    ts: Any
    if kind == "int":
        ts = draw(st.lists(st.integers(0, 5) | st.none() if odd else st.integers(0, 5),
                           min_size=n, max_size=n))  # fmt: skip
    elif kind == "float":
        floats = [0.5, 1.0, -0.0, 0.0, 2.5] + ([math.nan, None] if odd else [])
        ts = draw(st.lists(st.sampled_from(floats), min_size=n, max_size=n))
    elif kind == "datetime":
        ts = [base + timedelta(seconds=s) for s in draw(
            st.lists(st.integers(0, 4), min_size=n, max_size=n))]  # fmt: skip
    else:
        texts = ["2026-01-01T00:00:01Z", "2026-01-01T01:00:00+01:00", "2026-01-01T00:00:00.5Z"]
        texts += ["yesterday", ""] if kind == "text" or odd else []
        ts = draw(st.lists(st.sampled_from(texts), min_size=n, max_size=n))
    statuses = ["notStarted", "inProgress", "waiting", "completed", "failed", "Run", ""]
    keys = ["a", "b", "c"] + [" "] * (odd and draw(st.booleans()))
    codes = [200, 202] + [303] * (odd and draw(st.booleans()))
    frame = pl.DataFrame(
        {
            "job_id": draw(st.lists(st.sampled_from(keys), min_size=n, max_size=n)),
            "status": draw(st.lists(st.sampled_from(statuses) | st.none(), min_size=n, max_size=n)),
            "percentageComplete": draw(st.lists(st.sampled_from([0.0, 50.0, 20.0, 100.0])
                                                | st.none(), min_size=n, max_size=n)),
            "http": draw(st.lists(st.sampled_from(codes), min_size=n, max_size=n)),
            "ts": ts,
        }
    )  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "o.parquet"
        frame.write_parquet(path)
        assert _report(path, "polars", keep) == _report(path, "python", keep)


def test_parquet_sorted_by_columns_takes_the_columnar_way(tmp_path: Path) -> None:
    """On clean keys and numbers the polars engine sorts columns: the row-by-row router is never
    asked to hold a record (which the property above cannot tell apart by its report)."""
    from jobstate.readers import routing

    path = tmp_path / "c.parquet"
    pl.DataFrame(
        {"job_id": ["a", "b", "a", "b"], "ts": [9, 8, 1, 2],
         "status": ["completed", "failed", "inProgress", "notStarted"]}
    ).write_parquet(path)  # fmt: skip
    held: list[int] = []
    original = routing.JobRouter._hold

    def spy(self: Any, keys: list[Any], *args: Any) -> None:
        held.append(len(keys))
        original(self, keys, *args)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(routing.JobRouter, "_hold", spy)
        fast = read_input(str(path), Validator(), ReadOptions(order_by="ts", engine="polars"))
        assert held == []
        slow = read_input(str(path), Validator(), ReadOptions(order_by="ts", engine="python"))
        assert held == [4]
    assert [j.to_dict() for j in fast.jobs] == [j.to_dict() for j in slow.jobs]
    assert [j.outcome for j in fast.jobs] == ["success", "failure"]
