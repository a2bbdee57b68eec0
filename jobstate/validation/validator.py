"""The validator: one spec and mode's tables, a fast screen for clean jobs, the general path
for the rest.

>>> report = validate([{"status": "notStarted"}, {"status": "inProgress", "percentageComplete": 40},
...                    {"status": "completed", "percentageComplete": 100}])
>>> report.ok, report.jobs[0].outcome
(True, 'success')
>>> bad = validate([{"status": "completed"}, {"status": "inProgress"}])
>>> [(v.rule, v.index) for v in bad.violations]
[('after-terminal', 1)]

Two modes, because polling samples the underlying path:

- ``sampled`` (client polls): a change A -> B is legal when B is reachable from A; a change that
  skips states is a *gap*, explained by the shortest path, and is not a violation;
- ``step`` (server-side event logs): every change must be a single edge.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any, cast

from jobstate._constants import SPEC_NAMES, Mode, Outcome
from jobstate.results import JobReport, Record, Report, Step
from jobstate.spec import Spec, get_spec
from jobstate.validation.checker import Checker
from jobstate.validation.tables import Tables

__all__ = ["Validator", "validate"]


class _Bail(Exception):
    """The fast screen gives a job up to the general path."""


class Validator:
    """Validation tables for one spec and mode, compiled once from the spec's machine.

    Use :func:`validate` for one-off calls; keep a :class:`Validator` to check many jobs.
    """

    def __init__(self, spec: str | Spec = "current", mode: Mode | str = "sampled") -> None:
        self.tables = Tables.compile(spec, mode)
        self.spec: Spec = self.tables.spec
        self.mode: Mode = self.tables.mode
        self.name: str = self.spec.name
        self._outcome_of: dict[Any, Outcome] = {None: "unfinished", **self.tables.outcome}

    def __repr__(self) -> str:
        return f"<Validator spec={self.spec.name!r} mode={self.mode!r}>"

    def validate(
        self,
        jobs: Iterable[Record] | Mapping[str, Iterable[Record]],
    ) -> Report:
        """Validate one job (an iterable of records) or many (a mapping of job key to records).

        A single body (a mapping with a ``status``) is one job of one observation. A path, a
        string or bytes is refused with a :class:`TypeError` that says what to pass.
        """
        keys, records = _jobs_of(jobs, self.tables.status_field)
        screened, bailed = self.screen(records)
        if not bailed:  # every job clean: nothing more to compute
            outcomes = cast(list[Outcome], screened)
            return Report.of_records(self, self.spec.name, self.mode, keys, records, outcomes, {})
        flagged = {
            i: (self.check_job if len(records[i]) < LONG_JOB else self._check_long_job)(
                records[i], key=keys[i]
            )
            for i in bailed
        }
        for i, job in flagged.items():
            screened[i] = job.outcome
        outcomes = cast(list[Outcome], screened)  # every None was just filled in
        return Report.of_records(self, self.spec.name, self.mode, keys, records, outcomes, flagged)

    def check_job(self, records: Sequence[Record], *, key: str | None = None) -> JobReport:
        """The general path on one whole job: every violation; its steps are classified when
        first asked for (a long job with one bad record keeps no step per record)."""
        checker = Checker(self.tables, record_steps=False)
        for rec in records:
            checker.feed(rec)
        report = checker.to_job_report(key, records=records)
        report.step_source = self
        return report

    def _check_long_job(self, records: Sequence[Record], *, key: str | None = None) -> JobReport:
        """:meth:`check_job`'s result for a long job, from the streaming engine in batches: the
        clean batches go by as arrays, and the general path takes over from the first batch with
        an irregular record (proven equal to the general path by ``tests/test_paths_agree.py``)."""
        from jobstate.validation.stream import Stream

        stream = Stream(self.tables)
        for a in range(0, len(records), _LONG_BATCH):
            part = records[a : a + _LONG_BATCH]
            stream.feed([None] * len(part), part, range(a, a + len(part)))
        [job] = stream.reports()
        return JobReport(
            key=key,
            spec=job.spec,
            mode=job.mode,
            violations=tuple(replace(v, line=None) for v in job.violations),  # no input lines
            outcome=job.outcome,
            records=records,
            counts=job.counts,
            step_source=self,
        )

    def steps_of(self, records: Sequence[Record]) -> tuple[Step, ...]:
        """The step classification of a job's records."""
        checker = Checker(self.tables)
        for rec in records:
            checker.feed(rec)
        return tuple(checker.steps or ())

    def screen(self, jobs: Iterable[Sequence[Any]]) -> tuple[list[Outcome | None], list[int]]:
        """Each job's outcome when it has no violation at all, else ``None``; and the indices
        of those ``None`` jobs, which need the general path.

        Conservative: it may give up on a clean job (the general path then says so), never
        accept a job with a violation; ``tests/test_paths_agree.py`` proves it. Any exception
        inside the loop gives the job up, so a bug here shows as a slow path, and the property
        test is what catches it. One loop over all jobs: per-job calls would cost more than the
        checks.
        """
        t = self.tables
        start, resets, success = t.rows, t.resets, t.success
        outcome_of = self._outcome_of
        field = t.status_field
        pct: Any
        pct, low, high = t.bounds
        out: list[Outcome | None] = []
        append = out.append
        bailed: list[int] = []
        for records in jobs:
            row = start
            last = low
            s: Any = None
            try:
                # Between resets percentages never fall, so the largest of a segment is its
                # last: the upper bound is checked when a segment ends, not at every poll.
                for o in records:
                    s = o[field]
                    row = row[s]
                    p = o.get(pct)
                    if p.__class__ is float or p.__class__ is int:
                        if s in resets:  # the segment ends; a reset's value is no baseline
                            if not (low <= p <= high and last <= high):
                                raise _Bail
                            last = low
                        elif last <= p:
                            last = p
                        else:
                            raise _Bail
                    elif p is None:
                        if s in resets:
                            if not last <= high:
                                raise _Bail
                            last = low
                    else:
                        raise _Bail
                if not last <= high:
                    raise _Bail
                if s in success:
                    # A terminal row admits only itself, so success observations are a suffix.
                    for o in reversed(records):
                        if o[field] != s:
                            break
                        p = o.get(pct)
                        if p is not None and p != high:
                            raise _Bail
            except (_Bail, KeyError, TypeError, AttributeError):
                bailed.append(len(out))
                append(None)
                continue
            append(outcome_of[s])
        return out, bailed


