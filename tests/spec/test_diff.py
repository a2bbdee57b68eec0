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
    }
