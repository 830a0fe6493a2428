"""Bulk import of a 榜单: upload, column mapping (remembered), check and import as background
jobs, all or nothing, audited (decision 0355). Reading and checking live in
``listing_import``; this module stores the upload, remembers mappings and writes.

Flow: ``listing_import_upload`` stores the file and reads its header; when every column is
known (by alias or by an earlier mapping) the check job starts at once, otherwise the organizer
answers the mapping page and ``listing_import_map`` remembers the answers and starts the check.
A clean check offers ``listing_import_commit``: the same file is imported by a new job, once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from innolink.accounts.models import Institution
from innolink.challenges import access, listing_import, screening, search, tabular
from innolink.challenges.models import (
    Challenge,
    ChallengeState,
    ChallengeTerm,
    ImportColumnMapping,
    IndicatorTarget,
    Issuer,
    Programme,
)
from innolink.challenges.importing import remembered_mapping
from innolink.challenges.services import RESEARCHER_IMPORT_KIND, issuer_get_or_create
from innolink.core.audit import audit_record, audit_record_many
from innolink.core.errors import ApplicationError, Conflict, PermissionDenied, ValidationFailed
from innolink.enterprises.models import Enterprise
from innolink.challenges.errors import (
    IMPORT_ALREADY_STARTED,
    IMPORT_BAD_TYPE,
    IMPORT_EMPTY,
    IMPORT_HAS_ERRORS,
    IMPORT_MISSING_COLUMNS,
    IMPORT_NEEDS_MAPPING,
    IMPORT_NOT_CHECKED,
    IMPORT_NO_HEADER,
    IMPORT_TOKEN,
    IMPORT_TOO_MANY_ROWS,
)

LISTING_IMPORT_KIND = "challenges.listing_import"
MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 5_000
PREVIEW_ROWS = 50
_SALT = "challenges.listing-import"


def _staff(actor) -> None:
    if not access.is_board_staff(actor):
        raise PermissionDenied(_("只有组织方工作人员可以导入榜单"))


def _noop(*_args, **_kwargs) -> None:
    return None


@dataclass
class Upload:
    token: str
    filename: str
    headers: list[str]
    header_line: int
    guesses: dict[str, str | None]
    sample: list[list[str]]

    @property
    def needs_mapping(self) -> bool:
        mapping = listing_import.build_mapping(
            self.headers, {h: g for h, g in self.guesses.items() if g})
        return bool(mapping.unmapped) or bool(listing_import.missing_required(mapping))


def _read(content: bytes, filename: str):
    try:
        grid = tabular.read_grid(content, filename, max_bytes=MAX_BYTES)
    except tabular.FileUnreadable as exc:
        raise ApplicationError(exc.message, code=exc.code) from exc
    header = tabular.find_header(grid, listing_import.is_header_cell)
    if header is None:
        header = _header_from_memory(grid)
    if header is None:
        raise ApplicationError(
            _("前 %(n)s 行中找不到表头：需要“需求名称”“发榜单位”等列") % {"n": tabular.MAX_SCAN_ROWS},
            code=IMPORT_NO_HEADER)
    return grid, header


def _header_from_memory(grid):
    """A header of columns only the organizer's remembered mapping knows."""
    known = remembered_mapping()
    if not known:
        return None
    return tabular.find_header(grid, lambda text: text in known)


