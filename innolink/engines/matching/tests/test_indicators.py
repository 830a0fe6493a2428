"""Indicator parsing, unit conversion, alias matching and coverage, against example tables and
a plain reference for the coverage mean."""

import doctest

import pytest

from innolink.engines.matching import indicators as ind
from innolink.engines.matching.indicators import (
    STATUS_SCORES,
    IndicatorTarget,
    assess,
    canonical_indicator,
    convert,
    coverage,
    extract_quantities,
    find_mentions,
    parse_target,
)


def test_doctests():
    assert doctest.testmod(ind).failed == 0


@pytest.mark.parametrize(
    "text, expected",
    [
        ("实现介电常数2.5的低k薄膜", [(2.5, None)]),
        ("DIN磨耗 65 mm³", [(65.0, "mm³")]),
        ("DIN磨耗65mm3", [(65.0, "mm³")]),
        ("分辨率0.085 μm", [(0.085, "μm")]),
        ("分辨率 85nm，灵敏度 25 mJ/cm2", [(85.0, "nm"), (25.0, "mJ/cm²")]),
        ("拉伸强度 0.068 GPa", [(0.068, "GPa")]),
        ("吸水率0.1%", [(0.1, "%")]),
        ("吨布用水 25 吨水/吨布", [(25.0, "t/t")]),
        ("固化温度230℃", [(230.0, "℃")]),
        ("吨纸电耗 180 kWh/t", [(180.0, "kWh/t")]),
        ("活菌数 2×10^9 CFU/g", [(2e9, "CFU/g")]),
        ("活菌数10^7 CFU/g", [(1e7, "CFU/g")]),
        ("保质期延长至9个月", [(9.0, "个月")]),
        ("击穿电压 1.7 kV", [(1.7, "kV")]),
        ("产能 3万 t", [(30000.0, "t")]),
        ("采用PET2工艺", []),  # a digit glued to a name is not a value
        ("耗时 5 mins", [(5.0, None)]),  # "m" glued to more letters is not a unit
    ],
)
def test_extract_quantities_table(text, expected):
    got = [(q.value, q.unit) for q in extract_quantities(text)]
    assert [u for _, u in got] == [u for _, u in expected]
    assert [v for v, _ in got] == pytest.approx([v for v, _ in expected])


def test_extract_range_and_comparators():
    (q,) = extract_quantities("厚度 60-80 nm")
    assert (q.value, q.upper, q.unit) == (60.0, 80.0, "nm")
    assert extract_quantities("介电常数低于2.5")[0].comparator == "<"
    assert extract_quantities("≥ 90 %")[0].comparator == ">="
    assert extract_quantities("粘度 500 mPa·s 以下")[0].comparator == "<="


@pytest.mark.parametrize(
    "value, src, dst, expected",
    [
        (0.085, "μm", "nm", 85.0),
        (85, "nm", "um", 0.085),
        (0.06, "cm³", "mm³", 60.0),
        (0.068, "GPa", "MPa", 68.0),
        (22, "L/kg", "t/t", 22.0),
        (1.7, "kV", "V", 1700.0),
        (0.31, "kWh/kg", "Wh/kg", 310.0),
        (0.17, "MWh/t", "kWh/t", 170.0),
        (9, "个月", "天", 270.0),
        (0.008, "ppm", "ppb", 8.0),
        (12, "cm", "mm", 120.0),
        (0, "℃", "K", 273.15),
        (3, "MPa", "nm", None),
        (5, None, None, 5.0),
    ],
)
def test_convert_table(value, src, dst, expected):
    got = convert(value, src, dst)
    assert got is None if expected is None else got == pytest.approx(expected)


@pytest.mark.parametrize(
    "name, canon",
    [("介电常数", "介电常数"), ("k值", "介电常数"), ("Dielectric Constant", "介电常数"),
     ("磨耗", "耐磨"), ("耐磨性", "耐磨"), ("DIN磨耗", "耐磨"), ("抗拉强度", "拉伸强度"),
     ("吨布用水", "染色用水"), ("保质期", "货架期"), ("染色单位产品取水量", "染色用水"),
     ("吸音系数", "吸音系数")],
)
def test_aliases(name, canon):
    assert canonical_indicator(name) == canon


def test_mentions_respect_ascii_word_boundaries():
    # "Dk" must not match inside "Dkx"; Chinese aliases match anywhere
    assert find_mentions("介电常数", "Dkx材料") == []
    assert [m.alias for m in find_mentions("介电常数", "该材料Dk为2.5")] == ["Dk"]


