"""The refusal codes the matching app raises, one name each (ADR 0750)."""

DUPLICATE = "duplicate"
