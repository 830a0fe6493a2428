"""A prize schedule whose total does not fit the funding column is a field error, never a
database overflow (the bound was lost in a merge once: a NameError on every prize listing)."""

from decimal import Decimal

from innolink.challenges.validation import MAX_MONEY, Errors, clean_funding


def _schedule(amount: str, count: int) -> dict:
    return {"funding_kind": "prize",
            "prize_schedule": [{"award": "一等奖", "amount": amount, "count": count}]}


def test_a_prize_schedule_totals_its_awards():
    e = Errors()
    out = clean_funding(_schedule("50000", 3), e, Decimal(1))
    assert not e.fields and out["funding"] == Decimal("150000.00")


def test_a_total_beyond_the_column_is_refused_at_the_schedule():
    e = Errors()
    out = clean_funding(_schedule("999999999999", 1000), e, Decimal(1))
    assert out["funding"] > MAX_MONEY
    assert e.fields == {"prize_schedule": ["奖项设置：奖金合计过大"]}
    assert MAX_MONEY == Decimal("999999999999.99")
