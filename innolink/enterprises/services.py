"""Every write to the enterprise registry. Each function is one transaction and audits what it
changes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from innolink.core.audit import audit_diff, audit_record, audit_record_many, snapshot
from innolink.core.bulk import insert_rows
from innolink.core.errors import ApplicationError, Conflict, ValidationFailed
from innolink.core.messages import Message
from innolink.enterprises import importing
from innolink.enterprises.models import (
    Enterprise,
    EnterpriseItem,
    EnterpriseTag,
    EnterpriseYear,
    IndicatorDefinition,
    ItemKind,
    QualificationType,
)
from innolink.enterprises.errors import (
    IMPORT_BAD_TYPE,
    IMPORT_TOO_LARGE,
    INDICATOR_KIND_FIXED,
    ITEM_EXISTS,
    LEVEL_IN_USE,
    LEVEL_MISSING,
    QUALIFICATION_EXISTS,
)

ProgressFn = Callable[..., None]
#: The job kind ``innolink.enterprises.tasks`` registers the import runner under.
IMPORT_KIND = "enterprises.import"
ATTRIBUTE_FIELDS = ("name", "town", "industry_code", "ownership", "founded_on", "size_class",
                    "legal_representative", "address", "products")
TAG_FIELDS = ("certified_on", "expires_on", "first_certified", "reference")


def _noop(*_args, **_kwargs) -> None:
    return None


@dataclass
class ImportOutcome:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    years_created: int = 0
    years_updated: int = 0
    committed: bool = False
    columns: dict[str, str] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)
    preview: list[dict[str, Any]] = field(default_factory=list)

    @property
    def changed(self) -> int:
        return self.created + self.updated

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows, "created": self.created, "updated": self.updated,
            "unchanged": self.unchanged, "years_created": self.years_created,
            "years_updated": self.years_updated, "committed": self.committed,
            "columns": self.columns, "errors": self.errors, "error_count": len(self.errors),
            "preview": self.preview,
        }


def indicator_columns() -> dict[str, importing.IndicatorColumn]:
    return {
        d.code: importing.IndicatorColumn(code=d.code, kind=d.kind, name=d.name,
                                          allow_negative=d.allow_negative,
                                          levels=tuple(d.levels or ()))
        for d in IndicatorDefinition.objects.all()
    }


def _existing(codes: list[str]) -> tuple[dict[str, Enterprise], dict[int, dict[str, Any]],
                                         dict[tuple[int, int], EnterpriseYear]]:
    enterprises: dict[str, Enterprise] = {}
    for start in range(0, len(codes), 900):
        for enterprise in Enterprise.objects.filter(credit_code__in=codes[start:start + 900]):
            enterprises[enterprise.credit_code] = enterprise
    ids = [e.pk for e in enterprises.values()]
    tags: dict[int, dict[str, Any]] = defaultdict(dict)
    years: dict[tuple[int, int], EnterpriseYear] = {}
    for start in range(0, len(ids), 900):
        chunk = ids[start:start + 900]
        for tag in EnterpriseTag.objects.filter(enterprise_id__in=chunk):
            key = importing.tag_key(tag.tag, tag.level)
            if tag.source == EnterpriseTag.Source.REGISTRY:
                tags[tag.enterprise_id][key] = {f: getattr(tag, f) for f in TAG_FIELDS}
            else:  # recorded in detail: a 标签 cell never replaces it
                tags[tag.enterprise_id].setdefault(_DETAILED, set()).add(key)
        for year in EnterpriseYear.objects.filter(enterprise_id__in=chunk):
            years[(year.enterprise_id, year.year)] = year
    return enterprises, tags, years


_DETAILED = "__detailed__"  # the keys an enterprise holds in detail (qualification import, officers)


def _tag_state(tags: dict[str, Any], detailed: set[str] = frozenset()) -> dict[str, dict[str, Any]]:
    """Registry-recorded tags comparable between the database ("" for no reference) and a file
    (key absent); qualifications recorded in detail are left out on both sides."""
    return {tag: {f: None if detail.get(f) == "" else detail.get(f) for f in TAG_FIELDS}
            for tag, detail in tags.items() if tag != _DETAILED and tag not in detailed}


def registry_import(*, content: bytes, filename: str, actor, commit: bool,
                    progress: ProgressFn = _noop, source: str = "import",
                    demo: bool = False) -> ImportOutcome:
    """Check an import file and, when ``commit`` and the file is clean, upsert it by credit code.

    All or nothing: a file with any error writes nothing. Re-importing the same file changes
    nothing. Raises ``ApplicationError`` when the file as a whole cannot be read.
    """
    limits = settings.INNOLINK
    try:
        table = importing.read_table(content, filename, max_bytes=limits["IMPORT_MAX_BYTES"],
                                     max_rows=limits["IMPORT_MAX_ROWS"])
    except importing.ImportFileError as exc:
        raise exc.as_application_error() from exc
    total = len(table.rows)
    progress(0, total, N_("检查数据"), force=True)
    check = importing.check_rows(table, indicator_columns(),
                                 max_year=timezone.localdate().year,
                                 qualifications=importing.qualification_words(
                                     QualificationType.objects.values_list("code", "name", "levels")))
    outcome = ImportOutcome(rows=total, columns=check.columns,
                            errors=[e.as_dict() for e in check.errors])
    progress(total // 2, total, N_("已检查 %(n)s 行，发现 %(e)s 个问题"),
             params={"n": total, "e": len(check.errors)}, force=True)
    if not check.ok:
        return outcome
    plan = _plan(check.records, demo=demo)
    outcome.created, outcome.updated = len(plan.new), len(plan.changed)
    outcome.unchanged = plan.unchanged
    outcome.years_created, outcome.years_updated = len(plan.new_years), len(plan.changed_years)
    outcome.preview = plan.preview[:50]
    if commit and (plan.new or plan.changed or plan.new_years or plan.changed_years):
        progress(total // 2, total, N_("写入数据库"), force=True)
        _apply(plan, actor=actor, source=source)
        outcome.committed = True
    elif commit:
        outcome.committed = True
    progress(total, total, N_("完成"), force=True)
    return outcome


@dataclass
class _Plan:
    new: list[tuple[Enterprise, dict[str, dict[str, Any]] | None]] = field(default_factory=list)
    changed: list[tuple[Enterprise, dict[str, list[Any]], list[str]]] = field(default_factory=list)
    tag_replacements: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    new_years: list[tuple[str, int, dict[str, str]]] = field(default_factory=list)
    changed_years: list[tuple[EnterpriseYear, dict[str, str]]] = field(default_factory=list)
    year_changes: dict[str, dict[str, list[Any]]] = field(default_factory=dict)
    ids: dict[str, int] = field(default_factory=dict)  # credit code -> pk, filled while applying
    unchanged: int = 0
    preview: list[dict[str, Any]] = field(default_factory=list)


def _plan(records: list[importing.Record], *, demo: bool = False) -> _Plan:
    plan = _Plan()
    by_code: dict[str, list[importing.Record]] = defaultdict(list)
    for record in records:
        by_code[record.credit_code].append(record)
    enterprises, tags, years = _existing(list(by_code))
    for code, group in by_code.items():
        first = group[0]
        enterprise = enterprises.get(code)
        changes: dict[str, list[Any]] = {}
        if enterprise is None:
            enterprise = Enterprise(credit_code=code, is_demo=demo, **first.attrs)
            plan.new.append((enterprise, first.tags))
            kind = "create"
        else:
            before = snapshot(enterprise, first.attrs.keys())
            changes = audit_diff(before, first.attrs)
            if first.tags is not None:
                current = tags.get(enterprise.pk, {})
                detailed = current.get(_DETAILED, set())
                old_tags = _tag_state(current)
                new_tags = _tag_state(first.tags, detailed)
                if old_tags != new_tags:
                    changes["tags"] = [sorted(old_tags), sorted(new_tags)]
                    plan.tag_replacements[code] = {k: v for k, v in first.tags.items() if k not in detailed}
            kind = "update" if changes else "same"
        year_changes: dict[str, list[Any]] = {}
        for record in group:
            if record.year is None or not record.values:
                continue
            existing = years.get((enterprise.pk, record.year)) if enterprise.pk else None
            if existing is None:
                plan.new_years.append((code, record.year, dict(record.values)))
                for key, value in record.values.items():
                    year_changes[f"{record.year}.{key}"] = [None, value]
            else:
                merged = {**existing.values, **record.values}
                if merged != existing.values:
                    plan.changed_years.append((existing, merged))
                    diff = audit_diff(existing.values, merged)
                    year_changes.update({f"{record.year}.{k}": v for k, v in diff.items()})
        if kind == "update" or (kind == "same" and year_changes):
            plan.changed.append((enterprise, changes, [k for k in changes if k != "tags"]))
            plan.year_changes[code] = year_changes
            kind = "update"
        elif kind == "create":
            plan.year_changes[code] = year_changes
        else:
            plan.unchanged += 1
        if kind != "same" and len(plan.preview) < 50:
            plan.preview.append({"row": first.row, "credit_code": code,
                                 "name": first.attrs.get("name", enterprise.name),
                                 "action": kind, "fields": sorted({**changes, **year_changes})})
    return plan


def _apply(plan: _Plan, *, actor, source: str) -> None:
    now = timezone.now()
    with transaction.atomic():
        # Every value was checked by importing.check_rows; the inserts skip per-field
        # preparation (see innolink.core.bulk), which is most of the time at 100,000 rows.
        created = [enterprise for enterprise, _tags in plan.new]
        columns = ["credit_code", *ATTRIBUTE_FIELDS, "is_demo", "created_at", "updated_at"]
        insert_rows(Enterprise, columns, (
            (e.credit_code, *(getattr(e, f) for f in ATTRIBUTE_FIELDS), e.is_demo, now, now)
            for e in created))
        new_codes = [e.credit_code for e in created]
        for start in range(0, len(new_codes), 900):
            for pk, code in Enterprise.objects.filter(
                    credit_code__in=new_codes[start:start + 900]).values_list("pk", "credit_code"):
                plan.ids[code] = pk
        for enterprise in created:
            enterprise.pk = plan.ids[enterprise.credit_code]
        ids = plan.ids
        for enterprise, _changes, _fields in plan.changed:
            ids[enterprise.credit_code] = enterprise.pk
        updates_by_fields: dict[tuple[str, ...], list[Enterprise]] = defaultdict(list)
        for enterprise, changes, fields in plan.changed:
            if fields:
                for name in fields:
                    setattr(enterprise, name, changes[name][1] if name != "founded_on"
                            else _date(changes[name][1]))
                enterprise.updated_at = now  # bulk_update does not apply auto_now
                updates_by_fields[tuple(sorted(fields))].append(enterprise)
        for fields, group in updates_by_fields.items():
            Enterprise.objects.bulk_update(group, [*fields, "updated_at"], batch_size=1000)
        replaced = [ids[code] for code in plan.tag_replacements]
        for start in range(0, len(replaced), 900):
            EnterpriseTag.objects.filter(enterprise_id__in=replaced[start:start + 900],
                                         source=EnterpriseTag.Source.REGISTRY).delete()
        tag_sources = [(e.credit_code, t) for e, t in plan.new if t]
        tag_sources += list(plan.tag_replacements.items())
        insert_rows(EnterpriseTag, ["enterprise", "tag", "level", "source", *TAG_FIELDS], (
            (ids[code], *importing.split_tag_key(key), EnterpriseTag.Source.REGISTRY,
             *(_tag_value(detail, f) for f in TAG_FIELDS))
            for code, tags in tag_sources for key, detail in tags.items()))
        insert_rows(EnterpriseYear, ["enterprise", "year", "values", "updated_at"], (
            (ids[code], year, values, now) for code, year, values in plan.new_years))
        for row, merged in plan.changed_years:
            row.values = merged
            row.updated_at = now
        EnterpriseYear.objects.bulk_update([row for row, _ in plan.changed_years],
                                           ["values", "updated_at"], batch_size=1000)
        audit_record_many(actor=actor, action="create", source=source, items=(
            (e, {**{f: [None, getattr(e, f)] for f in ATTRIBUTE_FIELDS if getattr(e, f)},
                 **({"tags": [[], sorted(t)]} if t else {}),
                 **plan.year_changes.get(e.credit_code, {})})
            for e, t in plan.new))
        audit_record_many(actor=actor, action="update", source=source, items=(
            (e, {**changes, **plan.year_changes.get(e.credit_code, {})})
            for e, changes, _fields in plan.changed))


def _tag_value(detail: dict[str, Any], name: str) -> Any:
    value = detail.get(name)
    return "" if value is None and name == "reference" else value


def _date(value: Any) -> Any:
    if isinstance(value, str):
        return dt.date.fromisoformat(value)
    return value


def registry_import_start(*, content: bytes, filename: str, actor, commit: bool):
    """Keep the uploaded file and start a background import (a dry run unless ``commit``)."""
    from innolink.core.jobs import job_start
    from innolink.core.uploads import store_upload

    limit = settings.INNOLINK["IMPORT_MAX_BYTES"]
    if len(content) > limit:
        raise ApplicationError(
            _("文件过大：%(size).1f MB，上限 %(limit).0f MB") % {
                "size": len(content) / 1048576, "limit": limit / 1048576},
            code=IMPORT_TOO_LARGE)
    suffix = filename.lower().rsplit(".", 1)[-1] if "." in filename else ""
    if suffix not in ("xlsx", "csv", "txt"):
        raise ApplicationError(_("只支持 .xlsx 和 .csv 文件"), code=IMPORT_BAD_TYPE)
    try:
        importing.check_upload(content, filename)
    except importing.ImportFileError as exc:
        raise exc.as_application_error() from exc
    stored = store_upload(content, suffix)
    title = N_("导入企业数据：%(file)s") if commit else N_("预检企业数据：%(file)s")
    return job_start(kind=IMPORT_KIND, title=title, title_params={"file": filename}, user=actor,
                     params={"stored_as": stored, "filename": filename, "commit": commit})


def registry_import_commit(*, job, actor):
    """Commit the file of a finished, clean dry run as a new job."""
    from innolink.core.errors import Conflict
    from innolink.core.jobs import job_start

    if job.kind != IMPORT_KIND or job.params.get("commit") or not job.is_finished:
        raise Conflict(_("只能提交已完成的预检"))
    if job.status != job.Status.SUCCEEDED or job.result.get("error_count"):
        raise Conflict(_("预检发现问题，请修改文件后重新上传"))
    return job_start(kind=IMPORT_KIND, title=N_("导入企业数据：%(file)s"),
                     title_params={"file": job.params.get("filename", "")}, user=actor,
                     params={**job.params, "commit": True, "dry_run_job": str(job.pk)})


# --------------------------------------------------------------------------- qualifications (资质)

_CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_LEGACY_CODES = {"specialized_provincial", "specialized_national"}
FACT_KINDS = ("money", "count", "quantity", "ratio", "bool", "date", "level", "category", "text")


def _facts_changed() -> None:
    """The rules engine's catalogue and the policy snapshot key read these rows: drop the caches."""
    from innolink.enterprises.models import forget_qualification_types

    forget_qualification_types()
    transaction.on_commit(forget_qualification_types)


