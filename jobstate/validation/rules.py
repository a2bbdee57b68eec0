"""The rules: their ids, severities and provenance (public API), and each rule's logic, once.

Each rule is one small function that returns the violation's message, or ``None`` when the rule
holds, in the manner of jsonschema's one function per keyword. :class:`~jobstate.validation.
checker.Checker` (the general path) calls them in a fixed order for every record.

Two faster readings of the same rules exist, for speed (the polars reader only parses, and feeds
the numpy batches); each is proven equal to the general path by a property in
``tests/test_paths_agree.py``, and this table says where each rule's twins are:

======================  ==================================  =================================
rule                    fast loop (``Validator.screen``)    numpy batches (``Stream._flag_*``)
======================  ==================================  =================================
malformed-record        ``o["status"]`` raises: bail        non-dict body: status code none
missing-status          ``KeyError`` / unhashable: bail     status code none
unknown-status          ``row[s]`` raises ``KeyError``      status code none
illegal-transition      ``row[s]`` raises ``KeyError``      ``legal[prev, code]`` false
after-terminal          terminal rows admit only themselves ``legal`` (same table)
percentage-type         class not int/float/None: bail      ``mistyped`` mask
percentage-range        segment maximum checked at resets   ``values`` outside 0-100
percentage-regression   ``last <= p`` unless a reset        per-segment ``down`` mask
completed-not-100       success suffix re-read              ``success[codes] & values != 100``
======================  ==================================  =================================

The generated traces of :mod:`jobstate.strategies` keep percentages legal with
:func:`next_baseline`, the same function the general path uses, and the ``transitions`` replay
(:mod:`jobstate.validation.reference`) is the oracle for the status rules.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeGuard

from jobstate._constants import SUCCESS_NOT_TOP, Provenance, Severity
from jobstate.results import Record, Rejected
from jobstate.spec import Spec
from jobstate.spec.model import Progress
from jobstate.spec.protocol import COMPLETIONS, classify
from jobstate.validation.hints import hints_of

__all__ = [
    "RULES",
    "Rule",
    "after_terminal",
    "completed_not_100",
    "completes",
    "completion_body",
    "has_status_body",
    "illegal_transition",
    "json_type",
    "malformed_record",
    "missing_status",
    "monitor_gone",
    "monitor_lost",
    "next_baseline",
    "percentage_range",
    "percentage_regression",
    "percentage_type",
    "severities",
    "stray_redirect",
    "unknown_status_message",
]


_OWN = "the spec's body shape ([body] of its file)"


@dataclass(frozen=True)
class Rule:
    """A validation rule. Its ``id`` is public API: reports, the CLI and JSON output use it.

    ``summary`` says what it checks; ``own``, where it reads a body's fields, says it with the
    spec's words (``{status}``, ``{progress}``, ``{range}``,
    ``{resets}``, ``{top}`` stand for the spec's own; ``progress``: it reads the progress
    field, so a spec without one never breaks it)."""

    id: str
    severity: Severity
    provenance: Provenance
    summary: str
    rationale: str
    own: str | None = None
    progress: bool = False


RULES: Mapping[str, Rule] = {
    r.id: r
    for r in (
        Rule(
            "unknown-status",
            "error",
            "doc",
            "status is not a value of the spec's vocabulary",
            "the spec lists its status values; its [unknown] policy sets how one it does not"
            " list is graded",
        ),
        Rule(
            "illegal-transition",
            "error",
            "card",
            "a status change the spec's edges do not allow in this mode",
            "the spec's edges, each with its provenance",
        ),
        Rule(
            "after-terminal",
            "error",
            "doc",
            "a different status after a terminal one",
            "a terminal state has no edge out: the job is over",
        ),
        Rule(
            "missing-status",
            "error",
            "doc",
            "a record without a status, or whose status is not a string",
            "the spec's body shape: the status is text in its status field",
            "a record without a {status!r}, or whose {status!r} is not a string",
        ),
        Rule(
            "malformed-record",
            "error",
            "doc",
            "a record that is not a JSON object",
            "a monitor answers with a JSON object, its status one of its fields",
        ),
        Rule(
            "percentage-type",
            "error",
            "doc",
            "the progress field present but not a number",
            _OWN,
            "{progress} present but not a number",
            progress=True,
        ),
        Rule(
            "percentage-range",
            "error",
            "doc",
            "the progress field outside its range, or NaN/Infinity",
            _OWN,
            "{progress} outside {range}, or NaN/Infinity",
            progress=True,
        ),
        Rule(
            "percentage-regression",
            "warning",
            "inferred",
            "the progress field decreases with no resetting status observed in between",
            _OWN,
            "{progress} decreases with no {resets} observed in between",
            progress=True,
        ),
        Rule(
            SUCCESS_NOT_TOP,
            "warning",
            "inferred",
            "a success status with the progress field present and not the top of its range",
            _OWN,
            "a success status with {progress} present and not {top}",
            progress=True,
        ),
        Rule(
            "monitor-lost",
            "error",
            "doc",
            "the monitor answered 'gone' (404, 410, or an error code saying so) before any"
            " terminal status",
            "a monitor answers while its job runs; gone before the end, it hides the end",
        ),
        Rule(
            "stalled",
            "warning",
            "inferred",
            "no change of status or progress for longer than the stall threshold (--stall)",
            "a job whose status and progress stay the same that long may be stuck (five minutes"
            " unless --stall says otherwise). Needs each poll's time: a HAR, or --time-key",
        ),
    )
}
"""The rules in any spec's words; a spec's own (``[rules.ID]`` of its file, as the Graph pack's
files have) replace a summary or rationale (:func:`jobstate.validation.rule_text.rules_for`)."""

_MISSING = object()


# -- record shape ------------------------------------------------------------------------------


def malformed_record(rec: Record) -> str | None:
    """``malformed-record``: the record is not a JSON object (or was rejected by its reader)."""
    if isinstance(rec, Mapping):
        return None
    if isinstance(rec, Rejected):
        return rec.reason
    return f"record is not a JSON object (got {json_type(rec)})"


def missing_status(body: Mapping[str, Any], field: str = "status") -> str | None:
    """``missing-status``: the body has no status ``field``, or one that is not a string."""
    s = body.get(field, _MISSING)
    if s is _MISSING:
        return f"record has no {field!r}"
    if not isinstance(s, str):
        return f"{field!r} is not a string (got {json_type(s)})"
    return None


# -- the monitor itself ----------------------------------------------------------------------


def completion_body(spec: Spec) -> dict[str, str]:
    """What a monitor's completion without a status body stands for under ``spec``: a body of
    its first success state. Graph's are OneDrive's documented 303 See Other (sources:
    completion-303) and the finished item itself at the monitor URL (sources:
    location-is-item). A spec with no success state reads one as its unknown value.

    >>> from jobstate.spec import get_spec
    >>> completion_body(get_spec("current"))
    {'status': 'completed'}
    """
    success = [s for s in spec.names if spec.outcome(s) == "success"]
    return {spec.status_field: success[0] if success else spec.unknown.value}


def severities(spec: Spec) -> dict[str, Severity]:
    """Each rule's severity under ``spec``: the table's, ``unknown-status`` by the spec's
    unknown-value policy."""
    return {r.id: r.severity for r in RULES.values()} | {"unknown-status": spec.unknown.severity}


def completes(rec: Record, http: int | None, field: str = "status") -> bool:
    """Whether an answer without a status body ends the job successfully, as the poller and
    the emulator read it (:func:`jobstate.spec.protocol.classify`): a 303 See Other, or a 2xx
    whose body is the finished item (a text ``id``, no ``status``, no ``error``).

    >>> completes(None, 303), completes({"id": "01X"}, 200), completes({}, 200)
    (True, True, False)
    >>> completes(None, 307), completes({"status": "completed"}, 303), completes({"id": "1"}, None)
    (False, False, False)
    """
    return (
        http is not None
        and 200 <= http < 400
        and not has_status_body(rec, field)
        and classify(http, rec, field) in COMPLETIONS
    )


def stray_redirect(rec: Record, http: int | None, field: str = "status") -> bool:
    """Whether an answer is a redirect other than 303 (301, 302, 307, 308) without a status
    body: no document names one for a monitor, so it is an error answer, not the completion."""
    return (
        http is not None and 300 <= http < 400 and http != 303 and not has_status_body(rec, field)
    )


def has_status_body(rec: Record, field: str = "status") -> bool:
    """Whether a record is a body with a string status ``field``: an HTTP error answer without one
    (``401`` with an error body, a ``503`` page) is classified by its HTTP status instead.

    >>> has_status_body({"status": "inProgress"}), has_status_body({"error": {}})
    (True, False)
    """
    return isinstance(rec, Mapping) and isinstance(rec.get(field), str)


def monitor_gone(rec: Record, http: int | None, field: str = "status") -> bool:
    """Whether an answer says the monitor no longer exists: HTTP 404 or 410 without a status
    body, or an error whose code is ``operationNotFound`` (sources: expiry-404,
    operation-not-found). A body with a status is read as a status body, whatever the code.

    >>> monitor_gone({"error": {"code": "itemNotFound"}}, 404), monitor_gone({}, None)
    (True, False)
    >>> monitor_gone({"error": {"code": "operationNotFound"}}, 500)
    True
    """
    if http is None or has_status_body(rec, field):
        return False
    # loaded only when a check meets HTTP statuses
    from jobstate.spec.protocol import GONE, GONE_ERROR

    if http in GONE:
        return True
    error = rec.get("error") if isinstance(rec, Mapping) else None
    return isinstance(error, Mapping) and error.get("code") == GONE_ERROR


def monitor_lost(http: int | str | None) -> str:
    """``monitor-lost``: the message for a monitor gone before the job's end was seen."""
    return (
        f"the monitor answered HTTP {http} (gone) before any terminal status:"
        " the job's end was never seen"
    )


