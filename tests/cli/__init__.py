"""Tests of the command line, run in process (tests.clirun), and as a real process where the
process is the point (signals, pipes, memory limits, a full disk)."""
