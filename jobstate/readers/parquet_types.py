"""What a Parquet file's writer meant by its byte columns.

Parquet stores text, JSON and raw bytes alike as ``BYTE_ARRAY``; the schema's logical type
says which. polars reads a column of the JSON logical type (DuckDB writes one for a JSON Lines
column whose values mix types) and a byte column with no text annotation (polars' and
pyarrow's ``binary``) both as bytes. jobstate reads a JSON column as the JSON values it holds
(``"inProgress"`` is the text, ``50`` the number) and any other byte column as UTF-8 text. The
logical types come from the footer, read by DuckDB (the ``sql`` extra) or pyarrow, whichever
is installed; with neither, every byte column is read as text, and a note says so.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import orjson

__all__ = ["NO_READER_NOTE", "json_columns", "json_value"]

NO_READER_NOTE = (
    "byte column {names} read as UTF-8 text: whether its Parquet logical type is JSON is read"
    " with duckdb (pip install 'jobstate-graph[sql]') or pyarrow installed"
)


def json_columns(path: str, names: Collection[str]) -> set[str] | None:
    """Which of the top-level columns ``names`` of the Parquet file at ``path`` are of the JSON
    logical type; ``None`` where no installed library can read the footer's types."""
    try:
        import duckdb
    except ImportError:
        return _json_columns_pyarrow(path, names)
    con = duckdb.connect()
    try:
        rows = con.execute(
            "SELECT name, converted_type, logical_type FROM parquet_schema(?)", [path]
        ).fetchall()
    finally:
        con.close()
    return {
        name
        for name, converted, logical in rows
        if name in names and (converted == "JSON" or str(logical or "").startswith("Json"))
    }


def _json_columns_pyarrow(path: str, names: Collection[str]) -> set[str] | None:
    try:
        import pyarrow.parquet as pq  # type: ignore[import-untyped, import-not-found, unused-ignore]
    except ImportError:
        return None
    schema = pq.ParquetFile(path).schema
    out: set[str] = set()
    for i in range(len(schema)):
        column = schema.column(i)
        logical = str(getattr(column.logical_type, "type", ""))
        if column.path in names and ("JSON" in (logical, str(column.converted_type))):
            out.add(column.path)
    return out


def json_value(text: Any) -> Any:
    """A value of a JSON column (its text, or ``None``) as the JSON value it holds; text that
    is not JSON (no writer of the type makes it) is kept as it is."""
    if text is None:
        return None
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return text
