from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.utils import timezone
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


class DeclarationForm(forms.Form):
    """One field per declared indicator; money in 万元 (6 places = exact to the fen)."""

    attested_name = forms.CharField(label=_("法定代表人姓名"), max_length=64, required=False)
    attest = forms.BooleanField(label=_("本人作为企业法定代表人，承诺以上数据真实、准确、完整，"
                                        "并愿意承担相应责任"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for f in checks.DECLARED_FIELDS:
            label = f"{f.label}（万元）" if f.kind == "money" else f.label
            places = 6 if f.kind == "money" else (0 if f.kind == "count" else 4)
            self.fields[f.code] = forms.DecimalField(
                label=label, required=False, max_digits=20, decimal_places=places,
                widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}))
        self.order_fields([f.code for f in checks.DECLARED_FIELDS])

    def indicator_fields(self):
        return [self[f.code] for f in checks.DECLARED_FIELDS]

    @staticmethod
    def initial_from(values: dict[str, str]) -> dict[str, str]:
        """Registry or declaration values (yuan) → form values (万元)."""
        out = {}
        for f in checks.DECLARED_FIELDS:
            raw = values.get(f.code)
            if raw in (None, ""):
                continue
            v = Decimal(str(raw))
            shown = (v / 10_000) if f.kind == "money" else v
            out[f.code] = f"{shown.normalize():f}"
        return out


def apply_errors(form: forms.Form, fields: dict[str, list[str]]) -> None:
    """Put a service's field errors on the form (unknown names become form errors)."""
    for name, messages in fields.items():
        for message in messages:
            form.add_error(name if name in form.fields else None, message)
