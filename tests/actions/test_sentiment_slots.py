from actions.sentiment import ValidateSlotMappings


def tracker_with(make_tracker, sentiment, **slots):
    tracker = make_tracker("some text", intent="complaint", slots=slots)
    if sentiment is not None:
        tracker.latest_message["sentiment"] = sentiment
    return tracker


async def test_negative_message_sets_sentiment_and_upset(make_tracker, dispatcher, domain):
    tracker = tracker_with(make_tracker, {"label": "negative", "score": 0.9})
    action = ValidateSlotMappings()
    assert await action.extract_sentiment(dispatcher, tracker, domain) == {"sentiment": "negative"}
    assert await action.extract_customer_upset(dispatcher, tracker, domain) == {"customer_upset": True}


async def test_unsure_negative_changes_only_the_tone(make_tracker, dispatcher, domain):
    tracker = tracker_with(make_tracker, {"label": "negative", "score": 0.45})
    assert await ValidateSlotMappings().extract_customer_upset(dispatcher, tracker, domain) == {}


async def test_calm_message_clears_upset(make_tracker, dispatcher, domain):
    tracker = tracker_with(make_tracker, {"label": "neutral", "score": 0.8}, customer_upset=True)
    action = ValidateSlotMappings()
    assert await action.extract_sentiment(dispatcher, tracker, domain) == {"sentiment": "neutral"}
    assert await action.extract_customer_upset(dispatcher, tracker, domain) == {"customer_upset": None}


async def test_no_sentiment_changes_nothing(make_tracker, dispatcher, domain):
    tracker = tracker_with(make_tracker, None)
    action = ValidateSlotMappings()
    assert await action.extract_sentiment(dispatcher, tracker, domain) == {}
    assert await action.extract_customer_upset(dispatcher, tracker, domain) == {}