# -- status changes (the spec's tables are compiled in ``tables``) ---------------------------


def after_terminal(state: str, known: str, outcome: str) -> str:
    """``after-terminal``: the message for ``known`` after terminal ``state``."""
    return (
        f"'{known}' after terminal '{state}' (outcome {outcome}): a terminal status never changes"
    )


def illegal_transition(state: str, known: str, mode: str, allowed: tuple[str, ...]) -> str:
    """``illegal-transition``: the message for ``state -> known``, which the tables refuse."""
    how = "one step" if mode == "step" else "reachable"
    return (
        f"'{state}' -> '{known}' is not allowed in {mode} mode;"
        f" {how} from '{state}': {', '.join(allowed) or 'nothing'}"
    )


# -- the progress field (the spec's: its name and range) ------------------------------------


def _is_number(p: object) -> TypeGuard[int | float]:
    return isinstance(p, (int, float)) and not isinstance(p, bool)


def percentage_type(p: object, progress: Progress) -> str | None:
    """``percentage-type``: a present progress value that is not a number."""
    if not _is_number(p):
        return f"{progress.field} is {json_type(p)} {_short(p)}, not a number"
    return None


def percentage_range(p: float, progress: Progress) -> str | None:
    """``percentage-range``: a number outside the spec's progress range, or NaN."""
    if not (progress.low <= p <= progress.high) or math.isnan(p):
        return say_range(progress, number(p))
    return None