def _check_levels(levels: Any, errors: dict[str, list[str]], key: str = "levels") -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    if levels in (None, ""):
        return out
    if not isinstance(levels, (list, tuple)):
        errors.setdefault(key, []).append(_("等级应为列表，每项含代码和名称"))
        return out
    for k, level in enumerate(levels):
        if isinstance(level, str):
            level = {"code": level, "name": level}
        code = str((level or {}).get("code", "")).strip()
        name = str((level or {}).get("name", "")).strip()
        if not _CODE.match(code) or not name or len(name) > 60:
            errors.setdefault(key, []).append(
                _("第 %(n)s 个等级：代码须为小写字母开头的字母数字下划线，名称必填且不超过60字") % {"n": k + 1})
            continue
        out.append({"code": code, "name": name})
    if len({lv["code"] for lv in out}) != len(out) or len({lv["name"] for lv in out}) != len(out):
        errors.setdefault(key, []).append(_("等级代码或名称重复"))
    return out


@transaction.atomic
def qualification_type_save(*, actor, code: str, name: str, issuer: str = "", levels: Any = (),
                            validity_years: Any = None, renewal_is_new: bool = False,
                            source: str = "web") -> QualificationType:
    """Create or change a qualification type. Levels are ordered low to high. A level that
    certifications still use cannot be removed, nor can a type with levels lose them."""
    errors: dict[str, list[str]] = {}
    code = (code or "").strip()
    name = (name or "").strip()
    if not _CODE.match(code) or code in _LEGACY_CODES:
        errors["code"] = [_("代码须为小写字母开头的字母、数字或下划线，不超过40字")]
    if not name or len(name) > 60:
        errors["name"] = [_("名称必填，不超过60字")]
    if len(issuer or "") > 100:
        errors["issuer"] = [_("认定机构不超过100字")]
    parsed = _check_levels(levels, errors)
    if validity_years in ("", None):
        validity = None
    else:
        try:
            validity = int(validity_years)
            if not 1 <= validity <= 50:
                raise ValueError
        except (TypeError, ValueError):
            errors["validity_years"] = [_("有效期应为1至50的整数年，或留空表示长期有效")]
            validity = None
    if errors:
        raise ValidationFailed(errors)
    existing = QualificationType.objects.select_for_update().filter(code=code).first()
    clash = QualificationType.objects.filter(name=name).exclude(code=code).first()
    if clash is not None:
        raise ValidationFailed({"name": [_("名称与资质类型「%(c)s」重复") % {"c": clash.code}]})
    if existing is not None:
        kept = {lv["code"] for lv in parsed}
        used = (EnterpriseTag.objects.filter(tag=code).exclude(level="").values_list("level", flat=True)
                .distinct())
        gone = sorted(set(used) - kept)
        if gone:
            count = EnterpriseTag.objects.filter(tag=code, level__in=gone).count()
            raise Conflict(_("等级 %(l)s 仍有 %(n)s 条企业资质记录使用，不能删除") % {"l": "、".join(gone), "n": count},
                           code=LEVEL_IN_USE, extra={"levels": gone, "count": count})
        if not parsed and EnterpriseTag.objects.filter(tag=code).exclude(level="").exists():
            raise Conflict(_("该资质已有分等级的记录，不能改为不分等级"), code=LEVEL_IN_USE)
        if parsed and EnterpriseTag.objects.filter(tag=code, level="").exists():
            raise Conflict(_("该资质已有不分等级的记录，请先为这些记录补充等级"), code=LEVEL_MISSING)
        before = snapshot(existing, ["name", "issuer", "levels", "validity_years", "renewal_is_new"])
        existing.name, existing.issuer, existing.levels = name, issuer or "", parsed
        existing.validity_years, existing.renewal_is_new = validity, bool(renewal_is_new)
        existing.save()
        changes = audit_diff(before, snapshot(existing, list(before)))
        if changes:
            audit_record(actor=actor, action="update", instance=existing, changes=changes, source=source)
        row = existing
    else:
        order = (QualificationType.objects.aggregate(m=Max("order"))["m"] or 0) + 1
        row = QualificationType.objects.create(code=code, name=name, issuer=issuer or "", levels=parsed,
                                               validity_years=validity, renewal_is_new=bool(renewal_is_new),
                                               order=order)
        audit_record(actor=actor, action="create", instance=row, source=source, changes={
            "name": [None, name], "levels": [None, parsed], "validity_years": [None, validity],
            "renewal_is_new": [None, bool(renewal_is_new)]})
    _facts_changed()
    return row


