"""The polars fast path for JSON Lines: it is taken on ordinary input of every shape, and
refused where its guards say polars and orjson could read a chunk differently. (That both
readings agree is a property in ``tests/test_paths_agree.py``.)"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from jobstate import Validator, read_input
from jobstate.readers import ReadOptions
from jobstate.readers.jsonl_polars import PolarsJsonlReader

pytest.importorskip("polars")

SHAPES: dict[str, dict[str, Any]] = {  # how records are laid out, and the options that read them
    "flat": {"job_key": "jobId"},
    "wrapped": {"job_key": "jobId", "body_key": "body"},
    "http": {"job_key": "jobId", "body_key": "resp.body", "http_key": "resp.status"},
}


def _spy(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Record whether each chunk was taken by the fast path."""
    taken: list[bool] = []
    real = PolarsJsonlReader.try_feed

    def spy(self: PolarsJsonlReader, *args: Any) -> bool:
        taken.append(real(self, *args))
        return taken[-1]

    monkeypatch.setattr(PolarsJsonlReader, "try_feed", spy)
    return taken


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
    taken = _spy(monkeypatch)
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
    taken = _spy(monkeypatch)
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
    spy = _spy(monkeypatch)
    data = read_input(str(path), Validator(), ReadOptions(job_key="jobId", order_by=order_by))
    assert spy == [taken]
    assert [j.observations for j in data.jobs] == [2]
