"""The API's one error body ``{code, message, extra}`` and the responses every operation
declares with it. It lives in core so that apps need not import the ``api`` package that
assembles them. The platform operations' bodies (``innolink.core.api``) are here too."""

import uuid
from datetime import datetime

from ninja import Schema


class ErrorOut(Schema):
    code: str
    message: str
    extra: dict


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut,
          422: ErrorOut}


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    role: str
    role_label: str
    enterprise_id: int | None
    institution_id: int | None
    department_id: int | None


class JobOut(Schema):
    id: uuid.UUID
    kind: str
    title: str
    status: str
    done: int
    total: int
    percent: int
    message: str  # in the reader's language (Accept-Language / the language cookie)
    message_id: str  # the stored msgid (Chinese source text), stable across languages
    message_params: dict
    result: dict
    created_at: datetime
    finished_at: datetime | None