def _qualification_fields(*, qtype: QualificationType, level: str, certified_on: Any, expires_on: Any,
                          first: Any, reference: str) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    level = (level or "").strip()
    codes = {lv["code"]: lv["name"] for lv in qtype.levels or ()}
    names = {v: k for k, v in codes.items()}
    if codes:
        level = names.get(level, level)
        if level not in codes:
            errors["level"] = [_("%(t)s的等级应为：%(l)s") % {"t": qtype.name, "l": "、".join(codes.values())}]
    elif level:
        errors["level"] = [_("%(t)s不分等级") % {"t": qtype.name}]
    dates = {}
    for key, value in (("certified_on", certified_on), ("expires_on", expires_on)):
        if value in (None, ""):
            dates[key] = None
        elif isinstance(value, dt.date):
            dates[key] = value
        else:
            try:
                dates[key] = dt.date.fromisoformat(str(value))
            except ValueError:
                errors[key] = [_("日期格式应为 2024-12-01")]
    if dates.get("certified_on") and dates.get("expires_on") and dates["expires_on"] < dates["certified_on"]:
        errors["expires_on"] = [_("有效期至早于认定日期")]
    if first not in (None, True, False):
        errors["first"] = [_("首次认定应为 是 或 否")]
    if len(reference or "") > 64:
        errors["reference"] = [_("证书编号或文号不超过64字")]
    if errors:
        raise ValidationFailed(errors)
    return {"level": level, "certified_on": dates.get("certified_on"), "expires_on": dates.get("expires_on"),
            "first_certified": first, "reference": (reference or "").strip()}


