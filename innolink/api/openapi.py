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


class InnoLinkAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix: str | None = None,
                           path_params: dict | None = None) -> OpenAPISchema:
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        return _TrueOpenAPISchema(api=self, path_prefix=path_prefix)
