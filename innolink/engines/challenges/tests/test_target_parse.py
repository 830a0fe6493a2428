"""The target parser against the forms real 揭榜 lists and project guidelines use.

Each row is a string as a listing writes it (indicator name and target, or the target alone
with the name given separately, as the import's columns do) and what must be read from it:

* ``N(cmp, value, upper, unit)`` a number, with 万/亿 applied and separators removed;
* ``T`` a qualitative target kept as text;
* ``U`` a string with a number that cannot be read unambiguously: kept as text and flagged.

The forms were collected from public listings and guidelines (揭榜挂帅 and 揭榜领题 lists,
national key R&D programme guidelines such as a servo stamping-line guideline with "滑块行程
≥1000mm", "装模高度1000~1400mm", "节拍18次/分", "噪音不超过80dB", "SPH不低于700件"; an
automotive rubber report with "16万-20万km", "耐热120°C以上"); the rest follow the same
wording with other indicators. The rule under test: never a wrong number.
"""

from __future__ import annotations

import doctest
import math

import pytest

from innolink.engines.challenges import target_parse
from innolink.engines.challenges.target_parse import read_target, split_name
from innolink.engines.matching import target_parse as old_path
from innolink.engines.matching.indicators import parse_target


def test_doctests_and_the_old_import_path():
    assert doctest.testmod(target_parse).failed == 0
    assert old_path.read_target is read_target and old_path.split_name is split_name


def N(cmp, value, upper=None, unit=None):
    return ("numeric", cmp, value, upper, unit)


T = ("text",)
U = ("unreadable",)

