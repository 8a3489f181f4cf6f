"""Which platform updates were already taken in: `first_delivery` is true exactly once per update, across processes."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from store.schema import ChannelDelivery


def first_delivery(session: Session, channel: str, delivery_id: str) -> bool:
    """Records the delivery; False if it was recorded before (by this process, an earlier one, or a replica).

    The primary key decides, so two replicas receiving the same update at the same moment cannot both win.
    """
    try:
        with session.begin_nested():
            session.add(ChannelDelivery(channel=channel[:32], delivery_id=delivery_id[:64]))
            session.flush()
    except IntegrityError:
        return False
    return True
