"""A/B experiments on the bot's replies and rankings: definitions, deterministic assignment, and their statistics.

A plain library: no Rasa, no database. The action server asks it which arm a person is in; the store will log the
exposures and outcomes; the console will show `stats.verdict` for each experiment.
"""
