"""A letter's token and short code: drawn at random, made once per request however many
letters ask at once, and only for a permission that was granted."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from permissions import workflow
from permissions.models import ConductRule, User
from permissions.verification import codes, tokens
from permissions.verification.models import Token
from permissions.verification.tokens import token_for
from tests.factories import submitted_request
from tests.helpers import fresh

from .conftest import approve_with_file

pytestmark = pytest.mark.django_db


def test_the_token_carries_at_least_128_random_bits_and_not_the_id(
    servant: User, reporting_officer: User
) -> None:
    request = approve_with_file(servant, reporting_officer)
    token = token_for(request)

    raw = base64.urlsafe_b64decode(token.token + "=" * (-len(token.token) % 4))
    assert len(raw) * 8 >= 128
    assert str(request.pk) != token.token
    assert request.reference not in token.token
    # Another request's token shares nothing with it.
    other = token_for(approve_with_file(servant, reporting_officer))
    assert other.token != token.token
    assert other.short_code != token.short_code


def test_the_short_code_is_twelve_characters_of_crockford_base32_printed_in_groups(
    servant: User, reporting_officer: User
) -> None:
    token = token_for(approve_with_file(servant, reporting_officer))

    assert len(token.short_code) == 12
    assert set(token.short_code) <= set("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
    assert token.printed_code == "-".join(
        [token.short_code[:4], token.short_code[4:8], token.short_code[8:]]
    )


def test_a_request_keeps_its_one_token(servant: User, reporting_officer: User) -> None:
    request = approve_with_file(servant, reporting_officer)
    first = token_for(request)

    assert token_for(fresh(request)).token == first.token
    workflow.revoke(request.pk, by=reporting_officer, reason="The programme changed.")
    assert token_for(fresh(request)).token == first.token
    assert Token.objects.filter(request=request).count() == 1


def test_a_letter_made_at_the_same_moment_reads_the_winners_token(
    servant: User, reporting_officer: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race: another process inserts the request's token between this one's look-up
    and its insert. The unique request column refuses the second row; the loser reads
    the winner's, and its own transaction goes on."""
    request = approve_with_file(servant, reporting_officer)
    winner: list[Token] = []
    drawn = codes.new_token

    def meanwhile() -> str:
        if not winner:
            winner.append(
                Token.objects.create(
                    request=request, token=drawn(), short_code=codes.new_short_code()
                )
            )
        return drawn()

    monkeypatch.setattr(tokens, "new_token", meanwhile)

    assert token_for(request).token == winner[0].token
    assert Token.objects.filter(request=request).count() == 1


def test_a_short_code_drawn_twice_is_drawn_again(
    servant: User, reporting_officer: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    taken = token_for(approve_with_file(servant, reporting_officer))
    request = approve_with_file(servant, reporting_officer)
    draws = iter([taken.short_code, "ABCDEFGHJKMN"])
    monkeypatch.setattr(tokens, "new_short_code", lambda: next(draws))

    assert token_for(request).short_code == "ABCDEFGHJKMN"


def test_a_request_never_granted_gets_no_token(servant: User, reporting_officer: User) -> None:
    pending = submitted_request(servant)
    with pytest.raises(ValueError, match="only a granted permission"):
        token_for(pending)

    workflow.reject(
        pending.pk,
        by=reporting_officer,
        reason="It would discuss a decision not yet announced.",
        rule=ConductRule.objects.get(number="22"),
    )
    with pytest.raises(ValueError):
        token_for(fresh(pending))
    assert not Token.objects.exists()


# --- reading a code back -------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "ABCD-EFGH-JKMN",
        "abcd-efgh-jkmn",
        "ABCDEFGHJKMN",
        " abcd efgh jkmn ",
        "ABCD \u2013 EFGH \u2013 JKMN",
        "abcd\u2011efgh\u2011jkmn",
    ],
)
def test_a_code_is_read_in_any_case_with_or_without_separators(typed: str) -> None:
    assert codes.normalised(typed) == "ABCDEFGHJKMN"


def test_letters_misread_for_digits_are_read_as_the_digits() -> None:
    assert codes.normalised("OOII-LL00-1111") == "001111001111"
    assert codes.normalised("o0il-ABCD-EFGH") == "0011ABCDEFGH"


@pytest.mark.parametrize(
    "typed",
    ["", "ABCD-EFGH-JKM", "ABCD-EFGH-JKMNP", "ABCD-EFGH-JKMU", "ABCD/EFGH/JKMN", "ABCD-EFGH-JKM!"],
)
def test_what_cannot_be_a_code_is_refused(typed: str) -> None:
    assert codes.normalised(typed) is None


@given(st.text(alphabet=codes.ALPHABET, min_size=12, max_size=12))
def test_a_printed_code_reads_back_as_itself(code: str) -> None:
    assert codes.normalised(codes.printed(code)) == code
    assert codes.normalised(codes.printed(code).lower()) == code
