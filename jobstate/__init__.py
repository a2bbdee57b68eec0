"""jobstate: the executable specification of Microsoft Graph's asyncJobStatus lifecycle.

>>> import jobstate
>>> jobstate.validate([{"status": "inProgress"}, {"status": "completed"}]).ok
True
"""

from __future__ import annotations

from jobstate._trace import MutatedTrace, Trace
from jobstate.clients import PROFILES, ClientModel, Finding, check_client
from jobstate.readers import Input, InputError, ReadOptions, read_input, read_jsonl
from jobstate.spec import (
    SPEC_NAMES,
    Edge,
    Outcome,
    Provenance,
    Spec,
    SpecError,
    State,
    StateClass,
    get_spec,
)
from jobstate.validation import (
    RULES,
    JobReport,
    Mode,
    Report,
    Rule,
    Severity,
    Step,
    StepKind,
    Validator,
    Violation,
    validate,
)


def __getattr__(name: str) -> str:
    """``__version__``, read from the installed metadata on first use (importlib.metadata
    costs tens of milliseconds at start-up, which the CLI does not pay unless asked)."""
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            value = version("jobstate")
        except PackageNotFoundError:  # pragma: no cover - running from a source tree
            value = "0.0.0+unknown"
        globals()["__version__"] = value
        return value
    raise AttributeError(f"module 'jobstate' has no attribute {name!r}")


__all__ = [
    "PROFILES",
    "RULES",
    "SPEC_NAMES",
    "ClientModel",
    "Edge",
    "Finding",
    "Input",
    "InputError",
    "JobReport",
    "Mode",
    "MutatedTrace",
    "Outcome",
    "Provenance",
    "ReadOptions",
    "Report",
    "Rule",
    "Severity",
    "Spec",
    "SpecError",
    "State",
    "StateClass",
    "Step",
    "StepKind",
    "Trace",
    "Validator",
    "Violation",
    "__version__",
    "check_client",
    "get_spec",
    "read_input",
    "read_jsonl",
    "validate",
]
