"""③ The engine: four readings of one semantics, side by side.

``rules`` (each rule's logic, once) → ``tables`` (compiled from the spec's machine) →
``checker`` (the general path) and ``validator`` (the fast screen, then the checker), with
``stream`` (numpy batches of many interleaved jobs) and ``reference`` (the ``transitions``
replay, the oracle the tests hold the others to).
"""

from __future__ import annotations

from jobstate.validation.rules import RULES, Rule, unknown_status_message
from jobstate.validation.tables import Tables
from jobstate.validation.validator import Validator, validate

__all__ = ["RULES", "Rule", "Tables", "Validator", "unknown_status_message", "validate"]
