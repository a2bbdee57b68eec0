"""The violations' messages in the generated SQL, word for word the Python engine's.

The words come from the rules' own message functions (:mod:`jobstate.validation.rules`), called
once per spec with a hole where a poll's value goes and inlined as a table
(``jobstate_words``: rule, state, and the text around the holes); the query fills the holes
with the poll's status or numbers. The hints of ``unknown-status`` are the spec's hint tables
(:mod:`jobstate.validation.hints`), inlined as ``jobstate_hints``. What the Python engine
computes, the query computes alike in both dialects:

- a number is said by its shortest exact form without ``.0`` (:func:`~jobstate.validation.
  rules.number`): DuckDB's text of a double is Python's; Spark's (Java's) is not, so the query
  looks for the fewest digits that read back as the value and lays them out as Python does;
- an unknown status is quoted as Python's ``repr`` quotes it, cut to 80 characters: its quote
  chosen alike, a backslash, quote or control character escaped, and a character outside
  Unicode's letters, marks, numbers, punctuation and symbols as ``\\xNN``, ``\\uNNNN`` or
  ``\\UNNNNNNNN``. A character assigned in a Unicode version one side knows and the other does
  not is said differently (Python 3.11 knows Unicode 14, Java 17 Unicode 13).
"""

from __future__ import annotations

from jobstate._constants import SUCCESS_NOT_TOP
from jobstate.sql_text import sql_literal, values
from jobstate.validation import rules
from jobstate.validation.hints import HINTLESS, hints_of
from jobstate.validation.tables import Tables

__all__ = ["violations_select", "words_ctes"]


def _parts(text: str, hole: str) -> tuple[str, str, str]:
    """The text around the hole (or two holes) in ``text``, as three parts."""
    a, b, *c = text.split(hole)
    return a, b, c[0] if c else ""


def _words(t: Tables, http: bool) -> list[tuple[str, str, tuple[str, str, str]]]:
    """(rule, state, the text around its holes) of every message the query can give: each
    rule's message function called with a hole, a run of NUL characters longer than all of the
    spec's words hold (spec data may hold any character; the message's own words none)."""
    words = [*t.spec.names, t.status_field, t.progress.field if t.progress else ""]
    hole = "\x00" * (1 + sum(w.count("\x00") for w in words))
    rows = [("missing-status", "", (rules.missing_status({}, t.status_field) or "", "", ""))]
    for s in t.spec.names:
        if s in t.terminal:
            said = rules.after_terminal(s, hole, t.outcome[s])
            rows.append(("after-terminal", s, _parts(said, hole)))
        else:
            said = rules.illegal_transition(s, hole, t.mode, t.allowed[s])
            rows.append(("illegal-transition", s, _parts(said, hole)))
    progress = t.progress
    if progress is not None:
        rows.append(("percentage-range", "", _parts(rules.say_range(progress, hole), hole)))
        said = rules.say_regression(progress, hole, hole, t.reset_names)
        rows.append(("percentage-regression", "", _parts(said, hole)))
        for s in t.spec.names:
            if s in t.success:
                said = rules.say_not_top(s, progress, hole)
                rows.append((SUCCESS_NOT_TOP, s, _parts(said, hole)))
    if http:
        rows.append(("monitor-lost", "", _parts(rules.monitor_lost(hole), hole)))
    return rows


def words_ctes(t: Tables, dialect: str, http: bool) -> list[str]:
    """The tables of the messages' words and of the hints."""

    def lit(value: str) -> str:
        return sql_literal(value, dialect)

    words = values(
        ((lit(r), lit(s), *(lit(p) for p in parts)) for r, s, parts in _words(t, http)),
        "rule, state, a, b, c",
        dialect,
    )
    h = hints_of(t.spec)
    hints = [
        (str(kind), lit(word), lit(hint))
        for kind, table in enumerate((h.own, h.exact, h.lowered))
        for word, hint in table.items()
    ]
    return [
        f"jobstate_words AS (SELECT * FROM {words}),",
        f"jobstate_hints AS (SELECT * FROM {values(hints, 'kind, word, hint', dialect)}),",
    ]


