"""What a spec says beyond its graph: its unknown-value policy (``[unknown]`` of a spec file)
and its own words for the rules (``[rules.ID]``), both read with the spec and checked there.

>>> Unknown()
Unknown(value='notInThisSpec', severity='error', client='poll')
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from jobstate._constants import BEHAVIOUR_IDS, RULE_IDS, Severity
from jobstate.exceptions import SpecError

__all__ = [
    "CLIENT_EXPECTS",
    "RULE_TEXT_KEYS",
    "SEVERITIES",
    "ClientExpects",
    "Unknown",
    "check_texts",
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

    def check(self, spec: str, states: Mapping[str, object]) -> None:
        """Raise :class:`SpecError` for a policy ``spec`` cannot have."""
        where = f"spec {spec!r}: the unknown-value policy"
        if not isinstance(self.value, str) or not self.value:
            raise SpecError(f"{where}: its value must be non-empty text")
        if self.value in states:
            raise SpecError(f"{where}: its value {self.value!r} is a state of the spec")
        if self.severity not in SEVERITIES:
            raise SpecError(f"{where}: severity {self.severity!r} is not one of error, warning")
        if self.client not in CLIENT_EXPECTS:
            raise SpecError(f"{where}: client {self.client!r} is not one of poll, failure")

    def to_dict(self) -> dict[str, str]:
        """What differs from the default policy (the ``[unknown]`` table)."""
        default = Unknown()
        return {
            key: getattr(self, key)
            for key in ("value", "severity", "client")
            if getattr(self, key) != getattr(default, key)
        }


def check_texts(spec: str, texts: Mapping[str, Mapping[str, str]]) -> None:
    """Raise :class:`SpecError` unless ``texts`` names known rule or finding ids, each with a
    non-empty summary and/or rationale."""
    known = (*RULE_IDS, *BEHAVIOUR_IDS)
    for rule, said in texts.items():
        where = f"spec {spec!r}: rules.{rule}"
        if rule not in known:
            raise SpecError(f"{where}: no rule or finding has this id; ids: {', '.join(known)}")
        if not said or any(k not in RULE_TEXT_KEYS for k in said):
            raise SpecError(f"{where}: says a summary and/or a rationale, and nothing else")
        if not all(isinstance(v, str) and v.strip() for v in said.values()):
            raise SpecError(f"{where}: its summary and rationale must be non-empty text")
