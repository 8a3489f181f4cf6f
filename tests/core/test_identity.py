from core.identity import identity_from


def test_rest_defaults_to_a_private_conversation_keyed_by_sender():
    who = identity_from("abc", "rest", None)
    assert (who.channel, who.external_id, who.surface, who.is_public) == ("rest", "abc", "dm", False)


def test_channel_metadata_sets_user_and_surface():
    who = identity_from("tg-comment-5-7", "telegram_ptb", {"user_id": 7, "surface": "comment", "display_name": "Jo"})
    assert (who.external_id, who.surface, who.display_name, who.is_public) == ("7", "comment", "Jo", True)


def test_malformed_metadata_falls_back_safely():
    who = identity_from("x" * 400, None, {"user_id": {"nested": 1}, "surface": "broadcast", "language": ["en"]})
    assert who.channel == "api"
    assert who.external_id == "x" * 255
    assert who.surface == "dm" and who.language is None


def test_a_rest_client_cannot_name_another_person():
    """Identity comes from the channel: a REST client's `metadata.user_id` is ignored, the sender is the person."""
    who = identity_from("visitor-9", "rest", {"user_id": "victim-1", "display_name": "Someone"})
    assert (who.channel, who.external_id) == ("rest", "visitor-9")
    assert identity_from("visitor-9", None, {"user_id": "victim-1"}).external_id == "visitor-9"
