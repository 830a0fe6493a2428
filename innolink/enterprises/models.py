from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from innolink.enterprises import reference


def validate_credit_code(value: str) -> None:
    error = reference.credit_code_error(value)
    if error:
        raise ValidationError(error.render(), code="credit_code")


def validate_industry_code(value: str) -> None:
    try:
        normalized = reference.normalize_industry_code(value)
    except ValueError as exc:
        raise ValidationError(exc.args[0].render(), code="industry_code") from exc
    if normalized != value:
        raise ValidationError(_("行业代码应写作 %(code)s"), params={"code": normalized},
                              code="industry_code")


class Ownership(models.TextChoices):
    PRIVATE = "private", _("民营")
    STATE = "state", _("国有")
    COLLECTIVE = "collective", _("集体")
    FOREIGN = "foreign", _("外资")
    HMT = "hmt", _("港澳台资")
    MIXED = "mixed", _("混合所有制")


class SizeClass(models.TextChoices):
    LARGE = "large", _("大型")
    MEDIUM = "medium", _("中型")
    SMALL = "small", _("小型")
    MICRO = "micro", _("微型")


class Tag(models.TextChoices):
    HIGH_TECH = "high_tech", _("高新技术企业")
    TECH_SME = "tech_sme", _("科技型中小企业")
    SPECIALIZED_PROVINCIAL = "specialized_provincial", _("省级专精特新中小企业")
    SPECIALIZED_NATIONAL = "specialized_national", _("国家级专精特新“小巨人”")
    ABOVE_SCALE = "above_scale", _("规上企业")
    LISTED = "listed", _("上市企业")
    SERIOUS_VIOLATION = "serious_violation", _("重大违法违规")
    DISHONEST = "dishonest", _("失信被执行")


class Enterprise(models.Model):
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True,
                                   validators=[validate_credit_code])
    name = models.CharField(_("企业名称"), max_length=200, db_index=True)
    town = models.CharField(_("所属镇街"), max_length=8, choices=reference.TOWN_CHOICES,
                            db_index=True)
    industry_code = models.CharField(_("行业代码"), max_length=5,
                                     validators=[validate_industry_code], db_index=True)
    ownership = models.CharField(_("所有制"), max_length=16, choices=Ownership.choices,
                                 db_index=True)
    founded_on = models.DateField(_("成立日期"), null=True, blank=True)
    size_class = models.CharField(_("企业规模"), max_length=8, choices=SizeClass.choices,
                                  blank=True)
    legal_representative = models.CharField(_("法定代表人"), max_length=64, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    products = models.CharField(_("主要产品"), max_length=300, blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("企业")
        verbose_name_plural = _("企业")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["town", "name"]), models.Index(fields=["industry_code"])]

    def __str__(self) -> str:
        return self.name

    @property
    def industry_label(self) -> str:
        return reference.industry_label(self.industry_code)

    @property
    def section(self) -> str:
        return self.industry_code[:1]


class QualificationType(models.Model):
    """A qualification (资质) officers define as data: name, ordered levels, issuer, validity,
    and whether a renewal counts as "newly certified" (ADR 0131/0132). The rules engine reads
    these rows; a rule naming a type or level that is not here is refused."""

    code = models.SlugField(_("代码"), max_length=40, primary_key=True)
    name = models.CharField(_("名称"), max_length=60, unique=True)
    issuer = models.CharField(_("认定机构"), max_length=100, blank=True)
    levels = models.JSONField(_("等级（由低到高）"), default=list, blank=True)  # [{"code", "name"}]
    validity_years = models.PositiveSmallIntegerField(_("有效期（年）"), null=True, blank=True)
    renewal_is_new = models.BooleanField(_("重新认定视同新认定"), default=False)
    order = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("资质类型")
        verbose_name_plural = _("资质类型")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name

    def level_name(self, code: str) -> str:
        for level in self.levels or ():
            if level.get("code") == code:
                return level.get("name", code)
        return code


class EnterpriseTag(models.Model):
    """One certification of a qualification (资质): the type (``tag``, a
    :class:`QualificationType` code), its level, dates, first or renewed, and the certificate or
    document number. An enterprise may hold several certifications of one type (a renewal, a
    higher level later); the rules engine works out what holds in a policy year."""

    class Source(models.TextChoices):
        REGISTRY = "registry", _("企业库导入")
        IMPORT = "import", _("资质导入")
        OFFICER = "officer", _("人工录入")
        MIGRATION = "migration", _("由原标签迁移")

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="tags")
    tag = models.CharField(_("资质类型"), max_length=40)
    level = models.CharField(_("等级"), max_length=40, blank=True, default="", db_default="")
    certified_on = models.DateField(_("认定日期"), null=True, blank=True)
    expires_on = models.DateField(_("有效期至"), null=True, blank=True)
    first_certified = models.BooleanField(_("首次认定"), null=True, blank=True)
    reference = models.CharField(_("证书编号或文号"), max_length=64, blank=True)
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices, default=Source.REGISTRY,
                              db_default=Source.REGISTRY)
    # db_default: rows inserted by plain SQL (the import's bulk insert) get the time too; the
    # policy scan's population snapshot reads the rows changed since it was taken by this index.
    updated_at = models.DateTimeField(auto_now=True, db_default=Now(), db_index=True)

    class Meta:
        verbose_name = _("企业资质")
        verbose_name_plural = _("企业资质")
        constraints = [models.UniqueConstraint(fields=["enterprise", "tag", "level", "certified_on"],
                                               name="enterprise_qualification_unique")]
        indexes = [models.Index(fields=["tag", "enterprise"])]
        ordering = ["enterprise", "tag", "certified_on", "id"]

    def __str__(self) -> str:
        return self.label

    @property
    def type(self) -> QualificationType | None:
        return qualification_types().get(self.tag)

    @property
    def label(self) -> str:
        qtype = self.type
        if qtype is None:
            return self.tag
        if self.level:
            return qtype.level_name(self.level)
        return qtype.name

    def get_tag_display(self) -> str:  # the former choices' display, kept for templates
        return self.label


