"""Which platform updates were already taken in: `first_delivery` is true exactly once per update, across processes."""

from __future__ import annotations

from sqlalchemy.orm import Session

from store.db import insert_once
from store.schema import ChannelDelivery


def first_delivery(session: Session, channel: str, delivery_id: str) -> bool:
    """Records the delivery; False if it was recorded before (by this process, an earlier one, or a replica).

    The primary key decides, so two replicas receiving the same update at the same moment cannot both win.
    """
    return insert_once(session, ChannelDelivery(channel=channel[:32], delivery_id=delivery_id[:64]))
