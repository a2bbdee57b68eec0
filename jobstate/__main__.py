"""``python -m jobstate``: the command line."""

from jobstate.cli import run

run()
