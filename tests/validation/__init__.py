"""Tests of jobstate.validation: rules, the validator, the stream."""
