"""Action tests run against a real, migrated SQLite store and the hashing encoder (the MiniLM where asked)."""

from __future__ import annotations

import pytest

from store.migrate import upgrade


@pytest.fixture(autouse=True)
def store_env(tmp_path, monkeypatch):
    """Points the action server's store and embedding cache into a temp folder; returns the store URL."""
    url = f"sqlite:///{tmp_path / 'parley.db'}"
    upgrade(url)
    monkeypatch.setenv("PARLEY_DB_URL", url)
    monkeypatch.setenv("PARLEY_RECOMMENDER_MODEL", "hashing")
    monkeypatch.setenv("PARLEY_EMBEDDING_CACHE", str(tmp_path / "embeddings"))
    # erasure rewrites the training exports: never the project's own
    monkeypatch.setenv("PARLEY_NLU_EXPORT", str(tmp_path / "exports" / "reviewed.yml"))
    monkeypatch.setenv("PARLEY_STORIES_EXPORT_DIR", str(tmp_path / "exports" / "stories"))
    monkeypatch.setenv("PARLEY_CANDIDATES_DIR", str(tmp_path / "candidates"))
    return url
