"""Names and choices shared by the library and the CLI, importing nothing of jobstate.

The CLI builds its option choices from here, so ``jobstate --help`` stays fast (no
``transitions``, no numpy) and no choice list is typed twice.
"""

from __future__ import annotations

from typing import Literal

Provenance = Literal["card", "doc", "inferred"]
StateClass = Literal["initial", "active", "terminal"]
Outcome = Literal["success", "failure", "cancelled", "unfinished"]
Mode = Literal["sampled", "step"]
Severity = Literal["error", "warning"]
StepKind = Literal[
    "start",
    "stutter",
    "edge",
    "gap",
    "illegal",
    "after-terminal",
    "rejected",
    "expired",
    "lost",
    "error-answer",
]
Format = Literal["jsonl", "json", "har", "csv", "tsv", "parquet"]
Engine = Literal["auto", "python", "polars", "duckdb"]
FailOn = Literal["error", "warning"]
Action = Literal["success", "failure", "cancelled", "poll", "crash"]
UnknownAction = Literal["poll", "failure", "crash"]
DiagramFormat = Literal["mermaid", "dot", "svg", "png"]
EndsOn = Literal["status", "http-not-202", "no-status", "resource-id"]
OnRedirect = Literal["follow", "stop", "crash", "poll"]
OnGone = Literal["stop", "crash", "poll"]
OnServerError = Literal["retry", "raise", "poll", "raise-on-error"]
OnNoStatus = Literal["unknown", "crash"]

SPEC_NAMES: tuple[str, ...] = ("current", "legacy", "any")
"""The names of the built-in specs (a test checks them against ``spec.builtin``)."""
PROVENANCES: tuple[Provenance, ...] = ("card", "doc", "inferred")
STATE_CLASSES: tuple[StateClass, ...] = ("initial", "active", "terminal")
OUTCOMES: tuple[Outcome, ...] = ("success", "failure", "cancelled", "unfinished")
TERMINAL_OUTCOMES: tuple[Outcome, ...] = ("success", "failure", "cancelled")
MODES: tuple[Mode, ...] = ("sampled", "step")
FORMATS: tuple[Format, ...] = ("jsonl", "json", "har", "csv", "tsv", "parquet")
ENGINES: tuple[Engine, ...] = ("auto", "python", "polars", "duckdb")
"""What checks an input: ``python`` the exact engine alone, record by record; ``polars``
columns (polars reads, numpy screens, the exact engine takes irregular jobs); ``duckdb`` (Parquet
files) the generated SQL screens, the exact engine takes flagged jobs; ``auto`` the fastest
that applies."""
FAIL_ON: tuple[FailOn, ...] = ("error", "warning")
ACTIONS: tuple[Action, ...] = ("success", "failure", "cancelled", "poll", "crash")
UNKNOWN_ACTIONS: tuple[UnknownAction, ...] = ("poll", "failure", "crash")
DIAGRAM_FORMATS: tuple[DiagramFormat, ...] = ("mermaid", "dot", "svg", "png")
ENDS_ON: tuple[EndsOn, ...] = ("status", "http-not-202", "no-status", "resource-id")
"""What ends a client's loop: its action on the status value, any 2xx other than 202, a body
without a status, a body with a result field."""
ON_REDIRECT: tuple[OnRedirect, ...] = ("follow", "stop", "crash", "poll")
ON_GONE: tuple[OnGone, ...] = ("stop", "crash", "poll")
ON_SERVER_ERROR: tuple[OnServerError, ...] = ("retry", "raise", "poll", "raise-on-error")
ON_NO_STATUS: tuple[OnNoStatus, ...] = ("unknown", "crash")
CLIENT_PROTOCOL_KEYS: tuple[str, ...] = (
    "ends_on",
    "on_redirect",
    "on_gone",
    "on_server_error",
    "on_no_status",
    "interval",
    "retry_after",
)
"""What a client model decides by beyond the status string: its fields, model-file keys and
``jobstate client`` options (as Python names)."""
PROFILE_NAMES: tuple[str, ...] = (
    "rclone",
    "rclone-2018",
    "msgraph-dotnet",
    "onedrive-sdk-python",
    "python-o365",
    "nuxeo-onedrive-java",
    "office365-rest-python-client",
    "fs-onedrivefs",
)
"""The built-in client profiles' names, for the CLI's choices without loading the profiles (a
test checks them against ``jobstate.PROFILES``)."""
DIALECT_NAMES: tuple[str, ...] = ("graph", "onedrive", "business")
"""The monitor protocol's dialects, for the CLI's choices (a test checks them against
``jobstate.DIALECTS``)."""
DEFAULT_CLIENT_SPECS: tuple[str, ...] = ("current", "legacy")
"""The specs ``jobstate clients`` checks when none is named."""

SUCCESS_NOT_TOP = "completed-not-100"
"""The id of the rule that a success status shows its progress at the top of the range. Rule ids
are public API: this one kept the name it had when the Microsoft Graph specs were the only ones,
and every module names it through this constant."""
RULE_IDS: tuple[str, ...] = (
    "unknown-status",
    "illegal-transition",
    "after-terminal",
    "missing-status",
    "malformed-record",
    "percentage-type",
    "percentage-range",
    "percentage-regression",
    SUCCESS_NOT_TOP,
    "monitor-lost",
    "stalled",
)
"""The lifecycle rules' ids, in the table's order (a test checks them against ``RULES``)."""
BEHAVIOUR_IDS: tuple[str, ...] = (
    "polled-after-terminal",
    "repolled-redirect",
    "poll-interval",
    "auth-to-monitor",
    "never-polled",
)
"""The client-behaviour finding ids (a test checks them against ``BEHAVIOURS``)."""

STALL_SECONDS = 300.0
"""The default stall threshold: five minutes without a change of status or progress. It is
rclone's default timeout, after which the client most seen in public reports gives up on a job
(sources: client-rclone); a job that shows the same status and percentage for that long has outlived
what such a client waits for. ``--stall`` (config ``stall``) sets another."""

ECHO_BATCH = 4096
"""Lines of a text report written at a time."""

PROGRESS_BYTES = 32 << 20
"""Inputs at least this large on disk get a progress bar on a terminal
(``JOBSTATE_PROGRESS_BYTES`` overrides it)."""

KEEP_VIOLATIONS = 100_000
"""How many violations (and units rejected outside jobs) one input keeps in full by default; the
rest are counted by job and rule (``--keep-violations``)."""

MAX_RECORD = 16 << 20
"""The longest JSON Lines line or CSV row read, in bytes (``--max-record-bytes``)."""
MAX_DOCUMENT = 64 << 20
"""The largest JSON or HAR document, read whole, in bytes (``--max-document-bytes``)."""

SQL_DIALECTS: tuple[str, ...] = ("duckdb", "spark")
SQL_REPORTS: tuple[str, ...] = ("jobs", "violations")
