"""The review console for social managers: a web app in its own process, reading and writing through `store/`.

Modules: `settings` (environment), `auth` (sessions, CSRF), `views` (pages and forms), `charts` (SVG),
`exporting` (NLU training data and test stories), `takeover` (pausing the bot, replying as the brand),
`domain_info` (the bot's intents), `__main__` (`python -m console serve | create-manager | seed`).
"""
