"""Weather engine (气象+): China's warning signals, CAP 1.2 reading and checking, and vectorised
targeting of exposure profiles by response rules. Pure Python + numpy; never imports Django.

    alert = parse_cap(xml_bytes)                       # CapError on anything malformed
    rules = load_rules_text(text, towns=TOWNS)         # response rules as data
    hits = target(profiles, WarningArea("台风", "红", whole_city=True), rules)
"""

from .cap import Alert, Area, CapError, Info, Reference, parse_cap, parse_datetime, parse_polygon
from .signals import (
    KINDS,
    LEVEL_NAMES_EN,
    LEVEL_RANK,
    LEVEL_SEVERITY,
    LEVELS,
    SIGNALS,
    SignalError,
    check_signal,
    parse_signal_code,
    parse_signal_text,
    signal_code,
)
from .targeting import (
    Profiles,
    Rule,
    RulesError,
    RuleSet,
    Targets,
    WarningArea,
    in_area,
    load_rules_text,
    points_in_polygon,
    target,
    target_reference,
)

__all__ = [
    "Alert", "Area", "CapError", "Info", "Reference", "parse_cap", "parse_datetime",
    "parse_polygon", "KINDS", "LEVEL_NAMES_EN", "LEVEL_RANK", "LEVEL_SEVERITY", "LEVELS",
    "SIGNALS", "SignalError", "check_signal", "parse_signal_code", "parse_signal_text",
    "signal_code", "Profiles", "Rule", "RulesError", "RuleSet", "Targets", "WarningArea",
    "in_area", "load_rules_text", "points_in_polygon", "target", "target_reference",
]
