from django import forms
from django.utils.translation import gettext_lazy as _

from innolink.enterprises import reference
from innolink.enterprises.models import Ownership, SizeClass, Tag


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
    tag = forms.ChoiceField(label=_("标签"), required=False,
                            choices=[("", _("全部标签"))] + Tag.choices)


class ImportUploadForm(forms.Form):
    file = forms.FileField(label=_("数据文件（.xlsx 或 .csv）"))
