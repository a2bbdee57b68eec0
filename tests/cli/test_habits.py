"""CLI habits people expect: python -m, rules, --select/--ignore, quiet and summary views,
colour control, project config, shape hints, clean errors, and readable help."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest

from tests.clirun import RanText, cli_text

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
INVALID = str(EXAMPLES / "traces" / "invalid.jsonl")
GOOD = str(EXAMPLES / "traces" / "copy-completed.jsonl")


def run(*args: str, cwd: Path | None = None, **env: str) -> RanText:
    """The CLI in process (tests.clirun), colour left to the options (NO_COLOR unset)."""
    return cli_text(*args, cwd=cwd, env={"NO_COLOR": None, **env})


def process(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """The CLI as a real process: where the process is the point."""
    environment = {k: v for k, v in os.environ.items() if k != "NO_COLOR"} | env
    return subprocess.run(
        [sys.executable, "-m", "jobstate", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=environment,
    )


def test_python_dash_m_runs_the_cli() -> None:
    """`python -m jobstate` is the same command line."""
    proc = process("--version")
    assert proc.returncode == 0 and proc.stdout.startswith("jobstate, version")


def test_rules_lists_every_rule_with_severity_and_provenance() -> None:
    """`jobstate rules` prints one line per rule id, then one per client-behaviour finding id
    under a heading of their own; --format json carries every id with its rationale."""
    from jobstate import BEHAVIOURS, RULES

    rules, clients = run("rules").stdout.split("\n\n")
    assert [ln.split()[:3] for ln in rules.splitlines()] == [
        [r.id, r.severity, r.provenance] for r in RULES.values()
    ]
    head, *rows = clients.splitlines()
    assert head.startswith("client-behaviour findings")
    assert [ln.split()[:3] for ln in rows] == [
        [r.id, r.severity, r.provenance] for r in BEHAVIOURS.values()
    ]
    ids = {r["id"] for r in orjson.loads(run("rules", "--format", "json").stdout)}
    assert ids == set(RULES) | set(BEHAVIOURS)


def test_select_and_ignore_change_what_counts() -> None:
    """--select keeps only the named rules (prefixes allowed); --ignore drops them; the exit
    code follows; an unknown rule is a usage error."""
    only_warnings = run("check", "--select", "percentage-regression,completed", INVALID)
    assert only_warnings.returncode == 0 and "2 warnings" in only_warnings.stdout
    assert "unknown-status" not in only_warnings.stdout
    no_pct = run("check", "--format", "json", "--ignore", "percentage", INVALID)
    data = orjson.loads(no_pct.stdout)
    assert no_pct.returncode == 1 and data["totals"]["warnings"] == 1
    assert "percentage-type" not in data["rules"] and "unknown-status" in data["rules"]
    [acc] = data["inputs"]
    assert acc["read"] == acc["observations"] + acc["rejected"] + acc["blank"]
    bad = run("check", "--ignore", "no-such-rule", INVALID)
    assert bad.returncode == 2 and "no rule or client finding id or prefix" in bad.stderr


def test_quiet_summary_and_max_violations_zero_fit_a_screen() -> None:
    """--quiet shows the failing jobs and the totals; --max-violations 0 lists no passing
    job; --summary prints the totals line alone."""
    quiet = run("check", "-q", INVALID, GOOD).stdout.splitlines()
    assert quiet[0].startswith("FAIL") and not any(ln.startswith("OK") for ln in quiet)
    assert quiet[-1].startswith("2 jobs")
    zero = run("check", "--max-violations", "0", INVALID, GOOD).stdout.splitlines()
    assert not any(ln.startswith("OK") for ln in zero)
    summary = run("check", "--summary", INVALID, GOOD)
    assert summary.stdout.count("\n") == 1 and summary.returncode == 1


def test_colour_is_asked_for_or_refused() -> None:
    """--color forces colour, --no-color and NO_COLOR refuse it (piped output has none)."""
    assert "\x1b[" in run("check", "--color", INVALID).stdout
    assert "\x1b[" not in run("check", INVALID).stdout
    assert "\x1b[" not in run("check", "--no-color", INVALID).stdout


def test_project_config_sets_check_defaults(tmp_path: Path) -> None:
    """[tool.jobstate] in pyproject.toml (or jobstate.toml) sets defaults; the command line
    wins; an unknown key is a usage error naming the file."""
    (tmp_path / "pyproject.toml").write_text(
        '[tool.jobstate]\nignore = ["percentage"]\nspec = "any"\nfail-on = "warning"\n'
    )
    data = orjson.loads(run("check", "--format", "json", INVALID, cwd=tmp_path).stdout)
    assert data["spec"] == "any" and data["fail_on"] == "warning"
    assert all(
        not v["rule"].startswith("percentage") for j in data["jobs"] for v in j["violations"]
    )
    override = orjson.loads(
        run("check", "--format", "json", "--spec", "current", INVALID, cwd=tmp_path).stdout
    )
    assert override["spec"] == "current"
    (tmp_path / "jobstate.toml").write_text('colour = "always"\n')
    bad = run("check", INVALID, cwd=tmp_path)
    assert bad.returncode == 2 and "jobstate.toml" in bad.stderr and "colour" in bad.stderr


def test_a_pyproject_without_jobstate_is_not_parsed(tmp_path: Path) -> None:
    """A project's pyproject.toml that never mentions jobstate is not read as TOML (start-up
    time): even a broken one does not stop a check; one with [tool.jobstate] is read."""
    (tmp_path / "pyproject.toml").write_text('[project\nname = "other"\n')
    assert run("check", INVALID, cwd=tmp_path).returncode == 1
    (tmp_path / "pyproject.toml").write_text('[tool.jobstate\nspec = "any"\n')
    bad = run("check", INVALID, cwd=tmp_path)
    assert bad.returncode == 2 and "pyproject.toml" in bad.stderr


def test_wrapper_records_without_body_key_get_a_hint(tmp_path: Path) -> None:
    """Records that wrap the body get one note naming their keys and --body-key."""
    f = tmp_path / "wrapped.jsonl"
    f.write_bytes(b'{"job": "a", "body": {"status": "inProgress"}}\n' * 3)
    out = run("check", str(f)).stdout
    assert "records have no 'status' (keys: body, job)" in out and "--body-key" in out


def test_clients_is_a_terminal_table_and_markdown_on_request() -> None:
    """`jobstate clients` prints a plain table; --format markdown the Markdown one."""
    text = run("clients").stdout
    assert "|" not in text and "rclone\n  current: spurious-timeout: cancelled*" in text
    assert run("clients", "--format", "markdown").stdout.startswith("| client |")


def test_profile_choices_and_spec_name_as_argument() -> None:
    """--profile lists its choices when wrong; `spec legacy` equals `spec --spec legacy`."""
    wrong = run("client", "--profile", "rclon")
    assert wrong.returncode == 2 and "python-o365" in wrong.stderr
    assert run("spec", "legacy").stdout == run("spec", "--spec", "legacy").stdout


def test_clean_errors_for_models_and_diagram_names(tmp_path: Path) -> None:
    """A missing model file says so plainly; --diagram with a wrong type fails before the run;
    an ad-hoc model is not called 'client client'."""
    missing = run("client", "--model", str(tmp_path / "missing.toml"))
    assert missing.returncode == 2 and "cannot read (No such file or directory)" in missing.stderr
    assert "Errno" not in missing.stderr
    jpg = run("check", "--diagram", str(tmp_path / "out.jpg"), INVALID)
    assert jpg.returncode == 2 and jpg.stdout == "" and ".svg, .png or .dot" in jpg.stderr
    adhoc = run("client", "--success", "completed", "--poll", "*")
    assert adhoc.stdout.startswith("client ad-hoc under spec current")


def test_order_by_spans_read_low_to_high(tmp_path: Path) -> None:
    """With --order-by, a job's span is its lowest to highest line, not first to last."""
    f = tmp_path / "late.jsonl"
    f.write_bytes(
        b'{"job": "a", "t": 2, "status": "completed"}\n'
        b'{"job": "a", "t": 1, "status": "inProgress"}\n'
    )
    out = run("check", "--job-key", "job", "--order-by", "t", str(f)).stdout
    assert "lines 1-2" in out


