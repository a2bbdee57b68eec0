"""JSON documents: an array of records (bodies or wrappers), or a single body."""

from __future__ import annotations

from typing import IO

from jobstate._json import JSONDecodeError, loads
from jobstate.exceptions import InputError
from jobstate.readers.fields import json_reason, read_document
from jobstate.readers.routing import JobRouter
from jobstate.results import InputSummary
from jobstate.validation.rules import json_type

__all__ = ["read_json"]


def read_json(fh: IO[bytes], summary: InputSummary, router: JobRouter) -> None:
    """Read a JSON document: each array element is one unit; an object is one body."""
    raw = read_document(fh, summary.name, router.opts.max_document_bytes, "a JSON")
    if not raw.strip():
        return
    try:
        doc = loads(raw)
    except JSONDecodeError as exc:
        raise InputError(f"{summary.name}: not valid JSON ({json_reason(exc)})") from None
    if isinstance(doc, list):
        summary.units_read = len(doc)
        router.route_records(doc, range(1, len(doc) + 1))
    elif isinstance(doc, dict):
        summary.units_read = 1
        router.route_records([doc], [1])
    else:
        raise InputError(
            f"{summary.name}: JSON top level is {json_type(doc)}, not an array or object"
        )
