"""Specs written as files: the examples load and cite sources that exist; every way a spec
file can be wrong is exit 2 with the file, the place in it (line and key path) and the
problem; the CLI takes --spec FILE wherever it takes a spec."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import orjson
import pytest
from click.testing import CliRunner

from jobstate import Validator, validate
from jobstate.cli import main
from jobstate.exceptions import SpecError
from jobstate.spec.loading import load_spec, spec_from_mapping

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples" / "specs").glob("*.toml"))

GOOD = """\
name = "tiny"

[[states]]
name = "queued"
class = "initial"
provenance = "doc"
rationale = "starts here"

[[states]]
name = "busy"
class = "active"
provenance = "doc"
rationale = "works"

[[states]]
name = "done"
class = "terminal"
outcome = "success"
provenance = "doc"
rationale = "ends well"

[[edges]]
source = "queued"
dest = "busy"
provenance = "doc"
rationale = "picked up"

[[edges]]
source = "busy"
dest = "done"
provenance = "inferred"
rationale = "finished"
"""


DUPLICATE = """
[[edges]]
source = "queued"
dest = "busy"
provenance = "doc"
rationale = "again"
"""


def test_the_example_specs_load_and_cite_real_sources() -> None:
    """Each file of examples/specs is a spec, and every `sources: ID` it cites is an entry of
    docs/sources.md."""
    anchors = set(re.findall(r'<a id="([a-z0-9-]+)"></a>', (ROOT / "docs/sources.md").read_text()))
    assert len(EXAMPLES) >= 3
    for path in EXAMPLES:
        spec = load_spec(path)
        assert spec.terminal and spec.initial, path.name
        cited = set(re.findall(r"sources: ([a-z0-9-]+(?:, [a-z0-9-]+)*)", path.read_text()))
        ids = {i for group in cited for i in group.split(", ")}
        assert ids and ids <= anchors, (path.name, ids - anchors)


def _bad(tmp_path: Path, text: str, suffix: str = ".toml") -> str:
    path = tmp_path / f"bad{suffix}"
    path.write_text(text)
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    return str(caught.value)


def _edit(old: str, new: str) -> str:
    assert old in GOOD
    return GOOD.replace(old, new, 1)


@pytest.mark.parametrize(
    ("text", "where", "problem"),
    [
        (_edit('dest = "done"', 'dest = "dun"'), ":28: edges[1].dest", "unknown state 'dun'"),
        (_edit('dest = "busy"', 'dest = "done"'), ":9: states[1]", "unreachable"),
        (
            _edit('class = "active"', 'class = "initial"'),
            ": states",
            "exactly one initial state is needed, found 2",
        ),
        (_edit('class = "initial"', 'class = "active"'), ": states", "found 0"),
        (_edit('name = "busy"', 'name = "queued"'), ":9: states[1].name", "already states[0]"),
        (GOOD + DUPLICATE, ":34: edges[2]", "the same edge as edges[0]"),
        (_edit('source = "queued"', 'source = "busy"'), ":22: edges[0]", "self-loop"),
        (
            _edit('source = "busy"', 'source = "queued"'),
            ":9: states[1]",
            "no terminal state is reachable from 'busy'",
        ),
        (_edit('class = "active"', "class = 3"), ":9: states[1].class", "non-empty text"),
        (_edit('rationale = "works"', 'rationale = ""'), "states[1].rationale", "non-empty"),
        (_edit('outcome = "success"\n', ""), ":15: states[2].outcome", "needs one of"),
        (
            _edit('provenance = "inferred"', 'provenance = "hearsay"'),
            ":28: edges[1].provenance",
            "not a provenance kind",
        ),
        (_edit('name = "tiny"', 'name = "tiny"\ncolour = 1'), ": unknown key 'colour'", "known:"),
        ("name = [", "bad.toml", "not TOML"),
        ("states = 3", "states", "must be a list of tables"),
        (GOOD + '\n[body]\nresult = "id"\n', ": body.result", "must be a list of field names"),
        (GOOD + '\n[body]\nresult = ["id", "id"]\n', ": body.result", "names a field twice"),
        (
            GOOD + "\n[body]\ncolour = 1\n",
            ": body: unknown key 'colour'",
            "known: progress, progress_range, result, status",
        ),
        ("body = 3\n" + GOOD, ": body", "must be a table"),
    ],
)
def test_a_bad_spec_file_names_file_place_and_problem(
    tmp_path: Path, text: str, where: str, problem: str
) -> None:
    """Each way a spec file can be wrong: the message names the file (with the line of the
    TOML table), the key path and the problem."""
    message = _bad(tmp_path, text)
    assert message.startswith(str(tmp_path / "bad.toml")), message
    assert where in message and problem in message, message


def test_a_json_spec_and_its_errors(tmp_path: Path) -> None:
    """A JSON spec loads like a TOML one; a JSON array or broken JSON is refused by name."""
    spec = load_spec(ROOT / "examples/specs/azure-lro.toml")
    path = tmp_path / "azure.json"
    path.write_bytes(orjson.dumps(spec.to_dict()))
    assert load_spec(path).to_dict() == spec.to_dict()
    assert "holds one table" in _bad(tmp_path, "[1]", ".json")
    assert "not JSON" in _bad(tmp_path, "{", ".json")


def test_no_such_spec(tmp_path: Path) -> None:
    """A name that is neither built in nor a file, and a file that cannot be read."""
    with pytest.raises(SpecError, match="neither a built-in spec"):
        load_spec("currnet")
    with pytest.raises(SpecError, match="cannot read"):
        load_spec(tmp_path / "missing.toml")


def test_a_user_spec_checks_traces_without_graph_hints(tmp_path: Path) -> None:
    """A spec from a mapping checks bodies like a built-in one; an unknown value gets no hint
    about the built-in vocabularies, only its own case mismatch."""
    (tmp_path / "tiny.toml").write_text(GOOD)
    spec = load_spec(tmp_path / "tiny.toml")
    report = validate([{"status": "queued"}, {"status": "done"}], spec=spec)
    assert report.jobs[0].outcome == "success" and report.jobs[0].violations == ()
    bad = validate([{"status": "queued"}, {"status": "completed"}], spec=spec).jobs[0]
    assert "expected one of: queued, busy, done" in bad.violations[0].message
    assert "legacy" not in bad.violations[0].message
    case = Validator(spec).check_job([{"status": "Queued"}]).violations[0].message
    assert "did you mean 'queued'?" in case


def test_derived_facts_in_a_spec_file_are_checked() -> None:
    """`initial` and `terminal` (as `jobstate spec --format json` prints them) must agree with
    the states."""
    data: dict[str, Any] = dict(load_spec("current").to_dict())
    data["name"] = "copy"
    data["terminal"] = ["completed"]
    with pytest.raises(SpecError, match="terminal: says"):
        spec_from_mapping(data)


# -- the CLI ---------------------------------------------------------------------------------


def _run(*args: str) -> Any:
    return CliRunner().invoke(main, list(args))


def test_check_takes_a_spec_file(tmp_path: Path) -> None:
    """`check --spec FILE`: the verdicts of the file's lifecycle; the report names it."""
    spec = str(ROOT / "examples/specs/ipp-print-job.toml")
    trace = tmp_path / "job.jsonl"
    trace.write_text(  # the IPP spec reads its job-state field
        '{"job-state": "pending"}\n{"job-state": "processing"}\n{"job-state": "pending"}\n'
    )
    result = _run("check", "--spec", spec, "--format", "json", str(trace))
    data = orjson.loads(result.stdout)
    assert result.exit_code == 1, result.output
    assert data["spec"] == "ipp-print-job"
    assert [v["rule"] for v in data["jobs"][0]["violations"]] == ["illegal-transition"]


