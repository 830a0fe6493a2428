"""A client generated from the published OpenAPI document calls the API the way an outside
program would (decision 0020).

``DocumentClient`` knows nothing but ``/api/openapi.json``: it offers one call per
``operationId``, fills the path template, refuses parameters the document does not declare,
checks the request body against the document's request schema before sending, and checks the
answer against the schema the document publishes for that status, through the whole middleware
stack with CSRF enforced and a bearer token, as a script would. A real flow: an enterprise posts
a challenge (write), staff publish it, the public reads it (decimals included), a researcher
claims it (write), staff read the indicator catalogue."""

from __future__ import annotations

import json
from decimal import Decimal

import jsonschema_rs
import pytest
from django.test import Client

from innolink.accounts.roles import Role
from innolink.accounts.services import api_token_create
from innolink.challenges.models import Challenge, Proposal
from innolink.challenges.tests.factories import (
    challenge_data,
    make_poster,
    make_researcher,
    proposal_data,
)
from innolink.enterprises.testing import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.slow]  # its file starts first (decision 0797)


class DocumentError(AssertionError):
    """A request or an answer that the published document does not allow."""


class DocumentClient:
    def __init__(self, document: dict, *, token: str | None = None):
        self.document = document
        self.http = Client(enforce_csrf_checks=True)
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.operations = {}
        for path, methods in document["paths"].items():
            for method, operation in methods.items():
                self.operations[operation["operationId"]] = (method, path, operation)

    def _validate(self, schema: dict, instance, what: str) -> None:
        rooted = {**schema, "components": self.document["components"]}
        errors = [f"{'/'.join(map(str, e.instance_path))}: {e.message}"
                  for e in jsonschema_rs.validator_for(rooted).iter_errors(instance)]
        if errors:
            raise DocumentError(f"{what} does not match the document: {errors[:5]}")

    def call(self, operation_id: str, *, body=None, **params):
        method, template, operation = self.operations[operation_id]
        declared = {p["name"]: p for p in operation.get("parameters", [])}
        unknown = set(params) - set(declared)
        if unknown:
            raise DocumentError(f"{operation_id} declares no parameter {sorted(unknown)}")
        path, query = template, {}
        for name, spec in declared.items():
            if name not in params:
                if spec.get("required"):
                    raise DocumentError(f"{operation_id} requires {name}")
                continue
            self._validate(spec["schema"], params[name], f"parameter {name}")
            if spec["in"] == "path":
                path = path.replace("{" + name + "}", str(params[name]))
            else:
                query[name] = params[name]
        kwargs = {}
        if body is not None:
            schema = operation["requestBody"]["content"]["application/json"]["schema"]
            self._validate(schema, body, f"{operation_id} request body")
            kwargs = {"data": json.dumps(body), "content_type": "application/json"}
        elif method != "get":
            kwargs = {"data": "", "content_type": "application/json"}
        if query and method == "get":
            kwargs["data"] = query
        response = getattr(self.http, method)(path, headers=self.headers, **kwargs)
        status = str(response.status_code)
        published = operation["responses"].get(status)
        if published is None:
            raise DocumentError(f"{operation_id} answered {status}, which the document does "
                                f"not list: {response.content[:300]!r}")
        data = response.json() if response.content else None
        schema = published.get("content", {}).get("application/json", {}).get("schema")
        if schema is not None:
            self._validate(schema, data, f"{operation_id} answer {status}")
        return response.status_code, data


def _token(user) -> str:
    return api_token_create(user=user, name="generated client")[1]


@pytest.fixture
def document():
    return Client().get("/api/openapi.json").json()


def test_generated_client_posts_publishes_reads_and_claims_a_challenge(document):
    poster, staff, researcher = make_poster(), make_user(Role.ORGANIZER), make_researcher()
    enterprise = DocumentClient(document, token=_token(poster))
    office = DocumentClient(document, token=_token(staff))
    public = DocumentClient(document)
    scientist = DocumentClient(document, token=_token(researcher))

    status, created = enterprise.call("innolink_challenges_api_challenge_create",
                                      body=challenge_data(funding="2000000"))
    assert status == 201 and created["state"] == "draft"
    cid = created["id"]
    status, submitted = enterprise.call("challenge_submit", challenge_id=cid)
    assert (status, submitted["state"]) == (200, "submitted")
    status, published = office.call("challenge_publish", challenge_id=cid)
    assert (status, published["state"]) == (200, "published")

    status, board = public.call("innolink_challenges_api_board", q="光刻胶 介电常数")
    assert status == 200 and [item["id"] for item in board["items"]] == [cid]
    status, detail = public.call("innolink_challenges_api_challenge_detail", challenge_id=cid)
    assert status == 200
    # decimals travel as strings, exactly as the document now says
    assert detail["funding"] == "2000000.00"
    values = [i["value"] for i in detail["indicators"]]
    assert all(isinstance(v, str) for v in values)
    assert [Decimal(v) for v in values] == [Decimal("2.7"), Decimal("350")]

    status, proposal = scientist.call("innolink_challenges_api_proposal_create", challenge_id=cid,
                                      body=proposal_data())
    assert status == 201 and proposal["budget"] == "1800000.00"
    assert Proposal.objects.filter(challenge_id=cid, pk=proposal["id"]).count() == 1

    status, catalogue = office.call("innolink_enterprises_api_indicator_list")
    assert status == 200 and catalogue


def test_generated_client_refuses_what_the_document_does_not_allow(document):
    poster = make_poster()
    enterprise = DocumentClient(document, token=_token(poster))
    with pytest.raises(DocumentError, match="request body"):
        enterprise.call("innolink_challenges_api_challenge_create",
                        body=challenge_data(time_limit_months="two years"))
    with pytest.raises(DocumentError, match="declares no parameter"):
        enterprise.call("innolink_challenges_api_board", colour="red")
    assert Challenge.objects.count() == 0
    # a refusal by the server is itself a published answer: 422 with {code, message, extra}
    status, body = enterprise.call("innolink_challenges_api_challenge_create",
                                   body=challenge_data(time_limit_months=200, funding="-1"))
    assert status == 422 and body["code"] == "invalid"
    assert Challenge.objects.count() == 0


def test_the_client_would_have_caught_the_colliding_indicator_schema(document):
    """The old document published matching's indicator (value: number) for a challenge's
    indicator (sent as a string): the same answer fails against such a document."""
    poster, staff = make_poster(), make_user(Role.ORGANIZER)
    old = json.loads(json.dumps(document))
    detail = old["paths"]["/api/challenges/{challenge_id}"]["get"]["responses"]["200"]
    ref = detail["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    indicator = old["components"]["schemas"][ref]["properties"]["indicators"]["items"]["$ref"]
    old["components"]["schemas"][indicator.rsplit("/", 1)[1]]["properties"]["value"] = {
        "type": "number"}
    enterprise = DocumentClient(document, token=_token(poster))
    _, created = enterprise.call("innolink_challenges_api_challenge_create", body=challenge_data())
    enterprise.call("challenge_submit", challenge_id=created["id"])
    DocumentClient(document, token=_token(staff)).call("challenge_publish",
                                                       challenge_id=created["id"])
    DocumentClient(document).call("innolink_challenges_api_challenge_detail",
                                  challenge_id=created["id"])
    with pytest.raises(DocumentError, match="answer 200"):
        DocumentClient(old).call("innolink_challenges_api_challenge_detail",
                                 challenge_id=created["id"])
