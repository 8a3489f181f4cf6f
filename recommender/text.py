"""Tokenisation shared by the lexical search: lower-case words, light normalisation, no stop words.

Kept tiny and dependency-free on purpose: it only has to make "tents for two people" meet "2-person tent".
"""

from __future__ import annotations

import re

_WORD = re.compile(r"[a-z0-9]+")
_STOP = frozenset(
    """a an and any are as at be but by can could do does for from have how i in is it its me my of on or our please
    sell show so some tell than that the their them there these they this to us want was we what which who will with
    you your yours need looking something anything get got would should like under below less cheaper max maximum
    more no much cost costs price""".split()
)
_NUMBERS = {"one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "solo": "1"}
_ALIASES = {"people": "person", "persons": "person", "man": "person", "backpack": "pack", "rucksack": "pack"}


def _stem(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def tokenize(text: str) -> list[str]:
    """Splits text into normalised search terms.

    Numbers written as words become digits, a few domain aliases are folded together, plural `s` is stripped and
    stop words are dropped.
    """
    terms = []
    for word in _WORD.findall(text.lower()):
        word = _NUMBERS.get(word, word)
        word = _ALIASES.get(word, word)
        if word in _STOP:
            continue
        terms.append(_ALIASES.get(_stem(word), _stem(word)))
    return terms


_UNCOUNTABLE = {"footwear", "clothing", "gear", "apparel", "equipment", "luggage", "cookware", "bedding"}


def topic_label(topic: str) -> str:
    """A topic key in words, plural: `sleeping_bag` -> `sleeping bags`, `tent` -> `tents`."""
    words = topic.replace("_", " ").replace("-", " ").strip()
    if words.endswith("s") or words.split(" ")[-1] in _UNCOUNTABLE:
        return words
    if words.endswith("y") and words[-2:-1] not in "aeiou":
        return f"{words[:-1]}ies"
    return f"{words}s"


# Words that only say "give me ideas": a request made of nothing else asks for personal or popular picks.
_REQUEST_WORDS = frozenset(
    """recommend recommendation suggest suggestion idea ideas good nice great best cool new buy gift pick picks
    surprise hi hello hey thank thanks could maybe kind sort stuff thing things item items product products
    interesting else another other again""".split()
)


def content_terms(text: str) -> list[str]:
    """The search terms of a request without the words that merely ask for a recommendation."""
    return [term for term in tokenize(text) if term not in _REQUEST_WORDS and _stem(term) not in _REQUEST_WORDS]


def is_generic_request(text: str) -> bool:
    """Whether the request names nothing in particular ("recommend me something")."""
    return not content_terms(text)


def request_snippet(text: str, limit: int = 40) -> str:
    """The specific part of a request, for explanations.

    "recommend me something for winter camping" -> "winter camping": from the first to the last content word,
    cut at `limit` characters.
    """
    words = text.split()
    content = [i for i, word in enumerate(words) if content_terms(word)]
    if not content:
        return ""
    snippet = " ".join(words[content[0] : content[-1] + 1]).strip(" ?!.,;:")
    return snippet if len(snippet) <= limit else snippet[: limit - 1].rstrip() + "…"
