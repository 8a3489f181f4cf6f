"""The review console for social managers: a web app in its own process, reading and writing through `store/`.

Modules: `settings` (its view of `core.settings`), `app` (wiring), `rendering` (templates), `auth` (sessions,
CSRF), `pages/` (inbox, conversation, analytics), `charts` (SVG), `exporting` (test stories), `takeover` (pausing
the bot, replying as the brand), `seeding` (demo conversations), `__main__` (`python -m console serve |
create-manager | seed | resume`). Training-data export goes through `training/`, the same helpers retrain uses.
"""
