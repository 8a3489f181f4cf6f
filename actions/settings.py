"""Settings and shared resources of the action server, built lazily behind cached getters.

Nothing here runs at import time: the catalog is read on the first action that needs it, so importing `actions`
is free and tests can point the getters elsewhere (`get_catalog.cache_clear()` after changing the environment).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from recommender.catalog import Catalog, load_catalog
from recommender.lexical import LexicalSearch

PROJECT_ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Brand:
    """Facts about the brand that replies need (see `brand/brand.yml`)."""

    name: str
    currency_symbol: str
    shop_url: str
    order_tracking_url: str
    order_number_pattern: str
    order_number_prefix: str


def brand_dir() -> Path:
    """Folder holding `brand.yml` and `catalog.yml`: `$PARLEY_BRAND_DIR`, relative to the project root."""
    path = Path(os.environ.get("PARLEY_BRAND_DIR", "brand"))
    return path if path.is_absolute() else PROJECT_ROOT / path


@lru_cache(maxsize=1)
def get_brand() -> Brand:
    """The brand settings, read once."""
    raw = yaml.safe_load((brand_dir() / "brand.yml").read_text(encoding="utf-8"))
    return Brand(**{name: str(raw[name]) for name in Brand.__dataclass_fields__})


@lru_cache(maxsize=1)
def get_catalog() -> Catalog:
    """The validated catalog, read once."""
    return load_catalog(brand_dir() / "catalog.yml")


@lru_cache(maxsize=1)
def get_search() -> LexicalSearch:
    """The keyword index over the catalog, built once."""
    return LexicalSearch(get_catalog())


def reset_caches() -> None:
    """Forgets every cached resource, so the next call re-reads the environment and files."""
    for getter in (get_brand, get_catalog, get_search):
        getter.cache_clear()