T_K = IndicatorTarget("介电常数", "≤", 2.7)
T_WEAR = IndicatorTarget("耐磨", "<=", 80, "mm³")
T_RES = IndicatorTarget("分辨率", "<=", 90, "nm")
T_WATER = IndicatorTarget("染色用水", "<=", 30, "t/t")
T_RANGE = IndicatorTarget("厚度", "range", 60, "nm", upper=80)
T_EQ = IndicatorTarget("硬度", "=", 65)


@pytest.mark.parametrize(
    "target, text, status, value",
    [
        (T_K, "实现介电常数2.5的低k薄膜", "meets", 2.5),
        (T_K, "k值约2.9", "near", 2.9),
        (T_K, "介电常数3.6", "value_off", 3.6),
        (T_K, "研究介电常数与孔隙率的关系", "mentioned", None),
        (T_K, "高分子合成", "absent", None),
        (T_K, "介电常数测量中膜厚500 nm", "mentioned", None),  # a length is not a k value
        (T_WEAR, "DIN磨耗 65 mm³", "meets", 65.0),
        (T_WEAR, "磨耗量0.06 cm³", "meets", 60.0),
        (T_WEAR, "磨耗 88 mm³", "near", 88.0),
        (T_WEAR, "磨耗 150 mm³", "value_off", 150.0),
        (T_WEAR, "耐磨性 3 MPa", "mentioned", None),  # incompatible unit is ignored
        (T_RES, "最小线宽0.08 μm", "meets", 80.0),
        (T_RES, "分辨率 100 nm", "near", 100.0),
        (T_RES, "65 nm的分辨率", "meets", 65.0),  # value just before the name
        (T_RES, "分辨率好。膜厚 50 nm", "mentioned", None),  # not across a sentence break
        (T_WATER, "吨布用水 25 吨水/吨布", "meets", 25.0),
        (T_WATER, "用水量 22 L/kg", "meets", 22.0),
        (T_RANGE, "厚度 70 nm", "meets", 70.0),
        (T_RANGE, "厚度 85 nm", "near", 85.0),
        (T_EQ, "邵氏硬度65", "meets", 65.0),
        (T_EQ, "硬度 70", "near", 70.0),
    ],
)
def test_assess_table(target, text, status, value):
    m = assess(target, text)
    assert m.status == status, m.reason
    assert m.score == STATUS_SCORES[status]
    if value is None:
        assert m.value is None
    else:
        assert m.value == pytest.approx(value)
        assert m.mentioned
        s, e = m.value_span
        assert any(ch.isdigit() for ch in text[s:e])


def test_assess_picks_the_best_of_several_values():
    m = assess(T_K, "早期介电常数3.5；优化后介电常数2.4")
    assert m.status == "meets" and m.value == 2.4


def test_reasons_are_chinese_and_name_the_target():
    m = assess(T_WEAR, "DIN磨耗 0.06 cm³")
    assert "满足目标" in m.reason and "折合 60 mm³" in m.reason
    assert "接近目标" in assess(T_WEAR, "磨耗 88 mm³").reason
    assert "未达目标" in assess(T_WEAR, "磨耗 150 mm³").reason
    assert "未注明单位" in assess(T_WEAR, "磨耗 60").reason


def _reference_coverage(targets, text, weights=None):
    """Plain loop: weighted mean of the status scores."""
    w = weights or [1.0] * len(targets)
    num = 0.0
    for wi, t in zip(w, targets):
        num += wi * STATUS_SCORES[assess(t, text).status]
    return num / sum(w) if targets else 0.0


@pytest.mark.parametrize(
    "targets, text, weights",
    [
        ([T_K, T_WEAR], "介电常数2.5，磨耗量 90 mm³", None),
        ([T_K, T_WEAR, T_RES], "分辨率 80 nm", [1, 2, 3]),
        ([T_WATER], "染色用水 40 t/t", None),
        ([], "任何文本", None),
    ],
)
def test_coverage_matches_reference(targets, text, weights):
    cov = coverage(targets, text, weights)
    assert cov.score == pytest.approx(_reference_coverage(targets, text, weights))
    assert 0.0 <= cov.score <= 1.0
    assert len(cov.matches) == len(targets)


def test_coverage_dict_shape():
    d = coverage([T_K, T_WEAR], "介电常数2.5").as_dict()
    assert set(d) == {"coverage", "counts", "summary", "summary_data", "indicators"}
    assert d["counts"]["meets"] == 1 and d["counts"]["absent"] == 1
    # the summary is a message: its Chinese text, and its frame with the counts (ADR 0792)
    data = d["summary_data"]
    assert d["summary"] == data["msgid"] % data["params"]
    assert data["params"] == {"total": 2, "meets": 1, "near": 0, "value_off": 0, "mentioned": 0,
                              "absent": 1}
    assert d["indicators"][0]["target"] == "介电常数 ≤ 2.7"


