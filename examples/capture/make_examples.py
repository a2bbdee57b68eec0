"""Regenerate the real-world input examples: jobstate's monitor emulator (what
``jobstate serve`` runs, here in-process with these scripts as its scenarios), a real HTTP
client (httpx) polling it through a real proxy (mitmproxy, which writes the HAR), and the poll
log, CSV export and JSON dump that client writes.

    python -m venv /tmp/capture && /tmp/capture/bin/pip install mitmproxy httpx
    /tmp/capture/bin/pip install -e .
    /tmp/capture/bin/python examples/capture/make_examples.py

mitmproxy is no jobstate dependency; the outputs land in examples/ and are what the README
and the tests read. The service follows the observed protocol (docs/sources.md): 202 with a
status body while running, completion as 202 + body (Graph doc) or 303 to the item (OneDrive
doc), a 500 with a valid status body (rclone#1224), `failed` at 0 with a statusDescription
(#666), v2.1 `/_api/v2.1/drive/operations/{id}` monitors (#1239), and 404 once the monitor is
gone (onedrive-api-docs#63). Jobs advance one step per poll, so the outputs do not depend on timing.
"""

from __future__ import annotations

import csv
import gzip
import json
import shutil
import socket
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import httpx

from jobstate import Answer, MonitorServer, Scenario

OUT = Path(__file__).resolve().parent.parent

# One script per source item: each poll of the monitor answers the next step.
# A step is (HTTP status, body or None); after the script, the monitor is gone (404).
_DONE = {"status": "completed", "percentageComplete": 100.0}
SCRIPTS: dict[str, list[tuple[int, dict[str, Any] | None]]] = {
    "report-2026.docx": [
        (202, {"status": "notStarted", "percentageComplete": 0.0}),
        (202, {"status": "inProgress", "percentageComplete": 12.5}),
        (202, {"status": "inProgress", "percentageComplete": 48.0}),
        (202, {"status": "inProgress", "percentageComplete": 91.3}),
        (202, {**_DONE, "resourceId": "01NEWITEM1"}),
    ],
    "photos": [
        (202, {"status": "inProgress", "percentageComplete": 3.0}),
        (202, {"status": "inProgress", "percentageComplete": 27.8}),
        (202, {"status": "inProgress", "percentageComplete": 64.1}),
        (303, None),  # the OneDrive doc's completion: See Other, to the new item
    ],
    "archive.zip": [
        (202, {"status": "inProgress", "percentageComplete": 30.0}),
        (202, {"status": "waiting", "percentageComplete": 0.0, "statusDescription": "throttled"}),
        (202, {"status": "waiting", "percentageComplete": 0.0, "statusDescription": "throttled"}),
        (202, {"status": "inProgress", "percentageComplete": 10.0}),
        (202, {"status": "inProgress", "percentageComplete": 70.0}),
        (202, {**_DONE, "resourceId": "01NEWITEM3"}),
    ],
    "locked.xlsx": [
        (202, {"status": "notStarted", "percentageComplete": 0.0}),
        (
            202,
            {
                "status": "failed",
                "percentageComplete": 0.0,
                "statusDescription": "The file is locked for editing",
            },
        ),
    ],
    "video.mp4": [
        (202, {"status": "inProgress", "percentageComplete": 5.0}),
        (500, {"status": "inProgress", "percentageComplete": 21.0}),  # rclone#1224
        (202, {"status": "inProgress", "percentageComplete": 55.0}),
        (202, {**_DONE, "resourceId": "01NEWITEM5"}),
    ],
    "site-assets": [
        (202, {"status": "inProgress", "percentageComplete": 40.0}),
        (202, {"status": "cancelPending", "percentageComplete": 40.0}),
        (202, {"status": "cancelled", "percentageComplete": 40.0}),
    ],
    "notes.txt": [  # completed without resourceId: a client that waits for one polls on
        (202, {"status": "inProgress", "percentageComplete": 50.0}),
        (202, dict(_DONE)),
        (202, dict(_DONE)),
    ],
}
V21 = {"site-assets"}  # SharePoint v2.1 operations monitor


