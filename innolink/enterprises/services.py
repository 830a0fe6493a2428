"""Every write to the enterprise registry. Each function is one transaction and audits what it
changes."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from innolink.core.audit import audit_diff, audit_record, audit_record_many, snapshot
from innolink.core.bulk import insert_rows
from innolink.core.errors import ApplicationError, ValidationFailed
from innolink.enterprises import importing
from innolink.enterprises.models import (
    Enterprise,
    EnterpriseTag,
    EnterpriseYear,
    IndicatorDefinition,
)

ProgressFn = Callable[..., None]
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
                                          allow_negative=d.allow_negative)
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
            tags[tag.enterprise_id][tag.tag] = {f: getattr(tag, f) for f in TAG_FIELDS}
        for year in EnterpriseYear.objects.filter(enterprise_id__in=chunk):
            years[(year.enterprise_id, year.year)] = year
    return enterprises, tags, years


def _tag_state(tags: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Tags comparable between the database ("" for no reference) and a file (key absent)."""
    return {tag: {f: None if detail.get(f) == "" else detail.get(f) for f in TAG_FIELDS}
            for tag, detail in tags.items()}


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
        raise ApplicationError(exc.reason, code=exc.code) from exc
    total = len(table.rows)
    progress(0, total, "检查数据", force=True)
    check = importing.check_rows(table, indicator_columns(),
                                 max_year=timezone.localdate().year)
    outcome = ImportOutcome(rows=total, columns=check.columns,
                            errors=[e.as_dict() for e in check.errors])
    progress(total // 2, total, f"已检查 {total} 行，发现 {len(check.errors)} 个问题", force=True)
    if not check.ok:
        return outcome
    plan = _plan(check.records, demo=demo)
    outcome.created, outcome.updated = len(plan.new), len(plan.changed)
    outcome.unchanged = plan.unchanged
    outcome.years_created, outcome.years_updated = len(plan.new_years), len(plan.changed_years)
    outcome.preview = plan.preview[:50]
    if commit and (plan.new or plan.changed or plan.new_years or plan.changed_years):
        progress(total // 2, total, "写入数据库", force=True)
        _apply(plan, actor=actor, source=source)
        outcome.committed = True
    elif commit:
        outcome.committed = True
    progress(total, total, "完成", force=True)
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
                old_tags = _tag_state(tags.get(enterprise.pk, {}))
                new_tags = _tag_state(first.tags)
                if old_tags != new_tags:
                    changes["tags"] = [sorted(old_tags), sorted(new_tags)]
                    plan.tag_replacements[code] = first.tags
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
            EnterpriseTag.objects.filter(enterprise_id__in=replaced[start:start + 900]).delete()
        tag_sources = [(e.credit_code, t) for e, t in plan.new if t]
        tag_sources += list(plan.tag_replacements.items())
        insert_rows(EnterpriseTag, ["enterprise", "tag", *TAG_FIELDS], (
            (ids[code], tag, *(_tag_value(detail, f) for f in TAG_FIELDS))
            for code, tags in tag_sources for tag, detail in tags.items()))
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


@transaction.atomic
def enterprise_update(*, enterprise: Enterprise, actor, data: dict[str, Any],
                      source: str = "web") -> tuple[Enterprise, bool]:
    """Change the given attributes; returns the enterprise and whether anything changed."""
    unknown = set(data) - set(ATTRIBUTE_FIELDS)
    if unknown:
        raise ValidationFailed({name: ["不能修改此字段"] for name in sorted(unknown)})
    before = snapshot(enterprise, data.keys())
    for name, value in data.items():
        setattr(enterprise, name, value)
    changes = audit_diff(before, snapshot(enterprise, data.keys()))
    if not changes:
        return enterprise, False
    try:
        enterprise.full_clean()
    except Exception as exc:  # django.core.exceptions.ValidationError
        raise ValidationFailed.from_django(exc) from exc
    enterprise.save(update_fields=[*changes, "updated_at"])
    audit_record(actor=actor, action="update", instance=enterprise, changes=changes, source=source)
    return enterprise, True


def registry_import_start(*, content: bytes, filename: str, actor, commit: bool):
    """Keep the uploaded file and start a background import (a dry run unless ``commit``)."""
    from innolink.core.jobs import job_start
    from innolink.enterprises.tasks import IMPORT_KIND, store_upload

    limit = settings.INNOLINK["IMPORT_MAX_BYTES"]
    if len(content) > limit:
        raise ApplicationError(
            f"文件过大：{len(content) / 1048576:.1f} MB，上限 {limit / 1048576:.0f} MB",
            code="import_too_large")
    suffix = filename.lower().rsplit(".", 1)[-1] if "." in filename else ""
    if suffix not in ("xlsx", "csv", "txt"):
        raise ApplicationError("只支持 .xlsx 和 .csv 文件", code="import_bad_type")
    try:
        importing.check_upload(content, filename)
    except importing.ImportFileError as exc:
        raise ApplicationError(exc.reason, code=exc.code) from exc
    stored = store_upload(content, suffix)
    title = f"{'导入' if commit else '预检'}企业数据：{filename}"
    return job_start(kind=IMPORT_KIND, title=title, user=actor,
                     params={"stored_as": stored, "filename": filename, "commit": commit})


def registry_import_commit(*, job, actor):
    """Commit the file of a finished, clean dry run as a new job."""
    from innolink.core.errors import Conflict
    from innolink.core.jobs import job_start
    from innolink.enterprises.tasks import IMPORT_KIND

    if job.kind != IMPORT_KIND or job.params.get("commit") or not job.is_finished:
        raise Conflict("只能提交已完成的预检")
    if job.status != job.Status.SUCCEEDED or job.result.get("error_count"):
        raise Conflict("预检发现问题，请修改文件后重新上传")
    return job_start(kind=IMPORT_KIND, title=job.title.replace("预检", "导入", 1), user=actor,
                     params={**job.params, "commit": True, "dry_run_job": str(job.pk)})