def _qualification_type(code: str) -> QualificationType:
    qtype = QualificationType.objects.filter(code=code).first()
    if qtype is None:
        raise ValidationFailed({"type": [_("未定义的资质类型 %(c)s") % {"c": code}]})
    return qtype


def _check_duplicate(enterprise_id: int, tag: str, fields: dict[str, Any], exclude: int | None = None) -> None:
    clash = EnterpriseTag.objects.filter(enterprise_id=enterprise_id, tag=tag, level=fields["level"],
                                         certified_on=fields["certified_on"])
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise Conflict(_("该企业已有同一资质、等级和认定日期的记录"), code=QUALIFICATION_EXISTS)


@transaction.atomic
def qualification_add(*, actor, enterprise: Enterprise, type: str, level: str = "", certified_on: Any = None,
                      expires_on: Any = None, first: Any = None, reference: str = "",
                      source: str = "web") -> EnterpriseTag:
    """Record one certification of an enterprise (an officer's entry)."""
    qtype = _qualification_type(type)
    fields = _qualification_fields(qtype=qtype, level=level, certified_on=certified_on, expires_on=expires_on,
                                   first=first, reference=reference)
    _check_duplicate(enterprise.pk, qtype.code, fields)
    row = EnterpriseTag.objects.create(enterprise=enterprise, tag=qtype.code, source=EnterpriseTag.Source.OFFICER,
                                       **fields)
    audit_record(actor=actor, action="create", instance=row, source=source,
                 changes={"tag": [None, qtype.code], **{k: [None, v] for k, v in fields.items() if v not in (None, "")}})
    return row


