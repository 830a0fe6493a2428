"""Policies app (Django). The rules engine reads rulesets/ here; see innolink/engines/rules."""
