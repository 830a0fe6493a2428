"""Template filters of the service desk."""

from django import template
from django.utils.translation import gettext

from innolink.servicedesk.reference import town_label

register = template.Library()


@register.filter
def tr(value):
    """Translate a stored name the platform ships (a category, a department): ``{{ c.name|tr }}``;
    names an operator added are shown as written."""
    return gettext(str(value)) if value else value


@register.filter
def town(code):
    """A stored town code by its name in the active language: ``{{ r.town|town }}``."""
    return town_label(code) if code else code