@transaction.atomic
def qualification_delete(*, actor, qualification: EnterpriseTag, source: str = "web") -> None:
    row = EnterpriseTag.objects.select_for_update().get(pk=qualification.pk)
    audit_record(actor=actor, action="delete", instance=row, source=source, changes={
        "tag": [row.tag, None], "level": [row.level, None],
        "certified_on": [row.certified_on.isoformat() if row.certified_on else None, None]})
    row.delete()


@dataclass
class FactImportOutcome:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    committed: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "created": self.created, "updated": self.updated,
                "unchanged": self.unchanged, "errors": self.errors, "committed": self.committed}


def _read(content: bytes, filename: str) -> importing.Table:
    limits = settings.INNOLINK
    try:
        return importing.read_table(content, filename, max_bytes=limits["IMPORT_MAX_BYTES"],
                                    max_rows=limits["IMPORT_MAX_ROWS"])
    except importing.ImportFileError as exc:
        raise exc.as_application_error() from exc


def _enterprise_ids(codes: set[str]) -> dict[str, int]:
    ids: dict[str, int] = {}
    codes_list = sorted(codes)
    for start in range(0, len(codes_list), 900):
        ids.update(Enterprise.objects.filter(credit_code__in=codes_list[start:start + 900])
                   .values_list("credit_code", "pk"))
    return ids


