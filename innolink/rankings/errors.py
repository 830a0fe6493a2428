"""The refusal codes the rankings app raises, one name each (ADR 0750).

The ranking engine's own codes (``ranking.unknown_indicator`` ...) live on
``innolink.engines.ranking.RankingError``; ``services.ranking_error`` passes them on."""

ALREADY_ANSWERED = "already_answered"
BAD_TRANSITION = "bad_transition"
DECLARATION_LOCKED = "declaration_locked"
NOT_IN_NOTICE = "not_in_notice"
NOT_IN_REVIEW = "not_in_review"
NOT_PUBLISHED = "not_published"
NOT_SUBMITTED = "not_submitted"
OBJECTIONS_OPEN = "objections_open"
REVIEW_NOT_NEEDED = "review_not_needed"
REVIEWS_PENDING = "reviews_pending"
YEAR_ALREADY_PUBLIC = "year_already_public"
