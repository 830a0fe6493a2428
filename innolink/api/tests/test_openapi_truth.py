"""The published OpenAPI document is true to the API (decision 0020): one model per component
name, decimals published as the strings they are sent as; and a NUL character in any text
the API receives is a 422, never a database error."""

import json
from decimal import Decimal

import pytest
from django.test import Client
from ninja import NinjaAPI, Router, Schema

from innolink.accounts.roles import Role
from innolink.api.guards import reject_nul
from innolink.api.openapi import InnoLinkAPI, SchemaNameCollision
from innolink.core.models import AuditEntry
from innolink.enterprises.testing import make_user


def _two_apps_with_one_name(api):
    first, second = Router(), Router()

    class PartOut(Schema):
        value: Decimal

    class FirstOut(Schema):
        parts: list[PartOut]

    @first.get("/a", response=FirstOut)
    def read_a(request):
        return {"parts": []}

    PartTwo = type("PartOut", (Schema,), {"__annotations__": {"label": str}})

    class SecondOut(Schema):
        parts: list[PartTwo]

    @second.get("/b", response=SecondOut)
    def read_b(request):
        return {"parts": []}

    api.add_router("/first", first)
    api.add_router("/second", second)
    return api


def test_plain_ninja_lets_one_model_silently_win():
    document = _two_apps_with_one_name(NinjaAPI(urls_namespace="plain")).get_openapi_schema(
        path_prefix="")
    # the second definition replaced the first: /first's body is now described wrongly
    assert set(document["components"]["schemas"]["PartOut"]["properties"]) == {"label"}


def test_our_document_refuses_two_models_with_one_name():
    api = _two_apps_with_one_name(InnoLinkAPI(urls_namespace="strict"))
    with pytest.raises(SchemaNameCollision, match="PartOut"):
        api.get_openapi_schema(path_prefix="")


def test_published_document_builds_with_unique_names_and_string_decimals(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    document = response.json()
    schemas = document["components"]["schemas"]
    # the names the issue found colliding now each mean one thing
    for name in ("CatalogueIndicatorOut", "MatchIndicatorOut", "ReviewAssignmentOut",
                 "ReviewRefusedOut", "RefusedOut"):
        assert name in schemas, name
    assert set(schemas["RefusedOut"]["properties"]) == {"challenge_id", "researcher_id",
                                                        "reason"}
    # a challenge's indicator values go out as strings ("35.000000"), and the schema says so
    detail = document["paths"]["/api/challenges/{challenge_id}"]["get"]["responses"]["200"]
    ref = detail["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert "string" in _types(schemas[ref]["properties"]["funding"])
    assert _types(schemas[ref]["properties"]["funding"]) <= {"string", "null"}
    indicator_ref = schemas[ref]["properties"]["indicators"]["items"]["$ref"].rsplit("/", 1)[1]
    value = _types(schemas[indicator_ref]["properties"]["value"])
    assert "string" in value and value <= {"string", "null"}


def _types(schema: dict) -> set:
    """The JSON types a property schema allows (``type`` or an ``anyOf`` of types)."""
    if "type" in schema:
        return {schema["type"]}
    return {t for option in schema.get("anyOf", []) for t in _types(option)}


# --- NUL ------------------------------------------------------------------------------------

def _nul_api():
    api = InnoLinkAPI(urls_namespace="nul")
    api.add_decorator(reject_nul, mode="operation")
    router = Router()
    seen = []

    class ItemIn(Schema):
        name: str
        tags: list[str] = []

    class BodyIn(Schema):
        title: str
        items: list[ItemIn] = []

    @router.get("/search")
    def search(request, q: str = ""):
        seen.append(q)
        return {"q": q}

    @router.post("/things")
    def create(request, payload: BodyIn):
        seen.append(payload.title)
        return {"ok": True}

    api.add_router("/", router)
    return api, seen


def _fields(response) -> dict:
    body = json.loads(response.content)
    assert response.status_code == 422, body
    assert body["code"] == "invalid"
    return body["extra"]["fields"]


def test_nul_in_query_or_nested_body_is_422_before_the_handler():
    from ninja.testing import TestClient

    from innolink.api.errors import install_error_handlers

    api, seen = _nul_api()
    install_error_handlers(api)
    client = TestClient(api)

    assert list(_fields(client.get("/search", query_params={"q": "光刻\x00胶"}))) == ["q"]
    response = client.post("/things", json={"title": "ok", "items": [
        {"name": "fine", "tags": ["a", "b\u0000"]}]})
    assert list(_fields(response)) == ["items.0.tags.1"]
    assert seen == []  # the handler never ran
    assert client.get("/search", query_params={"q": "光刻胶"}).json() == {"q": "光刻胶"}
    assert seen == ["光刻胶"]


@pytest.mark.django_db
def test_nul_in_a_real_free_text_filter_is_422_and_writes_nothing():
    staff = make_user(Role.ORGANIZER)
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    audit_before = AuditEntry.objects.count()
    for params in ({"q": "晋江\x00"}, {"town": "\x00"}, {"status": "a\x00"}):
        response = client.get("/api/projects", params)
        assert response.status_code == 422, (params, response.content)
        assert response.json()["code"] == "invalid"
        assert response.json()["message"]
    assert client.get("/api/projects", {"q": "晋江"}).status_code == 200
    assert AuditEntry.objects.count() == audit_before
