"""Training data helpers shared by the review console's export and the retrain job, so both merge the same way.

`collect` reads what managers produced from the store (corrections, reviewed stories, feedback), `merge` folds it
into the NLU data (deduplicated, conflicts reported, every example keeping its source), `domain` lists the bot's
intents. Nothing here trains or serves a model.
"""
