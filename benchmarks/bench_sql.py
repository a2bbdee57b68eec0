"""The generated SQL at scale: DuckDB and Spark (local[2]) on the same Parquet file.

    python benchmarks/bench_sql.py [--rows 1000000] [--rounds 3] [--no-spark]

Polls of jobs of 100 polls each (statuses rising to a terminal, one job in 50 with a fault:
a percentage that falls, or a change after the end) are written to Parquet with polars. Each
round runs, interleaved: the `jobs` query in DuckDB (`read_parquet`), and the same query's Spark
text through `jobstate.spark_validate` on a local[2] SparkSession (session start excluded).
Both must report the same errors and warnings in total. Prints rows/s (median) and the ratio.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any


def make_parquet(path: Path, rows: int, per: int = 100) -> None:
    import polars as pl

    jobs = rows // per
    k = pl.int_range(0, rows, eager=True)
    job = k // per
    pos = k % per
    status = (
        pl.when(pos == 0).then(pl.lit("notStarted"))
        .when(pos < per - 1).then(pl.lit("inProgress"))
        .otherwise(pl.lit("completed"))
    )  # fmt: skip
    pct = (pos.cast(pl.Float64) * 100.0 / (per - 1)).round(1)
    faulty = (job % 50 == 0) & (pos == per // 2)
    pct = pl.when(faulty).then(pl.lit(1.0)).otherwise(pct)
    df = pl.DataFrame({"job": job, "pos": pos}).with_columns(
        ("op-" + pl.col("job").cast(pl.String)).alias("job"),
        pl.col("pos").alias("ts"),
        status.alias("status"),
        pct.alias("percentageComplete"),
    )
    df.select("job", "ts", "status", "percentageComplete").write_parquet(path)
    print(f"{rows:,} rows, {jobs:,} jobs -> {path.stat().st_size / 1e6:.2f} MB Parquet")


def duckdb_run(path: Path) -> tuple[float, tuple[int, int]]:
    import duckdb

    from jobstate import DUCKDB_NAN_SAFE, generate_sql

    con = duckdb.connect()
    con.execute(DUCKDB_NAN_SAFE)  # as the query's header asks, over Parquet
    con.execute(f"CREATE VIEW polls AS SELECT * FROM read_parquet('{path}')")
    query = generate_sql()
    t = time.perf_counter()
    [(errors, warnings)] = con.sql(f"SELECT sum(errors), sum(warnings) FROM ({query})").fetchall()
    return time.perf_counter() - t, (int(errors), int(warnings))


def spark_run(spark: Any, path: Path) -> tuple[float, tuple[int, int]]:
    from pyspark.sql import functions as F

    from jobstate import spark_validate

    t = time.perf_counter()
    df = spark.read.parquet(str(path))
    row = spark_validate(df).agg(F.sum("errors"), F.sum("warnings")).collect()[0]
    return time.perf_counter() - t, (int(row[0]), int(row[1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-spark", action="store_true")
    args = parser.parse_args()
    spark = None
    if not args.no_spark:
        from pyspark.sql import SparkSession

        spark = (
            SparkSession.builder.master("local[2]")
            .config("spark.ui.enabled", "false")
            .config("spark.driver.bindAddress", "127.0.0.1")  # loopback only
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.sql.shuffle.partitions", "4")
            .config("spark.driver.memory", "4g")
            .getOrCreate()
        )
        spark.sparkContext.setLogLevel("ERROR")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "polls.parquet"
        make_parquet(path, args.rows)
        duck: list[float] = []
        sp: list[float] = []
        for _ in range(args.rounds):
            t, d_totals = duckdb_run(path)
            duck.append(t)
            if spark is not None:
                t, s_totals = spark_run(spark, path)
                sp.append(t)
                assert s_totals == d_totals, (s_totals, d_totals)
        print(f"totals (errors, warnings): {d_totals}")
        d = statistics.median(duck)
        print(f"duckdb: {args.rows / d:,.0f} rows/s (median {d:.2f} s)")
        if sp:
            s = statistics.median(sp)
            rate = args.rows / s
            print(
                f"spark local[2]: {rate:,.0f} rows/s (median {s:.2f} s), {rate / 2:,.0f} per core"
            )
            print(f"spark / duckdb throughput: {d / s:.2f}")
    if spark is not None:
        spark.stop()


if __name__ == "__main__":
    main()
