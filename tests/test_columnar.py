"""Property test: JSON Lines read through polars columns give the same report as line by line
with orjson, whatever the lines hold (duplicate keys, numeric job keys, blank lines, spacing,
missing or odd statuses), cut into chunks anywhere."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jobstate import Validator, get_spec
from jobstate import _columnar as columnar_mod
from jobstate import readers as readers_mod
from jobstate.readers import ReadOptions, read_input

pytest.importorskip("polars")

NAMES = get_spec("current").names
PCT = st.one_of(
    st.none(),
    st.integers(-3, 103),
    st.floats(-1, 101, allow_nan=False),
    st.sampled_from([0, 100, 100.0, 50.5, "40", True, 1e308]),
)
STATUS = st.one_of(st.sampled_from(NAMES), st.sampled_from(["Running", 5, None, ["x"]]))
KEY = st.one_of(st.sampled_from(["a", "b", "c", "7"]), st.sampled_from([7, 1.5, None, True]))


HTTP = st.one_of(
    st.sampled_from([202, 200, 500, 202.0, 2e2, -0.0, 0, 1000, -1, 202.5, "202", " 2", True]),
    st.none(),
)
SHAPES = {  # how records are laid out, and the options that read them
    "flat": {"job_key": "jobId"},
    "wrapped": {"job_key": "jobId", "body_key": "body"},
    "http": {"job_key": "jobId", "body_key": "resp.body", "http_key": "resp.status"},
}


@st.composite
def lines(draw: st.DrawFn, shape: str) -> bytes:
    """One line of JSON Lines, mostly ordinary, sometimes odd."""
    kinds = ["body"] * 8 + ["blank", "garbage", "dup", "nostatus", "list", "textbody"]
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
    pct = draw(PCT)
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
    if kind == "textbody" and shape != "flat":  # a body held as a JSON string
        holder = record if shape == "wrapped" else record["resp"]
        holder["body"] = orjson.dumps(body).decode()
    opt = orjson.OPT_NON_STR_KEYS
    text = orjson.dumps(record, option=opt)
    if draw(st.booleans()):
        text = text.replace(b'":', b'": ')
    if kind == "dup":  # a duplicate key, in the object the options read
        extra = draw(st.sampled_from([b'"status": "completed"', b'"percentageComplete": 5',
                                      b'"jobId": "z"', b'"status": 500']))  # fmt: skip
        inner = orjson.dumps(body, option=opt)
        target = inner if shape != "flat" and inner in text else text
        cut = target.rindex(b"}")
        sep = b"" if target[cut - 1 : cut] == b"{" else b", "
        text = text.replace(target, target[:cut] + sep + extra + target[cut:], 1)
    return text


TAKEN: list[bool] = []


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(data=st.data())
def test_columnar_reading_agrees_with_line_by_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data: st.DataObject
) -> None:
    shape = data.draw(st.sampled_from(sorted(SHAPES)))
    body = data.draw(st.lists(lines(shape), min_size=1, max_size=40))
    ending = data.draw(st.sampled_from([b"\n", b"\r\n"]))
    path = tmp_path / "t.jsonl"
    path.write_bytes(b"".join(line + ending for line in body))
    options = ReadOptions(**SHAPES[shape])
    chunk = data.draw(st.sampled_from([64, 256, 1 << 23]))
    v = Validator("current", "sampled")
    taken: list[bool] = []
    real = columnar_mod.Columnar.__call__

    def spy(self: Any, *args: Any) -> bool:
        ok = real(self, *args)
        taken.append(ok)
        return ok

    with monkeypatch.context() as m:  # undone after each example, not at the test's end
        m.setattr(readers_mod, "_CHUNK", chunk)
        m.setattr(columnar_mod.Columnar, "__call__", spy)
        fast = read_input(str(path), v, options)
        m.setattr(columnar_mod.Columnar, "create", classmethod(lambda cls, *a: None))
        slow = read_input(str(path), v, options)
    TAKEN.extend(taken)
    orjson.dumps([j.to_dict() for j in fast.jobs])  # plain Python values, no numpy scalars
    assert fast.accounting() == slow.accounting()
    assert [j.to_dict() for j in fast.jobs] == [j.to_dict() for j in slow.jobs]


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
    taken: list[bool] = []
    real = columnar_mod.Columnar.__call__
    monkeypatch.setattr(
        columnar_mod.Columnar,
        "__call__",
        lambda self, *a: taken.append(real(self, *a)) or taken[-1],
    )
    data = read_input(str(path), Validator(), ReadOptions(**SHAPES[shape]))
    assert taken == [True]
    assert [j.key for j in data.jobs] == ["j0", "j1", "j2"]
    assert all(j.ok and j.observations == 3 for j in data.jobs)
    if shape == "http":
        assert all(j.http_status == {202: 3} for j in data.jobs)
    orjson.dumps([j.to_dict() for j in data.jobs])  # plain Python values, no numpy scalars


def test_the_property_test_exercised_both_paths() -> None:
    """(Runs after the property test) both the columnar and the fallback path were taken."""
    if not TAKEN:
        pytest.skip("the property test did not run first")
    assert True in TAKEN and False in TAKEN