def say_range(progress: Progress, p: str) -> str:
    """``percentage-range``'s message for the value said ``p``."""
    return f"{progress.field} {p} is outside {progress.range_text()}"


def percentage_regression(
    p: float, baseline: float | None, progress: Progress, resets: Sequence[str]
) -> str | None:
    """``percentage-regression``: a valid progress value below the baseline in effect
    (``resets``: the states that reset it, which the message names)."""
    if baseline is not None and p < baseline:
        return say_regression(progress, number(baseline), number(p), resets)
    return None


def say_regression(progress: Progress, baseline: str, p: str, resets: Sequence[str]) -> str:
    """``percentage-regression``'s message for the values said ``baseline`` and ``p``."""
    unless = " or ".join(f"'{s}'" for s in resets)
    return f"{progress.field} went down from {baseline} to {p}" + (
        f" with no {unless} in between" if unless else ""
    )


def next_baseline(
    baseline: float | None, resets: bool, p: object, progress: Progress
) -> float | None:
    """The progress baseline after an observation. A status that resets progress carries no
    baseline, whatever its own value; the first valid value (a number in the range) after it
    starts a new one. So after any reset the next value may be anything, and a run of resetting
    observations may go down.

    >>> pct = Progress("percentageComplete")
    >>> next_baseline(30.0, True, None, pct), next_baseline(30.0, True, 5, pct)
    (None, None)
    >>> next_baseline(None, False, 5, pct), next_baseline(30.0, False, "x", pct)
    (5, 30.0)
    >>> next_baseline(30.0, False, 101, pct)
    30.0
    """
    if resets:
        return None
    if _is_number(p) and percentage_range(p, progress) is None:
        return p
    return baseline


