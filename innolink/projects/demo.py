"""The 18 projects signed at the conference, in the demo city, with a year and a half of
quarterly reports so statuses, measures, the overview and the brief mean something.

Facts kept from public sources: the conference (2025年晋江市企业创新发展大会, 15 April 2025,
“科技创新和产业创新深度融合”, where a batch of projects was signed; 晋江电视台, 2025-04-15) and
the mix of 18 projects given in the design and issue #13: one 产业AI算力服务应用平台, eight AI
application partnerships, eight new-material and new-technology results — among them a BCB
photoresist joint laboratory aiming at 1–2 t/a of BCB monomer, derivatives, photosensitisers
and photoresist, 5,000万元 annual output in 2026 and over 30% lower purchase costs downstream —
and one 气象+ agreement. The other titles, the parties (synthetic demo enterprises), amounts
and reports are illustrative (示意). Idempotent and deterministic.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction

from innolink.accounts.models import Department, Institution, User
from innolink.enterprises.models import Enterprise
from innolink.projects import services
from innolink.projects.models import Project

EVENT = "2025年晋江市企业创新发展大会（科技创新和产业创新深度融合）"
SIGNED = dt.date(2025, 4, 15)
SOURCE = ("晋江电视台《2025年晋江市企业创新发展大会召开》2025-04-15 "
          "http://jinjiang.tv/folder74/m/2025-04-15/164218.html；项目构成见设计文档")
ILLUSTRATIVE = "（示意：参与方、金额与进展为演示数据）"

# kind, title, department, investment 万元, partner institution, targets, pace, extra
#   targets: (metric, name, unit, target, due)  — baseline 0
#   pace: share of the straight line the reports follow (1 = on the line); "stall" stops
#   reporting after 2026Q2 and leaves 投产 undone
END_2026 = "2026-12-31"
PROJECTS = [
    ("compute", "产业AI算力服务应用平台", "gxj", 30000, None,
     [("users", "服务企业数", "家", 300, END_2026), ("capacity", "上线智能算力", "PFLOPS", 100,
                                                        END_2026)], 1.0, {}),
    ("ai_app", "鞋服设计AI辅助系统合作", "gxj", 800, "东华大学",
     [("users", "应用企业数", "家", 30, END_2026), ("cost_reduction", "打样周期缩短", "%", 40,
                                                   END_2026)], 1.05, {"demo_user": True}),
    ("ai_app", "纺织面料瑕疵视觉检测应用", "gxj", 650, "华侨大学",
     [("users", "部署产线", "条", 40, END_2026), ("cost_reduction", "漏检率下降", "%", 50,
                                                END_2026)], 0.95, {}),
    ("ai_app", "休闲食品产线AI质检", "gxj", 500, "江南大学",
     [("users", "应用企业数", "家", 12, END_2026)], 0.55, {}),
    ("ai_app", "建筑陶瓷窑炉能耗优化", "gxj", 900, "华南理工大学",
     [("cost_reduction", "单位产品能耗下降", "%", 8, END_2026)], 1.0, {}),
    ("ai_app", "伞业供应链需求预测", "swj", 300, "厦门大学",
     [("users", "接入企业数", "家", 20, END_2026)], 0.9, {}),
    ("ai_app", "卫生用品产线预测性维护", "gxj", 450, "福州大学",
     [("cost_reduction", "非计划停机下降", "%", 30, END_2026)], 1.0, {"stall": True}),
    ("ai_app", "包装印刷智能排产", "gxj", 350, "泉州师范学院",
     [("cost_reduction", "交期缩短", "%", 20, END_2026)], 1.1, {}),
    ("ai_app", "企业政策问答大模型应用", "kjj", 280, "福建师范大学",
     [("users", "服务企业数", "家", 500, END_2026)], 0.6, {}),
    ("research", "BCB光刻胶联合实验室", "kjj", 6000, "厦门大学",
     [("capacity", "BCB单体、衍生物、光敏剂及光刻胶产能", "吨/年", 1, END_2026),
      ("output", "年产值", "万元", 5000, END_2026),
      ("cost_reduction", "下游企业采购成本降低", "%", 30, END_2026)], 0.85,
     {"note": "目标为年产 1–2 吨，2026 年产值 5000 万元、下游采购成本降低 30% 以上（按 1 吨、30% 登记下限）",
      "problem": "洁净厂房环评批复进度慢，影响光刻胶中试线投产"}),
    ("research", "石墨烯改性功能纤维产业化", "kjj", 4500, "福建省纺织科学研究院（演示）",
     [("capacity", "功能纤维产能", "吨/年", 3000, END_2026),
      ("output", "年产值", "万元", 12000, END_2026)], 1.0, {}),
    ("research", "生物基可降解鞋材", "kjj", 3000, "四川大学",
     [("capacity", "鞋材产能", "万双/年", 500, END_2026), ("patents", "发明专利申请", "件", 6,
                                                           "2026-06-30")], 0.7, {}),
    ("research", "高性能碳纤维复合材料部件", "kjj", 8000, "中国科学院海西研究院泉州装备制造研究中心",
     [("output", "年产值", "万元", 20000, END_2026)], 0.4, {"late_start": True}),
    ("research", "超临界二氧化碳无水染色中试", "sthjj", 3500, "中国科学院海西研究院泉州装备制造研究中心",
     [("capacity", "染色产能", "吨/年", 2000, END_2026), ("cost_reduction", "耗水量下降", "%", 90,
                                                          END_2026)], 1.0, {}),
    ("research", "功能性纺织涂层材料", "kjj", 1800, "陕西科技大学",
     [("output", "年产值", "万元", 6000, END_2026)], 0.95, {}),
    ("research", "建筑陶瓷低温快烧釉料", "gxj", 1200, "陕西科技大学",
     [("cost_reduction", "烧成能耗下降", "%", 15, END_2026)], 1.0, {}),
    ("research", "锂电池隔膜涂覆材料", "kjj", 5000, "浙江大学",
     [("capacity", "涂覆隔膜产能", "万平方米/年", 8000, END_2026)], 0.8, {}),
    ("weather", "气象+产业服务合作协议", "qxj", 200, None,
     [("users", "接收定向预警企业数", "家", 1000, END_2026),
      ("other", "园区与赛事专题预报产品", "项", 12, END_2026)], 1.0,
     {"organisation": "泉州市气象局（示意）"}),
]
STAGE_DUES = {
    "compute": [("build", "2025-06-30"), ("online", "2025-12-31"), ("operating", "2026-06-30")],
    "ai_app": [("design", "2025-06-30"), ("pilot", "2025-10-31"), ("rollout", "2026-06-30")],
    "weather": [("integration", "2025-06-30"), ("online", "2025-09-30"),
                ("service", "2025-12-31")],
    "research": [("registered", "2025-06-30"), ("started", "2025-09-30"),
                 ("producing", "2026-06-30"), ("full", END_2026)],
}
QUARTERS = ["2025Q2", "2025Q3", "2025Q4", "2026Q1", "2026Q2", "2026Q3"]


def _quarter_end(label: str) -> dt.date:
    year, q = int(label[:4]), int(label[-1])
    return dt.date(year + (q == 4), (q * 3) % 12 + 1, 1) - dt.timedelta(days=1)


def seed(*, seed: int) -> str:
    if Project.objects.filter(is_demo=True, signing_event_name=EVENT).exists():
        return "签约项目：18 个大会项目已存在"
    organizer = User.objects.filter(username="organizer").first()
    if organizer is None or not Department.objects.exists():
        return "签约项目：缺少组织方账号或部门，跳过"
    rng = random.Random(seed)
    cadre = User.objects.filter(username="cadre").first()
    demo_user = User.objects.filter(username="enterprise").select_related("enterprise").first()
    pool = list(Enterprise.objects.filter(is_demo=True, size_class__in=["large", "medium"])
                .order_by("credit_code")[:400])
    if demo_user and demo_user.enterprise_id:
        pool = [e for e in pool if e.pk != demo_user.enterprise_id]
    rng.shuffle(pool)
    departments = {d.code: d for d in Department.objects.all()}
    made = 0
    for i, (kind, title, dept, wan, partner, targets, pace, extra) in enumerate(PROJECTS):
        with transaction.atomic():
            made += _one(i, kind, title, departments.get(dept) or next(iter(departments.values())),
                         wan, partner, targets, pace, extra, organizer=organizer, cadre=cadre,
                         lead=(demo_user.enterprise if extra.get("demo_user") and demo_user
                               and demo_user.enterprise_id else pool[i % len(pool)]
                               if pool else None))
    return f"签约项目：{made} 个大会项目及其季度进展报告"


def _one(i, kind, title, department, wan, partner, targets, pace, extra, *, organizer, cadre,
         lead) -> int:
    parties = []
    if extra.get("organisation"):
        parties.append({"role": "lead", "organisation": extra["organisation"]})
    elif kind == "compute":
        parties.append({"role": "lead", "organisation": "产业AI算力服务应用平台运营方（示意）"})
    elif lead is not None:
        parties.append({"role": "lead", "enterprise_id": lead.pk})
    institution = Institution.objects.filter(name=partner).first() if partner else None
    if institution is not None:
        parties.append({"role": "partner", "institution_id": institution.pk})
    if kind in ("compute", "weather") and lead is not None:
        parties.append({"role": "partner", "enterprise_id": lead.pk})
    dues = STAGE_DUES[kind]
    project = services.project_create(actor=organizer, data={
        "title": title, "kind": kind, "signed_on": SIGNED.isoformat(),
        "signing_event_name": EVENT, "department_id": department.pk,
        "cadre_id": cadre.pk if cadre and i % 3 == 0 else "", "investment": str(wan),
        "investment_unit": "wan", "report_cycle": "quarterly",
        "summary": (extra.get("note", "") + ILLUSTRATIVE) if title != "产业AI算力服务应用平台"
        else "面向晋江企业的算力租用、模型训练与推理服务平台" + ILLUSTRATIVE,
        "parties": parties, "is_demo": True, "source_note": SOURCE,
        "targets": [{"metric": m, "name": n, "unit": u, "target": str(t), "due_on": d}
                    for m, n, u, t, d in targets],
        "milestones": [{"stage": s, "due_on": d} for s, d in dues]})
    filer = organizer
    if lead is not None and any(p.get("enterprise_id") == lead.pk and p["role"] == "lead"
                                for p in parties):
        filer = User.objects.filter(enterprise_id=lead.pk, role="enterprise",
                                    is_active=True).first() or organizer
    quarters = QUARTERS[:-2] if extra.get("stall") else QUARTERS
    milestones = {m.stage: m for m in project.milestones.all()}
    project_targets = list(project.targets.all())
    total_days = (dt.date(2026, 12, 31) - SIGNED).days
    for q, label in enumerate(quarters):
        end = _quarter_end(label)
        share = min(1.0, max(0.0, (end - SIGNED).days / total_days * pace))
        values = {}
        for t in project_targets:
            ramp = share if t.metric not in ("capacity", "output") else max(0.0, share * 1.3 - 0.3)
            places = Decimal("1") if t.unit in ("家", "件", "条", "项") else Decimal("0.01")
            values[str(t.pk)] = str((t.target * Decimal(str(round(ramp, 3)))).quantize(places))
        evidence = {}
        for stage, due in dues:
            m = milestones.get(stage)
            due_on = dt.date.fromisoformat(due)
            late_by = 75 if extra.get("late_start") and stage in ("started", "pilot") else 0
            if pace < 0.7 and stage in ("producing", "rollout", "full"):
                continue  # behind: 投产 not reached
            if extra.get("stall") and stage in ("rollout",):
                continue
            done = due_on - dt.timedelta(days=10) + dt.timedelta(days=late_by)
            if m and m.done_on is None and end - dt.timedelta(days=92) < done <= end \
                    and m.pk not in {int(k) for k in evidence}:
                evidence[str(m.pk)] = {"done_on": done.isoformat(),
                                       "evidence": f"{m.title}：相关证照、合同或验收文件已归档（示意）"}
        problems = [extra["problem"]] if extra.get("problem") and label == "2026Q3" else []
        report = services.report_file(
            actor=filer, project=project, period=label, values=values, milestones=evidence,
            funds_in_place=str((Decimal(wan) * Decimal(str(round(min(1.0, share * 1.1), 3))))
                               .quantize(Decimal("0.01"))), funds_unit=services.WAN,
            narrative=f"{label} 按计划推进（示意）" if pace >= 0.9 else f"{label} 进度偏慢（示意）",
            problems=problems)
        if q < len(quarters) - 1 or i % 4:  # some latest reports still wait for review
            services.report_accept(actor=organizer, report=report)
        for m in project.milestones.all():
            milestones[m.stage] = m
    return 1
