"""A spec's body shape: where its bodies hold the status, the progress field and its range or
none. Read from a spec file (every mistake located), printed, diffed, and read by every path:
the rules' messages, each reader and engine, the SQL, the generated traces and scenarios."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import orjson
import polars as pl
import pytest
from hypothesis import given, settings

from jobstate import Trace, Validator, generate_sql, validate
from jobstate._toml import load_document
from jobstate.exceptions import SpecError
from jobstate.spec.diff import diff_specs
from jobstate.spec.loading import load_spec, spec_from_mapping
from jobstate.spec.model import Progress, Spec
from jobstate.spec.scenarios import scenarios_of
from jobstate.strategies import traces
from tests.clirun import cli_text
from tests.readers.chunks import chunks_taken

SHAPED = """\
name = "render"

[body]
status = "phase"
progress = "done"
progress_range = [0, 1]

[[states]]
name = "queued"
class = "initial"
provenance = "doc"
rationale = "starts here"

[[states]]
name = "running"
class = "active"
provenance = "doc"
rationale = "works"

[[states]]
name = "paused"
class = "active"
resets_progress = true
provenance = "doc"
rationale = "may start again lower"

[[states]]
name = "ready"
class = "terminal"
outcome = "success"
provenance = "doc"
rationale = "the end"

[[states]]
name = "broken"
class = "terminal"
outcome = "failure"
provenance = "doc"
rationale = "the other end"

[[edges]]
source = "queued"
dest = "running"
provenance = "doc"
rationale = "starts"

[[edges]]
source = "running"
dest = "paused"
provenance = "doc"
rationale = "pauses"

[[edges]]
source = "paused"
dest = "running"
provenance = "doc"
rationale = "resumes"

[[edges]]
source = "running"
dest = "ready"
provenance = "doc"
rationale = "ends well"

