"""Warning signals and the vectorised targeting, checked against the one-at-a-time reference on
random populations and rules."""

import numpy as np
import pytest

from innolink.engines.weather import (
    KINDS,
    LEVELS,
    SIGNALS,
    Profiles,
    RulesError,
    SignalError,
    WarningArea,
    check_signal,
    load_rules_text,
    parse_signal_code,
    parse_signal_text,
    signal_code,
    target,
    target_reference,
)

TOWNS = ("青阳", "梅岭", "西园", "罗山", "新塘", "灵源", "安海", "磁灶", "陈埭", "东石", "深沪",
         "金井", "池店", "内坑", "龙湖", "永和", "英林", "紫帽", "西滨")


def test_fourteen_kinds_with_their_colours():
    assert len(KINDS) == 14
    four = {k for k, s in SIGNALS.items() if s.levels == LEVELS}
    assert four == {"台风", "暴雨", "暴雪", "寒潮", "大风"}
    assert SIGNALS["干旱"].levels == ("橙", "红") and SIGNALS["冰雹"].levels == ("橙", "红")
    assert SIGNALS["霜冻"].levels == ("蓝", "黄", "橙")
    assert SIGNALS["霾"].levels == ("黄", "橙")
    for kind in ("沙尘暴", "高温", "雷电", "大雾", "道路结冰"):
        assert SIGNALS[kind].levels == ("黄", "橙", "红")
    with pytest.raises(SignalError):
        check_signal("高温", "蓝")
    for kind, signal in SIGNALS.items():
        for level in signal.levels:
            assert parse_signal_code(signal_code(kind, level)) == (kind, level)
    assert parse_signal_text("沙尘暴黄色预警信号") == ("沙尘暴", "黄")
    with pytest.raises(SignalError):
        parse_signal_code("1504")


RULES = """
exposures:
  - {code: outdoor_work, label: 户外作业}
  - {code: open_storage, label: 露天堆场}
  - {code: kiln, label: 窑炉}
  - {code: port_logistics, label: 港口物流}
rules:
  - id: any_red
    when: {kinds: [台风, 暴雨], level: 红}
    actions: [启动应急预案]
  - id: outdoor
    when: {kinds: [台风, 大风, 暴雨], level: 黄, exposures: [outdoor_work, open_storage]}
    actions: [停止户外作业, 加固堆场]
  - id: port_coast
    when: {kinds: [台风], level: 蓝, exposures: [port_logistics], towns: [深沪, 金井, 东石]}
    actions: [船舶回港]
  - id: kiln_heat
    when: {kinds: [高温], level: 橙, exposures: [kiln]}
    actions: [调整窑炉班次]
"""


def _population(n, seed):
    rng = np.random.default_rng(seed)
    towns = rng.integers(-1, len(TOWNS), n)
    exposures = rng.integers(0, 16, n)
    lats = np.where(rng.random(n) < 0.7, 24.5 + rng.random(n) * 0.3, np.nan)
    lons = np.where(np.isnan(lats), np.nan, 118.4 + rng.random(n) * 0.3)
    return towns, exposures, lats, lons


@pytest.mark.parametrize("seed", range(6))
def test_vectorised_targeting_equals_the_reference(seed):
    rules = load_rules_text(RULES, towns=TOWNS)
    towns, exposures, lats, lons = _population(3000, seed)
    ids = np.arange(1, 3001) * 7
    profiles = Profiles(ids.astype(np.int64), towns.astype(np.int16), exposures.astype(np.int64),
                        lats, lons)
    codes = [c for c, _ in rules.exposures]
    records = [{"id": int(ids[i]), "town": None if towns[i] < 0 else int(towns[i]),
                "exposures": [codes[b] for b in range(4) if exposures[i] >> b & 1],
                "lat": None if np.isnan(lats[i]) else float(lats[i]),
                "lon": None if np.isnan(lons[i]) else float(lons[i])} for i in range(3000)]
    rng = np.random.default_rng(seed + 100)
    kind = ["台风", "暴雨", "大风", "高温"][seed % 4]
    level = [lv for lv in LEVELS if lv in SIGNALS[kind].levels][-1 - seed % 2]
    area = WarningArea(kind, level, towns=tuple(int(t) for t in rng.choice(19, 5, replace=False)),
                       polygons=(((24.55, 118.45), (24.55, 118.6), (24.7, 118.6), (24.7, 118.45),
                                  (24.55, 118.45)),),
                       circles=((24.75, 118.65, 4.0),), whole_city=seed == 5)
    hits = target(profiles, area, rules)
    got = {int(e): hits.rule_ids_of(int(b)) for e, b in zip(hits.enterprise_ids, hits.rule_bits)}
    expected = target_reference(records, area, rules)
    assert got == expected
    assert len(expected) > 0


def test_groups_cover_every_target_once():
    rules = load_rules_text(RULES, towns=TOWNS)
    towns, exposures, lats, lons = _population(500, 9)
    profiles = Profiles(np.arange(500, dtype=np.int64), towns.astype(np.int16),
                        exposures.astype(np.int64), lats, lons)
    hits = target(profiles, WarningArea("台风", "红", whole_city=True), rules)
    positions = np.concatenate([p for _b, p in hits.groups()])
    assert sorted(positions.tolist()) == list(range(len(hits)))
    for bits, pos in hits.groups():
        assert set(hits.rule_bits[pos].tolist()) == {bits}
    # red over the whole city: every enterprise gets the any_red actions
    assert len(hits) == 500 and all("启动应急预案" in hits.actions_for(i) for i in range(500))


@pytest.mark.parametrize("text, fragment", [
    ("rules: [{id: a, when: {kinds: [龙卷风]}, actions: [x]}]", "未知的预警信号种类"),
    ("rules: [{id: a, when: {kinds: [霾], level: 红}, actions: [x]}]", "没有红色"),
    ("rules: [{id: a, when: {kinds: [台风], exposures: [nope]}, actions: [x]}]", "未知的暴露类型"),
    ("rules: [{id: a, when: {kinds: [台风], towns: [火星]}, actions: [x]}]", "未知的镇街"),
    ("rules: [{id: a, when: {kinds: [台风]}, actions: []}]", "至少给出一条"),
    ("rules: [{id: a, when: {kinds: [台风], colour: 红}, actions: [x]}]", "未知的键"),
    ("rules: [{id: a, when: {kinds: [台风]}, actions: [x]}, {id: a, when: {kinds: [台风]}, actions: [y]}]", "重复"),
])
def test_bad_rules_name_the_problem(text, fragment):
    with pytest.raises(RulesError) as caught:
        load_rules_text("exposures: []\n" + text, towns=TOWNS)
    assert fragment in str(caught.value)
