"""The Rasa server side of Parley: input channels, app wiring and the terminal chat client."""