[[edges]]
source = "running"
dest = "broken"
provenance = "doc"
rationale = "ends badly"
"""


SPEC = spec_from_mapping(load_document(SHAPED, toml=True))


@pytest.fixture
def shaped(tmp_path: Path) -> Path:
    path = tmp_path / "render.toml"
    path.write_text(SHAPED)
    return path


def _spec(path: Path) -> Spec:
    return load_spec(path)


def test_a_spec_file_says_where_its_bodies_hold_status_and_progress(shaped: Path) -> None:
    """[body] status, progress and progress_range become the spec's fields; its JSON keeps
    them, reads back the same, and `jobstate spec` says them."""
    spec = _spec(shaped)
    assert (spec.status_field, spec.progress) == ("phase", Progress("done", 0.0, 1.0))
    body = spec.to_dict()["body"]
    assert body == {"status": "phase", "progress": "done", "progress_range": [0.0, 1.0]}
    assert spec_from_mapping(spec.to_dict()).to_dict() == spec.to_dict()
    lines = cli_text("spec", str(shaped)).stdout.splitlines()
    assert lines[2] == "body: status 'phase'; progress 'done', 0-1"
    plain = load_spec(Path(__file__).parents[2] / "examples/specs/azure-lro.toml")
    assert (plain.status_field, plain.progress) == ("status", None)
    assert "body" not in plain.to_dict()  # nothing said: a status field, no progress


@pytest.mark.parametrize(
    ("body", "where", "problem"),
    [
        ("progress_range = [0, 1]", "body.progress_range", "no body.progress field"),
        ('progress = "status"', "body.progress", "is the status field 'status' too"),
        ('progress = "p"\nprogress_range = [1, 0]', "body.progress_range", "from a lower"),
        ('progress = "p"\nprogress_range = [0]', "body.progress_range", "must be two numbers"),
        ('progress = "p"\nprogress_range = ["a", 1]', "body.progress_range", "two numbers"),
        ('progress = "p"\nprogress_range = [true, 1]', "body.progress_range", "two numbers"),
        ('progress = "p"\nprogress_range = [0, inf]', "body.progress_range", "from a lower"),
        ('status = ""', "body.status", "must be non-empty text"),
        ("status = 3", "body.status", "must be non-empty text"),
        ("progress = 3", "body.progress", "must be non-empty text"),
    ],
)
def test_a_wrong_body_table_names_its_place(
    tmp_path: Path, body: str, where: str, problem: str
) -> None:
    """Each way a [body] table can be wrong is a SpecError naming the file, the key and the
    problem (exit 2 from the CLI)."""
    path = tmp_path / "bad.toml"
    text = SHAPED.replace('status = "phase"\nprogress = "done"\nprogress_range = [0, 1]', body)
    path.write_text(text)
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    message = str(caught.value)
    assert message.startswith(str(path)) and where in message and problem in message, message
    ran = cli_text("spec", str(path))
    assert ran.returncode == 2 and where in ran.stderr


def test_a_spec_built_in_python_checks_its_shape() -> None:
    """The model refuses an empty field, the same field twice and a range that is no range."""
    base = _base()
    for bad, message in (
        ({"status_field": ""}, "body fields must be non-empty strings"),
        ({"progress": Progress("status")}, "the status and progress fields are the same"),
        ({"progress": Progress("p", 1.0, 1.0)}, "from a lower finite number to a higher one"),
        ({"progress": Progress("p", 0.0, float("nan"))}, "from a lower finite number"),
        ({"progress": Progress("p", "0", 1.0)}, "must be two numbers"),  # type: ignore[arg-type]
    ):
        with pytest.raises(SpecError, match=message):
            Spec("x", base.states, base.edges, **bad)


def _base() -> Spec:
    return spec_from_mapping(
        {
            "name": "base",
            "states": [
                {"name": "a", "class": "initial", "provenance": "doc", "rationale": "r"},
                {
                    "name": "b",
                    "class": "terminal",
                    "outcome": "success",
                    "provenance": "doc",
                    "rationale": "r",
                },
            ],
            "edges": [{"source": "a", "dest": "b", "provenance": "doc", "rationale": "r"}],
        }
    )


def test_the_rules_say_the_specs_fields_and_range(shaped: Path) -> None:
    """Every status and progress rule reads the spec's fields, and its message names them and
    the range; a fall after the reset state is no regression."""
    spec = _spec(shaped)
    bodies: list[Any] = [
        {"phase": "queued", "done": 0},
        {"status": "running"},  # the Graph field: no status here
        {"phase": "running", "done": "5"},
        {"phase": "running", "done": 1.5},
        {"phase": "running", "done": 0.5},
        {"phase": "running", "done": 0.25},
        {"phase": "paused", "done": 0.1},
        {"phase": "running", "done": 0.2},
        {"phase": "ready", "done": 0.9},
    ]
    found = [(v.rule, v.index, v.message) for v in validate(bodies, spec=spec).violations]
    assert found == [
        ("missing-status", 1, "record has no 'phase'"),
        ("percentage-type", 2, "done is a string '5', not a number"),
        ("percentage-range", 3, "done 1.5 is outside 0-1"),
        ("percentage-regression", 5, "done went down from 0.5 to 0.25 with no 'paused' in between"),
        ("completed-not-100", 8, "'ready' with done 0.9, not 1"),
    ]
    clean = [{"phase": "queued"}, {"phase": "running", "done": 0.4}, {"phase": "ready", "done": 1}]
    assert validate(clean, spec=spec).ok
    assert validate({"phase": "queued"}, spec=spec).jobs[0].outcome == "unfinished"  # one body


def test_a_spec_without_progress_has_no_progress_rule() -> None:
    """No progress field: any value in any field is left alone; a regression message of a
    spec with no reset state names none."""
    spec = _base()
    bodies = [{"status": "a", "percentageComplete": "x"}, {"status": "b", "percentageComplete": 3}]
    assert validate(bodies, spec=spec).ok
    no_reset = Spec("n", spec.states, spec.edges, progress=Progress("p"))
    found = validate([{"status": "a", "p": 50}, {"status": "a", "p": 20}], spec=no_reset)
    assert [v.message for v in found.violations] == ["p went down from 50 to 20"]


def _files(tmp: Path) -> dict[str, Path]:
    """One job log in each input format, under the shaped spec's field names."""
    rows = [
        ("j1", "queued", 0.0),
        ("j2", "queued", None),
        ("j1", "running", 0.5),
        ("j2", "running", 2.0),
        ("j1", "paused", 0.1),
        ("j2", "ready", 1.0),
        ("j1", "running", 0.05),
        ("j1", "ready", 0.75),
    ]
    out = {}
    lines = []
    for job, phase, done in rows:
        body: dict[str, Any] = {"job": job, "phase": phase}
        if done is not None:
            body["done"] = done
        lines.append(orjson.dumps(body).decode())
    out["jsonl"] = tmp / "log.jsonl"
    out["jsonl"].write_text("\n".join(lines * 400) + "\n")  # big enough for the polars path
    out["csv"] = tmp / "log.csv"
    csv = ["job_id,phase,done"] + [f"{j},{p},{'' if d is None else d}" for j, p, d in rows]
    out["csv"].write_text("\n".join(csv) + "\n")
    out["parquet"] = tmp / "log.parquet"
    columns = {"job_id": [r[0] for r in rows], "phase": [r[1] for r in rows]}
    pl.DataFrame({**columns, "done": [r[2] for r in rows]}).write_parquet(out["parquet"])
    return out


