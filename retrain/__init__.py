"""Closing the learning loop: retrain from reviewed conversations, behind an evaluation gate.

`python -m retrain` (or `make retrain`) runs `steps`: collect what managers corrected and merge it with the
training data (`training/`: deduplicated, conflicts reported, every example keeping its source), train a candidate,
`gate` it against the current model on the same held-out data, and record everything in the `registry`.
"""
