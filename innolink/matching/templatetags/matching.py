"""``{% load matching %}{% challenge_recommendations challenge %}`` and
``{% researcher_recommendations profile %}``: self-contained blocks the challenge pages and the
researcher workspace include. They render nothing when the user may not see them or when there
is nothing to recommend."""

from __future__ import annotations

from django import template

from innolink.matching import access, selectors

register = template.Library()


@register.inclusion_tag("matching/_challenge_recommendations.html", takes_context=True)
def challenge_recommendations(context, challenge, k: int = 5):
    user = context.get("user") or getattr(context.get("request"), "user", None)
    recs = []
    if challenge is not None and user is not None and \
            access.may_see_challenge_matches(user, challenge):
        recs = selectors.recommend_researchers(challenge, k)
    return {"challenge": challenge, "recommendations": recs, "user": user}


@register.inclusion_tag("matching/_researcher_recommendations.html", takes_context=True)
def researcher_recommendations(context, profile, k: int = 5):
    user = context.get("user") or getattr(context.get("request"), "user", None)
    recs = []
    if profile is not None and user is not None and \
            access.may_see_researcher_matches(user, profile):
        recs = selectors.recommend_challenges(profile, k)
    return {"profile": profile, "recommendations": recs, "user": user}
