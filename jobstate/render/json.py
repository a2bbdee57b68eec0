"""JSON payloads for programs: the check report, a client's findings, the profile matrix.

(A spec's payload is :meth:`~jobstate.Spec.to_dict`.)
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import islice
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from jobstate._constants import FailOn, Outcome
from jobstate._json import dumps
from jobstate.render.columns import (
    CLEAN_COLUMNS,
    OneBehind,
    clean_frame,
    cut,
    fill,
    joined_keys,
    polars_for,
)
from jobstate.results import JobReport, JobTable, Report, dicts_of

if TYPE_CHECKING:  # annotations only: the client models load when a command needs them
    from jobstate.clients import ClientModel, Finding
    from jobstate.validation.behaviour import BehaviourRule
    from jobstate.validation.rules import Rule

__all__ = [
    "JSON_BATCH",
    "client_payload",
    "matrix_payload",
    "report_json",
    "report_jsonl",
    "report_payload",
    "rules_payload",
]

JSON_BATCH = 4096
"""Jobs encoded at a time by :func:`report_json` (polars writes 4 times as many at once:
16,384 jobs, whose text polars builds in about 20 MB more; 65,536 took 230 MB more)."""

_MARKS = ("\ue000key", "\ue000outcome", -900000001, -900000002, -900000003)
"""Values of a sample clean job whose text, written by the dict path, is cut where they appear
to make the template polars fills (key, outcome, observations, first and last line)."""
_ESCAPED = re.compile(r'[\x00-\x1f"\\]')
"""The characters JSON escapes in a string (orjson escapes no others): a key holding one is
written by the dict path."""

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
    report: Report,
    *,
    fail_on: FailOn,
    unusable: Sequence[str],
    batch: int = JSON_BATCH,
    polars: bool | None = None,
) -> Iterator[bytes]:
    """The indented JSON of :func:`report_payload`, in pieces: the jobs are encoded ``batch``
    at a time, so neither the document nor a dict per job is ever held whole.

    A :class:`~jobstate.JobTable` of at least ``batch`` jobs is written by polars where it is
    already loaded (``polars=None``: the reader of a big input loaded it; ``True``: import it),
    ``4 * batch`` jobs at a time: its clean jobs fill a template cut from the dict path's own
    text of a sample job, and the others (exact reports, HTTP counts, keys JSON escapes) are
    written by the dict path. Both ways give the same bytes (a property checks it).

    >>> from jobstate import validate
    >>> r = validate({"a": [{"status": "completed"}], "b": [{"status": "Done"}]})
    >>> b"".join(report_json(r, fail_on="error", unusable=[], batch=1)) == dumps(
    ...     report_payload(r, fail_on="error", unusable=[]), indent=True)
    True
    """
    head = dumps(
        report_payload(report, fail_on=fail_on, unusable=unusable, jobs=False), indent=True
    )
    pl = polars_for(polars)
    pieces = (piece for part in report.job_parts() for piece in _part_json(part, batch, pl))
    first = next(pieces, None)
    if first is None:
        yield head
        return
    before, after = head.split(_JOBS)  # strings are escaped: no raw newline but the layout's
    yield before + b'\n  "jobs": [\n' + first
    for piece in pieces:
        yield b",\n" + piece
    yield b"\n  ]" + after


def _items(dicts: list[dict[str, Any]]) -> bytes:
    """``dicts`` as items of the report's ``jobs`` list: indented, joined by ``,\\n``."""
    text = dumps(dicts, indent=True)  # b'[\n  {...},\n  {...}\n]': items at two spaces
    return b"  " + text[2:-2].replace(b"\n", b"\n  ")


def _lines(dicts: list[dict[str, Any]]) -> bytes:
    """``dicts`` as JSON Lines: compact, joined by ``\\n``."""
    return b"\n".join(map(dumps, dicts))


class _Layout(NamedTuple):
    """How jobs are written: each batch's text, and what joins two jobs."""

    items: Callable[[list[dict[str, Any]]], bytes]
    sep: str


_INDENTED = _Layout(_items, ",\n")
_COMPACT = _Layout(_lines, "\n")


def report_jsonl(
    report: Report,
    *,
    fail_on: FailOn,
    unusable: Sequence[str],
    batch: int = JSON_BATCH,
    polars: bool | None = None,
) -> Iterator[bytes]:
    """The report as JSON Lines, in pieces: one compact line per job, each the object
    :func:`report_json` lists in ``jobs`` (in the same order), then one line with the rest of
    that document (``ok``, ``spec``, ``mode``, ``totals``, ``inputs``, ...: the one line with a
    ``totals`` key), so that a reader can stream the jobs and DuckDB's ``read_json`` or ``jq
    -c`` read it without holding the whole.

    >>> from jobstate import validate
    >>> r = validate({"a": [{"status": "completed"}], "b": [{"status": "Done"}]})
    >>> text = b"".join(report_jsonl(r, fail_on="error", unusable=[]))
    >>> [line[:24] for line in text.splitlines()]
    [b'{"key":"a","input":null,', b'{"key":"b","input":null,', b'{"ok":false,"spec":"curr']
    """
    pl = polars_for(polars)
    for part in report.job_parts():
        for piece in _part_json(part, batch, pl, _COMPACT):
            yield piece + b"\n"
    rest = report_payload(report, fail_on=fail_on, unusable=unusable, jobs=False)
    del rest["jobs"]
    yield dumps(rest) + b"\n"


