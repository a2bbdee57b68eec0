"""Tests of jobstate.clients and jobstate.packs.graph.profiles."""
