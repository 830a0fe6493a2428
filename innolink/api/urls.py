"""The JSON API, assembled from each app's ``api.py`` router. OpenAPI at /api/openapi.json,
interactive docs at /api/docs."""

from innolink.api.auth import ActiveSessionAuth, TokenAuth
from innolink.api.errors import install_error_handlers
from innolink.api.guards import reject_nul
from innolink.api.openapi import InnoLinkAPI

api = InnoLinkAPI(
    title="InnoLink · 晋江创新对接平台 API",
    version="1.0.0",
    description="企业库、后台任务等接口。会话登录（需 CSRF 令牌）或 `Authorization: Bearer <令牌>`。"
    "所有 4xx 错误的格式为 `{code, message, extra}`。",
    auth=[ActiveSessionAuth(), TokenAuth()],
)
install_error_handlers(api)
api.add_decorator(reject_nul, mode="operation")  # a NUL in any text is a 422, not a 500

from innolink.challenges.api import router as challenges_router  # noqa: E402
from innolink.compute.api import router as compute_router  # noqa: E402
from innolink.core.api import router as core_router  # noqa: E402
from innolink.enterprises.api import router as enterprises_router  # noqa: E402
from innolink.events.api import router as events_router  # noqa: E402
from innolink.matching.api import router as matching_router  # noqa: E402
from innolink.policies.api import router as policies_router  # noqa: E402
from innolink.projects.api import router as projects_router  # noqa: E402
from innolink.rankings.api import router as rankings_router  # noqa: E402
from innolink.servicedesk.api import router as servicedesk_router  # noqa: E402
from innolink.weather.api import router as weather_router  # noqa: E402

api.add_router("/", core_router)
api.add_router("/enterprises", enterprises_router)
api.add_router("/policies", policies_router)
api.add_router("/challenges", challenges_router)
api.add_router("/events", events_router)
api.add_router("/matching", matching_router)
api.add_router("/rankings", rankings_router)
api.add_router("/servicedesk", servicedesk_router)
api.add_router("/projects", projects_router)
api.add_router("/compute", compute_router)
api.add_router("/weather", weather_router)
