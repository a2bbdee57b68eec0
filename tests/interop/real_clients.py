"""Real clients of the monitor, run through ``jobstate conform``'s runner against the emulator,
and the conformance table of what they did (the README carries it, like Autobahn's published
client reports). ``python -m tests.interop.real_clients --write`` runs them all and rewrites
the README's table; the interop tests check that table against a fresh run.

Each client runs as a process of its own per scenario: rclone (Go, Debian's package) through
``rclone_client.py``, the Python ones through ``pollers.py``. rclone and fs-onedrivefs start
with a copy request, answered by a fake Graph API in mitmproxy (``fake_graph.py``).
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from jobstate import MonitorServer
from jobstate.conform import Case, run_command
from jobstate.packs.graph.prediction import Prediction
from jobstate.packs.graph.scenarios import SCENARIOS

HERE = Path(__file__).parent
README = HERE.parent.parent / "README.md"
START, END = "<!-- real-clients: start -->\n", "<!-- real-clients: end -->\n"
PAST_END = frozenset({"polled-after-terminal", "repolled-redirect"})
_OUTCOMES: dict[str, Prediction] = {
    "success": "success",
    "failure": "failure",
    "cancelled": "cancelled",
}


@dataclass(frozen=True)
class RealClient:
    """A real client: its name, its profile in the Graph pack, where it comes from (a PyPI
    distribution, or a Debian package's command), how it runs per case (``{url}``: the
    monitor URL), the runner's time limit per case, and whether it needs the fake Graph API."""

    name: str
    profile: str
    source: str
    command: tuple[str, ...]
    timeout: float
    fake_graph: bool = False
    label: str = ""  # its column's head, when shorter than its name

    def __post_init__(self) -> None:
        if not self.label:
            object.__setattr__(self, "label", self.name)

    def version(self) -> str | None:
        """The installed version, or ``None`` when the client is not installed here."""
        if self.source == "debian":
            if shutil.which(self.name) is None:
                return None
            out = subprocess.run([self.name, "version"], capture_output=True, text=True)
            found = re.search(r"v(\d+\.\d+\.\d+)", out.stdout)
            return found.group(1) if found else "?"
        try:
            return importlib.metadata.version(self.source)
        except importlib.metadata.PackageNotFoundError:
            return None


def _poller(name: str) -> tuple[str, ...]:
    return (sys.executable, str(HERE / "pollers.py"), name, "{url}")


CLIENTS: tuple[RealClient, ...] = (
    RealClient(
        "rclone",
        "rclone",
        "debian",
        (sys.executable, str(HERE / "rclone_client.py"), "{url}"),
        20.0,
        fake_graph=True,
    ),
    RealClient("python-o365", "python-o365", "O365", _poller("python-o365"), 4.0),
    RealClient("onedrivesdk", "onedrive-sdk-python", "onedrivesdk", _poller("onedrivesdk"), 4.0),
    RealClient(
        "office365-rest-python-client",
        "office365-rest-python-client",
        "Office365-REST-Python-Client",
        _poller("office365-rest-python-client"),
        4.0,
        label="office365-rest",
    ),
    RealClient(
        "fs-onedrivefs",
        "fs-onedrivefs",
        "fs.onedrivefs",
        _poller("fs-onedrivefs"),
        4.0,
        fake_graph=True,
    ),
)


def mitmdump() -> str | None:
    """mitmproxy's ``mitmdump``, from ``JOBSTATE_MITMDUMP`` or the PATH (it lives in a venv of
    its own: its pins do not mix with the project's)."""
    return os.environ.get("JOBSTATE_MITMDUMP") or shutil.which("mitmdump")


@contextlib.contextmanager
def fake_graph(command: str, *, start_within: float = 30.0) -> Iterator[str]:
    """Run the fake Graph API on a free loopback port for the block; yields the value of
    ``JOBSTATE_FAKE_GRAPH``: the proxy's URL and its CA file. Stopped on the way out."""
    with tempfile.TemporaryDirectory(prefix="jobstate-fake-graph-") as confdir:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        args = [command, "--listen-host", "127.0.0.1", "--listen-port", str(port)]
        args += ["--set", f"confdir={confdir}", "--set", "connection_strategy=lazy"]
        args += ["--quiet", "-s", str(HERE / "fake_graph.py")]
        proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            ca_file = Path(confdir) / "mitmproxy-ca-cert.pem"
            deadline = time.monotonic() + start_within
            while not (ca_file.exists() and _listening(port)):
                if proc.poll() is not None or time.monotonic() > deadline:
                    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
                    raise RuntimeError(f"mitmdump did not start: {err[-2000:]}")
                time.sleep(0.1)
            yield f"http://127.0.0.1:{port} {ca_file}"
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def play(client: RealClient, fake: str | None, names: Sequence[str] = ()) -> list[Case]:
    """Every scenario (or those named) played to ``client`` on a fresh emulator, a fresh
    process and monitor per case."""
    chosen = {n: s for n, s in SCENARIOS.items() if not names or n in names}
    env = {"JOBSTATE_FAKE_GRAPH": fake} if fake else {}
    with MonitorServer(idle=0.3, max_polls=1000) as server:
        return run_command(server, chosen, client.command, timeout=client.timeout, env=env)


def observed(case: Case) -> Prediction:
    """What a case shows the client did, in a prediction's terms: the outcome it concluded;
    ``polls`` when it concluded nothing and polled past the end; ``crash`` when it stopped
    with no conclusion and no poll past the end."""
    if case.concluded is not None and case.fate == "concluded":
        return _OUTCOMES.get(case.concluded, "crash")
    ids = {f.id for f in case.grade.findings} if case.grade else set()
    return "polls" if ids & PAST_END else "crash"


def cell(case: Case) -> str:
    """A table cell: ``ok``, or what went wrong, in words that do not depend on timing (how
    long a client that never decides took to be stopped): ``✗ polls on`` (no conclusion, polls
    past the end), ``✗ dies`` (no conclusion, no poll past the end), ``✗ says OUTCOME``."""
    if case.ok:
        return "ok"
    seen = observed(case)
    return "✗ " + {"polls": "polls on", "crash": "dies"}.get(seen, f"says {seen}")


def table(results: dict[RealClient, list[Case]]) -> str:
    """The Markdown table: a row per scenario, a column per client (name and version)."""
    clients = list(results)
    head = ["scenario"] + [f"{c.label} {c.version()}" for c in clients]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name in SCENARIOS:
        row = [name]
        for c in clients:
            found = [case for case in results[c] if case.scenario == name]
            row.append(cell(found[0]) if found else "-")
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines) + "\n"


def readme_table() -> str:
    """The table the README carries now."""
    text = README.read_text(encoding="utf-8")
    return text.split(START, 1)[1].split(END, 1)[0]


def write_readme(new: str) -> None:
    text = README.read_text(encoding="utf-8")
    head, rest = text.split(START, 1)
    README.write_text(head + START + new + END + rest.split(END, 1)[1], encoding="utf-8")


def run_all() -> dict[RealClient, list[Case]]:
    """Every client, every scenario (the fake Graph API started once, for those needing it)."""
    missing = [c.name for c in CLIENTS if c.version() is None]
    command = mitmdump()
    if missing or command is None:
        raise SystemExit(f"not installed: {', '.join(missing + ['mitmdump'] * (not command))}")
    with fake_graph(command) as fake:
        return {c: play(c, fake if c.fake_graph else None) for c in CLIENTS}


def main(argv: Sequence[str]) -> int:
    results = run_all()
    new = table(results)
    print(new, end="")
    if "--write" in argv:
        write_readme(new)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
