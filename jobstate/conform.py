"""Conformance: grade what a poller *concluded*, not only what it sent.

Each scenario knows its truth (:func:`truth`): the outcome its monitor ends with and, where
the answers carry it, the new resource's id. A case plays one scenario to a client and grades
it on both counts: its traffic (the client-behaviour findings of
:mod:`jobstate.validation.behaviour`) and its conclusion. A case passes when the client
concluded the true outcome (for a monitor lost before any end, whose outcome nobody can know,
``failure`` or ``unknown``), named the true resource if it named one, and its traffic has no
client error.

Two ways to play: :func:`run_command` starts a fresh process of any program, in any language,
per case (``{url}`` in its arguments is the monitor URL) and reads its conclusion from the last
line of its standard output, ``OUTCOME [RESOURCE-ID]`` (:func:`parse_conclusion`); a process
that exits non-zero without one crashed, one that outlives the time limit is killed.
:func:`run_poller` calls a Python function with the URL instead (its exception is its crash).
:meth:`jobstate.MonitorServer.verdict` grades a conclusion a test obtained itself.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal, Protocol

from jobstate._words import shortened
from jobstate.spec.protocol import classify

if TYPE_CHECKING:
    from jobstate.grading import Grade
    from jobstate.spec.scenarios import Scenario

__all__ = [
    "CONCLUSIONS",
    "Case",
    "Truth",
    "parse_conclusion",
    "run_command",
    "run_poller",
    "table_lines",
    "truth",
    "verdict",
]

CONCLUSIONS = ("success", "failure", "cancelled", "unknown")
"""What a client may conclude: a terminal outcome, or that it cannot know."""

Fate = Literal["concluded", "crashed", "hung", "silent"]


class MonitorServer(Protocol):
    """What a run needs of :class:`jobstate.MonitorServer`: a monitor URL per scenario played,
    and the client's grade on it."""

    def play(self, name: str, *, path: str | None = None) -> str: ...

    def grade(self, url: str) -> Grade: ...


_OUTPUT_BYTES = 1 << 20  # what is kept of a client's output, from its end
_TAIL_LINES = 5  # lines of a failing client's standard error shown


@dataclass(frozen=True)
class Truth:
    """What a scenario's monitor ends with: the outcome (``unknown`` for a monitor lost
    before any end) and the new resource's id where its answers carry one."""

    outcome: str
    resource: str | None = None

    def accepts(self, outcome: str | None) -> bool:
        if self.outcome == "unknown":  # nobody can know: saying so, or failing, is right
            return outcome in ("unknown", "failure")
        return outcome == self.outcome


def truth(scenario: Scenario) -> Truth:
    """The truth of ``scenario``: its monitor's end read as a client should read it (the one
    reading, :func:`~jobstate.spec.protocol.classify`) and the resource it names.

    >>> from jobstate.packs.graph.scenarios import SCENARIOS
    >>> truth(SCENARIOS["completed-303"]), truth(SCENARIOS["failed"]).outcome
    (Truth(outcome='success', resource='01NEWITEM'), 'failure')
    >>> truth(SCENARIOS["operation-not-found"]).outcome
    'unknown'
    """
    from jobstate.spec import get_spec

    spec = get_spec(scenario.spec) if isinstance(scenario.spec, str) else scenario.spec
    last = scenario.answers[-1]
    body = last.body or {}
    kind = classify(last.http, last.body, spec.status_field)
    resource: str | None = None
    for field_name in spec.result[:1]:  # the spec's first result field names the resource
        value = body.get(field_name)
        resource = value if isinstance(value, str) else None
    if kind == "see-other":
        location = last.headers.get("Location", "")
        return Truth("success", location.rstrip("/").rsplit("/", 1)[-1] or None)
    if kind == "item":
        item = body.get("id")
        return Truth("success", item if isinstance(item, str) else None)
    status = body.get(spec.status_field)
    if kind == "status" and isinstance(status, str) and status in spec.terminal:
        return Truth(spec.outcome(status), resource)
    return Truth("unknown")


@dataclass(frozen=True)
class Case:
    """One scenario played to one client: the truth, what the client concluded (``None``:
    nothing), how it ended (``fate``), its traffic's grade and, for a failing case, why and
    the tail of what it printed on standard error."""

    scenario: str
    truth: Truth
    concluded: str | None
    resource: str | None
    fate: Fate
    grade: Grade | None
    seconds: float
    problems: tuple[str, ...] = ()
    stderr_tail: tuple[str, ...] = field(default=(), repr=False)
    url: str | None = None  # the monitor URL it was played on

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "expected": self.truth.outcome,
            "expected_resource": self.truth.resource,
            "concluded": self.concluded,
            "resource": self.resource,
            "fate": self.fate,
            "ok": self.ok,
            "problems": list(self.problems),
            "findings": [f.to_dict() for f in self.grade.findings] if self.grade else [],
            "seconds": round(self.seconds, 3),
            "stderr_tail": list(self.stderr_tail),
            "url": self.url,
        }


