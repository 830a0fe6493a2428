from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from innolink.enterprises import reference


def validate_credit_code(value: str) -> None:
    error = reference.credit_code_error(value)
    if error:
        raise ValidationError(error, code="credit_code")


def validate_industry_code(value: str) -> None:
    try:
        normalized = reference.normalize_industry_code(value)
    except ValueError as exc:
        raise ValidationError(str(exc), code="industry_code") from exc
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


class EnterpriseTag(models.Model):
    """A qualification or flag, with its certificate dates where it has them."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="tags")
    tag = models.CharField(_("标签"), max_length=32, choices=Tag.choices)
    certified_on = models.DateField(_("认定日期"), null=True, blank=True)
    expires_on = models.DateField(_("有效期至"), null=True, blank=True)
    first_certified = models.BooleanField(_("首次认定"), null=True, blank=True)
    reference = models.CharField(_("证书编号"), max_length=64, blank=True)
    # db_default: rows inserted by plain SQL (the import's bulk insert) get the time too; the
    # policy scan's population snapshot reads the rows changed since it was taken by this index.
    updated_at = models.DateTimeField(auto_now=True, db_default=Now(), db_index=True)

    class Meta:
        verbose_name = _("企业标签")
        verbose_name_plural = _("企业标签")
        constraints = [models.UniqueConstraint(fields=["enterprise", "tag"],
                                               name="enterprise_tag_unique")]
        indexes = [models.Index(fields=["tag", "enterprise"])]

    def __str__(self) -> str:
        return self.get_tag_display()


class IndicatorDefinition(models.Model):
    """A yearly indicator the registry keeps. New indicators are rows here, not schema changes."""

    class Kind(models.TextChoices):
        MONEY = "money", _("金额（元）")
        COUNT = "count", _("数量")
        QUANTITY = "quantity", _("计量值")

    code = models.SlugField(_("代码"), max_length=40, primary_key=True)
    name = models.CharField(_("名称"), max_length=40, unique=True)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    unit = models.CharField(_("单位"), max_length=16)
    allow_negative = models.BooleanField(_("允许负数"), default=False)
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
