"""What the review console produced since the bot was last trained: corrections, reviewed stories, feedback."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store.db import Database
from store.reviews import corrected_examples
from store.schema import Feedback


@dataclass(frozen=True)
class Example:
    """One labelled message and where the labels came from.

    `intent_reviewed` is False when a manager corrected only the sentiment: the intent is then the one the bot
    understood and the manager left standing (it is training data, but not weighted as a correction).
    """

    text: str
    intent: str | None
    source: str
    sentiment: str | None = None
    intent_reviewed: bool = True


@dataclass
class Collected:
    """Everything the retrain uses from the store and the repository."""

    examples: list[Example] = field(default_factory=list)
    feedback_events: int = 0
    reviewed_stories: list[Path] = field(default_factory=list)

    @property
    def intent_corrections(self) -> int:
        """Messages whose intent a manager corrected."""
        return sum(e.intent_reviewed for e in self.examples)

    @property
    def sentiment_corrections(self) -> int:
        """Messages whose sentiment a manager corrected."""
        return sum(e.sentiment is not None for e in self.examples)


def examples_from_store(session: Session) -> list[Example]:
    """Every message a manager relabelled, with its newest labels and who gave them."""
    return [
        Example(
            e.text,
            e.intent or e.predicted_intent,
            f"console correction of message {e.interaction_id} by {e.manager}",
            e.sentiment,
            intent_reviewed=e.intent is not None,
        )
        for e in corrected_examples(session)
    ]


def collect(database: Database, stories_dir: Path) -> Collected:
    """Reads corrections (newest labels per message), counts the feedback log, lists exported stories."""
    with database.session() as session:
        examples = examples_from_store(session)
        feedback = session.execute(select(func.count()).select_from(Feedback)).scalar_one()
    stories = sorted(stories_dir.glob("*.yml")) if stories_dir.is_dir() else []
    return Collected(examples, int(feedback), stories)
