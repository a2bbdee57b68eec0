"""What a new user met at once (#26), each fixed: client finding ids in --select/--ignore and
in `jobstate rules`, serve's JSON alone on standard output, --follow refusing a HAR, Parquet in
--help, a job failing on its client saying so on its line, the configuration of the nearest
parent directory."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.clirun import cli_text

ROOT = Path(__file__).resolve().parents[2]
HAR = str(ROOT / "examples" / "capture.har")


def test_select_and_ignore_take_client_finding_ids() -> None:
    """--ignore auth-to-monitor / polled-after-terminal is taken (was exit 2), and ignoring
    the client error makes the capture pass; a prefix works; an unknown id is still exit 2."""
    assert cli_text("check", HAR, "--ignore", "auth-to-monitor").returncode == 1
    ran = cli_text("check", HAR, "--ignore", "polled-after-terminal", "--format", "json")
    data = json.loads(ran.stdout)
    assert ran.returncode == 0 and data["totals"]["client_errors"] == 0
    assert cli_text("check", HAR, "--ignore", "polled-").returncode == 0
    bad = cli_text("check", HAR, "--select", "nope")
    assert bad.returncode == 2 and "no rule or client finding id" in bad.stderr


def test_rules_lists_the_client_findings_too() -> None:
    """`jobstate rules` lists the client-behaviour ids after the rules, text and JSON."""
    text = cli_text("rules").stdout
    assert "client-behaviour findings" in text and "\nnever-polled " in text
    data = json.loads(cli_text("rules", "--format", "json").stdout)
    scopes = {d["id"]: d["scope"] for d in data}
    assert scopes["stalled"] == "lifecycle" and scopes["auth-to-monitor"] == "client"


def test_follow_refuses_a_file_that_is_not_json_lines() -> None:
    """--follow on a HAR is a usage error naming its format (it read it as lines before)."""
    ran = cli_text("check", "--follow", HAR)
    assert ran.returncode == 2 and "capture.har is har" in ran.stderr


def test_check_help_names_parquet_and_a_client_failure_says_so() -> None:
    """--help lists Parquet among the inputs; a job failing on its client alone says its
    client's counts on its line, not only '0 errors, 0 warnings'."""
    assert "Parquet" in cli_text("check", "--help").stdout
    line = next(ln for ln in cli_text("check", HAR).stdout.splitlines() if "op-0007" in ln)
    assert line.startswith("FAIL") and "0 warnings (client: 1 error, 0 warnings)" in line


def test_the_nearest_parents_configuration_is_read(tmp_path: Path) -> None:
    """Run from a subfolder, check reads the jobstate.toml of the nearest parent that has one
    (a spec file named there is read beside it)."""
    (tmp_path / "jobstate.toml").write_text('fail-on = "warning"\n')
    sub = tmp_path / "a" / "b"
    sub.mkdir(parents=True)
    trace = sub / "t.jsonl"
    trace.write_text(
        '{"status": "inProgress", "percentageComplete": 50}\n'
        '{"status": "completed", "percentageComplete": 90}\n'
    )
    assert cli_text("check", "t.jsonl", cwd=sub).returncode == 1  # completed-not-100 fails
    (sub / "jobstate.toml").write_text('fail-on = "error"\n')
    assert cli_text("check", "t.jsonl", cwd=sub).returncode == 0  # the nearest wins


def test_a_lost_server_library_is_exit_2_with_the_install_command(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """uvicorn installs with the package; an environment without it gets, from serve and
    conform, exit 2 and the command that installs it, never a traceback."""
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "uvicorn" else real(name)
    )
    for args in (["serve", "--duration", "1"], ["conform", "--", "true"]):
        ran = cli_text(*args)
        assert ran.returncode == 2 and "pip install uvicorn" in ran.stderr, ran.stderr
        assert "Traceback" not in ran.stderr
