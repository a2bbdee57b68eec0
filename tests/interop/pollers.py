"""Real Python pollers as command-line clients of ``jobstate conform``: ``python pollers.py
CLIENT URL`` polls the monitor at URL with the client's own code and prints what the client
concluded (``success [RESOURCE]``, ``failure``, ``cancelled``). An exception is left to end the
process (a crash); a client that never decides is killed by the runner at its time limit.

Each conclusion is read from the client's own API: what it returns, and the exceptions it
documents for a failed or cancelled operation; nothing is inferred from the traffic.
fs-onedrivefs has no monitor API of its own: its ``OneDriveFS.copy`` runs whole, against the
fake Graph API of ``fake_graph.py`` (``JOBSTATE_FAKE_GRAPH``: the proxy's URL and its CA file).
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import Callable

MONITOR_HEADER = "X-Jobstate-Monitor"  # tells the fake Graph API which monitor to hand out


def python_o365(url: str) -> str:
    """python-o365's CopyOperation.check_status: it ends when a body names resourceId."""
    import O365  # type: ignore[import-untyped, import-not-found, unused-ignore]
    from O365.drive import CopyOperation  # type: ignore[import-untyped, import-not-found, unused-ignore]

    con = O365.Connection(("client-id", "client-secret"), requests_delay=0)
    op = CopyOperation(con=con, protocol=O365.connection.MSGraphProtocol(), monitor_url=url)
    for _ in op.check_status(delay=0.2):
        pass
    return f"success {op.item_id}"


def onedrivesdk(url: str) -> str:
    """onedrivesdk's AsyncOperationMonitor.poll_until_done: the item, or None with errors."""
    if not hasattr(asyncio, "coroutine"):  # its asyncio extras use it at import (gone in 3.11)
        vars(asyncio)["coroutine"] = lambda f: f
    from onedrivesdk.async_operation_monitor import AsyncOperationMonitor  # type: ignore[import-untyped, import-not-found, unused-ignore]
    from onedrivesdk.http_provider import HttpProvider  # type: ignore[import-untyped, import-not-found, unused-ignore]

    class NoAuth:
        def authenticate_request(self, request: object) -> None:
            return None

    class Client:
        http_provider = HttpProvider()
        auth_provider = NoAuth()

    monitor = AsyncOperationMonitor(url, Client(), [])
    item = monitor.poll_until_done()
    if item is None:
        return "failure" if monitor.has_errors else "unknown"
    return f"success {item.id or ''}".strip()


def office365_rest(url: str) -> str:
    """Office365-REST-Python-Client's OperationPoller.wait: the terminal status, or its
    OperationFailedError / OperationCancelledError."""
    from office365.graph_client import GraphClient  # type: ignore[import-untyped, import-not-found, unused-ignore]
    from office365.runtime.lro import (  # type: ignore[import-untyped, import-not-found, unused-ignore]
        OperationCancelledError,
        OperationFailedError,
        OperationPoller,
    )

    client = GraphClient(lambda: {"access_token": "unused", "token_type": "Bearer"})
    poller = OperationPoller(client, url, interval=0.2, timeout=600)
    try:
        status = poller.wait()
    except OperationCancelledError:
        return "cancelled"
    except OperationFailedError:
        return "failure"
    return f"success {status.resource_id or ''}".strip()


def fs_onedrivefs(url: str) -> str:
    """fs-onedrivefs's OneDriveFS.copy, whole, against the fake Graph API: it returns once the
    copy is done (no resource id)."""
    import niquests  # type: ignore[import-untyped, import-not-found, unused-ignore]
    from fs.onedrivefs import OneDriveFS  # type: ignore[import-untyped, import-not-found, unused-ignore]

    proxy, ca_file = os.environ["JOBSTATE_FAKE_GRAPH"].split(" ", 1)
    os.environ["REQUESTS_CA_BUNDLE"] = ca_file  # the proxy's CA (niquests reads it per request)
    session = niquests.Session()
    session.proxies = {"https": proxy}
    session.headers[MONITOR_HEADER] = url
    drive = OneDriveFS(session=session)
    drive.copy("/src.txt", "/dst.txt")
    return "success"


CLIENTS: dict[str, Callable[[str], str]] = {
    "python-o365": python_o365,
    "onedrivesdk": onedrivesdk,
    "office365-rest-python-client": office365_rest,
    "fs-onedrivefs": fs_onedrivefs,
}


def main(argv: list[str]) -> int:
    name, url = argv
    started = time.monotonic()
    conclusion = CLIENTS[name](url)
    print(f"{name} concluded after {time.monotonic() - started:.1f} s", file=sys.stderr)
    print(conclusion)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
