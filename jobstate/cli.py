"""The ``jobstate`` command line.

Exit codes: 0 no errors, 1 errors found, 2 unusable input or usage.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from jobstate.readers import Input
    from jobstate.validation import JobReport, Report

_SPECS = ("current", "legacy", "any")
_MODES = ("sampled", "step")

EXIT_OK, EXIT_ERRORS, EXIT_UNUSABLE = 0, 1, 2

_F = Callable[..., Any]


def _format_option(*choices: str, help: str | None = None) -> Callable[[_F], _F]:
    """``--format`` with ``choices``, the first being the default."""
    return click.option(
        "--format", "fmt", type=click.Choice(choices), default=choices[0], show_default=True,
        help=help,
    )  # fmt: skip


def _spec_option(dest: str = "spec", help: str | None = None) -> Callable[[_F], _F]:
    """``--spec`` naming a built-in spec, default ``current``."""
    return click.option(
        "--spec", dest, type=click.Choice(_SPECS), default="current", show_default=True,
        help=help,
    )  # fmt: skip


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
@_spec_option(help="Which vocabulary and edges to check against.")
@click.option(
    "--mode",
    type=click.Choice(_MODES),
    default="sampled",
    show_default=True,
    help="sampled: client polls, skipped states are fine; step: every change is one edge.",
)
@_format_option("text", "json")
@click.option(
    "--diagram",
    "diagram_path",
    type=click.Path(dir_okay=False, path_type=str),
    help="Also draw the observed traffic on the spec: FILE.svg, .png or .dot.",
)
def check(files: tuple[str, ...], spec: str, mode: str, fmt: str, diagram_path: str | None) -> None:
    """Validate observed status sequences: FILES are JSON Lines, one monitor body per line,
    one job per file ("-" reads standard input)."""
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
    if diagram_path is not None:
        error = _write_observed(diagram_path, report)
        if error:
            unusable.append(error)
    for msg in unusable:
        click.echo(f"jobstate: error: {msg}", err=True)
    if unusable:
        sys.exit(EXIT_UNUSABLE)
    sys.exit(EXIT_OK if report.ok else EXIT_ERRORS)


def _write_observed(path: str, report: Report) -> str | None:
    """Write the observed-traffic diagram; an error message when it cannot be made."""
    from pathlib import Path

    from jobstate.diagrams import DiagramError, observed_dot, render

    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in ("svg", "png", "dot"):
        return f"--diagram {path}: use a .svg, .png or .dot file name"
    try:
        dot = observed_dot(report.spec, report.jobs)
        data = dot.encode() if suffix == "dot" else render(dot, suffix)  # type: ignore[arg-type]
        Path(path).write_bytes(data)
    except DiagramError as exc:
        return str(exc)
    except OSError as exc:
        return f"--diagram {path}: cannot write ({exc.strerror or exc})"
    return None


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
@_spec_option("name")
@_format_option("text", "json")
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


@main.command("diagram")
@_spec_option("name")
@_format_option(
    "mermaid",
    "dot",
    "svg",
    "png",
    help="mermaid and dot need no binary; svg and png need Graphviz's dot.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=str),
    help="Write to FILE instead of standard output.",
)
@click.option(
    "--all",
    "all_dir",
    type=click.Path(file_okay=False, path_type=str),
    help="Regenerate every spec as .mmd, .dot and .svg in DIR, with a README.",
)
def diagram_cmd(name: str, fmt: str, output: str | None, all_dir: str | None) -> None:
    """Draw a spec's state diagram (built with transitions' GraphMachine)."""
    from jobstate.diagrams import DiagramError, diagram, write_all

    try:
        if all_dir is not None:
            for path in write_all(all_dir):
                click.echo(f"wrote {path}")
            return
        data = diagram(name, fmt)  # type: ignore[arg-type]
    except DiagramError as exc:
        click.echo(f"jobstate: error: {exc}", err=True)
        sys.exit(EXIT_UNUSABLE)
    if output is not None:
        try:
            with open(output, "wb") as fh:
                fh.write(data)
        except OSError as exc:
            click.echo(f"jobstate: error: {output}: cannot write ({exc.strerror})", err=True)
            sys.exit(EXIT_UNUSABLE)
    elif fmt == "png" and sys.stdout.isatty():
        click.echo("jobstate: error: PNG is binary: use -o FILE", err=True)
        sys.exit(EXIT_UNUSABLE)
    else:
        sys.stdout.buffer.write(data)


def _values(text: str | None) -> list[str]:
    return [v.strip() for v in (text or "").split(",") if v.strip()]


@main.command("client")
@click.option(
    "--profile", type=str, help="A built-in real-client profile (see `jobstate clients`)."
)
@click.option(
    "--model",
    "model_file",
    type=click.Path(dir_okay=False, path_type=str),
    help="A client model in a JSON or TOML file.",
)
@click.option("--success", help="Values the client treats as success (comma-separated).")
@click.option("--failure", help="Values it treats as failure.")
@click.option("--cancelled", help="Values it treats as cancelled.")
@click.option("--poll", help="Values it keeps polling on ('*': every other value).")
@click.option("--crash", help="Values it cannot parse.")
@click.option(
    "--unknown",
    type=click.Choice(("poll", "failure", "crash")),
    help="What it does with a value it does not know (default poll).",
)
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), help="Its timeout, s.")
@_spec_option()
@_format_option("text", "json")
def client_cmd(
    profile: str | None,
    model_file: str | None,
    success: str | None,
    failure: str | None,
    cancelled: str | None,
    poll: str | None,
    crash: str | None,
    unknown: str | None,
    timeout: float | None,
    spec: str,
    fmt: str,
) -> None:
    """Check what a client assumes: for each wrong assumption, the shortest trace that breaks it.

    \b
    Exit codes: 0 no error finding, 1 an error finding, 2 usage or a bad model file.
    """
    from jobstate.clients import PROFILES, ClientModel, check_client, load_model

    lists = (success, failure, cancelled, poll, crash, unknown, timeout)
    given_lists = any(v is not None for v in lists)
    if sum((profile is not None, model_file is not None, given_lists)) != 1:
        raise click.UsageError("give exactly one of --profile, --model, or the value lists")
    try:
        if profile is not None:
            if profile not in PROFILES:
                raise click.UsageError(
                    f"unknown profile {profile!r}; profiles: {', '.join(PROFILES)}"
                )
            model = PROFILES[profile]
        elif model_file is not None:
            model = load_model(model_file)
        else:
            model = ClientModel.from_lists(
                "client",
                success=_values(success),
                failure=_values(failure),
                cancelled=_values(cancelled),
                poll=_values(poll),
                crash=_values(crash),
                unknown=unknown,
                timeout=timeout,
            )
    except (ValueError, OSError) as exc:
        click.echo(f"jobstate: error: {exc}", err=True)
        sys.exit(EXIT_UNUSABLE)
    findings = check_client(model, spec)
    if fmt == "json":
        from jobstate._json import dumps

        out = {
            "client": model.name,
            "spec": spec,
            "source": model.source,
            "notes": model.notes,
            "ok": not any(f.severity == "error" for f in findings),
            "findings": [f.to_dict() for f in findings],
        }
        sys.stdout.buffer.write(dumps(out, indent=True) + b"\n")
    else:
        click.echo(f"client {model.name} under spec {spec}")
        if model.source:
            click.echo(f"source: {model.source}")
        for f in findings:
            click.echo(f"  {f.severity:<7}  {f.id:<16}  {f.status:<18}  {f.message}")
            click.echo(f"  {'':<7}  {'':<16}  {'':<18}  witness: {' -> '.join(f.witness)}")
        if model.notes:
            click.echo(f"note: {model.notes}")
        errors = sum(1 for f in findings if f.severity == "error")
        click.echo(f"{_n(errors, 'error')}, {_n(len(findings) - errors, 'warning')}")
    sys.exit(EXIT_ERRORS if any(f.severity == "error" for f in findings) else EXIT_OK)


@main.command("clients")
@click.option(
    "--spec",
    "specs",
    type=click.Choice(_SPECS),
    multiple=True,
    help="Specs to check against (repeatable; default current and legacy).",
)
@_format_option("markdown", "json")
def clients_cmd(specs: tuple[str, ...], fmt: str) -> None:
    """The matrix of real-client profiles x specs with their findings."""
    from jobstate.clients import PROFILES, matrix

    table = matrix(specs or ("current", "legacy"))
    names = list(specs or ("current", "legacy"))
    if fmt == "json":
        from jobstate._json import dumps

        data = {
            p: {
                "source": PROFILES[p].source,
                "notes": PROFILES[p].notes,
                **{s: [f.to_dict() for f in fs] for s, fs in per.items()},
            }
            for p, per in table.items()
        }
        sys.stdout.buffer.write(dumps(data, indent=True) + b"\n")
        return
    click.echo("| client | " + " | ".join(f"spec `{s}`" for s in names) + " |")
    click.echo("|---|" + "---|" * len(names))
    for p, per in table.items():
        cells = []
        for s in names:
            by_id: dict[str, list[str]] = {}
            for f in per[s]:
                mark = f"**{f.status}**" if f.severity == "error" else f.status
                by_id.setdefault(f.id, []).append(mark)
            cells.append("; ".join(f"{k}: {', '.join(v)}" for k, v in by_id.items()) or "none")
        click.echo(f"| `{p}` | " + " | ".join(cells) + " |")


if __name__ == "__main__":  # pragma: no cover
    main()
