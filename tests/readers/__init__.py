"""Tests of jobstate.readers: every format on real files."""