def listing_import_upload(*, actor, content: bytes, filename: str,
                          programme_id: int | None = None,
                          default_deadline: dt.date | None = None,
                          publish: bool = False) -> Upload:
    """Keep the file and read its header; nothing is written to the board."""
    from innolink.enterprises.tasks import store_upload

    _staff(actor)
    suffix = filename.lower().rsplit(".", 1)[-1] if "." in filename else ""
    if suffix not in ("xlsx", "csv", "txt"):
        raise ApplicationError(_("只支持 .xlsx 和 .csv 文件"), code=IMPORT_BAD_TYPE)
    if programme_id and not Programme.objects.filter(pk=programme_id).exists():
        raise ValidationFailed({"programme": [_("所属赛事：不存在")]})
    grid, header = _read(content, filename)
    remembered = remembered_mapping()
    guesses = {h: listing_import.guess_field(h, remembered) for h in header.headers if h}
    stored = store_upload(content, suffix)
    token = signing.dumps({"stored_as": stored, "filename": filename[:200],
                           "programme": programme_id or None,
                           "deadline": default_deadline.isoformat() if default_deadline else "",
                           "publish": bool(publish), "by": actor.pk}, salt=_SALT)
    sample = [cells for _n, cells in tabular.data_rows(grid, header)[:3]]
    return Upload(token, filename, header.headers, header.line, guesses, sample)


def _unsign(actor, token: str) -> dict[str, Any]:
    try:
        data = signing.loads(token, salt=_SALT, max_age=86400)
    except signing.BadSignature as exc:
        raise ApplicationError(_("导入已过期，请重新上传文件"), code=IMPORT_TOKEN) from exc
    if data.get("by") != actor.pk:
        raise PermissionDenied(_("这份上传属于另一位工作人员"))
    return data


def upload_from_token(*, actor, token: str) -> Upload:
    from innolink.enterprises.tasks import read_upload

    _staff(actor)
    data = _unsign(actor, token)
    content = read_upload(data["stored_as"])
    grid, header = _read(content, data["filename"])
    remembered = remembered_mapping()
    guesses = {h: listing_import.guess_field(h, remembered) for h in header.headers if h}
    sample = [cells for _n, cells in tabular.data_rows(grid, header)[:3]]
    return Upload(token, data["filename"], header.headers, header.line, guesses, sample)


@transaction.atomic
def listing_import_map(*, actor, token: str, choices: dict[str, str], source: str = "web",
                       commit: bool = False):
    """Remember the organizer's column choices and start the check job (with ``commit``, the
    job imports the file when the check is clean: an API client's one step; all or nothing
    either way)."""
    _staff(actor)
    data = _unsign(actor, token)
    upload = upload_from_token(actor=actor, token=token)
    allowed = {f.key for f in listing_import.FIELDS} | {listing_import.IGNORE}
    clean: dict[str, str] = {}
    for header in upload.headers:
        if not header:
            continue
        choice = (choices.get(header) or "").strip()
        if choice not in allowed:
            raise ValidationFailed({"mapping": [_("列“%(h)s”：请选择对应字段或“忽略”") % {"h": header}]})
        clean[header] = choice
    mapping = listing_import.build_mapping(upload.headers, clean)
    missing = listing_import.missing_required(mapping)
    if missing:
        raise ValidationFailed({"mapping": [_("还缺少必需的列：%(c)s") % {"c": "、".join(missing)}]})
    remembered = remembered_mapping()
    for header, choice in clean.items():
        alias = listing_import.guess_field(header)  # what the file says without memory
        if choice == (alias or "") or remembered.get(header) == choice:
            continue
        row, created = ImportColumnMapping.objects.update_or_create(
            kind=ImportColumnMapping.Kind.LISTINGS, header=header[:120],
            defaults={"field": choice, "updated_by": actor})
        audit_record(actor=actor, action="create" if created else "update", instance=row,
                     changes={"field": [remembered.get(header), choice]}, source=source)
    return _start(actor, data, clean, commit=commit, source=source)


def listing_import_start(*, actor, token: str, source: str = "web", commit: bool = False):
    """Start the check with the columns as guessed (nothing needed the organizer); with
    ``commit`` the job imports a clean file at once (the API's one step)."""
    _staff(actor)
    data = _unsign(actor, token)
    upload = upload_from_token(actor=actor, token=token)
    if upload.needs_mapping:
        raise Conflict(_("有未识别的列，请先完成列对应"), code=IMPORT_NEEDS_MAPPING)
    choices = {h: g for h, g in upload.guesses.items() if g}
    with transaction.atomic():
        return _start(actor, data, choices, commit=commit, source=source)


