"""The OpenAPI document, kept true to the API (decision 0020).

django-ninja builds ``components.schemas`` by merging each operation's definitions into one
dict by model name, so two different models that happen to share a class name (``IndicatorOut``
in three apps) silently overwrite each other and the document describes one app's body for
another's endpoint. ``InnoLinkAPI`` builds the same document but refuses a name that arrives
with a different definition: the document cannot be built until the models are renamed, and
the API tests (which all load the document) fail first.
"""

from __future__ import annotations

import json
from typing import Any

from ninja import NinjaAPI
from ninja.errors import ConfigError
from ninja.openapi.schema import OpenAPISchema


class SchemaNameCollision(ConfigError):
    """Two different models would be published under one component name."""


class _TrueOpenAPISchema(OpenAPISchema):
    def add_schema_definitions(self, definitions: dict) -> None:
        clashes = []
        for name, definition in definitions.items():
            known = self.schemas.get(name)
            if known is not None and _canonical(known) != _canonical(definition):
                clashes.append(name)
        if clashes:
            raise SchemaNameCollision(
                "OpenAPI component name(s) used by different models: "
                + ", ".join(sorted(clashes))
                + ". Give each model a name unique across the API (e.g. prefix the app).")
        super().add_schema_definitions(definitions)


def _canonical(definition: Any) -> str:
    return json.dumps(definition, sort_keys=True, ensure_ascii=False, default=str)


#: API packages whose operation ids carry the module (published so when events/api.py was split,
#: decision 0720; two of its modules have a ``conflict_declare``). Add none.
MODULE_IN_OPERATION_ID = frozenset({"innolink.events.api"})


def operation_id(module: str, name: str) -> str:
    """The ``operationId`` of a handler: its app's API and its name, whichever module of an API
    package (``innolink.challenges.api.offers``) holds it, so that moving a handler between
    files never renames the operation an outside client calls (decision 0794).

    Examples:
        >>> operation_id("innolink.challenges.api.offers", "offer_publish")
        'innolink_challenges_api_offer_publish'
        >>> operation_id("innolink.compute.api", "booking_list")
        'innolink_compute_api_booking_list'
        >>> operation_id("innolink.events.api.rounds", "round_create")
        'innolink_events_api_rounds_round_create'
    """
    parts = module.split(".")
    if "api" in parts:
        package = parts[: parts.index("api") + 1]
        if ".".join(package) not in MODULE_IN_OPERATION_ID:
            parts = package
    return "_".join(parts + [name])


class InnoLinkAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation) -> str:
        return operation_id(operation.view_func.__module__, operation.view_func.__name__)

    def get_openapi_schema(self, *, path_prefix: str | None = None,
                           path_params: dict | None = None) -> OpenAPISchema:
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        return _TrueOpenAPISchema(api=self, path_prefix=path_prefix)
