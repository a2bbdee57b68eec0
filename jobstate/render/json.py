"""JSON payloads for programs: the check report, a client's findings, the profile matrix.

(A spec's payload is :meth:`~jobstate.Spec.to_dict`.)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from jobstate._constants import FailOn
from jobstate.results import Report

if TYPE_CHECKING:  # annotations only: the client models load when a command needs them
    from jobstate.clients import ClientModel, Finding
    from jobstate.validation.rules import Rule

__all__ = ["client_payload", "matrix_payload", "report_payload", "rules_payload"]


def report_payload(report: Report, *, fail_on: FailOn, unusable: Sequence[str]) -> dict[str, Any]:
    """The JSON report: :meth:`Report.to_dict` with ``fail_on`` and the ``unusable`` inputs."""
    out = report.to_dict()
    out["fail_on"] = fail_on
    out["unusable"] = list(unusable)
    if report.rules is not None:
        out["rules"] = sorted(report.rules)
    return out


def client_payload(model: ClientModel, spec: str, findings: Sequence[Finding]) -> dict[str, Any]:
    """A client's findings under ``spec``, with the model's source and notes."""
    return {
        "client": model.name,
        "spec": spec,
        "source": model.source,
        "notes": model.notes,
        "ok": not any(f.severity == "error" for f in findings),
        "findings": [f.to_dict() for f in findings],
    }


def rules_payload(rules: Iterable[Rule]) -> list[dict[str, Any]]:
    """Every rule: id, severity, provenance, summary and rationale."""
    return [
        {
            "id": r.id,
            "severity": r.severity,
            "provenance": r.provenance,
            "summary": r.summary,
            "rationale": r.rationale,
        }
        for r in rules
    ]


def matrix_payload(
    table: Mapping[str, Mapping[str, Sequence[Finding]]], profiles: Mapping[str, ClientModel]
) -> dict[str, Any]:
    """``{profile: {"source", "notes", spec: [finding, ...]}}``."""
    return {
        p: {
            "source": profiles[p].source,
            "notes": profiles[p].notes,
            **{s: [f.to_dict() for f in fs] for s, fs in per.items()},
        }
        for p, per in table.items()
    }
