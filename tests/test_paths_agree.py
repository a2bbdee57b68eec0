"""Every faster reading of the rules agrees with the general path, and the general path with
the ``transitions`` machine: the properties that hold the paths together, in one place.

=========================================  =================================================
path                                       property here
=========================================  =================================================
general path (``Checker``)                 ≡ replay through the spec's ``transitions``
                                           machine (status rules, steps, outcome); ≡ a
                                           literal reading of the percentage rules
fast screen (``Validator.screen``)         accepts only jobs the general path finds clean,
                                           with the same outcome; takes every legal trace
numpy batches (``Stream``)                 ≡ the general path per job, any interleaving,
                                           any batch cut, with HTTP statuses; steps too
polars chunks (``PolarsJsonlReader``)      ≡ line-by-line orjson on odd files, any chunk size
=========================================  =================================================

Which code implements each rule in each path is tabled in ``jobstate/validation/rules.py``.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jobstate import SPEC_NAMES, Validator, get_spec, read_input, validate
from jobstate.readers import ReadOptions, polars_columns
from jobstate.readers import jsonl as jsonl_mod
from jobstate.readers.jsonl_polars import PolarsJsonlReader
from jobstate.validation.reference import replay
from jobstate.validation.stream import Stream
from tests.strategies import any_job, status_of

SPECS = pytest.mark.parametrize("spec", SPEC_NAMES)
MODES = pytest.mark.parametrize("mode", ["sampled", "step"])
STATUS_RULES = {"unknown-status", "illegal-transition", "after-terminal"}
PCT_RULES = {"percentage-type", "percentage-range", "percentage-regression", "completed-not-100"}


# -- the general path against independent readings ---------------------------------------------


@SPECS
@MODES
@given(data=st.data())
def test_general_path_agrees_with_the_transitions_machine(
    spec: str, mode: str, data: st.DataObject
) -> None:
    """Step kinds, status-level violations and outcome are those of a replay through the
    machine, on legal traces, mutated traces and arbitrary status sequences."""
    source = data.draw(st.sampled_from(["legal", "mutated", "statuses"]))
    bodies = any_job(data, spec, mode, source=source)
    kinds, violations, outcome = replay(get_spec(spec), status_of(bodies), mode)
    job = validate(bodies, spec=spec, mode=mode).jobs[0]
    assert [s.kind for s in job.steps] == kinds
    assert [(v.rule, v.index) for v in job.violations if v.rule in STATUS_RULES] == violations
    assert job.outcome == outcome


def _percentage_oracle(spec: str, bodies: list[Any]) -> list[tuple[str, int]]:
    """The percentage rules read literally from their documentation, record by record."""
    sp = get_spec(spec)
    success = {s for s in sp.names if sp.outcome(s) == "success"}
    out: list[tuple[str, int]] = []
    baseline: float | None = None
    for i, b in enumerate(bodies):
        if not isinstance(b, dict):
            continue
        status = b.get("status")
        known = status if isinstance(status, str) and status in sp else None
        resets = known in sp.resets
        if resets:
            baseline = None
        p = b.get("percentageComplete")
        if p is None:
            continue
        if isinstance(p, bool) or not isinstance(p, (int, float)):
            out.append(("percentage-type", i))
        elif not 0 <= p <= 100 or (isinstance(p, float) and math.isnan(p)):
            out.append(("percentage-range", i))
        else:
            if baseline is not None and p < baseline:
                out.append(("percentage-regression", i))
            if not resets:  # a status that resets progress carries no baseline
                baseline = p
            if known in success and p != 100:
                out.append(("completed-not-100", i))
    return out


@SPECS
@MODES
@given(data=st.data())
def test_general_path_agrees_with_a_literal_reading_of_the_percentage_rules(
    spec: str, mode: str, data: st.DataObject
) -> None:
    """The percentage violations are exactly those of the rules read one record at a time."""
    bodies = any_job(data, spec, mode)
    got = [(v.rule, v.index) for v in validate(bodies, spec=spec, mode=mode).violations]
    assert [g for g in got if g[0] in PCT_RULES] == _percentage_oracle(spec, bodies)


# -- the fast screen -------------------------------------------------------------------------


@SPECS
@MODES
@given(data=st.data())
def test_fast_screen_agrees_with_general_path(spec: str, mode: str, data: st.DataObject) -> None:
    """The tight loop accepts only jobs the general path finds clean, with the same outcome,
    and accepts every legal generated trace."""
    v = Validator(spec, mode)
    source = data.draw(st.sampled_from(["legal", "mutated", "arbitrary"]))
    bodies = any_job(data, spec, mode, source=source)
    general = v.check_job(bodies)
    fast = v.screen([bodies])[0][0]
    if fast is not None:
        assert general.violations == ()
        assert fast == general.outcome
    if source == "legal":
        assert fast == general.outcome, "a clean generated trace should take the fast path"


# -- numpy batches -----------------------------------------------------------------------------


@SPECS
@MODES
@given(data=st.data())
def test_stream_agrees_with_general_path(spec: str, mode: str, data: st.DataObject) -> None:
    """Interleave jobs, cut the stream into batches anywhere, give records HTTP statuses:
    every job's violations (rule, index, line, message, HTTP status), outcome, counts, line span
    and HTTP counts match the general path's."""
    v = Validator(spec, mode)
    jobs = [any_job(data, spec, mode, min_size=1) for _ in range(data.draw(st.integers(1, 5)))]
    jobs = [j for j in jobs if j] or [[{"status": "inProgress"}]]
    slots = [j for j, recs in enumerate(jobs) for _ in recs]
    order = data.draw(st.permutations(slots))
    with_http = data.draw(st.booleans())
    taken = [0] * len(jobs)
    items = []
    for line, j in enumerate(order, start=1):
        answers = [None, 200, 202, 303, 404, 410, 500]
        http = data.draw(st.sampled_from(answers)) if with_http else None
        items.append((f"job{j}", jobs[j][taken[j]], line, http))
        taken[j] += 1
    cuts = sorted(data.draw(st.sets(st.integers(1, max(len(order) - 1, 1)), max_size=4)))
    stream = Stream(v.tables, input="t")
    start = 0
    for cut in [*cuts, len(order)]:
        batch = items[start:cut]
        if batch:
            http_col = [b[3] for b in batch] if with_http else None
            stream.feed(
                [b[0] for b in batch], [b[1] for b in batch], [b[2] for b in batch], http_col
            )
        start = max(start, cut)
    reports = {r.key: r for r in stream.reports()}
    for j, recs in enumerate(jobs):
        mine = [b for b in items if b[0] == f"job{j}"]
        checker = _general(v, recs, [b[2] for b in mine], [b[3] for b in mine])
        got = reports[f"job{j}"]
        assert list(got.violations) == checker.violations, recs
        assert got.outcome == (checker.outcome or "unfinished")
        assert (got.observations, got.rejected) == (checker.observations, checker.rejected)
        assert got.observations + got.rejected == len(recs)
        assert got.expired == checker.expired
        assert got.span == (mine[0][2], mine[-1][2])
        codes: dict[int, int] = {}
        for b in mine:
            if b[3] is not None:
                codes[b[3]] = codes.get(b[3], 0) + 1
        assert (got.http_status or {}) == codes


