"""The polars fast path for JSON Lines: it is taken on ordinary input of every shape, and
refused where its guards say polars and orjson could read a chunk differently. (That both
readings agree is a property in ``tests/test_paths_agree.py``.)"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jobstate import Validator, read_input
from jobstate._toml import load_document
from jobstate.readers import ReadOptions
from jobstate.spec.loading import spec_from_mapping
from tests.readers.chunks import chunks_taken
from tests.spec.test_body_shape import SHAPED
from tests.test_paths_agree import _read_both

pytest.importorskip("polars")

SHAPES: dict[str, dict[str, Any]] = {  # how records are laid out, and the options that read them
    "flat": {"job_key": "jobId"},
    "wrapped": {"job_key": "jobId", "body_key": "body"},
    "http": {"job_key": "jobId", "body_key": "resp.body", "http_key": "resp.status"},
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_columnar_path_is_taken_on_clean_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shape: str
) -> None:
    """The guards do not refuse ordinary input of any shape (else the fast path never runs)."""
    path = tmp_path / "t.jsonl"
    rows = []
    for i in range(9):
        body = {"status": "inProgress", "percentageComplete": i}
        if shape == "flat":
            rows.append({"jobId": f"j{i % 3}", **body})
        elif shape == "wrapped":
            rows.append({"jobId": f"j{i % 3}", "body": body})
        else:
            rows.append({"jobId": f"j{i % 3}", "resp": {"status": 202, "body": body}})
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    taken = chunks_taken(monkeypatch)
    data = read_input(str(path), Validator(), ReadOptions(**SHAPES[shape]))
    assert taken == [True]
    assert [j.key for j in data.jobs] == ["j0", "j1", "j2"]
    assert all(j.ok and j.observations == 3 for j in data.jobs)
    if shape == "http":
        assert all(j.http_status == {202: 3} for j in data.jobs)
    orjson.dumps([j.to_dict() for j in data.jobs])  # plain Python values, no numpy scalars


@pytest.mark.parametrize(
    "odd",
    [
        b'{"jobId": "a", "status": "inProgress", "status": "failed"}',  # a duplicate key
        b'{"jobId": 7, "status": "inProgress"}',  # a numeric job key
        b"",  # a blank line (polars skips it)
    ],
)
def test_polars_path_refuses_a_chunk_it_could_misread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, odd: bytes
) -> None:
    """One odd line sends its whole chunk line by line, and the report is still exact."""
    path = tmp_path / "t.jsonl"
    path.write_bytes(b'{"jobId": "a", "status": "inProgress"}\n' + odd + b"\n")
    taken = chunks_taken(monkeypatch)
    data = read_input(str(path), Validator(), ReadOptions(job_key="jobId"))
    assert taken == [False]
    assert sum(j.observations for j in data.jobs) + data.blank == 2


_TEXT = '{"jobId":"a","ts":"2024-01-01T00:00:0%dZ","status":"inProgress"}'
_SPACED = '{"jobId":"a","ts": "2024-01-01T00:00:0%dZ","status":"inProgress"}'
_NUMBER = '{"jobId":"a","ts":%d,"status":"inProgress"}'
_KEY_SPACED = '{"jobId": "a","ts":%d,"status":"inProgress"}'
_DIGITS = '{"jobId":"a","ts":"%d","status":"inProgress"}'  # text polars cannot tell from a number


@pytest.mark.parametrize(
    ("lines", "order_by", "taken"),
    [
        ([_TEXT % 1, _TEXT % 2], "ts", True),  # text values, spaced alike
        ([_SPACED % 1, _SPACED % 2], "ts", True),
        ([_NUMBER % 1, _NUMBER % 2], "ts", True),  # numbers
        ([_TEXT % 1, _SPACED % 2], "ts", False),  # text spaced two ways
        ([_SPACED % 1, _TEXT % 2], "ts", False),
        ([_NUMBER % 1, _TEXT % 2], "ts", False),  # a number, then text
        ([_NUMBER % 1, _SPACED % 2], "ts", False),
        ([_TEXT % 1, _NUMBER % 2], "ts", False),  # text, then a number polars writes as text
        ([_NUMBER % 1, _DIGITS % 2], "ts", False),  # a number, then digits as text
        ([_DIGITS % 1, _DIGITS % 2], "ts", True),
        ([_KEY_SPACED % 1, _KEY_SPACED % 2], None, True),  # job keys spaced alike
        ([_NUMBER % 1, _KEY_SPACED % 2], None, False),  # job keys spaced two ways
        ([_KEY_SPACED % 1, _NUMBER % 2], None, False),
    ],
)
def test_text_values_are_counted_in_the_first_lines_spacing(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    lines: list[str],
    order_by: str | None,
    taken: bool,
) -> None:
    """Each key name is counted once a line, so where a job key or an ``order_by`` value is
    text in the first line, that line's spacing must be every line's: a chunk spaced otherwise,
    or mixing text and numbers, is refused, and the report is the same either way."""
    path = tmp_path / "t.jsonl"
    path.write_text("".join(line + "\n" for line in lines))
    spy = chunks_taken(monkeypatch)
    data = read_input(str(path), Validator(), ReadOptions(job_key="jobId", order_by=order_by))
    assert spy == [taken]
    assert [j.observations for j in data.jobs] == [2]


MISTYPED = st.sampled_from(['"50"', '"abc"', '""', "true", "false", "[1]", '{"a": 1}', '"1e2"'])
"""Percentages that are not numbers, among them text polars writes as a number's text."""


