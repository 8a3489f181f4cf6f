"""Parley's Telegram channel on python-telegram-bot (v22): direct messages and public comments.

Rasa's built-in `telegram` channel (aiogram) crashes on edited and group messages; this one does not. Modules:
`updates` (which updates to answer, and as whom), `output` (sending: keyboards, splitting, rate limits),
`policy` (what may be said in public), `channel` (the Rasa `InputChannel`: webhook and polling), and `__main__`
(`python -m bot.telegram`: set or delete the webhook, check the token).
"""