def _ip(pct: float | None = None, status: str = "inProgress") -> dict[str, Any]:
    return {"status": status} if pct is None else {"status": status, "percentageComplete": pct}


TAILS: dict[str, tuple[list[list[Any]], int]] = {
    # batches of job "j"'s bodies (or (key, body)), and how many the general path must take
    "a regression, then clean": ([[_ip(10), _ip(50), _ip(40), _ip(45), _ip(60)]], 1),
    "two flagged: a clean run between them, a tail after the last": (
        [[_ip(50), _ip(40), _ip(45), _ip(30), _ip(35), _ip(36)]],
        2,
    ),
    "a run starts after the record that heals, not after the flagged one": (
        [[_ip(10), _ip(20, "Running"), _ip(30), _ip(40), _ip(-5), _ip(50)]],
        4,
    ),
    "out of range, no percentage, then lower": ([[_ip(50), _ip(-5), _ip(), _ip(30), _ip(31)]], 3),
    "a tail that resets, then lower": (
        [[_ip(50), _ip(40), _ip(45, "waiting"), _ip()], [_ip(5), _ip(6)]],
        1,
    ),
    "a tail whose last value is before its reset": (
        [[_ip(50), _ip(40), _ip(60), _ip(status="waiting")], [_ip(10)]],
        1,
    ),
    "a tail that ends the job": ([[_ip(50), _ip(40), _ip(100, "completed")]], 1),
    "a later batch starts where the Checker left the job": (
        [[_ip(50), _ip(40)], [_ip(45), _ip(41), _ip(42), _ip(43)]],
        2,
    ),
    "one record a batch after the general path (interleaved jobs)": (
        [[_ip(50), _ip(40)], [_ip(45)], [_ip(46)], [_ip(100, "completed")]],
        1,
    ),
    "a later batch's first record flagged against the Checker's baseline": (
        [[_ip(50), _ip(40)], [_ip(30)], [_ip(35)]],
        2,
    ),
    "a later batch checked from the Checker's status, not an unknown one": (
        [[_ip(50), _ip(60, "Running")], [_ip(status="notStarted")], [_ip(70)]],
        2,
    ),
    "a reset ends the general path": (
        [[_ip(50), _ip(60, "Running"), _ip(status="waiting"), _ip(5), _ip(6)]],
        2,
    ),
    "another job's value after the tail is not its baseline": (
        [[_ip(status="Running"), _ip(status="waiting"), _ip(), ("k", _ip(70))], [_ip(50)]],
        2,
    ),
    "a carried job without a value keeps its baseline, not another job's": (
        [[_ip(50)], [_ip(), ("k", _ip(90))], [_ip(60)]],
        0,
    ),
    "a run whose value is the batch's first is its baseline": (
        [[_ip(status="Running"), _ip(status="waiting"), _ip(5)], [_ip(3)]],
        3,
    ),
    "an unknown status does not move the job": (
        [[_ip(50), _ip(100, "completed"), _ip(100, "Running"), _ip()]],
        2,
    ),
}


