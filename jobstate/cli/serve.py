"""``jobstate serve``: the monitor emulator, its scenarios and trace files, and its grades."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator, Mapping
from typing import Any

import click

from jobstate._constants import DIALECT_NAMES
from jobstate.cli._common import (
    EXIT_ERRORS,
    EXIT_OK,
    fail,
    finite,
    format_option,
    need,
    output_gone,
    scenario_option,
    spec_option,
    warn,
    write_json,
)

__all__ = ["is_loopback", "scenario_pool", "serve_cmd"]


def is_loopback(host: str) -> bool:
    """Whether ``host`` is a loopback name or address (all of 127.0.0.0/8, ::1)."""
    import ipaddress

    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@click.command("serve", short_help="Serve monitor scenarios over HTTP and grade the client.")
@scenario_option()
@click.option(
    "--trace",
    "traces",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    help="Also play a trace file: JSON Lines, a status body or {http, body, headers} per line.",
)
@click.option("--dialect", type=click.Choice(DIALECT_NAMES), help="Answer in this dialect.")
@spec_option(
    help="Play the scenarios of this spec: the Microsoft Graph pack's for a built-in one, those"
    " generated from a spec file (each end, each loop, a value outside it) otherwise."
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option(
    "--port",
    default=0,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to bind (0: a free one, printed in the monitor URLs).",
)
@click.option("--record", type=click.Path(dir_okay=False), help="Write every request as HAR.")
@click.option(
    "--duration",
    default=60.0,
    show_default=True,
    type=click.FloatRange(min=0.1),
    callback=finite,
    help="Seconds the server serves at most.",
)
@click.option(
    "--max-polls",
    default=20,
    show_default=True,
    type=click.IntRange(min=1),
    help="Polls of an ended monitor answered before 429 (the monitor is then settled).",
)
@click.option(
    "--idle",
    default=2.0,
    show_default=True,
    type=click.FloatRange(min=0),
    callback=finite,
    help="Seconds without a poll after the end that settle a monitor.",
)
@click.option(
    "--abandon",
    default=30.0,
    show_default=True,
    type=click.FloatRange(min=0),
    callback=finite,
    help="Seconds without a poll before the end that settle a monitor (the client gave up).",
)
@click.option(
    "--poll-floor",
    type=click.FloatRange(min=0, min_open=True),
    callback=finite,
    metavar="SECONDS",
    help="Report polls of one monitor sooner than this apart (poll-interval).",
)
@format_option("text", "json", help="How to print the grades when the server stops.")
def serve_cmd(
    names: tuple[str, ...],
    traces: tuple[str, ...],
    dialect: str | None,
    spec: Any,
    host: str,
    port: int,
    record: str | None,
    duration: float,
    max_polls: int,
    idle: float,
    abandon: float,
    poll_floor: float | None,
    fmt: str,
) -> None:
    """Serve monitor URLs that play scenarios, one answer per poll, to any client in any
    language. The first lines printed are 'monitor URL SCENARIO'; point the client at them.
    The server stops when every monitor has ended and gone idle (or was polled --max-polls
    times past its end), or was polled and then left before its end for --abandon seconds
    (its client gave up), after --duration seconds, or on Ctrl-C/SIGTERM; it then prints a
    grade per monitor URL (exit 1 if any is not ok) and writes --record.
    """
    scenarios = _scenarios(names, traces, dialect, spec)
    if record is not None:
        _writable(record)
    if not is_loopback(host):
        warn(f"binding {host}: the emulator is reachable from other machines")
    need("uvicorn", "jobstate serve")
    from jobstate.emulator import MonitorServer

    try:
        server = MonitorServer(
            scenarios,
            host=host,
            port=port,
            max_polls=max_polls,
            idle=idle,
            abandon=abandon,
            duration=duration,
            floor=poll_floor,
            record=record is not None,
        )
    except OSError as exc:
        fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}")
    urls = [(server.play(name), name) for name in scenarios]
    broken: list[OSError] = []

    def ready() -> None:
        try:
            for url, name in urls:  # with --format json, standard output is the JSON alone
                click.echo(f"monitor {url} {name}", err=fmt == "json")
            sys.stdout.flush()
        except OSError as exc:  # nobody can read the URLs: serving them is pointless
            broken.append(exc)
            server.shutdown()

    with _stop_signals() as signalled:
        why = server.run(on_ready=ready)
    if broken:
        sys.exit(output_gone(broken[0]))
    if signalled:
        why = f"stopped by {signalled[0]}"
    _serve_report(server, why, record, fmt)


def _writable(path: str) -> None:
    """--record is checked before serving: a regular file (or none yet) that can be written."""
    import os
    import stat

    try:
        if os.path.exists(path) and not stat.S_ISREG(os.stat(path).st_mode):
            fail(f"--record {path}: not a regular file")
        with open(path, "ab"):
            pass
    except OSError as exc:
        fail(f"--record {path}: cannot write ({exc.strerror or exc})")


def _scenarios(
    names: tuple[str, ...], traces: tuple[str, ...], dialect: str | None, spec: Any
) -> dict[str, Any]:
    """The scenarios to play: the spec's (see :func:`scenario_pool`) named, or all of them
    unless trace files are given, and the trace files', graded by a spec file where given."""
    from dataclasses import replace

    from jobstate.exceptions import InputError
    from jobstate.spec.trace_files import read_traces

    if dialect and not isinstance(spec, str):
        raise click.UsageError(
            "--dialect: the HTTP dialects are the Microsoft Graph pack's; a spec file's"
            " scenarios answer 200 on every poll"
        )
    pool = scenario_pool(spec)
    unknown = [n for n in names if n not in pool]
    if unknown:
        raise click.BadParameter(
            f"no scenario {unknown[0]!r}; scenarios: {', '.join(pool)}", param_hint="--scenario"
        )
    chosen = {n: pool[n] for n in (names or (() if traces else pool))}
    try:
        played = read_traces(traces, taken=chosen)
    except InputError as exc:
        fail(str(exc))
    chosen.update(
        (n, replace(s, spec=spec) if not isinstance(spec, str) else s) for n, s in played.items()
    )
    if dialect and not isinstance(spec, str):
        raise click.UsageError(
            "--dialect: the HTTP dialects are the Microsoft Graph pack's; a spec file's"
            " scenarios answer 200 on every poll"
        )
    if dialect:
        from jobstate.packs.graph.scenarios import in_dialect

        chosen = {n: in_dialect(s, dialect) for n, s in chosen.items()}
    return chosen