def verdict(
    scenario: str,
    known: Truth,
    concluded: str | None,
    resource: str | None = None,
    *,
    grade: Grade | None = None,
    fate: Fate = "concluded",
    seconds: float = 0.0,
    stderr_tail: Sequence[str] = (),
) -> Case:
    """Grade one conclusion against the truth, with the traffic's ``grade``."""
    problems = []
    if fate == "crashed":
        problems.append("the client exited with an error and concluded nothing")
    elif fate == "hung":
        problems.append("the client did not finish within its time limit")
    elif concluded is None:
        problems.append("the client concluded nothing")
    elif not known.accepts(concluded):
        problems.append(f"concluded {concluded!r} where the truth is {known.outcome!r}")
    if resource is not None and known.resource is not None and resource != known.resource:
        problems.append(
            f"named resource {shortened(resource, 60)!r} where the truth is {known.resource!r}"
        )
    if grade is not None:
        problems += [f"{f.id}: {f.message}" for f in grade.findings if f.severity == "error"]
    return Case(
        scenario,
        known,
        concluded,
        resource,
        fate,
        grade,
        seconds,
        tuple(problems),
        tuple(stderr_tail),
    )


def parse_conclusion(output: str) -> tuple[str | None, str | None]:
    """A client's conclusion from its standard output: the last non-empty line, an outcome
    (:data:`CONCLUSIONS`) and optionally a space and the resource id; ``(None, None)`` when
    that line is no conclusion.

    >>> parse_conclusion("polling...\\nsuccess 01NEWITEM\\n"), parse_conclusion("boom")
    (('success', '01NEWITEM'), (None, None))
    """
    lines = [ln.strip() for ln in output.splitlines() if ln.strip()]
    if not lines:
        return None, None
    outcome, _, rest = lines[-1].partition(" ")
    if outcome not in CONCLUSIONS:
        return None, None
    return outcome, rest.strip() or None


_Reading = tuple[str | None, str | None, Fate, tuple[str, ...]]
"""What one run of a client gave: its conclusion, the resource it named, its fate, the tail of
what it said on standard error (or its exception)."""


def run_command(
    server: MonitorServer,
    scenarios: Mapping[str, Scenario],
    command: Sequence[str],
    *,
    timeout: float = 30.0,
    env: Mapping[str, str] | None = None,
) -> list[Case]:
    """Play each scenario to a fresh process of ``command`` (``{url}`` in an argument is the
    monitor URL; ``JOBSTATE_MONITOR_URL`` in its environment too), one at a time, each
    within ``timeout`` seconds."""

    def one(url: str) -> _Reading:
        args = [a.replace("{url}", url) for a in command]
        run_env = {**os.environ, **(env or {}), "JOBSTATE_MONITOR_URL": url}
        fate, out, err = _run(args, timeout, run_env)
        concluded, resource = parse_conclusion(out) if fate != "hung" else (None, None)
        if concluded is not None:
            fate = "concluded"  # what it said counts, whatever its exit code
        elif fate == "concluded":
            fate = "silent"  # exit 0, and no conclusion on its last line
        return concluded, resource, fate, _tail(err)

    return _play(server, scenarios, one)


def _run(args: Sequence[str], timeout: float, env: Mapping[str, str]) -> tuple[Fate, str, str]:
    """Run one client process in a session of its own (so that a timeout kills its
    children too); its fate and the ends of its output."""
    try:
        proc = subprocess.Popen(
            list(args),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=dict(env),
            start_new_session=True,
        )
    except OSError as exc:
        return "crashed", "", f"cannot start {shortened(args[0], 80)}: {exc}"
    outputs: dict[str, bytes] = {}
    readers = [
        threading.Thread(target=_drain, args=(proc.stdout, outputs, "out"), daemon=True),
        threading.Thread(target=_drain, args=(proc.stderr, outputs, "err"), daemon=True),
    ]
    for r in readers:
        r.start()
    try:
        code = proc.wait(timeout)
    except subprocess.TimeoutExpired:
        _kill(proc)
        code = None
    for r in readers:
        r.join(5)
    out = outputs.get("out", b"").decode("utf-8", "replace")
    err = outputs.get("err", b"").decode("utf-8", "replace")
    if code is None:
        return "hung", out, err
    return ("concluded" if code == 0 else "crashed"), out, err


