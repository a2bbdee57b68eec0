"""Every error jobstate raises on purpose derives from :class:`JobstateError`::

    JobstateError
    ├── SpecError (ValueError)         a spec that cannot describe a lifecycle, an unknown spec
    ├── OptionError (ValueError)       an argument outside its choices (a mode, a rule id)
    ├── ClientModelError (ValueError)  a client model that does not hold together, a bad file
    ├── InputError                     an input that cannot be used at all
    ├── DiagramError                   a diagram that cannot be produced here (missing binary)
    └── PollsForever (AssertionError)  a poller kept polling after the end (jobstate.testing)

``except jobstate.JobstateError`` catches them all; the ``ValueError`` and ``AssertionError``
bases keep code written against earlier releases working.
"""

from __future__ import annotations

__all__ = [
    "ClientModelError",
    "DiagramError",
    "InputError",
    "JobstateError",
    "MonitorError",
    "OptionError",
    "PollsForever",
    "SpecError",
]


class JobstateError(Exception):
    """The base of every error jobstate raises on purpose."""


class SpecError(JobstateError, ValueError):
    """A specification that cannot describe a lifecycle (unknown state, dead end, ...).

    ``state`` and ``edge`` name what the problem is about, where one thing is (a spec file's
    reader places the message at it)."""

    def __init__(
        self, message: str, *, state: str | None = None, edge: tuple[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.state = state
        self.edge = edge


class OptionError(JobstateError, ValueError):
    """An argument outside its choices: an unknown mode, rule id or outcome."""


class ClientModelError(JobstateError, ValueError):
    """A client model that does not hold together, or a model file that cannot be read."""


class InputError(JobstateError):
    """An input that cannot be used: missing, a directory, not the format it claims, corrupt."""


class DiagramError(JobstateError):
    """A diagram that cannot be produced here (a missing binary or package), with a hint."""


class PollsForever(JobstateError, AssertionError):
    """The poller kept polling long after the monitor answered a terminal status."""


class MonitorError(JobstateError):
    """A monitor that cannot be read to an end (:func:`jobstate.monitor.wait`): too many error
    answers in a row, the monitor gone before any terminal status, or an answer no retry fixes."""