def scenarios() -> dict[str, Scenario]:
    """Each script as a monitor scenario; after its last answer the monitor is gone (404)."""
    out = {}
    for name, steps in SCRIPTS.items():
        answers = tuple(
            Answer(code, body, {"Location": "/items/NEW"} if code == 303 else {})
            for code, body in steps
        )
        out[name] = Scenario(name, "example", answers, spec="any", expire_after=1)
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def main() -> None:
    server = MonitorServer(scenarios(), duration=600).start()
    proxy_port = free_port()
    har = OUT / "capture.har"
    mitmdump = shutil.which("mitmdump") or str(Path(sys.executable).parent / "mitmdump")
    proxy = subprocess.Popen(
        [
            mitmdump, "--quiet", "--mode", f"reverse:{server.url}",
            "--listen-host", "127.0.0.1", "--listen-port", str(proxy_port),
            "--set", f"hardump={har}", "--set", "keep_host_header=true",
        ]
    )  # fmt: skip
    base = f"http://127.0.0.1:{proxy_port}"
    for _ in range(100):
        try:
            httpx.get(base + "/scenarios", timeout=1)
            break
        except httpx.TransportError:
            time.sleep(0.1)
    log: list[dict[str, Any]] = []
    monitors = {}
    for number, name in enumerate(SCRIPTS, start=1):
        job = f"op-{number:04d}"
        path = f"/_api/v2.1/drive/operations/{job}" if name in V21 else f"/monitor/{job}"
        monitors[name] = server.play(name, path=path).replace(server.url, base)
    with httpx.Client(base_url=base, follow_redirects=False, timeout=5) as client:
        # The poller under test waits for a resourceId on success (python-o365's assumption,
        # docs/sources.md: client-python-o365) and gives up after three 404s: all monitors are
        # polled round-robin.
        active = dict(monitors)
        misses: dict[str, int] = {}
        while active:
            for name, url in list(active.items()):
                ts = now()
                r = client.get(url)
                body = r.json() if r.headers.get("content-type") == "application/json" else None
                if body is not None:
                    log.append({"ts": ts, "job": url, "http_status": r.status_code, "body": body})
                if r.status_code == 303:
                    client.get(r.headers["location"])
                    del active[name]
                elif r.status_code == 404:
                    misses[name] = misses.get(name, 0) + 1
                    if misses[name] == 3:
                        del active[name]
                elif body and (body.get("resourceId") or body["status"] in ("failed", "cancelled")):
                    del active[name]
                time.sleep(0.01)
    time.sleep(0.5)
    proxy.terminate()
    proxy.wait(timeout=20)
    server.stop()

    # The client's poll log (JSON Lines of wrapper records), and a gzipped copy.
    lines = "".join(json.dumps(rec) + "\n" for rec in log)
    (OUT / "polls.jsonl").write_text(lines)
    (OUT / "polls.jsonl.gz").write_bytes(gzip.compress(lines.encode(), mtime=0))
    # A telemetry export of the same polls (CSV).
    with open(OUT / "polls.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["job_id", "status", "percentageComplete", "timestamp", "http_status"])
        for rec in log:
            b = rec["body"]
            w.writerow(
                [rec["job"].rsplit("/", 1)[-1], b.get("status", ""),
                 b.get("percentageComplete", ""), rec["ts"], rec["http_status"]]
            )  # fmt: skip
    # One job's bodies, as a JSON array (what a client saves when it dumps a job's history).
    first = monitors["archive.zip"]
    bodies = [rec["body"] for rec in log if rec["job"] == first]
    (OUT / "archive-copy.json").write_text(json.dumps(bodies, indent=2) + "\n")
    print(f"wrote {len(log)} polls of {len(monitors)} jobs; HAR {har.stat().st_size} bytes")


if __name__ == "__main__":
    main()
