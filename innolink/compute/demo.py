"""Demo records of the compute platform: the platform operator and the eight AI application
partners (illustrative names: the public reports of the 2025 conference found with our research
name the signed projects but not the firms, see ADR 0601), resources, bookings with usage and a
held report, the demo enterprise's 算力券 paid from usage, and AI scenario needs, solutions and
matches. Idempotent and deterministic; everything goes through the services."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from innolink.accounts.models import User
from innolink.accounts.roles import Role
from innolink.compute import services, voucher
from innolink.compute.models import Booking, Provider, ProviderMember, ScenarioNeed
from innolink.core.errors import ApplicationError
from innolink.enterprises.models import Enterprise

SOURCE = ("晋江市2025年“科技创新和产业创新深度融合”企业创新发展大会签约项目"
          "（晋江电视台，2025-04-15 报道）；服务商名称为示意")
OPERATOR = "晋江市产业AI算力服务应用平台（运营方，示意）"
PARTNERS = [
    ("鞋服视觉智能（示意）", ["视觉质检"], "面向鞋服产线的外观缺陷视觉检测：鞋面、大底、针车线迹",
     "某运动鞋企大底车间：漏检率由4.8%降至0.9%\n某茄克企业成衣外观抽检自动化"),
    ("智造排产软件（示意）", ["智能排产", "需求预测"], "按订单交期、设备与人员产能自动排产，插单即时重排",
     "某服装企业：排产用时由半天缩短到15分钟\n某纸品企业多产线协同排产"),
    ("纹样设计生成（示意）", ["设计生成"], "面料纹样、鞋面配色的生成式设计与打样前评审",
     "某面料企业：每季新纹样方案由40个增至300个"),
    ("食品需求预测（示意）", ["需求预测", "仓储物流优化"], "结合节假日、天气和渠道数据的销量预测与补货",
     "某休闲食品企业：渠道缺货率下降三成"),
    ("陶瓷窑炉能效AI（示意）", ["能耗优化", "设备预测性维护"], "辊道窑温度曲线优化与风机、辊棒的预测性维护",
     "磁灶某陶瓷企业：单位产品天然气消耗下降6%"),
    ("伞具质检视觉（示意）", ["视觉质检"], "伞面印刷、伞骨装配的在线视觉检测",
     "某伞企：装配不良外流减少八成"),
    ("包装印刷缺陷检测（示意）", ["视觉质检", "智能排产"], "印刷品套准、色差、脏污检测与印刷排程",
     "某包装企业：客诉批次下降一半"),
    ("供应链智能物流（示意）", ["仓储物流优化", "智能客服"], "仓储拣选路径优化、物流调度与售后智能客服",
     "某鞋服电商仓：拣货效率提升35%"),
]
NEEDS = [
    ("视觉质检", "运动鞋大底外观缺陷检测", "大底成型后靠人工目检，夜班漏检多，客户退货集中在气泡和缺胶",
     "近三个月缺陷照片约2万张，已按缺陷类型标注", "漏检率降到1%以下，减少质检人员8人"),
    ("智能排产", "多品种小批量成衣排产", "订单小而急，排产靠经验表格，插单时全线重排",
     "ERP订单与工序工时数据三年", "准时交货率由82%提到95%"),
    ("设计生成", "面料纹样快速打样", "每季需要大量纹样方案供客户挑选，设计师人手不足",
     "历年纹样图库约1.5万张", "方案数量翻三倍，打样周期缩短一半"),
    ("需求预测", "休闲食品渠道销量预测", "节假日前备货凭经验，常有断货和临期积压",
     "五年分渠道、分单品日销量", "缺货率和临期损耗各降三成"),
    ("能耗优化", "辊道窑天然气能耗优化", "窑炉温度曲线靠老师傅调，能耗偏高",
     "窑温、风机、燃气表秒级数据一年", "单位产品燃气消耗下降5%"),
]


def _provider(name: str, *, kind: str, partner: bool = False, operator: bool = False,
              status: str = Provider.Status.APPROVED, region: str = "jinjiang",
              description: str = "") -> Provider:
    provider, _created = Provider.objects.get_or_create(name=name, defaults={
        "kind": kind, "is_partner": partner, "is_operator": operator, "status": status,
        "illustrative": True, "source": SOURCE[:300], "region": region, "is_demo": True,
        "description": description})
    return provider


def _member(provider: Provider, username: str | None = None) -> User:
    if username:
        user = User.objects.filter(username=username).first()
        if user is not None and not hasattr(user, "provider_membership"):
            ProviderMember.objects.create(user=user, provider=provider)
        if user is not None:
            return user
    member = provider.members.select_related("user").first()
    if member is not None:
        return member.user
    user = User.objects.create(username=f"provider-{provider.pk}", role=Role.PROVIDER,
                               display_name=f"服务商 · {provider.name}"[:64])
    user.set_unusable_password()
    user.save()
    ProviderMember.objects.create(user=user, provider=provider)
    return user


def _past_booking(*, enterprise_user: User, resource, provider_user: User, card_hours: int,
                  days_ago: int, title: str, kind: str = "training") -> Booking:
    today = timezone.localdate()
    request = services.request_create(
        actor=enterprise_user, title=title, kind=kind, card_hours=card_hours,
        accelerator_class="any", earliest=today, deadline=today + dt.timedelta(days=29),
        residency="fujian")
    booking = services.booking_create(actor=enterprise_user, request_id=request.pk,
                                      resource_id=resource.pk)
    length = (booking.end - booking.start).days
    start = today - dt.timedelta(days=days_ago)
    Booking.objects.filter(pk=booking.pk).update(start=start, end=start + dt.timedelta(days=length),
                                                 is_demo=True)
    return services.booking_confirm(actor=provider_user, booking_id=booking.pk)


def seed(*, seed: int) -> str:
    if Provider.objects.filter(name=OPERATOR).exists():
        return "算力服务：演示数据已存在，无变化"
    rng = random.Random(seed)
    today = timezone.localdate()
    with transaction.atomic():
        operator = _provider(OPERATOR, kind=Provider.Kind.BOTH, operator=True,
                             description="市级产业AI算力服务应用平台：算力资源、运营管理和产业场景服务于一体")
        operator_user = _member(operator, "provider")
        window = [(today - dt.timedelta(days=120), today + dt.timedelta(days=240))]
        a800 = services.resource_save(actor=operator_user, name="A800 训练集群", accelerator="A800",
                                      cards_per_node=8, nodes=8, memory_gb=80, price="12.50",
                                      region="jinjiang", windows=window)
        ascend = services.resource_save(actor=operator_user, name="昇腾910B 国产算力池",
                                        accelerator="昇腾910B", cards_per_node=8, nodes=16,
                                        memory_gb=64, price="9.80", region="jinjiang",
                                        windows=window)
        services.resource_save(actor=operator_user, name="L40S 推理池", accelerator="L40S",
                               cards_per_node=4, nodes=8, memory_gb=48, price="4.20",
                               region="jinjiang", windows=window)
        remote = _provider("省外智算云（示意）", kind=Provider.Kind.COMPUTE, region="domestic")
        services.resource_save(actor=_member(remote), name="H800 公有云", accelerator="H800",
                               cards_per_node=8, nodes=4, memory_gb=80, price="8.80",
                               region="domestic", windows=window)
        _provider("泉州边缘算力（待审核，示意）", kind=Provider.Kind.COMPUTE,
                  status=Provider.Status.PENDING, region="quanzhou",
                  description="在泉州部署的边缘推理节点，申请入驻平台")
        partners = []
        for name, kinds, description, cases in PARTNERS:
            partner = _provider(name, kind=Provider.Kind.SOLUTION, partner=True,
                                description=description)
            user = _member(partner)
            partners.append(services.solution_save(actor=user, title=description.split("：")[0][:60],
                                                   kinds=kinds, description=description,
                                                   cases=cases))
        for solution in partners:
            type(solution).objects.filter(pk=solution.pk).update(is_demo=True)

        # enterprises: the demo account's first, then manufacturers of the demo city
        demo_user = User.objects.filter(username="enterprise").first()
        others = list(Enterprise.objects.filter(is_demo=True, industry_code__startswith="C")
                      .order_by("credit_code")[:12])
        users = [demo_user] if demo_user and demo_user.enterprise_id else []
        for enterprise in others:
            if demo_user and enterprise.pk == demo_user.enterprise_id:
                continue
            user = User.objects.filter(role=Role.ENTERPRISE, enterprise=enterprise).first()
            if user is None:
                user = User.objects.create(username=f"ent-{enterprise.pk}", role=Role.ENTERPRISE,
                                           enterprise=enterprise,
                                           display_name=f"企业用户 · {enterprise.name}"[:64])
                user.set_unusable_password()
                user.save()
            users.append(user)
        # bookings in the past with usage; the demo enterprise's reaches the voucher threshold
        bookings = []
        for i, user in enumerate(users[:6]):
            hours = 10240 if i == 0 else rng.choice([960, 1920, 2880])
            resource = ascend if i % 2 == 0 else a800
            bookings.append(_past_booking(enterprise_user=user, resource=resource,
                                          provider_user=operator_user, card_hours=hours,
                                          days_ago=40 - i * 3,
                                          title=["鞋面缺陷检测模型训练", "面料纹样生成模型微调",
                                                 "销量预测模型训练", "窑温曲线优化模型",
                                                 "客服大模型微调", "质检模型迭代"][i]))
        # one booking waiting for the provider
        if len(users) > 6:
            request = services.request_create(
                actor=users[6], title="伞面印刷质检推理服务", kind="inference", card_hours=240,
                accelerator_class="inference", earliest=today + dt.timedelta(days=3),
                deadline=today + dt.timedelta(days=20), residency="jinjiang")
            inference = type(a800).objects.get(provider=operator, name="L40S 推理池")
            services.booking_create(actor=users[6], request_id=request.pk,
                                    resource_id=inference.pk)
    voucher_note = ""
    # the demo enterprise's 算力券: applied and approved, then usage pays its share
    from innolink.policies import services as policy_services

    policy_services.policy_sync(actor=None, source="demo")
    first = bookings[0] if bookings else None
    if first is not None and demo_user is not None:
        year = first.start.year
        clause = voucher.clause_row(year)
        officer = User.objects.filter(username="officer").first()
        try:
            application = policy_services.application_submit(
                actor=demo_user, enterprise=demo_user.enterprise, clause=clause, year=year,
                form=policy_services.ClaimForm(bank_name="晋江农村商业银行",
                                               bank_account="6222020012345678",
                                               account_holder=demo_user.enterprise.name,
                                               contact_name="财务部"))
            policy_services.application_approve(actor=officer, application_id=application.pk,
                                                note="算力券（演示）",
                                                override_reason="合同与用量由算力平台核验（演示）")
            voucher_note = f"，算力券批准 {application.amount_expected} 元"
        except ApplicationError as exc:
            voucher_note = f"，算力券未申领：{exc.message}"
    n = 0
    for i, booking in enumerate(bookings):
        end = min(booking.end, today - dt.timedelta(days=1))
        hours = Decimal(booking.card_hours) * Decimal("0.6")
        services.usage_report(actor=operator_user, booking_id=booking.pk,
                              period_start=booking.start, period_end=end,
                              card_hours=hours.quantize(Decimal("0.01")),
                              invoice_number=f"FJ{today.year}{seed % 1000:03d}{i:05d}")
        n += 1
    if bookings:  # a repeated invoice number: held for review
        services.usage_report(actor=operator_user, booking_id=bookings[1].pk if len(bookings) > 1
                              else bookings[0].pk, period_start=bookings[0].start,
                              period_end=bookings[0].start, card_hours="10",
                              invoice_number=f"FJ{today.year}{seed % 1000:03d}00000")
        n += 1
    # AI scenario needs and matches
    with transaction.atomic():
        needs = []
        for user, (kind, title, description, data, gain) in zip(users, NEEDS):
            needs.append(services.need_create(actor=user, kind=kind, title=title,
                                              description=description, data_available=data,
                                              expected_gain=gain))
        ScenarioNeed.objects.filter(pk__in=[x.pk for x in needs]).update(is_demo=True)
        staff = User.objects.filter(username="organizer").first()
        matched = signed = 0
        for need in needs:
            from innolink.compute.fetch import solutions_for_need

            found = solutions_for_need(need, k=2)
            if not found:
                continue
            match = services.match_propose(actor=staff, need_id=need.pk, solution_id=found[0][0].pk)
            matched += 1
            if need.kind in ("视觉质检", "能耗优化"):
                services.match_decide(actor=staff, match_id=match.pk, signed=True)
                signed += 1
    return (f"算力服务：服务商 {Provider.objects.count()} 家（含8家AI应用合作伙伴，示意名称），"
            f"预订 {len(bookings)} 个，使用量 {n} 条{voucher_note}；场景需求 {len(needs)} 个，"
            f"对接 {matched} 对，签约 {signed} 项")
