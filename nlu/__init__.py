"""Parley's own NLU components for the Rasa pipeline (transformer intent and sentiment models).

Runs inside the Rasa server as graph components; may import torch, transformers and rasa, never the store,
recommender or actions.
"""
