"""Parley's custom actions, run by the action server (`python -m actions`: rasa_sdk's server, warmed up first).

rasa_sdk imports every submodule here and registers each concrete `Action` subclass; `base.ParleyAction` stays
abstract so it is not registered itself.
"""
