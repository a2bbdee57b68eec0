"""What a client model concludes on each of the monitor's scenarios: the model played against
the scenario's answers poll by poll, as the emulator serves them (the end repeated, a 404 once
an expiring monitor has answered its end). The interop tests hold each real client's profile
to this prediction: the client, run against the emulator, must conclude what its profile says.
"""

from __future__ import annotations

from typing import Literal

from jobstate.client_model import ClientModel
from jobstate.packs.graph.client_protocol import on_answer
from jobstate.spec.scenarios import Scenario

__all__ = ["Prediction", "predict"]

Prediction = Literal["success", "failure", "cancelled", "crash", "polls"]
"""An outcome the client concludes, ``crash`` (it raises or dies), or ``polls``: it never
decides, and polls until its own timeout or forever (it concludes nothing)."""

_DECIDES: dict[str, Prediction] = {
    "success": "success",
    "failure": "failure",
    "cancelled": "cancelled",
    "crash": "crash",
}
_PAST_END = 3  # polls of the repeated end (or the expiry after it) that show a client polls on


def predict(model: ClientModel, scenario: Scenario) -> Prediction:
    """What ``model`` does on ``scenario``: the first answer it acts on decides.

    >>> from jobstate.packs.graph.profiles import PROFILES
    >>> from jobstate.packs.graph.scenarios import SCENARIOS
    >>> rclone = PROFILES["rclone"]
    >>> [predict(rclone, SCENARIOS[n]) for n in ("completed", "failed", "cancelled")]
    ['success', 'failure', 'polls']
    >>> predict(PROFILES["fs-onedrivefs"], SCENARIOS["completed-303"])
    'crash'
    """
    end = len(scenario.answers)
    for poll in range(1, end + (scenario.expire_after or 0) + _PAST_END + 1):
        answer = scenario.answer(poll, max(poll - end, 0))
        does = _DECIDES.get(on_answer(model, answer.http, answer.body))
        if does is not None:
            return does
    return "polls"
