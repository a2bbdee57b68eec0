"""Spark, for polls beyond one machine: the generated SQL run on a DataFrame (the ``spark``
extra; pyspark is imported only by these functions' callers, who pass a DataFrame).

No Python runs on the workers: the query shuffles once by job and sorts each job by its order
key; every rule is a window function over that sort. Results equal the Python engine's (a
property test on a local SparkSession checks every spec and mode).
"""

from __future__ import annotations

import itertools
from typing import Any

from jobstate._constants import STALL_SECONDS, Mode
from jobstate.spec import Spec
from jobstate.sql import generate_sql

__all__ = ["spark_validate", "spark_violations"]

_VIEWS = itertools.count()


def _run(df: Any, report: str, **options: Any) -> Any:
    view = f"jobstate_polls_{next(_VIEWS)}"
    df.createOrReplaceTempView(view)
    return df.sparkSession.sql(generate_sql(dialect="spark", report=report, table=view, **options))


def spark_validate(
    df: Any,
    *,
    spec: str | Spec = "current",
    mode: Mode | str = "sampled",
    job: str = "job",
    status: str | None = None,
    percentage: str | None = None,
    order: str = "ts",
    tiebreak: str | None = None,
    http: str | None = None,
    error_code: str | None = None,
    time: str | None = None,
    stall: float | None = STALL_SECONDS,
) -> Any:
    """A DataFrame with one row per job of ``df``: ``job``, ``observations``, ``outcome``,
    ``errors``, ``warnings`` and ``violations`` (a list of ``(idx, rule)``), lazily evaluated;
    with an ``http`` status column (and ``error_code``), also ``error_answers``, ``transient``,
    ``expired`` and ``lost``, read as :func:`jobstate.generate_sql` says; with a ``time`` column
    (seconds since the epoch), ``first_poll``, ``last_poll``, ``duration`` and ``stalled``
    violations too. ``status`` and ``percentage`` name the columns: by default the spec's
    status and progress fields."""
    return _run(
        df,
        "jobs",
        spec=spec,
        mode=mode,
        job=job,
        status=status,
        percentage=percentage,
        order=order,
        tiebreak=tiebreak,
        http=http,
        error_code=error_code,
        time=time,
        stall=stall,
    )


def spark_violations(
    df: Any,
    *,
    spec: str | Spec = "current",
    mode: Mode | str = "sampled",
    job: str = "job",
    status: str | None = None,
    percentage: str | None = None,
    order: str = "ts",
    tiebreak: str | None = None,
    http: str | None = None,
    error_code: str | None = None,
    time: str | None = None,
    stall: float | None = STALL_SECONDS,
) -> Any:
    """A DataFrame with one row per violation in ``df``: ``job``, ``idx`` (0-based within the
    job, in order), ``rule``, ``severity``; with an ``http`` column, ``http_status`` too; then
    ``order_value``, the poll's value of the ``order`` column, and ``message``, the Python
    engine's message word for word (``NULL`` for ``stalled``)."""
    return _run(
        df,
        "violations",
        spec=spec,
        mode=mode,
        job=job,
        status=status,
        percentage=percentage,
        order=order,
        tiebreak=tiebreak,
        http=http,
        error_code=error_code,
        time=time,
        stall=stall,
    )