def qualification_import(*, actor, content: bytes, filename: str, commit: bool = True,
                         source: str = "import") -> FactImportOutcome:
    """Import certifications (one per row): all or nothing, each change audited. A row with the
    enterprise, type, level and certification date of an existing record updates its expiry,
    first/renewed flag and number; any other row adds a record. Rows name enterprises by credit
    code; an unknown enterprise is an error (import the registry first)."""
    table = _read(content, filename)
    types = {code: (name, levels or []) for code, name, levels in
             QualificationType.objects.values_list("code", "name", "levels")}
    rows, errors = importing.check_qualification_rows(table, types)
    outcome = FactImportOutcome(rows=len(table.rows))
    ids = _enterprise_ids({r.credit_code for r in rows})
    for r in rows:
        if r.credit_code not in ids:
            errors.append(importing.RowError(r.row, "统一社会信用代码", r.credit_code,
                                               N_("企业库中没有该企业，请先导入企业库")))
    if errors:
        outcome.errors = [e.as_dict() for e in sorted(errors, key=lambda e: e.row)]
        return outcome
    with transaction.atomic():
        existing = {}
        for start in range(0, len(ids), 900):
            chunk = list(ids.values())[start:start + 900]
            for row in EnterpriseTag.objects.select_for_update().filter(enterprise_id__in=chunk):
                existing[(row.enterprise_id, row.tag, row.level, row.certified_on)] = row
        created, updated = [], []
        for r in rows:
            key = (ids[r.credit_code], r.type, r.level, r.certified_on)
            values = {"expires_on": r.expires_on, "first_certified": r.first, "reference": r.reference}
            row = existing.get(key)
            if row is None:
                created.append(EnterpriseTag(enterprise_id=key[0], tag=r.type, level=r.level,
                                             certified_on=r.certified_on, source=EnterpriseTag.Source.IMPORT,
                                             **values))
                continue
            before = snapshot(row, list(values))
            changes = audit_diff(before, values)
            if changes:
                for name, value in values.items():
                    setattr(row, name, value)
                row.source = EnterpriseTag.Source.IMPORT
                updated.append((row, changes))
            else:
                outcome.unchanged += 1
        if commit:
            EnterpriseTag.objects.bulk_create(created, batch_size=500)
            now = timezone.now()
            for row, _changes in updated:
                row.updated_at = now  # bulk_update does not apply auto_now
            EnterpriseTag.objects.bulk_update([row for row, _ in updated],
                                              ["expires_on", "first_certified", "reference", "source", "updated_at"],
                                              batch_size=500)
            saved = {(r.enterprise_id, r.tag, r.level, r.certified_on): r for r in EnterpriseTag.objects.filter(
                enterprise_id__in=list({c.enterprise_id for c in created}))} if created else {}
            audit_record_many(actor=actor, action="create", source=source, items=(
                (saved.get((c.enterprise_id, c.tag, c.level, c.certified_on), c),
                 {"tag": [None, c.tag], "level": [None, c.level],
                  "certified_on": [None, c.certified_on.isoformat() if c.certified_on else None],
                  "first_certified": [None, c.first_certified]}) for c in created))
            audit_record_many(actor=actor, action="update", source=source, items=updated)
            outcome.committed = True
        outcome.created, outcome.updated = len(created), len(updated)
    return outcome


# --------------------------------------------------------------------------- items (事项)

def _check_facts(facts: Any, errors: dict[str, list[str]]) -> dict[str, dict[str, Any]]:
    if not isinstance(facts, dict) or not facts:
        errors["facts"] = [_("至少定义一项数据")]
        return {}
    out = {}
    # the declared order: each fact's ``order`` if all carry one, else the order given (the
    # officer's lines); stored as 0, 1, … because jsonb does not keep key order (ADR 0380)
    given = list(facts.items())
    if all(isinstance(s, dict) and type(s.get("order")) is int for _c, s in given):
        given.sort(key=lambda pair: (pair[1]["order"], str(pair[0])))
    for position, (code, spec) in enumerate(given):
        if not _CODE.match(str(code)) or code in ("key", "label", "year"):
            errors.setdefault("facts", []).append(_("数据代码 %(c)s 无效") % {"c": code})
            continue
        if not isinstance(spec, dict) or spec.get("kind") not in FACT_KINDS or not str(spec.get("name", "")).strip():
            errors.setdefault("facts", []).append(_("数据 %(c)s 须有名称和类型（%(k)s）") % {"c": code, "k": "、".join(FACT_KINDS)})
            continue
        entry = {"name": str(spec["name"]).strip(), "kind": spec["kind"]}
        if spec["kind"] in ("count", "quantity"):
            entry["unit"] = str(spec.get("unit") or ("件" if spec["kind"] == "count" else "")).strip()
            if not entry["unit"]:
                errors.setdefault("facts", []).append(_("计量值 %(c)s 须有单位") % {"c": code})
        if spec["kind"] in ("category", "level"):
            choices = spec.get("choices") or spec.get("levels") or []
            if not isinstance(choices, list) or not choices or len(set(map(str, choices))) != len(choices):
                errors.setdefault("facts", []).append(_("数据 %(c)s 须列出不重复的取值") % {"c": code})
            entry["levels" if spec["kind"] == "level" else "choices"] = [str(c) for c in choices]
        entry["order"] = position
        out[code] = entry
    return out


@transaction.atomic
def item_kind_save(*, actor, code: str, name: str, facts: Any, source: str = "web") -> ItemKind:
    """Create or change a kind of repeated item and its facts."""
    errors: dict[str, list[str]] = {}
    code = (code or "").strip()
    if not _CODE.match(code):
        errors["code"] = [_("代码须为小写字母开头的字母、数字或下划线，不超过40字")]
    if not (name or "").strip() or len(name) > 60:
        errors["name"] = [_("名称必填，不超过60字")]
    parsed = _check_facts(facts, errors)
    if errors:
        raise ValidationFailed(errors)
    row = ItemKind.objects.select_for_update().filter(code=code).first()
    if row is None:
        row = ItemKind.objects.create(code=code, name=name.strip(), facts=parsed)
        audit_record(actor=actor, action="create", instance=row, source=source,
                     changes={"name": [None, row.name], "facts": [None, parsed]})
    else:
        before = snapshot(row, ["name", "facts"])
        row.name, row.facts = name.strip(), parsed
        row.save()
        changes = audit_diff(before, snapshot(row, ["name", "facts"]))
        if changes:
            audit_record(actor=actor, action="update", instance=row, changes=changes, source=source)
    _facts_changed()
    return row


