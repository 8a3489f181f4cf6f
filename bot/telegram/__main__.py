"""`python -m bot.telegram <command>`: connect the bot to Telegram.

Commands:
    check [--group ID ...]
                     Check the token (getMe), show the webhook Telegram has on file and, for each discussion
                     group (also TELEGRAM_GROUPS, comma-separated chat ids), whether the bot may delete messages
                     there: moderation's `hide` needs it.
    set-webhook URL  Register `URL/webhooks/telegram_ptb/webhook` with the secret token (webhook mode).
    delete-webhook   Remove the webhook (polling mode does this by itself).

Reads TELEGRAM_BOT_TOKEN, TELEGRAM_WEBHOOK_SECRET and TELEGRAM_API_BASE from the environment (`.env`).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

from telegram.constants import ChatMemberStatus
from telegram.error import TelegramError
from telegram.ext import ExtBot

from bot.telegram.channel import ALLOWED_UPDATES
from channels.telegram import make_bot
from core.settings import get_settings

WEBHOOK_PATH = "/webhooks/telegram_ptb/webhook"


async def run(args: argparse.Namespace) -> int:
    """Runs one command against the Bot API."""
    settings = get_settings()
    token = settings.telegram_token
    if not token:
        print("TELEGRAM_BOT_TOKEN is not set. Get a token from @BotFather and put it in .env.", file=sys.stderr)
        return 2
    bot = make_bot(token, settings.telegram_api_base)
    try:
        await bot.initialize()
        if args.command == "check":
            info = await bot.get_webhook_info()
            print(f"Token OK: @{bot.username} (id {bot.id})")
            print(
                f"Webhook: {info.url or '(none: polling mode can run)'}; pending updates: {info.pending_update_count}"
            )
            if info.last_error_message:
                print(f"Telegram's last delivery error: {info.last_error_message}")
            for group in groups(args.group):
                print(await admin_rights(bot, group))
        elif args.command == "set-webhook":
            secret = settings.telegram_webhook_secret
            if not secret:
                print("TELEGRAM_WEBHOOK_SECRET is not set; the webhook would reject every update.", file=sys.stderr)
                return 2
            if not args.url.startswith("https://"):
                print("Telegram only delivers to https:// URLs.", file=sys.stderr)
                return 2
            url = args.url.rstrip("/") + WEBHOOK_PATH
            await bot.set_webhook(url, secret_token=secret, allowed_updates=ALLOWED_UPDATES)
            print(f"Webhook set: {url}")
        elif args.command == "delete-webhook":
            await bot.delete_webhook()
            print("Webhook deleted.")
    except TelegramError as error:
        print(f"Telegram said: {error}", file=sys.stderr)
        return 1
    finally:
        await bot.shutdown()
    return 0


def groups(given: list[str] | None) -> list[int]:
    """The discussion groups to check: `--group` ids, then TELEGRAM_GROUPS' (comma-separated), without repeats."""
    raw = [*(given or []), *os.environ.get("TELEGRAM_GROUPS", "").split(",")]
    out: list[int] = []
    for value in (v.strip() for v in raw):
        if value and int(value) not in out:
            out.append(int(value))
    return out


async def admin_rights(bot: ExtBot, chat_id: int) -> str:
    """One line saying whether the bot can hide comments in `chat_id` (an admin allowed to delete messages)."""
    try:
        member = await bot.get_chat_member(chat_id, bot.id)
    except TelegramError as error:
        return f"Group {chat_id}: cannot check ({error}); is the bot a member?"
    if member.status == ChatMemberStatus.OWNER or getattr(member, "can_delete_messages", False):
        return f"Group {chat_id}: admin with 'Delete messages': moderation can hide comments"
    return (
        f"Group {chat_id}: NOT allowed to delete messages ({member.status}): comments the policy hides stay up and "
        "are logged as hide_failed. Make the bot an admin of the group with 'Delete messages'."
    )


def main(argv: list[str] | None = None) -> int:
    """Parses the command line and runs the command."""
    parser = argparse.ArgumentParser(prog="python -m bot.telegram", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    checker = commands.add_parser("check", help="check the token, the webhook and the admin rights in groups")
    checker.add_argument("--group", action="append", help="a discussion group's chat id (repeatable)")
    setter = commands.add_parser("set-webhook", help="register the webhook")
    setter.add_argument("url", help="the public https:// base URL of this Rasa server")
    commands.add_parser("delete-webhook", help="remove the webhook")
    return asyncio.run(run(parser.parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
