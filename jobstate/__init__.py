"""jobstate: the executable specification of Microsoft Graph's asyncJobStatus lifecycle.

Every public name is ``jobstate.X`` (the modules under it are the pipeline's rooms, not import
paths to rely on), except three public modules: :mod:`jobstate.strategies` and
:mod:`jobstate.testing` (they need Hypothesis) and :mod:`jobstate.monitor` (the poller; it needs
httpx).

>>> import jobstate
>>> jobstate.validate([{"status": "inProgress"}, {"status": "completed"}]).ok
True
"""

from contextlib import suppress as _suppress
from types import FunctionType as _FunctionType
from typing import TYPE_CHECKING as _TYPE_CHECKING
from typing import Any as _Any

if _TYPE_CHECKING:  # the names as type checkers see them; at run time each loads on first use
    from jobstate._constants import (
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
    from jobstate.emulator import MonitorServer
    from jobstate.exceptions import (
        ClientModelError,
        DiagramError,
        InputError,
        JobstateError,
        MonitorError,
        OptionError,
        PollsForever,
        SpecError,
    )
    from jobstate.grading import BehaviourFinding, Grade
    from jobstate.packs.graph import FUTURE_VALUE
    from jobstate.packs.graph.profiles import PROFILES
    from jobstate.packs.graph.protocol import DEVIATIONS, DIALECTS, Deviation, Dialect
    from jobstate.packs.graph.scenarios import SCENARIOS
    from jobstate.readers import ReadOptions, detect_format, read_input
    from jobstate.results import (
        CleanJob,
        CleanRun,
        InputSummary,
        JobReport,
        JobTable,
        Rejected,
        Report,
        Step,
        Totals,
        Violation,
    )
    from jobstate.spark import spark_validate, spark_violations
    from jobstate.spec import Edge, Spec, State, get_spec
    from jobstate.spec.loading import load_spec
    from jobstate.spec.protocol import Exchange
    from jobstate.spec.scenarios import Answer, Scenario
    from jobstate.sql import DUCKDB_NAN_SAFE, generate_sql
    from jobstate.validation import RULES, Rule, Validator, unknown_status_message, validate
    from jobstate.validation.behaviour import BEHAVIOURS, BehaviourRule

_LAZY: dict[str, str] = {
    "DUCKDB_NAN_SAFE": "jobstate.sql",
    "FUTURE_VALUE": "jobstate.packs.graph",
    "SPEC_NAMES": "jobstate._constants",
    "SQL_DIALECTS": "jobstate._constants",
    "Action": "jobstate._constants",
    "DiagramFormat": "jobstate._constants",
    "FailOn": "jobstate._constants",
    "Format": "jobstate._constants",
    "Mode": "jobstate._constants",
    "Outcome": "jobstate._constants",
    "Provenance": "jobstate._constants",
    "Severity": "jobstate._constants",
    "StateClass": "jobstate._constants",
    "StepKind": "jobstate._constants",
    "UnknownAction": "jobstate._constants",
    "MutatedTrace": "jobstate._trace",
    "Trace": "jobstate._trace",
    "FINDINGS": "jobstate.clients",
    "ClientModel": "jobstate.clients",
    "Finding": "jobstate.clients",
    "check_client": "jobstate.clients",
    "load_model": "jobstate.clients",
    "matrix": "jobstate.clients",
    "ObservedCounts": "jobstate.diagrams",
    "count_observed": "jobstate.diagrams",
    "diagram": "jobstate.diagrams",
    "observed_dot": "jobstate.diagrams",
    "render_dot": "jobstate.diagrams",
    "to_dot": "jobstate.diagrams",
    "to_mermaid": "jobstate.diagrams",
    "write_diagrams": "jobstate.diagrams",
    "MonitorServer": "jobstate.emulator",
    "ClientModelError": "jobstate.exceptions",
    "DiagramError": "jobstate.exceptions",
    "InputError": "jobstate.exceptions",
    "JobstateError": "jobstate.exceptions",
    "MonitorError": "jobstate.exceptions",
    "OptionError": "jobstate.exceptions",
    "PollsForever": "jobstate.exceptions",
    "SpecError": "jobstate.exceptions",
    "PROFILES": "jobstate.packs.graph.profiles",
    "ReadOptions": "jobstate.readers",
    "detect_format": "jobstate.readers",
    "read_input": "jobstate.readers",
    "BehaviourFinding": "jobstate.grading",
    "CleanJob": "jobstate.results",
    "CleanRun": "jobstate.results",
    "Grade": "jobstate.grading",
    "InputSummary": "jobstate.results",
    "JobReport": "jobstate.results",
    "JobTable": "jobstate.results",
    "Rejected": "jobstate.results",
    "Report": "jobstate.results",
    "Step": "jobstate.results",
    "Totals": "jobstate.results",
    "Violation": "jobstate.results",
    "spark_validate": "jobstate.spark",
    "spark_violations": "jobstate.spark",
    "Edge": "jobstate.spec",
    "Spec": "jobstate.spec",
    "State": "jobstate.spec",
    "get_spec": "jobstate.spec",
    "load_spec": "jobstate.spec.loading",
    "DEVIATIONS": "jobstate.packs.graph.protocol",
    "DIALECTS": "jobstate.packs.graph.protocol",
    "Deviation": "jobstate.packs.graph.protocol",
    "Dialect": "jobstate.packs.graph.protocol",
    "Exchange": "jobstate.spec.protocol",
    "SCENARIOS": "jobstate.packs.graph.scenarios",
    "Answer": "jobstate.spec.scenarios",
    "Scenario": "jobstate.spec.scenarios",
    "generate_sql": "jobstate.sql",
    "RULES": "jobstate.validation",
    "Rule": "jobstate.validation",
    "Validator": "jobstate.validation",
    "unknown_status_message": "jobstate.validation",
    "validate": "jobstate.validation",
    "BEHAVIOURS": "jobstate.validation.behaviour",
    "BehaviourRule": "jobstate.validation.behaviour",
}
"""Where each public name lives: each is imported on first use, so ``import jobstate`` (and the
CLI's start-up) pays only for what is used. Type checkers read the imports above."""


def __getattr__(name: str) -> _Any:
    """``__version__`` (read from the installed metadata on first use: importlib.metadata costs
    tens of milliseconds) and the names of :data:`_LAZY`, each imported on first use."""
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            value = version("jobstate-graph")
        except PackageNotFoundError:  # pragma: no cover - running from a source tree
            value = "0.0.0+unknown"
        globals()["__version__"] = value
        return value
    if name in _LAZY:
        from importlib import import_module

        obj = getattr(import_module(_LAZY[name]), name)
        _publish(obj)
        globals()[name] = obj
        return obj
    raise AttributeError(f"module 'jobstate' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "BEHAVIOURS",
    "DEVIATIONS",
    "DIALECTS",
    "DUCKDB_NAN_SAFE",
    "FINDINGS",
    "FUTURE_VALUE",
    "PROFILES",
    "RULES",
    "SCENARIOS",
    "SPEC_NAMES",
    "SQL_DIALECTS",
    "Action",
    "Answer",
    "BehaviourFinding",
    "BehaviourRule",
    "CleanJob",
    "CleanRun",
    "ClientModel",
    "ClientModelError",
    "Deviation",
    "DiagramError",
    "DiagramFormat",
    "Dialect",
    "Edge",
    "Exchange",
    "FailOn",
    "Finding",
    "Format",
    "Grade",
    "InputError",
    "InputSummary",
    "JobReport",
    "JobTable",
    "JobstateError",
    "Mode",
    "MonitorError",
    "MonitorServer",
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
    "Scenario",
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
    "load_spec",
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


def _publish(obj: object) -> None:
    """One public namespace: reprs, tracebacks and docs say ``jobstate.Report``, not the room
    the class lives in."""
    if isinstance(obj, (type, _FunctionType)):
        with _suppress(AttributeError, TypeError):  # a built-in type keeps its own
            obj.__module__ = "jobstate"