def test_help_shows_every_command_whole() -> None:
    """The command list in --help is not cut off with an ellipsis."""
    commands = run("--help").stdout.split("Commands:")[1]
    assert "..." not in commands and "Check a client's assumptions against a spec." in commands


def test_follow_prints_each_violation_as_the_log_grows(tmp_path: Path) -> None:
    """check --follow reads lines appended after it started, prints each violation the moment
    its line arrives, and ends with the totals after --idle-exit seconds without news."""
    import threading
    import time

    log = tmp_path / "live.jsonl"
    log.write_bytes(b'{"job": "a", "status": "inProgress", "percentageComplete": 40}\n')

    def grow() -> None:
        for line in (
            b'{"job": "a", "status": "inProgress", "percentageComplete": 10}\n',
            b'{"job": "b", "status": "Running"}\n',
            b'{"job": "a", "status": "completed", "percentageComplete": 100}\n',
        ):
            time.sleep(0.4)
            with log.open("ab") as fh:
                fh.write(line)

    writer = threading.Thread(target=grow)
    writer.start()
    proc = run("check", "--follow", "--job-key", "job", "--idle-exit", "1.5", str(log))
    writer.join()
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("a: line 2  warning  percentage-regression")
    assert lines[1].startswith("b: line 3  error    unknown-status")
    assert lines[2].startswith("2 jobs (1 ok, 1 with errors") and "4 lines read" in lines[2]
    assert proc.returncode == 1
    usage = run("check", "--follow", str(log), str(log))
    assert usage.returncode == 2 and "one JSON Lines file" in usage.stderr
    usage = run("check", "--follow", "--engine", "duckdb", str(log))
    assert usage.returncode == 2 and "--engine python" in usage.stderr


