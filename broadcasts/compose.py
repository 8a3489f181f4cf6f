"""One recipient's message: the manager's words (or the variant's), their best items, and the stop button.

The items are picked by the same recommender the bot answers with, for this person: personalised when they allow
it (broadcast consent is not personalisation consent), the popular ones otherwise. A broadcast naming an item
leads with it; one naming a category picks within it.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.buttons import payload, short_title
from experiments.assignment import bucket
from recommender.catalog import Item
from recommender.engine import Ranker, Recommender, Request, UserContext
from recommender.formatting import item_line

MAX_ITEMS = 3
STOP_PAYLOAD = "/unsubscribe_broadcasts"
STOP_TITLE = "🔕 Stop these messages"


@dataclass(frozen=True)
class Composed:
    """What goes to one person: the text, the items in it, the buttons, and the experiment arm that chose them."""

    text: str
    items: list[str]
    buttons: list[dict[str, str]]
    arm: str | None


def arm_of(broadcast_id: int, person: str, arms: tuple[str, str]) -> str:
    """Half the recipients each, by a hash of the broadcast and the person (the same person, the same arm)."""
    return arms[0] if bucket(f"broadcast-{broadcast_id}", person) < 0.5 else arms[1]


def compose(
    *,
    broadcast_id: int,
    message: str,
    variant_message: str | None,
    item: Item | None,
    category: str | None,
    ranker_setting: str,
    person: str,
    context: UserContext,
    recommender: Recommender,
    click_model: Ranker | None,
    brand_name: str,
    currency_symbol: str,
) -> Composed:
    """The message for one person (see the module docstring).

    `ranker_setting` is `blend`, `clicks` or `test` (half each); without a trained click model, `clicks` is the
    blend and the arm says so.
    """
    arm = None
    text = message
    if variant_message:
        arm = arm_of(broadcast_id, person, ("A", "B"))
        text = message if arm == "A" else variant_message
    ranker_name = ranker_setting
    if ranker_setting == "test":
        ranker_name = arm_of(broadcast_id, "ranker:" + person, ("blend", "clicks"))
    ranker = click_model if ranker_name == "clicks" else None
    if ranker_name == "clicks" and click_model is None:
        ranker_name = "blend"
    if ranker_setting == "test":
        arm = f"{arm}+{ranker_name}" if arm else ranker_name
    picks: list[Item] = [item] if item is not None else []
    request = Request(category=category, exclude=frozenset(i.id for i in picks))
    for pick in recommender.recommend(request, context, k=MAX_ITEMS, ranker=ranker):
        if len(picks) >= MAX_ITEMS:
            break
        picks.append(pick.item)
    lines = [text.strip()]
    if picks:
        lines.append("\n".join(item_line(i, currency_symbol) for i in picks))
    lines.append(f"You get these because you asked {brand_name} for news. Tap “Stop these messages” to stop them.")
    buttons = [{"title": f"👀 {short_title(i.title)}", "payload": payload("click_item", i.id)} for i in picks]
    buttons.append({"title": STOP_TITLE, "payload": STOP_PAYLOAD})
    return Composed("\n\n".join(lines), [i.id for i in picks], buttons, arm)
