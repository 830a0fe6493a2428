"""The one router of the challenges API; the modules beside it add their operations."""

from ninja import Router

router = Router(tags=["challenges"])