def test_every_reader_and_engine_reads_the_shape(shaped: Path, tmp_path: Path) -> None:
    """JSON Lines (record by record and through polars), CSV and Parquet (polars and DuckDB)
    read the spec's fields by default: the same verdicts whatever the path."""
    files = _files(tmp_path)
    spec = str(shaped)

    def verdicts(*args: str) -> list[tuple[str, str, list[str]]]:
        ran = cli_text("check", "--spec", spec, "--format", "json", *args)
        assert ran.returncode == 1, ran.stderr
        jobs = orjson.loads(ran.stdout)["jobs"]
        return [(j["key"], j["outcome"], [v["rule"] for v in j["violations"]]) for j in jobs]

    small = [("j1", "success", ["completed-not-100"]), ("j2", "success", ["percentage-range"])]
    assert verdicts(str(files["csv"])) == small
    for engine in ("python", "polars", "duckdb"):
        assert verdicts("--engine", engine, str(files["parquet"])) == small, engine
    for engine in ("python", "polars"):
        many = verdicts("--engine", engine, "--job-key", "job", str(files["jsonl"]))
        assert [(k, o) for k, o, _ in many] == [("j1", "success"), ("j2", "success")], engine
    renamed = tmp_path / "renamed.csv"
    renamed.write_text(files["csv"].read_text().replace("phase,done", "state,pct", 1))
    again = verdicts("--status-column", "state", "--percentage-column", "pct", str(renamed))
    assert again == small


def test_the_sql_reads_the_specs_fields_and_range(shaped: Path) -> None:
    """The generated SQL takes the spec's columns and range by default and, run in DuckDB,
    gives the Python engine's verdicts."""
    spec = _spec(shaped)
    query = generate_sql(spec)
    assert '"phase"' in query and '"done"' in query
    assert "p.pct >= 0 AND p.pct <= 1" in query and "pct <> 1" in query
    con = duckdb.connect()
    con.execute('CREATE TABLE polls (job VARCHAR, ts BIGINT, "phase" VARCHAR, "done" DOUBLE)')
    con.executemany(
        "INSERT INTO polls VALUES (?, ?, ?, ?)",
        [("a", 0, "queued", 0.0), ("a", 1, "running", 1.5), ("a", 2, "ready", 0.5)],
    )
    rows = con.sql(generate_sql(spec, report="violations")).fetchall()
    assert [(r[1], r[2]) for r in rows] == [(1, "percentage-range"), (2, "completed-not-100")]
    python = validate(
        [
            {"phase": "queued", "done": 0.0},
            {"phase": "running", "done": 1.5},
            {"phase": "ready", "done": 0.5},
        ],
        spec=spec,
    )
    assert [(v.index, v.rule) for v in python.violations] == [(r[1], r[2]) for r in rows]
    bare = generate_sql(_base())
    assert "CAST(NULL AS DOUBLE) AS pct" in bare  # no progress field: no progress column


@settings(max_examples=50, deadline=None)
@given(trace=traces(SPEC, "sampled"))
def test_generated_traces_write_the_specs_fields(trace: Trace) -> None:
    """A generated trace of a shaped spec writes its fields, progress within its range (the
    top on success), and is legal."""
    assert all(set(b) <= {"phase", "done", "operation", "resourceId"} for b in trace.bodies)
    assert all(b.get("done") is None or 0 <= b["done"] <= 1 for b in trace.bodies)
    if trace.outcome == "success":
        assert trace.bodies[-1].get("done") in (None, 1)
    assert Validator(SPEC).check_job(list(trace.bodies)).violations == ()