_TYPES_CACHE: dict[str, Any] = {"at": 0.0, "types": None}


def qualification_types() -> dict[str, QualificationType]:
    """Every qualification type by code. A small table, cached for 30 seconds per process; the
    services that change it clear the cache (``forget_qualification_types``)."""
    import time

    now = time.monotonic()
    if _TYPES_CACHE["types"] is None or now - _TYPES_CACHE["at"] > 30:
        _TYPES_CACHE["types"] = {q.code: q for q in QualificationType.objects.all()}
        _TYPES_CACHE["at"] = now
    return _TYPES_CACHE["types"]


def forget_qualification_types() -> None:
    _TYPES_CACHE["types"] = None


def facts_in_order(facts: dict | None) -> list[tuple[str, dict]]:
    """An item kind's facts as ``(code, spec)`` in their declared order (each spec's ``order``;
    PostgreSQL's jsonb does not keep key order, so the order is data, ADR 0380). Facts without
    an ``order`` come last, by code.

    Examples:
        >>> facts_in_order({"b": {"name": "乙", "order": 0}, "a": {"name": "甲", "order": 1}, "c": {}})
        [('b', {'name': '乙', 'order': 0}), ('a', {'name': '甲', 'order': 1}), ('c', {})]
    """
    def key(pair):
        order = pair[1].get("order") if isinstance(pair[1], dict) else None
        return (0, order, pair[0]) if isinstance(order, int) and not isinstance(order, bool) else (1, 0, pair[0])

    return sorted((facts or {}).items(), key=key)


class ItemKind(models.Model):
    """A kind of repeated item inside one claim (projects, patents, equipment purchases,
    events), with its facts as data: ``{fact: {name, kind, unit, choices, order}}``; ``order``
    (0, 1, …) is the declared order in which forms, the API and pages list the facts."""

    code = models.SlugField(_("代码"), max_length=40, primary_key=True)
    name = models.CharField(_("名称"), max_length=60, unique=True)
    facts = models.JSONField(_("数据项"), default=dict)
    order = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("事项类别")
        verbose_name_plural = _("事项类别")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def facts_in_order(self) -> list[tuple[str, dict]]:
        return facts_in_order(self.facts)


class EnterpriseItem(models.Model):
    """One repeated item of an enterprise (a project, a patent, a purchase, an event) for a
    year, with its facts (``facts``: fact code -> value as text, exact; a missing key means not
    reported). Items come from an application or from imported records."""

    class Source(models.TextChoices):
        IMPORT = "import", _("导入")
        APPLICATION = "application", _("申报")
        OFFICER = "officer", _("人工录入")

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(_("事项类别"), max_length=40)
    year = models.PositiveSmallIntegerField(_("年度"))
    key = models.CharField(_("编号"), max_length=64)
    label = models.CharField(_("名称"), max_length=200, blank=True)
    facts = models.JSONField(_("数据"), default=dict)
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices, default=Source.IMPORT)
    reference = models.CharField(_("来源单号"), max_length=64, blank=True)
    updated_at = models.DateTimeField(auto_now=True, db_default=Now(), db_index=True)

    class Meta:
        verbose_name = _("企业事项")
        verbose_name_plural = _("企业事项")
        constraints = [models.UniqueConstraint(fields=["enterprise", "kind", "key"], name="enterprise_item_unique")]
        indexes = [models.Index(fields=["kind", "year"]), models.Index(fields=["enterprise", "kind"])]
        ordering = ["enterprise", "kind", "year", "key"]

    def __str__(self) -> str:
        return f"{self.kind}:{self.key}"


class IndicatorDefinition(models.Model):
    """A yearly indicator the registry keeps. New indicators are rows here, not schema changes."""

    class Kind(models.TextChoices):
        MONEY = "money", _("金额（元）")
        COUNT = "count", _("数量")
        QUANTITY = "quantity", _("计量值")
        RATIO = "ratio", _("比例")
        BOOL = "bool", _("是/否")
        DATE = "date", _("日期")
        LEVEL = "level", _("等级（有序列表）")

    code = models.SlugField(_("代码"), max_length=40, primary_key=True)
    name = models.CharField(_("名称"), max_length=40, unique=True)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    unit = models.CharField(_("单位"), max_length=16, blank=True)
    allow_negative = models.BooleanField(_("允许负数"), default=False)
    levels = models.JSONField(_("等级（由低到高）"), default=list, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("年度指标")
        verbose_name_plural = _("年度指标")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.unit}）"


class EnterpriseYear(models.Model):
    """An enterprise's indicators for one year: ``values`` maps indicator code to a decimal
    string (exact; money in yuan). A missing key means "not reported", never zero."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="years")
    year = models.PositiveSmallIntegerField(_("年度"))
    values = models.JSONField(_("指标值"), default=dict)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("年度数据")
        verbose_name_plural = _("年度数据")
        ordering = ["enterprise", "-year"]
        constraints = [models.UniqueConstraint(fields=["enterprise", "year"],
                                               name="enterprise_year_unique")]
        indexes = [models.Index(fields=["year", "enterprise"])]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.year}"

    def value(self, code: str) -> Decimal | None:
        raw = self.values.get(code)
        return None if raw is None else Decimal(raw)
