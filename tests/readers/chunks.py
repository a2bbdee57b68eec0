"""A spy on the polars JSON Lines path, shared by the tests that ask whether it took a chunk."""

from __future__ import annotations

from typing import Any

import pytest

from jobstate.readers.jsonl_polars import PolarsJsonlReader


def chunks_taken(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Record whether each chunk was taken by the fast path (in the list returned)."""
    taken: list[bool] = []
    real = PolarsJsonlReader.try_feed

    def spy(self: PolarsJsonlReader, *args: Any) -> bool:
        taken.append(real(self, *args))
        return taken[-1]

    monkeypatch.setattr(PolarsJsonlReader, "try_feed", spy)
    return taken
