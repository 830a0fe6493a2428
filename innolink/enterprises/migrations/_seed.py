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