def _jobs_of(jobs: object, field: str) -> tuple[list[str | None], list[Sequence[Record]]]:
    """Job keys and record lists from what :meth:`Validator.validate` was given."""
    if jobs.__class__ is list:  # one job as a list: the common case, decided at once
        return [None], [jobs]
    if isinstance(jobs, (str, bytes, bytearray, os.PathLike)):
        raise TypeError(
            f"validate() takes monitor bodies (dicts), not {type(jobs).__name__}: to check a file,"
            " use jobstate.read_input(path, jobstate.Validator()) or the jobstate CLI"
        )
    if isinstance(jobs, Mapping):
        if field in jobs:
            return [None], [[jobs]]  # one body: one job of one observation
        values = list(jobs.values())
        if set(map(type, values)) <= {list, tuple}:
            return list(jobs), values  # the common case, without ABC checks per job
        out = []
        for key, value in jobs.items():
            if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
                raise TypeError(
                    "validate() takes one job (bodies in poll order), one body (a dict with"
                    " 'status'), or a mapping of job key to bodies; job"
                    f" {key!r} maps to {type(value).__name__}, not a list of bodies (if this"
                    " is one body, it has no 'status')"
                )
            out.append(value if isinstance(value, Sequence) else list(value))
        return list(jobs), out
    if not isinstance(jobs, Iterable):
        raise TypeError(
            f"validate() takes bodies in poll order (a list or any iterable of dicts), not"
            f" {type(jobs).__name__}"
        )
    return [None], [jobs if isinstance(jobs, Sequence) else list(jobs)]


LONG_JOB = 1 << 14
"""Jobs at least this long that need the general path start on the streaming engine instead."""
_LONG_BATCH = 1 << 16

_VALIDATORS: dict[tuple[int, str], Validator] = {}


_BUILT_IN: dict[tuple[str, str], Validator] = {}


def _validator(spec: str | Spec, mode: str) -> Validator:
    v = _BUILT_IN.get((spec, mode)) if spec.__class__ is str else None
    if v is not None:
        return v
    sp = get_spec(spec)
    key = (id(sp), mode)
    v = _VALIDATORS.get(key)
    if v is None or v.spec is not sp:
        v = _VALIDATORS[key] = Validator(sp, mode)
    if isinstance(spec, str) and spec in SPEC_NAMES:  # built-in specs never change
        _BUILT_IN[(spec, mode)] = v
    return v


def validate(
    observations: Iterable[Record] | Mapping[str, Iterable[Record]],
    spec: str | Spec = "current",
    mode: Mode | str = "sampled",
) -> Report:
    """Validate observed monitor bodies against a spec.

    ``observations`` is one job (monitor response bodies in poll order: a list, or any
    iterable), one body, or many jobs (a mapping of job key to bodies). Compiled tables are
    cached per spec and mode.

    >>> validate([{"status": "inProgress"}, {"status": "cancelled"}]).jobs[0].steps[-1].path
    ('inProgress', 'cancelPending', 'cancelled')
    """
    if observations.__class__ is list and spec.__class__ is str:  # one trace: the short way
        v = _BUILT_IN.get((spec, mode))
        if v is not None:
            (outcome,), bailed = v.screen((observations,))
            if not bailed:
                return Report.of_one(v, v.name, v.mode, observations, cast(Outcome, outcome))
    return _validator(spec, mode).validate(observations)
