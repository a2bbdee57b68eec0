"""The generated Spark SQL on a local[2] SparkSession gives the Python engine's verdicts, for
every spec and mode (marker ``spark``: CI runs it in a step of its own, since installing pyspark
and starting a session take minutes; without pyspark it is skipped)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jobstate import Validator, generate_sql, spark_validate, spark_violations
from jobstate._constants import MODES, SPEC_NAMES
from jobstate.spec.model import Edge, Spec, State
from tests.test_sql import http_polls, polls, python_engine, python_http_engine
from tests.test_sql_time import STALL, python_timed_engine, timed_rows

pytestmark = pytest.mark.spark
pyspark_sql = pytest.importorskip("pyspark.sql")


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    session = (
        pyspark_sql.SparkSession.builder.master("local[2]")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.bindAddress", "127.0.0.1")  # loopback only
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def spark_engine(spark: Any, rows: list[Any], spec: str | Spec, mode: str) -> dict[str, Any]:
    df = spark.createDataFrame(
        rows, "job string, ts long, line long, status string, percentageComplete double"
    )
    df.createOrReplaceTempView("polls")
    out: dict[str, Any] = {}
    query = generate_sql(spec, mode, dialect="spark", tiebreak="line")
    flat = generate_sql(spec, mode, dialect="spark", tiebreak="line", report="violations")
    said = {(r["job"], r["idx"], r["rule"]): r["message"] for r in spark.sql(flat).collect()}
    for r in spark.sql(query).collect():
        listed = [
            (v["idx"], v["rule"], said[r["job"], v["idx"], v["rule"]])
            for v in r["violations"] or []
        ]
        out[r["job"]] = (r["observations"], r["outcome"], r["errors"], r["warnings"], listed)
    return out


@pytest.mark.parametrize("spec", SPEC_NAMES)
@pytest.mark.parametrize("mode", MODES)
@settings(
    max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_spark_sql_agrees_with_the_python_engine(
    spark: Any, spec: str, mode: str, data: Any
) -> None:
    """Per job: observations, outcome, errors, warnings and every violation, on Spark."""
    rows = [
        (f"{i}-{job}", ts, line, status, pct)
        for i in range(6)
        for job, ts, line, status, pct in data.draw(polls(spec))
    ]
    assert spark_engine(spark, rows, spec, mode) == python_engine(rows, Validator(spec, mode))


def test_spark_functions_on_a_dataframe(spark: Any) -> None:
    """`spark_validate` and `spark_violations` take a DataFrame with its own column names and
    return DataFrames: a report per job, and one row per violation."""
    df = spark.createDataFrame(
        [("op-1", 1, "inProgress", 40.0), ("op-1", 2, "completed", 90.0),
         ("op-2", 1, "completed", 100.0), ("op-2", 2, "failed", None)],
        "id string, at long, state string, pct double",
    )  # fmt: skip
    cols: dict[str, Any] = {"job": "id", "order": "at", "status": "state", "percentage": "pct"}
    jobs = {r["job"]: r for r in spark_validate(df, **cols).collect()}
    assert (jobs["op-1"]["outcome"], jobs["op-1"]["warnings"]) == ("success", 1)
    assert (jobs["op-2"]["outcome"], jobs["op-2"]["errors"]) == ("success", 1)
    flat = [tuple(r) for r in spark_violations(df, **cols).collect()]
    assert flat == [
        ("op-1", 1, "completed-not-100", "warning", 2,
         "'completed' with percentageComplete 90, not 100"),
        ("op-2", 1, "after-terminal", "error", 2,
         "'failed' after terminal 'completed' (outcome success): a terminal status never changes"),
    ]  # fmt: skip


@pytest.mark.parametrize("spec", SPEC_NAMES)
@pytest.mark.parametrize("mode", MODES)
@settings(
    max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_spark_sql_with_http_statuses_agrees_with_the_python_engine(
    spark: Any, spec: str, mode: str, data: Any
) -> None:
    """With HTTP status and error code columns: the answers' counts, outcome and every
    violation with its HTTP status, through `spark_validate` and `spark_violations`."""
    rows = [(f"{i}-{job}", *rest) for i in range(6) for job, *rest in data.draw(http_polls(spec))]
    df = spark.createDataFrame(
        rows,
        "job string, ts long, line long, status string, percentageComplete double,"
        " code int, err string",
    )
    cols: dict[str, Any] = {"spec": spec, "mode": mode, "tiebreak": "line", "http": "code",
                            "error_code": "err"}  # fmt: skip
    flat = [tuple(r) for r in spark_violations(df, **cols).collect()]
    got = {}
    for r in spark_validate(df, **cols).collect():
        got[r["job"]] = (
            r["observations"], r["outcome"], r["errors"], r["warnings"],
            [(i, rule, http, m) for j, i, rule, _, http, _, m in flat if j == r["job"]],
            r["error_answers"], r["transient"], r["expired"], r["lost"],
        )  # fmt: skip
    assert got == python_http_engine(rows, spec, mode)


def test_state_names_with_backslashes_and_quotes(spark: Any) -> None:
    """A spec whose state names end in a backslash or hold quotes and escapes: the Spark query
    parses and gives the Python engine's verdicts (Spark reads backslash escapes in literals)."""
    names = ["start\\", "it's", "a\\nb", "done\\'"]
    states = [
        State(names[0], "initial", "inferred", "test"),
        State(names[1], "active", "inferred", "test"),
        State(names[2], "active", "inferred", "test"),
        State(names[3], "terminal", "inferred", "test", outcome="success"),
    ]
    edges = [Edge(a, b, "inferred", "test") for a, b in itertools.pairwise(names)]
    spec = Spec("escapes", states, edges)
    runs = {"j1": names, "j2": [names[0], names[2], "start"]}
    rows = [(job, i, i, status, None) for job, run in runs.items() for i, status in enumerate(run)]
    got = spark_engine(spark, rows, spec, "sampled")
    assert got == python_engine(rows, Validator(spec, "sampled"))
    assert got["j1"][1] == "success" and got["j2"][2] > 0


@settings(
    max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_spark_time_facts_and_stalls_agree_with_the_python_engine(spark: Any, data: Any) -> None:
    """With a time column on Spark: per job, the violations with the stalls among them, the
    first and last poll and the duration are the Python engine's."""
    rows = data.draw(timed_rows("current"))
    df = spark.createDataFrame(
        rows,
        "job string, ts long, line long, status string, percentageComplete double,"
        " code int, err string",
    )
    cols: dict[str, Any] = {"tiebreak": "line", "http": "code", "error_code": "err",
                            "time": "ts", "stall": STALL}  # fmt: skip
    got = {}
    for r in spark_validate(df, **cols).collect():
        found = [(x["idx"], x["rule"]) for x in r["violations"] or []]
        got[r["job"]] = (r["errors"], r["warnings"], found, r["first_poll"], r["last_poll"],
                         r["duration"])  # fmt: skip
    assert got == python_timed_engine(rows, "current", True)
