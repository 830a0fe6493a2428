from django import forms
from django.utils.translation import gettext_lazy as _

from innolink.enterprises import reference
from innolink.enterprises.models import Ownership, SizeClass, qualification_types


class EnterpriseFilterForm(forms.Form):
    q = forms.CharField(label=_("名称或信用代码"), required=False, max_length=100)
    town = forms.ChoiceField(label=_("镇街"), required=False,
                             choices=[("", _("全部镇街"))] + reference.TOWN_CHOICES)
    section = forms.ChoiceField(label=_("行业门类"), required=False,
                                choices=[("", _("全部行业"))] + reference.SECTION_CHOICES)
    ownership = forms.ChoiceField(label=_("所有制"), required=False,
                                  choices=[("", _("全部所有制"))] + Ownership.choices)
    size_class = forms.ChoiceField(label=_("规模"), required=False,
                                   choices=[("", _("全部规模"))] + SizeClass.choices)
    tag = forms.ChoiceField(label=_("资质"), required=False, choices=[("", _("全部资质"))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from innolink.enterprises.models import QualificationType

        self.fields["tag"].choices = [("", _("全部资质"))] + list(
            QualificationType.objects.values_list("code", "name"))


class ImportUploadForm(forms.Form):
    file = forms.FileField(label=_("数据文件（.xlsx 或 .csv）"))


class QualificationTypeForm(forms.Form):
    code = forms.SlugField(label=_("代码"), max_length=40, help_text=_("小写字母开头，如 gazelle"))
    name = forms.CharField(label=_("名称"), max_length=60)
    issuer = forms.CharField(label=_("认定机构"), max_length=100, required=False)
    levels = forms.CharField(label=_("等级（由低到高，每行“代码 名称”）"), required=False,
                             widget=forms.Textarea(attrs={"rows": 4}),
                             help_text=_("不分等级则留空。例：provincial 省级专精特新中小企业"))
    validity_years = forms.IntegerField(label=_("有效期（年）"), required=False, min_value=1, max_value=50)
    renewal_is_new = forms.BooleanField(label=_("重新认定视同新认定"), required=False)

    def parsed_levels(self) -> list[dict[str, str]]:
        out = []
        for line in (self.cleaned_data.get("levels") or "").splitlines():
            parts = line.strip().split(None, 1)
            if parts:
                out.append({"code": parts[0], "name": parts[1] if len(parts) > 1 else ""})
        return out


class ItemKindForm(forms.Form):
    code = forms.SlugField(label=_("代码"), max_length=40)
    name = forms.CharField(label=_("名称"), max_length=60)
    facts = forms.CharField(label=_("数据项（每行“代码|名称|类型|单位或取值”）"), widget=forms.Textarea(attrs={"rows": 6}),
                            help_text=_("类型：money、count、quantity、ratio、bool、date、level、category、text；"
                                        "count/quantity 填单位，level/category 填以、分隔的取值。例：amount|设备购置金额|money"))

    def parsed_facts(self) -> dict[str, dict]:
        out: dict[str, dict] = {}
        for line in (self.cleaned_data.get("facts") or "").splitlines():
            parts = [p.strip() for p in line.split("|")]
            if not parts or not parts[0]:
                continue
            spec = {"name": parts[1] if len(parts) > 1 else "", "kind": parts[2] if len(parts) > 2 else ""}
            extra = parts[3] if len(parts) > 3 else ""
            if spec["kind"] in ("count", "quantity"):
                spec["unit"] = extra
            elif spec["kind"] in ("category", "level"):
                spec["choices"] = [c for c in extra.replace(",", "、").split("、") if c]
            out[parts[0]] = spec
        return out


class IndicatorForm(forms.Form):
    code = forms.SlugField(label=_("代码"), max_length=40)
    name = forms.CharField(label=_("名称"), max_length=40)
    kind = forms.ChoiceField(label=_("类型"), choices=[])
    unit = forms.CharField(label=_("单位"), max_length=16, required=False,
                           help_text=_("数量、计量值必填（件、人、吨标准煤…）；金额、比例自动"))
    levels = forms.CharField(label=_("等级（由低到高，以、分隔）"), required=False,
                             help_text=_("类型为“等级”时必填，如 D、C、M、B、A"))
    allow_negative = forms.BooleanField(label=_("允许负数"), required=False)

    def __init__(self, *args, **kwargs):
        from innolink.enterprises.models import IndicatorDefinition

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = IndicatorDefinition.Kind.choices

    def parsed_levels(self) -> list[str]:
        return [v.strip() for v in (self.cleaned_data.get("levels") or "").replace(",", "、").split("、") if v.strip()]


class QualificationForm(forms.Form):
    type = forms.ChoiceField(label=_("资质类型"), choices=[])
    level = forms.CharField(label=_("等级"), max_length=60, required=False,
                            help_text=_("分等级的资质填写等级名称或代码"))
    certified_on = forms.DateField(label=_("认定日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    expires_on = forms.DateField(label=_("有效期至"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    first = forms.ChoiceField(label=_("首次或重新认定"), required=False,
                              choices=[("", _("未知")), ("1", _("首次认定")), ("0", _("重新认定"))])
    reference = forms.CharField(label=_("证书编号或文号"), max_length=64, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [(code, q.name) for code, q in qualification_types().items()]

    def first_value(self):
        return {"1": True, "0": False}.get(self.cleaned_data.get("first") or "")


class FactImportForm(forms.Form):
    what = forms.ChoiceField(label=_("导入内容"), choices=[("qualifications", _("企业资质（每行一条认定）")),
                                                        ("items", _("企业事项（每行一个项目、专利、设备等）"))])
    file = forms.FileField(label=_("数据文件（.xlsx 或 .csv）"))
