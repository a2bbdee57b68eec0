"""Client-behaviour findings from line formats (``--time-key``) agree with the HAR's."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jobstate import ReadOptions, Validator, read_input
from tests.clirun import cli, cli_text

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


def _at(seconds: float) -> str:
    return (T0 + timedelta(seconds=seconds)).isoformat().replace("+00:00", "Z")


@st.composite
def polls(draw: st.DrawFn) -> list[tuple[str, float, int, dict[str, Any] | None]]:
    """Polls of a few monitors: (job, time, HTTP status, body), times strictly rising."""
    out: list[tuple[str, float, int, dict[str, Any] | None]] = []
    t = 0.0
    for _ in range(draw(st.integers(1, 25))):
        t += draw(st.sampled_from([0.1, 0.5, 1.0, 2.0]))
        job = draw(st.sampled_from(["a", "b", "c"]))
        kind = draw(st.sampled_from(["body"] * 4 + ["303", "404"]))
        if kind == "body":
            status = draw(st.sampled_from(["inProgress", "completed", "failed", "waiting"]))
            out.append((job, t, 202, {"status": status}))
        elif kind == "303":
            out.append((job, t, 303, None))
        else:
            out.append((job, t, 404, {"error": {"code": "itemNotFound"}}))
    return out


def _grades(path: Path, options: ReadOptions) -> dict[str, Any]:
    """Each monitor's client grade and time facts (stall lines aside: each format numbers
    its units its own way)."""
    summary = read_input(str(path), Validator(), options)
    out = {}
    for k, g in summary.clients.items():
        timing = summary.timings[k]
        facts = timing.to_dict() if timing is not None else None
        for stall in facts["stalls"] if facts is not None else ():
            del stall["line"]
        out[k.rsplit("/", 1)[-1]] = (g.to_dict(), facts)
    return out


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(polls(), st.sampled_from([None, 1.0]))
def test_line_formats_grade_the_client_as_the_har_does(
    tmp_path: Path, rows: list[tuple[str, float, int, dict[str, Any] | None]], floor: float | None
) -> None:
    """The same polls as a HAR and as JSON Lines with --time-key (and shuffled with
    --order-by): the same grade and the same time facts for every monitor URL."""
    entries = []
    lines = []
    for job, t, code, body in rows:
        url = f"https://h/monitor/{job}"
        content: dict[str, Any] = {"mimeType": "application/json"}
        if body is not None:
            content["text"] = orjson.dumps(body).decode()
        entries.append({"startedDateTime": _at(t), "request": {"method": "GET", "url": url},
                        "response": {"status": code, "content": content}})  # fmt: skip
        lines.append({"job": url, "ts": _at(t), "http": code, "body": body or {}})
    har = tmp_path / "c.har"
    har.write_bytes(orjson.dumps({"log": {"version": "1.2", "entries": entries}}))
    jsonl = tmp_path / "c.jsonl"
    jsonl.write_bytes(b"".join(orjson.dumps(rec) + b"\n" for rec in lines))
    shuffled = tmp_path / "s.jsonl"
    shuffled.write_bytes(b"".join(orjson.dumps(rec) + b"\n" for rec in reversed(lines)))
    expected = _grades(har, ReadOptions(poll_floor=floor, stall=1.0))
    wrapped = ReadOptions(
        job_key="job", body_key="body", http_key="http", time_key="ts", poll_floor=floor, stall=1
    )
    assert _grades(jsonl, wrapped) == expected
    assert _grades(shuffled, replace(wrapped, order_by="ts")) == expected


def test_without_time_key_no_client_findings() -> None:
    """Line formats say nothing of the client unless asked (--time-key); the HAR always does."""
    summary = read_input(
        str(EXAMPLES / "polls.jsonl"),
        Validator(),
        ReadOptions(job_key="job", body_key="body", http_key="http_status"),
    )
    assert summary.clients == {} and all(j.client is None for j in summary.jobs)


@pytest.mark.parametrize(
    "args",
    [
        ["--job-key", "job", "--body-key", "body", "--http-key", "http_status", "--time-key",
         "ts", "polls.jsonl"],
        ["--http-key", "http_status", "--time-key", "timestamp", "polls.csv"],
        ["--http-key", "http_status", "--time-key", "timestamp", "--order-by", "timestamp",
         "polls.csv"],
    ],
)  # fmt: skip
def test_examples_with_time_key_show_the_client(args: list[str]) -> None:
    """The poll log and the CSV export, with --time-key, show what the HAR shows: op-0007 was
    polled four times after its end; the CLI exits 1 for it."""
    *opts, name = args
    proc = cli("check", "--format", "json", *opts, str(EXAMPLES / name))
    data = orjson.loads(proc.stdout)
    found = {
        j["key"].rsplit("/", 1)[-1]: [(f["id"], f["count"]) for f in j["client"]["findings"]]
        for j in data["jobs"]
        if j["client"] and j["client"]["findings"]
    }
    assert found == {"op-0007": [("polled-after-terminal", 4)]}
    assert proc.returncode == 1 and data["totals"]["client_errors"] == 1


def test_time_key_column_must_exist(tmp_path: Path) -> None:
    """A --time-key naming no CSV column is exit 2 with the columns listed."""
    proc = cli_text("check", "--time-key", "when", str(EXAMPLES / "polls.csv"))
    assert proc.returncode == 2 and "'when' (--time-key)" in proc.stderr


def test_a_har_keeps_its_own_times_and_headers_under_time_key(tmp_path: Path) -> None:
    """--time-key means nothing to a HAR (its entries carry times and headers): it is noted as
    unused, and the client findings still read the headers (a token sent to the monitor)."""
    url = "https://h/monitor/1"
    entries = [
        {"startedDateTime": _at(t), "request": {"method": "GET", "url": url,
         "headers": [{"name": "Authorization", "value": "Bearer x"}]},
         "response": {"status": 202, "content": {"mimeType": "application/json",
                      "text": orjson.dumps({"status": s}).decode()}}}
        for t, s in ((1.0, "inProgress"), (2.0, "completed"))
    ]  # fmt: skip
    har = tmp_path / "c.har"
    har.write_bytes(orjson.dumps({"log": {"version": "1.2", "entries": entries}}))
    summary = read_input(str(har), Validator(), ReadOptions(time_key="ts"))
    [job] = summary.jobs
    assert job.client is not None and [f.id for f in job.client.findings] == ["auth-to-monitor"]
    assert any("--time-key not used" in note for note in summary.notes)
