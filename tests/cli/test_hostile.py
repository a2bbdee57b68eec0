"""Hostile input and hostile surroundings end in a message and an exit code, never a
traceback (part of issue #11: the classes fixed so far)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest

EXAMPLE = str(Path(__file__).resolve().parents[2] / "examples" / "traces" / "invalid.jsonl")


def run(*args: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # type: ignore[call-overload, no-any-return]
        [sys.executable, "-m", "jobstate", *args], capture_output=True, text=True, timeout=120,
        **kwargs,
    )  # fmt: skip


def _har(*entries: tuple[str, str]) -> bytes:
    return orjson.dumps(
        {
            "log": {
                "entries": [
                    {
                        "request": {"url": url, "method": "GET"},
                        "response": {"status": 202, "content": {"text": text}},
                    }
                    for url, text in entries
                ]
            }
        }
    )


@pytest.mark.parametrize(
    ("url", "body", "says"),
    [
        ("https://h/monitor/1", '{"status": [1]}', "'status' is not a string (got an array)"),
        ("https://h/monitor/1", '{"status": {}}', "'status' is not a string (got an object)"),
        ("http://[::1/monitor/1", '{"status": "failed"}', "invalid request.url"),
    ],
)
def test_har_content_that_broke_the_reader_is_a_violation(
    tmp_path: Path, url: str, body: str, says: str
) -> None:
    """An unhashable status or an invalid URL in a HAR is reported at its entry; the other
    entries are still checked."""
    har = tmp_path / "x.har"
    har.write_bytes(_har((url, body), ("https://h/monitor/2", '{"status": "completed"}')))
    proc = run("check", str(har))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert says in proc.stdout and "OK   https://h/monitor/2" in proc.stdout


@pytest.mark.parametrize("command", [("check", EXAMPLE), ("spec",), ("diagram",)])
def test_output_to_a_full_disk_is_exit_2(command: tuple[str, ...]) -> None:
    """Writing to a full device is a message and exit 2, for every command that prints."""
    with open("/dev/full", "w") as full:
        proc = subprocess.run(
            [sys.executable, "-m", "jobstate", *command],
            stdout=full, stderr=subprocess.PIPE, text=True, timeout=120,
        )  # fmt: skip
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "cannot write the output (No space left on device)" in proc.stderr


def test_diagram_all_into_an_impossible_folder(tmp_path: Path) -> None:
    """`diagram --all` under a file (or an unwritable parent) is a message and exit 2."""
    (tmp_path / "file").write_text("")
    proc = run("diagram", "--all", str(tmp_path / "file" / "sub"))
    assert proc.returncode == 2 and "cannot write (Not a directory)" in proc.stderr


def test_a_bad_progress_setting_is_a_usage_error() -> None:
    """JOBSTATE_PROGRESS_BYTES that is not a number is exit 2 naming the variable."""
    import os

    proc = run("check", EXAMPLE, env={**os.environ, "JOBSTATE_PROGRESS_BYTES": "abc"})
    assert proc.returncode == 2 and "JOBSTATE_PROGRESS_BYTES" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_deeply_nested_model_file(tmp_path: Path) -> None:
    """A TOML model nested 100,000 deep is refused with a message, not a RecursionError."""
    deep = tmp_path / "deep.toml"
    deep.write_text("a = " + "[" * 100_000 + "]" * 100_000 + "\n")
    proc = run("client", "--model", str(deep))
    assert proc.returncode == 2 and "nested too deeply" in proc.stderr


def test_ctrl_c_exits_130() -> None:
    """SIGINT during a run exits 130, not 1 (the findings code)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "jobstate", "check", "-"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        time.sleep(1.5)  # reading standard input, which stays open
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 130 and "interrupted" in err and "Traceback" not in err
