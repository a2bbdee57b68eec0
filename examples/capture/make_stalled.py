"""Write ``examples/stalled.har``: a constructed capture of the commonest complaint about the
monitor, "my copy never finishes" (sources: progress-stuck), in the shape of the recorded
``capture.har`` but spread over twelve minutes, which a recording session would have to wait
through.

Two copies are started (``POST .../copy`` answered ``202 Accepted`` with the monitor URL in
``Location``, sources: monitor-start). The first is polled every 30 seconds: it leaves
``notStarted``, climbs to 45.2% and then answers ``inProgress`` at 45.2% for ten minutes until
the capture ends. The second monitor is never fetched: the client took its Location for the
item (sources: location-is-item).

    python examples/capture/make_stalled.py
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent.parent / "stalled.har"
T0 = datetime(2026, 11, 24, 9, 0, 0, tzinfo=timezone.utc)
GRAPH = "https://graph.microsoft.com/v1.0/me/drive/items"
MONITOR = "https://api.onedrive.com/v1.0/monitor/4A3407B5-2BDB-4AE3-A6A8-F10E6C6A4F0C"
LOST = "https://api.onedrive.com/v1.0/monitor/9C1F2E07-7E0B-4F49-9B3E-2D4C8B0F6A11"


def _at(seconds: float) -> str:
    return (T0 + timedelta(seconds=seconds)).isoformat(timespec="milliseconds")[:-6] + "Z"


def _entry(
    seconds: float, method: str, url: str, status: int, body: dict[str, Any] | None, **headers: str
) -> dict[str, Any]:
    text = json.dumps(body) if body is not None else ""
    return {
        "startedDateTime": _at(seconds),
        "time": 85,
        "request": {
            "method": method,
            "url": url,
            "httpVersion": "HTTP/1.1",
            "headers": [{"name": "Accept", "value": "application/json"}],
            "queryString": [],
            "cookies": [],
            "headersSize": -1,
            "bodySize": 0,
        },
        "response": {
            "status": status,
            "statusText": {202: "Accepted"}.get(status, "OK"),
            "httpVersion": "HTTP/1.1",
            "headers": [{"name": k.replace("_", "-"), "value": v} for k, v in headers.items()],
            "cookies": [],
            "content": {"size": len(text), "mimeType": "application/json", "text": text},
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": len(text),
        },
        "cache": {},
        "timings": {"send": 0, "wait": 85, "receive": 0},
    }


def entries() -> list[dict[str, Any]]:
    out = [
        _entry(0.0, "POST", f"{GRAPH}/01BYE5RZ6QN3ZWBTUFOFD3GSPGOHDJD36K/copy", 202, None,
               Location=MONITOR),
        _entry(1.5, "POST", f"{GRAPH}/01BYE5RZ2VFRWXE4ZAQ5GRNJBB6PRCEGCZ/copy", 202, None,
               Location=LOST),
    ]  # fmt: skip
    course = [("notStarted", 0.0), ("notStarted", 0.0), ("inProgress", 12.5), ("inProgress", 30.1)]
    course += [("inProgress", 45.2)] * 21  # ten minutes without a change, polled every 30 s
    for i, (status, pct) in enumerate(course):
        body = {"status": status, "percentageComplete": pct}
        out.append(_entry(2.0 + 30 * i, "GET", MONITOR, 202, body, Retry_After="30"))
    return out


def main() -> None:
    har = {"log": {"version": "1.2", "creator": {"name": "make_stalled.py", "version": "1"},
                   "entries": entries()}}  # fmt: skip
    OUT.write_text(json.dumps(har, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({len(har['log']['entries'])} entries)")


if __name__ == "__main__":
    main()
