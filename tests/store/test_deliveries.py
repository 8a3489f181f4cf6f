from store.deliveries import first_delivery


def test_each_delivery_is_first_exactly_once(database):
    with database.session() as session:
        assert first_delivery(session, "telegram_ptb", "910001") is True
    with database.session() as session:  # another process, or a replica, later
        assert first_delivery(session, "telegram_ptb", "910001") is False
        assert first_delivery(session, "telegram_ptb", "910002") is True
        assert first_delivery(session, "other_channel", "910001") is True
