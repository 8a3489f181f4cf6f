"""Closing the learning loop: retrain from reviewed conversations, behind an evaluation gate.

`python -m retrain` (or `make retrain`): `collect` what managers corrected, `merge` it with the training data
(deduplicated, conflicts reported, every example keeping its source), train a candidate, `gate` it against the
current model on the same held-out data, and record everything in the `registry`.
"""
