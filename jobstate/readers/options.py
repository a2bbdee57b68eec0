"""Where the job key, the body, the order and the HTTP status sit in each record."""

from __future__ import annotations

from dataclasses import dataclass

from jobstate._constants import MAX_DOCUMENT, MAX_RECORD, STALL_SECONDS, Engine, Format

__all__ = ["ReadOptions"]


@dataclass(frozen=True)
class ReadOptions:
    """Where the job key, the body, the order and the HTTP status sit in each record.

    Paths are dotted (``request.url``; a number indexes an array). For CSV they name columns:
    ``job_key`` defaults to ``job_id`` there, and ``status_column``/``percentage_column`` name
    the body's two columns. Without ``job_key``, a JSON or JSON Lines input is one job.

    ``max_record_bytes``: the longest JSON Lines line or CSV row read (bytes); a longer one is
    rejected without being held. ``max_document_bytes``: the largest JSON or HAR document (read
    whole); a larger one is refused. ``time_key``: where each poll's time sits (an RFC 3339
    time or seconds since the epoch); it turns on the client-behaviour findings for formats
    other than HAR (whose entries carry their times). ``poll_floor``: the shortest interval
    (seconds) a client may leave between polls of one monitor (``poll-interval``).
    ``stall``: how long (seconds) a timed job may show the same status and progress before
    it is reported ``stalled`` (``None``: never).
    ``engine``: what checks the input, ``auto``, ``python``, ``polars`` or ``duckdb`` (Parquet
    files); every engine gives the same report. ``jobs``: read only the jobs whose keys (as
    text) are in it, skipping the other records uncounted (a second, closer look at a few jobs
    of a big input: the HTML report draws their polls so).
    """

    job_key: str | None = None
    body_key: str | None = None
    order_by: str | None = None
    http_key: str | None = None
    time_key: str | None = None
    status_column: str | None = None
    percentage_column: str | None = None
    format: Format | None = None
    max_record_bytes: int = MAX_RECORD
    max_document_bytes: int = MAX_DOCUMENT
    poll_floor: float | None = None
    stall: float | None = STALL_SECONDS
    engine: Engine = "auto"
    jobs: frozenset[str] | None = None
