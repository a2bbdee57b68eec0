"""The commands about clients: ``client`` (a client's assumptions), ``clients`` (the real
clients' profiles) and ``scenarios`` (what ``serve`` plays)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from jobstate._constants import (
    CLIENT_PROTOCOL_KEYS,
    DEFAULT_CLIENT_SPECS,
    ENDS_ON,
    ON_GONE,
    ON_NO_STATUS,
    ON_REDIRECT,
    ON_SERVER_ERROR,
    PROFILE_NAMES,
    SPEC_NAMES,
    UNKNOWN_ACTIONS,
)
from jobstate.cli._common import (
    EXIT_ERRORS,
    EXIT_OK,
    echo_lines,
    fail,
    finite,
    format_option,
    spec_option,
    write_json,
)

if TYPE_CHECKING:
    from jobstate.clients import ClientModel

__all__ = ["client_cmd", "clients_cmd", "scenarios_cmd"]


def _values(text: str | None) -> list[str]:
    return [v.strip() for v in (text or "").split(",") if v.strip()]


@click.command("client", short_help="Check a client's assumptions against a spec.")
@click.option(
    "--profile",
    type=click.Choice(sorted(PROFILE_NAMES)),
    help="A built-in real-client profile (see `jobstate clients`).",
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
    type=click.Choice(UNKNOWN_ACTIONS),
    help="What it does with a value it does not know (default poll).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    callback=finite,
    help="Its timeout, s.",
)
@spec_option()
@format_option("text", "json")
@click.option("--ends-on", help="What ends its loop (comma-separated): " + ", ".join(ENDS_ON))
@click.option("--on-redirect", type=click.Choice(ON_REDIRECT), help="What it does on a 303.")
@click.option("--on-gone", type=click.Choice(ON_GONE), help="What it does on a 404 (expired).")
@click.option("--on-5xx", "on_server_error", type=click.Choice(ON_SERVER_ERROR), help="On a 5xx.")
@click.option(
    "--on-no-status",
    type=click.Choice(ON_NO_STATUS),
    help="On a 2xx body without status that does not end its loop.",
)
@click.option(
    "--interval", type=click.FloatRange(min=0), callback=finite, help="Seconds between its polls."
)
@click.option(
    "--retry-after/--no-retry-after", default=None, help="Whether it honours Retry-After."
)
def client_cmd(
    profile: str | None,
    model_file: str | None,
    spec: str,
    fmt: str,
    **lists: Any,
) -> None:
    """Check what a client assumes: for each wrong assumption, the shortest trace that breaks it.

    \b
    Exit codes: 0 no error finding, 1 an error finding, 2 usage or a bad model file.
    """
    from jobstate import render
    from jobstate.clients import check_client, graph_pack, with_protocol
    from jobstate.spec import get_spec

    protocol = {k: lists.pop(k) for k in _PROTOCOL_OPTIONS}
    model = _client_model(profile, model_file, lists)
    try:
        model = with_protocol(model, **protocol)
    except ValueError as exc:
        fail(str(exc))
    findings = check_client(model, spec)
    name = spec if isinstance(spec, str) else spec.name
    if fmt == "json":
        write_json(render.client_payload(model, name, findings))
    else:
        echo_lines(render.client_lines(model, name, findings))
        if not graph_pack(get_spec(spec)):
            note = f"note: spec {name} is no Microsoft Graph pack spec: its values are checked;"
            note += " the HTTP answers, the other revision and future values are the pack's"
            echo_lines([note])
    sys.exit(EXIT_ERRORS if any(f.severity == "error" for f in findings) else EXIT_OK)


_PROTOCOL_OPTIONS = CLIENT_PROTOCOL_KEYS


def _client_model(
    profile: str | None, model_file: str | None, lists: dict[str, Any]
) -> ClientModel:
    """The model from exactly one of a profile, a file, or the value lists."""
    from jobstate.clients import ClientModel, load_model

    given_lists = any(v is not None for v in lists.values())
    if sum((profile is not None, model_file is not None, given_lists)) != 1:
        raise click.UsageError("give exactly one of --profile, --model, or the value lists")
    try:
        if profile is not None:
            from jobstate.packs.graph.profiles import PROFILES

            return PROFILES[profile]
        if model_file is not None:
            return load_model(model_file)
        return ClientModel.from_lists(
            "ad-hoc",
            **{k: _values(lists[k]) for k in ("success", "failure", "cancelled", "poll", "crash")},
            unknown=lists["unknown"],
            timeout=lists["timeout"],
        )
    except (ValueError, OSError) as exc:
        fail(str(exc))


@click.command("clients", short_help="Real-client profiles x specs, with their findings.")
@click.option(
    "--spec",
    "specs",
    type=click.Choice(SPEC_NAMES),
    multiple=True,
    help="Specs to check against (repeatable; default current and legacy).",
)
@format_option("text", "markdown", "json")
def clients_cmd(specs: tuple[str, ...], fmt: str) -> None:
    """The matrix of real-client profiles x specs with their findings."""
    from jobstate import render
    from jobstate.clients import matrix
    from jobstate.packs.graph.profiles import PROFILES

    names = list(specs or DEFAULT_CLIENT_SPECS)
    table = matrix(PROFILES, names)
    if fmt == "json":
        write_json(render.matrix_payload(table, PROFILES))
    elif fmt == "markdown":
        echo_lines(render.matrix_markdown(table, names))
    else:
        echo_lines(render.matrix_table(table, names))


@click.command("scenarios", short_help="List the monitor scenarios 'jobstate serve' plays.")
@spec_option(help="The scenarios of this spec (as 'jobstate serve --spec' plays them).")
@format_option("text", "json")
def scenarios_cmd(spec: Any, fmt: str) -> None:
    """List the monitor scenarios, each with the answers its monitor gives, poll by poll."""
    from jobstate.cli.serve import scenario_pool

    pool = scenario_pool(spec)
    if fmt == "json":
        write_json([s.to_dict() for s in pool.values()])
        return
    width = max(20, *(len(n) + 1 for n in pool))
    for s in pool.values():
        click.echo(f"{s.name:<{width}} {s.dialect:<9} {s.description}")
        click.echo(f"{'':<{width}} {' | '.join(s.trace)}")
