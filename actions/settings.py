"""Settings and shared resources of the action server, built lazily behind cached getters.

Nothing here runs at import time: the catalog is read on the first action that needs it, so importing `actions`
is free and tests can point the getters elsewhere (`get_catalog.cache_clear()` after changing the environment).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from channels.outreach import Policy, load_policy
from core.hours import CareHours
from core.settings import get_settings
from recommender.catalog import Catalog, load_catalog
from recommender.encoders import Encoder, encoder_named
from recommender.engine import Recommender
from recommender.lexical import LexicalSearch
from recommender.qualifiers import Attributes, load_attributes
from store.catalog_sync import sync_catalog
from store.db import Database
from store.feedback import feedback_log

logger = logging.getLogger(__name__)


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
    return get_settings().brand_dir


@lru_cache(maxsize=1)
def get_brand() -> Brand:
    """The brand settings, read once."""
    raw = yaml.safe_load((brand_dir() / "brand.yml").read_text(encoding="utf-8"))
    return Brand(**{name: str(raw[name]) for name in Brand.__dataclass_fields__})


@lru_cache(maxsize=1)
def get_care_hours() -> CareHours:
    """The customer-care team's opening hours (`brand.yml`, `care_hours`), read once."""
    raw = yaml.safe_load((brand_dir() / "brand.yml").read_text(encoding="utf-8")) or {}
    return CareHours.parse(raw.get("care_hours"))


@lru_cache(maxsize=1)
def get_outreach_policy() -> Policy:
    """When the brand may write first (`brand.yml`, `broadcasts`): what the consent question promises, read once."""
    return load_policy(brand_dir() / "brand.yml")


@lru_cache(maxsize=1)
def get_catalog() -> Catalog:
    """The validated catalog, read once."""
    return load_catalog(brand_dir() / "catalog.yml")


@lru_cache(maxsize=1)
def get_attributes() -> Attributes:
    """The brand's request qualifiers and their catalog tags (`attributes.yml`), read once."""
    return load_attributes(brand_dir() / "attributes.yml")


@lru_cache(maxsize=1)
def get_search() -> LexicalSearch:
    """The keyword index over the catalog, built once."""
    return LexicalSearch(get_catalog())


@lru_cache(maxsize=1)
def get_database() -> Database:
    """The profile and interaction store (`$PARLEY_DB_URL`, default `var/parley.db`), with the catalog synced in.

    The catalog is mirrored into the store here so feedback rows can refer to items.
    """
    database = Database(get_settings().db_url or None)
    with database.session() as session:
        report = sync_catalog(session, get_catalog())
    if report.added or report.updated or report.deactivated:
        logger.info("Catalog synced to the store: %s", report)
    return database


def make_encoder() -> Encoder:
    """The recommender's encoder, chosen by `$PARLEY_RECOMMENDER_MODEL` (`recommender.encoders.encoder_named`)."""
    return encoder_named(get_settings().recommender_model)


_refit_lock = threading.Lock()
_last_refit = 0.0


@lru_cache(maxsize=1)
def get_recommender() -> Recommender:
    """The embedding recommender over the catalog, built once (embeddings are disk-cached)."""
    global _last_refit
    try:
        with get_database().session() as session:
            feedback = feedback_log(session)
    except Exception:
        logger.exception("Feedback log unavailable; starting the recommender without the collaborative signal")
        feedback = []
    recommender = Recommender.build(
        list(get_catalog()),
        make_encoder(),
        feedback,
        attributes=get_attributes(),
        currency_symbol=get_brand().currency_symbol,
    )
    _last_refit = time.monotonic()
    return recommender


def refresh_collaborative(recommender: Recommender, force: bool = False) -> threading.Thread | None:
    """Starts a refit of the collaborative signal when it is older than the settings allow; never waits for it.

    The refit reads the whole feedback log and solves EASE (12.8 s at 10,000 items), so it runs in a thread while
    customers keep getting the current model; one refit at a time. `collaborative_refresh_s`
    (`$PARLEY_COLLABORATIVE_REFRESH_S`) is how often, in seconds, while the server runs.

    Returns:
        The refit's thread (join it to wait), or None when no refit was due or one is already running.
    """
    global _last_refit
    if not force and time.monotonic() - _last_refit < get_settings().collaborative_refresh_s:
        return None
    if not _refit_lock.acquire(blocking=False):
        return None
    _last_refit = time.monotonic()
    thread = threading.Thread(target=_refit, args=(recommender,), name="parley-collaborative-refit", daemon=True)
    thread.start()
    return thread


def _refit(recommender: Recommender) -> None:
    """One refit, holding `_refit_lock` (taken by the caller); a failure keeps the previous model."""
    try:
        with get_database().session() as session:
            feedback = feedback_log(session)
        recommender.refit(feedback)
    except Exception:
        logger.exception("Collaborative refit failed; keeping the previous model")
    finally:
        _refit_lock.release()


def warm_up() -> None:
    """Builds everything the first customer would otherwise wait for: store, catalog, search, recommender, encoder.

    Called by `python -m actions` before the server listens, so the first recommendation is as quick as the
    tenth (it took 13 s when the recommender was built on first use). A store that is down is not fatal here:
    the actions degrade per message, as they always do.
    """
    get_brand()
    get_search()
    try:
        get_database()
    except Exception:
        logger.exception("Profile store unavailable at start-up; actions will answer without it")
    recommender = get_recommender()
    recommender.encoder.encode(["warm up the encoder"])


def reset_caches() -> None:
    """Forgets every cached resource, so the next call re-reads the environment and files."""
    get_settings.cache_clear()
    for getter in (
        get_brand,
        get_care_hours,
        get_outreach_policy,
        get_catalog,
        get_attributes,
        get_search,
        get_recommender,
    ):
        getter.cache_clear()
    if get_database.cache_info().currsize:
        get_database().dispose()
    get_database.cache_clear()
