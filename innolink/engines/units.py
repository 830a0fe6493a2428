"""Units of measure: one table with conversions, shared by whoever reads a quantity.

The challenge board's target reader (:mod:`innolink.engines.challenges.target_parse`) and the
matcher's indicator coverage (:mod:`innolink.engines.matching.indicators`) both compare values
written in different units (``20万次``, ``0.085 μm``, ``25 ℃``); both use this table, so neither
imports the other for it.

Pure Python; no Django.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["UNITS", "Unit", "canonical_unit", "convert", "unit_spellings"]



@dataclass(frozen=True)
class Unit:
    """A unit: its canonical symbol, its dimension and the factor to the dimension's base.

    ``value_in_base = value * factor + offset``.
    """

    symbol: str
    dimension: str
    factor: float
    offset: float = 0.0


def _u(symbol: str, dimension: str, factor: float, *aliases: str, offset: float = 0.0):
    return Unit(symbol, dimension, factor, offset), aliases


_UNIT_SPECS = [
    # length (base m)
    _u("nm", "length", 1e-9, "纳米"),
    _u("μm", "length", 1e-6, "um", "µm", "微米"),
    _u("mm", "length", 1e-3, "毫米"),
    _u("cm", "length", 1e-2, "厘米"),
    _u("m", "length", 1.0, "米"),
    # volume (base m³)
    _u("mm³", "volume", 1e-9, "mm3", "mm^3", "立方毫米"),
    _u("cm³", "volume", 1e-6, "cm3", "cm^3", "mL", "ml", "毫升", "立方厘米"),
    _u("L", "volume", 1e-3, "升"),
    _u("m³", "volume", 1.0, "m3", "立方米"),
    # pressure / strength (base Pa)
    _u("Pa", "pressure", 1.0, "帕"),
    _u("kPa", "pressure", 1e3, "千帕"),
    _u("MPa", "pressure", 1e6, "兆帕"),
    _u("GPa", "pressure", 1e9, "吉帕"),
    # fractions (base 1)
    _u("%", "fraction", 1e-2, "％", "个百分点"),
    _u("‰", "fraction", 1e-3),
    _u("ppm", "fraction", 1e-6),
    _u("ppb", "fraction", 1e-9),
    # temperature (base K)
    _u("℃", "temperature", 1.0, "°C", "摄氏度", offset=273.15),
    _u("K", "temperature", 1.0, "开尔文"),
    # water (or material) use per output: mass per mass (base t/t)
    _u("t/t", "mass_ratio", 1.0, "吨/吨", "吨水/吨布", "吨水/吨", "m³/t", "m3/t", "立方米/吨"),
    _u("L/kg", "mass_ratio", 1.0, "升/千克", "升/公斤"),
    _u("kg/t", "mass_ratio", 1e-3, "千克/吨", "公斤/吨"),
    _u("g/g", "absorbency", 1.0, "倍"),
    # energy (base J)
    _u("J", "energy", 1.0, "焦"),
    _u("kJ", "energy", 1e3),
    _u("MJ", "energy", 1e6),
    _u("Wh", "energy", 3.6e3),
    _u("kWh", "energy", 3.6e6, "度电", "千瓦时"),
    _u("MWh", "energy", 3.6e9),
    # energy per mass (base J/kg): energy density of cells and energy use per tonne
    _u("Wh/kg", "specific_energy", 3.6e3, "Wh kg-1", "瓦时/千克"),
    _u("kWh/t", "specific_energy", 3.6e3, "千瓦时/吨", "度/吨"),
    _u("kWh/kg", "specific_energy", 3.6e6),
    _u("MWh/t", "specific_energy", 3.6e6),
    _u("kgce/t", "specific_coal", 1.0, "千克标煤/吨", "kg标煤/t"),
    _u("kgce/m²", "coal_per_area", 1.0, "kgce/m2", "千克标煤/平方米"),
    _u("cN/dtex", "tenacity", 1.0),
    _u("Da", "molar_mass", 1.0, "道尔顿"),
    _u("kDa", "molar_mass", 1e3),
    _u("mAh/g", "specific_capacity", 1.0),
    # power, voltage, current
    _u("W", "power", 1.0, "瓦"),
    _u("kW", "power", 1e3, "千瓦"),
    _u("MW", "power", 1e6, "兆瓦"),
    _u("V", "voltage", 1.0, "伏"),
    _u("kV", "voltage", 1e3, "千伏"),
    _u("A", "current", 1.0, "安培"),
    _u("mA", "current", 1e-3, "毫安"),
    # force
    _u("N", "force", 1.0, "牛"),
    _u("kN", "force", 1e3, "千牛"),
    _u("N/mm", "tear_strength", 1.0, "kN/m"),
    # time (base s)
    _u("s", "time", 1.0, "秒"),
    _u("min", "time", 60.0, "分钟"),
    _u("h", "time", 3600.0, "小时"),
    _u("天", "time", 86400.0, "d", "日"),
    _u("个月", "time", 30 * 86400.0, "月"),
    _u("年", "time", 365 * 86400.0),
    # mass
    _u("mg", "mass", 1e-6, "毫克"),
    _u("g", "mass", 1e-3, "克"),
    _u("kg", "mass", 1.0, "千克", "公斤"),
    _u("t", "mass", 1e3, "吨"),
    # misc material properties
    _u("g/cm³", "density", 1e3, "g/cm3", "克/立方厘米"),
    _u("kg/m³", "density", 1.0, "kg/m3"),
    _u("mPa·s", "viscosity", 1e-3, "mPa.s", "mPas", "cP", "厘泊"),
    _u("Pa·s", "viscosity", 1.0, "Pa.s"),
    _u("dL/g", "intrinsic_viscosity", 1.0, "dl/g"),
    _u("mJ/cm²", "dose", 1.0, "mJ/cm2", "mJ cm-2"),
    _u("W/(m·K)", "thermal_conductivity", 1.0, "W/m·K", "W/mK", "W/(m.K)", "W/m.K"),
    _u("g/m²", "areal_mass", 1.0, "g/m2", "克/平方米", "gsm"),
    _u("CFU/g", "count_per_mass", 1.0, "cfu/g"),
    _u("次", "cycles", 1.0, "圈", "cycles"),
    _u("级", "grade", 1.0),
]

#: canonical symbol -> :class:`Unit`
UNITS: dict[str, Unit] = {u.symbol: u for u, _ in _UNIT_SPECS}
_UNIT_LOOKUP: dict[str, Unit] = {}
for _unit, _aliases in _UNIT_SPECS:
    for _name in (_unit.symbol, *_aliases):
        _UNIT_LOOKUP[_name] = _unit
_UNIT_LOOKUP_CI = {k.lower(): v for k, v in _UNIT_LOOKUP.items() if k.isascii()}


def canonical_unit(text: str | None) -> Unit | None:
    """Look a unit up by any of its spellings; ``None`` when unknown or empty.

    Examples:
        >>> canonical_unit("mm3").symbol
        'mm³'
        >>> canonical_unit("吨水/吨布").symbol
        't/t'
        >>> canonical_unit("parsec") is None
        True
    """
    if not text:
        return None
    t = text.strip()
    return _UNIT_LOOKUP.get(t) or (_UNIT_LOOKUP_CI.get(t.lower()) if t.isascii() else None)


def convert(value: float, from_unit: str | None, to_unit: str | None) -> float | None:
    """Convert ``value`` between two units of one dimension; ``None`` if incompatible.

    A missing unit on either side converts to the same number (the caller decides whether
    to trust a bare number).

    Examples:
        >>> convert(0.085, "μm", "nm")
        85.0
        >>> convert(30, "t/t", "L/kg")
        30.0
        >>> convert(25, "℃", "K")
        298.15
        >>> convert(3, "MPa", "nm") is None
        True
    """
    a, b = canonical_unit(from_unit), canonical_unit(to_unit)
    if a is None or b is None:
        return float(value) if (a is None and b is None) or not from_unit or not to_unit else None
    if a.dimension != b.dimension:
        return None
    base = value * a.factor + a.offset
    out = (base - b.offset) / b.factor
    return float(round(out, 12))


def unit_spellings() -> list[str]:
    """Every known spelling of every unit (symbols and aliases).

    Examples:
        >>> "mm3" in unit_spellings() and "吨水/吨布" in unit_spellings()
        True
    """
    return list(_UNIT_LOOKUP)
