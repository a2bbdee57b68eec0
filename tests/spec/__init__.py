"""Tests of jobstate.spec: the model and the built-in specs."""
