"""Researchers: a researcher's own profile and the staff's roster import (a check, or
a background job)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from innolink.accounts.models import Institution
from innolink.challenges import access, validation
from innolink.challenges.models import ResearcherProfile
from innolink.core.audit import audit_diff, audit_record, snapshot
from innolink.core.errors import ApplicationError, Conflict, PermissionDenied, \
    ValidationFailed
from innolink.challenges.errors import (
    IMPORT_ALREADY_STARTED,
    IMPORT_BAD_TYPE,
    IMPORT_HAS_ERRORS,
    IMPORT_NOT_CHECKED,
    IMPORT_TOO_LARGE,
)

if TYPE_CHECKING:
    from innolink.core.models import Job


#: the job kind of a roster check or import (run by ``tasks.run_researcher_import``)
RESEARCHER_IMPORT_KIND = "challenges.researcher_import"


@transaction.atomic
def researcher_profile_save(*, actor, data: dict[str, Any],
                            source: str = "web") -> ResearcherProfile:
    """Create or update the actor's own profile. The institution is the user's own."""
    if not access.is_researcher(actor):
        raise PermissionDenied(_("只有科研人员可以登记科研人员/团队信息"))
    clean = validation.clean_profile(data)
    if clean["email"] and ResearcherProfile.objects.filter(email=clean["email"]).exclude(
            user=actor).exists():
        raise ValidationFailed({"email": [_("邮箱：已被其他科研人员使用")]})
    profile = ResearcherProfile.objects.select_for_update().filter(user=actor).first()
    if profile is None:
        profile = ResearcherProfile(user=actor, institution_id=actor.institution_id, **clean)
        profile.save()
        audit_record(actor=actor, action="create", instance=profile,
                     changes=audit_diff({}, clean), source=source)
        return profile
    before = snapshot(profile, list(clean))
    for key, value in clean.items():
        setattr(profile, key, value)
    profile.institution_id = actor.institution_id
    profile.save()
    changes = audit_diff(before, clean)
    if changes:
        audit_record(actor=actor, action="update", instance=profile, changes=changes,
                     source=source)
    return profile


# --- researcher import ---------------------------------------------------------------------

IMPORT_MAX_ROWS = 20_000
IMPORT_MAX_BYTES = 10 * 1024 * 1024
#: A check (dry run) of a file up to this size answers within the request: about 1,300 rows,
#: under half a second (docs/performance/challenge_board.md). Larger checks and every real
#: import run as a background job with progress (decision 0312). An .xlsx is compressed and
#: slower to read, so its limit is lower.
IMPORT_SYNC_CHECK_MAX_BYTES = {"csv": 256 * 1024, "txt": 256 * 1024, "xlsx": 64 * 1024}
IMPORT_PREVIEW_ROWS = 50


def _noop(*_args, **_kwargs) -> None:
    return None


def _import_suffix(filename: str) -> str:
    return filename.lower().rsplit(".", 1)[-1] if "." in filename else ""


def researcher_import_check_is_quick(*, filename: str, size: int) -> bool:
    """Whether a check of this file may run within the request (small files only)."""
    return size <= IMPORT_SYNC_CHECK_MAX_BYTES.get(_import_suffix(filename), 0)


def researcher_import(*, actor, content: bytes, filename: str, commit: bool,
                      source: str = "import", progress=_noop) -> dict[str, Any]:
    """Check a researcher file and, when ``commit`` and the file is clean, upsert it by e-mail
    in one transaction. All or nothing: a file with any error writes nothing. Returns
    ``{rows, created, updated, unchanged, committed, errors, error_count, preview}``.

    ``progress(done, total, message, force=...)`` hears the phases (a job's ``Progress``):
    reading, checking row by row, then writing as one step, outside the write transaction.
    """
    from innolink.challenges import importing
    from innolink.core.audit import audit_record_many

    if not access.is_board_staff(actor):
        raise PermissionDenied(_("只有组织方工作人员可以批量导入科研人员"))
    progress(0, None, N_("读取文件"), force=True)
    from innolink.challenges.models import ImportColumnMapping

    try:
        columns, rows = importing.read_rows(
            content, filename, max_bytes=IMPORT_MAX_BYTES, max_rows=IMPORT_MAX_ROWS,
            on_rows=lambda n: progress(0, None, N_("读取文件：已读 %(n)s 行"), params={"n": n},
                                      force=True),
            remembered=importing.remembered_mapping(ImportColumnMapping.Kind.RESEARCHERS))
    except importing.ImportFileError as exc:  # keeps its msgid for the job's failure (0761)
        raise exc.as_application_error() from exc
    total = len(rows)
    # The check is the first half of a real import and the whole of a dry run.
    share = (lambda n: n // 2) if commit else (lambda n: n)
    progress(0, total, N_("检查数据"), force=True)
    institutions = dict(Institution.objects.values_list("name", "pk"))
    checked = importing.check_rows(
        columns, rows, institutions,
        on_rows=lambda n: progress(share(n), total, N_("检查数据：第 %(n)s 行"), params={"n": n},
                                   force=True))
    outcome: dict[str, Any] = {"rows": checked.rows, "created": 0, "updated": 0,
                               "unchanged": 0, "committed": False,
                               "errors": [e.as_dict() for e in checked.errors],
                               "error_count": len(checked.errors), "preview": []}
    progress(share(total), total,
             N_("已检查 %(n)s 行，发现 %(e)s 个问题"),
             params={"n": total, "e": len(checked.errors)}, force=True)
    if not checked.ok:
        return outcome
    emails = [r["email"] for r in checked.records if r["email"]]
    existing: dict[str, ResearcherProfile] = {}
    for start in range(0, len(emails), 900):
        for profile in ResearcherProfile.objects.filter(email__in=emails[start:start + 900]):
            existing[profile.email] = profile
    # rows without an e-mail are the same person as a profile of that name and institution
    names = [r["name"] for r in checked.records if not r["email"]]
    by_name: dict[tuple[str, int | None], ResearcherProfile] = {}
    for start in range(0, len(names), 900):
        for profile in ResearcherProfile.objects.filter(email="",
                                                        name__in=names[start:start + 900]):
            by_name.setdefault((profile.name, profile.institution_id), profile)
    new_institutions = {r["new_institution"]["name"]: r["new_institution"]
                        for r in checked.records if r.get("new_institution")}
    outcome["new_institutions"] = sorted(new_institutions)
    new, changed = [], []
    for record in checked.records:
        record = dict(record)
        row = record.pop("row")
        record.pop("new_institution", None)
        if record["email"]:
            profile = existing.get(record["email"])
        else:
            profile = by_name.get((record["name"], record["institution_id"]))
        if profile is None:
            new.append((record, row))
            if len(outcome["preview"]) < IMPORT_PREVIEW_ROWS:
                outcome["preview"].append({"row": row, "name": record["name"],
                                           "email": record["email"], "action": "create",
                                           "fields": []})
            continue
        if record["institution_id"] is None:
            record["institution_id"] = profile.institution_id
        before = snapshot(profile, list(record))
        diff = audit_diff(before, record)
        if diff:
            for key, value in record.items():
                setattr(profile, key, value)
            changed.append((profile, diff))
            if len(outcome["preview"]) < IMPORT_PREVIEW_ROWS:
                outcome["preview"].append({"row": row, "name": record["name"],
                                           "email": record["email"], "action": "update",
                                           "fields": sorted(diff)})
        else:
            outcome["unchanged"] += 1
    outcome["created"], outcome["updated"] = len(new), len(changed)
    if commit:
        progress(share(total), total, N_("写入数据库"), force=True)
        with transaction.atomic():
            made: dict[str, int] = {}
            for spec in new_institutions.values():
                province, city = _split_region(spec["region"])
                inst, created_inst = Institution.objects.get_or_create(
                    name=spec["name"], defaults={"kind": spec["kind"], "province": province,
                                                 "city": city})
                made[spec["name"]] = inst.pk
                if created_inst:
                    audit_record(actor=actor, action="create", instance=inst,
                                 changes={"name": [None, inst.name], "kind": [None, inst.kind]},
                                 source=source)
            by_row = {r["row"]: r for r in checked.records}
            objects = []
            for record, row in new:
                spec = by_row[row].get("new_institution")
                if spec:
                    record["institution_id"] = made[spec["name"]]
                objects.append(ResearcherProfile(**record))
            created = ResearcherProfile.objects.bulk_create(objects, batch_size=500)
            if changed:
                ResearcherProfile.objects.bulk_update(
                    [p for p, _ in changed], fields=[k for k in validation_profile_fields()]
                    + ["institution"], batch_size=500)
            audit_record_many(actor=actor, action="create",
                              items=[(p, audit_diff({}, {"email": p.email, "name": p.name}))
                                     for p in created], source=source)
            audit_record_many(actor=actor, action="update", items=changed, source=source)
        outcome["committed"] = True
    progress(total, total, N_("完成"), force=True)
    return outcome


@transaction.atomic
def researcher_import_start(*, actor, content: bytes, filename: str, commit: bool,
                            source: str = "web"):
    """Keep the uploaded file and start the import as a background job (a check unless
    ``commit``); the job page follows its progress. The file is stored the way the registry
    import stores its own (``MEDIA_ROOT/imports/``) and removed by the job once nothing can use
    it any more. Refuses a file that is too large or of the wrong type before storing it."""
    from innolink.core.jobs import job_start
    from innolink.enterprises.tasks import store_upload

    if not access.is_board_staff(actor):
        raise PermissionDenied(_("只有组织方工作人员可以批量导入科研人员"))
    if len(content) > IMPORT_MAX_BYTES:
        raise ApplicationError(_("文件过大：上限 %(mb)s MB") % {"mb": IMPORT_MAX_BYTES // 1048576},
                               code=IMPORT_TOO_LARGE)
    suffix = _import_suffix(filename)
    if suffix not in ("xlsx", "csv", "txt"):
        raise ApplicationError(_("只支持 .xlsx 和 .csv 文件"), code=IMPORT_BAD_TYPE)
    from innolink.enterprises.importing import ImportFileError, check_upload

    try:
        check_upload(content, filename)
    except ImportFileError as exc:
        raise ApplicationError(exc.reason, code=exc.code) from exc
    stored = store_upload(content, suffix)
    title = N_("导入科研人员：%(file)s") if commit else N_("检查科研人员：%(file)s")
    return job_start(kind=RESEARCHER_IMPORT_KIND, title=title, title_params={"file": filename},
                     user=actor,
                     params={"stored_as": stored, "filename": filename, "commit": commit,
                             "source": source})


def researcher_import_now_or_later(*, actor, content: bytes, filename: str, commit: bool,
                                   source: str = "web") -> dict[str, Any] | Job:
    """Check a small file now (its outcome, nothing written), or start a background job: an
    import (``commit``), or the check of a file too large for the request. The one place that
    decides, for the page and the API."""
    if commit or not researcher_import_check_is_quick(filename=filename, size=len(content)):
        return researcher_import_start(actor=actor, content=content, filename=filename,
                                       commit=commit, source=source)
    return researcher_import(actor=actor, content=content, filename=filename, commit=False,
                             source=source)


@transaction.atomic
def researcher_import_commit(*, actor, job):
    """Import the file of a finished, clean check job as a new job. A check is imported once:
    the check job records the import job it started, and a second confirmation is refused."""
    from innolink.core.jobs import job_start
    from innolink.core.models import Job

    if not access.is_board_staff(actor):
        raise PermissionDenied(_("只有组织方工作人员可以批量导入科研人员"))
    job = Job.objects.select_for_update().get(pk=job.pk)
    if job.kind != RESEARCHER_IMPORT_KIND or job.params.get("commit") or not job.is_finished:
        raise Conflict(_("只能确认已完成的检查"), code=IMPORT_NOT_CHECKED)
    if job.status != Job.Status.SUCCEEDED or job.result.get("error_count"):
        raise Conflict(_("检查发现问题，请修改文件后重新上传"), code=IMPORT_HAS_ERRORS)
    if job.result.get("import_job"):
        raise Conflict(_("这份检查已经确认导入过"), code=IMPORT_ALREADY_STARTED)
    started = job_start(kind=RESEARCHER_IMPORT_KIND, title=N_("导入科研人员：%(file)s"),
                        title_params={"file": job.params.get("filename", "")}, user=actor, params={**job.params, "commit": True,
                                            "checked_by_job": str(job.pk)})
    Job.objects.filter(pk=job.pk).update(result={**job.result, "import_job": str(started.pk)})
    return started


def validation_profile_fields() -> list[str]:
    return ["kind", "name", "title", "email", "phone", "station_kind", "station", "discipline",
            "research_fields", "keywords", "achievements", "availability", "domains", "members",
            "region", "trl", "discipline_codes"]


def _split_region(region: str) -> tuple[str, str]:
    """"山东省烟台市" -> ("山东省", "烟台市"); a region without 省 is all city."""
    region = (region or "").strip()
    for mark in ("自治区", "省"):
        if mark in region:
            head, _, tail = region.partition(mark)
            return (head + mark)[:32], tail[:64]
    if region[:2] in ("北京", "天津", "上海", "重庆"):
        return region[:3].rstrip("市") + "市", region[3:][:64]
    return "", region[:64]
