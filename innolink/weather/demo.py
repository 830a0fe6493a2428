"""Demo records of 气象+: the city observatory as a registered feed, industrial parks, exposure
profiles for the demo city's enterprises, a past red typhoon warning (alert, upgrade, most
enterprises responded, cancel) and an active orange rainstorm warning, and forecast products.
Park names and coordinates are illustrative. Idempotent; the warnings go through ``cap_ingest``."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from innolink.accounts.models import User
from innolink.accounts.roles import Role
from innolink.enterprises.models import Enterprise
from innolink.weather import services
from innolink.weather.models import CapSender, IndustrialPark, Notice, Warning
from innolink.weather.capdocs import SENDER, cap, ref

# approximate town centres (lat, lon), illustrative
CENTRES = {
    "青阳": (24.81, 118.58), "梅岭": (24.82, 118.57), "西园": (24.80, 118.55),
    "罗山": (24.78, 118.57), "新塘": (24.79, 118.60), "灵源": (24.78, 118.54),
    "安海": (24.72, 118.47), "磁灶": (24.84, 118.50), "陈埭": (24.83, 118.62),
    "东石": (24.65, 118.50), "深沪": (24.64, 118.66), "金井": (24.59, 118.58),
    "池店": (24.86, 118.56), "内坑": (24.76, 118.43), "龙湖": (24.67, 118.62),
    "永和": (24.73, 118.60), "英林": (24.64, 118.59), "紫帽": (24.88, 118.53),
    "西滨": (24.78, 118.66),
}
PARKS = [("五里工业园（示意）", "灵源"), ("安东工业园（示意）", "安海"), ("深沪工业园（示意）", "深沪"),
         ("磁灶陶瓷产业园（示意）", "磁灶"), ("陈埭鞋业园（示意）", "陈埭")]
COASTAL = {"深沪", "金井", "东石", "安海", "英林", "龙湖", "西滨"}


def _exposures(enterprise: Enterprise, rng: random.Random) -> list[str]:
    code = enterprise.industry_code or ""
    out = set()
    if code.startswith("C30"):
        out.add("kiln")
    if code[:3] in ("C17", "C18") and rng.random() < 0.5:
        out.add("dyeing")
    if code.startswith("E"):
        out |= {"construction", "outdoor_work"}
    if code.startswith("G") or (enterprise.town in COASTAL and rng.random() < 0.15):
        out.add("port_logistics")
    if code.startswith(("R", "N")) or rng.random() < 0.03:
        out.add("tourism")
    if rng.random() < 0.25:
        out.add("open_storage")
    if rng.random() < 0.2:
        out.add("outdoor_work")
    if rng.random() < 0.05:
        out.add("finance_index")
    return sorted(out)


def seed(*, seed: int) -> str:
    if CapSender.objects.filter(sender=SENDER).exists():
        return "气象+：演示数据已存在，无变化"
    rng = random.Random(seed)
    meteorologist = User.objects.filter(username="meteorologist").first()
    with transaction.atomic():
        CapSender.objects.create(sender=SENDER, name="晋江市气象台（演示信息源）")
        parks = {town: IndustrialPark.objects.create(name=name, town=town, is_demo=True,
                                                     lat=CENTRES[town][0], lon=CENTRES[town][1])
                 for name, town in PARKS}
        demo_user = User.objects.filter(username="enterprise").first()
        count = 0
        for enterprise in Enterprise.objects.filter(is_demo=True).order_by("credit_code"):
            exposures = _exposures(enterprise, rng)
            if demo_user and enterprise.pk == demo_user.enterprise_id:
                exposures = sorted(set(exposures) | {"outdoor_work", "open_storage"})
            lat, lon = CENTRES.get(enterprise.town, (24.75, 118.55))
            located = rng.random() < 0.6
            services.profile_save(
                actor=meteorologist, enterprise=enterprise, exposures=exposures,
                park_id=parks[enterprise.town].pk if enterprise.town in parks
                and rng.random() < 0.5 else None,
                lat=round(lat + rng.uniform(-0.02, 0.02), 5) if located else None,
                lon=round(lon + rng.uniform(-0.02, 0.02), 5) if located else None,
                outdoor_staff=rng.choice([0, 0, 5, 12, 30]))
            count += 1
    now = timezone.now().replace(microsecond=0)
    past = now - dt.timedelta(days=30)
    coastal = tuple(sorted(COASTAL))
    # a past typhoon: orange on the coast, raised to red over the whole city, then lifted
    services.cap_ingest(data=cap(identifier="JJ-DEMO-TY-1", kind="台风", level="橙", sent=past,
                                 towns=coastal, expires=past + dt.timedelta(hours=36)),
                        source="folder", now=past)
    raised = past + dt.timedelta(hours=6)
    result = services.cap_ingest(
        data=cap(identifier="JJ-DEMO-TY-2", kind="台风", level="红", sent=raised,
                 msg_type="Update", references=ref("JJ-DEMO-TY-1", past), city=True,
                 expires=past + dt.timedelta(hours=36)), source="folder", now=raised)
    answered = 0
    if result.warning_id:
        users = {u.enterprise_id: u for u in User.objects.filter(role=Role.ENTERPRISE)}
        with transaction.atomic():
            for notice in Notice.objects.filter(warning_id=result.warning_id).select_related(
                    "advice").order_by("pk"):
                if rng.random() < 0.85:
                    # enterprises without an account answered by phone; recorded without a user
                    services.record_acknowledgement(actor=users.get(notice.enterprise_id),
                                                    notice=notice,
                                                    measures_done=notice.actions[:2],
                                                    measures="按预案落实（演示）")
                    answered += 1
        lifted = past + dt.timedelta(hours=30)
        services.cap_ingest(data=cap(identifier="JJ-DEMO-TY-3", sent=lifted, msg_type="Cancel",
                                     references=ref("JJ-DEMO-TY-2", raised)),
                            source="folder", now=lifted)
    Warning.objects.all().update(is_demo=True)
    # an active orange rainstorm over the northern towns
    services.cap_ingest(data=cap(identifier="JJ-DEMO-RS-1", kind="暴雨", level="橙", sent=now,
                                 towns=("青阳", "梅岭", "陈埭", "池店", "磁灶"),
                                 expires=now + dt.timedelta(hours=12)), source="push")
    Warning.objects.all().update(is_demo=True)
    products = _forecasts(meteorologist, parks)
    return (f"气象+：风险画像 {count} 家，历史台风红色预警通知 {Notice.objects.filter(warning_id=result.warning_id).count() if result.warning_id else 0} 家"
            f"（{answered} 家已回应），生效暴雨橙色预警 1 条，服务产品 {products} 个")


def _forecasts(actor, parks) -> int:
    from innolink.events.models import Event

    today = timezone.localdate()
    n = 0
    for town, park in parks.items():
        services.forecast_create(actor=actor, area="park", title=f"{park.name}逐日预报",
                                 valid_from=today, valid_to=today + dt.timedelta(days=2),
                                 risk="medium" if town in ("青阳", "陈埭", "磁灶") else "low",
                                 summary="未来三天多云转阵雨，午后局地雷阵雨，最高气温29℃；东北风3～4级。",
                                 advice="露天堆放物料注意苫盖，午后减少高空作业。", park_id=park.pk)
        n += 1
    services.forecast_create(actor=actor, area="cluster", title="鞋服产业集群本周天气展望",
                             valid_from=today, valid_to=today + dt.timedelta(days=6), risk="low",
                             summary="本周湿度偏高，利于霉变，成品仓储注意除湿。",
                             industry_prefix="C19")
    services.forecast_create(actor=actor, area="finance", title="台风指数保险触发参考",
                             valid_from=today, valid_to=today + dt.timedelta(days=6), risk="low",
                             summary="本周无台风影响，指数保险触发条件不会满足。")
    services.forecast_create(actor=actor, area="platform", title="数智平台：本周生产气象提示",
                             valid_from=today, valid_to=today + dt.timedelta(days=6), risk="low",
                             summary="周中有一次降雨过程，其余时段以多云为主。")
    n += 3
    event = Event.objects.filter(date__gte=today, date__lte=today + dt.timedelta(days=30)
                                 ).order_by("date").first()
    if event is not None:
        services.forecast_create(actor=actor, area="tourism", title=f"{event.title}天气风险",
                                 valid_from=event.date, valid_to=event.date, risk="medium",
                                 summary="当天午后有阵雨，阵风6级，户外展位注意加固。",
                                 advice="准备雨棚，午后户外环节可移至室内。", event_id=event.pk)
        n += 1
    return n