@pytest.mark.parametrize("case", sorted(TAILS))
def test_stream_hands_a_clean_tail_to_the_checker(
    case: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a job's flagged record, the first record that leaves the Checker where the arrays
    assumed (a known status with a valid percentage, or a reset) ends its general path; the
    Checker takes the records after it up to the next flagged one in bulk, and so those of
    later batches (checked from the Checker's status and baseline); the report is the general
    path's."""
    from jobstate.validation.checker import Checker

    batches, general = TAILS[case]
    fed: list[int] = []
    real = Checker.feed

    def spy(self: Checker, rec: Any, line: int | None = None, http: int | None = None) -> None:
        fed.append(line or 0)
        real(self, rec, line, http)

    v = Validator()
    stream = Stream(v.tables, input="t")
    items = [it if isinstance(it, tuple) else ("j", it) for batch in batches for it in batch]
    with monkeypatch.context() as m:
        m.setattr(Checker, "feed", spy)
        line = 1
        for batch in batches:
            keyed = items[line - 1 : line - 1 + len(batch)]
            lines = list(range(line, line + len(batch)))
            stream.feed([k for k, _ in keyed], [body for _, body in keyed], lines)
            line += len(batch)
    for got in stream.reports():
        mine = [(n, body) for n, (k, body) in enumerate(items, 1) if k == got.key]
        lines = [n for n, _ in mine]
        checker = _general(v, [body for _, body in mine], lines, [None] * len(mine))
        assert list(got.violations) == checker.violations
        assert got.outcome == (checker.outcome or "unfinished")
        assert (got.observations, got.span) == (checker.observations, (lines[0], lines[-1]))
    assert len(fed) == general


def _general(v: Validator, recs: list[Any], lines: list[int], http: list[int | None]) -> Any:
    from jobstate.validation.checker import Checker

    checker = Checker(v.tables)
    for rec, line, code in zip(recs, lines, http, strict=True):
        checker.feed(rec, line, code)
    return checker


@given(data=st.data())
def test_explain_stream_records_the_general_steps(data: st.DataObject) -> None:
    """With explain, a streamed job's steps are those of the general path."""
    v = Validator("current", "sampled")
    recs = any_job(data, "current", "sampled")
    stream = Stream(v.tables, explain=True)
    stream.feed(["k"] * len(recs), recs, list(range(1, len(recs) + 1)))
    reports = stream.reports()
    if not recs:
        assert len(reports) == 0
        return
    checker = _general(v, recs, list(range(1, len(recs) + 1)), [None] * len(recs))
    assert reports[0].steps == tuple(checker.steps)


# -- polars chunks -----------------------------------------------------------------------------

NAMES = get_spec("current").names
PCT_VALUES = st.one_of(
    st.none(),
    st.integers(-3, 103),
    st.floats(-1, 101, allow_nan=False),
    st.sampled_from([0, 100, 100.0, 50.5, "40", True, 1e308]),
)
STATUS = st.one_of(st.sampled_from(NAMES), st.sampled_from(["Running", 5, None, ["x"]]))
KEY = st.one_of(st.sampled_from(["a", "b", "c", "7"]), st.sampled_from([7, 1.5, None, True]))


HTTP = st.one_of(
    st.sampled_from(
        [202, 200, 303, 404, 500, 202.0, 2e2, -0.0, 0, 1000, -1, 202.5, "202", " 2", True]
    ),
    st.none(),
)
SHAPES: dict[str, dict[str, Any]] = {  # how records are laid out, and the options that read them
    "flat": {"job_key": "jobId"},
    "wrapped": {"job_key": "jobId", "body_key": "body"},
    "http": {"job_key": "jobId", "body_key": "resp.body", "http_key": "resp.status"},
}


DUPLICATES = [
    b'"status": "completed"',
    b'"percentageComplete": 5',
    b'"jobId": "z"',
    b'"status": 500',
]
ESCAPES = [  # keys written with escapes (duplicates only once decoded), surrogates, escaped text
    b'"stat\\u0075s": "failed"',
    b'"st\\u0061tus": 503',
    b'"job\\u0049d": "z"',
    b'"percentageC\\u006fmplete": 7',
    b'"note": "\\ud800"',
    b'"note": "\\udc00x"',
    b'"note": "\\ud83d\\ude00"',
    b'"note": "a\\/b \\u00e9 \\"q\\": x"',
]


TIMES = st.sampled_from(
    ["2026-01-01T00:00:01Z", "2026-01-01T01:00:00+01:00", "2026-01-01T00:00:00.5Z"]
)
"""RFC 3339 times with ties across forms (01:00:00+01:00 is 00:00:00Z)."""
NUMBERS = st.one_of(
    st.integers(-3, 3),
    st.floats(-3, 3, allow_nan=False),
    st.sampled_from([-0.0, 1e2, 2**53 - 1, 1e-7, 2**63 - 1, 1e20]),
    st.sampled_from([2**53, 2**53 + 1]),  # one float to the reader that reads floats
)
"""Numbers with ties across int and float, and past what a float holds exactly."""


@st.composite
def lines(draw: st.DrawFn, shape: str, ts: st.SearchStrategy[Any] | None = None) -> bytes:
    """One line of JSON Lines, mostly ordinary, sometimes odd (``ts``: the values of a
    top-level ``ts``, absent when it draws ``...``)."""
    kinds = (
        ["body"] * 8 + ["blank", "garbage", "dup", "nostatus", "list", "textbody"] + ["escape"] * 2
    )
    kind = draw(st.sampled_from(kinds))
    if kind == "blank":
        return draw(st.sampled_from([b"", b"  ", b"\r"]))
    if kind == "garbage":
        return draw(st.sampled_from([b"{", b'{"jobId": "a", "status": NaN}', b"\xff\xfe", b"1"]))
    if kind == "list":
        return b"[1, 2]"
    body: dict[str, Any] = {}
    if kind != "nostatus":
        body["status"] = draw(STATUS)
    pct = draw(PCT_VALUES)
    if pct is not None or draw(st.booleans()):
        body["percentageComplete"] = pct
    record: dict[str, Any]
    if shape == "flat":
        record = {"jobId": draw(KEY), **body}
    elif shape == "wrapped":
        record = {"jobId": draw(KEY), "body": body}
    else:  # the HTTP status is a second key named "status"
        resp: dict[str, Any] = {"body": body}
        code = draw(HTTP)
        if code is not None or draw(st.booleans()):
            resp["status"] = code
        record = {"jobId": draw(KEY), "resp": resp}
    if ts is not None:
        when = draw(ts)
        if when is not ...:
            record["ts"] = when
    if kind == "textbody" and shape != "flat":  # a body held as a JSON string
        holder = record if shape == "wrapped" else record["resp"]
        holder["body"] = orjson.dumps(body).decode()
    opt = orjson.OPT_NON_STR_KEYS
    text = orjson.dumps(record, option=opt)
    if draw(st.booleans()):
        text = text.replace(b'":', b'": ')
    if kind in ("dup", "escape"):  # a duplicate key, or escapes, in the object the options read
        extra = draw(st.sampled_from(ESCAPES if kind == "escape" else DUPLICATES))
        inner = orjson.dumps(body, option=opt)
        target = inner if shape != "flat" and inner in text else text
        cut = target.rindex(b"}")
        sep = b"" if target[cut - 1 : cut] == b"{" else b", "
        text = text.replace(target, target[:cut] + sep + extra + target[cut:], 1)
    return text


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(data=st.data())
def test_polars_reading_agrees_with_line_by_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data: st.DataObject
) -> None:
    """JSON Lines read through polars columns give the same report as line by line with
    orjson, whatever the lines hold, cut into chunks anywhere."""
    pytest.importorskip("polars")
    shape = data.draw(st.sampled_from(sorted(SHAPES)))
    body = data.draw(st.lists(lines(shape), min_size=1, max_size=40))
    ending = data.draw(st.sampled_from([b"\n", b"\r\n"]))
    path = tmp_path / "t.jsonl"
    path.write_bytes(b"".join(line + ending for line in body))
    options = ReadOptions(**SHAPES[shape])
    chunk = data.draw(st.sampled_from([64, 256, 1 << 23]))
    _polars_agrees(path, options, chunk, monkeypatch, data.draw(RUNS))


RUNS = st.sampled_from([0, polars_columns.RUNS_AT_MOST, 1 << 30])
"""How the polars readers map keys and statuses: always run by run, as they choose, never."""


def _read_both(
    path: Path,
    options: ReadOptions,
    chunk: int,
    monkeypatch: pytest.MonkeyPatch,
    runs: int = polars_columns.RUNS_AT_MOST,
) -> tuple[Any, Any]:
    """``path`` read in chunks of ``chunk`` bytes through polars (columns mapped run by run
    where at most one run in ``runs`` rows), and line by line."""
    v = Validator("current", "sampled")
    with monkeypatch.context() as m:  # undone after each example, not at the test's end
        m.setattr(jsonl_mod, "CHUNK", chunk)
        m.setattr(polars_columns, "RUNS_AT_MOST", runs)
        fast = read_input(str(path), v, options)
        m.setattr(PolarsJsonlReader, "create", classmethod(lambda cls, *a: None))
        slow = read_input(str(path), v, options)
    return fast, slow


def _polars_agrees(
    path: Path,
    options: ReadOptions,
    chunk: int,
    monkeypatch: pytest.MonkeyPatch,
    runs: int = polars_columns.RUNS_AT_MOST,
) -> None:
    """Both readings of ``path`` give the same report, job by job."""
    fast, slow = _read_both(path, options, chunk, monkeypatch, runs)
    orjson.dumps([j.to_dict() for j in fast.jobs])  # plain Python values, no numpy scalars
    assert fast.to_dict() == slow.to_dict()
    assert [j.to_dict() for j in fast.jobs] == [j.to_dict() for j in slow.jobs]


@st.composite
def ordinary(draw: st.DrawFn, shape: str, ts: st.SearchStrategy[Any] = TIMES) -> bytes:
    """One line the fast path takes: text job key and status, a number or no percentage, a
    numeric HTTP status, a ``ts`` from ``ts``."""
    body: dict[str, Any] = {"status": draw(st.sampled_from(NAMES))}
    pct = draw(st.none() | st.sampled_from([0, 10.5, 40, 100, 100.0, 120]))
    if pct is not None:
        body["percentageComplete"] = pct
    record: dict[str, Any] = {"jobId": draw(st.sampled_from(["a", "b", "c"])), "ts": draw(ts)}
    if shape == "flat":
        record.update(body)
    elif shape == "wrapped":
        record["body"] = body
    else:
        record["resp"] = {"body": body, "status": draw(st.sampled_from([200, 202, 303, 500]))}
    return orjson.dumps(record)


@settings(
    max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None
)
@given(data=st.data())
def test_polars_columns_sorted_by_order_by_agree_with_line_by_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data: st.DataObject
) -> None:
    """``--order-by`` on JSON Lines: chunks held as columns and sorted at the end give the report
    of the lines read and sorted one by one, whatever the lines hold (times or numbers; a
    ``ts`` of the other kind, null, missing, true or no time sends the chunks before it, or
    all, line by line), cut into chunks anywhere, with or without a final newline."""
    pytest.importorskip("polars")
    shape = data.draw(st.sampled_from(sorted(SHAPES)))
    odd = data.draw(st.booleans())
    kind = data.draw(st.sampled_from([TIMES, NUMBERS]))
    ts = kind | st.sampled_from([5, None, ..., "soon", True, {}]) if odd else kind
    line = lines(shape, ts) if odd else ordinary(shape, kind)
    body = data.draw(st.lists(line, min_size=1, max_size=40))
    ending = data.draw(st.sampled_from([b"\n", b"\r\n"]))
    text = b"".join(line + ending for line in body)
    path = tmp_path / "t.jsonl"
    path.write_bytes(text[: -len(ending)] if data.draw(st.booleans()) else text)
    options = ReadOptions(**SHAPES[shape], order_by="ts", engine="polars")
    chunk = data.draw(st.sampled_from([64, 256, 1 << 23]))
    _polars_agrees(path, options, chunk, monkeypatch, data.draw(RUNS))


