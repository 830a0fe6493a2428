"""API of the board's overview figures (organizers)."""

from __future__ import annotations

from decimal import Decimal

from innolink.core.schemas import ERRORS
from innolink.challenges import access, selectors
from innolink.core.errors import PermissionDenied
from innolink.challenges.api._router import router


@router.get("/overview", response={200: dict, **ERRORS})
def overview(request):
    if not access.is_board_staff(request.auth):
        raise PermissionDenied()
    o = selectors.overview()
    return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in o.items()
            if not k.startswith("chart_")} | {"by_domain": o["chart_domain"]}
