"""Defaults for ``jobstate check`` from a project's files: ``jobstate.toml``, else the
``[tool.jobstate]`` table of ``pyproject.toml``, in the working directory.

Keys are ``check``'s long option names, with dashes or underscores: ``spec``, ``mode``,
``fail-on``, ``select``, ``ignore`` (lists of rule ids or prefixes), ``max-violations``,
``format``, ``input-format``, ``job-key``, ``body-key``, ``http-key``, ``order-by``,
``status-column``, ``percentage-column``, ``quiet``, ``summary``, ``color``,
``keep-violations``, ``max-record-bytes``, ``max-document-bytes``, ``time-key``,
``poll-floor``, ``stall``, ``only-failing``, ``engine``. Options given on the command line win.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from jobstate._words import shortened
from jobstate.exceptions import OptionError

if TYPE_CHECKING:
    import click

__all__ = ["CHECK_KEYS", "load_config", "typed"]

CHECK_KEYS = frozenset(
    {
        "spec",
        "mode",
        "fail_on",
        "select",
        "ignore",
        "max_violations",
        "format",
        "input_format",
        "job_key",
        "body_key",
        "http_key",
        "order_by",
        "status_column",
        "percentage_column",
        "quiet",
        "summary",
        "color",
        "keep_violations",
        "max_record_bytes",
        "max_document_bytes",
        "time_key",
        "poll_floor",
        "stall",
        "only_failing",
        "engine",
    }
)


def _toml(path: str) -> dict[str, Any]:
    from jobstate._toml import load_document

    try:
        with open(path, "rb") as fh:
            data: dict[str, Any] = load_document(fh.read(), toml=True)
    except OSError as exc:
        raise OptionError(f"{path}: cannot read ({exc.strerror or exc})") from None
    except ValueError as exc:
        raise OptionError(f"{path}: {exc}") from None
    return data


def _mentions_jobstate(path: str) -> bool:
    """Whether a pyproject.toml may hold a ``[tool.jobstate]`` table: most do not, and then
    the TOML parser is not even imported (it costs start-up time)."""
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError:
        return True  # let the parser say what is wrong
    # any TOML spelling of the table names it, unless its key is written with escapes
    return b"jobstate" in data or b"\\u" in data or b"\\U" in data


def _table_in(directory: str) -> tuple[str, Any] | None:
    """The config in one directory: ``jobstate.toml``, else a ``pyproject.toml`` with a
    ``[tool.jobstate]`` table (its path and table), else ``None``."""
    path = os.path.join(directory, "jobstate.toml")
    pyproject = os.path.join(directory, "pyproject.toml")
    if os.path.isfile(path):
        return path, _toml(path)
    if os.path.isfile(pyproject) and _mentions_jobstate(pyproject):
        tool = _toml(pyproject).get("tool")
        table = tool.get("jobstate") if isinstance(tool, dict) else None
        if table is not None:
            return pyproject, table
    return None


def _nearest(directory: str) -> tuple[str, Any] | None:
    """The config of ``directory`` or of its nearest parent that has one, as ruff, pytest
    and black find theirs."""
    here = os.path.abspath(directory)
    while True:
        found = _table_in(here)
        if found is not None:
            return found
        parent = os.path.dirname(here)
        if parent == here:
            return None
        here = parent


def load_config(directory: str | os.PathLike[str] = ".") -> tuple[str | None, dict[str, Any]]:
    """The path of the config file found in ``directory`` or its nearest parent that has one,
    and its ``check`` defaults (option names with underscores), or ``(None, {})``;
    :class:`~jobstate.OptionError` for an unknown key. A ``spec`` that names a file is read
    from the config file's directory. (``os.path``, not ``pathlib``: this runs at every
    start-up, and pathlib costs milliseconds to import.)"""
    found = _nearest(os.fspath(directory))
    if found is None:
        return None, {}
    path, table = found
    if not isinstance(table, dict):
        raise OptionError(f"{path}: [tool.jobstate] must be a table")
    options = {str(k).replace("-", "_"): v for k, v in table.items()}
    unknown = sorted(set(options) - CHECK_KEYS)
    if unknown:
        raise OptionError(
            f"{path}: unknown jobstate option(s) {', '.join(unknown)}; known:"
            f" {', '.join(sorted(k.replace('_', '-') for k in CHECK_KEYS))}"
        )
    spec = options.get("spec")
    if isinstance(spec, str) and spec.endswith((".toml", ".json")) and not os.path.isabs(spec):
        options["spec"] = os.path.join(os.path.dirname(path), spec)  # beside the config
    if "format" in options:
        options["fmt"] = options.pop("format")
    for key in ("select", "ignore"):
        if isinstance(options.get(key), str):
            options[key] = [options[key]]
    return path, options


def typed(ctx: click.Context, command: click.Command, path: str, options: dict[str, Any]) -> None:
    """Check each configured value as its option of ``command`` would convert it:
    :class:`OptionError` naming the file and the key, where click would raise its own error or
    crash (``quiet = 2``, a table where a number goes)."""
    import click

    params = {p.name: p for p in command.params}
    for key, value in options.items():
        param = params.get(key)
        if param is None:
            continue
        try:
            if not isinstance(value, (str, int, float, bool, list)):
                raise TypeError(f"a TOML {type(value).__name__} is no option value")
            if isinstance(param.type, click.types.BoolParamType) and not isinstance(value, bool):
                raise TypeError("takes true or false")
            param.type_cast_value(ctx, value)
        except (click.BadParameter, TypeError, ValueError, AttributeError) as exc:
            raise OptionError(
                f"{path}: {_NAMES.get(key, key).replace('_', '-')} ="
                f" {shortened(repr(value), 60)}: {exc}"
            ) from None


_NAMES = {"fmt": "format"}
