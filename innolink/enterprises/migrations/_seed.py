"""Rows that migrations seed, kept in one place so tests that flush the database can restore
them (the root conftest does)."""

INDICATORS = [
    # code, name, kind, unit, allow_negative
    ("revenue", "营业收入", "money", "元", False),
    ("total_assets", "资产总额", "money", "元", False),
    ("net_profit", "净利润", "money", "元", True),
    ("tax_paid", "纳税总额", "money", "元", False),
    ("rd_expense", "研发费用", "money", "元", False),
    ("invention_patents", "有效发明专利", "count", "件", False),
    ("exports", "出口额", "money", "元", False),
    ("imports", "进口额", "money", "元", False),
    ("employees", "从业人员", "count", "人", False),
    ("energy_consumption", "综合能耗", "quantity", "吨标准煤", False),
    ("equipment_investment", "设备投资", "money", "元", False),
    ("fiscal_contribution", "地方财政贡献", "money", "元", False),
    ("software_hardware_investment", "软硬件投入", "money", "元", False),
    ("compute_contract", "算力服务合同额", "money", "元", False),
]


def indicator_definitions(apps) -> None:
    Definition = apps.get_model("enterprises", "IndicatorDefinition")
    for order, (code, name, kind, unit, negative) in enumerate(INDICATORS):
        Definition.objects.update_or_create(code=code, defaults={
            "name": name, "kind": kind, "unit": unit, "allow_negative": negative, "order": order})


def _catalogue() -> dict:
    """The rules engine's seed catalogue (qualification types, item kinds, indicators)."""
    from pathlib import Path

    import yaml

    path = Path(__file__).resolve().parents[2] / "engines" / "rules" / "catalogue.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def qualification_types(apps) -> None:
    """Insert the seed qualification types that are missing; an officer's edits are kept."""
    QualificationType = apps.get_model("enterprises", "QualificationType")
    existing = set(QualificationType.objects.values_list("code", flat=True))
    for order, (code, q) in enumerate((_catalogue().get("qualifications") or {}).items()):
        if code in existing:
            continue
        QualificationType.objects.create(
            code=code, name=q["name"], issuer=q.get("issuer", ""), levels=q.get("levels") or [],
            validity_years=q.get("validity_years"), renewal_is_new=bool(q.get("renewal_is_new", False)),
            order=order)


def item_kinds(apps) -> None:
    """Insert the seed item kinds that are missing."""
    ItemKind = apps.get_model("enterprises", "ItemKind")
    existing = set(ItemKind.objects.values_list("code", flat=True))
    for order, (code, item) in enumerate((_catalogue().get("items") or {}).items()):
        if code not in existing:
            ItemKind.objects.create(code=code, name=item["name"], facts=ordered_facts(item["facts"]), order=order)


def ordered_facts(facts: dict) -> dict:
    """The catalogue's facts with their declared order as data (``order`` 0, 1, …: the file's
    order; jsonb does not keep key order, ADR 0380)."""
    return {code: {**spec, "order": n} for n, (code, spec) in enumerate(facts.items())}


def item_fact_order(apps) -> None:
    """Give every item kind's facts an ``order``: a seed kind's facts in the catalogue's order
    (facts an officer added after them, by code), another kind's facts in the order read."""
    ItemKind = apps.get_model("enterprises", "ItemKind")
    seed = {code: list(item["facts"]) for code, item in (_catalogue().get("items") or {}).items()}
    for row in ItemKind.objects.all():
        facts = row.facts or {}
        if not isinstance(facts, dict) or all(isinstance(f, dict) and type(f.get("order")) is int
                                              for f in facts.values()):
            continue
        declared = [c for c in seed.get(row.code, []) if c in facts]
        rest = [c for c in facts if c not in declared]
        if row.code in seed:
            rest.sort()
        row.facts = {c: {**facts[c], "order": n} if isinstance(facts[c], dict) else facts[c]
                     for n, c in enumerate(declared + rest)}
        row.save(update_fields=["facts"])


def catalogue_indicators(apps) -> None:
    """Insert the seed catalogue's extra indicators (ratio, bool, date, level kinds) that are missing."""
    Definition = apps.get_model("enterprises", "IndicatorDefinition")
    existing = set(Definition.objects.values_list("code", flat=True))
    names = set(Definition.objects.values_list("name", flat=True))
    for order, (code, ind) in enumerate((_catalogue().get("indicators") or {}).items(), start=100):
        if code in existing or ind["name"] in names:
            continue
        Definition.objects.create(code=code, name=ind["name"], kind=ind["kind"], unit=ind.get("unit", ""),
                                  levels=ind.get("levels") or [], allow_negative=False, order=order)