def _start(actor, data: dict[str, Any], choices: dict[str, str], *, commit: bool, source: str,
           checked_by: str | None = None):
    from innolink.core.jobs import job_start

    params = {"stored_as": data["stored_as"], "filename": data["filename"],
              "choices": choices, "programme": data.get("programme"),
              "deadline": data.get("deadline") or "", "publish": bool(data.get("publish")),
              "commit": commit, "source": source}
    if checked_by:
        params["checked_by_job"] = checked_by
    title = N_("导入榜单：%(file)s") if commit else N_("检查榜单：%(file)s")
    return job_start(kind=LISTING_IMPORT_KIND, title=title,
                     title_params={"file": data["filename"]}, user=actor,
                     params=params)


@transaction.atomic
def listing_import_commit(*, actor, job):
    """Import the file of a finished, clean check job as a new job, once."""
    from innolink.core.models import Job

    _staff(actor)
    job = Job.objects.select_for_update().get(pk=job.pk)
    if job.kind != LISTING_IMPORT_KIND or job.params.get("commit") or not job.is_finished:
        raise Conflict(_("只能确认已完成的检查"), code=IMPORT_NOT_CHECKED)
    if job.status != Job.Status.SUCCEEDED or job.result.get("error_count"):
        raise Conflict(_("检查发现问题，请修改文件后重新上传"), code=IMPORT_HAS_ERRORS)
    if job.result.get("import_job"):
        raise Conflict(_("这份检查已经确认导入过"), code=IMPORT_ALREADY_STARTED)
    started = _start(actor, job.params, job.params["choices"], commit=True,
                     source=job.params.get("source", "web"), checked_by=str(job.pk))
    Job.objects.filter(pk=job.pk).update(result={**job.result, "import_job": str(started.pk)})
    return started


# --- the work of a job ---------------------------------------------------------------------

def _context(listings_titles: list[str], today: dt.date, deadline: dt.date | None
             ) -> listing_import.Context:
    existing: dict[tuple[str, str], int] = {}
    titles = list(dict.fromkeys(t for t in listings_titles if t))
    for start in range(0, len(titles), 500):
        for cid, title, e, i, s in Challenge.objects.filter(
                title__in=titles[start:start + 500]).exclude(
                state__in=["withdrawn", "rejected"]).values_list(
                "id", "title", "enterprise__name", "institution__name", "issuer__name"):
            for name in (e, i, s):
                if name:
                    existing[(name, title)] = cid
        # a credit-code row is keyed by the code: add the enterprises' codes too
        for cid, title, code in Challenge.objects.filter(
                title__in=titles[start:start + 500], enterprise__isnull=False).values_list(
                "id", "title", "enterprise__credit_code"):
            existing[(code, title)] = cid
    return listing_import.Context(
        today=today, default_deadline=deadline,
        enterprises_by_code=dict(Enterprise.objects.values_list("credit_code", "pk")),
        enterprises_by_name=dict(Enterprise.objects.values_list("name", "pk")),
        institutions_by_name=dict(Institution.objects.values_list("name", "pk")),
        existing=existing)


