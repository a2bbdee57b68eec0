"""The Python API refuses what it cannot read, with a message that says what to pass, and
accepts every reasonable shape of observations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from jobstate import Validator, validate


def test_a_path_is_refused_with_a_pointer_to_read_input() -> None:
    """validate("file.jsonl") no longer checks the path's characters: it says how to read files."""
    for wrong in ("polls.jsonl", Path("polls.jsonl"), b'{"status": "completed"}'):
        with pytest.raises(TypeError, match="read_input"):
            validate(wrong)  # type: ignore[arg-type]


def test_a_single_body_is_one_job_of_one_observation() -> None:
    """A dict with 'status' is one body, as the CLI reads a JSON file holding one body."""
    report = validate({"status": "completed", "percentageComplete": 100})
    [job] = report.jobs
    assert job.key is None and job.outcome == "success" and job.observations == 1


def test_iterables_and_generators_are_read() -> None:
    """A generator of bodies, and generators as a mapping's values, are consumed once."""
    one = validate(b for b in [{"status": "inProgress"}, {"status": "failed"}])
    assert one.jobs[0].outcome == "failure"
    many = validate({"a": (b for b in [{"status": "completed"}]), "b": ({"status": "failed"},)})
    assert [j.outcome for j in many.jobs] == ["success", "failure"]


@pytest.mark.parametrize(
    ("wrong", "says"),
    [
        (5, "not int"),
        ({"job-1": "completed"}, "'job-1' maps to str"),
        ({"percentageComplete": 5}, "it has no 'status'"),
    ],
)
def test_wrong_types_say_what_to_pass(wrong: Any, says: str) -> None:
    """A value that is neither bodies, a body nor a mapping of jobs is a clear TypeError."""
    with pytest.raises(TypeError, match=says):
        Validator().validate(wrong)


def test_an_empty_mapping_is_no_job() -> None:
    """An empty mapping of jobs is a report with no job, not a job with an empty body."""
    assert validate({}).jobs == [] and validate({}).ok
