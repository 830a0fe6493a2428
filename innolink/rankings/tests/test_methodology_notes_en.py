"""Ranking methodology notes and tie rules read in English on English pages: each shipped file
carries ``note_en`` (ADR 0799); a list shows the note of the edition it was computed with."""

from __future__ import annotations

import re

import pytest

from innolink.engines.ranking import load_methodologies
from innolink.rankings.methods import DEFAULT_DIR
from innolink.rankings.tests.factories import notice_run, published_run

pytestmark = pytest.mark.usefixtures("small_lists")

CJK = re.compile(r"[\u4e00-\u9fff]")
FOLDERS = [DEFAULT_DIR, DEFAULT_DIR / "2024"]


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda f: f.name)
def test_every_shipped_methodology_has_an_english_note_section_for_section(folder):
    for list_id, m in load_methodologies(folder).items():
        assert m.note_en and not CJK.search(m.note_en), list_id
        zh_sections = re.findall(r"(?m)^[一二三四五六七八九]、", m.note_zh)
        en_sections = re.findall(r"(?m)^\d\. ", m.note_en)
        assert len(en_sections) == len(zh_sections) > 0, list_id
        if m.tie_rule.note_zh:
            assert m.tie_rule.note_en and not CJK.search(m.tie_rule.note_en), list_id


def _page(client, url: str, language: str) -> str:
    client.cookies["django_language"] = language
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_public_list_reads_its_method_in_the_readers_language(client, population, organizer):
    notice_run(2025, organizer)
    url = "/rankings/public/2025/comprehensive_100/"

    english = _page(client, url, "en")
    assert "Indicators and weights: operating revenue 35%" in english
    assert "营业收入35%" not in english
    assert ("Enterprises whose composite scores are equal to 6 decimal places share a rank, "
            "listed by operating revenue, then total tax paid") in english
    assert "综合得分（保留6位小数）" not in english

    chinese = _page(client, url, "zh-hans")
    assert "营业收入35%" in chinese and "综合得分（保留6位小数）相同者并列同一名次" in chinese
    assert "Indicators and weights" not in chinese


def test_a_tie_rule_without_an_english_note_is_worded_from_the_rule(client, population, organizer):
    notice_run(2025, organizer)
    english = _page(client, "/rankings/public/2025/green_50/", "en")
    assert ("share a rank, listed by energy use per unit of revenue, lowest first, then revenue, "
            "highest first; any still equal are listed by enterprise number, ascending.") in english
    assert "单位营业收入能耗升序" not in english


def test_a_2024_list_reads_the_note_of_its_own_edition(client, population, organizer):
    published_run(2024, organizer)
    english = _page(client, "/rankings/public/2024/comprehensive_100/", "en")
    assert "[2024 edition] First assessment" in english
    assert "employees 5%." in english and "operating revenue growth 10%" not in english
