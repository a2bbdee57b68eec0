"""What the arrays hand on for a batch's clean records: the state they leave a job in (for
the job arrays, or in bulk for a Checker), and the clean runs between a job's records on the
general path (see :class:`~jobstate.validation.stream.Stream`)."""

from __future__ import annotations

from typing import Any

import numpy as np

from jobstate.validation.arrays import Batch, Bools, Ints, Tails

__all__ = ["carried", "clean_runs"]


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


def clean_runs(
    b: Batch, flagged: Bools, sl: Ints, none: int, low: float, high: float
) -> tuple[Bools, Tails | None]:
    """Which records of a batch (in job order) the general path takes, and the clean runs
    the Checkers take in bulk between them.

    A job's general path starts at its first ``flagged`` record and ends at the first record
    from there that leaves the Checker where the arrays assumed the job to be (it *heals* the
    job): a known status, with a valid percentage or one that resets progress. The records
    after it, up to the next flagged one (or the job's last), were checked against that state,
    so the flags say they are clean: a run the Checker takes in bulk
    (:meth:`~jobstate.validation.checker.Checker.carry`) right after the healing record
    (``Tails.last``); then the general path again, and so on."""
    n = b.n
    pos = np.arange(n)
    valid = b.sp & (b.sv >= low) & (b.sv <= high)
    # (a percentage of the wrong type is NaN here; an HTTP error with a status body moves
    # the Checker as any status does: the general path takes that record itself)
    heal = (b.sc != none) & (b.reset | valid)
    last_flag = np.maximum.accumulate(np.where(flagged, pos, -1))
    healed = np.empty(n, dtype=np.int64)  # the last healing record before each record
    healed[0] = -1
    healed[1:] = np.maximum.accumulate(np.where(heal, pos, -1))[:-1]
    after_flag = last_flag >= b.fpos[b.group]  # a flagged record in the job, at or before
    general: Bools = after_flag & (last_flag > healed)
    run = after_flag & ~general  # never a job's first record: it would be flagged
    if not run.any():
        return general, None
    begins = np.flatnonzero(run & np.insert(general[:-1], 0, False))
    ends = np.flatnonzero(run & ~np.append(run[1:], False))
    h = begins - 1  # the healing record each run follows (the general path's last)
    # the baseline after the run: the last valid value in its last segment, else none if
    # it resets progress, else the Checker's own (``keep``); a value in that segment at or
    # before ``h`` is ``h``'s own, the Checker's baseline (a reset at ``h`` starts one)
    j = np.searchsorted(b.idx, ends, side="right") - 1
    lp = b.idx[np.maximum(j, 0)] if len(b.idx) else ends
    has = (j >= 0) & (b.seg[lp] == b.seg[ends])
    keep = ~has & (b.seg[ends] == b.seg[h])
    base = np.where(has, b.sv[lp], np.nan)
    ext = np.append(sl, 0)  # min and max of each run's lines, [h+1, end]
    cuts = np.ravel(np.column_stack([begins, ends + 1]))
    return general, Tails(
        h,
        ends - h,
        b.sc[ends],
        base,
        keep,
        np.minimum.reduceat(ext, cuts)[::2],
        np.maximum.reduceat(ext, cuts)[::2],
    )
