"""One conversation: the transcript, relabelling, review marks, takeover and story export."""

from __future__ import annotations

import logging
import urllib.parse

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from console import takeover
from console.auth import local_path
from console.exporting import story_steps, write_story
from console.rendering import render
from core.conversations import parse_telegram_key
from store.conversations import transcript
from store.moderation import ModerationError, restore
from store.reviews import (
    SENTIMENTS,
    ReviewError,
    mark_reviewed,
    queue_reply,
    relabel,
    set_flag,
    set_paused,
    set_tags,
)
from store.schema import Conversation, Interaction
from training.collect import examples_from_store
from training.domain import domain_intents
from training.merge import merge, training_examples, write_reviewed

logger = logging.getLogger(__name__)
conversation_routes = Blueprint("console_conversation")


def _back(conversation_id: str, notice: str = "", error: str = "") -> HTTPResponse:
    query = urllib.parse.urlencode({k: v for k, v in {"notice": notice, "error": error}.items() if v})
    return response.redirect(
        f"/conversations/{urllib.parse.quote(conversation_id, safe='')}" + (f"?{query}" if query else "")
    )


@conversation_routes.get("/conversations/<conversation_id:str>")
async def conversation_page(request: Request, conversation_id: str) -> HTTPResponse:
    """The transcript with every control a manager needs."""
    conversation_id = urllib.parse.unquote(conversation_id)
    with request.app.ctx.db.session() as session:
        conversation = session.get(Conversation, conversation_id)
        if conversation is None:
            return render(request, "missing.html", status=404, what=f"conversation {conversation_id}")
        turns = transcript(session, conversation_id)
    return render(
        request,
        "conversation.html",
        conversation=conversation,
        turns=turns,
        intents=domain_intents(request.app.ctx.settings.domain_dir),
        sentiments=SENTIMENTS,
        moderation_outcomes=MODERATION_OUTCOMES,
    )


# How the transcript names what moderation did.
MODERATION_OUTCOMES = {
    "reply_calmly_and_flag": "answered with one calm line",
    "hide": "hidden (deleted from the thread)",
    "hide_failed": "to hide, but the bot is not an admin there: remove it by hand",
    "ignore": "ignored (no reply)",
    "restored": "restored by a manager (not abuse)",
}


@conversation_routes.post("/conversations/<conversation_id:str>/restore")
async def restore_message(request: Request, conversation_id: str) -> HTTPResponse:
    """Marks a moderated message a false positive: a correction the spam model learns from."""
    conversation_id = urllib.parse.unquote(conversation_id)
    try:
        interaction_id = int(request.form.get("interaction_id") or 0)
        with request.app.ctx.db.session() as session:
            turn = session.get(Interaction, interaction_id)
            if turn is None or turn.conversation_id != conversation_id:
                raise ModerationError("that message is not in this conversation")
            restore(session, interaction_id, request.ctx.manager_email)
    except (ModerationError, ValueError) as error:
        return _back(conversation_id, error=str(error))
    return _back(conversation_id, notice="Restored: marked not abuse, and kept as a correction for the moderator.")


@conversation_routes.post("/conversations/<conversation_id:str>/label")
async def label(request: Request, conversation_id: str) -> HTTPResponse:
    """Relabels one message's intent and/or sentiment."""
    conversation_id = urllib.parse.unquote(conversation_id)
    form = request.form
    intents = set(domain_intents(request.app.ctx.settings.domain_dir))
    try:
        interaction_id = int(form.get("interaction_id") or 0)
        with request.app.ctx.db.session() as session:
            turn = session.get(Interaction, interaction_id)
            if turn is None or turn.conversation_id != conversation_id:
                raise ReviewError("that message is not in this conversation")
            changed = []
            intent, sentiment = form.get("intent"), form.get("sentiment")
            if intent and intent != form.get("current_intent"):
                if intent not in intents:
                    raise ReviewError(f"{intent!r} is not an intent of this bot")
                relabel(session, interaction_id, "intent", intent, request.ctx.manager_email)
                changed.append(f"intent → {intent}")
            if sentiment and sentiment != form.get("current_sentiment"):
                relabel(session, interaction_id, "sentiment", sentiment, request.ctx.manager_email)
                changed.append(f"sentiment → {sentiment}")
    except (ReviewError, ValueError) as error:
        return _back(conversation_id, error=str(error))
    return _back(conversation_id, notice=("Saved: " + ", ".join(changed)) if changed else "Nothing changed.")


@conversation_routes.post("/conversations/<conversation_id:str>/review")
async def review(request: Request, conversation_id: str) -> HTTPResponse:
    """Marks reviewed / not reviewed, flags / unflags, or sets tags (one form each)."""
    conversation_id = urllib.parse.unquote(conversation_id)
    form = request.form
    try:
        with request.app.ctx.db.session() as session:
            if "reviewed" in form:
                mark_reviewed(session, conversation_id, request.ctx.manager_email, form.get("reviewed") == "yes")
            if "flagged" in form:
                set_flag(session, conversation_id, form.get("flagged") == "yes")
            if "tags" in form:
                set_tags(session, conversation_id, (form.get("tags") or "").split(","))
    except ReviewError as error:
        return _back(conversation_id, error=str(error))
    return _back(conversation_id, notice="Saved.")


