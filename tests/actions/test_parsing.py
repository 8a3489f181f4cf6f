import pytest

from actions.parsing import names_context_only, normalise_order_number, price_cap, without_price_cap
from recommender.formatting import first_sentence, money

PATTERN, PREFIX = r"KO-?\d{6}", "KO-"


@pytest.mark.parametrize(
    ("text", "cap"),
    [("a tent under $200", 200.0), ("less than 150 please", 150.0), ("max 99.50", 99.5), ("a tent for two", None)],
)
def test_price_cap(text, cap):
    assert price_cap(text) == cap


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("KO-123456", "KO-123456"),
        ("ko123456", "KO-123456"),
        (" KO-000001 ", "KO-000001"),
        ("123", None),
        ("KO-1234567", None),
        ("", None),
        (None, None),
    ],
)
def test_normalise_order_number(value, expected):
    assert normalise_order_number(value, PATTERN, PREFIX) == expected


def test_money_and_first_sentence():
    assert money(349, "$") == "$349"
    assert money(34.5, "$") == "$34.50"
    assert first_sentence("One. Two.") == "One."
    assert first_sentence("x" * 300).endswith("…")


def test_without_price_cap():
    assert without_price_cap("a tent under $200 please").split() == ["a", "tent", "please"]


@pytest.mark.parametrize(
    ("text", "word", "context"),
    [
        ("a light for the tent my kids can use", "tent", True),
        ("something to keep snow out of my boots", "boots", True),
        ("pad for cold autumn nights in the tent", "tent", True),
        ("a tent for my son", "tent", False),
        ("recommend a tent for backpacking", "tent", False),
        ("tents please", "tents", False),
        ("boots for my little one", "boots", False),
    ],
)
def test_a_product_named_as_context_is_told_apart(text, word, context):
    assert names_context_only(text, text.index(word)) is context


def test_without_an_offset_a_product_is_never_context():
    assert names_context_only("a light for the tent", None) is False
