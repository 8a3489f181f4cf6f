"""Recommender fixtures: the brand catalog with the hashing encoder (fast, deterministic) or the real MiniLM."""

from __future__ import annotations

import pytest

from core.settings import PROJECT_ROOT
from recommender.catalog import load_catalog
from recommender.encoders import HashingEncoder, SentenceTransformerEncoder
from recommender.engine import Recommender

BRAND_DIR = PROJECT_ROOT / "brand"


@pytest.fixture(autouse=True)
def _embedding_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("PARLEY_EMBEDDING_CACHE", str(tmp_path / "embeddings"))


@pytest.fixture(scope="session")
def catalog():
    return load_catalog(BRAND_DIR / "catalog.yml")


@pytest.fixture
def hashing_recommender(catalog) -> Recommender:
    return Recommender.build(list(catalog), HashingEncoder())


@pytest.fixture(scope="session")
def minilm() -> SentenceTransformerEncoder:
    return SentenceTransformerEncoder()


@pytest.fixture(scope="session")
def minilm_recommender(catalog, minilm, tmp_path_factory) -> Recommender:
    """The recommender exactly as the bot runs it (real MiniLM embeddings), built once per test session."""
    from recommender.embeddings import embed_catalog

    vectors = embed_catalog(list(catalog), minilm, tmp_path_factory.mktemp("minilm-embeddings"))
    return Recommender(list(catalog), vectors, minilm)
