"""jobstate: the executable specification of Microsoft Graph's asyncJobStatus lifecycle.

Every public name is ``jobstate.X`` (the modules under it are the pipeline's rooms, not import
paths to rely on), except two public modules that need Hypothesis: :mod:`jobstate.strategies`
and :mod:`jobstate.testing`.

>>> import jobstate
>>> jobstate.validate([{"status": "inProgress"}, {"status": "completed"}]).ok
True
"""

from contextlib import suppress as _suppress
from types import FunctionType as _FunctionType

from jobstate._constants import (
    FUTURE_VALUE,
    SPEC_NAMES,
    SQL_DIALECTS,
    Action,
    DiagramFormat,
    FailOn,
    Format,
    Mode,
    Outcome,
    Provenance,
    Severity,
    StateClass,
    StepKind,
    UnknownAction,
)
from jobstate._trace import MutatedTrace, Trace
from jobstate.clients import FINDINGS, ClientModel, Finding, check_client, load_model, matrix
from jobstate.diagrams import (
    ObservedCounts,
    count_observed,
    diagram,
    observed_dot,
    render_dot,
    to_dot,
    to_mermaid,
    write_diagrams,
)
from jobstate.exceptions import (
    ClientModelError,
    DiagramError,
    InputError,
    JobstateError,
    OptionError,
    PollsForever,
    SpecError,
)
from jobstate.profiles import PROFILES
from jobstate.readers import ReadOptions, detect_format, read_input
from jobstate.results import (
    InputSummary,
    JobReport,
    Rejected,
    Report,
    Step,
    Totals,
    Violation,
)
from jobstate.spark import spark_validate, spark_violations
from jobstate.spec import Edge, Spec, State, get_spec
from jobstate.sql import generate_sql
from jobstate.validation import RULES, Rule, Validator, unknown_status_message, validate


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
    "FINDINGS",
    "FUTURE_VALUE",
    "PROFILES",
    "RULES",
    "SPEC_NAMES",
    "SQL_DIALECTS",
    "Action",
    "ClientModel",
    "ClientModelError",
    "DiagramError",
    "DiagramFormat",
    "Edge",
    "FailOn",
    "Finding",
    "Format",
    "InputError",
    "InputSummary",
    "JobReport",
    "JobstateError",
    "Mode",
    "MutatedTrace",
    "ObservedCounts",
    "OptionError",
    "Outcome",
    "PollsForever",
    "Provenance",
    "ReadOptions",
    "Rejected",
    "Report",
    "Rule",
    "Severity",
    "Spec",
    "SpecError",
    "State",
    "StateClass",
    "Step",
    "StepKind",
    "Totals",
    "Trace",
    "UnknownAction",
    "Validator",
    "Violation",
    "__version__",
    "check_client",
    "count_observed",
    "detect_format",
    "diagram",
    "generate_sql",
    "get_spec",
    "load_model",
    "matrix",
    "observed_dot",
    "read_input",
    "render_dot",
    "spark_validate",
    "spark_violations",
    "to_dot",
    "to_mermaid",
    "unknown_status_message",
    "validate",
    "write_diagrams",
]

# One public namespace: reprs, tracebacks and docs say ``jobstate.Report``, not the room the
# class lives in.
for _name in __all__:
    _obj = globals().get(_name)
    if isinstance(_obj, (type, _FunctionType)):
        with _suppress(AttributeError, TypeError):  # a built-in type keeps its own
            _obj.__module__ = "jobstate"
del _name, _obj, _suppress, _FunctionType
