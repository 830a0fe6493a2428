"""The registry in the leaders' overview: enterprises by town (the map's base measure)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from innolink.dashboard.overview import Figure, Section
from innolink.dashboard.tallies import rollup


def overview_section(*, today: dt.date) -> Section | None:
    towns = {t: n for (t,), (n, _a) in rollup(["registry.enterprises"], by=("town",)).items()}
    return Section(key="registry", title=_("企业库"), order=5, figures=[Figure(
        key="registry.enterprises", label=_("在库企业"), value=sum(towns.values()), unit=_("家"),
        url=reverse("enterprises:list"), by_town={t: n for t, n in towns.items() if t},
        definition=_("企业库中的企业数，按所属镇街。"))])