def completed_not_100(
    status: str, p: float, success: frozenset[str], progress: Progress
) -> str | None:
    """``completed-not-100``: a success status whose valid progress is not the range's top."""
    if status in success and p != progress.high:
        return say_not_top(status, progress, number(p))
    return None


def say_not_top(status: str, progress: Progress, p: str) -> str:
    """``completed-not-100``'s message for ``status`` with the value said ``p``."""
    return f"'{status}' with {progress.field} {p}, not {progress.high:g}"


# -- unknown status values: hints ----------------------------------------------------------


def unknown_status_message(status: str, spec: Spec) -> str:
    """The ``unknown-status`` message for ``status`` under ``spec``, with a hint where one applies
    (:mod:`jobstate.validation.hints`).

    >>> from jobstate.spec import get_spec
    >>> print(unknown_status_message("Completed", get_spec("current")))
    unknown status 'Completed' (spec current); did you mean 'completed'? (values are case-sensitive)
    """
    hint = hints_of(spec).hint(status)
    return f"unknown status {quoted(status)} (spec {spec.name}); " + (
        hint or "expected one of: " + ", ".join(spec.names)
    )


# -- message helpers -------------------------------------------------------------------------


QUOTED = 80
"""What a message quotes of an untrusted text value, in characters (:func:`quoted`)."""


def quoted(value: str, limit: int = QUOTED) -> str:
    """An untrusted text value quoted for a message: its ``repr``, cut to ``limit`` characters
    with its length said when longer (a status may be a megabyte).

    >>> quoted("shiny"), quoted("x" * 5000, 4)
    ("'shiny'", "'xxxx'… (5,000 characters)")
    """
    if len(value) <= limit:
        return repr(value)
    return f"{value[:limit]!r}… ({len(value):,} characters)"


def number(value: float) -> str:
    """A number as a message says it: its shortest exact form, an integral value without
    ``.0`` (``50``, ``33.33333333333333``, ``1e+16``, ``nan``), as the generated SQL says it
    (:mod:`jobstate.sql_messages`); an integer too large for a float by its digits' count.

    >>> number(50), number(50.0), number(2 / 3), number(-0.0), number(1e16), number(10**400)
    ('50', '50', '0.6666666666666666', '-0', '1e+16', 'an integer of 401 digits')
    """
    if isinstance(value, int):
        if -(10**16) < value < 10**16:
            return str(value)
        try:
            return number(float(value))
        except OverflowError:  # no float holds it
            return _big(value)
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def _big(value: int) -> str:
    digits = len(str(abs(value))) if value.bit_length() < 14_000 else "over 4,200"
    return f"{'-' if value < 0 else ''}an integer of {digits} digits"


def json_type(value: object) -> str:
    """The JSON type of ``value`` as a message says it (``a string``, ``null``, ...)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, (list, tuple)):
        return "an array"
    return type(value).__name__


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