def test_scenarios_and_the_diff_use_the_shape(shaped: Path) -> None:
    """Scenarios write the spec's fields (the top of the range on success); `spec diff`
    names a changed status field and progress."""
    spec = _spec(shaped)
    for s in scenarios_of(spec).values():
        assert all("phase" in (a.body or {}) for a in s.answers), s.name
    end = scenarios_of(spec)["end-ready"].answers[-1].body
    assert end == {"phase": "ready", "done": 1.0}
    changes = diff_specs(_base(), spec).changes
    body = [(c.subject, c.before, c.after) for c in changes if c.what == "body"]
    assert body == [("status", "status", "phase"), ("progress", None, ["done", 0.0, 1.0])]


def test_the_rule_table_in_a_specs_own_words(shaped: Path) -> None:
    """`jobstate rules --spec FILE` says the status and progress rules with the spec's fields,
    range and reset state, and their rationale is the spec's shape; the built-in specs' table
    is the golden one; a spec without progress says those rules never fire."""
    lines = cli_text("rules", "--spec", str(shaped)).stdout.splitlines()
    said = {line.split()[0]: line.split(None, 3)[3] for line in lines[:11]}
    assert said["missing-status"] == "a record without a 'phase', or whose 'phase' is not a string"
    assert said["percentage-type"] == "done present but not a number"
    assert said["percentage-range"] == "done outside 0-1, or NaN/Infinity"
    assert said["percentage-regression"] == "done decreases with no 'paused' observed in between"
    assert said["completed-not-100"] == "a success status with done present and not 1"
    assert said["unknown-status"] == "status is not a value of the spec's vocabulary"
    data = orjson.loads(cli_text("rules", "--spec", str(shaped), "--format", "json").stdout)
    rationale = {r["id"]: r["rationale"] for r in data}
    assert rationale["percentage-range"] == "the spec's body shape ([body] of its file)"
    golden = Path(__file__).parents[1] / "golden" / "rules.json"
    assert cli_text("rules", "--spec", "current", "--format", "json").stdout == golden.read_text()
    bare = _base()
    from jobstate.validation.rule_text import rules_for

    by_id = {r.id: r.summary for r in rules_for(bare)}
    assert by_id["completed-not-100"] == "never: spec base has no progress field"
    assert (
        by_id["missing-status"] == "a record without a 'status', or whose 'status' is not a string"
    )


def test_a_spec_without_progress_reads_alike_through_polars(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A JSON Lines log of a spec with no progress field (the IPP example's job-state, text
    job keys), big enough for the polars path, which takes its blocks (no progress column to
    read): the same report record by record and through polars."""
    import re

    root = Path(__file__).parents[2]
    text = (root / "examples/specs/ipp-jobs.jsonl").read_text()
    log = tmp_path / "ipp.jsonl"
    log.write_text(re.sub(r'"job-id": (\d+)', r'"job-id": "j\1"', text) * 500)
    spec = str(root / "examples/specs/ipp-print-job.toml")
    taken = chunks_taken(monkeypatch)
    reports = [
        cli_text(
            "check",
            "--spec",
            spec,
            "--job-key",
            "job-id",
            "--format",
            "json",
            "--engine",
            engine,
            str(log),
        ).stdout
        for engine in ("python", "polars")
    ]
    assert taken and all(taken)
    assert reports[0] == reports[1] and orjson.loads(reports[0])["totals"]["errors"] == 1498


def test_the_poller_reads_a_specs_own_fields_and_result() -> None:
    """``monitor.wait`` on a user's spec ends on its terminal state, read from its status
    field, and takes the result's id from its first result field (``output``), not Graph's."""
    import httpx

    from jobstate import monitor

    spec = spec_from_mapping(
        {**load_document(SHAPED, toml=True), "body": {"status": "phase", "result": ["output"]}}
    )
    bodies = [{"phase": "running"}, {"phase": "ready", "output": "r-7", "resourceId": "no"}]

    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(202, json=bodies.pop(0) if len(bodies) > 1 else bodies[0])

    with httpx.Client(transport=httpx.MockTransport(handle)) as client:
        result = monitor.wait("https://m.example/op", spec=spec, client=client, interval=0)
    assert (result.outcome, result.resource_id, result.polls) == ("success", "r-7", 2)
