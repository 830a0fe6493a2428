"""The API's one error body ``{code, message, extra}`` and the responses every operation
declares with it. It lives in core so that apps need not import the ``api`` package that
assembles them."""

from ninja import Schema


class ErrorOut(Schema):
    code: str
    message: str
    extra: dict


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut,
          422: ErrorOut}
