"""The refusal codes the weather app raises, one name each (ADR 0750)."""

NOTICE_NOT_ACTIVE = "notice_not_active"
