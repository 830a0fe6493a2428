"""Shared helpers for the rules engine tests (no conftest, so ``--noconftest`` runs work)."""

from functools import lru_cache

from innolink.engines.rules import Registry, load_registry


@lru_cache(maxsize=1)
def demo_registry() -> Registry:
    return load_registry()
