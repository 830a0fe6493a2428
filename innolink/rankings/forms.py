from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from innolink.rankings import checks
from innolink.rankings.models import RankingEntry


class RunStartForm(forms.Form):
    year = forms.TypedChoiceField(label=_("数据年度"), coerce=int)
    samples = forms.IntegerField(label=_("扰动样本数（留空按方法文件）"), required=False,
                                 min_value=10, max_value=5000)

    def __init__(self, *args, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, str(y)) for y in years]
        past = [y for y in years if y < timezone.localdate().year]
        if years and not self.is_bound:
            self.initial.setdefault("year", max(past or years))


class NoticeForm(forms.Form):
    closes_on = forms.DateField(label=_("公示截止日期"),
                                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("closes_on", timezone.localdate() + dt.timedelta(days=7))


class EntryReviewForm(forms.Form):
    decision = forms.ChoiceField(label=_("复核结论"), choices=[
        (RankingEntry.Review.CONFIRMED, _("确认")), (RankingEntry.Review.QUERIED, _("存疑"))])
    note = forms.CharField(label=_("复核意见"), required=False, max_length=300)


class ObjectionForm(forms.Form):
    name = forms.CharField(label=_("实名"), max_length=64)
    phone = forms.CharField(label=_("联系电话"), max_length=20)
    organization = forms.CharField(label=pgettext_lazy("rankings", "单位"), max_length=200, required=False)
    enterprise = forms.TypedChoiceField(label=_("所涉企业"), required=False, coerce=int,
                                        empty_value=None)
    content = forms.CharField(label=_("异议内容（事实与理由）"), widget=forms.Textarea(
        attrs={"rows": 4}), max_length=2000)

    def __init__(self, *args, enterprises=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].choices = [("", _("（不涉及具体企业）"))] + [
            (e.pk, e.name) for e in enterprises]


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("答复"), widget=forms.Textarea(attrs={"rows": 3}),
                             max_length=2000)


class CorrectionForm(forms.Form):
    description = forms.CharField(label=_("更正内容"), widget=forms.Textarea(attrs={"rows": 3}),
                                  max_length=2000)
    enterprise = forms.IntegerField(label=_("所涉企业编号"), required=False, min_value=1)


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("退回原因"), widget=forms.Textarea(attrs={"rows": 3}),
                             max_length=2000)


#: The declared indicators' names and units in the reader's language (checks.py is pure and
#: keeps the Chinese source; these are the same msgids).
DECLARED_LABELS = {
    "revenue": _("营业收入"), "total_assets": _("资产总额"), "net_profit": _("净利润"),
    "tax_paid": _("纳税总额"), "fiscal_contribution": _("地方财政贡献"),
    "rd_expense": _("研发费用"), "invention_patents": _("有效发明专利"), "exports": _("出口额"),
    "imports": _("进口额"), "employees": _("从业人员"), "energy_consumption": _("综合能耗"),
    "equipment_investment": _("设备投资"),
}
gettext_noop("%(name)s（%(unit)s）")  # the label format, translated in _name_with_unit
DECLARED_UNITS = {"万元": _("万元"), "件": _("件"), "人": _("人"), "吨标准煤": _("吨标准煤")}


def declared_label(f) -> str:
    """``营业收入（万元）``: the indicator's name with the unit it is entered in."""
    name = DECLARED_LABELS.get(f.code, f.label)
    unit = checks.unit(f)
    return _with_unit(name, DECLARED_UNITS.get(unit, unit)) if unit else name


def _name_with_unit(name, unit) -> str:
    return gettext("%(name)s（%(unit)s）") % {"name": name, "unit": unit}


_with_unit = lazy(_name_with_unit, str)


class DeclarationForm(forms.Form):
    """One field per declared indicator. Money is entered and shown in 万元 with two places
    (as officials read it), other quantities without trailing zeros. A prefilled amount the
    enterprise leaves as shown keeps its exact registry value to the fen (``yuan_values``)."""

    attested_name = forms.CharField(label=_("法定代表人姓名"), max_length=64, required=False)
    attest = forms.BooleanField(label=_("本人作为企业法定代表人，承诺以上数据真实、准确、完整，"
                                        "并愿意承担相应责任"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for f in checks.DECLARED_FIELDS:
            # money is shown with two places in 万元 but an exact figure (to the fen) is accepted
            places = 6 if f.kind == "money" else (0 if f.kind == "count" else 4)
            self.fields[f.code] = forms.DecimalField(
                label=declared_label(f), required=False, max_digits=20, decimal_places=places,
                widget=forms.NumberInput(attrs={
                    "step": "any", "inputmode": "numeric" if f.kind == "count" else "decimal"}))
        self.order_fields([f.code for f in checks.DECLARED_FIELDS])

    def indicator_fields(self):
        return [self[f.code] for f in checks.DECLARED_FIELDS]

    @staticmethod
    def initial_from(values: dict[str, str]) -> dict[str, str]:
        """Registry or declaration values (yuan) → form values: 万元 with two places for money,
        other quantities without trailing zeros (``"9042.71"``, ``"12000"``, ``"320.91"``)."""
        out = {}
        for f in checks.DECLARED_FIELDS:
            raw = values.get(f.code)
            if raw in (None, ""):
                continue
            v = Decimal(str(raw))
            shown = checks.wan(v) if f.kind == "money" else checks.plain(v)
            if shown == shown.to_integral_value():  # 12000, not 12000.00
                shown = shown.quantize(Decimal(1))
            out[f.code] = f"{shown:f}"
        return out

    def yuan_values(self, exact: dict[str, str]) -> dict[str, Decimal | None]:
        """Cleaned form values in the stored units (yuan for money). An amount left as it was
        shown (``exact`` rounded to 万元) keeps ``exact``: showing two places loses no fen."""
        from innolink.rankings.services import to_yuan

        out: dict[str, Decimal | None] = {}
        for f in checks.DECLARED_FIELDS:
            value = self.cleaned_data.get(f.code)
            raw = exact.get(f.code)
            if (f.kind == "money" and value is not None and raw not in (None, "")
                    and checks.wan(Decimal(str(raw))) == value):
                out[f.code] = Decimal(str(raw))
            else:
                out[f.code] = to_yuan(value, f.kind)
        return out


def apply_errors(form: forms.Form, fields: dict[str, list[str]]) -> None:
    """Put a service's field errors on the form (unknown names become form errors)."""
    for name, messages in fields.items():
        for message in messages:
            form.add_error(name if name in form.fields else None, message)
