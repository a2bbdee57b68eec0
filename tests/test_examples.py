"""The realistic samples in examples/ (made by examples/capture/make_examples.py: httpx polling
a local monitor service through mitmproxy): every format reads the same seven jobs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
WRAPPED = ["--job-key", "job", "--body-key", "body", "--http-key", "http_status"]


def check(*args: str) -> tuple[int, dict[str, Any]]:
    proc = subprocess.run(
        [sys.executable, "-m", "jobstate.cli", "check", "--format", "json", *args],
        capture_output=True,
        timeout=60,
    )
    assert proc.stderr == b"", proc.stderr
    return proc.returncode, orjson.loads(proc.stdout)


def summary(data: dict[str, Any]) -> list[tuple[str, str, list[str], dict[str, int] | None]]:
    return [
        (
            j["key"].rsplit("/", 1)[-1],
            j["outcome"],
            [v["rule"] for v in j["violations"]],
            j["http_status"],
        )
        for j in data["jobs"]
    ]


EXPECTED: list[tuple[str, str, list[str], dict[str, int]]] = [
    ("op-0001", "success", [], {"202": 5}),
    ("op-0002", "unfinished", [], {"202": 3}),
    ("op-0003", "success", [], {"202": 6}),
    ("op-0004", "failure", [], {"202": 2}),
    ("op-0005", "success", [], {"202": 3, "500": 1}),
    ("op-0006", "cancelled", [], {"202": 3}),
    ("op-0007", "success", [], {"202": 3, "404": 3}),  # the 404s after the end: expiry
]
# The HAR also holds the 303 that ended op-0002 (the OneDrive completion), which the poller's
# own log did not record: only the HAR sees that job finish.
HAR_EXPECTED = [
    ("op-0002", "success", [], {"202": 3, "303": 1}) if job == "op-0002" else (job, *rest)
    for job, *rest in EXPECTED
]


def test_the_har_comes_from_a_capture_tool() -> None:
    """The bundled HAR was written by a real capture tool, not by hand."""
    har = orjson.loads((EXAMPLES / "capture.har").read_bytes())
    assert har["log"]["creator"]["name"] == "mitmproxy"
    agents = {
        h["value"]
        for e in har["log"]["entries"]
        for h in e["request"]["headers"]
        if h["name"].lower() == "user-agent"
    }
    assert all(a.startswith("python-httpx/") for a in agents)


@pytest.mark.parametrize(
    "args",
    [
        ["capture.har"],
        [*WRAPPED, "polls.jsonl"],
        [*WRAPPED, "--order-by", "ts", "polls.jsonl.gz"],
        ["--http-key", "http_status", "polls.csv"],
    ],
)
def test_every_format_reads_the_same_jobs(args: list[str]) -> None:
    """Every example format yields the same seven jobs and verdicts (the HAR, which kept the
    303 completion, also sees op-0002 end), and op-0007's polls after its end are expiry."""
    *opts, name = args
    code, data = check(*opts, str(EXAMPLES / name))
    har = name.endswith(".har")
    assert summary(data) == (HAR_EXPECTED if har else EXPECTED)
    # only the HAR shows the client: it polled op-0007 after its end (waiting for a resourceId)
    clients = {j["key"].rsplit("/", 1)[-1]: j["client"] for j in data["jobs"] if j["client"]}
    found = {k: [f["id"] for f in c["findings"]] for k, c in clients.items() if c["findings"]}
    assert found == ({"op-0007": ["polled-after-terminal"]} if har else {})
    assert code == (1 if har else 0)
    [acc] = data["inputs"]
    assert acc["observations"] == (30 if har else 29) and acc["rejected"] == 0
    expired = {j["key"].rsplit("/", 1)[-1]: j["expired_polls"] for j in data["jobs"]}
    assert expired["op-0007"] == 3 and sum(expired.values()) == 3


def test_the_serve_recording() -> None:
    """examples/serve.har, recorded through `jobstate serve`: the 303 job is a success, the
    transient 500 is validated and counted, the 404s after the end are expiry, and the naive
    poller's polls after the end are client findings, apart from the lifecycle (no errors)."""
    har = orjson.loads((EXAMPLES / "serve.har").read_bytes())
    assert har["log"]["creator"]["name"] == "jobstate serve"
    code, data = check(str(EXAMPLES / "serve.har"))
    jobs = {j["key"].rsplit("/", 1)[-1].rsplit("-", 1)[0]: j for j in data["jobs"]}
    assert code == 1 and data["totals"]["errors"] == 0 and data["totals"]["client_errors"] == 2
    assert jobs["completed-303"]["outcome"] == "success"
    assert jobs["completed-303"]["client"]["end"] == "303"
    assert jobs["transient-500"]["transient_5xx"] == 1
    assert jobs["expired-404"]["expired_polls"] == 2
    for name in ("failed", "expired-404"):
        assert [f["id"] for f in jobs[name]["client"]["findings"]] == ["polled-after-terminal"]


def test_har_accounting_names_the_skipped_entries() -> None:
    """The HAR example's accounting names why each skipped entry was skipped."""
    _, data = check(str(EXAMPLES / "capture.har"))
    [acc] = data["inputs"]
    assert acc["read"] == 32 and acc["skipped"] == 2  # the warm-up GET and the 303's item
    assert list(acc["skip_reasons"].values()) == [2]
    assert not any("303" in note for note in acc["notes"])  # the 303 is read, not noted


def test_json_array_example() -> None:
    """The JSON array example reads as one job with its steps."""
    code, data = check(str(EXAMPLES / "archive-copy.json"))
    assert code == 0 and data["jobs"][0]["outcome"] == "success"
    assert data["jobs"][0]["observations"] == 6


def test_the_stalled_capture_is_what_its_script_writes() -> None:
    """examples/stalled.har (constructed, not recorded: twelve minutes of polls) holds exactly
    the entries examples/capture/make_stalled.py writes, so the script documents it."""
    import runpy

    script = runpy.run_path(str(EXAMPLES / "capture" / "make_stalled.py"))
    har = orjson.loads((EXAMPLES / "stalled.har").read_bytes())
    assert har["log"]["entries"] == script["entries"]()