@conversation_routes.post("/conversations/<conversation_id:str>/takeover")
async def take_over(request: Request, conversation_id: str) -> HTTPResponse:
    """Pauses the bot (`action=pause`) or hands the conversation back (`action=resume`)."""
    conversation_id = urllib.parse.unquote(conversation_id)
    settings = request.app.ctx.settings
    pausing = request.form.get("action") == "pause"
    try:
        await (takeover.pause if pausing else takeover.resume)(settings, conversation_id)
        with request.app.ctx.db.session() as session:
            set_paused(session, conversation_id, pausing)
    except (takeover.BotUnreachable, ReviewError) as error:
        return _back(conversation_id, error=str(error))
    notice = (
        "You have the conversation: the bot is silent until you hand it back." if pausing else "Handed back to the bot."
    )
    return _back(conversation_id, notice=notice)


@conversation_routes.post("/conversations/<conversation_id:str>/reply")
async def reply(request: Request, conversation_id: str) -> HTTPResponse:
    """Sends a manager's reply through the conversation's channel and records it in the conversation."""
    conversation_id = urllib.parse.unquote(conversation_id)
    settings = request.app.ctx.settings
    text = (request.form.get("text") or "").strip()
    if not text:
        return _back(conversation_id, error="Write a reply first.")
    with request.app.ctx.db.session() as session:
        conversation = session.get(Conversation, conversation_id)
        if conversation is None:
            return _back(conversation_id, error="No such conversation.")
        channel = conversation.channel
        if not conversation.paused:
            return _back(conversation_id, error="Take the conversation over first, so the bot does not answer too.")
    try:
        if channel == "telegram_ptb":
            address = parse_telegram_key(conversation_id)
            if address is None or not settings.telegram_token:
                return _back(conversation_id, error="This Telegram conversation cannot be reached (no token or chat).")
            await takeover.send_telegram(settings, address.chat_id, text)
            delivered = "Sent on Telegram."
        else:
            with request.app.ctx.db.session() as session:
                queue_reply(session, conversation_id, text, request.ctx.manager_email)
            delivered = "Queued: the customer gets it with their next message (REST cannot push)."
        await takeover.record_reply(settings, conversation_id, text, request.ctx.manager_email)
    except takeover.BotUnreachable as error:
        return _back(conversation_id, error=f"Delivered, but not recorded in the transcript: {error}")
    except Exception as error:  # a channel failure: say so, keep the console usable
        logger.exception("Could not deliver a reply to %s", conversation_id)
        return _back(conversation_id, error=f"Could not deliver the reply: {error}")
    return _back(conversation_id, notice=delivered)


@conversation_routes.post("/conversations/<conversation_id:str>/export-story")
async def export_story(request: Request, conversation_id: str) -> HTTPResponse:
    """Writes the reviewed conversation as a test story (with managers' intent corrections applied)."""
    conversation_id = urllib.parse.unquote(conversation_id)
    settings = request.app.ctx.settings
    try:
        events = await takeover.tracker_events(settings, conversation_id)
    except takeover.BotUnreachable as error:
        return _back(conversation_id, error=str(error))
    with request.app.ctx.db.session() as session:
        corrected = {
            turn.interaction.message_id: turn.intent
            for turn in transcript(session, conversation_id)
            if turn.interaction.message_id and "intent" in turn.corrected
        }
    path = write_story(settings.stories_export_dir, conversation_id, story_steps(events, corrected))
    return _back(conversation_id, notice=f"Test story written to {path}")


@conversation_routes.post("/export/nlu")
async def export_nlu(request: Request) -> HTTPResponse:
    """Writes every correction (intent and sentiment) as NLU training data, merged exactly as `make retrain` does."""
    settings = request.app.ctx.settings
    with request.app.ctx.db.session() as session:
        examples = examples_from_store(session)
    result = merge(training_examples(settings.nlu_data_dir), examples, domain_intents(settings.domain_dir))
    write_reviewed(settings.nlu_export, result.added)
    notice = f"Wrote {len(result.added)} example(s) to {settings.nlu_export}; {result.duplicates} already known."
    if result.conflicts:
        notice += f" Left out {len(result.conflicts)} label(s) given two ways: " + "; ".join(
            f'"{c.text}" ({c.field}: {", ".join(sorted(set(c.labels.values())))})' for c in result.conflicts[:5]
        )
    back = local_path(request.form.get("back"))
    separator = "&" if "?" in back else "?"
    return response.redirect(back + separator + urllib.parse.urlencode({"notice": notice}))
