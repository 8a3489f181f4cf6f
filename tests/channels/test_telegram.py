"""The Rasa-free Telegram sender: splitting and keyboards."""

from channels.telegram import MAX_MESSAGE_CHARS, keyboard, split_text


def test_split_text_respects_the_limit_and_word_boundaries():
    text = ("word " * 2000).strip()
    pieces = split_text(text)
    assert all(len(p) <= MAX_MESSAGE_CHARS for p in pieces) and len(pieces) == 3
    assert " ".join(pieces) == text
    assert split_text("x" * 5000)[0] == "x" * MAX_MESSAGE_CHARS  # no boundary: hard cut
    assert split_text("") == [""]


def test_keyboard_one_button_per_row_and_drops_oversized_payloads():
    markup = keyboard(
        [
            {"title": "👀 Ridgeline", "payload": '/click_item{"item_id":"tent-ridgeline-2"}'},
            {"title": "Shop", "url": "https://kestrel-outdoor.example/shop"},
            {"title": "too long", "payload": "/x" + "y" * 80},
        ]
    )
    rows = markup.inline_keyboard
    assert len(rows) == 2
    assert rows[0][0].callback_data == '/click_item{"item_id":"tent-ridgeline-2"}' and rows[1][0].url
    assert keyboard([]) is None
