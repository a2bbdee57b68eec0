"""`jobstate spec diff A B`: every difference between two specs, as text and JSON, exit 1 when
they differ; a spec against itself has none."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
from click.testing import CliRunner
from hypothesis import given

from jobstate.cli import main
from jobstate.spec import get_spec
from jobstate.spec.diff import diff_specs
from jobstate.spec.loading import spec_from_mapping
from jobstate.spec.model import Spec
from tests.strategies import specs

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str) -> Any:
    return CliRunner().invoke(main, list(args))


def test_legacy_to_current() -> None:
    """The revision of 2021 as a diff: the cancel states and edges added, the delete ones and
    updating removed, the terminal set changed, failed's edge now documented."""
    d = diff_specs(get_spec("legacy"), get_spec("current"))
    found = {(c.kind, c.what, c.subject, c.field) for c in d.changes}
    assert ("added", "state", "cancelled", None) in found
    assert ("removed", "state", "deleteFailed", None) in found
    assert ("added", "edge", "cancelPending -> cancelled", None) in found
    assert ("removed", "edge", "inProgress -> updating", None) in found
    assert ("changed", "edge", "inProgress -> failed", "provenance") in found
    assert ("changed", "terminal", "states", "set") in found
    assert not d.same


def test_the_cli_diff_exit_codes_and_json(tmp_path: Path) -> None:
    """Differing specs exit 1 with one line per change; equal ones exit 0; JSON carries each
    change with its before and after."""
    different = _run("spec", "diff", "legacy", "current")
    assert different.exit_code == 1
    assert different.stdout.startswith("spec diff legacy -> current: ")
    assert "  + state cancelPending: active" in different.stdout
    same = _run("spec", "diff", "current", "current")
    assert (same.exit_code, same.stdout) == (0, "spec diff current -> current: no differences\n")
    data = orjson.loads(_run("spec", "diff", "--format", "json", "current", "legacy").stdout)
    assert data["same"] is False and {"kind", "before", "after"} <= set(data["changes"][0])


def test_a_file_against_its_edit(tmp_path: Path) -> None:
    """An edited spec file against the original: the changed rationale and the new edge."""
    original = ROOT / "examples/specs/azure-lro.toml"
    edited = tmp_path / "azure-lro.toml"
    edited.write_text(
        original.read_text().replace("the operation starts", "the operation is picked up")
        + '\n[[edges]]\nsource = "Running"\ndest = "NotStarted"\nprovenance = "inferred"\n'
        'rationale = "requeued"\n'
    )
    result = _run("spec", "diff", str(original), str(edited))
    assert result.exit_code == 1
    assert "~ edge NotStarted -> Running: rationale" in result.stdout
    assert "+ edge Running -> NotStarted: inferred" in result.stdout


def test_usage_errors() -> None:
    """`spec diff` with one spec, or `spec` with two, is a usage error (exit 2)."""
    assert _run("spec", "diff", "current").exit_code == 2
    assert _run("spec", "current", "legacy").exit_code == 2
    assert _run("spec", "diff", "current", "nosuch").exit_code == 2


@given(a=specs(), b=specs())
def test_no_differences_exactly_when_the_specs_are_equal(a: Spec, b: Spec) -> None:
    """Generated specs: a spec has no difference with itself or its own JSON, and two specs
    have none exactly when their data (name and description aside) are equal."""
    assert diff_specs(a, a).same and diff_specs(a, spec_from_mapping(a.to_dict())).same
    assert diff_specs(a, b).same == (_data(a) == _data(b))


def _data(spec: Spec) -> dict[str, Any]:
    """A spec's data, in no particular order, name and description aside."""
    d = spec.to_dict()
    return {
        "states": sorted(d["states"], key=lambda s: s["name"]),
        "edges": sorted(d["edges"], key=lambda e: (e["source"], e["dest"])),
        "initial": d["initial"],
        "kinds": sorted(spec.provenances),
        "body": d.get("body"),
        "unknown": d.get("unknown"),  # the unknown-value policy, and the rules' own words
        "rules": d.get("rules"),
    }


def _spec(text: str, name: str = "s") -> Spec:
    import tempfile

    from jobstate.spec.loading import load_spec

    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / f"{name}.toml"
        path.write_text(text)
        return load_spec(path)


