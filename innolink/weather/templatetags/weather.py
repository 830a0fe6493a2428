"""``{% load weather %}{% event_weather event %}``: the weather risk products attached to a
scheduled event, for the event's pages."""

from django import template

register = template.Library()


@register.inclusion_tag("weather/_event_weather.html")
def event_weather(event):
    from innolink.weather.selectors import forecasts_for_event

    return {"products": list(forecasts_for_event(event)[:3])}


@register.filter
def exposure_label(code: str) -> str:
    from django.utils.translation import gettext

    from innolink.weather.fetch import exposure_labels

    label = exposure_labels().get(code)
    return gettext(label) if label else code
