"""Talking to customers' platforms without Rasa: the senders every process shares.

The Rasa server's channel adapters (`bot/telegram/`) wrap these senders in Rasa's `OutputChannel`; the console uses
them directly when a manager replies, so replying never loads Rasa or TensorFlow.
"""
