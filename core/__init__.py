"""The shared core: what every Parley process agrees on, in one place, importing none of them.

- `settings`: the one frozen settings object (`get_settings()`), the project root, every default host and port;
- `conversations`: the conversation-key format (built by channels, parsed by the console);
- `events`: the event-writing contract (`EventWriter`) and the one drain of the disk spool;
- `spool`: the disk spool itself, where turns wait while the store is down;
- `rasa_api`: the one client for the Rasa server's HTTP API;
- `handoff`: the single handoff rule (what pausing and resuming post, and what the inbox then shows);
- `weights`: where encoder weights come from, and how many threads torch may use.

The layers above (store, the libraries, then the processes) import this package; it imports only the standard
library (torch and transformers lazily, inside `weights`). `make lint` enforces both directions.
"""
