"""Trace files for ``jobstate serve --trace``: one answer per line, checked when read.

Each line is a status body, or ``{"http": N, "body": {...}, "headers": {...}}``. An answer HTTP
cannot carry is refused with its file and line, before anything is served: a status outside
200-599 or not a whole number (``99``, ``true``, ``1e300``), a header name that is not an HTTP
token, a header value that is not text or holds a line break or NUL. Reading is bounded: a
file that is not a regular file (``/dev/zero``), over :data:`MAX_TRACE_BYTES`, or with a line
over :data:`MAX_LINE_BYTES` is refused.

Each file gets a scenario name made from its stem that a URL carries as it is (other characters
become ``-``); two files with the same name get ``-2``, ``-3``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable

from jobstate._json import JSONDecodeError, loads
from jobstate._toml import read_small_file
from jobstate._words import shortened
from jobstate.exceptions import InputError
from jobstate.spec.scenarios import Answer, Scenario, answer_of

__all__ = ["MAX_LINE_BYTES", "MAX_TRACE_BYTES", "read_traces", "scenario_name"]

MAX_TRACE_BYTES = 16 * 1024 * 1024
"""The largest trace file read (a trace is a few answers)."""
MAX_LINE_BYTES = 1024 * 1024
"""The longest line of a trace file."""


def scenario_name(stem: str, taken: Iterable[str]) -> str:
    """A URL-safe scenario name for a trace file's ``stem``, unlike any of ``taken``.

    >>> scenario_name("my trace é#1", []), scenario_name("a", ["a", "a-2"])
    ('my-trace---1', 'a-3')
    """
    base = re.sub(r"[^A-Za-z0-9._~-]", "-", stem)[:80] or "trace"
    used = set(taken)
    name, n = base, 1
    while name in used:
        n += 1
        name = f"{base}-{n}"
    return name


def read_traces(paths: Iterable[str], taken: Iterable[str] = ()) -> dict[str, Scenario]:
    """Each trace file as a scenario, by its name; :class:`InputError` names the first problem
    with its file and line."""
    out: dict[str, Scenario] = {}
    used = list(taken)
    for path in paths:
        stem = os.path.splitext(os.path.basename(path))[0]
        name = scenario_name(stem, used)
        used.append(name)
        answers = tuple(_answers(path))
        out[name] = Scenario(name, f"from {shortened(path, 120)}", answers, spec="any")
    return out


def _answers(path: str) -> Iterable[Answer]:
    where = shortened(path, 200)
    try:
        data = read_small_file(path, MAX_TRACE_BYTES, "trace")
    except ValueError as exc:
        raise InputError(f"{where}: {exc}") from None
    found = False
    for number, raw in enumerate(data.split(b"\n"), 1):
        if not raw.strip():
            continue
        if len(raw) > MAX_LINE_BYTES:
            raise InputError(f"{where}: line {number}: over {MAX_LINE_BYTES:,} bytes")
        try:
            record = loads(raw)
        except JSONDecodeError as exc:
            raise InputError(f"{where}: line {number}: not JSON ({exc})") from None
        try:
            answer = answer_of(record)
        except ValueError as exc:
            raise InputError(f"{where}: line {number}: {exc}") from None
        found = True
        yield answer
    if not found:
        raise InputError(f"{where}: the trace has no answers")
