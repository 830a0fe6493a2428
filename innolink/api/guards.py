"""Checks that apply to every API operation.

``reject_nul``: PostgreSQL text cannot hold a NUL character, and a query that compares a column
with a string containing one fails inside the driver ("A string literal cannot contain NUL"), a
500. Whatever reaches a handler as text, from the path, the query string, a JSON or form body,
is checked here once, after validation: a NUL anywhere is refused with the API's usual 422
``invalid`` answer naming the field, before the handler runs (so nothing is read or written).
"""

from __future__ import annotations

import functools
from typing import Any

from django.utils.translation import gettext as _
from ninja.errors import ValidationError
from pydantic import BaseModel


def _nul_paths(value: Any, path: tuple, found: list[tuple]) -> None:
    if isinstance(value, str):
        if "\x00" in value:
            found.append(path)
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            _nul_paths(getattr(value, name, None), (*path, name), found)
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and "\x00" in key:
                found.append((*path, key))
            _nul_paths(item, (*path, str(key)), found)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for index, item in enumerate(value):
            _nul_paths(item, (*path, index), found)


def _flattened(path: tuple) -> tuple:
    """Ninja wraps query and path parameters in a model per source (``QueryParams.q``) and a
    single JSON body in one named argument; the client knows the field, not the wrapper."""
    return path[1:] if len(path) > 1 else path


def reject_nul(view_func):
    @functools.wraps(view_func)
    def checked(request, *args, **values):
        found: list[tuple] = []
        for name, value in values.items():
            _nul_paths(value, (name,), found)
        if found:
            message = _("内容中不能含有空字符（NUL）")
            raise ValidationError([{"loc": _flattened(path), "msg": message, "type": "nul"}
                                   for path in found])
        return view_func(request, *args, **values)

    return checked