def violations_select(t: Tables, dialect: str, http: bool) -> list[str]:
    """One row per violation, in the engine's order, with its poll's order value and the
    Python engine's message (``NULL`` for ``stalled``, which the query does not word)."""
    key = (
        "CASE WHEN v.rule IN ('after-terminal', 'illegal-transition') THEN o.state"
        f" WHEN v.rule = '{SUCCESS_NOT_TOP}' THEN o.known ELSE '' END"
    )
    names = sql_literal("expected one of: " + ", ".join(t.spec.names), dialect)
    spec = sql_literal(f" (spec {t.spec.name}); ", dialect)
    first = (
        "CASE rule WHEN 'after-terminal' THEN known WHEN 'illegal-transition' THEN known"
        " WHEN 'percentage-range' THEN pct_said WHEN 'percentage-regression' THEN before_said"
        f" WHEN '{SUCCESS_NOT_TOP}' THEN pct_said"
        + (" WHEN 'monitor-lost' THEN CAST(http AS STRING)" if http else "")
        + " ELSE '' END"
    )
    unknown = "CASE WHEN rule = 'unknown-status' THEN 'unknown status ' || quote ||"
    hinted = f"CASE WHEN length(status) <= {HINTLESS} THEN hint END"
    cut = f"CASE WHEN length(status) > {rules.QUOTED} THEN {_count(dialect)} ELSE '' END"
    quote = "CASE WHEN instr(cut, '''') > 0 AND instr(cut, '\"') = 0 THEN '\"' ELSE '''' END"
    return [
        ", jobstate_said AS (",
        "  SELECT v.*, o.ord, o.status, o.known, o.pct, o.before, w.a, w.b, w.c,",
        "    COALESCE(h0.hint, h1.hint, h2.hint) AS hint,",
        f"    substr(o.status, 1, {rules.QUOTED}) AS cut",
        "  FROM jobstate_violations v JOIN jobstate_obs o ON o.job = v.job AND o.k = v.idx",
        f"  LEFT JOIN jobstate_words w ON w.rule = v.rule AND w.state = {key}",
        "  LEFT JOIN jobstate_hints h0 ON h0.kind = 0 AND h0.word = lower(o.status)",
        "  LEFT JOIN jobstate_hints h1 ON h1.kind = 1 AND h1.word = o.status",
        "  LEFT JOIN jobstate_hints h2 ON h2.kind = 2 AND h2.word = lower(o.status)",
        "), jobstate_quoted AS (",
        f"  SELECT *, {quote} AS quote,",
        f"    {number('pct', dialect)} AS pct_said,",
        f"    {number('before', dialect)} AS before_said",
        "  FROM jobstate_said",
        ")",
        "SELECT job, idx, rule, severity"
        + (", http AS http_status" if http else "")
        + ", ord AS order_value,",
        f"  {unknown} {_escaped(dialect)}",
        f"      || quote || {cut}",
        f"      || {spec} || COALESCE({hinted}, {names})",
        f"    WHEN a IS NOT NULL THEN a || {first}",
        "      || b || CASE WHEN rule = 'percentage-regression' THEN pct_said ELSE '' END || c",
        "  END AS message",
        "FROM jobstate_quoted",
        "ORDER BY job, idx, rank",
    ]