def scenario_pool(spec: Any) -> Mapping[str, Any]:
    """The scenarios of ``spec``: a built-in spec's name gives the Microsoft Graph pack's (with
    its protocol's deviations), a loaded spec those generated from it."""
    if isinstance(spec, str):
        from jobstate.packs.graph.scenarios import SCENARIOS

        return SCENARIOS
    from jobstate.spec.scenarios import scenarios_of

    return scenarios_of(spec)


@contextlib.contextmanager
def _stop_signals() -> Iterator[list[str]]:
    """SIGINT/SIGTERM noted while serving (uvicorn stops on them, then re-raises them to these
    handlers); the previous handlers are back once the server has stopped."""
    import signal

    seen: list[str] = []

    def note(sig: int, frame: object) -> None:
        seen.append(signal.Signals(sig).name)

    before = {s: signal.signal(s, note) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield seen
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)


def _serve_report(server: Any, why: str, record: str | None, fmt: str) -> None:
    grades = server.grades()
    if record:
        from jobstate._json import dumps

        try:
            with open(record, "wb") as fh:
                fh.write(dumps(server.har(), indent=True) + b"\n")
        except OSError as exc:
            fail(f"cannot write {record}: {exc.strerror or exc}")
    if fmt == "json":
        write_json({"stopped": why, "recording": record, "grades": grades})
    else:
        from jobstate.render import grade_line

        click.echo(f"stopped: {why}")
        for g in grades:
            click.echo(grade_line(g))
        if server.not_recorded:
            click.echo(f"note: {server.not_recorded:,} requests counted, not recorded")
    sys.exit(EXIT_OK if all(g["ok"] for g in grades) else EXIT_ERRORS)
