"""Compute engine: fit and rank compute offers for an AI workload, with reasons. Pure Python +
numpy; never imports Django."""

from .offers import (
    ACCELERATORS,
    CLASSES,
    HOURS_PER_DAY,
    KINDS,
    MAX_WINDOW_DAYS,
    REGIONS,
    Offer,
    Plan,
    Ranked,
    Workload,
    check,
    money,
    occupancy,
    plan,
    plan_reference,
    rank,
)

__all__ = ["ACCELERATORS", "CLASSES", "HOURS_PER_DAY", "KINDS", "MAX_WINDOW_DAYS", "REGIONS",
           "Offer", "Plan", "Ranked", "Workload", "check", "money", "occupancy", "plan",
           "plan_reference", "rank"]
