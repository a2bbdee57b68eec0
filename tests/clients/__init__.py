"""Tests of jobstate.clients and jobstate.profiles."""
