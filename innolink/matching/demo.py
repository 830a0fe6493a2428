"""Demo records of 精准匹配: a starter technical-term dictionary (terms the demo challenges and
profiles use that jieba would split) and one invitation run over the first published demo
challenges. Deterministic and idempotent: existing terms are kept and the run is made only when
the demo has none."""

from __future__ import annotations

from innolink.accounts.models import User
from innolink.challenges.models import CLAIMABLE_STATES, Challenge
from innolink.matching.models import AssignmentRun, TechTerm
from innolink.matching.services import invitations_assign, techterm_add

TERMS = ("BCB光刻胶", "低介电常数", "超临界发泡", "DIN磨耗", "无盐染色", "再生聚酯",
         "高吸水树脂", "碳化硅功率器件", "锂离子电池", "热失控", "益生菌", "胶原蛋白肽",
         "辊道窑", "电子级硫酸", "机器视觉", "伺服控制")
DEMO_RUN_CHALLENGES = 6


def seed(*, seed: int) -> str:
    staff = User.objects.filter(username="organizer").first() or \
        User.objects.filter(username="admin").first()
    if staff is None:
        return "matching: no demo staff account, skipped"
    have = {t.lower() for t in TechTerm.objects.values_list("term", flat=True)}
    added = 0
    for term in TERMS:
        if term.lower() not in have:
            techterm_add(actor=staff, term=term, source="demo")
            added += 1
    runs = 0
    if not AssignmentRun.objects.exists():
        ids = list(Challenge.objects.filter(state__in=CLAIMABLE_STATES, is_demo=True)
                   .order_by("id").values_list("id", flat=True)[:DEMO_RUN_CHALLENGES])
        if ids:
            invitations_assign(challenge_ids=ids, teams_per_challenge=3, researcher_limit=2,
                               seed=seed % 2**31, actor=staff, source="demo")
            runs = 1
    return f"matching: {added} terms added ({len(TERMS)} in the starter set), {runs} invitation run"
