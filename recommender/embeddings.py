"""Catalog embeddings, cached on disk by content so a restart or an unchanged catalog costs nothing.

The cache key is a hash of the encoder's name and every item's text: editing one description re-embeds the
catalog once, and switching models never serves stale vectors. Files live under `.cache/embeddings/`
(`$PARLEY_EMBEDDING_CACHE` to move them); a corrupt or foreign file is ignored and rebuilt.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from core.settings import get_settings
from recommender.catalog import Item
from recommender.encoders import Encoder

logger = logging.getLogger(__name__)

# Below this many texts, encoding is quick enough that a progress bar would only flicker.
PROGRESS_MIN_ITEMS = 200


def item_text(item: Item) -> str:
    """What an item is embedded as: title, category and tags, description."""
    facets = " ".join(part for part in (item.category.replace("_", " "), *item.tags) if part)
    return f"{item.title}. {facets}. {item.description}"


def cache_dir() -> Path:
    """Where embedding files go."""
    return get_settings().embedding_cache


def cache_key(encoder_name: str, texts: Sequence[str]) -> str:
    """A content hash of the model name and the texts, in order."""
    digest = hashlib.sha256(encoder_name.encode("utf-8"))
    for text in texts:
        digest.update(b"\0" + text.encode("utf-8"))
    return digest.hexdigest()[:32]


def embed_texts(texts: Sequence[str], encoder: Encoder, directory: Path | None = None) -> np.ndarray:
    """Embeddings of `texts`, from the cache when present, else encoded (with a progress bar) and cached."""
    directory = directory or cache_dir()
    path = directory / f"{cache_key(encoder.name, texts)}.npy"
    if path.exists():
        try:
            vectors = np.load(path)
            if vectors.shape[0] == len(texts):
                return vectors
        except (OSError, ValueError):
            pass
        logger.warning("Ignoring unreadable embedding cache %s", path)
    show_progress = len(texts) >= PROGRESS_MIN_ITEMS
    if show_progress:
        logger.info("Embedding %d catalog items with %s (cached afterwards)", len(texts), encoder.name)
    vectors = encoder.encode(list(texts), show_progress=show_progress).astype(np.float32)
    directory.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npy")
    np.save(tmp, vectors)
    tmp.replace(path)
    return vectors


def embed_catalog(items: Sequence[Item], encoder: Encoder, directory: Path | None = None) -> np.ndarray:
    """Embeddings of every item, row i for items[i]."""
    return embed_texts([item_text(item) for item in items], encoder, directory)