def test_a_redirect_with_a_status_that_is_no_string_agrees(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 303 whose body's status is a number: polars reads it as text, the line reader as a
    number; both read the redirect as the completion (a case the CI profile found)."""
    pytest.importorskip("polars")
    path = tmp_path / "t.jsonl"
    path.write_bytes(
        b'{"jobId":"a","resp":{"body":{"status":"notStarted"},"status":202}}\n'
        b'{"jobId":"a","resp":{"body":{"status":5},"status":303}}\n'
    )
    fast, slow = _read_both(path, ReadOptions(**SHAPES["http"]), 64, monkeypatch)
    assert [j.to_dict() for j in fast.jobs] == [j.to_dict() for j in slow.jobs]
    assert fast.jobs[0].outcome == "success" and fast.jobs[0].violations == ()


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(data=st.data())
def test_small_inputs_on_the_general_path_agree_with_the_columnar_stream(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data: st.DataObject
) -> None:
    """A small file, read on the general path alone (no numpy), gives the report the columnar
    stream gives: jobs, counts, spans, HTTP counts, violations, accounting."""
    import jobstate.readers

    shape = data.draw(st.sampled_from(sorted(SHAPES)))
    body = data.draw(st.lists(lines(shape), min_size=1, max_size=40))
    path = tmp_path / "t.jsonl"
    path.write_bytes(b"".join(line + b"\n" for line in body))
    options = ReadOptions(**SHAPES[shape])
    explain = data.draw(st.booleans())
    v = Validator("current", "sampled")
    with monkeypatch.context() as m:
        m.setattr(jobstate.readers, "SMALL_INPUT", 0)
        columnar = read_input(str(path), v, options, explain=explain)
        m.setattr(jobstate.readers, "SMALL_INPUT", 1 << 30)
        small = read_input(str(path), v, options, explain=explain)
    assert small.to_dict() == columnar.to_dict()
    assert [j.to_dict() for j in small.jobs] == [j.to_dict() for j in columnar.jobs]
    if explain:
        assert [j.steps for j in small.jobs] == [j.steps for j in columnar.jobs]