BASE = """
[[provenances]]
kind = "doc"
meaning = "documented"

[[states]]
name = "a"
class = "initial"
provenance = "doc"
rationale = "first"

[[states]]
name = "b"
class = "active"
provenance = "doc"
rationale = "second"

[[states]]
name = "z"
class = "terminal"
outcome = "success"
provenance = "doc"
rationale = "end"

[[edges]]
source = "a"
dest = "b"
provenance = "doc"
rationale = "go"

[[edges]]
source = "b"
dest = "z"
provenance = "doc"
rationale = "done"
"""


def test_every_kind_of_change_is_one_exact_line() -> None:
    """The initial state, the terminal set, a state's class and outcome, a provenance kind
    added, removed or renamed in meaning, an edge added or removed: each is reported with its
    before and after, in text and in JSON."""
    edited = (
        BASE.replace('meaning = "documented"', 'meaning = "written down"')
        .replace('name = "a"\nclass = "initial"', 'name = "a"\nclass = "active"')
        .replace('name = "b"\nclass = "active"', 'name = "b"\nclass = "initial"')
        .replace('outcome = "success"', 'outcome = "failure"')
        .replace('source = "a"\ndest = "b"', 'source = "b"\ndest = "a"')
    )
    edited += '\n[[provenances]]\nkind = "seen"\nmeaning = "observed"\n'
    edited += '\n[[edges]]\nsource = "a"\ndest = "z"\nprovenance = "doc"\nrationale = "skip"\n'
    d = diff_specs(_spec(BASE), _spec(edited))
    assert [c.text() for c in d.changes] == [
        "~ initial state: name 'a' -> 'b'",
        "~ provenance doc: meaning 'documented' -> 'written down'",
        "+ provenance seen: observed",
        "~ state a: class 'initial' -> 'active'",
        "~ state b: class 'active' -> 'initial'",
        "~ state z: outcome 'success' -> 'failure'",
        "+ edge b -> a: doc",
        "+ edge a -> z: doc",
        "- edge a -> b: doc",
    ]
    assert [c.text() for c in diff_specs(_spec(edited), _spec(BASE)).changes][2] == (
        "- provenance seen: observed"
    )
    [first, *_] = d.to_dict()["changes"]
    assert first == {
        "kind": "changed",
        "what": "initial",
        "subject": "state",
        "field": "name",
        "before": "a",
        "after": "b",
    }
    assert next(iter(d.lines())) == "spec diff s -> s: 9 differences"
    assert d.to_dict()["a"] == "s" and d.to_dict()["same"] is False


def test_a_terminal_set_change_names_both_sets() -> None:
    """A new terminal state: the terminal set's change lists the sets before and after, and
    the new state says its class and outcome."""
    more = BASE + (
        '\n[[states]]\nname = "y"\nclass = "terminal"\noutcome = "cancelled"\n'
        'provenance = "doc"\nrationale = "stop"\n'
        '\n[[edges]]\nsource = "b"\ndest = "y"\nprovenance = "doc"\nrationale = "stop"\n'
    )
    d = diff_specs(_spec(BASE), _spec(more))
    texts = [c.text() for c in d.changes]
    assert texts[0] == "~ terminal states: set ['z'] -> ['y', 'z']"
    assert "+ state y: terminal (cancelled)" in texts and "+ edge b -> y: doc" in texts
    removed = [c.text() for c in diff_specs(_spec(more), _spec(BASE)).changes]
    assert "- state y: terminal (cancelled)" in removed and "- edge b -> y: doc" in removed


def test_a_change_of_result_fields_is_a_difference() -> None:
    """The [body] result fields are part of a spec: changing them is one 'body result'
    change with the lists before and after."""
    a = get_spec("current")
    data = a.to_dict()
    data["body"] = {**data["body"], "result": ["resourceId"]}
    b = spec_from_mapping(data)
    (change,) = diff_specs(a, b).changes
    assert (change.kind, change.what, change.subject, change.field) == (
        "changed", "body", "result", "fields")  # fmt: skip
    assert change.after == ["resourceId"] and "errorCode" in change.before