@pytest.mark.parametrize(
    "text, name, cmp, value, unit, upper",
    [
        ("介电常数 ≤ 2.7", "介电常数", "<=", 2.7, None, None),
        ("耐磨 ≤ 80 mm³", "耐磨", "<=", 80, "mm³", None),
        ("分辨率≤90nm", "分辨率", "<=", 90, "nm", None),
        ("染色用水 ≤ 30 t/t", "染色用水", "<=", 30, "t/t", None),
        ("拉伸强度 ≥ 60 MPa", "拉伸强度", ">=", 60, "MPa", None),
        ("厚度 60-80 nm", "厚度", "range", 60, "nm", 80),
        ("硬度 65", "硬度", "=", 65, None, None),
    ],
)
def test_parse_target_table(text, name, cmp, value, unit, upper):
    t = parse_target(text)
    assert (t.name, t.comparator, t.value, t.unit, t.upper) == (name, cmp, value, unit, upper)


def test_bad_targets_raise():
    with pytest.raises(ValueError):
        IndicatorTarget("x", "≈", 1)
    with pytest.raises(ValueError):
        IndicatorTarget("x", "range", 5, upper=1)
    with pytest.raises(ValueError):
        IndicatorTarget("x", "<=", None)
    # words without a number are a qualitative target, not an error (decision 0350)
    t = parse_target("没有数字")
    assert (t.comparator, t.text, t.readable) == ("text", "没有数字", True)


# -- property: a value written in any unit of the target's dimension is read back converted ---

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_SAME_DIM = {
    "nm": ["nm", "μm", "um", "mm"],
    "MPa": ["MPa", "GPa", "kPa"],
    "mm³": ["mm³", "mm3", "cm³"],
    "t/t": ["t/t", "L/kg", "吨水/吨布"],
    "ppb": ["ppb", "ppm"],
}


@settings(max_examples=150, deadline=None)
@given(
    target_unit=st.sampled_from(sorted(_SAME_DIM)),
    data=st.data(),
    mantissa=st.integers(min_value=1, max_value=9999),
    scale=st.sampled_from([1, 10, 100, 1000]),
)
def test_written_values_are_read_back_in_the_target_unit(target_unit, data, mantissa, scale):
    unit = data.draw(st.sampled_from(_SAME_DIM[target_unit]))
    value = mantissa / scale
    written = f"{value:g}"
    target = IndicatorTarget("指标X", "<=", 1.0, target_unit)
    m = assess(target, f"本项目指标X达到{written} {unit}，工艺稳定")
    expected = convert(float(written), unit, target_unit)
    assert m.mentioned and m.value == pytest.approx(expected, rel=1e-9)
    assert m.status == ("meets" if expected <= 1.0 else
                        "near" if (expected - 1.0) <= 0.15 else "value_off")


def test_qualitative_target_is_judged_as_text_not_as_a_miss():
    qual = parse_target("优于进口同类产品", name="耐磨性能")
    assert qual.is_text and qual.value is None
    # the text speaks to the subject (an alias of 耐磨): addressed, not value_off
    m = assess(qual, "橡胶大底DIN磨耗 60 mm³，耐磨性能优于行业均值")
    assert m.status == "addressed" and m.score == STATUS_SCORES["addressed"]
    assert m.mention_span is not None and m.value is None and m.gap is None
    assert assess(qual, "光刻胶分辨率 80 nm").status == "absent"
    # a challenge with one numeric and one qualitative target: the qualitative one adds what
    # the text says about it, it never turns a met numeric target into a miss
    numeric = IndicatorTarget("耐磨", "<=", 80, "mm³")
    both = coverage([numeric, qual], "DIN磨耗 60 mm³，耐磨性能优于同类")
    assert [x.status for x in both.matches] == ["meets", "addressed"]
    assert both.score == pytest.approx((1.0 + STATUS_SCORES["addressed"]) / 2)
    assert "论及文字指标 1 项" in both.as_dict()["summary"]
    assert both.as_dict()["indicators"][1]["qualitative"] is True


def test_unreadable_target_is_kept_as_text_for_coverage():
    t = parse_target("≥4500×2500mm", name="工作台面积")
    assert (t.comparator, t.readable) == ("text", False)
    assert assess(t, "工作台面积 5000×3000 mm").status == "addressed"
