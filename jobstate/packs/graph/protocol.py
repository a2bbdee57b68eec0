"""Microsoft Graph's monitor protocol as data: how each dialect answers a poll (``graph``,
``onedrive``, ``business``) and the deviations the live service shows. Like the spec's edges,
every dialect and deviation carries its provenance (``doc``: quoted from a documented page;
``inferred``: seen on the live service or our reading, with a one-line rationale) and the entry
of ``docs/sources.md`` it rests on. The exchange and its reading are the engine's
(:mod:`jobstate.spec.protocol`).

>>> DIALECTS["onedrive"].completion, DIALECTS["graph"].completion, DIALECTS["business"].running
(303, 202, 200)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from jobstate._constants import Provenance

__all__ = ["DEVIATIONS", "DIALECTS", "GONE_ERROR", "Deviation", "Dialect", "protocol_dict"]

GONE_ERROR = "operationNotFound"
"""The error code that says a monitor no longer exists, whatever its HTTP status
(sources: operation-not-found); the engine's reading of an answer takes it from here
(:mod:`jobstate.spec.protocol`)."""


@dataclass(frozen=True)
class Dialect:
    """How a monitor answers: the HTTP status while the job runs and at the end.

    ``completion`` is the HTTP status of a successful end: ``202``/``200`` with the
    ``completed`` body (and its ``resourceId``), or ``303`` See Other with a ``Location`` to the
    new item and no status body.
    """

    name: str
    running: int
    completion: int
    provenance: Provenance
    rationale: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "running": self.running,
            "completion": self.completion,
            "provenance": self.provenance,
            "rationale": self.rationale,
        }


@dataclass(frozen=True)
class Deviation:
    """An answer the live service was seen to give outside a dialect's plain course.

    ``when``: ``running`` (in the middle of a job), ``end`` (instead of the terminal answer),
    ``after-end`` (once the job has ended), ``auth`` (to a poll that sends ``Authorization``),
    ``any`` (on any poll).
    """

    id: str
    http: int
    when: str
    description: str
    provenance: Provenance
    rationale: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "http": self.http,
            "when": self.when,
            "description": self.description,
            "provenance": self.provenance,
            "rationale": self.rationale,
        }


DIALECTS: Mapping[str, Dialect] = {
    d.name: d
    for d in (
        Dialect(
            "graph",
            202,
            202,
            "doc",
            "the Graph copy page shows a finished job as '202 Accepted' with"
            " {percentageComplete: 100.0, resourceId, status: completed}"
            " (sources: completion-sample, monitor-running)",
        ),
        Dialect(
            "onedrive",
            202,
            303,
            "doc",
            "the OneDrive copy page: once done, the monitor answers '303 See Other' with a"
            " Location to the new item (sources: completion-303)",
        ),
        Dialect(
            "business",
            200,
            200,
            "inferred",
            "observed: OneDrive for Business drives answer 200 on every poll, with the same"
            " status bodies (sources: business-200)",
        ),
    )
}
"""The dialects: ``graph``, ``onedrive`` and ``business``."""

DEVIATIONS: Mapping[str, Deviation] = {
    d.id: d
    for d in (
        Deviation(
            "transient-500",
            500,
            "running",
            "a 500 whose body is a valid status body, in the middle of a job",
            "inferred",
            "observed on the live service; the next poll answers as before"
            " (sources: transient-500)",
        ),
        Deviation(
            "expired-404",
            404,
            "after-end",
            "404 once the monitor's record expires after the end",
            "inferred",
            "observed: about four hours after the end (sources: expiry-404)",
        ),
        Deviation(
            "operation-not-found",
            500,
            "end",
            "500 with error code operationNotFound at the end of a job",
            "inferred",
            "observed on the live service (sources: operation-not-found)",
        ),
        Deviation(
            "location-is-item",
            200,
            "end",
            "the monitor URL answers with the finished item itself (a body with no status)",
            "inferred",
            "observed: a Location that points at the item rather than a monitor"
            " (sources: location-is-item)",
        ),
        Deviation(
            "bearer-401",
            401,
            "auth",
            "401 to a poll that sends a bearer token to the pre-authenticated monitor URL",
            "doc",
            "'The location URL returned may not be on the Microsoft Graph API endpoint'"
            " (sources: monitor-elsewhere); the 401 itself was observed (sources: bearer-401)",
        ),
        Deviation(
            "retry-after",
            202,
            "any",
            "a Retry-After header (seconds) on a running answer: poll no sooner",
            "inferred",
            "not documented for these monitors; the Azure REST guidelines' monitors send it"
            " (sources: azure-lro), and HTTP defines it for 3xx and 503 (RFC 9110 §10.2.3)",
        ),
    )
}
"""The observed deviations any dialect may show, by id."""


def protocol_dict() -> dict[str, Any]:
    """The dialects and deviations as JSON-ready data (``jobstate spec`` prints it)."""
    return {
        "dialects": [d.to_dict() for d in DIALECTS.values()],
        "deviations": [d.to_dict() for d in DEVIATIONS.values()],
    }
