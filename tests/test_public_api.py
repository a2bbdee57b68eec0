"""The public surface: one namespace, ``jobstate.X``, pinned without a hand-kept list."""

from __future__ import annotations

import subprocess
import sys
import types

import jobstate


def test_all_is_exactly_the_public_names() -> None:
    """__all__ is sorted and lists every public non-module attribute of jobstate (those loaded
    on first use included), no more."""
    public = {
        name
        for name in dir(jobstate)
        if not name.startswith("_") and not isinstance(getattr(jobstate, name), types.ModuleType)
    }
    assert jobstate.__all__ == sorted(jobstate.__all__, key=lambda n: (not n.isupper(), n))
    assert set(jobstate.__all__) - {"__version__"} == public


def test_exports_say_they_are_jobstate() -> None:
    """Every exported class and function reports ``jobstate`` as its module (reprs, docs)."""
    for name in jobstate.__all__:
        value = getattr(jobstate, name)
        if isinstance(value, (type, types.FunctionType)):
            assert value.__module__ == "jobstate", name


def test_every_error_derives_from_jobstate_error() -> None:
    """One base to catch: every exception class jobstate exports derives from JobstateError."""
    errors = [
        v for v in vars(jobstate).values() if isinstance(v, type) and issubclass(v, Exception)
    ]
    assert len(errors) >= 7
    assert all(issubclass(e, jobstate.JobstateError) for e in errors)


def test_import_does_not_load_hypothesis() -> None:
    """Importing jobstate (the CLI's path) does not pay for hypothesis."""
    code = "import sys, jobstate, jobstate.cli; print('hypothesis' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_import_does_not_load_the_emulator() -> None:
    """The emulator and its scenarios load when first used, not with jobstate."""
    code = (
        "import sys, jobstate; print('jobstate.emulator' in sys.modules);"
        " jobstate.MonitorServer; print('jobstate.emulator' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True"]


def test_help_does_not_load_numpy_or_polars() -> None:
    """`jobstate --help` stays fast: the array libraries load only when a check runs."""
    code = (
        "import sys; from jobstate.cli import main\n"
        "try: main(['--help'])\nexcept SystemExit: pass\n"
        "print(sorted(m for m in ('numpy', 'polars') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().endswith("[]")
