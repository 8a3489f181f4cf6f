"""Parley's custom actions, run by the Rasa action server (`rasa run actions --actions actions`).

rasa_sdk imports every submodule here and registers each concrete `Action` subclass; `base.ParleyAction` stays
abstract so it is not registered itself.
"""
