"""Signed cooperation projects tracked against their targets and milestones."""
