"""Forms: they parse and show; every rule is checked again by the service."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy as _

from innolink.accounts.models import Department
from innolink.servicedesk.models import Category, Channel, Kind, Rating, Session, Status
from innolink.servicedesk.reference import town_choices

TOWN_CHOICES_LABELLED = town_choices()


def _categories():
    return [("", _("请选择"))] + [(c.code, gettext(c.name))
                                for c in Category.objects.filter(active=True)]


def _departments():
    return [("", _("请选择"))] + [(d.code, gettext(d.name))
                                for d in Department.objects.order_by("name")]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [f for f in data if f]
        return [data] if data else []


class RequestForm(forms.Form):
    category = forms.ChoiceField(label=_("诉求类别"))
    kind = forms.ChoiceField(label=_("诉求类型"), choices=Kind.choices, initial=Kind.HELP)
    title = forms.CharField(label=_("标题（选填）"), max_length=100, required=False)
    description = forms.CharField(label=_("诉求内容"), widget=forms.Textarea(attrs={"rows": 6}),
                                  max_length=5000, required=False)
    town = forms.ChoiceField(label=_("问题所在镇街"), choices=TOWN_CHOICES_LABELLED)
    urgent = forms.BooleanField(label=_("紧急（影响生产经营、需当天处理）"), required=False)
    attachments = MultipleFileField(label=_("附件（选填，最多 5 个，每个不超过 10 MB）"),
                                    required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = _categories()


class FilterForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), required=False,
                               choices=[("", _("全部")), ("open", _("未办结")), *Status.choices])
    category = forms.ChoiceField(label=_("诉求类别"), required=False)
    town = forms.ChoiceField(label=_("镇街"), required=False,
                             choices=[("", _("全部")), *TOWN_CHOICES_LABELLED])
    channel = forms.ChoiceField(label=_("渠道"), required=False,
                                choices=[("", _("全部")), *Channel.choices])
    overdue = forms.BooleanField(label=_("只看超时"), required=False)
    q = forms.CharField(label=_("编号/标题/企业"), required=False, max_length=100)
    #: the year received (the overview's 受理企业诉求 links here with its year)
    year = forms.IntegerField(label=_("受理年度"), required=False, min_value=2000,
                              max_value=2100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("全部"))] + [
            (c.code, gettext(c.name)) for c in Category.objects.all()]


class RoutingRuleForm(forms.Form):
    category = forms.ChoiceField(label=_("诉求类别"))
    town = forms.ChoiceField(label=_("镇街"), required=False,
                             choices=[("", _("全部镇街")), *TOWN_CHOICES_LABELLED])
    lead = forms.ChoiceField(label=_("牵头部门"))
    co_departments = forms.MultipleChoiceField(label=_("协办部门"), required=False,
                                               widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(label=_("说明"), required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = _categories()
        self.fields["lead"].choices = _departments()
        self.fields["co_departments"].choices = _departments()[1:]


class SettingsForm(forms.Form):
    fallback_department = forms.ChoiceField(label=_("兜底部门"), required=False)
    office_hours = forms.CharField(label=_("工作时间"), max_length=64)
    callback_percent = forms.IntegerField(label=_("回访抽样比例（%）"), min_value=0, max_value=100)
    duplicate_threshold = forms.DecimalField(label=_("重复诉求相似度阈值"), max_digits=3,
                                             decimal_places=2)
    escalate_hours = forms.IntegerField(label=_("超时多少工作小时后升级督办"), min_value=1,
                                        max_value=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fallback_department"].choices = [("", _("不设（待协调员分派）"))] + \
            _departments()[1:]


class VisitForm(forms.Form):
    visited_on = forms.DateField(label=_("走访日期"), widget=forms.DateInput(
        attrs={"type": "date"}, format="%Y-%m-%d"))
    people_met = forms.CharField(label=_("接待人员"), max_length=200, required=False)
    topics = forms.CharField(label=_("交流内容"), widget=forms.Textarea(attrs={"rows": 4}),
                             required=False, max_length=5000)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("visited_on", timezone.localdate())
        super().__init__(*args, **kwargs)


class SessionForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=Session.Kind.choices)
    title = forms.CharField(label=_("主题"), max_length=200, required=False)
    held_on = forms.DateField(label=_("日期"), widget=forms.DateInput(
        attrs={"type": "date"}, format="%Y-%m-%d"))
    host = forms.CharField(label=_("主持/接访领导"), max_length=100, required=False)
    place = forms.CharField(label=_("地点"), max_length=200, required=False)
    attendees = forms.CharField(label=_("参加部门和企业"), required=False,
                                widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("held_on", timezone.localdate())
        super().__init__(*args, **kwargs)


class RateForm(forms.Form):
    rating = forms.ChoiceField(label=_("评价"), choices=Rating.choices,
                               widget=forms.RadioSelect)
    comment = forms.CharField(label=_("意见（不满意时必填）"), required=False, max_length=500,
                              widget=forms.Textarea(attrs={"rows": 2}))


class UploadForm(forms.Form):
    file = forms.FileField(label=_("文件（.xlsx 或 .csv）"))
