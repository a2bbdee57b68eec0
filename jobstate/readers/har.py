"""HAR 1.2 captures: one job per monitor URL (query string aside), entries in
``startedDateTime`` order, each entry's own HTTP status, text and base64 bodies."""

from __future__ import annotations

import base64
import binascii
from typing import IO, Any, NamedTuple
from urllib.parse import SplitResult, urljoin, urlsplit

from jobstate._json import JSONDecodeError, loads
from jobstate.exceptions import InputError
from jobstate.readers.fields import http_status, json_reason, read_document, rfc3339_ns
from jobstate.readers.options import ReadOptions
from jobstate.readers.routing import JobRouter, Start
from jobstate.results import InputSummary, Record, Rejected
from jobstate.spec.protocol import MONITOR_PATHS, Exchange, retry_after_seconds
from jobstate.validation.rules import json_type

__all__ = ["read_har"]


class HarPoll(NamedTuple):
    """A HAR entry that is a poll of a monitor URL."""

    started: int | None  # nanoseconds since the epoch
    number: int
    job: str
    record: Record
    http: int | None
    exchange: Exchange


class _Entry(NamedTuple):
    """What one entry says: its URL, HTTP status, body (or why it has none) and method."""

    parts: SplitResult
    on_monitor: bool
    http: int | None
    text: Any
    body: Record
    why: str | None
    method: Any
    request: dict[str, Any]
    response: dict[str, Any]


def read_har(
    fh: IO[bytes], summary: InputSummary, router: JobRouter, vocabulary: frozenset[str]
) -> None:
    """Read a HAR document; ``vocabulary``: the status values that make a body a poll's."""
    _note_unused_options(router.opts, summary)
    router.time_get = None  # entries carry their own times: each poll is graded once, below
    entries = _har_entries(fh, summary.name, router.opts.max_document_bytes)
    summary.units_read = len(entries)
    polls: list[HarPoll] = []
    for number, entry in enumerate(entries, start=1):
        poll = _classify(number, entry, vocabulary, summary, router)
        if poll is not None:
            polls.append(poll)
    _order_by_time(polls, summary)
    for p in polls:  # the client's grade per monitor URL, from its polls in time order
        router.track(p.job, p.exchange, p.number)
    router.route_bodies(
        [p.job for p in polls],
        [p.record for p in polls],
        [p.number for p in polls],
        [p.http for p in polls],
    )


def _note_unused_options(options: ReadOptions, summary: InputSummary) -> None:
    ignored = [
        opt
        for opt, value in (
            ("--job-key", options.job_key),
            ("--body-key", options.body_key),
            ("--http-key", options.http_key),
            ("--order-by", options.order_by),
            ("--time-key", options.time_key),
        )
        if value is not None
    ]
    if ignored:
        summary.notes.append(
            f"{', '.join(ignored)} not used: a HAR has one job per monitor URL, in"
            " startedDateTime order, with each entry's own HTTP status and time"
        )


def _har_entries(fh: IO[bytes], name: str, limit: int) -> list[Any]:
    raw = read_document(fh, name, limit, "a HAR")
    try:
        doc = loads(raw)
    except JSONDecodeError as exc:
        raise InputError(f"{name}: not a HAR file: {json_reason(exc)}") from None
    log = doc.get("log") if isinstance(doc, dict) else None
    entries = log.get("entries") if isinstance(log, dict) else None
    if not isinstance(entries, list):
        raise InputError(f"{name}: not a HAR file (no log.entries array)")
    return entries


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _read_entry(entry: dict[str, Any], url: str) -> _Entry:
    req, resp = _obj(entry.get("request")), _obj(entry.get("response"))
    parts = urlsplit(url)
    http = http_status(resp.get("status"))
    content = _obj(resp.get("content"))
    text = content.get("text")
    body: Record = None
    why: str | None = None
    if isinstance(text, str):
        try:
            if content.get("encoding") == "base64":
                payload = base64.b64decode(text, validate=True)
            else:
                payload = text.encode("utf-8", "surrogatepass")
            body = loads(payload)
        except (binascii.Error, ValueError) as exc:
            mime = content.get("mimeType") or "no mimeType"
            if isinstance(exc, JSONDecodeError):
                why = f"HTTP {http}: response body is not JSON ({mime}): {exc}"
            else:
                why = f"HTTP {http}: response body is not valid base64 ({exc})"
    on_monitor = any(p in parts.path.lower() for p in MONITOR_PATHS)
    return _Entry(parts, on_monitor, http, text, body, why, req.get("method", "GET"), req, resp)


