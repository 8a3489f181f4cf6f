"""Rasa graph components (thin adapters over plain models in `nlu.models`)."""
