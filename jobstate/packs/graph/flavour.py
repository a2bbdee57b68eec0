"""What makes the generated traces of the pack's specs look like the Graph monitor's answers
(:mod:`jobstate.strategies` asks for it): the optional fields its samples carry, the new item's
id a completed copy names, and the values a client meets that are not in a spec (the other
revision's, neighbouring vocabularies', case and spacing slips; sources: optional-properties,
completion-sample)."""

from __future__ import annotations

from typing import Any

__all__ = ["EXTRAS", "RESULT", "STRANGERS"]

EXTRAS: tuple[dict[str, Any], ...] = ({}, {"operation": "ItemCopy"}, {"operation": "DownloadUrl"})
"""The optional fields of a job's bodies (one choice a trace)."""

RESULT = ("resourceId", "01MOWKYVJML57KN2ANMBA3JZJS2MBGC7KK")
"""The field naming the new item on success, and an id in the shape of the Graph copy
sample's."""

STRANGERS: tuple[str, ...] = (
    "Completed",
    "InProgress",
    "running",
    "succeeded",
    "Canceled",
    "canceled",
    "unknownFutureValue",
    "pending",
    "",
    " completed",
    "deleteFailed",
    "updating",
    "cancelled",
    "cancelPending",
    "deletePending",
)
"""Values outside a spec a client may meet (those of the spec itself are left out by the
caller)."""
