"""The suggestion model in the running platform: the latest trained ``RouterModel`` (checked
every ``CHECK_SECONDS``, loaded once per process), suggestions with their votes, and training.

Training data are the requests answered or closed by a department other than the fallback owner
(their final department is the label), up to the latest ``HISTORY_LIMIT``, plus the shipped
labelled set (``data/labelled_requests.jsonl``, its training split). One request in ten of the
history and the labelled set's test split are held out and give the accuracy shown to staff.
"""

from __future__ import annotations

import threading
import time
from decimal import Decimal

from django.utils.translation import gettext_noop as N_
from django.db import transaction
from django.utils.translation import gettext as _

from innolink.accounts.models import Department
from innolink.core.audit import audit_record
from innolink.core.jobs import job_start
from innolink.engines.routing import Router
from innolink.servicedesk import fetch
from innolink.servicedesk.models import RouterModel
from innolink.servicedesk.errors import TOO_FEW_SAMPLES

TRAIN_KIND = "servicedesk.router_train"
CHECK_SECONDS = 60.0
HISTORY_LIMIT = 200_000

_lock = threading.Lock()
_state: dict = {"id": None, "router": None, "checked": 0.0, "departments": {}}


def reset_router_cache() -> None:
    with _lock:
        _state.update(id=None, router=None, checked=0.0, departments={})


def current_router() -> Router | None:
    now = time.monotonic()
    if now - _state["checked"] < CHECK_SECONDS and _state["id"] is not None:
        return _state["router"]
    latest = RouterModel.objects.order_by("-created_at", "-id").values_list("pk", flat=True).first()
    if latest is None:
        with _lock:
            _state.update(id=None, router=None, checked=now)
        return None
    if latest != _state["id"]:
        blob = RouterModel.objects.filter(pk=latest).values_list("blob", flat=True).first()
        router = Router.from_bytes(bytes(blob))
        departments = {d.code: d for d in Department.objects.filter(code__in=router.labels)}
        with _lock:
            _state.update(id=latest, router=router, departments=departments)
    _state["checked"] = now
    return _state["router"]


def suggest(text: str, category_code: str, *, k: int = 3) -> list[dict]:
    """Up to ``k`` departments for a request, best first, each with the terms that voted."""
    router = current_router()
    if router is None:
        return []
    departments = _state["departments"]
    out = []
    for s in router.suggest(fetch.doc_features(text, category_code), k=k):
        department = departments.get(s.label)
        if department is None:
            continue
        out.append({"department_id": department.pk, "code": department.code,
                    "name": department.name, "probability": round(s.probability, 3),
                    "votes": [v.term for v in s.votes if not v.term.startswith("类别:")],
                    "category_voted": any(v.term.startswith("类别:") for v in s.votes)})
    return out


def router_train(*, actor, progress=None) -> RouterModel:
    """Train on the history and the labelled set; store the model with its held-out accuracy."""
    train, test = fetch.training_rows(limit=HISTORY_LIMIT, progress=progress)
    if len({label for _doc, label in train}) < 2:
        from innolink.core.errors import Conflict

        raise Conflict(_("训练样本不足：至少需要两个部门的已办结诉求"), code=TOO_FEW_SAMPLES)
    router = Router.fit([d for d, _l in train], [l for _d, l in train], alpha=fetch.ALPHA,
                        min_df=1 if len(train) < 5000 else 2)
    top1 = top3 = None
    if test:
        ranked = router.top_k([d for d, _l in test], k=3)
        top1 = Decimal(sum(r[0] == l for r, (_d, l) in zip(ranked, test)) / len(test))
        top3 = Decimal(sum(l in r for r, (_d, l) in zip(ranked, test)) / len(test))
    with transaction.atomic():
        row = RouterModel.objects.create(
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
            trained_on=len(train), held_out=len(test), blob=router.to_bytes(),
            top1=top1.quantize(Decimal("0.0001")) if top1 is not None else None,
            top3=top3.quantize(Decimal("0.0001")) if top3 is not None else None)
        audit_record(actor=actor, action="create", instance=row,
                     changes={"trained_on": [None, len(train)], "top1": [None, row.top1]})
    reset_router_cache()
    return row


def router_train_start(*, actor):
    return job_start(kind=TRAIN_KIND, title=N_("训练诉求分派建议模型"), user=actor)
