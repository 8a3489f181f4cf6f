"""Moderation of customers' messages: what a message is, and what the brand does about it.

Categories: toxic, spam, self-promotion. Outcomes: reply, reply calmly and flag, hide, ignore. A library: no Rasa,
no Telegram; the channels carry the decision out.
"""
