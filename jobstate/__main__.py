"""``python -m jobstate``: the command line."""

from jobstate.cli import main

main(prog_name="jobstate")
