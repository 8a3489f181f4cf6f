from core.conversations import TelegramAddress, parse_telegram_key, telegram_comment_key, telegram_dm_key


def test_keys_round_trip():
    assert telegram_dm_key(42) == "tg:42"
    assert telegram_comment_key(-1001, 42) == "tg:comment:-1001:42"
    assert parse_telegram_key(telegram_dm_key(42)) == TelegramAddress(chat_id=42, user_id=42, public=False)
    assert parse_telegram_key(telegram_comment_key(-1001, 42)) == TelegramAddress(-1001, 42, public=True)


def test_other_and_malformed_keys_have_no_telegram_address():
    for key in ("rest-user-1", "tg:abc", "tg:comment:1", "tg:comment:x:1", "", "tg:1:2"):
        assert parse_telegram_key(key) is None