def test_a_bad_spec_file_is_exit_2_for_every_command(tmp_path: Path) -> None:
    """check, spec, sql and diagram: a broken spec file is a usage error naming it."""
    path = tmp_path / "bad.toml"
    path.write_text(_edit('dest = "done"', 'dest = "dun"'))
    for args in (
        ["check", "--spec", str(path), str(tmp_path)],
        ["spec", str(path)],
        ["sql", "--spec", str(path)],
        ["diagram", "--spec", str(path)],
    ):
        result = _run(*args)
        assert result.exit_code == 2, args
        assert "bad.toml:28: edges[1].dest: unknown state 'dun'" in result.output, args


def test_spec_prints_a_file_spec_without_the_graph_protocol() -> None:
    """`jobstate spec FILE`: its states and edges, its own provenance kinds, and no protocol
    (which is the built-in specs')."""
    result = _run("spec", str(ROOT / "examples/specs/ipp-print-job.toml"))
    assert result.exit_code == 0
    assert "processing-stopped -> processing" in result.stdout
    assert "protocol: none" in result.stdout and "deviations any" not in result.stdout
    data = orjson.loads(_run("spec", "--format", "json", str(EXAMPLES[0])).stdout)
    assert data["protocol"] is None and data["provenances"][0]["kind"] == "guideline"


def test_diagram_of_a_file_spec_uses_its_kinds() -> None:
    """The diagram is titled by the spec's name and its legend lists the spec's own
    provenance kinds."""
    out = _run("diagram", "--format", "dot", str(ROOT / "examples/specs/ipp-print-job.toml"))
    assert out.exit_code == 0
    assert "ipp-print-job lifecycle" in out.stdout and "asyncJobStatus" not in out.stdout
    assert "rfc (RFC 8011" in out.stdout


def test_a_spec_path_that_is_no_regular_file_is_refused(tmp_path: Path) -> None:
    """A FIFO named like a spec file is refused at once (opening it would wait for a writer),
    and so is a directory."""
    import os

    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    with pytest.raises(SpecError, match=r"pipe\.toml: a spec is a regular file"):
        load_spec(fifo)
    folder = tmp_path / "dir.toml"
    folder.mkdir()
    with pytest.raises(SpecError, match="a spec is a regular file"):
        load_spec(folder)


def test_a_specs_result_fields_are_kept_from_its_timed_answers(tmp_path: Path) -> None:
    """A spec's [body] result names the fields a report keeps: their last values before the
    end, in the JSON, and on the line of a job that failed; `spec --format json` shows them."""
    path = tmp_path / "tiny.toml"
    path.write_text(GOOD + '\n[body]\nresult = ["jobId", "reason"]\n')
    assert load_spec(path).result == ("jobId", "reason")
    rows = [
        {"t": 1, "b": {"status": "queued", "jobId": "J-1"}},
        {"t": 2, "b": {"status": "busy", "reason": "slow disk", "other": "x"}},
        {"t": 3, "b": {"status": "done", "reason": "ok"}},
        {"t": 4, "b": {"status": "done", "reason": "after the end"}},
    ]
    log = tmp_path / "log.jsonl"
    log.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    args = ["check", "--spec", str(path), "--time-key", "t", "--body-key", "b", str(log)]
    ran = CliRunner().invoke(main, [*args, "--format", "json"])
    (job,) = orjson.loads(ran.stdout)["jobs"]
    assert job["result"] == {"jobId": "J-1", "reason": "ok"}
    printed = CliRunner().invoke(main, ["spec", "--spec", str(path), "--format", "json"])
    assert orjson.loads(printed.stdout)["body"] == {"result": ["jobId", "reason"]}
