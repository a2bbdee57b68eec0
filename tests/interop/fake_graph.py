"""A fake of the few Microsoft Graph drive calls a real client makes for a server-side copy
(rclone's onedrive backend, fs-onedrivefs's ``OneDriveFS.copy``), as a mitmproxy addon: the
client reaches it through a proxy (``HTTPS_PROXY``, or its session's proxies) and it answers
every request itself, so nothing leaves the machine. The copy's ``Location`` is the monitor URL
named by the request's ``X-Jobstate-Monitor`` header (rclone ``--header``, the session's
headers): a monitor of jobstate's emulator, which the client then polls directly (loopback is
never proxied).

Run by ``mitmdump -s fake_graph.py`` in mitmproxy's own environment: it imports nothing of
jobstate's, and mitmproxy only when answering (pytest's doctest collection imports it too).
"""

from __future__ import annotations

import json
import re
from typing import Any

DRIVE = "b!jobstate-fake-drive"
SOURCE = "src.txt"  # the one file the drive holds; the copy's destination appears once copied
HEADER = "X-Jobstate-Monitor"
_NAMED = re.compile(r"(?:/root|/items/[^/:]+):/([^/:]+):?$")  # .../root:/name: or items/ID:/name


def _item(name: str, ident: str, *, folder: bool = False) -> dict[str, Any]:
    stamp = "2026-12-01T00:00:00Z"
    item: dict[str, Any] = {
        "id": ident,
        "name": name,
        "size": 0 if folder else 5,
        "createdDateTime": stamp,
        "lastModifiedDateTime": stamp,
        "parentReference": {"driveId": DRIVE, "id": "ROOT"},
        "fileSystemInfo": {"createdDateTime": stamp, "lastModifiedDateTime": stamp},
    }
    if folder:
        item["folder"] = {"childCount": 1}
    else:
        item["file"] = {"mimeType": "text/plain", "hashes": {}}
    return item


class FakeGraph:
    """Answers GET of the root and of a named item, POST .../copy (202 and the monitor's
    Location), PATCH of the copy (its new times); 404 itemNotFound for anything else."""

    def __init__(self) -> None:
        self.copied: set[str] = set()  # monitors whose copy was started: the destination exists

    def request(self, flow: Any) -> None:
        req = flow.request
        monitor = req.headers.get(HEADER, "")
        path = req.path.split("?", 1)[0]
        named = _NAMED.search(path)
        status: int = 404
        body: dict[str, Any] | None = {"error": {"code": "itemNotFound", "message": "no item"}}
        headers: dict[str, str] = {}
        if req.method == "GET" and path.endswith("/root"):
            status, body = 200, _item("root", "ROOT", folder=True)
        elif req.method == "GET" and named and named.group(1) == SOURCE:
            status, body = 200, _item(SOURCE, "SRCITEM")
        elif req.method in ("GET", "PATCH") and named and monitor in self.copied:
            status, body = 200, _item(named.group(1), "01NEWITEM")
        elif req.method == "POST" and path.endswith("/copy") and monitor:
            self.copied.add(monitor)
            status, body, headers = 202, None, {"Location": monitor}
        from mitmproxy import http  # type: ignore[import-untyped, import-not-found, unused-ignore]

        data = b"" if body is None else json.dumps(body).encode()
        flow.response = http.Response.make(
            status, data, {"Content-Type": "application/json", **headers}
        )


addons = [FakeGraph()]
