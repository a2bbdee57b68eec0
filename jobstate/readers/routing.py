"""Giving records to their jobs: straight to the stream, or held and sorted (``order_by``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, NamedTuple

from jobstate._words import shortened
from jobstate.readers.fields import Getter, body_at, getter, http_at, job_key_at, rfc3339_ns
from jobstate.readers.options import ReadOptions
from jobstate.results import InputSummary, Record
from jobstate.validation.rules import completes

if TYPE_CHECKING:  # numpy loads only when a check runs; the protocol, when one is tracked
    from jobstate.spec.protocol import Exchange
    from jobstate.validation.behaviour import BehaviourTracker
    from jobstate.validation.checker import CheckerStream
    from jobstate.validation.stream import Stream
    from jobstate.validation.tables import Tables
    from jobstate.validation.timing import TimeTracker

__all__ = ["FLUSH_BATCH", "HeldRecords", "JobRouter", "Lines", "Start", "Tracked", "seconds"]

Lines = Sequence[int]  # a list, or a range for a whole chunk


class Start(NamedTuple):
    """A request that started a job (a HAR's ``202 Accepted`` with a ``Location``): the
    monitor URL it gave (query aside), its entry and its time (seconds since the epoch)."""

    monitor: str
    number: int
    time: float | None


@dataclass
class HeldRecords:
    """Records held until their input ends (``order_by``), as columns: job key, the value they
    sort by, line, body, HTTP status, time (``time_key``)."""

    keys: list[Any] = field(default_factory=list)
    values: list[Any] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    bodies: list[Record] = field(default_factory=list)
    http: list[int | None] = field(default_factory=list)
    times: list[float | None] = field(default_factory=list)


class JobRouter:
    """Attributes records to jobs (by ``job_key``, else the input's one job) and feeds them to
    the stream; with ``order_by`` each job's records are held and sorted at :meth:`flush`."""

    def __init__(
        self,
        summary: InputSummary,
        stream: Stream | CheckerStream,
        options: ReadOptions,
        single_key: str,
    ) -> None:
        self.summary = summary
        self.stream = stream
        self.opts = options
        tables = stream.tables
        # the keys of the bodies a columnar reader builds (CSV, Parquet): the spec's fields
        self.body_keys: tuple[str, str | None] = (
            tables.status_field,
            tables.progress.field if tables.progress is not None else None,
        )
        self.single_key = single_key
        self.job_get = getter(options.job_key) if options.job_key else None
        self.body_get = getter(options.body_key) if options.body_key else None
        self.http_get = getter(options.http_key) if options.http_key else None
        self.order_get: Getter | None = getter(options.order_by) if options.order_by else None
        self.time_get: Getter | None = getter(options.time_key) if options.time_key else None
        self.held = HeldRecords()
        self.tracked: dict[Any, Tracked] = {}  # HAR or time_key: each job's grade, time, result
        self.starts: dict[str, Start] = {}  # a HAR: the requests that started jobs
        self.keep: tuple[str, ...] = stream.tables.spec.result  # fields that name a result
        self._known: frozenset[str] | None = None
        self.shape_checked = options.body_key is not None

    def route_records(self, recs: list[Record], lines: Lines) -> None:
        """Attribute parsed records (wrapper or body) to jobs and pass them on."""
        if not recs:
            return
        if not self.shape_checked:
            self._hint_wrapper(recs)
        keys, recs, lines = self._keys(recs, lines)
        bodies = self._bodies(recs)
        http = [http_at(self.http_get, r) for r in recs] if self.http_get else None
        self.route_bodies(keys, bodies, lines, http, recs)

    def _keys(self, recs: list[Record], lines: Lines) -> tuple[list[Any], list[Record], Lines]:
        """Each record's job key; records with none are accounted as unattributed and dropped
        from the batch."""
        if self.job_get is None:
            return [self.single_key] * len(recs), recs, lines
        try:
            keys = list(map(self.job_get, recs))
        except (KeyError, IndexError, TypeError, AttributeError):
            keys = []
        if len(keys) == len(recs) and set(map(type, keys)) <= {str}:
            return keys, recs, lines
        path = self.opts.job_key or ""
        keys, kept_recs, kept_lines = [], [], []
        for rec, line in zip(recs, lines, strict=False):
            key, why = job_key_at(self.job_get, rec, path)
            if why is not None:
                self.summary.reject(line, why)
                continue
            keys.append(key)
            kept_recs.append(rec)
            kept_lines.append(line)
        return keys, kept_recs, kept_lines

    def _hint_wrapper(self, recs: list[Record]) -> None:
        """Say so once when the first object has no status field (the spec's): likely a
        wrapper record."""
        self.shape_checked = True
        first = next((r for r in recs if isinstance(r, dict)), None)
        field = self.body_keys[0]
        if first is not None and field not in first:
            keys = ", ".join(sorted(str(k) for k in first)[:10])
            self.summary.notes.append(
                f"records have no {field!r} (keys: {keys}): if they wrap the monitor body,"
                " name it with --body-key (and the job with --job-key)"
            )

    def _bodies(self, recs: list[Record]) -> list[Record]:
        get = self.body_get
        if get is None:
            return recs
        try:
            bodies = list(map(get, recs))
        except (KeyError, IndexError, TypeError, AttributeError):
            bodies = []
        if len(bodies) == len(recs) and set(map(type, bodies)) == {dict}:
            return bodies
        return [body_at(get, r, self.opts.body_key) for r in recs]

    def route_bodies(
        self,
        keys: list[Any],
        bodies: list[Record],
        lines: Lines,
        http: list[int | None] | None,
        wrappers: list[Record] | None = None,
    ) -> None:
        """Pass bodies on to their jobs (``wrappers``: the records ``order_by`` reads). A
        completion without a status body (a 303 See Other, sources: completion-303, or the
        finished item at the monitor URL, sources: location-is-item) is read as the spec's
        success, as :func:`~jobstate.validation.rules.completes` says (see
        :func:`_completions`)."""
        if self.opts.jobs is not None:  # a second look at a few jobs (ReadOptions.jobs)
            keys, bodies, lines, http, wrappers = _only(
                self.opts.jobs, keys, bodies, lines, http, wrappers
            )
        times = self._times(wrappers if wrappers is not None else bodies)
        if self.order_get is None:
            if times is not None:
                self._track(keys, bodies, http, times, lines)
            self.stream.feed(keys, _completions(bodies, http, self.stream.tables), lines, http)
            return
        self._hold(keys, bodies, lines, http, times, wrappers)

    def _hold(
        self,
        keys: list[Any],
        bodies: list[Record],
        lines: Lines,
        http: list[int | None] | None,
        times: list[float | None] | None,
        wrappers: list[Record] | None,
    ) -> None:
        """Hold records until the input ends, with the values they sort by; a record with no
        such value is rejected at its line."""
        assert self.order_get is not None
        values = self._values(wrappers if wrappers is not None else bodies)
        held = self.held
        if set(map(type, values)) <= {str, int, float}:  # every record has a value
            held.keys += keys
            held.values += values
            held.lines += lines
            held.bodies += bodies
            held.http += http if http is not None else [None] * len(keys)
            held.times += times if times is not None else [None] * len(keys)
            return
        for i, value in enumerate(values):
            if value is None or isinstance(value, (bool, dict, list)):
                self.summary.reject(
                    lines[i],
                    f"record has no value to order by at {self.opts.order_by!r} (--order-by)",
                )
                continue
            held.keys.append(keys[i])
            held.values.append(value)
            held.lines.append(lines[i])
            held.bodies.append(bodies[i])
            held.http.append(http[i] if http is not None else None)
            held.times.append(times[i] if times is not None else None)

    def _values(self, records: list[Record]) -> list[Any]:
        """Each record's value to order by, ``None`` where it has none."""
        get = self.order_get
        assert get is not None
        try:
            return list(map(get, records))
        except (KeyError, IndexError, TypeError):
            pass
        out = []
        for rec in records:
            try:
                out.append(get(rec))
            except (KeyError, IndexError, TypeError):
                out.append(None)
        return out

    def flush(self) -> None:
        """Sort the held records, every job's by their values (see :mod:`.ordering`), and pass
        them on job by job, in batches of many jobs."""
        held = self.held
        if not held.keys:
            return
        from jobstate.readers.ordering import order_positions

        ids = {key: i for i, key in enumerate(dict.fromkeys(held.keys))}  # as first seen
        ordered = order_positions(list(map(ids.__getitem__, held.keys)), held.values)
        if ordered.kind == "text":
            self._note_text(ordered.odd)
        positions = ordered.positions
        for a in range(0, len(positions), FLUSH_BATCH):
            take = positions[a : a + FLUSH_BATCH]
            keys, bodies, http, lines = (
                list(map(column.__getitem__, take))
                for column in (held.keys, held.bodies, held.http, held.lines)
            )
            if self.time_get is not None:
                self._track(keys, bodies, http, list(map(held.times.__getitem__, take)), lines)
            self.stream.feed(
                keys,
                _completions(bodies, http, self.stream.tables),
                lines,
                http if self.http_get else None,
            )
        self.held = HeldRecords()

    def _note_text(self, odd: int | None) -> None:
        """Say that the held values sorted as text, naming the first that is neither a number
        nor a time."""
        held = self.held
        what = (
            f"{held.values[odd]!r} (line {held.lines[odd]})"
            if odd is not None
            else "both numbers and times"
        )
        self.summary.notes.append(
            f"--order-by {self.opts.order_by!r}: values are neither all numbers nor all RFC 3339"
            f" times ({what}), so they were sorted as text"
        )

    def _times(self, records: list[Record]) -> list[float | None] | None:
        """Each record's time in seconds (``time_key``), or ``None`` without one."""
        get = self.time_get
        if get is None:
            return None
        out: list[float | None] = []
        for rec in records:
            try:
                value = get(rec)
            except (KeyError, IndexError, TypeError):
                value = None
            out.append(seconds(value))
        return out

    def _track(
        self,
        keys: list[Any],
        bodies: list[Record],
        http: list[int | None] | None,
        times: list[float | None],
        lines: Lines,
    ) -> None:
        """Feed each job's polls, in order, to its client-behaviour and time trackers."""
        from jobstate.spec.protocol import Exchange  # the protocol loads only when tracking

        keep = self.keep
        for i, key in enumerate(keys):
            code = http[i] if http is not None else None
            ex = Exchange.of(code, bodies[i], time=times[i], keep=keep, fields=self.body_keys)
            self.track(key, ex, lines[i])

    def track(self, key: Any, exchange: Exchange, line: int | None = None) -> None:
        """Give job ``key``'s next poll to its :class:`Tracked` record (made on first use);
        :func:`~jobstate.readers.read_input` grades every tracked job at the end."""
        job = self.tracked.get(key)
        if job is None:
            job = self.tracked[key] = self._new_tracked()
        b = job.behaviour
        b.feed(exchange)
        job.time.feed(exchange, line)
        if self.stream.explain and line is not None and exchange.time is not None:
            job.step_times[line] = exchange.time  # explain keeps every step anyway
        ended = b.ended_at is not None and b.ended_at < b.polls  # an answer after the end
        if (exchange.kept or exchange.error) and not ended:
            job.result.update(exchange.kept)
            if exchange.error:
                job.result["error.code"] = shortened(exchange.error, 200)

    def _new_tracked(self) -> Tracked:
        from jobstate.validation.behaviour import BehaviourTracker
        from jobstate.validation.timing import TimeTracker

        terminal = self.stream.tables.terminal
        if self._known is None:  # the spec's values, once
            self._known = frozenset(self.stream.tables.spec.names)
        return Tracked(
            BehaviourTracker(terminal, self.opts.poll_floor),
            TimeTracker(terminal, self.opts.stall, self._known),
        )


class Tracked:
    """What a capture with times says of one job beside its lifecycle: its client's grade
    (``behaviour``), its time facts (``time``), the last values of the spec's result fields
    before the end (``result``) and, for ``explain``, each poll's time by its line."""

    __slots__ = ("behaviour", "result", "step_times", "time")

    def __init__(self, behaviour: BehaviourTracker, time: TimeTracker) -> None:
        self.behaviour, self.time = behaviour, time
        self.result: dict[str, str] = {}
        self.step_times: dict[int, float] = {}


def seconds(value: Any) -> float | None:
    """A time in seconds since the epoch: an RFC 3339 time, a number, or a ``datetime`` (a
    naive one is read as UTC); else ``None``.

    >>> seconds("1970-01-01T00:01:00Z"), seconds(1.5), seconds(True), seconds("soon")
    (60.0, 1.5, None, None)
    """
    if isinstance(value, str):
        ns = rfc3339_ns(value)
        return ns / 1e9 if ns is not None else None
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)
        return aware.timestamp()
    return None


FLUSH_BATCH = 1 << 20
"""Held records passed on at a time: one stream batch covers many jobs (one per job would cost
time proportional to the jobs seen, for every job)."""


def _only(
    jobs: frozenset[str],
    keys: list[Any],
    bodies: list[Record],
    lines: Lines,
    http: list[int | None] | None,
    wrappers: list[Record] | None,
) -> tuple[list[Any], list[Record], Lines, list[int | None] | None, list[Record] | None]:
    """The records of a batch whose job keys (as text) are in ``jobs`` (``ReadOptions.jobs``)."""
    at = [i for i, k in enumerate(keys) if (k if isinstance(k, str) else str(k)) in jobs]
    if len(at) == len(keys):
        return keys, bodies, lines, http, wrappers

    def pick(xs: Sequence[Any]) -> list[Any]:
        return [xs[i] for i in at]

    return (
        pick(keys),
        pick(bodies),
        pick(lines),
        None if http is None else pick(http),
        None if wrappers is None else pick(wrappers),
    )


def _completions(
    bodies: list[Record], http: list[int | None] | None, tables: Tables
) -> list[Record]:
    """``bodies``, each 303 completion without a status body replaced by the spec's success,
    so that the fast paths take it; the client-behaviour trackers have read the answers as they
    came. The rarer item answered at the monitor URL has no status either, so the fast paths
    hand it to the general path, which reads it the same way (``Checker.feed``); looking at
    every 2xx here would cost each ordinary answer a call."""
    field = tables.status_field
    if http is not None:
        for i, code in enumerate(http):
            if code is not None and 300 <= code < 400 and completes(bodies[i], code, field):
                bodies[i] = tables.completion
    return bodies
