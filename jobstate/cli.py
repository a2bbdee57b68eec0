"""The ``jobstate`` command line.

Exit codes: 0 no errors, 1 errors found, 2 unusable input or usage.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from jobstate.validation import Report

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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="jobstate", prog_name="jobstate")
def main() -> None:
    """Check Microsoft Graph asyncJobStatus lifecycles (the monitor URL of a long-running job).

    \b
    Exit codes: 0 no errors, 1 errors found, 2 unusable input or usage.
    """


_INPUT_HELP = """Validate observed status sequences.

\b
FILES are JSON Lines, JSON (an array or one body), HAR 1.2 captures, CSV or TSV,
any of them gzipped; "-" reads standard input. The format comes from the file name
and its first bytes (--input-format overrides it).
\b
Without --job-key, a JSON Lines or JSON input is one job; a HAR input has one job
per monitor URL (query aside); a CSV input one job per job_id.
\b
Exit codes: 0 nothing at the --fail-on severity, 1 findings, 2 unusable input or usage.
"""


@main.command(help=_INPUT_HELP)
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=str, allow_dash=True))
@_spec_option(help="Which vocabulary and edges to check against.")
@click.option(
    "--mode",
    type=click.Choice(_MODES),
    default="sampled",
    show_default=True,
    help="sampled: client polls, skipped states are fine; step: every change is one edge.",
)
@_format_option("text", "json", "junit")
@click.option(
    "--input-format",
    type=click.Choice(("jsonl", "json", "har", "csv", "tsv")),
    help="Read every FILE as this format instead of detecting it.",
)
@click.option("--job-key", metavar="PATH", help="Dotted path (CSV: column) of the job key.")
@click.option("--body-key", metavar="PATH", help="Dotted path of the monitor body in a record.")
@click.option(
    "--order-by",
    metavar="PATH",
    help="Order each job by this value (a timestamp) instead of input order;"
    " holds each job's records in memory until its input ends.",
)
@click.option("--http-key", metavar="PATH", help="Dotted path (CSV: column) of the HTTP status.")
@click.option("--status-column", default="status", show_default=True, help="CSV status column.")
@click.option(
    "--percentage-column",
    default="percentageComplete",
    show_default=True,
    help="CSV percentage column.",
)
@click.option(
    "--explain",
    is_flag=True,
    help="Show every step of every job: stutter, edge, gap and path (keeps every step).",
)
@click.option(
    "--max-violations",
    type=click.IntRange(min=0),
    metavar="N",
    help="Print at most N violations (all are still counted).",
)
@click.option(
    "--fail-on",
    type=click.Choice(("error", "warning")),
    default="error",
    show_default=True,
    help="The severity that makes the exit code 1.",
)
@click.option(
    "--diagram",
    "diagram_path",
    type=click.Path(dir_okay=False, path_type=str),
    help="Also draw the observed traffic on the spec: FILE.svg, .png or .dot (keeps every step).",
)
def check(
    files: tuple[str, ...],
    spec: str,
    mode: str,
    fmt: str,
    input_format: str | None,
    job_key: str | None,
    body_key: str | None,
    order_by: str | None,
    http_key: str | None,
    status_column: str,
    percentage_column: str,
    explain: bool,
    max_violations: int | None,
    fail_on: str,
    diagram_path: str | None,
) -> None:
    from jobstate.readers import Input, InputError, ReadOptions, read_input
    from jobstate.validation import Report, Validator

    validator = Validator(spec, mode)
    options = ReadOptions(
        job_key=job_key,
        body_key=body_key,
        order_by=order_by,
        http_key=http_key,
        status_column=status_column,
        percentage_column=percentage_column,
        format=input_format,  # type: ignore[arg-type]
    )
    inputs: list[Input] = []
    unusable: list[str] = []
    for name in files:
        try:
            with _Progress(name) as progress:
                data = read_input(
                    name, validator, options, explain=explain or bool(diagram_path),
                    progress=progress,
                )  # fmt: skip
        except InputError as exc:
            unusable.append(str(exc))
            continue
        inputs.append(data)
        if data.error:
            unusable.append(data.error)
        elif data.lines_read == data.blank:
            unusable.append(f"{data.name}: no records (empty input)")
        elif data.observations == 0:
            acc = data.accounting()
            unusable.append(
                f"{data.name}: no observation in {_n(acc['read'], acc['unit'])}"
                f" ({acc['rejected']:,} rejected, {acc['skipped']:,} skipped)"
                f" read as {data.format}"
            )
    jobs = [job for data in inputs for job in data.jobs]
    report = Report(validator.spec.name, validator.mode, jobs, [i.accounting() for i in inputs])

    from jobstate.reporting import failed, json_dict, junit_xml, text_lines

    if fmt == "json":
        from jobstate._json import dumps

        out = json_dict(report, fail_on=fail_on, unusable=unusable)  # type: ignore[arg-type]
        sys.stdout.buffer.write(dumps(out, indent=True) + b"\n")
    elif fmt == "junit":
        sys.stdout.buffer.write(junit_xml(report, fail_on=fail_on, unusable=unusable))  # type: ignore[arg-type]
    else:
        lines = text_lines(
            report, color=sys.stdout.isatty(), explain=explain, max_violations=max_violations,
            fail_on=fail_on,  # type: ignore[arg-type]
        )  # fmt: skip
        click.echo("\n".join(lines))
    if diagram_path is not None:
        error = _write_observed(diagram_path, report)
        if error:
            unusable.append(error)
    for msg in unusable:
        click.echo(f"jobstate: error: {msg}", err=True)
    if unusable:
        sys.exit(EXIT_UNUSABLE)
    findings = report.unattributed or any(failed(j, fail_on) for j in report.jobs)  # type: ignore[arg-type]
    sys.exit(EXIT_ERRORS if findings else EXIT_OK)


class _Progress:
    """A progress bar on standard error for a large input, when it is a terminal.

    Large means 32 MB on disk, or ``JOBSTATE_PROGRESS_BYTES``.
    """

    def __init__(self, name: str) -> None:
        import os

        self.threshold = int(os.environ.get("JOBSTATE_PROGRESS_BYTES", 32 << 20))
        self.name = name
        self.bar: Any = None
        self.done = 0

    def __enter__(self) -> _Progress:
        return self

    def __call__(self, position: int, size: int) -> None:
        if self.bar is None:
            if size < self.threshold or not sys.stderr.isatty():
                return
            self.bar = click.progressbar(
                length=size, label=self.name, file=sys.stderr, show_percent=True, show_eta=True
            )
            self.bar.__enter__()
        self.bar.update(max(position - self.done, 0))
        self.done = max(position, self.done)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.update(max(self.bar.length - self.done, 0))
            self.bar.__exit__(None, None, None)


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


def _n(count: int, word: str) -> str:
    if count == 1:
        return f"{count:,} {word}"
    return f"{count:,} {word[:-1] + 'ies' if word.endswith('y') else word + 's'}"


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
