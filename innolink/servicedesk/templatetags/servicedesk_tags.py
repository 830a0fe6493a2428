"""Template filters of the service desk."""

from django import template
from django.utils.translation import gettext

register = template.Library()


@register.filter
def tr(value):
    """Translate a stored name the platform ships (a category, a department): ``{{ c.name|tr }}``;
    names an operator added are shown as written."""
    return gettext(str(value)) if value else value