def item_import(*, actor, content: bytes, filename: str, commit: bool = True, source: str = "import",
                reference: str = "") -> FactImportOutcome:
    """Import repeated items (one per row): all or nothing, audited; a row with an existing
    (enterprise, kind, key) replaces that item's year, name and facts."""
    table = _read(content, filename)
    kinds = {code: (name, facts or {}) for code, name, facts in ItemKind.objects.values_list("code", "name", "facts")}
    rows, errors = importing.check_item_rows(table, kinds, max_year=timezone.localdate().year + 1)
    outcome = FactImportOutcome(rows=len(table.rows))
    ids = _enterprise_ids({r.credit_code for r in rows})
    for r in rows:
        if r.credit_code not in ids:
            errors.append(importing.RowError(r.row, "统一社会信用代码", r.credit_code,
                                               N_("企业库中没有该企业，请先导入企业库")))
    if errors:
        outcome.errors = [e.as_dict() for e in sorted(errors, key=lambda e: e.row)]
        return outcome
    with transaction.atomic():
        existing = {}
        for start in range(0, len(ids), 900):
            chunk = list(ids.values())[start:start + 900]
            for row in EnterpriseItem.objects.select_for_update().filter(enterprise_id__in=chunk):
                existing[(row.enterprise_id, row.kind, row.key)] = row
        created, updated = [], []
        for r in rows:
            key = (ids[r.credit_code], r.kind, r.key)
            values = {"year": r.year, "label": r.label, "facts": r.facts}
            row = existing.get(key)
            if row is None:
                created.append(EnterpriseItem(enterprise_id=key[0], kind=r.kind, key=r.key, source=source,
                                              reference=reference[:64], **values))
                continue
            changes = audit_diff(snapshot(row, list(values)), values)
            if changes:
                for name, value in values.items():
                    setattr(row, name, value)
                updated.append((row, changes))
            else:
                outcome.unchanged += 1
        if commit:
            EnterpriseItem.objects.bulk_create(created, batch_size=500)
            now = timezone.now()
            for row, _changes in updated:
                row.updated_at = now
            EnterpriseItem.objects.bulk_update([row for row, _ in updated], ["year", "label", "facts", "updated_at"],
                                               batch_size=500)
            saved = {(r.enterprise_id, r.kind, r.key): r for r in EnterpriseItem.objects.filter(
                enterprise_id__in=list({c.enterprise_id for c in created}))} if created else {}
            audit_record_many(actor=actor, action="create", source=source, items=(
                (saved.get((c.enterprise_id, c.kind, c.key), c),
                 {"kind": [None, c.kind], "year": [None, c.year], "key": [None, c.key], "facts": [None, c.facts]})
                for c in created))
            audit_record_many(actor=actor, action="update", source=source, items=updated)
            outcome.committed = True
        outcome.created, outcome.updated = len(created), len(updated)
    return outcome


@transaction.atomic
def item_add(*, actor, enterprise: Enterprise, kind: str, year: int, key: str, label: str = "",
             facts: dict[str, Any] | None = None, source: str = EnterpriseItem.Source.OFFICER,
             reference: str = "") -> EnterpriseItem:
    """Record one item (an officer's entry, or an item an enterprise lists in an application)."""
    item_kind = ItemKind.objects.filter(code=kind).first()
    if item_kind is None:
        raise ValidationFailed({"kind": [_("未定义的事项类别 %(c)s") % {"c": kind}]})
    errors: dict[str, list[str]] = {}
    key = (key or "").strip()
    if not key or len(key) > 64:
        errors["key"] = [_("编号必填，不超过64字")]
    if not isinstance(year, int) or not 1990 <= year <= timezone.localdate().year + 1:
        errors["year"] = [_("年度无效")]
    checked: dict[str, str] = {}
    for fact, value in (facts or {}).items():
        spec = (item_kind.facts or {}).get(fact)
        if spec is None:
            errors.setdefault("facts", []).append(_("%(k)s没有数据项 %(f)s") % {"k": item_kind.name, "f": fact})
            continue
        if value in (None, ""):
            continue
        text_value, problem = importing._fact_value(spec, value, str(value).strip(), None)
        if problem:
            errors.setdefault("facts", []).append(f"{spec.get('name', fact)}：{problem}")
        else:
            checked[fact] = text_value
    if errors:
        raise ValidationFailed(errors)
    if EnterpriseItem.objects.filter(enterprise=enterprise, kind=kind, key=key).exists():
        raise Conflict(_("该企业已有同一编号的事项"), code=ITEM_EXISTS)
    row = EnterpriseItem.objects.create(enterprise=enterprise, kind=kind, year=year, key=key, label=(label or "")[:200],
                                        facts=checked, source=source, reference=(reference or "")[:64])
    audit_record(actor=actor, action="create", instance=row, changes={
        "kind": [None, kind], "year": [None, year], "key": [None, key], "facts": [None, checked]})
    return row


