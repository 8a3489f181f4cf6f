import asyncio

from rasa.utils.endpoints import EndpointConfig
from sqlalchemy import select

from bot.broker import StoreEventBroker
from core.settings import get_settings
from core.spool import Spool
from store.db import Database
from store.interactions import conversation_turns
from store.migrate import is_current
from store.schema import Interaction
from tests.conftest import turn_events


def test_broker_spools_while_the_database_is_down_and_catches_up_in_order(tmp_path, monkeypatch):
    monkeypatch.setenv("PARLEY_SPOOL", str(tmp_path / "spool.jsonl"))
    url = f"sqlite:///{tmp_path / 'store.db'}"
    broker = asyncio.run(StoreEventBroker.from_endpoint_config(EndpointConfig(url=url)))
    assert is_current(url)
    working = broker.writer.database
    broker.writer.database = Database("postgresql+psycopg2://nobody@127.0.0.1:9/none?connect_timeout=1")
    broker.log.retry_s = 0  # knock on the database for every event, so the test need not wait out the back-off
    for event in turn_events("c2", "first"):
        broker.publish(event)  # never raises
    assert broker.flush()
    assert len(list(Spool(get_settings().spool_path).read())) == 6
    broker.writer.database = working
    for event in turn_events("c2", "second"):
        broker.publish(event)
    assert broker.flush()
    assert not get_settings().spool_path.exists()
    with working.session() as session:
        assert [t.text for t in conversation_turns(session, "c2")] == ["first", "second"]
        assert session.execute(select(Interaction.reply)).scalars().all() == ["Hi!", "Hi!"]


def test_the_rest_outbox_reads_the_brokers_store(tmp_path, monkeypatch):
    """`event_broker.url` names the store: the REST channel's queued manager replies come from the same one."""
    from bot import storage
    from bot.rest import pending_human_replies
    from store.interactions import record_pause
    from store.reviews import queue_reply

    monkeypatch.setenv("PARLEY_DB_URL", f"sqlite:///{tmp_path / 'elsewhere.db'}")  # not the broker's
    get_settings.cache_clear()
    url = f"sqlite:///{tmp_path / 'broker.db'}"
    broker = asyncio.run(StoreEventBroker.from_endpoint_config(EndpointConfig(url=url)))
    try:
        for event in turn_events("c5", "hello"):
            broker.publish(event)
        assert broker.flush()
        with Database(url).session() as session:
            record_pause(session, "c5", paused=True)
            queue_reply(session, "c5", "Sam here, I can help.", "sam@kestrel.example")
        assert pending_human_replies("c5") == ["Sam here, I can help."]
        assert pending_human_replies("c5") == []  # delivered once
    finally:
        storage.use(None)


def test_a_poisoned_event_does_not_stop_the_log(tmp_path, monkeypatch):
    """Before: the bad event stayed at the spool's head and every later turn was spooled behind it."""
    monkeypatch.setenv("PARLEY_SPOOL", str(tmp_path / "spool.jsonl"))
    url = f"sqlite:///{tmp_path / 'store.db'}"
    broker = asyncio.run(StoreEventBroker.from_endpoint_config(EndpointConfig(url=url)))
    [poisoned, *rest] = turn_events("c6", "first")
    poisoned["timestamp"] = "not a time"
    for event in [poisoned, *rest, *turn_events("c6", "second"), *turn_events("c6", "third")]:
        broker.publish(event)
    assert broker.flush()
    assert not get_settings().spool_path.exists()
    with Database(url).session() as session:
        assert [t.text for t in conversation_turns(session, "c6")] == ["second", "third"]
    [letter] = Spool(get_settings().dead_letter_path).read()
    assert letter["event"]["text"] == "first"


def test_publish_returns_while_the_database_is_stuck(tmp_path, monkeypatch):
    """Before: `publish` wrote synchronously, so a locked database held Rasa's event loop (this test hung)."""
    import threading

    monkeypatch.setenv("PARLEY_SPOOL", str(tmp_path / "spool.jsonl"))
    url = f"sqlite:///{tmp_path / 'store.db'}"
    broker = asyncio.run(StoreEventBroker.from_endpoint_config(EndpointConfig(url=url)))
    stuck, entered = threading.Event(), threading.Event()
    write_turn = broker.writer.write_turn

    def stuck_write(events):
        entered.set()
        assert stuck.wait(30)
        write_turn(events)

    broker.writer.write_turn = stuck_write
    published = threading.Event()

    def publish_all():
        for event in turn_events("c7", "while stuck"):
            broker.publish(event)
        published.set()

    threading.Thread(target=publish_all, daemon=True).start()
    assert entered.wait(10)
    assert published.wait(10), "publish waited for the database"
    stuck.set()
    assert broker.flush()
    with Database(url).session() as session:
        assert [t.text for t in conversation_turns(session, "c7")] == ["while stuck"]
