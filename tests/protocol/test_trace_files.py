"""serve --trace files: what HTTP cannot carry is refused with its file and line before
anything is served; names that need URL-encoding, duplicates and devices are handled; a
fuzz of trace records either loads to answers HTTP can carry or is refused."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from jobstate import MonitorServer
from jobstate.cli import main
from jobstate.exceptions import InputError
from jobstate.spec.trace_files import read_traces

TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


def _trace(tmp_path: Path, name: str, *records: Any) -> str:
    path = tmp_path / name
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    return str(path)


@pytest.mark.parametrize(
    ("record", "problem"),
    [
        ({"http": 99}, "http must be a whole number from 200 to 599, not 99"),
        ({"http": 999}, "not 999"),
        ({"http": True}, "not True"),
        ({"http": 1e300}, "not 1e+300"),
        ({"http": "202"}, "not '202'"),
        ({"http": 202, "headers": {"X-A": "a\r\nSet-Cookie: x"}}, "one line of text"),
        ({"http": 202, "headers": {"": "a"}}, "is not an HTTP token"),
        ({"http": 202, "headers": {"Bad Name": "a"}}, "is not an HTTP token"),
        ({"http": 202, "headers": {"X-A": 5}}, "one line of text, not 5"),
        ({"http": 202, "body": [1]}, "body must be an object or null"),
        ([1, 2], "a trace line is list"),
    ],
)
def test_answers_http_cannot_carry_are_refused(tmp_path: Path, record: Any, problem: str) -> None:
    """Each answer HTTP cannot carry: exit 2 naming the file, the line and the problem."""
    path = _trace(tmp_path, "t.jsonl", {"status": "inProgress"}, record)
    result = CliRunner().invoke(main, ["serve", "--trace", path, "--duration", "0.2"])
    assert result.exit_code == 2
    assert "t.jsonl: line 2: " in result.stderr and problem in result.stderr, result.stderr


def test_devices_and_huge_files_are_refused(tmp_path: Path) -> None:
    """/dev/zero is no trace (refused, not read forever); an empty trace has no answers."""
    with pytest.raises(InputError, match="regular file"):
        read_traces(["/dev/zero"])
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n\n")
    with pytest.raises(InputError, match="no answers"):
        read_traces([str(empty)])


def test_names_are_url_safe_and_distinct(tmp_path: Path) -> None:
    """Files whose names need URL-encoding or an escape, and two with the same stem, become
    distinct names a URL carries, each answering its own trace (no 404)."""
    a = tmp_path / "one"
    b = tmp_path / "two"
    a.mkdir()
    b.mkdir()
    paths = [
        _trace(a, "my trace é#%?+.jsonl", {"status": "completed"}),
        _trace(b, "my trace é#%?+.jsonl", {"status": "failed"}),
        _trace(a, "esc\x1b[2J.jsonl", {"status": "cancelled"}),
    ]
    scenarios = read_traces(paths)
    assert list(scenarios) == ["my-trace------", "my-trace-------2", "esc--2J"]
    with MonitorServer(scenarios) as server:
        got = {n: httpx.get(server.play(n)).json()["status"] for n in scenarios}
    assert sorted(got.values()) == ["cancelled", "completed", "failed"]


def test_a_scenario_name_that_needs_quoting_is_served() -> None:
    """The library path: MonitorServer.play with a name holding a space and an accent gives a
    URL that answers (the server reads the path as the client sent it)."""
    with MonitorServer() as server:
        server.scenarios["a b é"] = server.scenarios["completed"]
        url = server.play("a b é")
        assert httpx.get(url).status_code == 202


HTTP = st.one_of(st.integers(0, 1000), st.booleans(), st.floats(), st.text(max_size=4), st.none())
HEADER_NAMES = st.one_of(st.sampled_from(["Retry-After", "X-A", "Location"]), st.text(max_size=6))
HEADER_VALUES = st.one_of(st.text(max_size=8), st.integers(), st.none())
RECORDS = st.one_of(
    st.fixed_dictionaries({"status": st.sampled_from(["inProgress", "completed"])}),
    st.fixed_dictionaries(
        {"http": HTTP},
        optional={
            "body": st.one_of(st.none(), st.just({"status": "inProgress"}), st.just([1])),
            "headers": st.dictionaries(HEADER_NAMES, HEADER_VALUES, max_size=3),
        },
    ),
)


@given(st.lists(RECORDS, min_size=1, max_size=5))
def test_any_trace_loads_to_what_http_carries_or_is_refused(records: list[Any]) -> None:
    """Fuzzed trace files: either an InputError naming a line, or answers whose status is in
    200-599 and whose headers are tokens with one-line text values."""
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        path = _trace(Path(d), "fuzz.jsonl", *records)
        try:
            [scenario] = read_traces([path]).values()
        except InputError as exc:
            assert re.search(r"fuzz\.jsonl: line \d+: ", str(exc))
            return
    for answer in scenario.answers:
        assert 200 <= answer.http <= 599 and not isinstance(answer.http, bool)
        for k, v in answer.headers.items():
            assert TOKEN.fullmatch(k) and isinstance(v, str) and not set(v) & set("\r\n\0")


def test_blank_lines_sizes_and_names(tmp_path: Path) -> None:
    """Blank lines between answers are skipped, not the end; a line or a file over its cap is
    refused with its size; an empty stem becomes 'trace'; a third same name gets '-3'."""
    from jobstate.spec import trace_files
    from jobstate.spec.trace_files import scenario_name

    path = tmp_path / "t.jsonl"
    path.write_text('{"status": "inProgress"}\n\n{"status": "completed"}\n')
    [scenario] = read_traces([str(path)]).values()
    assert [a.body["status"] for a in scenario.answers if a.body] == ["inProgress", "completed"]
    assert scenario.description == f"from {path}" and scenario.spec == "any"
    long_line = tmp_path / "long.jsonl"
    long_line.write_bytes(b'{"status": "' + b"x" * trace_files.MAX_LINE_BYTES + b'"}\n')
    with pytest.raises(InputError, match=r"line 1: over 1,048,576 bytes"):
        read_traces([str(long_line)])
    big = tmp_path / "big.jsonl"
    big.write_bytes((b'{"status": "inProgress"}\n' * 700_000)[: trace_files.MAX_TRACE_BYTES + 1])
    with pytest.raises(InputError, match=r"over 16,777,216 bytes, which is no trace"):
        read_traces([str(big)])
    assert scenario_name("", []) == "trace" and scenario_name("a", ["a", "a-2"]) == "a-3"
    assert scenario_name("x" * 100, []) == "x" * 80
    with pytest.raises(InputError, match="cannot read"):
        read_traces([str(tmp_path / "missing.jsonl")])
