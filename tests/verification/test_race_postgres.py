"""Letters made for one request at the same moment, each on a connection of its own:
every one of them carries the same token, and the request has one."""

from __future__ import annotations

from permissions.models import User
from permissions.verification.models import Token
from permissions.verification.tokens import token_for
from tests.helpers import at_once, concurrent_on_postgres, errors_of, fresh

from .conftest import approve_with_file

pytestmark = concurrent_on_postgres("the race needs real concurrent connections")

LETTERS = 6


def test_letters_made_at_once_share_one_token(servant: User, reporting_officer: User) -> None:
    request = approve_with_file(servant, reporting_officer)

    outcomes = at_once(*[lambda: token_for(fresh(request)).token] * LETTERS)

    assert errors_of(outcomes) == []
    assert len(set(outcomes)) == 1
    assert list(Token.objects.filter(request=request).values_list("token", flat=True)) == [
        outcomes[0]
    ]


def test_tokens_of_many_requests_made_at_once_are_all_different(
    servant: User, reporting_officer: User
) -> None:
    requests = [approve_with_file(servant, reporting_officer) for _ in range(LETTERS)]

    outcomes = at_once(*[lambda r=r: token_for(r) for r in requests])

    assert errors_of(outcomes) == []
    assert Token.objects.count() == LETTERS
    assert len(set(Token.objects.values_list("short_code", flat=True))) == LETTERS
