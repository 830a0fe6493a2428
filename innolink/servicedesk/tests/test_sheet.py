"""The visit sheet: the enterprise's eligible-but-unclaimed policy amounts and missing facts from
the policy engine, and its open requests; as a page and as a PDF with Chinese fonts."""

from innolink.policies.services import policy_sync
from innolink.policies.tests.factories import high_tech_enterprise
from innolink.servicedesk import selectors, services


def test_sheet_lists_unclaimed_amounts_and_open_requests(client, desk, coordinator, cadre):
    policy_sync(actor=None, source="test")
    enterprise = high_tech_enterprise()
    services.cadre_assign(actor=coordinator, enterprise=enterprise, cadre=cadre)
    request = services.request_create(enterprise=enterprise, channel="visit", category="land",
                                      description="二期扩产缺地", actor=cadre)
    sheet = selectors.visit_sheet(enterprise)
    titles = [u[1] for u in sheet.unclaimed]
    assert any("高新技术企业" in t or "高企" in t for t in [u[0] for u in sheet.unclaimed] + titles)
    assert sheet.unclaimed_total > 0
    assert sheet.missing  # facts the registry lacks (e.g. R&D figures) are named
    assert sheet.open_requests == [request]
    client.force_login(cadre)
    page = client.get(f"/servicedesk/sheet/{enterprise.pk}/").content.decode()
    assert request.number in page and "万元" in page
    pdf = client.get(f"/servicedesk/sheet/{enterprise.pk}/?format=pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and len(pdf.content) > 5000
