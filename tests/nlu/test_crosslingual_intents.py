"""The cross-lingual intent classifier: trained on English, it reads Spanish and French; English passes untouched."""

from __future__ import annotations

import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.components.crosslingual_intents import CrossLingualIntentClassifier

ENGLISH = {
    "order_status": ["where is my order", "has my parcel shipped yet", "track my order please", "my order is late"],
    "ask_returns": ["how do I return boots", "can I send this back", "what is your return policy", "refund please"],
    "ask_shipping": ["how long does shipping take", "do you ship to canada", "delivery costs?", "is shipping free"],
}


def component(tmp_path, **config):
    return CrossLingualIntentClassifier.create(
        {**CrossLingualIntentClassifier.get_default_config(), **config},
        LocalModelStorage(tmp_path),
        Resource("crosslingual"),
        ExecutionContext(graph_schema=None),
    )


def message(text: str, code: str, confidence: float = 0.95, best: str | None = None) -> Message:
    return Message(
        data={
            "text": text,
            "intent": {"name": "nlu_fallback", "confidence": 0.2},
            "language": {"code": code, "confidence": confidence, "best": best or code},
        }
    )


def training_data() -> TrainingData:
    return TrainingData(
        [Message(data={"text": t, "intent": intent}) for intent, texts in ENGLISH.items() for t in texts]
    )


def test_train_save_load_reads_spanish_and_french_and_leaves_english_alone(tmp_path):
    trained = component(tmp_path)
    resource = trained.train(training_data())
    loaded = CrossLingualIntentClassifier.load(
        CrossLingualIntentClassifier.get_default_config(),
        LocalModelStorage(tmp_path),
        resource,
        ExecutionContext(graph_schema=None),
    )
    spanish = message("¿dónde está mi pedido?", "es")
    french = message("comment retourner mes chaussures ?", "fr")
    english = message("where is my order", "en")
    unsure = message("pedido", "es", confidence=0.3)
    loaded.process([spanish, french, english, unsure])
    assert spanish.get("intent")["name"] == "order_status"
    assert french.get("intent")["name"] == "ask_returns"
    assert spanish.get("intent_ranking")[0]["name"] == "order_status"
    assert abs(sum(r["confidence"] for r in spanish.get("intent_ranking")) - 1.0) < 1e-5
    assert english.get("intent") == {"name": "nlu_fallback", "confidence": 0.2}  # the English model's reading stands
    assert unsure.get("intent") == {"name": "nlu_fallback", "confidence": 0.2}


def test_a_short_message_is_read_on_the_detectors_guess_and_a_greeting_does_not_hide_the_question(tmp_path):
    classifier = component(tmp_path)
    classifier.train(training_data())
    guessed = message("où est ma commande ?", "und", confidence=0.42, best="fr")
    english_guess = message("where is it", "und", confidence=0.42, best="en")
    too_weak = message("commande", "und", confidence=0.2, best="fr")
    greeted = message("hola, ¿cuánto tarda el envío a Canadá?", "es")
    classifier.process([guessed, english_guess, too_weak, greeted])
    assert guessed.get("intent")["name"] == "order_status"
    assert english_guess.get("intent")["name"] == too_weak.get("intent")["name"] == "nlu_fallback"
    assert greeted.get("intent")["name"] == "ask_shipping"


def test_untrained_it_changes_nothing(tmp_path):
    untrained = component(tmp_path)
    spanish = message("¿dónde está mi pedido?", "es")
    untrained.process([spanish])
    assert spanish.get("intent") == {"name": "nlu_fallback", "confidence": 0.2}


@pytest.mark.parametrize(
    "config", [{"languages": ["en", "es"]}, {"languages": "es"}, {"min_confidence": 2}, {"ranking_length": 0}]
)
def test_bad_config_fails_at_training_time(tmp_path, config):
    with pytest.raises(InvalidConfigException):
        component(tmp_path, **config)
