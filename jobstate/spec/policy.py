"""What a spec says beyond its graph: its unknown-value policy (``[unknown]`` of a spec file)
and its own words for the rules (``[rules.ID]``), both read with the spec and checked there.

>>> Unknown()
Unknown(value='notInThisSpec', severity='error', client='poll')
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, fields
from typing import Literal

from jobstate._constants import BEHAVIOUR_IDS, RULE_IDS, Severity
from jobstate._words import shortened
from jobstate.exceptions import SpecError

__all__ = [
    "CLIENT_EXPECTS",
    "RULE_TEXT_KEYS",
    "SEVERITIES",
    "UNKNOWN_KEYS",
    "ClientExpects",
    "Unknown",
    "check_texts",
    "text_problems",
]

ClientExpects = Literal["poll", "failure"]
CLIENT_EXPECTS: tuple[ClientExpects, ...] = ("poll", "failure")
"""What a correct client does on a status value its spec does not list: ``poll`` on (the service
may have added it, as evolvable enums do), or give the job up as a ``failure``."""
SEVERITIES: tuple[Severity, ...] = ("error", "warning")
RULE_TEXT_KEYS = ("summary", "rationale")
"""What a spec may say of a rule in its own words (``[rules.ID]``)."""


@dataclass(frozen=True)
class Unknown:
    """A spec's unknown-value policy.

    ``value`` stands for a value the spec does not list: the generated scenarios, the traces of
    :func:`jobstate.testing.check_poller` and the client models send it. ``severity`` is the
    severity of ``unknown-status`` in reports. ``client`` is what a correct client does on
    meeting such a value (:data:`CLIENT_EXPECTS`).
    """

    value: str = "notInThisSpec"
    severity: Severity = "error"
    client: ClientExpects = "poll"

    def problems(self, states: Collection[str]) -> Iterator[tuple[str, str]]:
        """Each key of a policy a spec with ``states`` cannot have, with the problem: what the
        model raises (:meth:`check`) and the spec reader places at ``unknown.KEY``."""
        if not isinstance(self.value, str) or not self.value:
            yield "value", "its value must be non-empty text"
        elif self.value in states:
            yield "value", f"its value {_shown(self.value)} is a state of the spec"
        if self.severity not in SEVERITIES:
            yield "severity", f"severity {_shown(self.severity)} is not one of error, warning"
        if self.client not in CLIENT_EXPECTS:
            yield "client", f"client {_shown(self.client)} is not one of poll, failure"

    def check(self, spec: str, states: Collection[str]) -> None:
        """Raise :class:`SpecError` for a policy ``spec`` cannot have."""
        for _, problem in self.problems(states):
            raise SpecError(f"spec {spec!r}: the unknown-value policy: {problem}")

    def to_dict(self) -> dict[str, str]:
        """What differs from the default policy (the ``[unknown]`` table)."""
        default = Unknown()
        return {
            key: getattr(self, key)
            for key in UNKNOWN_KEYS
            if getattr(self, key) != getattr(default, key)
        }


def _shown(value: object) -> str:
    """A value of the spec's file in a message: quoted, inert, shortened (it may be huge)."""
    return shortened(repr(value), 60)


UNKNOWN_KEYS: tuple[str, ...] = tuple(f.name for f in fields(Unknown))
"""The keys of an ``[unknown]`` table: :class:`Unknown`'s fields."""


def text_problems(texts: Mapping[str, Mapping[str, str]]) -> Iterator[tuple[str, str]]:
    """Each rule or finding id of ``texts`` a spec cannot say words for, with the problem (an
    unknown id, no summary or rationale or something else, an empty text): what the model
    raises (:func:`check_texts`) and the spec reader places at ``rules.ID``."""
    known = (*RULE_IDS, *BEHAVIOUR_IDS)
    for rule, said in texts.items():
        if rule not in known:
            yield rule, f"no rule or finding has this id; ids: {', '.join(known)}"
        elif not said or any(k not in RULE_TEXT_KEYS for k in said):
            yield rule, "says a summary and/or a rationale, and nothing else"
        elif not all(isinstance(v, str) and v.strip() for v in said.values()):
            yield rule, "its summary and rationale must be non-empty text"


def check_texts(spec: str, texts: Mapping[str, Mapping[str, str]]) -> None:
    """Raise :class:`SpecError` unless ``texts`` names known rule or finding ids, each with a
    non-empty summary and/or rationale."""
    for rule, problem in text_problems(texts):
        raise SpecError(f"spec {spec!r}: rules.{rule}: {problem}")