# (string, name given separately or None, expected name or None, expected reading)
CASES: list[tuple[str, str | None, str | None, tuple]] = [
    # --- the issue's own examples -----------------------------------------------------------
    ("≥20,000次", "弯折次数", None, N(">=", 20000, unit="次")),
    ("≥20万次", "弯折次数", None, N(">=", 200000, unit="次")),
    ("30℃至120℃", "使用温度", None, N("range", 30, 120, "℃")),
    ("优于进口同类产品", "耐磨性能", None, T),
    # --- comparator symbols, half- and full-width ------------------------------------------
    ("循环寿命≥6000次", None, "循环寿命", N(">=", 6000, unit="次")),
    ("循环寿命＞6000次", None, "循环寿命", N(">", 6000, unit="次")),
    ("介电常数≤2.65", None, "介电常数", N("<=", 2.65)),
    ("介电常数<=2.65", None, "介电常数", N("<=", 2.65)),
    ("介电常数＜2.7", None, "介电常数", N("<", 2.7)),
    ("介电常数 ≦ 2.7", None, "介电常数", N("<=", 2.7)),
    ("回弹率≧65%", None, "回弹率", N(">=", 65, unit="%")),
    ("回弹率>=65％", None, "回弹率", N(">=", 65, unit="%")),
    ("硬度＝60", None, "硬度", N("=", 60)),
    ("密度=1.05g/cm3", None, "密度", N("=", 1.05, unit="g/cm³")),
    ("比表面积≥１５００m²/g", None, "比表面积", N(">=", 1500, unit="m²/g")),
    ("工序数≥4", None, "工序数", N(">=", 4)),
    ("滑块行程≥1000mm", None, "滑块行程", N(">=", 1000, unit="mm")),
    ("公称力≥60000kN", None, "公称力", N(">=", 60000, unit="kN")),
    ("滑块运行垂直度≤0.02mm", None, "滑块运行垂直度", N("<=", 0.02, unit="mm")),
    # --- comparator words ------------------------------------------------------------------
    ("噪音不超过80dB", None, "噪音", N("<=", 80, unit="dB")),
    ("整线SPH不低于700件", None, "整线SPH", N(">=", 700, unit="件")),
    ("转换效率不低于22.5%", None, "转换效率", N(">=", 22.5, unit="%")),
    ("纯度不低于99.99%", None, "纯度", N(">=", 99.99, unit="%")),
    ("导热系数不小于5W/(m·K)", None, "导热系数", N(">=", 5, unit="W/(m·K)")),
    ("拉伸强度不小于60MPa", None, "拉伸强度", N(">=", 60, unit="MPa")),
    ("断裂伸长率不少于400%", None, "断裂伸长率", N(">=", 400, unit="%")),
    ("金属杂质含量不高于10ppb", None, "金属杂质含量", N("<=", 10, unit="ppb")),
    ("含水率不大于0.5%", None, "含水率", N("<=", 0.5, unit="%")),
    ("吸水率不大于0.5%", None, "吸水率", N("<=", 0.5, unit="%")),
    ("响应时间不超过10ms", None, "响应时间", N("<=", 10, unit="ms")),
    ("漏检率不多于0.1%", None, "漏检率", N("<=", 0.1, unit="%")),
    ("单件检测时间小于等于0.5s", None, "单件检测时间", N("<=", 0.5, unit="s")),
    ("VOC含量小于或等于50g/L", None, "VOC含量", N("<=", 50, unit="g/L")),
    ("识别准确率大于等于99%", None, "识别准确率", N(">=", 99, unit="%")),
    ("击穿电压大于或等于1200V", None, "击穿电压", N(">=", 1200, unit="V")),
    ("粒径小于100nm", None, "粒径", N("<", 100, unit="nm")),
    ("表面粗糙度Ra低于0.2μm", None, "表面粗糙度Ra", N("<", 0.2, unit="μm")),
    ("剥离强度大于3.0N/mm", None, "剥离强度", N(">", 3.0, unit="N/mm")),
    ("灵敏度高于-90dBm", None, "灵敏度", N(">", -90, unit="dBm")),
    ("产能超过5000吨/年", None, "产能", N(">", 5000, unit="吨/年")),
    ("主轴转速达到2500r/min", None, "主轴转速", N(">=", 2500, unit="r/min")),
    ("续航里程达600km", None, "续航里程", N(">=", 600, unit="km")),
    ("能量密度可达300Wh/kg", None, "能量密度", N(">=", 300, unit="Wh/kg")),
    ("良率提高到98%", None, "良率", N(">=", 98, unit="%")),
    ("能耗降低至180kWh/t", None, "能耗", N("<=", 180, unit="kWh/t")),
    ("换型时间缩短至15min", None, "换型时间", N("<=", 15, unit="min")),
    ("色差控制在ΔE≤1.0", None, "色差", U),
    ("批间色差控制在1.0以内", None, "批间色差", N("<=", 1.0)),
    ("温度波动控制在±0.5℃", None, "温度波动", N("<=", 0.5, unit="℃")),
    ("至少3种材质混线生产", None, None, N(">=", 3, unit="种")),
    ("使用寿命至少5年", None, "使用寿命", N(">=", 5, unit="年")),
    ("最多3次返工", None, None, N("<=", 3, unit="次")),
    # --- suffix words ----------------------------------------------------------------------
    ("耐热120°C以上", None, "耐热", N(">=", 120, unit="℃")),
    ("回收率95%以上", None, "回收率", N(">=", 95, unit="%")),
    ("回收率95%及以上", None, "回收率", N(">=", 95, unit="%")),
    ("耐洗色牢度4级以上", None, "耐洗色牢度", N(">=", 4, unit="级")),
    ("耐洗色牢度4级及以上", None, "耐洗色牢度", N(">=", 4, unit="级")),
    ("残留单体300mg/kg以下", None, "残留单体", N("<=", 300, unit="mg/kg")),
    ("出水COD 50mg/L以下", None, "出水COD", N("<=", 50, unit="mg/L")),
    ("不良率3‰以内", None, "不良率", N("<=", 3, unit="‰")),
    ("研发周期24个月以内", None, "研发周期", N("<=", 24, unit="个月")),
    ("2年内完成中试", None, None, N("<=", 2, unit="年")),
    ("交付周期2年内", None, "交付周期", N("<=", 2, unit="年")),
    ("误差±1%以内", None, "误差", N("<=", 1, unit="%")),
    ("工作温度80℃左右", None, "工作温度", N("=", 80, unit="℃")),
    ("厚度0.5mm左右", None, "厚度", N("=", 0.5, unit="mm")),
    # --- multipliers and separators --------------------------------------------------------
    ("弯折寿命≥20万次", None, "弯折寿命", N(">=", 200000, unit="次")),
    ("弯折寿命≥20,000次", None, "弯折寿命", N(">=", 20000, unit="次")),
    ("弯折寿命≥20，000次", None, "弯折寿命", N(">=", 20000, unit="次")),
    ("弯折寿命≥1,000,000次", None, "弯折寿命", N(">=", 1000000, unit="次")),
    ("模具寿命≥30万冲次", None, "模具寿命", N(">=", 300000, unit="冲次")),
    ("开关寿命不低于10万次", None, "开关寿命", N(">=", 100000, unit="次")),
    ("开关寿命不低于十万次", None, "开关寿命", N(">=", 100000, unit="次")),
    ("年产值≥5000万元", None, "年产值", N(">=", 5e7, unit="元")),
    ("新增销售收入不低于1亿元", None, "新增销售收入", N(">=", 1e8, unit="元")),
    ("投资规模1.5亿元", None, "投资规模", N("=", 1.5e8, unit="元")),
    ("寿命5万km", None, "寿命", N("=", 50000, unit="km")),
    ("寿命16万-20万km", None, "寿命", N("range", 160000, 200000, "km")),
    ("无故障运行时间≥5千小时", None, "无故障运行时间", N(">=", 5000, unit="h")),
    ("像素≥4800万像素", None, "像素", N(">=", 48000000, unit="像素")),
    ("洁净度10万级", None, "洁净度", N("=", 10, unit="万级")),
    # --- scientific notation, superscripts -------------------------------------------------
    ("活菌数≥1×10⁹CFU/g", None, "活菌数", N(">=", 1e9, unit="CFU/g")),
    ("活菌数≥1×10^9 CFU/g", None, "活菌数", N(">=", 1e9, unit="CFU/g")),
    ("活菌数不低于2.0×10⁸ CFU/g", None, "活菌数", N(">=", 2e8, unit="CFU/g")),
    ("漏率≤1×10⁻⁹Pa·m³/s", None, "漏率", N("<=", 1e-9, unit="Pa·m³/s")),
    ("MTBF≥1.2×10⁴ h", None, "MTBF", N(">=", 12000, unit="h")),
    ("体积电阻率≥10¹⁴Ω·cm", None, "体积电阻率", N(">=", 1e14, unit="Ω·cm")),
    ("体积电阻率≥1E14 Ω·cm", None, "体积电阻率", N(">=", 1e14, unit="Ω·cm")),
    ("误码率≤10^-6", None, "误码率", N("<=", 1e-6)),
    ("误码率≤10-6", None, "误码率", U),
    ("误码率≤1×10-6", None, "误码率", U),
    # --- ranges ----------------------------------------------------------------------------
    ("工作温度-40℃~85℃", None, "工作温度", N("range", -40, 85, "℃")),
    ("工作温度－40～＋85℃", None, "工作温度", N("range", -40, 85, "℃")),
    ("工作温度-40~+125℃", None, "工作温度", N("range", -40, 125, "℃")),
    ("使用温度30℃至120℃", None, "使用温度", N("range", 30, 120, "℃")),
    ("使用温度30至120℃", None, "使用温度", N("range", 30, 120, "℃")),
    ("使用温度在30℃-120℃之间", None, "使用温度", N("range", 30, 120, "℃")),
    ("使用温度30~120℃范围内", None, "使用温度", N("range", 30, 120, "℃")),
    ("装模高度1000~1400mm", None, "装模高度", N("range", 1000, 1400, "mm")),
    ("装模高度1000—1400mm", None, "装模高度", N("range", 1000, 1400, "mm")),
    ("密度0.10-0.14g/cm³", None, "密度", N("range", 0.10, 0.14, "g/cm³")),
    ("pH值6.5~8.5", None, "pH值", N("range", 6.5, 8.5)),
    ("粒径D50为3-5μm", None, "粒径D50", N("range", 3, 5, "μm")),
    ("D50为3-5μm", None, "D50", N("range", 3, 5, "μm")),
    ("厚度60-80nm", None, "厚度", N("range", 60, 80, "nm")),
    ("厚度60nm-80nm", None, "厚度", N("range", 60, 80, "nm")),
    ("粒径500nm~2μm", None, "粒径", N("range", 0.5, 2, "μm")),
    ("频率范围2.4GHz至5.8GHz", None, "频率范围", N("range", 2.4, 5.8, "GHz")),
    ("可混线车型4~6种", None, "可混线车型", N("range", 4, 6, "种")),
    ("色牢度4-5级", None, "色牢度", N("range", 4, 5, "级")),
    ("耐热120—150℃", None, "耐热", N("range", 120, 150, "℃")),
    ("项目周期1到3年", None, "项目周期", N("range", 1, 3, "年")),
    ("含水率8%~12%", None, "含水率", N("range", 8, 12, "%")),
    ("含水率在8%与12%之间", None, "含水率", N("range", 8, 12, "%")),
    ("工作电压3.0-4.2V", None, "工作电压", N("range", 3.0, 4.2, "V")),
    ("硫化温度 160 ～ 180 ℃", None, "硫化温度", N("range", 160, 180, "℃")),
    ("尺寸范围120-80mm", None, "尺寸范围", U),
    ("工作温度≥-40~85℃", None, "工作温度", U),
    ("粒径5mm~3kg", None, "粒径", U),
    # --- tolerances ------------------------------------------------------------------------
    ("定位精度±0.02mm", None, "定位精度", N("<=", 0.02, unit="mm")),
    ("重复定位精度≤±0.01mm", None, "重复定位精度", N("<=", 0.01, unit="mm")),
    ("计量误差小于±0.5%", None, "计量误差", N("<", 0.5, unit="%")),
    ("测量精度±0.1%FS", None, "测量精度", N("<=", 0.1, unit="%FS")),
    ("控温精度25±2℃", None, "控温精度", N("range", 23, 27, "℃")),
    ("温度25℃±2℃", None, "温度", N("range", 23, 27, "℃")),
    ("电阻100Ω±1%", None, "电阻", N("range", 99, 101, "Ω")),
    ("张力波动±3%以内", None, "张力波动", N("<=", 3, unit="%")),
    ("轨迹精度≥±0.5mm", None, "轨迹精度", U),
    # --- units of many kinds ---------------------------------------------------------------
    ("DIN耐磨体积损失≤80mm³", None, "DIN耐磨体积损失", N("<=", 80, unit="mm³")),
    ("DIN磨耗≤80mm3", None, "DIN磨耗", N("<=", 80, unit="mm³")),
    ("隔音量≥35dB", None, "隔音量", N(">=", 35, unit="dB")),
    ("整机噪声≤65dB(A)", None, "整机噪声", N("<=", 65, unit="dB(A)")),
    ("抗压强度≥30MPa", None, "抗压强度", N(">=", 30, unit="MPa")),
    ("氯离子含量≤50ppm", None, "氯离子含量", N("<=", 50, unit="ppm")),
    ("最小线宽≤90nm", None, "最小线宽", N("<=", 90, unit="nm")),
    ("分辨率≤5μm", None, "分辨率", N("<=", 5, unit="μm")),
    ("分辨率≤5um", None, "分辨率", N("<=", 5, unit="μm")),
    ("连续运行时间≥720h", None, "连续运行时间", N(">=", 720, unit="h")),
    ("保质期≥12个月", None, "保质期", N(">=", 12, unit="个月")),
    ("设计寿命≥25年", None, "设计寿命", N(">=", 25, unit="年")),
    ("帧率≥60fps", None, "帧率", N(">=", 60, unit="fps")),
    ("带件最高生产节拍18次/分", None, "带件最高生产节拍", N("=", 18, unit="次/分")),
    ("产能≥700件/小时", None, "产能", N(">=", 700, unit="件/小时")),
    ("表面硬度≥60HRC", None, "表面硬度", N(">=", 60, unit="HRC")),
    ("吸液倍率≥55倍", None, "吸液倍率", N(">=", 55, unit="g/g")),
    ("细度≥800目", None, "细度", N(">=", 800, unit="目")),
    ("光效≥160lm/W", None, "光效", N(">=", 160, unit="lm/W")),
    ("比功率≤6.2kW/(m³/min)", None, "比功率", N("<=", 6.2, unit="kW/(m³/min)")),
    ("节拍≤12s/双", None, "节拍", N("<=", 12, unit="s/双")),
    ("直径Φ50mm", None, "直径", N("=", 50, unit="mm")),
    ("降解率≥90%（180天）", None, "降解率", N(">=", 90, unit="%")),
    ("介电常数（10GHz）≤2.65", None, "介电常数（10GHz）", N("<=", 2.65)),
    ("介电常数≤2.65（10 GHz）", None, "介电常数", N("<=", 2.65)),
    ("挥发性盐基氮≤20mg/100g", None, "挥发性盐基氮", N("<=", 20, unit="mg/100g")),
    ("CO2排放降低≥30%", None, "CO2排放降低", N(">=", 30, unit="%")),
    ("PM2.5去除率≥99%", None, "PM2.5去除率", N(">=", 99, unit="%")),
    ("功率密度≥5kW/kg", None, "功率密度", N(">=", 5, unit="kW/kg")),
    # --- Chinese numerals and 百分之 -------------------------------------------------------
    ("质保期不少于三年", None, "质保期", N(">=", 3, unit="年")),
    ("质保期不少于两年", None, "质保期", N(">=", 2, unit="年")),
    ("检测周期缩短至十五天", None, "检测周期", N("<=", 15, unit="天")),
    ("合格率达到百分之九十五", None, "合格率", N(">=", 95, unit="%")),
    ("合格率达到百分之95", None, "合格率", N(">=", 95, unit="%")),
    ("一次性通过率高", None, None, T),
    ("实现三维成型", None, None, T),
    # --- name given separately (import columns) --------------------------------------------
    ("≥99.5%", "纯度", None, N(">=", 99.5, unit="%")),
    ("99.5%以上", "纯度", None, N(">=", 99.5, unit="%")),
    ("不低于1000mm", "滑块行程", None, N(">=", 1000, unit="mm")),
    ("要求≥95%", "回收率", None, N(">=", 95, unit="%")),
    ("需达到60MPa", "拉伸强度", None, N(">=", 60, unit="MPa")),
    ("≤0.5", "吸水率(%)", None, N("<=", 0.5)),
    ("优于0.02mm", "定位精度", None, N("<=", 0.02, unit="mm")),
    ("优于99%", "识别精度", None, N(">=", 99, unit="%")),
    ("优于5000小时", "使用寿命", None, N(">=", 5000, unit="h")),
    ("优于0.5", "综合指标", None, U),
    ("好于2.5", "平整度", None, U),
    # --- qualitative targets ---------------------------------------------------------------
    ("达到国际先进水平", "综合性能", None, T),
    ("国内领先", "技术水平", None, T),
    ("与进口产品相当", "耐候性", None, T),
    ("满足GB/T 2423.1-2008要求", "低温试验", None, T),
    ("符合GB 4806.7食品接触要求", "安全性", None, T),
    ("通过ISO 10993生物相容性评价", "生物相容性", None, T),
    ("防护等级IP67", None, "防护等级", T),
    ("支持5G通信", "通信", None, T),
    ("阻燃等级UL94 V-0", None, "阻燃等级", T),
    ("无明显色差", "外观", None, T),
    ("手感柔软、无异味", "穿着舒适性", None, T),
    ("可实现连续化生产", "工艺", None, T),
    ("耐磨性能优于进口同类产品", None, "耐磨性能", T),
    ("湿地防滑性能明显提升", "防滑", None, T),
    ("产品性能满足客户要求", "性能", None, T),
    ("A级", "燃烧性能", None, T),
    # --- strings a careless parser misreads: flagged, never a wrong number --------------------
    ("移动工作台模具面积≥4500×2500mm", None, "移动工作台模具面积", U),
    ("尺寸1200mm×600mm×3mm", None, "尺寸", U),
    ("2025年12月前完成", "进度", None, U),
    ("最高工作温度可达120℃", None, "最高工作温度", N(">=", 120, unit="℃")),
    ("温度最高120℃", None, "温度最高", N("=", 120, unit="℃")),
    ("最高120℃", "温度", None, U),
    ("20mm、30mm两种规格", "规格", None, U),
    ("3层以上，每层≥5μm", "涂层", None, U),
    ("≥95%（批次）且≤2%（波动）", "指标", None, U),
    ("≥", "回收率", None, U),
    ("≥95%, 98%", "回收率", None, U),
]