@transaction.atomic
def item_delete(*, actor, item: EnterpriseItem, source: str = "web") -> None:
    row = EnterpriseItem.objects.select_for_update().get(pk=item.pk)
    audit_record(actor=actor, action="delete", instance=row, source=source,
                 changes={"kind": [row.kind, None], "key": [row.key, None], "facts": [row.facts, None]})
    row.delete()


@transaction.atomic
def indicator_definition_save(*, actor, code: str, name: str, kind: str, unit: str = "", levels: Any = (),
                              allow_negative: bool = False, source: str = "web") -> IndicatorDefinition:
    """Define a yearly indicator as data (money, count, quantity, ratio, yes/no, date or an ordered
    level list). The kind of an existing indicator cannot change (stored values would change
    meaning)."""
    errors: dict[str, list[str]] = {}
    code = (code or "").strip()
    if not _CODE.match(code):
        errors["code"] = [_("代码须为小写字母开头的字母、数字或下划线，不超过40字")]
    if not (name or "").strip() or len(name) > 40:
        errors["name"] = [_("名称必填，不超过40字")]
    if kind not in IndicatorDefinition.Kind.values:
        errors["kind"] = [_("类型应为：%(k)s") % {"k": "、".join(str(label) for _v, label in IndicatorDefinition.Kind.choices)}]
    unit = (unit or "").strip()
    if kind == "money":
        unit = "元"
    elif kind in ("count", "quantity") and not unit:
        errors["unit"] = [_("数量和计量值须有单位")]
    elif kind == "ratio":
        unit = "%"
    parsed_levels: list[str] = []
    if kind == "level":
        if not isinstance(levels, (list, tuple)) or not levels or len(set(map(str, levels))) != len(levels):
            errors["levels"] = [_("等级须为不重复的名称列表（由低到高）")]
        else:
            parsed_levels = [str(v).strip() for v in levels]
    if errors:
        raise ValidationFailed(errors)
    row = IndicatorDefinition.objects.select_for_update().filter(code=code).first()
    if IndicatorDefinition.objects.filter(name=name.strip()).exclude(code=code).exists():
        raise ValidationFailed({"name": [_("名称与其他指标重复")]})
    if row is None:
        order = (IndicatorDefinition.objects.aggregate(m=Max("order"))["m"] or 0) + 1
        row = IndicatorDefinition.objects.create(code=code, name=name.strip(), kind=kind, unit=unit,
                                                 levels=parsed_levels, allow_negative=bool(allow_negative), order=order)
        audit_record(actor=actor, action="create", instance=row, source=source,
                     changes={"name": [None, row.name], "kind": [None, kind], "unit": [None, unit]})
    else:
        if row.kind != kind:
            raise Conflict(_("指标类型不能修改（已有数据按原类型存储）"), code=INDICATOR_KIND_FIXED)
        before = snapshot(row, ["name", "unit", "levels", "allow_negative"])
        row.name, row.unit, row.levels, row.allow_negative = name.strip(), unit, parsed_levels, bool(allow_negative)
        row.save()
        changes = audit_diff(before, snapshot(row, list(before)))
        if changes:
            audit_record(actor=actor, action="update", instance=row, changes=changes, source=source)
    _facts_changed()
    return row


@transaction.atomic
def indicator_value_set(*, actor, enterprise: Enterprise, year: int, code: str, value: Any,
                        source: str = "web") -> EnterpriseYear:
    """Record one yearly value (the input an answer says is missing, filled in by the
    enterprise or an officer): checked by the indicator's kind as the registry import checks it,
    stored as exact text, audited. Money is in yuan; ratios may be written 35% or 0.35."""
    definition = IndicatorDefinition.objects.filter(code=code).first()
    if definition is None:
        raise ValidationFailed({"code": [_("未定义的指标 %(c)s") % {"c": code}]})
    if not isinstance(year, int) or not 1990 <= year <= timezone.localdate().year:
        raise ValidationFailed({"year": [_("年度无效")]})
    text = str(value).strip() if value is not None else ""
    column = importing.IndicatorColumn(code=code, kind=definition.kind, allow_negative=definition.allow_negative,
                                       name=definition.name, levels=tuple(definition.levels or ()))
    if definition.kind in ("bool", "date", "level"):
        stored, problem = importing._typed_value(column, value, text)
    else:
        spec = {"kind": definition.kind}
        stored, problem = importing._fact_value(spec, value, text, None)
        if not problem and definition.kind == "count" and text:
            stored = str(int(Decimal(stored)))
        if problem == "不能为负数" and definition.allow_negative:
            try:
                stored, problem = str(importing._parse_decimal(text)), ""
            except Exception:  # noqa: BLE001 - reported below as a bad number
                problem = N_("应为数字")
    if not text or problem:
        said = problem.render() if isinstance(problem, Message) else _(problem or N_("必填"))
        raise ValidationFailed({"value": [_("%(name)s：%(problem)s") % {
            "name": definition.name, "problem": said}]})
    row, created = EnterpriseYear.objects.select_for_update().get_or_create(
        enterprise=enterprise, year=year, defaults={"values": {}})
    before = row.values.get(code)
    if before == stored:
        return row
    row.values = {**row.values, code: stored}
    row.save()
    audit_record(actor=actor, action="update", instance=enterprise, source=source,
                 changes={f"{year}.{code}": [before, stored]})
    return row
