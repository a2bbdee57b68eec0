"""Untrusted values of any length: a megabyte status is quoted shortened, with its length, in
every output format, so a report grows with the violations and not with the values' size."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

from jobstate import Validator
from jobstate.cli import main

HUGE = 1_048_576


@pytest.mark.parametrize("fmt", ["text", "json", "junit"])
def test_a_megabyte_status_is_quoted_shortened(tmp_path: Path, fmt: str) -> None:
    """20 polls whose status is 1 MiB long: each violation quotes 80 characters and the
    length, and the whole report stays under 20 KiB (the input is 20 MiB)."""
    path = tmp_path / "huge.jsonl.gz"
    lines = [orjson.dumps({"status": "x" * HUGE + str(i)}) for i in range(20)]
    path.write_bytes(gzip.compress(b"\n".join(lines) + b"\n"))
    result = CliRunner().invoke(main, ["check", "--format", fmt, str(path)])
    assert result.exit_code == 1, result.output
    assert len(re.findall(r"… \(1,048,57[78] characters\)", result.stdout)) >= 20
    assert len(result.stdout.encode()) < 20 * 1024


def test_control_characters_in_a_status_are_escaped() -> None:
    """A status holding escapes and a bidirectional override is quoted inert."""
    report = Validator("current").check_job([{"status": "ok\x1b[2J\u202e"}])
    message = report.violations[0].message
    assert "\x1b" not in message and "\u202e" not in message and "\\x1b" in message


def test_the_hint_cache_keeps_no_huge_value() -> None:
    """The unknown-status message cache does not keep a megabyte key (memory is bounded by
    jobs, not by value size)."""
    v = Validator("current")
    v.check_job([{"status": "y" * HUGE}])
    hints = v.tables._hints
    assert all(len(k) <= 200 for k in hints)
