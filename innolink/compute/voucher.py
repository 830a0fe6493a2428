"""The 算力券 as the policy rules say it: the clause ``p05_ai_enablement / compute_voucher``
read from the rules engine (rate, annual cap per enterprise, contract threshold), and the
enterprise's application for it in the policies app (whose approval commits the voucher's amount
against the policy budget and whose instalments are the voucher's payments)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from innolink.engines.rules.model import All, Atom, Cap, Multiply

POLICY = "p05_ai_enablement"
CLAUSE = "compute_voucher"
CONTRACT_FIELD = "compute_contract"


@dataclass(frozen=True)
class VoucherTerms:
    year: int
    rate: Decimal  # 0.30
    cap: Decimal | None  # yuan per enterprise and year
    threshold: Decimal | None  # minimum contract amount, yuan
    text: str
    doc_number: str


def _fraction_decimal(value: Fraction) -> Decimal:
    return Decimal(value.numerator) / Decimal(value.denominator)


def _threshold(node) -> Fraction | None:
    if isinstance(node, Atom) and node.field == CONTRACT_FIELD and node.op in ("ge", "gt"):
        return node.value
    if isinstance(node, All):
        for item in node.items:
            found = _threshold(item)
            if found is not None:
                return found
    return None


def terms(year: int) -> VoucherTerms | None:
    """The clause in force for ``year`` as the rules engine loaded it, or None."""
    from innolink.policies.fetch import rules_registry

    registry = rules_registry()
    try:
        policy = registry.policy(POLICY)
    except Exception:  # the rule file is gone
        return None
    version = policy.version_for_year(year)
    if version is None:
        return None
    clause = next((c for c in version.clauses if c.id == CLAUSE), None)
    if clause is None:
        return None
    formula, cap = clause.formula, None
    if isinstance(formula, Cap):
        cap = None if formula.limit_fen is None else Decimal(formula.limit_fen) / 100
        formula = formula.inner
    if not isinstance(formula, Multiply):
        return None
    threshold = _threshold(clause.condition)
    return VoucherTerms(year=year, rate=_fraction_decimal(formula.factor).quantize(Decimal("0.0001")),
                        cap=cap.quantize(Decimal("0.01")) if cap is not None else None,
                        threshold=(_fraction_decimal(threshold) / 100).quantize(Decimal("0.01"))
                        if threshold is not None else None,
                        text=clause.text, doc_number=version.doc_number)


def clause_row(year: int):
    """The policies app's clause row for ``year`` (None before the rules were synced)."""
    from innolink.policies.models import PolicyClause

    for clause in PolicyClause.objects.filter(
            code=CLAUSE, version__policy__code=POLICY, retired=False).select_related("version"):
        if clause.version.covers_year(year):
            return clause
    return None


def application_for(enterprise_id: int, year: int):
    from innolink.policies.models import Application

    return (Application.objects.filter(enterprise_id=enterprise_id, year=year, clause__code=CLAUSE,
                                       clause__version__policy__code=POLICY)
            .select_related("clause__version").first())


def payable_applications(enterprise_id: int, year: int) -> list:
    """The enterprise's approved 算力券 applications of ``year`` that can still pay (a later
    grant under an amended policy version is a second application), oldest first, each locked
    with its budget by ``application_pay`` when it pays."""
    from innolink.policies.models import Application

    return list(Application.objects.filter(
        enterprise_id=enterprise_id, year=year, clause__code=CLAUSE,
        clause__version__policy__code=POLICY, status__in=Application.PAYABLE)
        .select_related("clause__version").order_by("pk"))
