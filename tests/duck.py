"""One DuckDB connection per test process, and a table of polls filled in one statement, for
the SQL property tests: opening a connection costs about 28 ms here and ``executemany`` runs a
statement per row, which made their plumbing cost more than the queries they test."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import duckdb

__all__ = ["polls_table"]


@functools.cache
def _connection() -> duckdb.DuckDBPyConnection:
    return duckdb.connect()


def polls_table(columns: str, rows: Sequence[Sequence[Any]]) -> duckdb.DuckDBPyConnection:
    """The process's connection with a fresh table ``polls`` of ``columns`` (SQL column
    definitions) holding ``rows``."""
    con = _connection()
    con.execute(f"CREATE OR REPLACE TABLE polls ({columns})")
    if rows:
        row = "(" + ", ".join("?" * len(rows[0])) + ")"
        con.execute(
            f"INSERT INTO polls VALUES {', '.join([row] * len(rows))}", [v for r in rows for v in r]
        )
    return con
