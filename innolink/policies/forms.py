from django import forms
from django.utils.translation import gettext, gettext_lazy as _

from innolink.policies.models import Application, Lane


class ClaimForm(forms.Form):
    """免申即享 confirmation / 快申快享 application. Prefilled; the amount is never typed."""

    account_holder = forms.CharField(label=_("账户名称"), max_length=200)
    bank_name = forms.CharField(label=_("开户银行"), max_length=100)
    bank_account = forms.CharField(label=_("银行账号"), max_length=40)
    contact_name = forms.CharField(label=_("联系人"), max_length=64, required=False)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=32, required=False)
    statement = forms.CharField(label=_("申报说明（选填）"), required=False,
                                widget=forms.Textarea(attrs={"rows": 3}))
    consent = forms.BooleanField(label=_("同意以平台已有数据核定并拨付（免申即享）"), required=False)


class ApplicationFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), required=False,
                               choices=[("", _("全部"))] + list(Application.Status.choices))
    lane = forms.ChoiceField(label=_("兑现方式"), required=False,
                             choices=[("", _("全部"))] + list(Lane.choices))
    policy = forms.IntegerField(label=_("政策"), required=False, min_value=1)
    overdue = forms.BooleanField(label=_("仅看超期"), required=False)
    q = forms.CharField(label=_("企业"), required=False, max_length=100)


class ApproveForm(forms.Form):
    """The officer's approval: the amount in 元 (prefilled with the computed or scaled amount),
    an optional note, and — only when required materials are missing — the reason to approve
    anyway (written into the audit trail)."""

    amount = forms.CharField(label=_("批准金额（元）"), required=False, max_length=20,
                             widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    note = forms.CharField(label=_("审核意见（选填）"), required=False, max_length=500)
    override_reason = forms.CharField(
        label=_("材料未齐仍批准的理由（记入审计）"), required=False, max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}))


class PayForm(forms.Form):
    amount = forms.CharField(label=_("本次拨付金额（元）"), max_length=20,
                             widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    note = forms.CharField(label=_("说明（选填）"), required=False, max_length=300)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由（必填）"), max_length=500)


class ClaimItemForm(forms.Form):
    """One repeated item on a 快申快享 claim (a project, a patent …): its name and the facts the
    clause reads (``claim_items.ItemsSpec``). The service checks the values; this form only
    renders and carries them, so a refused submission comes back as typed."""

    label = forms.CharField(label=_("名称"), required=False, max_length=200)

    def __init__(self, *args, spec=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.spec = spec
        for fact in spec.facts if spec else ():
            label = f"{fact.name}（{fact.unit}）" if fact.unit else fact.name
            if not fact.required:
                label = label + gettext("（选填）")
            if fact.kind in ("category", "level"):
                field = forms.ChoiceField(label=label, required=False,
                                          choices=[("", _("请选择"))] + [(c, c) for c in fact.choices])
            elif fact.kind == "bool":
                field = forms.ChoiceField(label=label, required=False,
                                          choices=[("", _("未填")), ("true", _("是")), ("false", _("否"))])
            elif fact.kind == "date":
                field = forms.CharField(label=label, required=False, max_length=10,
                                        widget=forms.DateInput(attrs={"type": "date"}))
            elif fact.kind in ("money", "count", "quantity", "ratio"):
                field = forms.CharField(label=label, required=False, max_length=32,
                                        widget=forms.TextInput(attrs={"inputmode": "decimal",
                                                                      "autocomplete": "off"}))
            else:
                field = forms.CharField(label=label, required=False, max_length=200)
            self.fields[fact.code] = field

    def typed(self) -> dict[str, str]:
        """What was typed, as strings (unchecked)."""
        return {name: str(self.data.get(self.add_prefix(name), "") or "").strip() for name in self.fields}


ClaimItemFormSet = forms.formset_factory(ClaimItemForm, extra=0, max_num=50, absolute_max=60)
