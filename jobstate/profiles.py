"""Real clients' pollers as :class:`~jobstate.ClientModel` data, each citing its source file.

What each client does is summarised, with its public source, in ``docs/sources.md`` (entries
``client-*``). Where a client decides by something other than the status string (the HTTP
status, a missing ``status`` key, a ``resourceId``), its ``notes`` say how the status-level
model approximates it.
"""

from __future__ import annotations

from collections.abc import Mapping

from jobstate.clients import ClientModel
from jobstate.spec import get_spec

__all__ = ["PROFILES"]

# nuxeo's Java enum holds exactly the legacy revision's values
_LEGACY_VALUES = get_spec("legacy").names

PROFILES: Mapping[str, ClientModel] = {
    m.name: m
    for m in (
        ClientModel(
            "rclone",
            {"completed": "success", "failed": "failure", "deleteFailed": "failure"},
            unknown="poll",
            timeout=300,
            source="rclone/rclone backend/onedrive/onedrive.go waitForJob",
            notes="polls every 1 s until --timeout (default 5 min); ignores the HTTP status"
            " code and never reads the percentage; an AccessDenied_* errorCode triggers a"
            " fallback copy, which a status-level model does not show",
        ),
        ClientModel(
            "rclone-2018",
            {"completed": "success", "deleteFailed": "failure", "failed": "poll"},
            unknown="poll",
            timeout=300,
            source="rclone/rclone commit b709f73aa (fixed in b594cb943); rclone#4058",
            notes="a Go `case` without fallthrough made 'failed' a no-op: a failed job looked"
            " like a 5-minute timeout",
        ),
        ClientModel(
            "msgraph-dotnet",
            {
                "completed": "poll",
                "failed": "failure",
                "deleteFailed": "failure",
                "cancelled": "cancelled",
            },
            unknown="poll",
            source="microsoftgraph/msgraph-sdk-dotnet-core"
            " src/Microsoft.Graph.Core/Requests/AsyncMonitor.cs",
            notes="ends on any 2xx HTTP code other than 202, not on the status string: a"
            " 202 + 'completed' body (the Graph doc's sample) never ends the loop, modelled as"
            " 'completed' -> poll; a 303/200 answer at completion would end it. 'cancelled'"
            " returns null (modelled as cancelled); polls every 5 s with no timeout",
        ),
        ClientModel(
            "onedrive-sdk-python",
            {"completed": "poll", "failed": "failure", "deleteFailed": "failure"},
            unknown="poll",
            source="OneDrive/onedrive-sdk-python src/onedrivesdk/async_operation_monitor.py",
            notes="done means a body with no 'status' key (the item after the 303 redirect),"
            " so a {'status': 'completed'} body never ends the loop: modelled as 'completed'"
            " -> poll; polls again with no sleep and no timeout",
        ),
        ClientModel(
            "python-o365",
            {"completed": "success"},
            unknown="poll",
            source="O365/python-o365 O365/drive.py CopyOperation",
            notes="done means 'resourceId' present, which the completed body carries (Graph"
            " doc sample): modelled as 'completed' -> success; a 'completed' body without"
            " 'resourceId' and a 303 completion (followed to the item) are polled forever too;"
            " no failure case; polls about 200 ms apart (its Connection's requests_delay);"
            " no timeout (sources: client-python-o365)",
        ),
        ClientModel(
            "nuxeo-onedrive-java",
            {**dict.fromkeys(_LEGACY_VALUES, "poll"), "completed": "success"},
            unknown="crash",
            source="nuxeo/onedrive-java-client OneDriveLongRunningAction.java",
            notes="parses the status with valueOf over an enum of the legacy 8 values, so any"
            " other value throws; ends only on 'completed'; exponential back-off 256 ms to ~8 s,"
            " no timeout",
        ),
        ClientModel(
            "office365-rest-python-client",
            {"completed": "success", "failed": "failure", "cancelled": "cancelled"},
            unknown="poll",
            timeout=1800,
            source="vgrem/Office365-REST-Python-Client 3.3.0 office365/runtime/lro.py",
            notes="polls every 5 s, raises TimeoutError after 1800 s; a 303 to the item also"
            " ends it; retries only 429 and 503, so a single transient 500 raises"
            " ClientRequestException (a status-level model cannot show that: grade it with"
            " 'jobstate serve --scenario transient-500'); 'deleteFailed' is polled to the"
            " timeout (sources: client-office365-rest)",
        ),
        ClientModel(
            "fs-onedrivefs",
            {"completed": "success"},
            unknown="poll",
            source="PyPI fs-onedrivefs 2.0.0 fs/onedrivefs/onedrivefs.py OneDriveFS.copy",
            notes="polls again with no sleep; only 'completed' ends the loop, so 'failed' and"
            " 'cancelled' are polled forever; a 303 completion raises KeyError (it reads"
            " the body's 'status'), which a status-level model cannot show"
            " (sources: client-fs-onedrivefs)",
        ),
    )
}
"""Real clients as status-level models (see each model's ``notes``)."""
