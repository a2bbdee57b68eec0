"""Streaming validation of many interleaved jobs: memory grows with the jobs, not the input.

Readers hand over batches of ``(key, body, line, http_status)`` columns. A job carries a few
numbers between batches (its last status, its percentage baseline, its counts and line span).
Each batch is checked with array operations over the same :class:`~jobstate.validation.tables.
Tables` the general path reads; a job with any irregular record in a batch is handed, from the
state it carried, to the general path (:class:`~jobstate.validation.checker.Checker`), which
keeps its report. The Checker takes each later record one by one up to a record that leaves it
where the arrays assume the job to be, and the clean records after that in bulk; after each
batch the job's arrays take the Checker's status and baseline, so that its records in later
batches are checked on the arrays too, and only the flagged ones (with those up to the next that
heals the job) go to the Checker one by one. A property test checks this against the general
path on whole jobs, and examples check each way a tail ends and a later batch starts.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection, Sequence
from typing import Any

import numpy as np

from jobstate._constants import Outcome
from jobstate.results import JobReport, JobTable, Keep, Unlisted
from jobstate.validation.arrays import (
    Batch,
    Bodies,
    Bools,
    Codes,
    Floats,
    Ints,
    Tails,
    by_order,
    columns_of,
    count_up_to,
    http_errors,
    job_order,
)
from jobstate.validation.carry import carried, clean_runs
from jobstate.validation.checker import Checker
from jobstate.validation.tables import Tables

__all__ = ["Bodies", "Bools", "Codes", "Floats", "Ints", "Stream"]


_INITIAL_JOBS = 1024  # the job tables' first size; they double as jobs arrive
_HTTP_SLOTS = 1001  # > 999 + 1: a (job, HTTP status + 1) pair packed into one integer


class Stream:
    """The jobs of one input, validated as their records arrive."""

    columnar = True  # batches in columns: the polars reader may feed it

    def __init__(
        self,
        tables: Tables,
        *,
        input: str | None = None,
        explain: bool = False,
        keep: Keep | None = None,
    ):
        self.tables = tables
        self.keep = keep
        self.input = input
        self.explain = explain
        sp = tables.spec
        names = sp.names
        k = len(names)
        self._none = k  # the code of "no status yet" (and of an unknown status)
        self._code = {s: i for i, s in enumerate(names)}
        self._names = names
        legal = np.zeros((k + 1, k + 1), dtype=bool)
        legal[k, :k] = True  # a job may start anywhere
        for a, b in tables.kind:
            legal[self._code[a], self._code[b]] = True
        self._legal = legal
        self._resets = np.array([s in sp.resets for s in names] + [False])
        self._success = np.array([s in tables.success for s in names] + [False])
        progress = tables.progress  # its range (none: every value is absent, never compared)
        self._low, self._high = (progress.low, progress.high) if progress else (0.0, 0.0)
        # the outcome a job has with each last status code ("no status yet" included)
        self._ended: list[Outcome] = [
            tables.outcome[s] if s in sp.terminal else "unfinished" for s in names
        ] + ["unfinished"]
        self.keys: list[Any] = []
        self._ids: dict[Any, int] = {}
        size = _INITIAL_JOBS
        self._last = np.full(size, k, dtype=np.int16)
        self._base = np.full(size, np.nan)
        self._count = np.zeros(size, dtype=np.int64)
        self._first = np.zeros(size, dtype=np.int64)
        self._lastline = np.zeros(size, dtype=np.int64)
        self._checkers: dict[int, Checker] = {}
        self._exact = np.zeros(size, dtype=bool)  # which jobs have a Checker (the general path)
        self._http: Counter[tuple[int, Any]] = Counter()
        self.unlisted = Unlisted()

    # -- job ids --------------------------------------------------------------------------------

    def job_ids(self, distinct: Sequence[Any]) -> list[int]:
        """The ids of ``distinct`` keys, registering the new ones (one dict call a key: a new
        key takes the dict's size, read before it goes in)."""
        known = self._ids
        start = len(known)
        put = known.setdefault
        ids = [put(k, len(known)) for k in distinct]
        if len(known) > start:
            self._register([k for k, i in zip(distinct, ids, strict=True) if i >= start])
        return ids

    def _job_ids(self, keys: Sequence[Any]) -> tuple[Ints, Ints]:
        """Global job ids of ``keys``, and ids local to the batch (0 .. distinct-1)."""
        distinct = dict.fromkeys(keys)
        glob = np.array(self.job_ids(list(distinct)), dtype=np.int64)
        for i, k in enumerate(distinct):
            distinct[k] = i
        local = np.fromiter(map(distinct.__getitem__, keys), dtype=np.int64, count=len(keys))
        return glob[local], local

    def _register(self, new: list[Any]) -> None:
        """Give the new keys (already in the dict) their places in the job arrays."""
        if new:
            self.keys.extend(new)
            n = len(self.keys)
            if n > len(self._last):
                grow = max(n, 2 * len(self._last)) - len(self._last)
                self._last = np.concatenate([self._last, np.full(grow, self._none, np.int16)])
                self._base = np.concatenate([self._base, np.full(grow, np.nan)])
                self._count = np.concatenate([self._count, np.zeros(grow, np.int64)])
                self._first = np.concatenate([self._first, np.zeros(grow, np.int64)])
                self._lastline = np.concatenate([self._lastline, np.zeros(grow, np.int64)])
                self._exact = np.concatenate([self._exact, np.zeros(grow, bool)])

    def _checker(self, jid: int) -> Checker:
        c = self._checkers.get(jid)
        if c is None:
            last = int(self._last[jid])
            base = float(self._base[jid])
            count = int(self._count[jid])
            self._exact[jid] = True
            c = self._checkers[jid] = Checker(
                self.tables,
                record_steps=self.explain,
                state=None if last == self._none else self._names[last],
                baseline=None if math.isnan(base) else base,
                index=count,
                first_line=int(self._first[jid]) if count else None,
                last_line=int(self._lastline[jid]) if count else None,
                keep=self.keep,
            )
        return c

    # -- feeding --------------------------------------------------------------------------------

    def feed(
        self,
        keys: Sequence[Any],
        bodies: Sequence[Any],
        lines: Sequence[int],
        http: Sequence[int | None] | None = None,
    ) -> None:
        """Validate a batch: record ``i`` is ``bodies[i]`` of job ``keys[i]``, from ``lines[i]``."""
        n = len(bodies)
        if n == 0:
            return
        ids, local = self._job_ids(keys)
        if self.explain:
            self._general(ids, np.ones(n, dtype=bool), bodies, lines, http)
            return
        t = self.tables
        progress = t.progress.field if t.progress is not None else None
        columns = columns_of(bodies, self._code, self._none, t.status_field, progress)
        runs = None
        if columns is None:
            dirty = np.ones(n, dtype=bool)
        else:
            codes, values, absent, mistyped = columns
            mistyped |= http_errors(http, n)
            dirty, runs = self._check(ids, local, codes, values, absent, mistyped, lines)
        self._general(ids, dirty, bodies, lines, http, runs)
        self._sync(ids)

    def feed_columns(
        self,
        ids: Ints,
        local: Ints,
        codes: Codes,
        values: Floats,
        absent: Bools,
        lines: Sequence[int],
        bodies: Bodies,
        http: Ints | None = None,
    ) -> None:
        """Validate a batch already in columns (ids from :meth:`job_ids` and ids local to the
        batch, from 0, as a grouping key; status codes,
        percentages as floats with ``absent`` marking none); ``bodies`` is read only for the
        records that need the general path, so it may parse them lazily."""
        hbad = http_errors(http, len(ids))
        dirty, runs = self._check(ids, local, codes, values, absent, hbad, lines)
        self._general(ids, dirty, bodies, lines, http, runs)
        self._sync(ids)

    def _general(
        self,
        ids: Ints,
        dirty: Bools,
        bodies: Bodies,
        lines: Sequence[int],
        http: Sequence[int | None] | Ints | None,
        runs: Tails | None = None,
    ) -> None:
        """Count the HTTP statuses, and feed the ``dirty`` records to their jobs' Checkers in
        input order, each clean run right after the record it follows."""
        if isinstance(http, np.ndarray):  # codes, -1 where none: count pairs without a loop
            pairs, counts = np.unique(ids * _HTTP_SLOTS + (http + 1), return_counts=True)
            for pair, count in zip(pairs.tolist(), counts.tolist(), strict=True):
                jid, code = divmod(pair, _HTTP_SLOTS)
                if code:
                    self._http[(jid, code - 1)] += count
        elif http is not None:
            self._http.update(zip(ids.tolist(), http, strict=True))
        if dirty.any():
            checker = self._checker
            if isinstance(http, np.ndarray):
                http = http.tolist()  # Python ints for the reports
            after = self._runs(runs)
            for i in np.flatnonzero(dirty).tolist():
                code = http[i] if http is not None else None
                if code is not None and code < 0:
                    code = None
                c = checker(int(ids[i]))
                c.feed(bodies[i], lines[i], code)
                if i in after:
                    c.carry(*after[i])

    def _runs(self, runs: Tails | None) -> dict[int, tuple[Any, ...]]:
        """Each clean run's arguments to :meth:`Checker.carry`, by the record it follows."""
        if runs is None:
            return {}
        names = self._names
        t = runs
        columns = (t.last, t.records, t.code, t.base, t.keep, t.low, t.high)
        rows = zip(*(a.tolist() for a in columns), strict=True)
        # (the baseline is not read where ``keep``)
        return {
            at: (count, names[code], None if math.isnan(base) else base, keep, low, high)
            for at, count, code, base, keep, low, high in rows
        }

    def status_codes(self) -> tuple[list[str], list[int], int]:
        """The status names, their codes, and the code of anything else."""
        return list(self._names), list(range(len(self._names))), self._none

    def _check(
        self,
        ids: Ints,
        local: Ints,
        codes: Codes,
        values: Floats,
        absent: Bools,
        mistyped: Bools,
        lines: Sequence[int],
    ) -> tuple[Bools, Tails | None]:
        """Carry each job of a batch forward up to its first irregular record; return which
        records need the general path, and the clean runs between them (see
        :func:`~jobstate.validation.carry.clean_runs`)."""
        n = len(ids)
        order = job_order(local)
        b = Batch(by_order(ids, order), by_order(codes, order), by_order(values, order), n)
        present = ~absent & ~np.isnan(values)
        sbad = self._flag_records(b, present, absent, mistyped, order)
        self._flag_regressions(b, sbad)
        # where each job's general path starts: its first flagged record, its first record if
        # it is on the general path already, else past its end (the whole job carried)
        start = np.full(len(b.fpos), n, dtype=np.int64)
        bad = np.flatnonzero(sbad)
        g = b.group[bad]  # non-decreasing: a run of one group is its flagged records
        edge = g[1:] != g[:-1]
        firsts = np.flatnonzero(np.insert(edge, 0, True)) if len(bad) else bad
        start[g[firsts]] = bad[firsts]
        carried = start > b.fpos  # a job's clean head: the arrays' or its Checker's (synced)
        sl = by_order(
            np.arange(lines.start, lines.stop, dtype=np.int64)
            if isinstance(lines, range)
            else np.asarray(lines, dtype=np.int64),
            order,
        )
        if carried.any():
            upto = np.minimum(start, b.lpos + 1) - 1
            exact = self._exact[b.gjob] & carried if self._checkers else None
            if exact is not None and exact.any():
                self._carry_heads(b, exact, upto, sl)
                carried &= ~exact
            self._carry_clean_jobs(b, carried, upto, sl)
        general, runs = clean_runs(b, sbad, sl, self._none, self._low, self._high)
        if order is None:
            return general, runs
        result: Bools = np.empty(n, dtype=bool)
        result[order] = general
        if runs is not None:  # the records the runs follow, by their input positions
            runs = runs._replace(last=order[runs.last])
        return result, runs

    def _flag_records(
        self, b: Batch, present: Bools, absent: Bools, mistyped: Bools, order: Ints | None
    ) -> Bools:
        """Per record, in job order: a status or percentage no clean job has, or a change the
        tables refuse (``legal``; a job's first record follows its carried status)."""
        codes, values = b.sc, b.sv
        bad = (codes == self._none) | by_order(mistyped, order)
        low, high = self._low, self._high
        bad |= ~by_order(absent, order) & ~((values >= low) & (values <= high))  # NaN fails both
        b.sp = by_order(present, order)
        bad |= self._success[codes] & b.sp & (values != high)
        prev = np.empty(b.n, dtype=np.int16)
        prev[1:] = codes[:-1]
        prev[b.first] = self._last[b.sid[b.first]]
        flagged: Bools = bad | ~self._legal[prev, codes]
        return flagged

    def _flag_regressions(self, b: Batch, sbad: Bools) -> None:
        """Percentages: each present value must not fall below the baseline, which restarts at
        every status that resets progress; a job's first segment continues the carried one.
        Segments count the resets (all 0 in a batch with none, as :class:`Batch` starts)."""
        b.reset = reset = self._resets[b.sc]
        resets = bool(reset.any())
        if resets:
            b.seg = count_up_to(np.flatnonzero(reset), b.n)
            b.seg_before = (b.seg[b.fpos] - reset[b.fpos])[b.group]
        b.idx = idx = np.flatnonzero(b.sp & ~reset)  # a reset's own value is no baseline
        if not len(idx):
            return
        pv, pj = b.sv[idx], b.sid[idx]
        same = np.zeros(len(idx), dtype=bool)
        np.equal(pj[1:], pj[:-1], out=same[1:])
        carried = ~same
        if resets:
            ps = b.seg[idx]
            same[1:] &= ps[1:] == ps[:-1]
            carried = ~same & (ps == b.seg_before[idx])
        down = np.zeros(len(idx), dtype=bool)
        down[1:] = same[1:] & (pv[1:] < pv[:-1])
        down |= carried & (pv < self._base[pj])  # NaN baseline: no comparison holds
        sbad[idx[down]] = True

    def _carry_clean_jobs(self, b: Batch, clean: Bools, upto: Ints, sl: Ints) -> None:
        """The state the ``clean`` jobs carry past their records up to position ``upto`` (per
        group, in job order): last status, baseline, counts, span."""
        cj, code, base, unchanged, count, lowest, highest = carried(b, clean, upto, sl)
        self._last[cj] = code
        self._base[cj] = np.where(unchanged, self._base[cj], base)
        self._count[cj] += count
        fresh = self._first[cj] == 0
        self._first[cj] = np.where(fresh, lowest, np.minimum(self._first[cj], lowest))
        self._lastline[cj] = np.maximum(self._lastline[cj], highest)

    def _carry_heads(self, b: Batch, clean: Bools, upto: Ints, sl: Ints) -> None:
        """Hand the Checkers of the ``clean`` groups (jobs on the general path since an earlier
        batch, their arrays synced with the Checker: see :meth:`_sync`) their records up to
        ``upto`` in bulk, before the general path takes any later record of theirs."""
        names = self._names
        columns = carried(b, clean, upto, sl)
        rows = zip(*(a.tolist() for a in columns), strict=True)
        for jid, code, base, keep, count, low, high in rows:
            baseline = None if math.isnan(base) else base  # (not read where ``keep``)
            self._checkers[jid].carry(count, names[code], baseline, keep, low, high)

    def _sync(self, ids: Ints) -> None:
        """Set the carried status and baseline of the jobs of ``ids`` on the general path to
        their Checkers', so that the next batch checks their records from there on the
        arrays (and only the records flagged there, and those up to the next that heals the
        job, take the general path)."""
        if not self._checkers:
            return
        code, none = self._code, self._none
        for jid in np.unique(ids[self._exact[ids]]).tolist():
            c = self._checkers[jid]
            self._last[jid] = none if c.state is None else code[c.state]
            self._base[jid] = np.nan if c.baseline is None else c.baseline

    # -- results --------------------------------------------------------------------------------

    def reports(self, only_failing: Collection[Any] | None = None) -> Sequence[JobReport]:
        """One report per job, in order of first appearance. ``only_failing``: list only the
        jobs with violations and those whose keys it holds; the clean rest are counted in
        :attr:`unlisted` (from the arrays: no object per job)."""
        per_job: dict[int, dict[int, int]] = {}
        for (jid, code), count in self._http.items():
            if code is not None and code >= 0:
                per_job.setdefault(jid, {})[code] = count
        if only_failing is None:
            return self._table(per_job)
        return list(self._table(per_job, self._count_unlisted(only_failing)))

    def _table(self, http: dict[int, dict[int, int]], ids: list[int] | None = None) -> JobTable:
        """The reports of jobs ``ids`` (all: ``None``) as columns, the exact engine's jobs as
        objects; positions in the table follow ``ids``."""
        t = self.tables
        n = len(self.keys)
        sel: Any = slice(0, n) if ids is None else np.array(ids, dtype=np.int64)
        keys = self.keys if ids is None else [self.keys[j] for j in ids]
        keys = [k if k is None or isinstance(k, str) else str(k) for k in keys]
        at = None if ids is None else {j: p for p, j in enumerate(ids)}
        exact: dict[int, JobReport] = {}
        for jid, c in self._checkers.items():
            p = jid if at is None else at.get(jid)
            if p is not None:
                exact[p] = c.to_job_report(keys[p], input=self.input, http_status=http.get(jid))
        outcomes = list(map(self._ended.__getitem__, self._last[sel].tolist()))
        counts = self._count[sel].tolist()
        for p, job in exact.items():  # the columns say what the exact reports say
            outcomes[p], counts[p] = job.outcome, job.observations
        if at is not None:
            http = {at[j]: h for j, h in http.items() if j in at}
        first, last = self._first[sel].tolist(), self._lastline[sel].tolist()
        return JobTable(
            t.spec.name, t.mode, self.input, keys, outcomes, counts, first, last, http, exact
        )

    def _count_unlisted(self, keep: Collection[Any]) -> list[int]:
        """Count the clean jobs into :attr:`unlisted` (the jobs still on the array path by
        status code, without a loop over them); the ids of the jobs to list."""
        n, u = len(self.keys), self.unlisted
        listed = np.zeros(n, dtype=bool)
        on_arrays = np.ones(n, dtype=bool)
        for key in keep:
            jid = self._ids.get(key)
            if jid is not None:
                listed[jid] = True
        for jid, c in self._checkers.items():
            on_arrays[jid] = False
            if c.violations or c.omitted:
                listed[jid] = True
            elif not listed[jid]:
                u.add_job(c.outcome, c.observations)
        clean = on_arrays & ~listed
        by_code = np.bincount(self._last[:n][clean], minlength=len(self._ended)).tolist()
        for code, k in enumerate(by_code):
            if k:
                u.outcomes[self._ended[code]] += k
        u.jobs += int(clean.sum())
        u.observations += int(self._count[:n][clean].sum())
        result: list[int] = np.flatnonzero(listed).tolist()
        return result
