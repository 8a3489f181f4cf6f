"""Moderation on Telegram: every text message is scored before the bot sees it, and the brand's policy applied.

- `reply`: nothing found (or the brand chose to answer anyway): the message goes to Rasa as usual.
- `reply_calmly_and_flag`: one calm line (the policy's `calm_reply`), never the bot's usual answer: no argument
  in public. The conversation is flagged for a manager.
- `hide`: the comment is deleted from the discussion group (the bot must be an admin there with "delete
  messages": `make telegram-check GROUP=<chat id>` says whether it is). If Telegram refuses, the message is
  logged as `hide_failed` and flagged, so a manager can remove it by hand.
- `ignore`: no reply at all; flagged.

A moderated message never reaches the dialogue, but it is logged like any other (with its category, score and
outcome) and shows in the console's moderation filter, where a manager can restore it. If scoring fails, the
message is answered as usual: moderation degrades, the customer is never dropped.
"""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path

from telegram.error import TelegramError
from telegram.ext import ExtBot

from bot.telegram.output import TelegramOutput
from bot.telegram.updates import Incoming
from core.identity import identity_from
from core.settings import get_settings
from moderation.classifier import Moderator, shared_moderator
from moderation.policy import CALM, HIDE, REPLY, Policy, Verdict, judge

logger = logging.getLogger(__name__)

MODERATED_INTENT = "moderated"
CORRECTIONS_CHECK_S = 60
HIDE_FAILED = "hide_failed"


class ModerationGate:
    """Scores messages, decides per the brand's policy file (re-read when it changes) and carries it out."""

    def __init__(self, policy_file: Path | None = None, moderator: Moderator | None = None) -> None:
        self.policy_file = policy_file or get_settings().brand_dir / "moderation.yml"
        self._moderator = moderator
        self._policy: Policy | None = None
        self._policy_mtime: float | None = None
        self._corrections_seen: int | None = None
        self._corrections_checked = 0.0

    @property
    def moderator(self) -> Moderator:
        """The process's moderator (built on first use: the NLU examples are read once, not per channel)."""
        if self._moderator is None:
            self._moderator = shared_moderator(tuple(nlu_examples()))
        return self._moderator

    def policy(self) -> Policy:
        """The policy file's current content (the defaults without a file; the last good one after a bad edit)."""
        mtime = self.policy_file.stat().st_mtime if self.policy_file.exists() else None
        if self._policy is None or mtime != self._policy_mtime:
            try:
                self._policy = Policy.load(self.policy_file)
            except Exception:
                logger.exception("Moderation policy %s is invalid; keeping the previous one", self.policy_file)
                self._policy = self._policy or Policy()
            self._policy_mtime = mtime
        return self._policy

    def _learn_corrections(self) -> None:
        """Retrains with managers' restores when there are new ones (checked at most once a minute)."""
        if time.monotonic() - self._corrections_checked < CORRECTIONS_CHECK_S and self._corrections_seen is not None:
            return
        self._corrections_checked = time.monotonic()
        from bot import storage
        from store.moderation import corrected_examples, corrections_count

        try:
            with storage.database().session() as session:
                count = corrections_count(session)
                if count != self._corrections_seen:
                    self.moderator.learn(corrected_examples(session))
                    self._corrections_seen = count
        except Exception:
            logger.warning("Could not read moderation corrections; scoring with what was learnt", exc_info=True)

    def verdict(self, decision: Incoming) -> Verdict:
        """What moderation makes of the message (blocking: run it in a thread)."""
        self._learn_corrections()
        [scores] = self.moderator.scores([decision.text])
        return judge(self.policy(), scores, decision.is_public)

    async def judge(self, decision: Incoming) -> Verdict | None:
        """The verdict on a typed message; None (answer as usual) for buttons, empty text or a scoring failure."""
        if decision.kind != "text" or not decision.text.strip():
            return None
        try:
            return await asyncio.to_thread(self.verdict, decision)
        except Exception:
            logger.exception("Moderation failed for a message of %s; answering it as usual", decision.sender_id)
            return None

    async def carry_out(self, bot: ExtBot, decision: Incoming, verdict: Verdict) -> str:
        """Applies a verdict other than `reply`; returns the outcome as logged (`hide_failed` when Telegram refused)."""
        outcome, reply = verdict.outcome, None
        if outcome == CALM:
            reply = self.policy().calm_reply
            try:
                await TelegramOutput(bot, decision.chat_id, decision.reply_to_message_id).send_text_message(
                    decision.sender_id, reply
                )
            except TelegramError:
                logger.exception("Could not send the calm reply to %s (the message is logged)", decision.sender_id)
        elif outcome == HIDE:
            message_id = (decision.metadata.get("telegram") or {}).get("message_id")
            try:
                await bot.delete_message(decision.chat_id, message_id)
            except TelegramError as error:
                logger.warning("Could not hide message %s in chat %s: %s", message_id, decision.chat_id, error)
                outcome = HIDE_FAILED
        await asyncio.to_thread(_record, decision, Verdict(verdict.category, verdict.score, outcome), reply)
        return outcome


def nlu_examples() -> list[str]:
    """The bot's English NLU examples: what customers ordinarily write (the spam model's negatives)."""
    from core.settings import PROJECT_ROOT
    from training.merge import training_examples

    try:
        return list(training_examples(PROJECT_ROOT / "data" / "nlu"))
    except Exception:
        logger.warning("Could not read the NLU examples; the spam model trains on its own examples", exc_info=True)
        return []


def _record(decision: Incoming, verdict: Verdict, reply: str | None) -> None:
    from bot import storage
    from store.interactions import record_bot_reply, record_user_turn

    message_id = (decision.metadata.get("telegram") or {}).get("message_id")
    identity = identity_from(decision.sender_id, "telegram_ptb", decision.metadata)
    parse = {"intent": {"name": MODERATED_INTENT, "confidence": 1.0}, "moderation": verdict.as_dict()}
    with storage.database().session() as session:
        turn = record_user_turn(session, decision.sender_id, identity, decision.text, parse, message_id)
        if reply:
            record_bot_reply(session, decision.sender_id, reply, turn=turn)


__all__ = ["HIDE_FAILED", "MODERATED_INTENT", "REPLY", "ModerationGate"]
