"""Tests of jobstate (the layout mirrors the package)."""
