"""The ``jobstate`` command line.

Exit codes: 0 no errors, 1 errors found, 2 unusable input or usage.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from jobstate.readers import Input
    from jobstate.validation import JobReport, Report

_SPECS = ("current", "legacy", "any")
_MODES = ("sampled", "step")

EXIT_OK, EXIT_ERRORS, EXIT_UNUSABLE = 0, 1, 2


def _version() -> str:
    from jobstate import __version__

    return __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(version=_version(), prog_name="jobstate")
def main() -> None:
    """Check Microsoft Graph asyncJobStatus lifecycles (the monitor URL of a long-running job).

    \b
    Exit codes: 0 no errors, 1 errors found, 2 unusable input or usage.
    """


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=str, allow_dash=True))
@click.option(
    "--spec",
    type=click.Choice(_SPECS),
    default="current",
    show_default=True,
    help="Which vocabulary and edges to check against.",
)
@click.option(
    "--mode",
    type=click.Choice(_MODES),
    default="sampled",
    show_default=True,
    help="sampled: client polls, skipped states are fine; step: every change is one edge.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(("text", "json")),
    default="text",
    show_default=True,
)
def check(files: tuple[str, ...], spec: str, mode: str, fmt: str) -> None:
    """Validate observed status sequences: FILES are JSON Lines, one monitor body per line,
    one job per file (``-`` reads standard input)."""
    from jobstate.readers import InputError, read_jsonl
    from jobstate.validation import Report, Validator

    validator = Validator(spec, mode)
    jobs: list[JobReport] = []
    inputs: list[Input] = []
    unusable: list[str] = []
    for name in files:
        try:
            data = read_jsonl(name)
        except InputError as exc:
            unusable.append(str(exc))
            continue
        if data.lines_read == data.blank:
            unusable.append(f"{data.name}: no records (empty input)")
        inputs.append(data)
        jobs.append(validator.validate_job(data.records, key=data.name, lines=data.lines))
    report = Report(validator.spec.name, validator.mode, jobs, [i.accounting() for i in inputs])

    if fmt == "json":
        out = report.to_dict()
        out["unusable"] = unusable
        from jobstate._json import dumps

        sys.stdout.buffer.write(dumps(out, indent=True) + b"\n")
    else:
        _print_text(report)
    for msg in unusable:
        click.echo(f"jobstate: error: {msg}", err=True)
    if unusable:
        sys.exit(EXIT_UNUSABLE)
    sys.exit(EXIT_OK if report.ok else EXIT_ERRORS)


def _print_text(report: Report) -> None:
    color = sys.stdout.isatty()
    for job in sorted(report.jobs, key=lambda j: (-j.errors, -j.warnings)):
        verdict = "FAIL" if not job.ok else ("WARN" if job.warnings else "OK")
        style = {"FAIL": "red", "WARN": "yellow", "OK": "green"}[verdict]
        head = click.style(f"{verdict:<4}", fg=style, bold=True) if color else f"{verdict:<4}"
        click.echo(
            f"{head} {job.key}: outcome {job.outcome}; {_n(job.observations, 'observation')}"
            + (f", {job.rejected} rejected" if job.rejected else "")
            + f"; {_n(job.errors, 'error')}, {_n(job.warnings, 'warning')}"
        )
        for v in job.violations:
            where = f"line {v.line}" if v.line is not None else f"#{v.index}"
            click.echo(f"  {where:>9}  {v.severity:<7}  {v.rule:<21}  {v.message}")
    t = report.totals
    outcomes = ", ".join(f"{n} {o}" for o, n in t["outcomes"].items() if n)
    line = (
        f"{_n(t['jobs'], 'job')} ({t['jobs'] - t['jobs_with_errors']} ok,"
        f" {t['jobs_with_errors']} with errors; {outcomes or 'none'});"
        f" {_n(t['errors'], 'error')}, {_n(t['warnings'], 'warning')}"
    )
    if "lines_read" in t:
        line += (
            f"; {_n(t['lines_read'], 'line')} read = {_n(t['observations'], 'observation')}"
            f" + {t['rejected']} rejected + {t['blank']} blank"
        )
    click.echo(f"{line}; spec {report.spec}, mode {report.mode}")


def _n(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


@main.command("spec")
@click.option("--spec", "name", type=click.Choice(_SPECS), default="current", show_default=True)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(("text", "json")),
    default="text",
    show_default=True,
)
def spec_cmd(name: str, fmt: str) -> None:
    """Print a spec: its states, their classes, its edges and their provenance."""
    from jobstate.spec import get_spec

    spec = get_spec(name)
    if fmt == "json":
        from jobstate._json import dumps

        sys.stdout.buffer.write(dumps(spec.to_dict(), indent=True) + b"\n")
        return
    data: dict[str, Any] = spec.to_dict()
    click.echo(f"spec {spec.name}: {spec.description}")
    click.echo(f"initial: {data['initial']}; terminal: {', '.join(data['terminal'])}")
    click.echo("\nstates:")
    for st in data["states"]:
        cls = st["class"] + (f" ({st['outcome']})" if st["outcome"] else "")
        click.echo(f"  {st['name']:<14} {cls:<22} {st['provenance']:<9} {st['rationale']}")
    click.echo("\nedges:")
    for e in data["edges"]:
        arrow = f"{e['source']} -> {e['dest']}"
        click.echo(f"  {arrow:<30} {e['provenance']:<9} {e['rationale']}")


if __name__ == "__main__":  # pragma: no cover
    main()