def listing_import_run(*, actor, content: bytes, filename: str, choices: dict[str, str],
                       programme_id: int | None, default_deadline: dt.date | None,
                       publish: bool, commit: bool, source: str = "import",
                       progress=_noop) -> dict[str, Any]:
    """Check (and, when ``commit`` and clean, import) a list. Returns the report:
    ``{rows, listings, committed, created, published, error_count, warning_count, errors,
    warnings, preview, columns}``. Progress: reading, checking row by row, writing as one step
    in one transaction (outside which progress is written)."""
    _staff(actor)
    progress(0, None, N_("读取文件"), force=True)
    grid, header = _read(content, filename)
    mapping = listing_import.build_mapping(header.headers, choices)
    missing = listing_import.missing_required(mapping)
    if missing:
        raise ApplicationError(_("缺少必需的列：%(c)s") % {"c": "、".join(missing)},
                               code=IMPORT_MISSING_COLUMNS)
    # merged cells of an .xlsx are filled by the reader; a blank CSV cell stays blank (it is
    # not guessed from the row above)
    rows = tabular.data_rows(grid, header)
    if not rows:
        raise ApplicationError(_("文件只有表头，没有数据行"), code=IMPORT_EMPTY)
    if len(rows) > MAX_ROWS:
        raise ApplicationError(_("行数超过上限 %(n)s 行，请拆分文件") % {"n": MAX_ROWS},
                               code=IMPORT_TOO_MANY_ROWS)
    total = len(rows)
    share = (lambda n: n // 2) if commit else (lambda n: n)
    progress(0, total, N_("检查数据"), force=True)
    title_col = mapping.columns["title"]
    ctx = _context([cells[title_col] for _n, cells in rows], timezone.localdate(),
                   default_deadline)
    checked = listing_import.check_rows(
        mapping, rows, ctx,
        on_rows=lambda n: progress(share(n), total, N_("检查数据：第 %(n)s 行"), params={"n": n},
                                   force=True))
    programme = Programme.objects.filter(pk=programme_id).first() if programme_id else None
    outcome: dict[str, Any] = {
        "rows": checked.rows, "listings": len(checked.listings), "committed": False,
        "created": 0, "published": 0,
        "error_count": len(checked.errors), "warning_count": len(checked.warnings),
        "errors": [p.as_dict() for p in checked.errors],
        "warnings": [p.as_dict() for p in checked.warnings][:2000],
        "columns": {key: header.headers[i] for key, i in mapping.columns.items()},
        "ignored": [h for h in header.headers if h and choices.get(h) == listing_import.IGNORE],
        "programme": programme.name if programme else "",
        "publish": publish,
        "preview": [_preview(item) for item in checked.listings[:PREVIEW_ROWS]],
        "flagged_targets": sum(1 for item in checked.listings for i in item.indicators
                               if i["needs_review"]),
    }
    progress(share(total), total,
             N_("已检查 %(n)s 行，发现 %(e)s 个错误、%(w)s 个提示"),
             params={"n": total, "e": len(checked.errors), "w": len(checked.warnings)},
             force=True)
    if not checked.ok or not commit:
        return outcome
    progress(share(total), total, N_("写入数据库"), force=True)
    created, published = _write(actor, checked.listings, programme, publish, source)
    outcome.update(committed=True, created=created, published=published)
    progress(total, total, N_("完成"), force=True)
    return outcome


def _preview(item: listing_import.Listing) -> dict[str, Any]:
    f = item.fields
    return {"row": item.row, "title": f["title"], "issuer": item.issuer.get("name") or "",
            "issuer_known": "name" not in item.issuer, "domain": f["domain"],
            "secondary_domains": f["secondary_domains"], "funding_kind": f["funding_kind"],
            "funding": str(f["funding"]) if f["funding"] is not None else None,
            "funding_max": str(f["funding_max"]) if f["funding_max"] is not None else None,
            "time_limit_months": f["time_limit_months"],
            "indicators": [{"name": i["name"], "target": i["raw_text"],
                            "comparator": i["comparator"], "needs_review": i["needs_review"]}
                           for i in item.indicators][:8],
            "programme": item.programme_name, "warnings": [w.code for w in item.warnings]}


@transaction.atomic
def _write(actor, listings: list[listing_import.Listing], programme, publish: bool,
           source: str) -> tuple[int, int]:
    now = timezone.now()
    issuers: dict[str, Issuer] = {}
    objects: list[Challenge] = []
    programmes: dict[str, Programme] = {}
    for item in listings:
        spec = item.issuer
        row_programme = programme
        if row_programme is None and item.programme_name:
            # a list that gathers several contests names each row's programme: found by name
            # or created (audited), the one chosen on the upload page wins
            row_programme = programmes.get(item.programme_name)
            if row_programme is None:
                row_programme = Programme.objects.filter(name=item.programme_name).first()
                if row_programme is None:
                    row_programme = Programme.objects.create(name=item.programme_name)
                    audit_record(actor=actor, action="create", instance=row_programme,
                                 changes={"name": [None, row_programme.name]}, source=source)
                programmes[item.programme_name] = row_programme
        issuer = None
        if "name" in spec:
            issuer = issuers.get(spec["name"])
            if issuer is None:
                issuer = issuer_get_or_create(name=spec["name"], kind=spec["kind"],
                                              region=spec["region"])
                issuers[spec["name"]] = issuer
        c = Challenge(**item.fields, enterprise_id=spec.get("enterprise_id"),
                      institution_id=spec.get("institution_id"), issuer=issuer,
                      programme=row_programme, created_by=actor,
                      state=ChallengeState.SUBMITTED,
                      submitted_at=now)
        c.search_text = search.search_text(c.title, c.keywords,
                                           " ".join(i["name"] for i in item.indicators),
                                           c.statement)
        objects.append(c)
    Challenge.objects.bulk_create(objects, batch_size=200)
    indicators, terms, published = [], [], 0
    for c, item in zip(objects, listings):
        rows = [IndicatorTarget(challenge=c, **i) for i in item.indicators]
        indicators += rows
        # a funding cell kept as words waits for the organizer, even with "publish" checked
        if (publish and not screening.open_checks(c, rows) and c.claim_deadline > timezone.localdate(now)
                and not any(w.code == "funding_unreadable" for w in item.warnings)):
            c.state, c.published_at, c.on_board = ChallengeState.PUBLISHED, now, True
            published += 1
        terms += [ChallengeTerm(challenge=c, term=t) for t in sorted(search.doc_terms(
            c.search_text))]
    IndicatorTarget.objects.bulk_create(indicators, batch_size=500)
    ChallengeTerm.objects.bulk_create(terms, batch_size=1000)
    if published:
        Challenge.objects.bulk_update([c for c in objects if c.state == ChallengeState.PUBLISHED],
                                      ["state", "published_at", "on_board"], batch_size=200)
    audit_record_many(actor=actor, action="create", source=source, items=[
        (c, {"title": [None, c.title], "state": [None, c.state], "row": [None, item.row],
             "issuer": [None, item.issuer.get("name") or
                        f"enterprise:{item.issuer['enterprise_id']}" if "enterprise_id"
                        in item.issuer else f"institution:{item.issuer.get('institution_id')}"
                        if "institution_id" in item.issuer else item.issuer.get("name", "")]})
        for c, item in zip(objects, listings)])
    return len(objects), published


# --- the roster's mapping step ---------------------------------------------------------------

_ROSTER_SALT = "challenges.roster-import"


def roster_header_known(content: bytes, filename: str) -> bool:
    """Whether the roster's header (first 5 rows) names its required columns by aliases or by
    the organizer's remembered choices. A file that cannot be read at all counts as known: the
    import itself then says why."""
    from innolink.challenges import importing

    try:
        grid = tabular.read_grid(content, filename, max_bytes=MAX_BYTES)
    except tabular.FileUnreadable:
        return True
    remembered = remembered_mapping(ImportColumnMapping.Kind.RESEARCHERS)
    for row in grid.rows[:5]:
        fields = {importing.field_for_header(c, remembered) for c in row if c}
        if "name" in fields:
            return all(k in fields for k in importing.REQUIRED)
    return not any(sum(1 for c in row if c) >= 2 for row in grid.rows[:5])


def roster_mapping_prepare(*, actor, content: bytes, filename: str, commit: bool) -> Upload:
    """A roster whose name or field column nobody has named yet: keep the file and offer the
    organizer the mapping step (the same as for a 榜单)."""
    from innolink.challenges import importing
    from innolink.enterprises.tasks import store_upload

    if not access.is_board_staff(actor):
        raise PermissionDenied(_("只有组织方工作人员可以批量导入科研人员"))
    suffix = filename.lower().rsplit(".", 1)[-1] if "." in filename else ""
    try:
        grid = tabular.read_grid(content, filename, max_bytes=MAX_BYTES)
    except tabular.FileUnreadable as exc:
        raise ApplicationError(exc.message, code=exc.code) from exc
    remembered = remembered_mapping(ImportColumnMapping.Kind.RESEARCHERS)
    header = tabular.find_header(
        grid, lambda c: importing.field_for_header(c, remembered) is not None)
    if header is None:  # nothing known: the first row with several filled cells
        for i, row in enumerate(grid.rows[:tabular.MAX_SCAN_ROWS]):
            if sum(1 for c in row if c) >= 2:
                header = tabular.Header([c.replace("\n", "") for c in row], i + 1, i + 1)
                break
    if header is None:
        raise ApplicationError(_("找不到表头"), code=IMPORT_NO_HEADER)
    stored = store_upload(content, suffix)
    token = signing.dumps({"stored_as": stored, "filename": filename[:200],
                           "commit": bool(commit), "by": actor.pk}, salt=_ROSTER_SALT)
    guesses = {h: importing.field_for_header(h, remembered) for h in header.headers if h}
    sample = [cells for _n, cells in tabular.data_rows(grid, header)[:3]]
    return Upload(token, filename, header.headers, header.line, guesses, sample)


@transaction.atomic
def roster_mapping_save(*, actor, token: str, choices: dict[str, str], source: str = "web"):
    """Remember the organizer's roster columns and start the check (or import) job."""
    from innolink.challenges import importing
    from innolink.core.jobs import job_start

    if not access.is_board_staff(actor):
        raise PermissionDenied(_("只有组织方工作人员可以批量导入科研人员"))
    try:
        data = signing.loads(token, salt=_ROSTER_SALT, max_age=86400)
    except signing.BadSignature as exc:
        raise ApplicationError(_("导入已过期，请重新上传文件"), code=IMPORT_TOKEN) from exc
    if data.get("by") != actor.pk:
        raise PermissionDenied(_("这份上传属于另一位工作人员"))
    allowed = set(importing.HEADERS) | {listing_import.IGNORE}
    chosen = {h: (c or "").strip() for h, c in choices.items() if h}
    bad = [h for h, c in chosen.items() if c not in allowed]
    if bad:
        raise ValidationFailed({"mapping": [_("列“%(h)s”：请选择对应字段或“忽略”") % {"h": bad[0]}]})
    fields = set(chosen.values())
    missing = [importing.LABELS[k] for k in importing.REQUIRED if k not in fields]
    if missing:
        raise ValidationFailed({"mapping": [_("还缺少必需的列：%(c)s") % {"c": "、".join(missing)}]})
    remembered = remembered_mapping(ImportColumnMapping.Kind.RESEARCHERS)
    for header, choice in chosen.items():
        if importing.field_for_header(header) == choice or remembered.get(header) == choice:
            continue
        row, created = ImportColumnMapping.objects.update_or_create(
            kind=ImportColumnMapping.Kind.RESEARCHERS, header=header[:120],
            defaults={"field": choice, "updated_by": actor})
        audit_record(actor=actor, action="create" if created else "update", instance=row,
                     changes={"field": [remembered.get(header), choice]}, source=source)
    title = N_("导入科研人员：%(file)s") if data["commit"] else N_("检查科研人员：%(file)s")
    return job_start(kind=RESEARCHER_IMPORT_KIND, title=title,
                     title_params={"file": data["filename"]}, user=actor, params={"stored_as": data["stored_as"],
                                         "filename": data["filename"],
                                         "commit": data["commit"], "source": source})
