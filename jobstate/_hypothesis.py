"""Hypothesis plugin hook (entry point ``hypothesis``): ``st.from_type(jobstate.Trace)`` works."""

from __future__ import annotations

from typing import Any


def _trace_strategy(_: type) -> Any:
    from jobstate.strategies import traces

    return traces()


def setup_hook() -> None:
    from hypothesis import strategies as st

    from jobstate._trace import Trace

    st.register_type_strategy(Trace, _trace_strategy)
