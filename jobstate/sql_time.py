"""Time in the generated SQL (:func:`jobstate.generate_sql` with ``time``): each job's first
and last poll and its duration, and its stalls as ``stalled`` violations, read as
:mod:`jobstate.validation.timing` reads them.

The time column holds seconds since the epoch (a number; make a view that converts a
timestamp). A stall is a run of polls that answered the same status and percentage (polls
without a status, error answers, do not break it), before the job's end, spanning more than
the threshold; it is reported at the run's first poll. The duration runs from the first poll
to the end (the first terminal status), or to the last poll of a job that never ended.
"""

from __future__ import annotations

__all__ = ["job_time_columns", "report_time_columns", "stall_ctes", "stall_rows"]


def stall_ctes(stall: float | None) -> list[str]:
    """The CTEs that find each job's stalls (none with ``stall=None``): the status polls
    before the end, each marked where its status or percentage changed, numbered into runs."""
    if stall is None:
        return ["jobstate_stalls AS (SELECT job, k FROM jobstate_obs WHERE FALSE),"]
    same = (  # the status poll before (windows see only the rows the WHERE keeps)
        "lag(status) OVER (PARTITION BY job ORDER BY k) IS NOT DISTINCT FROM status"
        " AND lag(pct) OVER (PARTITION BY job ORDER BY k) IS NOT DISTINCT FROM pct"
    )
    return [
        "jobstate_still AS (",
        f"  SELECT job, k, t, CASE WHEN {same} THEN 0 ELSE 1 END AS fresh",
        "  FROM jobstate_obs",
        "  WHERE status IS NOT NULL AND t IS NOT NULL AND (first_end IS NULL OR k < first_end)",
        "),",
        "jobstate_runs AS (",
        "  SELECT job, k, t, sum(fresh) OVER (PARTITION BY job ORDER BY k"
        " ROWS UNBOUNDED PRECEDING) AS run",
        "  FROM jobstate_still",
        "),",
        "jobstate_stalls AS (",
        "  SELECT job, min(k) AS k",
        "  FROM jobstate_runs",
        "  GROUP BY job, run",
        f"  HAVING max(t) - min(t) > {float(stall)!r}",
        "),",
    ]


def stall_rows(http: bool) -> list[str]:
    """The violations' rows for the stalls, to follow the rule flags' with ``UNION ALL``."""
    return [
        "  UNION ALL",
        "  SELECT s.job, s.k AS idx, r.rule, r.severity, r.rank"
        + (", CAST(NULL AS INTEGER) AS http" if http else ""),
        "  FROM jobstate_stalls s JOIN jobstate_rules r ON r.rule = 'stalled'",
    ]


def job_time_columns(*, more: bool) -> list[str]:
    """Per job, over all its polls: the first and last poll's time and the end's (``more``:
    other columns follow)."""
    return [
        "    min(o.t) AS first_poll, max(o.t) AS last_poll,",
        "    max(CASE WHEN o.k = o.first_end THEN o.t END) AS end_time" + ("," if more else ""),
    ]


def report_time_columns() -> str:
    """The job report's time columns (seconds): first and last poll, duration."""
    return (
        ", j.first_poll, j.last_poll, COALESCE(j.end_time, j.last_poll) - j.first_poll AS duration"
    )