def number(x: str, dialect: str) -> str:
    """The text of the double ``x`` as :func:`~jobstate.validation.rules.number` says it."""
    if dialect == "duckdb":  # DuckDB's shortest text of a double is Python's repr
        return f"regexp_replace(CAST({x} AS VARCHAR), '[.]0$', '')"
    # Java's is not: the fewest digits that read back as x, laid out as Python lays them out
    sci = (
        f"element_at(filter(transform(sequence(0, 16), p -> format_string(concat('%.', p, 'e'),"
        f" {x})), s -> try_cast(s AS DOUBLE) = {x}), 1)"
    )
    parts = (
        "named_struct('sign', CASE WHEN s LIKE '-%' THEN '-' ELSE '' END,"
        " 'd', regexp_replace(regexp_extract(s, '^-?([0-9.]+)e', 1), '[.]', ''),"
        " 'e', CAST(regexp_extract(s, 'e([-+][0-9]+)$', 1) AS INT))"
    )
    laid = (
        "CASE WHEN v.e >= 16 OR v.e < -4 THEN concat(v.sign, substr(v.d, 1, 1),"
        " CASE WHEN length(v.d) > 1 THEN concat('.', substr(v.d, 2)) ELSE '' END, 'e',"
        " CASE WHEN v.e < 0 THEN '-' ELSE '+' END, CASE WHEN abs(v.e) < 10 THEN '0' ELSE '' END,"
        " CAST(abs(v.e) AS STRING))"
        " WHEN v.e < 0 THEN concat(v.sign, '0.', repeat('0', -v.e - 1), v.d)"
        " WHEN length(v.d) <= v.e + 1 THEN concat(v.sign, rpad(v.d, v.e + 1, '0'))"
        " ELSE concat(v.sign, substr(v.d, 1, v.e + 1), '.', substr(v.d, v.e + 2)) END"
    )
    layout = f"element_at(transform(transform(array({sci}), s -> {parts}), v -> {laid}), 1)"
    return (
        f"CASE WHEN {x} IS NULL THEN NULL WHEN isnan({x}) THEN 'nan'"
        f" WHEN {x} = double('inf') THEN 'inf' WHEN {x} = double('-inf') THEN '-inf'"
        f" ELSE {layout} END"
    )


_BACKSLASH = "\\"
_PRINTABLE = "[\\p{L}\\p{M}\\p{N}\\p{P}\\p{S} ]"  # what Python prints of non-ASCII


def _count(dialect: str) -> str:
    """What follows a status cut short: its length in characters, with thousands' commas."""
    if dialect == "spark":
        count = "format_number(length(status), 0)"
    else:
        count = "format('{:,}', length(status))"
    return f"{sql_literal('… (', dialect)} || {count} || ' characters)'"


def _escaped(dialect: str) -> str:
    """The characters of ``cut`` escaped as Python's ``repr`` escapes them between ``quote``s
    (columns: the status cut short, and the quote ``repr`` chooses)."""

    def lit(value: str) -> str:
        return sql_literal(value, dialect)

    def fmt(pattern: str) -> str:
        return f"{'format_string' if dialect == 'spark' else 'printf'}({lit(pattern)}, {cp})"

    if dialect == "spark":
        cp, printable = "ascii(c)", f"c RLIKE {lit('^' + _PRINTABLE + '$')}"
    else:
        cp, printable = "unicode(c)", f"regexp_full_match(c, {lit(_PRINTABLE)})"
    b = _BACKSLASH
    escaped = (
        f"CASE WHEN c = quote OR c = {lit(b)} THEN {lit(b)} || c"
        f" WHEN c = chr(9) THEN {lit(b + 't')} WHEN c = chr(10) THEN {lit(b + 'n')}"
        f" WHEN c = chr(13) THEN {lit(b + 'r')}"
        f" WHEN {cp} < 32 OR {cp} = 127 THEN {fmt(b + 'x%02x')}"
        f" WHEN {cp} < 127 OR {printable} THEN c"
        f" WHEN {cp} < 256 THEN {fmt(b + 'x%02x')}"
        f" WHEN {cp} < 65536 THEN {fmt(b + 'u%04x')}"
        f" ELSE {fmt(b + 'U%08x')} END"
    )
    every = "regexp_extract_all(cut, '(?s).', 0)"
    if dialect == "spark":
        return f"array_join(transform({every}, c -> {escaped}), '')"
    return f"array_to_string(list_transform({every}, lambda c: {escaped}), '')"
