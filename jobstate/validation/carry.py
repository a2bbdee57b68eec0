"""What the arrays hand on for a batch's clean records: the state they leave a job in (for
the job arrays, or in bulk for a Checker), and the clean tails that follow a job's records on
the general path (see :class:`~jobstate.validation.stream.Stream`)."""

from __future__ import annotations

from typing import Any

import numpy as np

from jobstate.validation.arrays import Batch, Bools, Ints, Tails

__all__ = ["carried", "clean_tails"]


def carried(b: Batch, clean: Bools, upto: Ints, sl: Ints) -> tuple[Any, ...]:
    """The ``clean`` groups' jobs, and what their records up to ``upto`` leave: last status
    code, baseline (NaN: none), whether the baseline is the one carried in, record count,
    and the lowest and highest line of the group."""
    fpos, seg, idx = b.fpos, b.seg, b.idx
    cj, cf, cl = b.gjob[clean], fpos[clean], upto[clean]
    # the baseline after the carried records: the last present value in the last segment,
    # else none if they reset progress, else the carried one
    lp = np.full(len(cl), -1, dtype=np.int64)
    if len(idx):
        k = np.searchsorted(idx, cl, side="right") - 1  # the last present value up to cl
        found = k >= 0
        at = idx[np.maximum(k, 0)]
        lp = np.where(found & (at >= cf), at, -1)
    has = lp >= 0
    keep_seg = np.where(has, seg[np.maximum(lp, 0)], -1) == seg[cl]
    new_base = np.where(has & keep_seg, b.sv[np.maximum(lp, 0)], np.nan)
    unchanged = ~(has & keep_seg) & (seg[cl] == b.seg_before[cf])
    # the span of the job's records in the batch, carried or not: the general path widens
    # it with the others' lines anyway (--order-by reorders lines in a job: min and max)
    lowest = np.minimum.reduceat(sl, fpos)[clean]
    highest = np.maximum.reduceat(sl, fpos)[clean]
    return cj, b.sc[cl], new_base, unchanged, cl - cf + 1, lowest, highest


def clean_tails(
    b: Batch,
    start: Ints,
    flagged: Ints,
    last_bad: Ints,
    sl: Ints,
    none: int,
    low: float,
    high: float,
) -> Tails | None:
    """The clean tails of the jobs that take the general path in this batch (``flagged``
    groups, whose last flagged records are at ``last_bad``). A job's general path ends at
    the first record, from its last flagged one (from its first if it was on the general
    path before), that leaves the Checker where the arrays assumed the job to be: a known
    status, with a valid percentage or one that resets progress. The records after it were
    checked against that state, so the flags say they are clean: the Checker takes them in
    bulk (:meth:`~jobstate.validation.checker.Checker.carry`)."""
    gen = np.flatnonzero(start < b.lpos)
    if not len(gen):
        return None
    last = start.copy()  # the last record the general path must take
    last[flagged] = last_bad
    valid = b.sp & (b.sv >= low) & (b.sv <= high)
    # (a percentage of the wrong type is NaN here; an HTTP error with a status body moves
    # the Checker as any status does: the general path takes that record itself)
    heal = np.flatnonzero((b.sc != none) & (b.reset | valid))
    k = np.searchsorted(heal, last[gen])
    h = heal[np.minimum(k, len(heal) - 1)] if len(heal) else last[gen]
    ok = (k < len(heal)) & (h < b.lpos[gen])
    gen, h = gen[ok], h[ok]
    if not len(gen):
        return None
    end = b.lpos[gen]
    # the baseline after the tail: the last valid value in its last segment, else none if
    # it resets progress, else the Checker's own (``keep``); a value in that segment at or
    # before ``h`` is ``h``'s own, the Checker's baseline (a reset at ``h`` starts one)
    j = np.searchsorted(b.idx, end, side="right") - 1
    lp = b.idx[np.maximum(j, 0)] if len(b.idx) else end
    has = (j >= 0) & (b.seg[lp] == b.seg[end])
    keep = ~has & (b.seg[end] == b.seg[h])
    base = np.where(has, b.sv[lp], np.nan)
    ext = np.append(sl, 0)  # min and max of each tail's lines, [h+1, end]
    cuts = np.ravel(np.column_stack([h + 1, end + 1]))
    return Tails(
        gen,
        h,
        b.gjob[gen],
        end - h,
        b.sc[end],
        base,
        keep,
        np.minimum.reduceat(ext, cuts)[::2],
        np.maximum.reduceat(ext, cuts)[::2],
    )
