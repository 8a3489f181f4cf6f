"""What the review console produced since the bot was last trained: corrections, reviewed stories, feedback."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store.db import Database
from store.reviews import corrected_examples
from store.schema import Correction, Feedback


@dataclass(frozen=True)
class Example:
    """One labelled message and where the label came from."""

    text: str
    intent: str
    source: str


@dataclass
class Collected:
    """Everything the retrain uses from the store and the repository."""

    examples: list[Example] = field(default_factory=list)
    sentiment_corrections: int = 0
    feedback_events: int = 0
    reviewed_stories: list[Path] = field(default_factory=list)


def examples_from_store(session: Session) -> list[Example]:
    """Every message a manager relabelled, with its newest intent and who gave it."""
    return [
        Example(e.text, e.intent, f"console correction of message {e.interaction_id} by {e.manager}")
        for e in corrected_examples(session)
    ]


def collect(database: Database, stories_dir: Path) -> Collected:
    """Reads intent corrections (newest label per message), counts the rest, lists exported stories."""
    with database.session() as session:
        examples = examples_from_store(session)
        sentiment = session.execute(
            select(func.count()).select_from(Correction).where(Correction.field == "sentiment")
        ).scalar_one()
        feedback = session.execute(select(func.count()).select_from(Feedback)).scalar_one()
    stories = sorted(stories_dir.glob("*.yml")) if stories_dir.is_dir() else []
    return Collected(examples, int(sentiment), int(feedback), stories)
