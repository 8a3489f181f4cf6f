"""Content selection for Parley: the brand's catalog and the ways of picking items from it.

A plain library: it never imports Rasa, so the action server, benchmarks and the review console can all use it.
"""
