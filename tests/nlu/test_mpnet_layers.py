"""Encoders with MPNet's relative position bias split into bottom and top exactly like BERT-style ones.

A small randomly initialised MPNet (saved to a temporary folder with MiniLM's tokenizer) stands in for
all-mpnet-base-v2, which is 440 MB and not in CI: the layer arithmetic is what is tested, not the weights.
"""

from __future__ import annotations

import pytest
import torch
from transformers import AutoTokenizer, MPNetConfig, MPNetModel

from nlu.models.encoder import SplitEncoder, load_pretrained, resolve_model_path, run_layers
from nlu.models.intent import IntentModel, IntentTrainingConfig

TEXTS = ["where is my order", "a warm sleeping bag for winter camping above 3000m, please"]


@pytest.fixture(scope="module")
def tiny_mpnet(tmp_path_factory) -> str:
    folder = tmp_path_factory.mktemp("tiny-mpnet")
    tokenizer = AutoTokenizer.from_pretrained(resolve_model_path("minilm"))
    config = MPNetConfig(
        vocab_size=tokenizer.vocab_size,
        hidden_size=32,
        num_hidden_layers=3,
        num_attention_heads=2,
        intermediate_size=64,
        pad_token_id=tokenizer.pad_token_id,
    )
    torch.manual_seed(0)
    model = MPNetModel(config)
    with torch.no_grad():  # a bias as strong as a trained model's (the default init is nearly zero)
        model.encoder.relative_attention_bias.weight.normal_(0.0, 1.0)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return str(folder)


def test_bottom_then_top_equals_the_whole_model(tiny_mpnet):
    encoder = SplitEncoder(tiny_mpnet, split=1)
    tokenizer, model = load_pretrained(tiny_mpnet)
    batch = tokenizer(TEXTS, padding=True, return_tensors="pt")
    with torch.inference_mode():
        hidden, mask = encoder.bottom(TEXTS)
        top = run_layers(encoder.top_layers(), hidden, mask, encoder.position_bias(hidden))
        expected = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).last_hidden_state
    real = mask.bool()
    assert torch.allclose(top[real], expected[real], atol=1e-5)


def test_the_position_bias_matters_for_mpnet_and_is_absent_for_bert(tiny_mpnet):
    encoder = SplitEncoder(tiny_mpnet, split=1)
    with torch.inference_mode():
        hidden, mask = encoder.bottom(TEXTS)
        with_bias = run_layers(encoder.top_layers(), hidden, mask, encoder.position_bias(hidden))
        without = run_layers(encoder.top_layers(), hidden, mask)
    assert not torch.allclose(with_bias, without, atol=1e-3)
    minilm = SplitEncoder("minilm", split=-2)
    assert minilm.position_bias(minilm.bottom(TEXTS)[0]) is None


def test_an_intent_model_trains_saves_and_loads_on_mpnet(tiny_mpnet, tmp_path):
    encoder = SplitEncoder(tiny_mpnet, split=1)
    texts = ["hi there", "hello", "hey", "where is my order", "track my parcel", "my package is late"] * 3
    labels = ["greet", "greet", "greet", "order_status", "order_status", "order_status"] * 3
    model = IntentModel.train(encoder, texts, labels, IntentTrainingConfig(epochs=2, calibration_split=0.0), False)
    model.save(tmp_path)
    loaded = IntentModel.load(tmp_path, encoder)
    assert loaded.predict(TEXTS)[0] == pytest.approx(model.predict(TEXTS)[0], abs=1e-6)