def _polls_file(
    tmp_path: Path, data: st.DataObject, pcts: st.SearchStrategy[str], jobs: str
) -> Path:
    """A JSON Lines file of 1-30 polls of ``jobs`` with percentages drawn from ``pcts`` (as
    written), in one spacing for the whole file, as writers write."""
    spaced = data.draw(st.booleans())
    rows = []
    for _ in range(data.draw(st.integers(1, 30))):
        status = data.draw(st.sampled_from(["notStarted", "inProgress", "completed"]))
        job, pct = data.draw(st.sampled_from(jobs)), data.draw(pcts)
        line = f'{{"jobId":"{job}","status":"{status}","percentageComplete":{pct}}}'
        rows.append(line.replace('":', '": ') if spaced else line)
    path = tmp_path / "t.jsonl"
    path.write_text("".join(r + "\n" for r in rows))
    return path


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_a_mistyped_percentage_costs_its_job_not_its_chunk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data: st.DataObject
) -> None:
    """A percentage that is not a number (text such as "50", true, a list) sends its job to
    the general path, not its chunk line by line: every chunk is still read as columns, and
    the report is the line-by-line one, job by job."""
    numbers = st.sampled_from(["0", "12.5", "40", "100", "150", "1e2"])
    path = _polls_file(tmp_path, data, MISTYPED | numbers, "abc")
    chunk = data.draw(st.sampled_from([64, 256, 1 << 23]))
    taken = chunks_taken(monkeypatch)
    fast, slow = _read_both(path, ReadOptions(job_key="jobId"), chunk, monkeypatch)
    assert taken and all(taken)
    assert fast.to_dict() == slow.to_dict()
    assert [j.to_dict() for j in fast.jobs] == [j.to_dict() for j in slow.jobs]


