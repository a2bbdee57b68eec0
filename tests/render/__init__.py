"""Tests of jobstate.render, in process (no subprocess)."""
