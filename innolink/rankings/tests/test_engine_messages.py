"""The ranking engine refuses with a Chinese message id and values; the rankings app words it in
the reader's language when it refuses and when a stored failure is read (ADR 0792). The
methodology files are parsed again only when one changed."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.utils import translation
from django.utils.translation import gettext

from innolink.core.errors import ApplicationError
from innolink.core.jobs import job_run
from innolink.core.models import Job
from innolink.rankings import methods, services
from innolink.rankings.errors import ENGINE_MESSAGES
from innolink.rankings.models import RankingRun

ENGINE = Path(__file__).resolve().parents[2] / "engines" / "ranking"
CJK = re.compile(r"[\u4e00-\u9fff]")
TITLE_EN = "Jinjiang Top 100 Private Enterprises by Overall Strength"


def _engine_msgids() -> set[str]:
    """Every message the ranking engine refuses with: ``RankingError``'s second argument, the
    first of its helpers ``_invalid`` and ``_bad``; each must be a literal."""
    found = set()
    for path in sorted(ENGINE.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                at = {"RankingError": 1, "_invalid": 0, "_bad": 0}.get(node.func.id)
                if at is not None and len(node.args) > at:
                    arg = node.args[at]
                    if isinstance(arg, ast.Name) and arg.id == "msgid":
                        continue  # the helpers pass their own argument on
                    assert isinstance(arg, ast.Constant), f"{path.name}:{node.lineno} builds its message"
                    found.add(arg.value)
    return found


def test_every_engine_message_is_listed_for_the_catalogue_and_has_english():
    assert _engine_msgids() == set(ENGINE_MESSAGES)
    with translation.override("en"):
        untranslated = [m for m in ENGINE_MESSAGES if gettext(m) == m]
    assert untranslated == []


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_run_failing_in_its_job_stores_the_message_id_and_reads_in_each_language(
        client, population, organizer, small_lists, language):
    run = services.run_start(year=2025, actor=organizer)
    # the file changes after the run was accepted: its job finds the list too large
    _edit(small_lists / "comprehensive_100.yaml", "list_size: 5", "list_size: 500")
    with translation.override(language):  # the language the job happens to run in
        job_run(run.job)
    run.refresh_from_db()
    assert run.status == RankingRun.Status.FAILED
    assert run.error["code"] == "ranking.list_size_exceeds_population"
    assert run.error["msgid"] == "“%(title)s”需 %(list_size)s 家，但合格企业只有 %(eligible)s 家"
    eligible = run.error["params"]["eligible"]
    chinese_text = f"“晋江市民营企业综合实力100强”需 500 家，但合格企业只有 {eligible} 家"
    assert run.error["message"] == chinese_text  # Chinese whatever the job's language
    english_text = f"“{TITLE_EN}” needs 500 enterprises but only {eligible} are eligible"

    client.force_login(organizer)
    english = client.get(f"/rankings/runs/{run.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    chinese = client.get(f"/rankings/runs/{run.pk}/",
                         HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert english_text in english and "合格企业只有" not in english
    assert chinese_text in chinese and "eligible" not in chinese
    body = client.get(f"/api/rankings/runs/{run.pk}", HTTP_ACCEPT_LANGUAGE="en").json()
    assert body["error"]["message"] == english_text
    job = Job.objects.get(pk=run.job.pk)
    assert job.status == Job.Status.FAILED and job.message == run.error["msgid"]


def test_a_refusal_while_starting_a_run_reads_in_english_and_writes_nothing(
        population, organizer, small_lists):
    _edit(small_lists / "comprehensive_100.yaml", "name: tax_paid,", "name: tax_paidd,")
    with translation.override("en"), pytest.raises(ApplicationError) as info:
        services.run_start(year=2025, actor=organizer)
    assert info.value.code == "ranking.unknown_indicator" and info.value.status == 422
    assert info.value.message.endswith("names an unknown indicator “tax_paidd”")
    assert not CJK.search(info.value.message)
    assert info.value.msgid == "%(where)s 引用了未知指标“%(indicator)s”"
    assert not RankingRun.objects.exists() and not Job.objects.exists()


def test_old_bilingual_rows_are_split_once_by_the_migration(client, organizer):
    migration = importlib.import_module("innolink.rankings.migrations.0002_run_error_halves")
    old = RankingRun.objects.create(year=2025, status=RankingRun.Status.FAILED, error={
        "code": "ranking.missing_field", "extra": {"fields": ["tax_paid"]},
        "message": "数据快照缺少字段 ['tax_paid'] / snapshot lacks fields ['tax_paid']"})
    new = RankingRun.objects.create(year=2024, status=RankingRun.Status.FAILED, error={
        "code": "ranking.invalid_snapshot", "message": "企业编号重复", "msgid": "企业编号重复",
        "params": {}, "extra": {}})
    migration.split_halves(apps, None)
    old.refresh_from_db()
    new.refresh_from_db()
    assert old.error == {"code": "ranking.missing_field", "extra": {"fields": ["tax_paid"]},
                         "message": "数据快照缺少字段 ['tax_paid']",
                         "message_en": "snapshot lacks fields ['tax_paid']"}
    assert "message_en" not in new.error
    with translation.override("en"):
        assert (old.error_message, new.error_message) == (
            "snapshot lacks fields ['tax_paid']", "Enterprise ids are not unique")
    with translation.override("zh-hans"):
        assert (old.error_message, new.error_message) == ("数据快照缺少字段 ['tax_paid']", "企业编号重复")
    migration.join_halves(apps, None)
    old.refresh_from_db()
    assert old.error["message"] == "数据快照缺少字段 ['tax_paid'] / snapshot lacks fields ['tax_paid']"


def test_methodologies_are_parsed_again_only_after_an_edit(small_lists):
    first = services.methodologies()
    again = services.methodologies()
    assert again["comprehensive_100"] is first["comprehensive_100"]  # not parsed again
    assert first["comprehensive_100"].list_size == 5
    _edit(small_lists / "comprehensive_100.yaml", "list_size: 5", "list_size: 7")
    edited = services.methodologies()
    assert edited["comprehensive_100"].list_size == 7  # the edit shows at the next read
    assert edited["green_50"] == first["green_50"]
    edited.pop("green_50")  # a caller's dict is its own: the cache keeps every list
    assert "green_50" in services.methodologies()


@pytest.mark.parametrize("language, title, headers, other", [
    ("en", TITLE_EN, ["Revenue", "Higher is better", "10,000 yuan"], "晋江市民营企业综合实力100强"),
    ("zh-hans", "晋江市民营企业综合实力100强", ["营业收入", "越高越好", "万元"], TITLE_EN),
])
def test_the_public_list_reads_in_the_readers_language(client, population, organizer, small_lists,
                                                       language, title, headers, other):
    from innolink.rankings.tests.factories import notice_run

    notice_run(2025, organizer)
    page = client.get("/rankings/public/2025/comprehensive_100/",
                      HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert f"<h1>{title}</h1>" in page and other not in page
    assert all(h in page for h in headers), [h for h in headers if h not in page]
    index = client.get("/rankings/public/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert title in index


def test_every_indicator_word_of_the_engine_is_listed_and_has_english():
    from innolink.engines.ranking.derive import BUILTIN_DERIVED
    from innolink.engines.ranking.fields import FIELDS

    words = ({s.label_zh for s in FIELDS.values()} | {d.label_zh for d in BUILTIN_DERIVED.values()}
             | {d.unit for d in BUILTIN_DERIVED.values()} | {s.unit for s in FIELDS.values()})
    listed = set(methods.INDICATOR_WORDS)
    assert {w for w in words if CJK.search(w)} - {"元"} <= listed
    with translation.override("en"):
        assert [w for w in methods.INDICATOR_WORDS if CJK.search(gettext(w))] == []
