"""Streaming validation of many interleaved jobs: memory grows with the jobs, not the input.

Readers hand over batches of ``(key, body, line, http_status)`` columns. A job carries a few
numbers between batches (its last status, its percentage baseline, its counts and line span).
Each batch is checked with array operations over tables compiled from the spec's machine (the
same ``Validator._kind`` the general path reads); a job with any irregular record in a batch is
handed, from the state it carried, to the general path (``_Checker``), which then takes all its
later records. A property test checks this against the general path on whole jobs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from itertools import repeat
from operator import is_, methodcaller
from typing import Any

import numpy as np

from jobstate.spec import Outcome
from jobstate.validation import JobReport, Validator, _Checker

_get_status = methodcaller("get", "status")
_get_pct = methodcaller("get", "percentageComplete")
_NUMBER_TYPES = frozenset({int, float, type(None)})
_NOT_A_BODY: dict[str, Any] = {"status": None}
_Ints = np.ndarray[Any, np.dtype[np.int64]]
_Codes = np.ndarray[Any, np.dtype[np.int16]]
_Floats = np.ndarray[Any, np.dtype[np.float64]]
_Bools = np.ndarray[Any, np.dtype[np.bool_]]


class Stream:
    """The jobs of one input, validated as their records arrive."""

    def __init__(self, validator: Validator, *, input: str | None = None, explain: bool = False):
        self.v = validator
        self.input = input
        self.explain = explain
        sp = validator.spec
        names = sp.names
        k = len(names)
        self._none = k  # the code of "no status yet" (and of an unknown status)
        self._code = {s: i for i, s in enumerate(names)}
        self._names = names
        legal = np.zeros((k + 1, k + 1), dtype=bool)
        legal[k, :k] = True  # a job may start anywhere
        for a, b in validator._kind:
            legal[self._code[a], self._code[b]] = True
        self._legal = legal
        self._resets = np.array([s in sp.resets for s in names] + [False])
        self._success = np.array([s in validator._success for s in names] + [False])
        self._outcomes: list[Outcome] = [validator._outcome[s] for s in names]
        self._terminal = [s in sp.terminal for s in names]
        self.keys: list[Any] = []
        self._ids: dict[Any, int] = {}
        size = 1024
        self._last = np.full(size, k, dtype=np.int16)
        self._base = np.full(size, np.nan)
        self._count = np.zeros(size, dtype=np.int64)
        self._first = np.zeros(size, dtype=np.int64)
        self._lastline = np.zeros(size, dtype=np.int64)
        self._checkers: dict[int, _Checker] = {}
        self._http: Counter[tuple[int, Any]] = Counter()

    # -- job ids --------------------------------------------------------------------------------

    def job_ids(self, distinct: Sequence[Any]) -> list[int]:
        """The ids of ``distinct`` keys, registering the new ones."""
        self._register([k for k in distinct if k not in self._ids])
        return list(map(self._ids.__getitem__, distinct))

    def _job_ids(self, keys: Sequence[Any]) -> tuple[_Ints, _Ints]:
        """Global job ids of ``keys``, and ids local to the batch (0 .. distinct-1)."""
        distinct = dict.fromkeys(keys)
        glob = np.array(self.job_ids(list(distinct)), dtype=np.int64)
        for i, k in enumerate(distinct):
            distinct[k] = i
        local = np.fromiter(map(distinct.__getitem__, keys), dtype=np.int64, count=len(keys))
        return glob[local], local

    def _register(self, new: list[Any]) -> None:
        ids = self._ids
        if new:
            for key in new:
                ids[key] = len(self.keys)
                self.keys.append(key)
            n = len(self.keys)
            if n > len(self._last):
                grow = max(n, 2 * len(self._last)) - len(self._last)
                self._last = np.concatenate([self._last, np.full(grow, self._none, np.int16)])
                self._base = np.concatenate([self._base, np.full(grow, np.nan)])
                self._count = np.concatenate([self._count, np.zeros(grow, np.int64)])
                self._first = np.concatenate([self._first, np.zeros(grow, np.int64)])
                self._lastline = np.concatenate([self._lastline, np.zeros(grow, np.int64)])

    def _checker(self, jid: int) -> _Checker:
        c = self._checkers.get(jid)
        if c is None:
            last = int(self._last[jid])
            base = float(self._base[jid])
            count = int(self._count[jid])
            c = self._checkers[jid] = _Checker(
                self.v,
                record_steps=self.explain,
                state=None if last == self._none else self._names[last],
                baseline=None if base != base else base,
                index=count,
                first_line=int(self._first[jid]) if count else None,
                last_line=int(self._lastline[jid]) if count else None,
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
        columns = self._columns(bodies)
        if columns is None:
            dirty = np.ones(n, dtype=bool)
        else:
            codes, values, absent, mistyped = columns
            dirty = self._check(ids, local, codes, values, absent, mistyped, lines)
        self._general(ids, dirty, bodies, lines, http)

    def feed_columns(
        self,
        ids: _Ints,
        local: _Ints,
        codes: _Codes,
        values: _Floats,
        absent: _Bools,
        lines: Sequence[int],
        bodies: Sequence[Any],
        http: _Ints | None = None,
    ) -> None:
        """Validate a batch already in columns (ids from :meth:`job_ids` and ids local to the
        batch, from 0, as a grouping key; status codes,
        percentages as floats with ``absent`` marking none); ``bodies`` is read only for the
        records that need the general path, so it may parse them lazily."""
        dirty = self._check(ids, local, codes, values, absent, np.zeros(len(ids), bool), lines)
        self._general(ids, dirty, bodies, lines, http)

    def _general(
        self,
        ids: _Ints,
        dirty: _Bools,
        bodies: Sequence[Any],
        lines: Sequence[int],
        http: Sequence[int | None] | _Ints | None,
    ) -> None:
        if isinstance(http, np.ndarray):  # codes, -1 where none: count pairs without a loop
            pairs, counts = np.unique(ids * 1001 + (http + 1), return_counts=True)
            for pair, count in zip(pairs.tolist(), counts.tolist(), strict=True):
                jid, code = divmod(pair, 1001)
                if code:
                    self._http[(jid, code - 1)] += count
        elif http is not None:
            self._http.update(zip(ids.tolist(), http, strict=True))
        if dirty.any():
            checker = self._checker
            if isinstance(http, np.ndarray):
                http = http.tolist()  # Python ints for the reports
            for i in np.flatnonzero(dirty).tolist():
                code = http[i] if http is not None else None
                if code is not None and code < 0:  # no HTTP status there
                    code = None
                checker(int(ids[i])).feed(bodies[i], lines[i], code)

    def status_codes(self) -> tuple[list[str], list[int], int]:
        """The status names, their codes, and the code of anything else."""
        return list(self._names), list(range(len(self._names))), self._none

    def _columns(self, bodies: Sequence[Any]) -> tuple[Any, ...] | None:
        """Status codes, percentages, absent and badly typed masks of a batch of bodies."""
        n = len(bodies)
        none = self._none
        try:
            statuses = list(map(_get_status, bodies))
        except (AttributeError, TypeError):
            bodies = [b if b.__class__ is dict else _NOT_A_BODY for b in bodies]
            statuses = list(map(_get_status, bodies))
        try:
            codes = np.fromiter(map(self._code.get, statuses, repeat(none)), np.int16, n)
        except TypeError:  # an unhashable status
            get = self._code.get
            codes = np.fromiter(
                (get(s, none) if s.__class__ is str else none for s in statuses), np.int16, n
            )
        pcts = list(map(_get_pct, bodies))
        absent = np.fromiter(map(is_, pcts, repeat(None)), dtype=bool, count=n)
        mistyped = np.zeros(n, dtype=bool)
        if not set(map(type, pcts)) <= _NUMBER_TYPES:
            typed = np.fromiter(map(_NUMBER_TYPES.__contains__, map(type, pcts)), bool, n)
            mistyped = ~typed
            pcts = [p if t else None for p, t in zip(pcts, typed.tolist(), strict=True)]
        try:
            values = np.array(pcts, dtype=np.float64)
        except OverflowError:  # an integer too large for a double: let the general path say
            return None
        return codes, values, absent, mistyped

    def _check(
        self,
        ids: _Ints,
        local: _Ints,
        codes: _Codes,
        values: _Floats,
        absent: _Bools,
        mistyped: _Bools,
        lines: Sequence[int],
    ) -> _Bools:
        """Carry the clean jobs of a batch forward; return which records need the general path."""
        n = len(ids)
        bad = (codes == self._none) | mistyped
        present = ~absent & ~np.isnan(values)
        bad |= ~absent & ~((values >= 0.0) & (values <= 100.0))  # NaN fails both
        bad |= self._success[codes] & present & (values != 100.0)

        # group by job, keeping order: a stable sort on small ints is a radix sort
        small = local.astype(np.uint16) if n and int(local.max()) < 1 << 16 else local
        order = np.argsort(small, kind="stable")
        sid, sc, sv, sp = ids[order], codes[order], values[order], present[order]
        first = np.empty(n, dtype=bool)
        first[0] = True
        np.not_equal(sid[1:], sid[:-1], out=first[1:])
        prev = np.empty(n, dtype=np.int16)
        prev[1:] = sc[:-1]
        prev[first] = self._last[sid[first]]
        sbad = bad[order] | ~self._legal[prev, sc]

        # percentages: each present value must not fall below the baseline, which restarts at
        # every status that resets progress; a job's first segment continues the carried one
        reset = self._resets[sc]
        seg = np.cumsum(reset)
        group = np.cumsum(first) - 1
        fpos = np.flatnonzero(first)
        seg_before = (seg[fpos] - reset[fpos])[group]
        idx = np.flatnonzero(sp)
        if len(idx):
            pv, pj, ps = sv[idx], sid[idx], seg[idx]
            same = np.zeros(len(idx), dtype=bool)
            same[1:] = (pj[1:] == pj[:-1]) & (ps[1:] == ps[:-1])
            down = np.zeros(len(idx), dtype=bool)
            down[1:] = same[1:] & (pv[1:] < pv[:-1])
            carried = ~same & (ps == seg_before[idx])
            down |= carried & (pv < self._base[pj])  # NaN baseline: no comparison holds
            sbad[idx[down]] = True

        dirty_jobs = np.unique(sid[sbad])
        if self._checkers:
            known = np.fromiter(self._checkers, dtype=np.int64, count=len(self._checkers))
            dirty_jobs = np.union1d(dirty_jobs, known)
        gjob = sid[fpos]
        clean = ~np.isin(gjob, dirty_jobs, assume_unique=True)
        lpos = np.empty(len(fpos), dtype=np.int64)
        lpos[:-1] = fpos[1:] - 1
        lpos[-1] = n - 1
        if clean.any():
            cj, cf, cl = gjob[clean], fpos[clean], lpos[clean]
            self._last[cj] = sc[cl]
            # the baseline after the batch: the last present value in the last segment, else
            # none if the batch reset progress, else the carried one
            lastp = np.full(len(fpos), -1, dtype=np.int64)
            if len(idx):
                pg = group[idx]  # non-decreasing: the last of each run is the group's last
                ends = np.flatnonzero(np.append(pg[1:] != pg[:-1], True))
                lastp[pg[ends]] = idx[ends]
            lp = lastp[clean]
            has = lp >= 0
            keep_seg = np.where(has, seg[np.maximum(lp, 0)], -1) == seg[cl]
            new_base = np.where(has & keep_seg, sv[np.maximum(lp, 0)], np.nan)
            unchanged = ~(has & keep_seg) & (seg[cl] == seg_before[cf])
            self._base[cj] = np.where(unchanged, self._base[cj], new_base)
            self._count[cj] += cl - cf + 1
            sl = (
                np.arange(lines.start, lines.stop, dtype=np.int64)
                if isinstance(lines, range)
                else np.asarray(lines, dtype=np.int64)
            )[order]
            fresh = self._first[cj] == 0
            self._first[cj[fresh]] = sl[cf[fresh]]
            self._lastline[cj] = sl[cl]
        dirty = np.zeros(len(self.keys), dtype=bool)
        dirty[dirty_jobs] = True
        result: _Bools = dirty[ids]
        return result

    # -- results --------------------------------------------------------------------------------

    def reports(self) -> list[JobReport]:
        """One report per job, in order of first appearance."""
        v, http = self.v, self._http
        per_job: dict[int, dict[int, int]] = {}
        for (jid, code), count in http.items():
            if code is not None and code >= 0:
                per_job.setdefault(jid, {})[code] = count
        out = []
        last, count = self._last.tolist(), self._count.tolist()
        first, lastline = self._first.tolist(), self._lastline.tolist()
        for jid, key in enumerate(self.keys):
            label = key if key is None or isinstance(key, str) else str(key)
            c = self._checkers.get(jid)
            if c is not None:
                out.append(c.report(label, input=self.input, http_status=per_job.get(jid)))
                continue
            code = last[jid]
            out.append(
                JobReport(
                    label,
                    v.spec.name,
                    v.mode,
                    None,
                    (),
                    self._outcomes[code] if self._terminal[code] else "unfinished",
                    None,
                    v,
                    None,
                    self.input,
                    (count[jid], 0),
                    (first[jid], lastline[jid]),
                    per_job.get(jid),
                )
            )
        return out
