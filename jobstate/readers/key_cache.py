"""Job keys to the stream's job ids for columns of text keys, mostly inside numpy.

Where many concurrent jobs interleave (a million jobs polled in turn), every chunk holds as
many distinct keys as rows, and giving each its id through the stream's dict costs a Python
string and a dict call a row. A :class:`KeyCache` keeps the keys it has seen as 64-bit polars
hashes in a sorted array beside their ids: a chunk's keys are hashed and looked up with one
``searchsorted``, the keys found are compared with the cached text (a hash collision sends the
chunk the dict's way), and only keys never seen go through the stream's dict, which stays the
one register of ids (so keys registered by another path keep theirs).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from jobstate.readers.polars_columns import global_ids, job_ids, runs, seen_in_runs

if TYPE_CHECKING:  # numpy loads only when a check runs
    from jobstate.validation.stream import Stream

__all__ = ["KeyCache", "first_appearance"]


def first_appearance(ids: Any) -> Any:
    """Dense ids of ``ids`` (a numpy array) in order of first appearance.

    >>> import numpy as np
    >>> first_appearance(np.array([7, 3, 7, 9, 3])).tolist()
    [0, 1, 0, 2, 1]
    """
    import numpy as np

    distinct, first, inverse = np.unique(ids, return_index=True, return_inverse=True)
    rank = np.empty(len(distinct), dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(len(distinct))
    return rank[inverse]


class KeyCache:
    """The job ids of text key columns for one stream (see the module)."""

    def __init__(self, pl: Any, stream: Stream) -> None:
        import numpy as np

        self.pl, self.stream = pl, stream
        self.hashes = np.empty(0, dtype=np.uint64)  # sorted
        self.entries = np.empty(0, dtype=np.int64)  # the entry of each sorted hash
        self.ids = np.empty(0, dtype=np.int64)  # the job id of each entry
        self.keys = pl.Series(dtype=pl.String)  # the key of each entry

    def __call__(self, keys: Any) -> tuple[Any, Any]:
        """The stream's job ids of a column of text keys, and ids local to the column (0 ..
        distinct-1, in order of first appearance), as :func:`job_ids` gives them."""
        grouped = runs(keys)
        if grouped is not None:  # grouped rows: a few runs, mapped run by run
            seen = seen_in_runs(*grouped)
            return global_ids(self.stream, seen), seen[1]
        found = self._lookup(keys)
        if found is None:
            return job_ids(self.pl, keys, self.stream)
        return found, first_appearance(found)

    def _find(self, hashes: Any) -> tuple[Any, Any]:
        """Which ``hashes`` are cached, and the entry of each (-1 where not)."""
        import numpy as np

        if not len(self.hashes):
            return np.zeros(len(hashes), dtype=bool), np.full(len(hashes), -1, np.int64)
        order = np.argsort(hashes)  # sorted needles: each search starts where the last ended
        at = np.empty(len(hashes), dtype=np.int64)
        at[order] = np.searchsorted(self.hashes, hashes[order])
        np.minimum(at, len(self.hashes) - 1, out=at)
        hit = self.hashes[at] == hashes
        return hit, np.where(hit, self.entries[at], -1)

    def _lookup(self, keys: Any) -> Any:
        """The job id of each key, or ``None`` where two keys share a hash."""
        import numpy as np

        pl = self.pl
        hashes = keys.hash().to_numpy()
        hit, entry = self._find(hashes)
        if hit.any():
            known = self.keys.gather(entry[hit])
            if not (known == keys.filter(pl.Series(hit))).all():
                return None
        if not hit.all():
            new = keys.filter(pl.Series(~hit)).unique(maintain_order=True)
            added = new.hash().to_numpy()
            if len(np.unique(added)) != len(added):
                return None
            self._add(new, added)
            miss = np.flatnonzero(~hit)
            entry[miss] = self._find(hashes[miss])[1]
        return self.ids[entry]

    def _add(self, new: Any, hashes: Any) -> None:
        """Register ``new`` distinct keys (their ``hashes``) with the stream and the cache."""
        import numpy as np

        ids = np.array(self.stream.job_ids(new.to_list()), dtype=np.int64)
        first = len(self.ids)
        self.ids = np.concatenate([self.ids, ids])
        self.keys.append(new)
        order = np.argsort(hashes)  # equal insertion points keep the values' order
        at = np.searchsorted(self.hashes, hashes[order])
        self.hashes = np.insert(self.hashes, at, hashes[order])
        self.entries = np.insert(self.entries, at, first + order)
