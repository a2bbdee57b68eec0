"""Where the job key, the body, the order and the HTTP status sit in each record."""

from __future__ import annotations

from dataclasses import dataclass

from jobstate._constants import PCT, Format

__all__ = ["ReadOptions"]


@dataclass(frozen=True)
class ReadOptions:
    """Where the job key, the body, the order and the HTTP status sit in each record.

    Paths are dotted (``request.url``; a number indexes an array). For CSV they name columns:
    ``job_key`` defaults to ``job_id`` there, and ``status_column``/``percentage_column`` name
    the body's two columns. Without ``job_key``, a JSON or JSON Lines input is one job.
    """

    job_key: str | None = None
    body_key: str | None = None
    order_by: str | None = None
    http_key: str | None = None
    status_column: str = "status"
    percentage_column: str = PCT
    format: Format | None = None
