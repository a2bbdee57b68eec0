"""Every answer of a HAR is read: an error answer without a body is an answer (not a body the
capture lost), and a monitor lost before the end is one finding with its polls counted."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import orjson

from tests.clirun import cli_text

URL = "https://api.example/monitor/op-1"


def _entry(
    second: int, status: int, body: dict[str, Any] | None, *, token: bool = False
) -> dict[str, Any]:
    headers = [{"name": "Authorization", "value": "Bearer x"}] if token else []
    content: dict[str, Any] = {"mimeType": "application/json", "size": 0}
    if body is not None:
        content["text"] = orjson.dumps(body).decode()
    return {
        "startedDateTime": f"2026-12-05T10:00:{second:02d}Z",
        "request": {"method": "GET", "url": URL, "headers": headers},
        "response": {"status": status, "headers": [], "content": content},
    }


def _check(tmp_path: Path, entries: list[dict[str, Any]]) -> dict[str, Any]:
    har = tmp_path / "c.har"
    har.write_bytes(orjson.dumps({"log": {"version": "1.2", "entries": entries}}))
    ran = cli_text("check", str(har), "--format", "json")
    assert ran.returncode in (0, 1), ran.stderr
    data: dict[str, Any] = json.loads(ran.stdout)
    return data


def test_a_401_without_a_body_is_an_error_answer_with_its_client_finding(tmp_path: Path) -> None:
    """A bodiless 401 to a poll that sent a token is counted as an error answer and earns
    auth-to-monitor, where it used to be skipped as a body the capture did not keep."""
    data = _check(
        tmp_path,
        [
            _entry(0, 202, {"status": "inProgress"}),
            _entry(1, 401, None, token=True),
            _entry(2, 202, {"status": "completed", "percentageComplete": 100.0}),
        ],
    )
    (job,) = data["jobs"]
    assert data["inputs"][0]["skipped"] == 0
    assert (job["observations"], job["error_answers"], job["outcome"]) == (3, 1, "success")
    assert [f["id"] for f in job["client"]["findings"]] == ["auth-to-monitor"]


def test_a_monitor_lost_before_the_end_is_one_finding_with_its_polls_counted(
    tmp_path: Path,
) -> None:
    """Three bodiless 404s before any end: one monitor-lost error (at the first), the three
    polls counted as lost, and the job line says so."""
    entries = [_entry(0, 202, {"status": "inProgress", "percentageComplete": 5.0})]
    entries += [_entry(s, 404, None) for s in (1, 2, 3)]
    data = _check(tmp_path, entries)
    (job,) = data["jobs"]
    assert [(v["rule"], v["line"]) for v in job["violations"]] == [("monitor-lost", 2)]
    assert (job["errors"], job["lost_polls"], job["outcome"]) == (1, 3, "unfinished")
    har = tmp_path / "c.har"
    text = cli_text("check", str(har)).stdout
    assert "3 polls answered 'gone' before any end (monitor lost)" in text


def test_a_2xx_without_a_body_is_still_a_body_the_capture_did_not_keep(tmp_path: Path) -> None:
    """A 202 with no text says nothing the capture kept: skipped, and said so."""
    data = _check(
        tmp_path,
        [_entry(0, 202, {"status": "inProgress"}), _entry(1, 202, None)],
    )
    assert data["inputs"][0]["skip_reasons"] == {
        "monitor poll whose body the capture did not keep": 1
    }


def _copy(second: int, location: str) -> dict[str, Any]:
    """The request that starts a copy: POST, answered 202 Accepted with the monitor URL."""
    return {
        "startedDateTime": f"2026-12-05T10:00:{second:02d}Z",
        "request": {"method": "POST", "url": "https://api.example/items/1/copy", "headers": []},
        "response": {
            "status": 202,
            "headers": [{"name": "Location", "value": location}],
            "content": {"size": 0},
        },
    }


def test_the_request_that_started_a_job_times_its_first_poll(tmp_path: Path) -> None:
    """A HAR holding the POST that got the monitor URL: the job says when it was accepted
    and how long after it the first poll came (the Location's query is aside, as for polls)."""
    data = _check(
        tmp_path,
        [
            _copy(0, URL + "?sig=1"),
            _entry(3, 202, {"status": "inProgress"}),
            _entry(5, 202, {"status": "completed", "percentageComplete": 100.0}),
        ],
    )
    (job,) = data["jobs"]
    assert job["timing"]["accepted"] == "2026-12-05T10:00:00Z"
    assert job["timing"]["first_poll_after_seconds"] == 3
    assert job["client"]["findings"] == []
    text = cli_text("check", str(tmp_path / "c.har")).stdout
    assert "ended after 2s (first poll 3s after the 202)" in text


def test_a_monitor_never_polled_is_a_job_with_the_clients_finding(tmp_path: Path) -> None:
    """A 202 whose Location no poll fetches (a client that took it for the item): a job of
    its own, unfinished with no observation, failing on the client's never-polled error."""
    other = "https://api.example/monitor/op-2"
    data = _check(
        tmp_path,
        [_copy(0, other), _entry(1, 202, {"status": "completed", "percentageComplete": 100.0})],
    )
    jobs = {j["key"]: j for j in data["jobs"]}
    lost = jobs[other]
    assert (lost["outcome"], lost["observations"], lost["ok"]) == ("unfinished", 0, False)
    assert [f["id"] for f in lost["client"]["findings"]] == ["never-polled"]
    assert jobs[URL]["ok"] is True
    ran = cli_text("check", str(tmp_path / "c.har"))
    assert ran.returncode == 1
    assert "no poll  error    never-polled" in ran.stdout
    assert "entry 1 answered 202 Accepted with this monitor URL as its Location" in ran.stdout


def test_a_failed_jobs_line_names_what_its_answers_said(tmp_path: Path) -> None:
    """The Graph pack's result fields (statusDescription, errorCode, resourceId, operation) and
    an error body's code, as the answers before the end held them: in the JSON of every job,
    on the text line of a failed one; an error after the end is not the job's."""
    failed = {"status": "failed", "operation": "ItemCopy", "errorCode": "AccessDenied_X",
              "statusDescription": "locked\u202e"}  # fmt: skip
    data = _check(
        tmp_path,
        [
            _entry(0, 202, {"status": "inProgress", "operation": "itemCopy"}),
            _entry(1, 202, failed),
            _entry(2, 404, {"error": {"code": "itemNotFound"}}),
        ],
    )
    (job,) = data["jobs"]
    assert job["result"] == {"operation": "ItemCopy", "statusDescription": "locked\\u202e",
                             "errorCode": "AccessDenied_X"}  # fmt: skip
    line = cli_text("check", str(tmp_path / "c.har")).stdout.splitlines()[0]
    assert line.endswith(
        "; operation 'ItemCopy', statusDescription 'locked\\u202e', errorCode 'AccessDenied_X'"
    )


def test_a_monitor_never_polled_has_no_step_to_explain_or_draw(tmp_path: Path) -> None:
    """The never-polled job has no steps (not 'steps were not recorded'): --explain lists none
    and --diagram draws the others' traffic, exit 1 for its finding, no traceback."""
    other = "https://api.example/monitor/op-2"
    _check(tmp_path, [_copy(0, other), _entry(1, 202, {"status": "completed"})])
    har = str(tmp_path / "c.har")
    for args in (["--explain", har], ["--diagram", str(tmp_path / "o.dot"), har]):
        ran = cli_text("check", *args)
        assert (ran.returncode, ran.stderr) == (1, ""), ran.stderr
    assert (tmp_path / "o.dot").read_text().startswith("digraph")
