"""jobstate: the executable specification of Microsoft Graph's asyncJobStatus lifecycle.

>>> import jobstate
>>> jobstate.validate([{"status": "inProgress"}, {"status": "completed"}]).ok
True
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

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

try:
    __version__ = version("jobstate")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+unknown"

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
