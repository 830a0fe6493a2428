"""Structured factors: each named function on examples, and the combined score against a plain
weighted-mean reference."""

import doctest
from types import SimpleNamespace as NS

import pytest

from innolink.engines.matching import structured as st
from innolink.engines.matching.structured import (
    DEFAULT_WEIGHTS,
    FIT_FRAMES,
    availability_fit,
    discipline_fit,
    domain_fit,
    institution_fit,
    region_fit,
    structured_fit,
    track_record_fit,
    trl_fit,
)


def test_doctests():
    assert doctest.testmod(st).failed == 0


@pytest.mark.parametrize(
    "fn, args, score",
    [
        (domain_fit, ("新一代信息技术", "新一代信息技术"), 1.0),
        (domain_fit, ("新一代信息技术", ("高端装备制造", "新一代信息技术")), 1.0),
        (domain_fit, ("新材料与石油化工", "新能源与节能环保"), 0.5),
        (domain_fit, ("现代农业与食品", "新一代信息技术"), 0.1),
        (domain_fit, (None, "新一代信息技术"), 0.5),
        (discipline_fit, (["纺织科学与工程"], "纺织科学与工程"), 1.0),
        (discipline_fit, ([], "纺织科学与工程", "新材料与石油化工"), 0.6),
        (discipline_fit, (["药学"], "机械工程", "生物医药与大健康"), 0.2),
        (discipline_fit, ([], None), 0.5),
        (trl_fit, (5, 5), 1.0),
        (trl_fit, (6, 3), 0.25),
        (trl_fit, (9, 1), 0.0),
        (trl_fit, (None, 9), 0.6),
        (trl_fit, (5, None), 0.5),
        (availability_fit, (True,), 1.0),
        (availability_fit, (False,), 0.0),
        (availability_fit, (None,), 0.5),
        (institution_fit, (["高校", "科研院所"], "科研院所"), 1.0),
        (institution_fit, (["高校"], "企业"), 0.3),
        (institution_fit, ((), "某协会"), 0.5),
        (track_record_fit, (0, 0), 0.0),
        (track_record_fit, (None, None), 0.3),
        (region_fit, ("晋江", "福建省泉州市晋江市"), 1.0),
        (region_fit, ("晋江", "福州"), 0.7),
        (region_fit, ("福建", "上海"), 0.3),
        (region_fit, ("晋江", None), 0.4),
        (region_fit, (None, None), 0.5),
    ],
)
def test_factor_table(fn, args, score):
    fit = fn(*args)
    assert fit.score == pytest.approx(score)
    assert 0.0 <= fit.score <= 1.0
    assert fit.reason and any("\u4e00" <= ch <= "\u9fff" for ch in fit.reason)


def test_track_record_is_monotone_and_bounded():
    scores = [track_record_fit(a, d).score for a, d in [(0, 0), (1, 0), (0, 1), (3, 2), (50, 50)]]
    assert scores == sorted(scores) and scores[-1] <= 1.0
    assert track_record_fit(0, 1).score == pytest.approx(track_record_fit(2, 0).score)


def test_invalid_inputs_raise():
    with pytest.raises(ValueError):
        trl_fit(5, 10)
    with pytest.raises(ValueError):
        track_record_fit(-1, 0)


NEED = NS(domain="新材料与石油化工", disciplines=("纺织科学与工程",), trl_min=5,
          institution_types=(), region="晋江")
GOOD = NS(domain="新材料与石油化工", discipline="纺织科学与工程", trl=6, available=True,
          institution_type="高校", accepted_proposals=2, delivered_contracts=1, region="晋江")
BAD = NS(domain="现代农业与食品", discipline="作物学", trl=2, available=False,
         institution_type="企业", accepted_proposals=0, delivered_contracts=0, region="西安")


def _reference(need, prov, weights):
    parts = {
        "domain": domain_fit(need.domain, prov.domain).score,
        "discipline": discipline_fit(need.disciplines, prov.discipline, need.domain).score,
        "trl": trl_fit(need.trl_min, prov.trl).score,
        "availability": availability_fit(prov.available).score,
        "institution": institution_fit(need.institution_types, prov.institution_type).score,
        "track_record": track_record_fit(prov.accepted_proposals,
                                         prov.delivered_contracts).score,
        "region": region_fit(need.region, prov.region).score,
    }
    total = sum(weights[k] for k in parts if weights.get(k, 0) > 0)
    return sum(weights[k] * v for k, v in parts.items() if weights.get(k, 0) > 0) / total


@pytest.mark.parametrize("weights", [DEFAULT_WEIGHTS, {"domain": 1.0, "availability": 3.0},
                                     {k: 1.0 for k in DEFAULT_WEIGHTS}])
@pytest.mark.parametrize("prov", [GOOD, BAD])
def test_combined_matches_reference(weights, prov):
    fit = structured_fit(NEED, prov, weights)
    assert fit.score == pytest.approx(_reference(NEED, prov, weights))
    assert set(fit.parts) == {k for k, w in weights.items() if w > 0}


def test_good_beats_bad_and_dict_shape():
    good, bad = structured_fit(NEED, GOOD), structured_fit(NEED, BAD)
    assert good.score > 0.8 > 0.3 > bad.score
    d = good.as_dict()
    assert set(d["parts"]["domain"]) == {"score", "weight", "reason", "reason_data"}
    # each reason is a message: its Chinese text, and its frame with values (ADR 0792)
    for part in d["parts"].values():
        data = part["reason_data"]
        assert data["msgid"] in FIT_FRAMES
        assert part["reason"] == data["msgid"] % {
            k: v["msgid"] % v["params"] if isinstance(v, dict) else v
            for k, v in data["params"].items()}


def test_missing_attributes_are_neutral():
    fit = structured_fit(NS(), NS())
    assert fit.score == pytest.approx(
        sum(DEFAULT_WEIGHTS[k] * v.score for k, v in fit.parts.items()))
    assert fit.parts["domain"].score == 0.5 and fit.parts["availability"].score == 0.5


def _reference_domain(required, primary, provider_secondary=(), need_secondary=()):
    """Slow reference of the domain rule with secondary domains (issue #10)."""
    offered = [d for d in [primary, *provider_secondary] if d]
    if not required or not offered:
        return 0.5
    if required in offered:
        return 1.0
    if any(d in offered for d in need_secondary):
        return 0.8
    if any(frozenset((required, o)) in st.ADJACENT_DOMAINS for o in offered):
        return 0.5
    return 0.1


@pytest.mark.parametrize("need_domain, need_sec, prov_domain, prov_sec", [
    ("新一代信息技术", (), "新一代信息技术", ()),
    ("新一代信息技术", ("新材料与石油化工",), "新材料与石油化工", ()),
    ("新一代信息技术", (), "新材料与石油化工", ("新一代信息技术",)),
    ("新一代信息技术", ("高端装备制造",), "新材料与石油化工", ("高端装备制造",)),
    ("现代农业与食品", ("生物医药与大健康",), "新一代信息技术", ()),
    ("新材料与石油化工", (), "新能源与节能环保", ()),
    (None, ("新材料与石油化工",), "新材料与石油化工", ()),
])
def test_secondary_domains_equal_reference(need_domain, need_sec, prov_domain, prov_sec):
    need = NS(domain=need_domain, secondary_domains=need_sec)
    prov = NS(domain=prov_domain, domains=prov_sec)
    got = structured_fit(need, prov).parts["domain"].score
    assert got == _reference_domain(need_domain, prov_domain, prov_sec, need_sec)
