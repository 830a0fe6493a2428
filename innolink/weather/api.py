"""JSON API of 气象+. The CAP push endpoint takes the raw XML body (``Content-Type:
application/xml``) from a meteorological account's API token; enterprises read their own notices
and acknowledge them; staff read warnings and who has not responded."""

from __future__ import annotations

from ninja import Router
from ninja.responses import Status

from innolink.core.schemas import ERRORS
from innolink.core.errors import ApplicationError, PermissionDenied
from innolink.weather import access, selectors, services
from innolink.weather.models import CapMessage, Warning
from innolink.weather.schemas import (
    AcknowledgeIn,
    ExposureProfileIn,
    ExposureProfileOut,
    ForecastIn,
    ForecastOut,
    IngestOut,
    NonResponderOut,
    NoticeOut,
    WarningOut,
)

router = Router(tags=["weather"])
MAX_ROWS = 500


@router.post("/cap", response={200: IngestOut, 201: IngestOut, **ERRORS},
             summary="推送一条 CAP 1.2 预警消息（请求体为 XML）")
def cap_push(request):
    if not access.is_weather_staff(request.user):
        raise PermissionDenied()
    result = services.cap_ingest(data=request.body, source=CapMessage.Source.PUSH,
                                 actor=request.user)
    body = {"outcome": result.outcome, "code": result.code, "reason": result.reason,
            "warning_id": result.warning_id, "notices": result.notices, "log_id": result.log_id}
    if result.outcome == "refused":
        raise ApplicationError(result.reason, code=result.code, status=422,
                               extra={"log_id": result.log_id})
    return Status(201 if result.applied else 200, body)


@router.get("/warnings", response={200: list[WarningOut], **ERRORS}, summary="预警列表")
def warning_list(request, state: Warning.State | None = None):
    rows = selectors.warnings_for(request.user)
    if state:
        rows = rows.filter(state=state)
    return list(rows[:MAX_ROWS])


@router.get("/warnings/{warning_id}", response={200: WarningOut, **ERRORS}, summary="预警详情")
def warning_detail(request, warning_id: int):
    return selectors.warning_for_user(request.user, warning_id)


@router.get("/warnings/{warning_id}/non-responders",
            response={200: list[NonResponderOut], **ERRORS}, summary="未回应的企业（工作人员）")
def warning_non_responders(request, warning_id: int):
    if not access.can_read_warnings(request.user):
        raise PermissionDenied()
    warning = selectors.warning_for_user(request.user, warning_id)
    return [{"notice_id": n.pk, "enterprise_id": n.enterprise_id, "enterprise": n.enterprise.name,
             "town": n.town, "level": n.level, "sent": n.created_at}
            for n in selectors.non_responders(request.user, warning)[:MAX_ROWS]]


def _notice(n) -> dict:
    return {"id": n.pk, "warning_id": n.warning_id, "kind": n.warning.kind, "level": n.level,
            "state": n.state, "headline": n.warning.headline, "actions": n.actions,
            "created_at": n.created_at, "updated_at": n.updated_at,
            "acknowledged_at": n.acknowledged_at, "measures": n.measures,
            "measures_done": n.measures_done or []}


@router.get("/notices", response={200: list[NoticeOut], **ERRORS}, summary="本企业的预警通知")
def notice_list(request):
    return [_notice(n) for n in selectors.notices_for(request.user).select_related("advice")[:MAX_ROWS]]


@router.post("/notices/{notice_id}/acknowledge", response={200: NoticeOut, **ERRORS},
             summary="确认收到并报告已采取的措施")
def notice_acknowledge(request, notice_id: int, payload: AcknowledgeIn):
    notice = services.notice_acknowledge(actor=request.user, notice_id=notice_id,
                                         measures=payload.measures.replace("\x00", ""),
                                         measures_done=payload.measures_done)
    return _notice(notice)


@router.get("/profile", response={200: ExposureProfileOut | None, **ERRORS}, summary="本企业的气象风险画像")
def profile_get(request):
    if not access.is_enterprise(request.user):
        raise PermissionDenied()
    return selectors.profile_of(request.user.enterprise)


@router.put("/profile", response={200: ExposureProfileOut, **ERRORS}, summary="保存本企业的气象风险画像")
def profile_save(request, payload: ExposureProfileIn):
    if not access.is_enterprise(request.user):
        raise PermissionDenied()
    return services.profile_save(actor=request.user, enterprise=request.user.enterprise,
                                 exposures=payload.exposures, park_id=payload.park_id,
                                 lat=payload.lat, lon=payload.lon,
                                 outdoor_staff=payload.outdoor_staff,
                                 note=payload.note.replace("\x00", ""))


@router.get("/forecasts", response={200: list[ForecastOut], **ERRORS}, summary="气象服务产品")
def forecast_list(request):
    if access.is_enterprise(request.user):
        return list(selectors.forecasts_for_enterprise(request.user.enterprise)[:MAX_ROWS])
    return list(selectors.forecasts_for_staff(request.user)[:MAX_ROWS])


@router.post("/forecasts", response={201: ForecastOut, **ERRORS}, summary="发布气象服务产品")
def forecast_create(request, payload: ForecastIn):
    data = payload.dict()
    product = services.forecast_create(actor=request.user, **{
        k: (v.replace("\x00", "") if isinstance(v, str) else v) for k, v in data.items()})
    return Status(201, product)