def _drain(stream: Any, into: dict[str, bytes], key: str) -> None:
    """Read a pipe to its end, keeping its last :data:`_OUTPUT_BYTES` bytes (trimmed once the
    buffer holds twice that: linear in the output, where trimming at each read copied up to
    the whole kept tail per read)."""
    kept = bytearray()
    for chunk in iter(lambda: stream.read(65536), b""):
        kept += chunk
        if len(kept) > 2 * _OUTPUT_BYTES:
            del kept[:-_OUTPUT_BYTES]
    into[key] = bytes(kept[-_OUTPUT_BYTES:])


def _kill(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):  # it may have just ended
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def _tail(text: str) -> tuple[str, ...]:
    lines = [ln for ln in text.splitlines() if ln.strip()]
    return tuple(shortened(ln, 200) for ln in lines[-_TAIL_LINES:])


def run_poller(
    server: MonitorServer,
    scenarios: Mapping[str, Scenario],
    poller: Callable[[str], object],
    *,
    timeout: float = 30.0,
) -> list[Case]:
    """Play each scenario to ``poller(url)``, which returns its conclusion: an outcome, or
    ``(outcome, resource_id)``. An exception is its crash (type and message kept); a call
    that outlives ``timeout`` is left running on its daemon thread and counted as hung."""

    def one(url: str) -> _Reading:
        result: list[object] = []
        failure: list[BaseException] = []
        worker = threading.Thread(target=_call, args=(poller, url, result, failure), daemon=True)
        worker.start()
        worker.join(timeout)
        return _reading(worker.is_alive(), result, failure)

    return _play(server, scenarios, one)


def _play(
    server: MonitorServer, scenarios: Mapping[str, Scenario], one: Callable[[str], _Reading]
) -> list[Case]:
    """Each scenario played on a monitor of its own to ``one`` (a run of the client), timed,
    and graded with the traffic the server saw."""
    cases = []
    for name, scenario in scenarios.items():
        url = server.play(name)
        started = time.monotonic()
        concluded, resource, fate, tail = one(url)
        case = verdict(
            name,
            truth(scenario),
            concluded,
            resource,
            grade=server.grade(url),
            fate=fate,
            seconds=time.monotonic() - started,
            stderr_tail=tail,
        )
        cases.append(replace(case, url=url))
    return cases


def _call(
    poller: Callable[[str], object], url: str, result: list[object], failure: list[BaseException]
) -> None:
    try:
        result.append(poller(url))
    except BaseException as exc:  # any exception is the client's crash
        failure.append(exc)


def _reading(
    alive: bool, result: list[object], failure: list[BaseException]
) -> tuple[str | None, str | None, Fate, tuple[str, ...]]:
    """A poller function's conclusion, fate and, for a crash, its exception."""
    if alive:
        return None, None, "hung", ()
    if failure:
        exc = failure[0]
        return None, None, "crashed", (shortened(f"{type(exc).__name__}: {exc}", 200),)
    value = result[0] if result else None
    resource = None
    if isinstance(value, tuple) and len(value) == 2:
        value, resource = value
    outcome = _text(value)
    return outcome, _text(resource), "concluded" if outcome is not None else "silent", ()


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def table_lines(cases: Iterable[Case]) -> list[str]:
    """The conformance table as text: one row per case, a failing case's problems and the
    tail of its standard error under it, then the count."""
    cases = list(cases)
    rows = [("scenario", "expected", "concluded", "traffic", "verdict")]
    for c in cases:
        findings = ", ".join(f.id for f in c.grade.findings) if c.grade else ""
        concluded = (c.concluded or f"({c.fate})") + (f" {c.resource}" if c.resource else "")
        expected = c.truth.outcome + (f" {c.truth.resource}" if c.truth.resource else "")
        verdict_text = "ok" if c.ok else "FAIL"
        rows.append((c.scenario, expected, shortened(concluded, 60), findings or "-", verdict_text))
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    out = []
    for i, row in enumerate(rows):
        out.append("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
        case = cases[i - 1] if i else None
        if case is not None and not case.ok:
            out += [f"    - {shortened(p, 200)}" for p in case.problems]
            out += [f"    | {ln}" for ln in case.stderr_tail]
    failed = sum(not c.ok for c in cases)
    out.append(f"{len(cases)} cases: {len(cases) - failed} passed, {failed} failing")
    return out