def _classify(
    number: int,
    entry: Any,
    vocabulary: frozenset[str],
    summary: InputSummary,
    router: JobRouter,
) -> HarPoll | None:
    """The entry as a poll, or ``None`` once it is accounted as skipped or unattributed; an
    entry that started a job (see :func:`_start_of`) goes in the router's ``starts``."""
    if not isinstance(entry, dict):
        summary.reject(number, f"HAR entry is {json_type(entry)}, not an object")
        return None
    url = _obj(entry.get("request")).get("url")
    if not isinstance(url, str):
        summary.reject(number, "HAR entry has no request.url")
        return None
    try:
        e = _read_entry(entry, url)
    except ValueError as exc:  # urlsplit: an invalid URL, such as an unclosed [IPv6 literal
        summary.reject(number, f"HAR entry has an invalid request.url ({exc})")
        return None
    job = e.parts._replace(query="", fragment="").geturl()
    started = rfc3339_ns(entry.get("startedDateTime"))
    start = _start_of(e, url, number, started)
    if start is not None:
        router.starts.setdefault(start.monitor, start)
    skip = _skip_reason(e, vocabulary, router.body_keys[0]) if start is None else _STARTED

    if skip is not None:
        summary.skipped[skip] += 1
        return None
    record = Rejected(e.why) if e.why is not None else e.body
    exchange = _exchange(e, started, router.keep, router.body_keys)
    return HarPoll(started, number, job, record, e.http, exchange)


_STARTED = "the request that started a job (202 Accepted, its monitor URL in Location)"


def _start_of(e: _Entry, url: str, number: int, started: int | None) -> Start | None:
    """The job an entry started, if it did: ``202 Accepted`` with a ``Location`` (the monitor
    URL, sources: monitor-start) to a request that is not itself a poll of a monitor."""
    if e.http != 202 or (e.on_monitor and e.method == "GET"):
        return None
    location = (_headers(e.response) or {}).get("location")
    if not location:
        return None
    try:
        target = urlsplit(urljoin(url, location.strip()))
    except ValueError:  # an invalid Location names no monitor to poll
        return None
    time = started / 1e9 if started is not None else None
    return Start(target._replace(query="", fragment="").geturl(), number, time)


def _headers(message: dict[str, Any]) -> dict[str, str] | None:
    """A message's headers by lower-case name (the last wins), ``None`` if not kept."""
    headers = message.get("headers")
    if not isinstance(headers, list):
        return None
    out: dict[str, str] = {}
    for h in headers:
        if isinstance(h, dict) and isinstance(h.get("name"), str):
            value = h.get("value")
            out[h["name"].lower()] = value if isinstance(value, str) else ""
    return out


def _exchange(
    e: _Entry, started: int | None, keep: tuple[str, ...], fields: tuple[str, str | None]
) -> Exchange:
    """What the client-behaviour findings read of an entry."""
    sent, got = _headers(e.request), _headers(e.response) or {}
    return Exchange.of(
        e.http,
        e.body,
        time=started / 1e9 if started is not None else None,
        authorization=None if sent is None else "authorization" in sent,
        retry_after=retry_after_seconds(got.get("retry-after")),
        location=got.get("location") or None,
        keep=keep,
        fields=fields,
    )


def _skip_reason(e: _Entry, vocabulary: frozenset[str], field: str) -> str | None:
    status = e.body.get(field) if isinstance(e.body, dict) else None
    has_status = isinstance(status, str) and status in vocabulary
    if not (has_status or e.on_monitor):
        return "not a monitor poll (URL is not a monitor path, body has no status)"
    if e.method != "GET" and not has_status:
        return f"{e.method} on a monitor URL (only GET polls are observations)"
    if not e.http:
        return "no response (aborted or blocked request, status 0)"
    if 300 <= e.http < 400:
        return None  # a completion (sources: completion-303): the router reads it so
    if (e.text is None or e.text == "") and e.http < 400:  # an error answer needs no body
        return "monitor poll whose body the capture did not keep"
    return None


def _order_by_time(polls: list[HarPoll], summary: InputSummary) -> None:
    """Sort ``polls`` by ``startedDateTime`` where every one has a usable time."""
    if polls and all(p.started is not None for p in polls):
        polls.sort(key=lambda p: (p.started, p.number))
    elif polls:
        summary.notes.append("some entries have no valid startedDateTime: kept file order")
