from __future__ import annotations

import yaml
from django import template

from innolink.core import money

register = template.Library()


@register.filter
def rule_yaml(rule) -> str:
    """A clause's rule as the officer wrote it in the rule file."""
    if not rule:
        return ""
    return yaml.safe_dump(rule, allow_unicode=True, sort_keys=False, default_flow_style=None,
                          width=80).strip()


@register.filter
def abs_value(value):
    return abs(value) if value is not None else value


# exact yuan with separators, ``Decimal("1234567.8")`` → ``"1,234,567.80"`` (the unit 元 is
# written by the template, once per column or field)
register.filter("yuan", money.yuan_number)


@register.simple_tag
def widget(field, **attrs):
    """A form field's widget with the accessibility attributes of its state: an invalid field
    says so (``aria-invalid``) and names its error text (``aria-describedby``)."""
    extra = {k.replace("_", "-"): v for k, v in attrs.items()}
    if field.errors:
        extra["aria-invalid"] = "true"
        extra["aria-describedby"] = f"{field.id_for_label}-error"
    return field.as_widget(attrs=extra)


@register.filter
def get_item(mapping, key):
    return (mapping or {}).get(key)


@register.filter
def step(value) -> str:
    """One of the engine's steps or ledger notes in the page's language (see present.step_text)."""
    from innolink.policies.present import readable, step_text

    return readable(step_text(value)) or ""
