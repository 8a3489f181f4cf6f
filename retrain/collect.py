"""What the review console produced since the bot was last trained: corrections, reviewed stories, feedback."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select

from store.db import Database
from store.reviews import corrected_examples
from store.schema import Correction, Feedback, Interaction


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


def collect(database: Database, stories_dir: Path) -> Collected:
    """Reads intent corrections (newest label per message), counts the rest, lists exported stories."""
    with database.session() as session:
        managers = dict(
            session.execute(
                select(Correction.interaction_id, Correction.manager).where(Correction.field == "intent")
            ).all()
        )
        examples = [
            Example(
                e.text,
                e.intent,
                f"console correction of message {e.interaction_id} by {managers.get(e.interaction_id, '?')}",
            )
            for e in corrected_examples(session)
        ]
        sentiment = session.execute(
            select(func.count()).select_from(Correction).where(Correction.field == "sentiment")
        ).scalar_one()
        feedback = session.execute(select(func.count()).select_from(Feedback)).scalar_one()
        session.execute(select(func.count()).select_from(Interaction)).scalar_one()
    stories = sorted(stories_dir.glob("*.yml")) if stories_dir.is_dir() else []
    return Collected(examples, int(sentiment), int(feedback), stories)
