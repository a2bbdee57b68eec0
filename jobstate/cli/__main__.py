"""``python -m jobstate.cli``: the command line."""

from jobstate.cli import run

run()
