"""The key cache of the polars JSON Lines path gives each job key the id the stream's dict
gives it, batch after batch, whatever other paths registered in between, and falls back to
the dict where two keys share a hash."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

import numpy as np
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from jobstate.readers.key_cache import KeyCache, first_appearance
from jobstate.readers.polars_columns import job_ids

if TYPE_CHECKING:
    from jobstate.validation.stream import Stream


class _Stream:
    """The part of a stream the key mapping uses: one dict of ids, in order of registration."""

    def __init__(self) -> None:
        self.known: dict[Any, int] = {}

    def job_ids(self, distinct: list[Any]) -> list[int]:
        return [self.known.setdefault(k, len(self.known)) for k in distinct]


KEYS = st.lists(st.sampled_from([f"op-{i}" for i in range(12)] + ["", "É", "a b"]), min_size=1)
STEPS = st.lists(st.tuples(st.booleans(), KEYS), min_size=1, max_size=8)


def _twins(steps: list[tuple[bool, list[str]]], cache_of: Any) -> None:
    """Play ``steps`` (a batch through the cache, or keys registered by another path) on two
    streams, one mapped by a :class:`KeyCache`, one by the dict alone; ids and local ids of
    every batch, and the registers, must be equal."""
    cached, plain = _Stream(), _Stream()
    cache = cache_of(cached)
    for batch, keys in steps:
        if not batch:  # another path (lines read one by one) registers keys
            cached.job_ids(keys)
            plain.job_ids(keys)
            continue
        column = pl.Series(keys, dtype=pl.String)
        got, want = cache(column), job_ids(pl, column, cast("Stream", plain))
        assert got[0].tolist() == want[0].tolist()
        assert got[1].tolist() == want[1].tolist()
    assert cached.known == plain.known


@given(STEPS)
def test_the_cache_gives_the_dicts_ids(steps: list[tuple[bool, list[str]]]) -> None:
    """Batch after batch, the cache's ids and local ids are the dict's, keys registered by
    another path in between included."""
    _twins(steps, lambda stream: KeyCache(pl, cast("Stream", stream)))


def _one_hash(self: pl.Series, *args: Any, **kwargs: Any) -> pl.Series:
    """The same hash for every key."""
    return pl.Series([7] * len(self), dtype=pl.UInt64)


@given(STEPS)
def test_keys_that_share_a_hash_go_the_dicts_way(
    steps: list[tuple[bool, list[str]]],
) -> None:
    """Where every key hashes alike (a collision at every step), the ids are still the
    dict's: the cache compares the keys it finds and refuses a batch whose new keys collide."""
    with pytest.MonkeyPatch.context() as m:
        m.setattr(pl.Series, "hash", _one_hash)
        _twins(steps, lambda stream: KeyCache(pl, cast("Stream", stream)))


def test_interleaved_keys_take_the_cache_and_grouped_ones_the_runs() -> None:
    """Keys that interleave are looked up in the cache (its hashes stay sorted); keys that
    come in runs are mapped run by run and never cached."""
    stream = _Stream()
    cache = KeyCache(pl, cast("Stream", stream))
    cache(pl.Series(["a"] * 8 + ["b"] * 8))
    assert len(cache.hashes) == 0
    ids, local = cache(pl.Series(["c", "a", "d", "c", "a", "d"]))
    assert (ids.tolist(), local.tolist()) == ([2, 0, 3, 2, 0, 3], [0, 1, 2, 0, 1, 2])
    assert len(cache.hashes) == 3 and (np.diff(cache.hashes.astype(np.float64)) > 0).all()
    assert sorted(cache.keys.to_list()) == ["a", "c", "d"]


@given(st.lists(st.integers(0, 5)))
def test_first_appearance_numbers_values_as_they_first_come(values: list[int]) -> None:
    """Dense ids in order of first appearance: equal values share one, and each new value
    takes the next."""
    got = first_appearance(np.array(values, dtype=np.int64)).tolist()
    order = list(dict.fromkeys(values))
    assert got == [order.index(v) for v in values]