def test_diagram_all_writes_nothing_when_it_cannot_write_everything(tmp_path: Path) -> None:
    """Without Graphviz's dot, `diagram --all DIR` exits 2 and leaves no half-written DIR."""
    out = tmp_path / "diagrams"
    proc = run("diagram", "--all", str(out), PATH="")
    assert proc.returncode == 2 and "Graphviz" in proc.stderr
    assert not out.exists()


def _in(tmp_path: Path, *args: str) -> Any:
    """The CLI run in process (click's runner) with ``tmp_path`` as the working directory."""
    from click.testing import CliRunner

    from jobstate.cli import main

    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        return CliRunner().invoke(main, list(args))
    finally:
        os.chdir(cwd)


@pytest.mark.parametrize(
    "spelling",
    [
        "[tool.'jobstate']\nformat = 'json'\n",
        '["tool".jobstate]\nformat = "json"\n',
        '[tool]\njobstate = {format = "json"}\n',
        'tool = {jobstate = {format = "json"}}\n',
        '["tool"."\\u006aobstate"]\nformat = "json"\n',
    ],
)
def test_every_toml_spelling_of_the_table_is_read(tmp_path: Path, spelling: str) -> None:
    """[tool.jobstate] spelled with quotes, as an inline table or with escapes is read alike."""
    (tmp_path / "pyproject.toml").write_text(spelling)
    result = _in(tmp_path, "check", GOOD)
    assert result.exit_code == 0 and orjson.loads(result.stdout)["spec"] == "current"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[tool.jobstate]\nquiet = 2\n", "quiet = 2: takes true or false"),
        ("[tool.jobstate]\nmax-violations = {a = 1}\n", "max-violations = {'a': 1}: a TOML dict"),
        ('[tool.jobstate]\nmax-violations = "many"\n', "max-violations = 'many'"),
        ('[tool.jobstate]\nformat = "yaml"\n', "format = 'yaml'"),
        ("[tool.jobstate]\na = " + "[" * 5000 + "]" * 5000 + "\n", "nested too deeply"),
    ],
)
def test_a_bad_config_value_is_a_usage_error(tmp_path: Path, text: str, message: str) -> None:
    """A value of the wrong type, or a TOML nested past the parser's depth: exit 2 naming the
    file, the key and the value, never a traceback."""
    (tmp_path / "pyproject.toml").write_text(text)
    result = _in(tmp_path, "check", GOOD)
    assert result.exit_code == 2 and "pyproject.toml" in result.stderr, result.output
    assert message in result.stderr and "Traceback" not in result.output


def test_a_broken_config_breaks_only_check(tmp_path: Path) -> None:
    """The file holds check's defaults: rules, spec, sql and --help work beside a broken one;
    `tool = "x"` is a pyproject with no jobstate table."""
    (tmp_path / "jobstate.toml").write_text("colour = 'always'\n")
    for args in (["rules"], ["spec"], ["sql"], ["--help"], ["rules", "--help"]):
        assert _in(tmp_path, *args).exit_code == 0, args
    assert _in(tmp_path, "check", GOOD).exit_code == 2
    (tmp_path / "jobstate.toml").unlink()
    (tmp_path / "pyproject.toml").write_text('tool = "x"\n# jobstate\n')
    assert _in(tmp_path, "check", GOOD).exit_code == 0
