"""The push endpoint, the enterprise's notices and acknowledgement, staff pages, and who may see
what: another enterprise's notice is a 404, a wrong role a 403, and refusals write nothing."""


import pytest
from django.utils import timezone

from innolink.accounts.models import ApiToken
from innolink.accounts.roles import Role
from innolink.core.models import AuditEntry
from innolink.core.testing import assert_json_error, assert_json_success
from innolink.enterprises.testing import make_user
from innolink.weather import services
from innolink.weather.models import ForecastProduct, IndustrialPark, Notice, Warning
from innolink.weather.capdocs import cap

pytestmark = pytest.mark.django_db


def _token(user) -> str:
    token = ApiToken.generate()
    ApiToken.objects.create(user=user, name="feed", digest=ApiToken.hash(token), prefix=token[:8])
    return token


def _push(client, body, token=None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return client.post("/api/weather/cap", data=body, content_type="application/xml", **headers)


def test_push_needs_a_weather_token(client, feed, profiles, meteorologist, now):
    body = cap(identifier="API1", sent=now, city=True)
    assert_json_error(_push(client, body), 401, "not_authenticated")
    enterprise_token = _token(make_user(Role.ENTERPRISE, enterprise=profiles[0]))
    assert_json_error(_push(client, body, enterprise_token), 403, "permission_denied")
    assert Warning.objects.count() == 0
    token = _token(meteorologist)
    created = assert_json_success(_push(client, body, token), 201)
    assert created["outcome"] == "applied" and created["notices"] == 6
    again = assert_json_success(_push(client, body, token), 200)
    assert (again["outcome"], again["code"]) == ("ignored", "duplicate")
    bad = assert_json_error(_push(client, b"<not-cap/>", token), 422, "cap_not_cap")
    assert bad["extra"]["log_id"]
    assert Warning.objects.count() == 1


def test_enterprise_sees_only_its_notices_and_acknowledges(client, feed, profiles, now):
    services.cap_ingest(data=cap(identifier="N1", sent=now, city=True), source="push")
    mine = make_user(Role.ENTERPRISE, enterprise=profiles[0])
    other = Notice.objects.get(enterprise=profiles[1])
    own = Notice.objects.get(enterprise=profiles[0])
    client.force_login(mine)
    rows = assert_json_success(client.get("/api/weather/notices"))
    assert [r["id"] for r in rows] == [own.pk]
    assert_json_error(client.post(f"/api/weather/notices/{other.pk}/acknowledge",
                                  data={"measures": "x"}, content_type="application/json"),
                      404, "not_found")
    assert client.get(f"/weather/notices/{other.pk}/").status_code == 404
    audit_before = AuditEntry.objects.count()
    assert_json_error(client.post(f"/api/weather/notices/{own.pk}/acknowledge",
                                  data={"measures_done": ["不是通知里的措施"]},
                                  content_type="application/json"), 422, "invalid")
    assert AuditEntry.objects.count() == audit_before
    assert Notice.objects.get(pk=own.pk).acknowledged_at is None
    page = client.post(f"/weather/notices/{own.pk}/", {"done": [own.actions[0]],
                                                       "measures": "已加固集装箱"})
    assert page.status_code == 302
    own.refresh_from_db()
    assert own.acknowledged_at and own.measures_done == [own.actions[0]]
    warning = own.warning
    warning.refresh_from_db()
    assert warning.notices_acknowledged == 1
    # a second report updates the measures without counting twice
    client.post(f"/weather/notices/{own.pk}/", {"measures": "人员已撤离"})
    warning.refresh_from_db()
    assert warning.notices_acknowledged == 1
    home = client.get("/weather/")
    assert home.status_code == 200 and "已确认" in home.content.decode()


def test_staff_see_red_non_responders_and_others_are_refused(client, feed, profiles, now,
                                                              meteorologist):
    result = services.cap_ingest(data=cap(identifier="R1", sent=now, city=True), source="push")
    responder = make_user(Role.ENTERPRISE, enterprise=profiles[0])
    services.notice_acknowledge(actor=responder,
                                notice_id=Notice.objects.get(enterprise=profiles[0]).pk,
                                measures="已启动应急预案")
    organizer = make_user(Role.ORGANIZER)
    client.force_login(organizer)
    home = client.get("/weather/").content.decode()
    assert "5 / 6" in home
    rows = assert_json_success(client.get(f"/api/weather/warnings/{result.warning_id}/non-responders"))
    assert {r["enterprise_id"] for r in rows} == {e.pk for e in profiles[1:]}
    detail = client.get(f"/weather/warnings/{result.warning_id}/").content.decode()
    assert profiles[1].name in detail and profiles[0].name not in detail
    client.force_login(make_user(Role.RESEARCHER))
    assert client.get("/weather/").status_code == 403
    assert_json_error(client.get(f"/api/weather/warnings/{result.warning_id}/non-responders"),
                      403, "permission_denied")
    client.force_login(make_user(Role.PROVIDER))
    assert client.get("/weather/ingest/").status_code == 403
    client.force_login(meteorologist)
    assert client.get("/weather/ingest/").status_code == 200


def test_profile_and_forecasts_show_where_they_apply(client, meteorologist, now):
    from innolink.enterprises.testing import make_enterprise

    park = IndustrialPark.objects.create(name="五里工业园", town="安海")
    enterprise = make_enterprise(town="安海", industry_code="C1953")
    user = make_user(Role.ENTERPRISE, enterprise=enterprise)
    client.force_login(user)
    response = client.post("/weather/profile/", {"exposures": ["outdoor_work", "bogus"],
                                                 "park": park.pk})
    assert response.status_code == 422 and "未知的暴露类型" in response.content.decode()
    assert not hasattr(enterprise, "weather_profile") or enterprise.weather_profile is None
    assert client.post("/weather/profile/", {"exposures": ["outdoor_work"], "park": park.pk,
                                             "outdoor_staff": "12"}).status_code == 302
    today = timezone.localdate(now)
    services.forecast_create(actor=meteorologist, area="park", title="五里园区逐日预报",
                             valid_from=today, valid_to=today, risk="medium",
                             summary="午后雷阵雨", park_id=park.pk)
    services.forecast_create(actor=meteorologist, area="cluster", title="鞋服集群高温展望",
                             valid_from=today, valid_to=today, risk="low",
                             summary="本周高温", industry_prefix="C19")
    services.forecast_create(actor=meteorologist, area="cluster", title="食品集群展望",
                             valid_from=today, valid_to=today, risk="low",
                             summary="湿度大", industry_prefix="C14")
    page = client.get("/weather/").content.decode()
    assert "五里园区逐日预报" in page and "鞋服集群高温展望" in page and "食品集群展望" not in page
    with pytest.raises(Exception):
        services.forecast_create(actor=user, area="platform", title="x", valid_from=today,
                                 valid_to=today, risk="low", summary="x")
    client.force_login(meteorologist)
    before = ForecastProduct.objects.count()
    bad = client.post("/weather/forecasts/", {"area": "park", "title": "缺园区",
                                              "valid_from": today.isoformat(),
                                              "valid_to": today.isoformat(), "risk": "low",
                                              "summary": "x"})
    assert bad.status_code == 422 and ForecastProduct.objects.count() == before


def test_event_risk_shows_on_the_event_page(client, meteorologist, now):
    from innolink.events.models import Event

    event = Event.objects.create(title="深沪湾户外对接会", date=timezone.localdate(now), venue="深沪湾")
    services.forecast_create(actor=meteorologist, area="tourism", title="对接会当天风险",
                             valid_from=event.date, valid_to=event.date, risk="high",
                             summary="阵风7级", event_id=event.pk)
    from django.template import Context, Template

    html = Template("{% load weather %}{% event_weather event %}").render(Context({"event": event}))
    assert "对接会当天风险" in html
    # the meteorologist cannot open the event, so its name is not a link; organizer staff can
    client.force_login(meteorologist)
    page = client.get("/weather/forecasts/").content.decode()
    assert "深沪湾户外对接会" in page and f"/events/{event.pk}/agenda/" not in page
    client.force_login(make_user(Role.ORGANIZER))
    page = client.get("/weather/forecasts/").content.decode()
    assert f"/events/{event.pk}/agenda/" in page


def test_overview_reads_the_aggregates(feed, profiles, now, django_assert_max_num_queries):
    from innolink.weather.overview import overview_section

    services.cap_ingest(data=cap(identifier="O1", sent=now, city=True), source="push")
    with django_assert_max_num_queries(4):
        section = overview_section(today=timezone.localdate(now))
    figures = {f.key: f for f in section.figures}
    assert figures["weather.active_warnings"].value == 1
    assert figures["weather.red_non_responders"].value == 6
    assert figures["weather.red_non_responders"].by_town["深沪"] == 1
    assert len(section.late) == 1 and "6 家" in section.late[0].title