def test_a_percentage_spaced_otherwise_sends_its_chunk_line_by_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A text percentage in neither spacing looked for (``" : "``) cannot be placed on its
    row: the chunk is read line by line, and the text is still reported."""
    path = tmp_path / "t.jsonl"
    path.write_text(
        '{"jobId":"a","status":"inProgress","percentageComplete":10}\n'
        '{"jobId":"a","status":"inProgress","percentageComplete" : "50"}\n'
    )
    taken = chunks_taken(monkeypatch)
    data = read_input(str(path), Validator(), ReadOptions(job_key="jobId"))
    assert taken == [False]
    [job] = data.jobs
    assert [v.rule for v in job.violations] == ["percentage-type"]


@pytest.mark.parametrize("name", ["5", "-1.5e3", "true", "false", "[1]", '{"a": 1}'])
def test_a_status_that_is_no_text_is_not_read_as_a_state_named_like_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """For a spec with a state named like a JSON value that is not text (``5``, ``true``,
    ``[1]``), a status written as that value (which polars reads as the text of its name)
    sends its chunk line by line, where it is reported as no text; the name as text is the
    state, on the columns."""
    spec = spec_from_mapping(
        load_document(SHAPED.replace('"running"', orjson.dumps(name).decode()), toml=True)
    )
    path = tmp_path / "t.jsonl"
    head = '{"jobId":"a","phase":"queued"}\n{"jobId":"a","phase":'
    path.write_text(head + orjson.dumps(name).decode() + "}\n")
    taken = chunks_taken(monkeypatch)
    clean = read_input(str(path), Validator(spec), ReadOptions(job_key="jobId"))
    path.write_text(head + name + "}\n")
    odd = read_input(str(path), Validator(spec), ReadOptions(job_key="jobId"))
    assert taken == ['"' not in name, False]  # quotes in text are escapes: line by line
    assert clean.jobs[0].ok
    assert [v.rule for v in odd.jobs[0].violations] == ["missing-status"]


def test_only_the_job_with_a_mistyped_percentage_takes_the_exact_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A text percentage in one job sends that job's records from it on to the exact path
    (its Checker), and no record of the other jobs."""
    from jobstate.validation.checker import Checker

    lines = [
        '{"jobId":"a","status":"inProgress","percentageComplete":10}',
        '{"jobId":"b","status":"inProgress","percentageComplete":10}',
        '{"jobId":"a","status":"inProgress","percentageComplete":"20"}',
        '{"jobId":"b","status":"inProgress","percentageComplete":30}',
        '{"jobId":"a","status":"inProgress","percentageComplete":40}',
    ]
    path = tmp_path / "t.jsonl"
    path.write_text("".join(line + "\n" for line in lines))
    fed: list[int | None] = []
    real = Checker.feed

    def spy(self: Checker, rec: Any, line: int | None = None, http: int | None = None) -> None:
        fed.append(line)
        real(self, rec, line, http)

    taken = chunks_taken(monkeypatch)
    monkeypatch.setattr(Checker, "feed", spy)
    data = read_input(str(path), Validator(), ReadOptions(job_key="jobId"))
    assert taken == [True]
    assert fed == [3, 5]  # the text value, and the record that heals the job
    assert [[v.rule for v in j.violations] for j in data.jobs] == [["percentage-type"], []]


@given(data=st.data())
@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_an_explicit_null_percentage_keeps_its_chunk_in_columns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data: st.DataObject
) -> None:
    """An explicit null percentage (either spacing looked for) is read as absent, as the
    general path reads it, and its chunk stays columns; the report is the line-by-line one."""
    nulls = st.sampled_from(["null", "null", "0", "40", "100", "150"])
    path = _polls_file(tmp_path, data, nulls, "ab")
    chunk = data.draw(st.sampled_from([64, 1 << 23]))
    taken = chunks_taken(monkeypatch)
    fast, slow = _read_both(path, ReadOptions(job_key="jobId"), chunk, monkeypatch)
    assert taken and all(taken)
    assert [j.to_dict() for j in fast.jobs] == [j.to_dict() for j in slow.jobs]


@pytest.mark.parametrize(
    "line",
    [
        '{"jobId":"a","status":"inProgress","percentageComplete":5,"percentageComplete":null}',
        '{"jobId":"a","status":"inProgress","percentageComplete":null,"percentageComplete":null}',
        '{"jobId":"a","status":"inProgress","percentageComplete" : null}',
        '{"jobId":"a","status":"inProgress","x":{"percentageComplete":null},"percentageComplete":7}',
    ],
)
def test_a_null_the_columns_cannot_place_sends_its_chunk_line_by_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, line: str
) -> None:
    """A null beside a second percentage in its line, one spaced otherwise, or one nested
    beside the real value, after a null the columns place well: the chunk is read line by
    line, and reports what orjson reads."""
    path = tmp_path / "t.jsonl"
    first = '{"jobId":"a","status":"inProgress","percentageComplete":null}\n'  # placed well
    path.write_text(first + line + "\n")
    taken = chunks_taken(monkeypatch)
    fast, slow = _read_both(path, ReadOptions(job_key="jobId"), 1 << 23, monkeypatch)
    assert taken == [False]
    assert [j.to_dict() for j in fast.jobs] == [j.to_dict() for j in slow.jobs]
