from __future__ import annotations

import yaml
from django import template

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
