import pytest

from innolink.servicedesk import services

PAGES = ["/servicedesk/requests/", "/servicedesk/requests/?view=all", "/servicedesk/new/",
         "/servicedesk/coordination/", "/servicedesk/overdue/", "/servicedesk/routing/",
         "/servicedesk/sessions/", "/servicedesk/sessions/new/", "/servicedesk/import/",
         "/servicedesk/cadres/", "/servicedesk/plans/", "/servicedesk/coverage/",
         "/servicedesk/visits/", "/servicedesk/measures/", "/servicedesk/measures/?by=month",
         "/servicedesk/measures/weekly.xlsx", "/", "/workspace/"]


@pytest.mark.parametrize("who", ["owner", "handler", "coordinator", "leader", "cadre"])
def test_pages_render(client, filed, who, request, company):
    user = request.getfixturevalue(who)
    if who == "cadre":
        services.cadre_assign(actor=request.getfixturevalue("coordinator"), enterprise=company,
                              cadre=user)
    client.force_login(user)
    for url in PAGES + [f"/servicedesk/requests/{filed.pk}/", f"/servicedesk/sheet/{company.pk}/"]:
        response = client.get(url)
        assert response.status_code in (200, 302, 403, 404), (url, response.status_code)
        print(who, url, response.status_code)
