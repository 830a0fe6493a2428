"""The refusal codes the accounts app raises, one name each (ADR 0750)."""

ALREADY_REVOKED = "already_revoked"
