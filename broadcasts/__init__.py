"""The broadcast job: a process that sends managers' broadcasts to opted-in customers, each with their own picks.

`python -m broadcasts run` sends every queued broadcast and exits; `python -m broadcasts worker` keeps looking for
new ones (the console starts it). Either picks up where a stopped job left off (`store.broadcasts`).
"""
