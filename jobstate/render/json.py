"""JSON payloads for programs: the check report, a client's findings, the profile matrix.

(A spec's payload is :meth:`~jobstate.Spec.to_dict`.)
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import islice
from typing import TYPE_CHECKING, Any

from jobstate._constants import FailOn
from jobstate.results import Report

if TYPE_CHECKING:  # annotations only: the client models load when a command needs them
    from jobstate.clients import ClientModel, Finding
    from jobstate.validation.rules import Rule

__all__ = [
    "JSON_BATCH",
    "client_payload",
    "matrix_payload",
    "report_json",
    "report_payload",
    "rules_payload",
]

JSON_BATCH = 4096
"""Jobs encoded at a time by :func:`report_json`."""

_JOBS = b'\n  "jobs": []'  # where the jobs go in the indented document: once, at the top level


def report_payload(
    report: Report, *, fail_on: FailOn, unusable: Sequence[str], jobs: bool = True
) -> dict[str, Any]:
    """The JSON report: :meth:`Report.to_dict` with ``fail_on`` and the ``unusable`` inputs
    (``jobs=False``: an empty ``jobs`` list)."""
    out = report.to_dict(jobs=jobs)
    out["fail_on"] = fail_on
    out["unusable"] = list(unusable)
    if report.rules is not None:
        out["rules"] = sorted(report.rules)
    return out


def report_json(
    report: Report, *, fail_on: FailOn, unusable: Sequence[str], batch: int = JSON_BATCH
) -> Iterator[bytes]:
    """The indented JSON of :func:`report_payload`, in pieces: the jobs are encoded ``batch``
    at a time, so neither the document nor a dict per job is ever held whole.

    >>> from jobstate import validate
    >>> from jobstate._json import dumps
    >>> r = validate({"a": [{"status": "completed"}], "b": [{"status": "Done"}]})
    >>> b"".join(report_json(r, fail_on="error", unusable=[], batch=1)) == dumps(
    ...     report_payload(r, fail_on="error", unusable=[]), indent=True)
    True
    """
    from jobstate._json import dumps

    head = dumps(
        report_payload(report, fail_on=fail_on, unusable=unusable, jobs=False), indent=True
    )
    jobs = report.job_dicts()
    first = list(islice(jobs, batch))
    if not first:
        yield head
        return
    before, after = head.split(_JOBS)  # strings are escaped: no raw newline but the layout's
    yield before + b'\n  "jobs": [\n'
    sep = b""
    while first:
        text = dumps(first, indent=True)  # b'[\n  {...},\n  {...}\n]': items at two spaces
        yield sep + b"  " + text[2:-2].replace(b"\n", b"\n  ")
        sep = b",\n"
        first = list(islice(jobs, batch))
    yield b"\n  ]" + after


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
