"""Finding listed words whatever the way they were typed, and marking them where the
person typed them."""

from __future__ import annotations

import pytest

from permissions.screening.matching import compile_phrase, find, fold


def spans(phrase: str, text: str) -> list[str]:
    return [text[match.start : match.end] for match in find(compile_phrase(phrase), text)]


@pytest.mark.parametrize(
    ("phrase", "text", "found"),
    [
        # Capitals, and whole words only.
        ("protest", "PROTEST at noon", ["PROTEST"]),
        ("court", "the new badminton courts", []),
        ("secret", "the secretary said", []),
        # A word ending in * takes any ending, and only at the end.
        ("protest*", "Protesters and protests", ["Protesters", "protests"]),
        ("trend*", "#TrendingNow", ["TrendingNow"]),
        # Between words: a space, a hyphen, several spaces, or none.
        ("sit-in", "a sit in, a sit-in, a sitin", ["sit in", "sit-in", "sitin"]),
        ("pml-n", "PMLN and PML-N", ["PMLN", "PML-N"]),
        ("block* the road*", "they blocked  the roads", ["blocked  the roads"]),
        # Urdu typed on an Arabic keyboard: ي for ی, ك for ک, ه for ہ.
        ("قومی سلامتی", "قومي سلامتي كا معاملہ", ["قومي سلامتي"]),
        ("سکینڈل", "نيا سكينڈل", ["سكينڈل"]),
        ("بھارتی حکومت", "بهارتي حكومت", ["بهارتي حكومت"]),
        # Short vowels (zer of the izafat), tatweel and joiners make no difference...
        ("توہین عدالت", "یہ توہینِ عدالت ہے", ["توہینِ عدالت"]),
        ("فحش", "فحـــش", ["فحـــش"]),
        ("سفارت خانہ", "سفارت\u200cخانہ", ["سفارت\u200cخانہ"]),
        # ... nor does a compound written as one word or two.
        ("سفارت خان*", "سفارتخانے کے باہر", ["سفارتخانے"]),
        # Urdu words are whole words too: سنی (Sunni) is not in سنیں (listen).
        ("سنی", "بات سنیں", []),
    ],
)
def test_phrases_match_whole_words_however_typed(phrase: str, text: str, found: list[str]) -> None:
    assert spans(phrase, text) == found


def test_a_match_is_placed_on_the_text_as_typed_even_where_folding_changes_its_length() -> None:
    # ß folds to ss and the dropped marks shorten the text: the span still lands on the
    # typed words.
    text = "Straße — قومیِ  سلامتی"
    [match] = find(compile_phrase("قومی سلامتی"), text)
    assert text[match.start : match.end] == "قومیِ  سلامتی"
    folded, origin = fold("Straße")
    assert folded == "strasse"
    assert origin == [0, 1, 2, 3, 4, 4, 5]


@pytest.mark.parametrize("phrase", ["", "   ", "*", "pro*test", "- -"])
def test_a_phrase_without_words_or_with_a_misplaced_star_is_refused(phrase: str) -> None:
    with pytest.raises(ValueError, match="word"):
        compile_phrase(phrase)


def test_regular_expression_characters_in_a_phrase_are_taken_literally() -> None:
    assert spans("c++", "I write c++ daily") == ["c++"]
    assert spans("a.b", "axb and a.b") == ["a.b"]
    assert spans("(ppp)", "the (PPP) model, not ppp") == ["(PPP)"]
