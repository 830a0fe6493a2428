"""Stored Chinese labels (towns, categories, channels, statuses, departments) show in the
page's language: the label table holds msgids and the app's English catalogue translates them."""

import pytest
from django.conf import settings
from django.utils import translation

from innolink.enterprises.reference import TOWN_CHOICES
from innolink.servicedesk import reference


def test_every_town_has_a_label_and_an_english_name():
    assert set(reference.TOWN_LABELS) == {code for code, _label in TOWN_CHOICES}
    with translation.override("zh-hans"):
        assert reference.town_label("陈埭") == "陈埭镇"
        assert reference.town_label("青阳") == "青阳街道"
    with translation.override("en"):
        english = {code: reference.town_label(code) for code in reference.TOWN_LABELS}
        assert english["陈埭"] == "Chendai Town"
        assert english["青阳"] == "Qingyang Subdistrict"
        assert all(name.isascii() for name in english.values()), english
        assert len(set(english.values())) == len(english)
        assert reference.town_label("外地") == "外地"  # not in the table: shown as stored


def test_shipped_categories_and_departments_are_translated():
    with translation.override("en"):
        for _code, name, _order in reference.CATEGORIES:
            assert translation.gettext(name).isascii(), name
        for name in reference.DEPARTMENT_NAMES:
            assert translation.gettext(name).isascii(), name


@pytest.mark.parametrize("language, town, category, channel, number",
                         [("en", "Chendai Town", "Land and premises", "Filed online by the enterprise", "Number"),
                          ("zh-hans", "陈埭镇", "用地用房", "企业网上提交", "编号")])
def test_queue_and_detail_name_the_town_in_the_page_language(client, filed, handler, language,
                                                             town, category, channel, number):
    client.force_login(handler)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    queue = client.get("/servicedesk/requests/").content.decode()
    assert f">{town}<" in queue and f">{category}<" in queue and f">{channel}<" in queue
    assert f"<th>{number}</th>" in queue
    detail = client.get(f"/servicedesk/requests/{filed.pk}/").content.decode()
    assert f"<dd>{town}</dd>" in detail
    if language == "en":
        assert "陈埭镇" not in queue and "陈埭镇" not in detail