def _part_json(
    part: Sequence[JobReport], batch: int, pl: Any, layout: _Layout = _INDENTED
) -> Iterator[bytes]:
    """The items of ``part``'s jobs, a batch (or a polars window) at a time."""
    if pl is not None and isinstance(part, JobTable) and len(part) >= batch:
        template = _clean_template(part, layout)
        if template is not None:
            yield from _table_json(part, template, 4 * batch, pl, layout)
            return
    dicts = dicts_of(part)
    while chunk := list(islice(dicts, batch)):
        yield layout.items(chunk)


def _clean_template(table: JobTable, layout: _Layout) -> list[str] | None:
    """The text of a clean job of ``table`` as literal pieces between column names (even
    places: text; odd: a name of ``CLEAN_COLUMNS``), cut from the dict path's text of a job with
    the values ``_MARKS``; ``None`` where a mark's text is not found exactly once (the input's
    name holds it)."""
    key, outcome, count, first, last = _MARKS
    sample = JobTable(
        table.spec,
        table.mode,
        table.input,
        [str(key)],
        [cast(Outcome, outcome)],
        [int(count)],
        [int(first)],
        [int(last)],
    )
    text = layout.items(list(sample.dicts())).decode()
    return cut(text, dict(zip(map(str, _MARKS), CLEAN_COLUMNS, strict=True)))


def _table_json(
    table: JobTable, template: list[str], window: int, pl: Any, layout: _Layout
) -> Iterator[bytes]:
    """``table``'s items, ``window`` jobs at a time, written by polars: on a thread of its own,
    while the next window's frame and special jobs are made here."""
    text = fill(pl, template)
    listed = sorted({*table.exact, *table.http})  # the dict path writes these
    with OneBehind[bytes]() as behind:
        for a in range(0, len(table), window):
            b = min(a + window, len(table))
            special = listed[bisect_left(listed, a) : bisect_left(listed, b)]
            df = _window_frame(table, a, b, special, pl, layout.items)
            if isinstance(df, bytes):
                yield from behind.drain()
                yield df
            else:
                yield from behind.put(_joined, df, text, pl, layout.sep)
        yield from behind.drain()


def _window_frame(
    table: JobTable,
    a: int,
    b: int,
    special: list[int],
    pl: Any,
    items: Callable[[list[dict[str, Any]]], bytes],
) -> Any:
    """The frame whose rows :func:`_joined` writes as ``table``'s items ``a`` to ``b``: a
    ``text`` column holds the dict path's text of the ``special`` jobs and of those whose key
    JSON escapes, null elsewhere. Where most are special (as when every job has HTTP counts: one
    orjson call is faster) or polars cannot hold a value: the items themselves."""
    df = None if 2 * len(special) > b - a else clean_frame(pl, table, a, b)
    if df is None:
        return items(list(table.dicts(range(a, b))))
    rows = special
    if not _plain(table.keys[a:b]):
        escaped = df.get_column("key").str.contains(_ESCAPED.pattern).fill_null(True)  # no key
        rows = sorted({*special, *(a + i for i in escaped.arg_true().to_list())})
    texts: list[str | None] = [None] * (b - a)
    for i, d in zip(rows, table.dicts(rows), strict=True):
        texts[i - a] = items([d]).decode()
    return df.with_columns(pl.Series("text", texts, dtype=pl.String))


def _plain(keys: list[str | None]) -> bool:
    """Whether every key is text that JSON writes as it is (no escape).

    >>> _plain(["a", "b"]), _plain(["a", 'b"']), _plain(["a", None])
    (True, False, False)
    """
    joined = joined_keys(keys)
    return joined is not None and _ESCAPED.search(joined) is None


def _joined(df: Any, text: Any, pl: Any, sep: str) -> bytes:
    """The items of :func:`_window_frame`'s rows, joined by ``sep``: the ``text`` column where
    set, else ``text`` (the template's expression) filled by polars."""
    joined = df.select(pl.coalesce("text", text).str.join(sep).cast(pl.Binary)).item()
    return cast(bytes, joined)


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


def behaviours_payload(rules: Iterable[BehaviourRule]) -> list[dict[str, Any]]:
    """Every client-behaviour finding id: severity, provenance, summary and rationale."""
    return [
        {
            "id": r.id,
            "severity": r.severity,
            "provenance": r.provenance,
            "summary": r.description,
            "rationale": r.rationale,
            "scope": "client",
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
