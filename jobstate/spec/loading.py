"""A spec anyone can write: loaded from a TOML or JSON file, a Python mapping, or by name.

The file says what :class:`~jobstate.spec.model.Spec` holds, and nothing is derived twice: the
machine, its successors and its terminal set are built from it as for the built-in specs.

.. code-block:: toml

    name = "print-job"
    description = "An IPP print job (RFC 8011 §5.3.7)"
    lifecycle = "IPP job"      # optional: what the lifecycle is of, for titles

    [body]                     # optional: the shape of the bodies
    status = "job-state"       # the field of the status (default: status)
    progress = "done"          # the field of a progress number, if they carry one
    progress_range = [0, 1]    # its lowest and highest values (default: [0, 100])
    result = ["job-id"]        # the fields that name the job's result, kept in reports

    [unknown]                  # optional: the unknown-value policy
    value = "notInThisSpec"    # stands for a value the spec does not list (tests, scenarios)
    severity = "error"         # unknown-status's severity: error | warning
    client = "poll"            # what a client does on one: poll (on) | failure (gives up)

    [rules.stalled]            # optional: a rule's or finding's words in this spec
    rationale = "our runbook gives a job five minutes"

    [[provenances]]            # optional: the kinds, strongest first (default: card, doc, inferred)
    kind = "rfc"
    meaning = "RFC 8011's job state model"

    [[states]]
    name = "pending"
    class = "initial"          # initial | active | terminal
    provenance = "rfc"
    rationale = "'The job is a candidate to start processing, but is not yet processing.'"

    [[states]]
    name = "completed"
    class = "terminal"
    outcome = "success"        # terminal states: success | failure | cancelled
    provenance = "rfc"
    rationale = "..."

    [[edges]]
    source = "pending"
    dest = "completed"
    provenance = "rfc"
    rationale = "..."

A state may say ``resets_progress = true`` (progress may start again lower after it). What
``jobstate spec --format json`` prints is a spec file too: its ``initial`` and ``terminal`` are
checked against the ones derived from the machine, and its ``protocol`` is left aside. Every
problem is a :class:`~jobstate.exceptions.SpecError` naming the file, the place in it (the line
of a TOML table, and its key path: ``edges[3].dest``) and the problem.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from jobstate._constants import SPEC_NAMES
from jobstate._words import shortened
from jobstate.exceptions import SpecError
from jobstate.spec.builtin import get_spec
from jobstate.spec.model import Spec
from jobstate.spec.reading import SpecReader, spec_from_mapping

__all__ = ["SPEC_SUFFIXES", "load_spec", "spec_from_mapping"]

SPEC_SUFFIXES = (".toml", ".json")
"""The file types a spec is read from."""

_MAX_BYTES = 4 * 1024 * 1024  # a spec is a few kilobytes; refuse to read a disk image as one


def load_spec(source: str | os.PathLike[str] | Mapping[str, Any] | Spec) -> Spec:
    """A spec from a built-in name (``current``, ``legacy``, ``any``), a ``.toml`` or ``.json``
    file, a mapping of the same shape, or a :class:`Spec` (returned as it is).

    >>> load_spec("current").name
    'current'
    >>> load_spec({"name": "tiny", "states": [
    ...     {"name": "a", "class": "initial", "provenance": "doc", "rationale": "starts"},
    ...     {"name": "b", "class": "terminal", "outcome": "success", "provenance": "doc",
    ...      "rationale": "ends"}],
    ...     "edges": [{"source": "a", "dest": "b", "provenance": "doc", "rationale": "runs"}]})
    <Spec 'tiny': 2 states, 1 edges>
    """
    if isinstance(source, Spec):
        return source
    if isinstance(source, Mapping):
        return spec_from_mapping(source)
    text = os.fspath(source)
    if text in SPEC_NAMES:
        return get_spec(text)
    if not text.lower().endswith(SPEC_SUFFIXES) and not os.path.exists(text):
        raise SpecError(
            f"unknown spec {shortened(text, 80)}: neither a built-in spec"
            f" ({', '.join(SPEC_NAMES)}) nor a .toml or .json file"
        )
    return _from_file(text)


def _from_file(path: str) -> Spec:
    from jobstate._toml import read_small_file

    where = shortened(path, 200)
    try:
        raw = read_small_file(path, _MAX_BYTES, "spec")
    except ValueError as exc:
        raise SpecError(f"{where}: {exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SpecError(f"{where}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    data = _parse(where, text, toml=path.lower().endswith(".toml"))
    if not isinstance(data, Mapping):
        raise SpecError(f"{where}: a spec file holds one table (object), not {type(data).__name__}")
    stem = os.path.splitext(os.path.basename(path))[0]
    reader = SpecReader(where, text if path.lower().endswith(".toml") else None)
    return reader.spec({"name": stem, **data})


def _parse(where: str, text: str, *, toml: bool) -> Any:
    from jobstate._toml import load_document

    try:
        return load_document(text, toml=toml)
    except ValueError as exc:
        raise SpecError(f"{where}: {exc}") from None
