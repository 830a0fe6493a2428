"""The one router of the events API; the modules beside it add their operations."""

from ninja import Router

router = Router(tags=["events"])
