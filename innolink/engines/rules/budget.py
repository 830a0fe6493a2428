"""What happens when eligible demand exceeds a policy's budget.

A policy version names its rule in the rule file (``budget_shortfall``):

- ``first_come`` (default): every award is its full amount; approvals are refused once the
  budget is spent (the ledger guard in the Django app).
- ``pro_rata`` (「资金不足时按比例核减」): when the demand exceeds the money available, every award
  is scaled by ``available / demand`` and **rounded down to the fen**, so the awards never add up
  to more than the money available (the few fen left over stay in the budget).

Exact integer arithmetic: ``scaled = amount × available // demand``, no float anywhere.

Examples:
    >>> p = Proration(available_fen=500_000_000, demand_fen=600_880_000)
    >>> p.applies, p.percent, p.scale(21_000_000)
    (True, '83.21%', 17474370)
    >>> Proration(available_fen=10, demand_fen=10).scale(7)
    7
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from fractions import Fraction

import numpy as np

from . import steps as S

__all__ = ["FIRST_COME", "PRO_RATA", "SHORTFALL_RULES", "Proration", "prorate"]

FIRST_COME = "first_come"
PRO_RATA = "pro_rata"
SHORTFALL_RULES = (FIRST_COME, PRO_RATA)
_INT64_MAX = 2**63 - 1


@dataclass(frozen=True)
class Proration:
    """The scaling of awards for one budget: ``available_fen`` left, ``demand_fen`` the total of
    the (unscaled) awards that budget must cover."""

    available_fen: int
    demand_fen: int

    @property
    def applies(self) -> bool:
        """True when the demand exceeds what is available (awards are scaled down)."""
        return self.demand_fen > max(self.available_fen, 0)

    @property
    def factor(self) -> Fraction:
        """``available / demand`` when scaling applies, else 1.

        Examples:
            >>> Proration(3, 4).factor, Proration(5, 4).factor
            (Fraction(3, 4), Fraction(1, 1))
        """
        if not self.applies:
            return Fraction(1)
        return Fraction(max(self.available_fen, 0), self.demand_fen)

    @property
    def percent(self) -> str:
        """The factor as a percentage, truncated to two places (never shown above the truth).

        Examples:
            >>> Proration(2, 3).percent, Proration(99999, 100000).percent, Proration(1, 1).percent
            ('66.66%', '99.99%', '100%')
        """
        if not self.applies:
            return "100%"
        f = self.factor
        d = (Decimal(f.numerator) * 100 / Decimal(f.denominator)).quantize(Decimal("0.01"),
                                                                          rounding=ROUND_DOWN)
        return f"{d}%"

    def scale(self, amount_fen: int) -> int:
        """One award scaled and rounded down to the fen (unchanged when scaling does not apply).

        Examples:
            >>> Proration(1, 3).scale(100), Proration(0, 3).scale(100)
            (33, 0)
        """
        if not self.applies or amount_fen <= 0:
            return max(int(amount_fen), 0)
        return int(amount_fen) * max(self.available_fen, 0) // self.demand_fen

    def scale_array(self, amounts_fen: np.ndarray) -> np.ndarray:
        """:meth:`scale` for an int64 array; exact also where the product would overflow int64."""
        amounts = np.maximum(np.asarray(amounts_fen, dtype=np.int64), 0)
        if not self.applies:
            return amounts
        available = max(self.available_fen, 0)
        if amounts.size and int(amounts.max()) * available > _INT64_MAX:
            return np.array([int(a) * available // self.demand_fen for a in amounts.tolist()],
                            dtype=np.int64)
        return amounts * available // self.demand_fen

    @property
    def notice(self) -> str:
        """One line for officers and enterprises, e.g. 「预算不足,按 83.21% 比例核减」."""
        return S.Step(S.PRORATION_NOTICE, percent=self.percent) if self.applies else ""

    @property
    def summary(self) -> str:
        """The factor's arithmetic in one line (empty when no scaling applies)."""
        if not self.applies:
            return ""
        return S.Step(S.PRORATION_SUMMARY, available=S.Money(max(self.available_fen, 0)),
                      demand=S.Money(self.demand_fen), percent=self.percent)

    def steps(self, amount_fen: int) -> tuple[str, ...]:
        """The explanation of one scaled award, in Chinese.

        Examples:
            >>> for s in Proration(500_000_000, 600_880_000).steps(21_000_000): print(s)
            资金不足时按比例核减:可用预算 500万元 ÷ 符合条件的待兑现金额合计 600.88万元 = 83.21%
            本条测算金额 21万元 × 核减比例 = 17.47万元(174,743.70元),向下取整到分
        """
        if not self.applies:
            return ()
        scaled = self.scale(amount_fen)
        return (
            self.summary,
            S.Step(S.PRORATION_STEP, amount=S.Money(amount_fen), scaled=S.Money(scaled)),
        )


def prorate(amounts_fen: np.ndarray, available_fen: int) -> tuple[np.ndarray, Proration]:
    """Scale every award so that their sum fits ``available_fen``: the demand is the sum of
    ``amounts_fen``; each award is rounded down to the fen, so ``scaled.sum() <= available_fen``
    whenever scaling applies, and nothing changes when the demand fits.

    Examples:
        >>> scaled, p = prorate(np.array([100, 200, 301]), 300)
        >>> scaled.tolist(), int(scaled.sum()), p.percent
        ([49, 99, 150], 298, '49.91%')
    """
    amounts = np.maximum(np.asarray(amounts_fen, dtype=np.int64), 0)
    proration = Proration(available_fen=int(available_fen), demand_fen=int(amounts.sum()))
    return proration.scale_array(amounts), proration
