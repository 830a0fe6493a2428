"""Bulk import of researchers by organizers: all or nothing, errors row by row, upsert by e-mail."""


import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from innolink.accounts.models import Institution
from innolink.accounts.roles import Role
from innolink.challenges import services
from innolink.challenges.models import ResearcherProfile
from innolink.core.errors import ApplicationError, PermissionDenied
from innolink.core.models import AuditEntry, Job
from innolink.enterprises.testing import make_user

pytestmark = pytest.mark.django_db

HEADER = "姓名,类型,邮箱,所属机构,站点类型,博士后站点,学科,研究方向,关键词,可投入情况,团队成员,关注领域\n"


def csv_file(*lines: str, encoding: str = "utf-8") -> bytes:
    return (HEADER + "".join(line + "\n" for line in lines)).encode(encoding)


@pytest.fixture
def institution(db):
    return Institution.objects.create(name="华侨大学", kind="university")


GOOD = "陈明,个人,chen@hqu.edu.cn,华侨大学,流动站,华侨大学材料学流动站,材料学,鞋材发泡,EVA 发泡,可承接新项目,,新材料与石油化工"
TEAM = "智能视觉团队,团队,team@hqu.edu.cn,华侨大学,无,,计算机,机器视觉,缺陷检测,可部分投入,甲;乙;丙,it"


def test_clean_file_is_imported_and_audited_and_reimport_changes_nothing(staff, institution):
    content = csv_file(GOOD, TEAM, encoding="gbk")
    outcome = services.researcher_import(actor=staff, content=content, filename="r.csv",
                                         commit=True)
    assert (outcome["created"], outcome["errors"], outcome["committed"]) == (2, [], True)
    team = ResearcherProfile.objects.get(email="team@hqu.edu.cn")
    assert team.kind == "team" and [m["name"] for m in team.members] == ["甲", "乙", "丙"]
    assert team.domains == ["it"] and team.availability == "partial"
    chen = ResearcherProfile.objects.get(email="chen@hqu.edu.cn")
    assert chen.domains == ["materials"] and chen.user is None
    assert AuditEntry.objects.filter(model="challenges.researcherprofile").count() == 2
    again = services.researcher_import(actor=staff, content=content, filename="r.csv",
                                       commit=True)
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 2)
    assert AuditEntry.objects.filter(model="challenges.researcherprofile").count() == 2


def test_one_bad_row_writes_nothing_and_every_error_is_reported(staff, institution):
    content = csv_file(GOOD, "王五,专家,chen@hqu.edu.cn,不存在大学,卫星站,,,,,很忙,,太空")
    # 研究方向 empty: a name and a field are the least a roster gives (decision 0353)
    outcome = services.researcher_import(actor=staff, content=content, filename="r.csv",
                                         commit=True)
    assert outcome["committed"] is False and ResearcherProfile.objects.count() == 0
    errors = {(e["row"], e["column"]): e["reason"] for e in outcome["errors"]}
    assert errors[(3, "类型")] == "应为 个人 或 团队"
    assert errors[(3, "站点类型")] == "应为 流动站、工作站 或 无"
    assert errors[(3, "可投入情况")].startswith("应为 可承接新项目")
    assert errors[(3, "关注领域")] == "无法识别的领域（应为六大领域之一）"
    assert errors[(3, "邮箱")] == "与第 2 行重复"
    assert errors[(3, "研究方向")] == "必填"
    assert (3, "所属机构") not in errors and (3, "学科") not in errors
    assert Institution.objects.filter(name="不存在大学").count() == 0


def test_unreadable_files_are_refused_with_a_reason(staff):
    with pytest.raises(ApplicationError) as exc:
        services.researcher_import(actor=staff, content=b"a,b\n1,2\n", filename="r.csv",
                                   commit=False)
    assert exc.value.code == "import_no_header"
    with pytest.raises(ApplicationError) as exc:
        services.researcher_import(actor=staff, content=b"x", filename="r.pdf", commit=False)
    assert exc.value.code == "import_bad_type"


def test_only_staff_may_import(poster, institution):
    with pytest.raises(PermissionDenied):
        services.researcher_import(actor=poster, content=csv_file(GOOD), filename="r.csv",
                                   commit=True)


def test_import_page_checks_a_small_file_in_the_request_and_offers_the_csv_report(
        client, staff, institution):
    client.force_login(staff)
    bad = SimpleUploadedFile("r.csv", csv_file("李四,个人,,华侨大学,流动站,站,学,,,,,"))
    response = client.post(reverse("challenges:researcher-import"), {"file": bad})
    assert response.status_code == 422
    assert "<td>研究方向</td><td></td><td>必填</td>" in response.content.decode()
    bad.seek(0)
    report = client.post(reverse("challenges:researcher-import"), {"file": bad,
                                                                    "format": "csv"})
    assert report["Content-Type"].startswith("text/csv")
    assert "研究方向" in report.content.decode("utf-8-sig")
    assert ResearcherProfile.objects.count() == 0 and Job.objects.count() == 0
    client.force_login(make_user(Role.ENTERPRISE))
    assert client.get(reverse("challenges:researcher-import")).status_code == 403
