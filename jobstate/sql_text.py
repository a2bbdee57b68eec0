"""SQL text of the two dialects the generated query speaks (``duckdb``, ``spark``): literals,
quoted names, inline tables."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["ident", "sql_literal", "values"]


def sql_literal(value: str, dialect: str = "duckdb") -> str:
    r"""``value`` as an SQL string literal of ``dialect``: quotes doubled, and in Spark SQL,
    which reads backslash escapes in literals, backslashes doubled too.

    >>> sql_literal("it's"), sql_literal("a\\", "spark")
    ("'it''s'", "'a\\\\'")
    """
    if dialect == "spark":
        value = value.replace("\\", "\\\\")
    return "'" + value.replace("'", "''") + "'"


def ident(name: str, dialect: str, *, dotted: bool = True) -> str:
    """A column or table name quoted for ``dialect`` (dots split a qualified table name, or a
    struct's field; not in a spec's field name, which is one column: ``dotted=False``)."""
    parts = name.split(".") if dotted else [name]
    if dialect == "spark":
        return ".".join("`" + p.replace("`", "``") + "`" for p in parts)
    return ".".join('"' + p.replace('"', '""') + '"' for p in parts)


def values(rows: Iterable[tuple[str, ...]], names: str, dialect: str) -> str:
    """An inline table (Spark SQL takes ``VALUES`` bare in ``FROM``, DuckDB in parentheses)."""
    body = ",\n    ".join("(" + ", ".join(row) + ")" for row in rows)
    if dialect == "spark":
        return f"VALUES\n    {body}\n  AS t({names})"
    return f"(VALUES\n    {body}\n  ) AS t({names})"
