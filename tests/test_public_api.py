"""The public surface is pinned: what jobstate exports, and that helpers stay private."""

from __future__ import annotations

import jobstate


def test_exported_members() -> None:
    """__all__ lists exactly the public names, and each exists."""
    assert len(jobstate.__all__) == len(set(jobstate.__all__))
    assert set(jobstate.__all__) == {
        "PROFILES",
        "ClientModel",
        "Finding",
        "check_client",
        "RULES",
        "SPEC_NAMES",
        "Edge",
        "Input",
        "InputError",
        "JobReport",
        "Mode",
        "MutatedTrace",
        "Outcome",
        "Provenance",
        "Report",
        "Rule",
        "Severity",
        "Spec",
        "SpecError",
        "State",
        "StateClass",
        "Step",
        "StepKind",
        "Trace",
        "Validator",
        "Violation",
        "__version__",
        "get_spec",
        "read_jsonl",
        "read_input",
        "ReadOptions",
        "validate",
    }
    for name in jobstate.__all__:
        assert hasattr(jobstate, name)


def test_import_does_not_load_hypothesis() -> None:
    """Importing jobstate (the CLI's path) does not pay for hypothesis."""
    import subprocess
    import sys

    code = "import sys, jobstate, jobstate.cli; print('hypothesis' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_help_does_not_load_numpy_or_polars() -> None:
    """`jobstate --help` stays fast: the array libraries load only when a check runs."""
    import subprocess
    import sys

    code = (
        "import sys; from jobstate.cli import main\n"
        "try: main(['--help'])\nexcept SystemExit: pass\n"
        "print(sorted(m for m in ('numpy', 'polars') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().endswith("[]")
