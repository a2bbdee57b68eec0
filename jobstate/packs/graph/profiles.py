"""Real clients' pollers as :class:`~jobstate.ClientModel` data, each citing its source file.

What each client does is summarised, with its public source, in ``docs/sources.md`` (entries
``client-*``). Where a client decides by something other than the status string (the HTTP
status, a missing ``status`` key, a ``resourceId``), its ``ends_on``, ``on_redirect``,
``on_gone``, ``on_server_error`` and ``interval`` say so, and its ``notes`` how.
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
            on_redirect="follow",
            interval=1.0,
            retry_after=False,
            source="rclone/rclone backend/onedrive/onedrive.go waitForJob",
            notes="polls every 1 s until --timeout (default 5 min); ignores the HTTP status"
            " code and never reads the percentage; Go's client follows a 303 to the item, whose"
            " body has no status, so a 303 completion is polled to the timeout (our reading of"
            " the code, not run); an AccessDenied_* errorCode triggers a fallback copy, which"
            " this model does not show",
        ),
        ClientModel(
            "rclone-2018",
            {"completed": "success", "deleteFailed": "failure", "failed": "poll"},
            unknown="poll",
            timeout=300,
            on_redirect="follow",
            interval=1.0,
            retry_after=False,
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
            ends_on=frozenset({"status", "http-not-202"}),
            on_redirect="follow",
            interval=5.0,
            retry_after=False,
            source="microsoftgraph/msgraph-sdk-dotnet-core"
            " src/Microsoft.Graph.Core/Requests/AsyncMonitor.cs",
            notes="ends on any 2xx HTTP code other than 202 (ends_on http-not-202), not on the"
            " status string: a 202 + 'completed' body (the Graph doc's sample) never ends the"
            " loop ('completed' -> poll); a 303 (followed to the item) or a 200 ends it."
            " 'cancelled' returns null (modelled as cancelled); polls every 5 s, no timeout",
        ),
        ClientModel(
            "onedrive-sdk-python",
            {"completed": "poll", "failed": "failure", "deleteFailed": "failure"},
            unknown="poll",
            ends_on=frozenset({"status", "no-status"}),
            on_gone="crash",
            on_redirect="follow",
            on_server_error="raise-on-error",
            interval=0.0,
            retry_after=False,
            source="OneDrive/onedrive-sdk-python src/onedrivesdk/async_operation_monitor.py",
            notes="done means a body with no 'status' key (ends_on no-status: the item after"
            " the 303 redirect), so a {'status': 'completed'} body never ends the loop"
            " ('completed' -> poll); polls again with no sleep (1-27 ms apart, measured) and no"
            " timeout; a 404 once the monitor expires kills its polling thread and"
            " poll_until_done then spins at 100% CPU (on_gone crash); so does any answer"
            " outside 2xx whose body is an error (a 500 operationNotFound: on_server_error"
            " raise-on-error), while a 5xx with a status body is read as usual",
        ),
        ClientModel(
            "python-o365",
            {"completed": "success"},
            unknown="poll",
            ends_on=frozenset({"resource-id"}),
            on_gone="crash",
            on_redirect="follow",
            interval=0.2,
            retry_after=False,
            source="O365/python-o365 O365/drive.py CopyOperation",
            notes="done means 'resourceId' present (ends_on resource-id), which the completed"
            " body carries (Graph doc sample), so status-level 'completed' -> success; a"
            " 'completed' body without 'resourceId' and a 303 completion (followed to the item,"
            " which has none) are polled forever; no failure case; polls about 200 ms apart"
            " (its Connection's requests_delay), not with no delay; a 404 raises HTTPError;"
            " no timeout (sources: client-python-o365)",
        ),
        ClientModel(
            "nuxeo-onedrive-java",
            {**dict.fromkeys(_LEGACY_VALUES, "poll"), "completed": "success"},
            unknown="crash",
            on_redirect="poll",  # it follows the 303, finds no status (null, no throw), loops
            on_gone="crash",
            on_server_error="raise",
            interval=0.256,
            retry_after=False,
            source="nuxeo/onedrive-java-client 7c0f9ef OneDriveLongRunningAction.java:18-82",
            notes="parses the status with valueOf over an enum of the legacy 8 values, so any"
            " other value throws; ends only on 'completed'; exponential back-off 256 ms to ~8 s,"
            " no timeout; any answer outside 2xx throws OneDriveAPIException (a transient 500,"
            " the 404 of an expired monitor); HttpURLConnection follows a 303 to the item, whose"
            " body has no status, so the loop polls on forever (sources: client-nuxeo)",
        ),
        ClientModel(
            "office365-rest-python-client",
            {"completed": "success", "failed": "failure", "cancelled": "cancelled"},
            unknown="poll",
            timeout=1800,
            ends_on=frozenset({"status", "no-status"}),
            on_gone="crash",
            on_server_error="raise",
            interval=5.0,
            retry_after=True,
            source="vgrem/Office365-REST-Python-Client 3.3.0 office365/runtime/lro.py",
            notes="polls every 5 s unless Retry-After asks otherwise (it is honoured), raises"
            " OperationTimeoutError after 1800 s; a 303 to the item, or any other non-202"
            " answer without a status body (the item itself), also ends it as success"
            " (ends_on no-status); retries only 429 and 503, so a single transient 500 raises"
            " ClientRequestException (on_server_error raise), as does a 404 (on_gone crash);"
            " 'deleteFailed' is polled to the timeout (sources: client-office365-rest)",
        ),
        ClientModel(
            "fs-onedrivefs",
            {"completed": "success"},
            unknown="poll",
            on_redirect="follow",
            on_no_status="crash",
            on_gone="crash",
            on_server_error="raise",
            interval=0.0,
            retry_after=False,
            source="PyPI fs-onedrivefs 2.0.0 fs/onedrivefs/onedrivefs.py OneDriveFS.copy",
            notes="polls again with no sleep; only 'completed' ends the loop, so 'failed' and"
            " 'cancelled' are polled forever; it reads body['status'], so the item (after a"
            " 303, which it follows, or at the monitor URL) raises KeyError (on_no_status"
            " crash); raise_for_status on every answer, so a transient 500 and a 404 raise"
            " (sources: client-fs-onedrivefs)",
        ),
    )
}
"""Real clients as status-level models (see each model's ``notes``)."""