def test_at_least_150_real_forms():
    assert len(CASES) >= 150
    assert len({c[0] + str(c[1]) for c in CASES}) == len(CASES), "duplicate rows"


def _ids():
    return [f"{i}:{c[0][:18]}" for i, c in enumerate(CASES)]


@pytest.mark.parametrize("text, name, want_name, expected", CASES, ids=_ids())
def test_reads_real_forms(text, name, want_name, expected):
    t = parse_target(text, name=name)
    kind = expected[0]
    if kind == "numeric":
        _, cmp, value, upper, unit = expected
        assert (t.comparator, t.readable) == (cmp, True), t
        assert math.isclose(t.value, value, rel_tol=1e-9), t
        if upper is None:
            assert t.upper is None
        else:
            assert math.isclose(t.upper, upper, rel_tol=1e-9), t
        assert t.unit == unit, t
    elif kind == "text":
        assert (t.comparator, t.readable, t.value) == ("text", True, None), t
        assert t.text
    else:
        assert (t.comparator, t.readable, t.value) == ("text", False, None), t
        assert t.text and t.text in text  # the target as written, for the organizer
    if want_name is not None:
        assert t.name == want_name
    elif name is not None:
        assert t.name == name


def test_numbers_are_never_guessed_from_dimension_strings():
    # the old parser read "≥20,000次" as 20 and "30℃至120℃" as "= 30"; make sure no row that
    # carries two numbers ever comes back as a single number equal to one of them
    for text in ("≥4500×2500mm", "1200×600", "10-6", "2025年12月", "20mm、30mm"):
        r = read_target(text)
        assert r.kind == "unreadable", (text, r)


def test_split_name_keeps_brackets_in_the_name():
    assert split_name("介电常数（10GHz）≤2.65") == ("介电常数（10GHz）", "≤2.65")
    assert split_name("≥95%") == ("", "≥95%")
    assert split_name("国际先进水平") == ("国际先进水平", "国际先进水平")


def test_text_target_label_and_test_method():
    t = parse_target("优于进口同类产品", "SATRA TM31", name="耐磨性能")
    assert t.label() == "耐磨性能：优于进口同类产品"
    assert t.test_method == "SATRA TM31"
    n = parse_target("≥20万次", name="弯折寿命")
    assert n.label() == "弯折寿命 ≥ 200000 次"
    assert n.text == "≥20万次"
