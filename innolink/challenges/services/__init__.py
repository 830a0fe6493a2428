"""Every write of the challenge board, by entity. Each function is one transaction, audits
what it changes and notifies those concerned (notification rows in the same transaction,
outside channels on commit). State changes go through ``lifecycle.TRANSITIONS`` only.

- ``challenges``: a challenge's life (create, edit, screening, publish, withdraw, expire, the
  contract and its milestones, acceptance, close);
- ``proposals``: claims of a challenge (揭榜) and the staff's choice among them;
- ``offers``: technology offers, the interest of enterprises and their conversations;
- ``researchers``: a researcher's profile and the roster import;
- ``programmes``: the programmes (赛事) a challenge belongs to;
- ``attachments``: files attached to a challenge, a proposal or an offer.

Callers import from ``innolink.challenges.services``; the names below are its public surface.
"""

from innolink.challenges.services._common import OFFER_STEP_CONTEXT, STEP_CONTEXT, WAN, step_label
from innolink.challenges.services.attachments import attachment_add
from innolink.challenges.services.challenges import (
    CHALLENGE_FIELDS,
    INDICATOR_FIELDS,
    SCREENING_STATES,
    challenge_accept,
    challenge_close,
    challenge_contract,
    challenge_create,
    challenge_expire,
    challenge_publish,
    challenge_reject,
    challenge_return,
    challenge_set_domains,
    challenge_submit,
    challenge_update,
    challenge_waive_check,
    challenge_withdraw,
    challenges_expire_due,
    issuer_get_or_create,
    milestone_complete,
    suggest_domain,
)
from innolink.challenges.services.offers import (
    OFFER_TRANSITIONS,
    conversation_message_add,
    interest_sides,
    offer_close,
    offer_create,
    offer_interest_create,
    offer_publish,
    offer_reject,
    offer_return,
    offer_step_label,
    offer_submit,
    offer_update,
    offer_withdraw,
)
from innolink.challenges.services.programmes import PROGRAMME_FIELDS, programme_save
from innolink.challenges.services.proposals import (
    claim_refusal,
    proposal_create,
    proposal_decline,
    proposal_match,
    proposal_shortlist,
    proposal_withdraw,
)
from innolink.challenges.services.researchers import (
    IMPORT_MAX_BYTES,
    IMPORT_MAX_ROWS,
    IMPORT_PREVIEW_ROWS,
    IMPORT_SYNC_CHECK_MAX_BYTES,
    RESEARCHER_IMPORT_KIND,
    researcher_import,
    researcher_import_check_is_quick,
    researcher_import_commit,
    researcher_import_now_or_later,
    researcher_import_start,
    researcher_profile_save,
    validation_profile_fields,
)

__all__ = [
    "CHALLENGE_FIELDS", "IMPORT_MAX_BYTES", "IMPORT_MAX_ROWS", "IMPORT_PREVIEW_ROWS",
    "IMPORT_SYNC_CHECK_MAX_BYTES", "INDICATOR_FIELDS", "OFFER_STEP_CONTEXT", "OFFER_TRANSITIONS",
    "PROGRAMME_FIELDS", "RESEARCHER_IMPORT_KIND", "SCREENING_STATES", "STEP_CONTEXT", "WAN",
    "attachment_add", "challenge_accept", "challenge_close", "challenge_contract",
    "challenge_create", "challenge_expire", "challenge_publish", "challenge_reject",
    "challenge_return", "challenge_set_domains", "challenge_submit", "challenge_update",
    "challenge_waive_check", "challenge_withdraw", "challenges_expire_due", "claim_refusal",
    "conversation_message_add", "interest_sides", "issuer_get_or_create", "milestone_complete",
    "offer_close", "offer_create", "offer_interest_create", "offer_publish", "offer_reject",
    "offer_return", "offer_step_label", "offer_submit", "offer_update", "offer_withdraw",
    "programme_save", "proposal_create", "proposal_decline", "proposal_match", "proposal_shortlist",
    "proposal_withdraw", "researcher_import", "researcher_import_check_is_quick",
    "researcher_import_commit", "researcher_import_now_or_later", "researcher_import_start",
    "researcher_profile_save", "step_label", "suggest_domain", "validation_profile_fields",
]
