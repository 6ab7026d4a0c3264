"""Finding a phrase in a text whatever its capitals, accents or way of writing a letter.

Urdu is typed on keyboards that give Arabic forms of some letters (ي for ی, ك for ک,
ه for ہ), with or without its short vowels, with and without a space inside a compound
(سفارت خانہ, سفارتخانہ). Both the phrase and the text are folded to one form before they
are compared, keeping for each folded character the place it came from, so a match is
shown on the words as the person typed them."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext as _

# Letters folded to the Urdu form; marks and joiners dropped.
_FOLD = {
    "\u064a": "\u06cc",  # Arabic yeh -> Farsi yeh
    "\u0649": "\u06cc",  # alef maksura -> Farsi yeh
    "\u0643": "\u06a9",  # Arabic kaf -> keheh
    "\u0647": "\u06c1",  # Arabic heh -> heh goal
    "\u06c0": "\u06c1",  # heh with yeh above
    "\u06c2": "\u06c1",  # heh goal with hamza above
    "\u0629": "\u06c1",  # teh marbuta
    "\u06be": "\u06c1",  # heh doachashmee, which Arabic keyboards type as heh
    "\u0624": "\u0648",  # waw with hamza above, often typed as waw and a hamza mark
    "\u0626": "\u06cc",  # yeh with hamza above, likewise
    "\u0622": "\u0627",  # alef with madda
    "\u0623": "\u0627",  # alef with hamza above
    "\u0625": "\u0627",  # alef with hamza below
    "\u2019": "'",
    "\u2018": "'",
    "\u2010": "-",
    "\u2011": "-",
    "\u2013": "-",
}
_DROPPED = frozenset(
    [chr(code) for code in range(0x064B, 0x0660)]  # harakat, tanween, hamza marks
    + [
        "\u0670",  # superscript alef
        "\u0640",  # tatweel
        "\u200b",  # zero-width space
        "\u200c",  # zero-width non-joiner
        "\u200d",  # zero-width joiner
        "\u200e",  # left-to-right mark
        "\u200f",  # right-to-left mark
    ]
)
# Between the words of a phrase: a space, a hyphen, or nothing.
_BETWEEN = r"[\s\-]*"
_WORD_SPLIT = re.compile(r"[\s\-]+")


def fold(text: str) -> tuple[str, list[int]]:
    """The text in the one form phrases are compared in, and for each of its characters
    the index in `text` it came from."""
    folded: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        for part in unicodedata.normalize("NFKC", char).casefold():
            part = _FOLD.get(part, part)
            if part in _DROPPED:
                continue
            folded.append(part)
            origin.append(index)
    return "".join(folded), origin


def compile_phrase(phrase: str) -> re.Pattern[str]:
    """A pattern for the phrase over folded text: whole words only, a word ending in *
    matching any ending."""
    folded, _origin = fold(phrase.strip())
    words = [word for word in _WORD_SPLIT.split(folded) if word]
    if not words:
        raise ValueError(_("Give at least one word."))
    parts = []
    for word in words:
        stem = word.rstrip("*")
        if not stem or "*" in stem:
            raise ValueError(_("A * may only end a word, after at least one letter."))
        parts.append(re.escape(stem) + (r"\w*" if word.endswith("*") else ""))
    return re.compile(r"(?<!\w)" + _BETWEEN.join(parts) + r"(?!\w)")


def needle(phrase: str) -> str:
    """A piece of folded text every match of the phrase contains (its first word, less
    any *): a text without it is passed over without running the pattern."""
    folded, _origin = fold(phrase.strip())
    words = [word for word in _WORD_SPLIT.split(folded) if word]
    return words[0].rstrip("*") if words else ""


@dataclass(frozen=True)
class Match:
    start: int
    end: int


def find(
    pattern: re.Pattern[str], text: str, folded: tuple[str, list[int]] | None = None
) -> list[Match]:
    """Where the pattern matches `text`, as spans of the text as written."""
    folded_text, origin = folded or fold(text)
    return [
        Match(origin[found.start()], origin[found.end() - 1] + 1)
        for found in pattern.finditer(folded_text)
        if found.end() > found.start()
    ]
