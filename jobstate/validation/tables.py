"""The tables every validation path reads, compiled once per spec and mode from the spec's
machine (through its derived graph facts): which changes are legal and how (stutter, edge, gap),
what each status ends a job with, which statuses reset progress.

>>> t = Tables.compile(get_spec("current"), "sampled")
>>> t.kind[("inProgress", "cancelled")] == GAP, t.allowed["cancelPending"]
(True, ('cancelled',))
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from jobstate._constants import MODES, Mode, Outcome, Severity
from jobstate.exceptions import OptionError
from jobstate.spec import Spec, get_spec
from jobstate.spec.model import Progress
from jobstate.validation.rules import completion_body, severities, unknown_status_message

__all__ = ["EDGE", "GAP", "STUTTER", "Tables", "check_mode"]

STUTTER, EDGE, GAP = 0, 1, 2
"""The kinds of a legal change, as ``Tables.kind`` codes them."""


def check_mode(mode: str) -> Mode:
    """``mode`` if it is a validation mode, else :class:`~jobstate.OptionError`."""
    if mode not in MODES:
        raise OptionError(f"unknown mode {mode!r}; expected one of {', '.join(MODES)}")
    return mode


@dataclass(frozen=True, eq=False)
class Tables:
    """Validation tables for one spec and mode.

    - ``kind[(a, b)]``: ``STUTTER``, ``EDGE`` or ``GAP`` for every legal change ``a -> b``;
    - ``allowed[a]``: the statuses a change from ``a`` may reach (spec order);
    - ``rows[a]``: the row of ``a``, where ``rows[a][b]`` is the row of ``b``, present iff
      ``a -> b`` is legal; ``rows`` itself is the start row (a job may start anywhere);
    - ``outcome``, ``terminal``, ``success``, ``resets``: per-status facts of the spec;
    - ``status_field``, ``progress``: where a body holds its status, and its progress field
      and range (``None``: the bodies carry none); ``reset_names``: ``resets`` in spec order;
    - ``completion``: the body a completion without a status body reads as; ``severity``:
      each rule's severity under the spec (its unknown-value policy's for ``unknown-status``).
    """

    spec: Spec
    mode: Mode
    kind: dict[tuple[str, str], int]
    allowed: dict[str, tuple[str, ...]]
    rows: dict[str, dict[str, Any]]
    outcome: dict[str, Outcome]
    terminal: frozenset[str]
    success: frozenset[str]
    resets: frozenset[str]
    status_field: str
    progress: Progress | None
    reset_names: tuple[str, ...]
    bounds: tuple[str | None, float, float]  # the fast screen's progress field, low, high
    completion: dict[str, str]  # what a completion without a status body reads as
    severity: dict[str, Severity]  # each rule's, under the spec
    _hints: dict[str, str] = field(default_factory=dict, repr=False)

    @classmethod
    def compile(cls, spec: str | Spec, mode: str) -> Tables:
        sp = get_spec(spec)
        checked = check_mode(mode)
        allowed: dict[str, tuple[str, ...]] = {}
        for s in sp.names:
            reach = sp.successors[s] if checked == "step" else sp.reachable(s)
            allowed[s] = tuple(n for n in sp.names if n in reach)
        kind: dict[tuple[str, str], int] = {}
        for a in sp.names:
            kind[(a, a)] = STUTTER
            for b in allowed[a]:
                kind[(a, b)] = EDGE if b in sp.successors[a] else GAP
        rows: dict[str, dict[str, Any]] = {s: {} for s in sp.names}
        for a, b in kind:
            rows[a][b] = rows[b]
        return cls(
            spec=sp,
            mode=checked,
            kind=kind,
            allowed=allowed,
            rows=rows,
            outcome={s: sp.outcome(s) for s in sp.names},
            terminal=sp.terminal,
            success=frozenset(s for s in sp.names if sp.outcome(s) == "success"),
            resets=sp.resets,
            status_field=sp.status_field,
            progress=sp.progress,
            reset_names=tuple(s for s in sp.names if s in sp.resets),
            # no progress field: a key no JSON object has, so every value reads as absent
            bounds=(p.field, p.low, p.high) if (p := sp.progress) is not None else (None, 0, 0),
            completion=completion_body(sp),
            severity=severities(sp),
        )

    def unknown_message(self, status: str) -> str:
        """The ``unknown-status`` message for ``status`` (computed once per value)."""
        msg = self._hints.get(status)
        if msg is None:
            msg = unknown_status_message(status, self.spec)
            if len(status) <= 200 and len(self._hints) < 10_000:  # memory bounded by values
                self._hints[status] = msg
        return msg
