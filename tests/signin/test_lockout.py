"""Lockout after repeated wrong passwords: by account and address, and by address alone,
never by account alone; the lock and its lifting on the audit chain."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from axes.models import AccessAttempt
from django.test import Client
from django.utils import timezone

from permissions.models import AuditEvent, User
from permissions.states import Action
from tests.factories import PASSWORD, UserFactory
from tests.helpers import pass_second_factor
from tests.security.conftest import assert_chain_intact

pytestmark = pytest.mark.django_db

HOME = "203.0.113.7"
ELSEWHERE = "198.51.100.20"
WRONG = "not-the-password-at-all"


def sign_in(username: str, password: str, *, address: str = HOME, path: str = "/login/"):  # type: ignore[no-untyped-def]
    client = Client(REMOTE_ADDR=address)
    return client, client.post(path, {"username": username, "password": password})


def fail(user: User, times: int, *, address: str = HOME, path: str = "/login/") -> None:
    """Wrong passwords: refused with the form again, and at the limit with the lockout."""
    for number in range(1, times + 1):
        _client, response = sign_in(user.username, WRONG, address=address, path=path)
        expected = 429 if number >= 5 else 200
        assert response.status_code == expected, (number, response.status_code)


def signed_in(response) -> bool:  # type: ignore[no-untyped-def]
    return response.status_code == 302


def test_the_sixth_try_is_refused_even_with_the_right_password(servant: User) -> None:
    fail(servant, 5)
    _client, response = sign_in(servant.username, PASSWORD)
    assert response.status_code == 429
    html = response.content.decode()
    assert "Signing in is paused" in html
    assert "You can try again after" in html
    assert 0 < int(response["Retry-After"]) <= 15 * 60
    assert not signed_in(response)
    assert "_auth_user_id" not in _client.session


def test_four_wrong_passwords_lock_nothing(servant: User) -> None:
    fail(servant, 4)
    assert signed_in(sign_in(servant.username, PASSWORD)[1])


def test_another_address_can_still_sign_in_to_that_account(servant: User) -> None:
    fail(servant, 6)
    _client, response = sign_in(servant.username, PASSWORD, address=ELSEWHERE)
    assert signed_in(response)


def test_the_lock_lifts_after_the_cool_off(servant: User) -> None:
    fail(servant, 5)
    assert sign_in(servant.username, PASSWORD)[1].status_code == 429
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=16)):
        assert signed_in(sign_in(servant.username, PASSWORD)[1])


def test_trying_during_the_lock_does_not_prolong_it(servant: User) -> None:
    fail(servant, 5)
    start = timezone.now()
    with time_machine.travel(start + datetime.timedelta(minutes=10)):
        assert sign_in(servant.username, WRONG)[1].status_code == 429
    with time_machine.travel(start + datetime.timedelta(minutes=16)):
        assert signed_in(sign_in(servant.username, PASSWORD)[1])


def test_spraying_from_one_address_locks_the_address_for_every_account(
    settings,
    servant: User,  # type: ignore[no-untyped-def]
) -> None:
    settings.SIGNIN_ADDRESS_FAILURE_LIMIT = 8
    for number in range(8):
        UserFactory(username=f"target-{number}")
        sign_in(f"target-{number}", WRONG)
    # One failure each: no account is locked by its own count, but the address is.
    _client, response = sign_in(servant.username, PASSWORD)
    assert response.status_code == 429
    assert signed_in(sign_in(servant.username, PASSWORD, address=ELSEWHERE)[1])


def test_signing_in_clears_that_accounts_count_but_not_the_addresss(
    settings,
    servant: User,
    outsider: User,  # type: ignore[no-untyped-def]
) -> None:
    settings.SIGNIN_ADDRESS_FAILURE_LIMIT = 8
    fail(servant, 4)
    assert signed_in(sign_in(servant.username, PASSWORD)[1])
    fail(servant, 4)  # four again: the first four were forgotten
    assert signed_in(sign_in(servant.username, PASSWORD)[1])
    # Someone spraying signs in to an account of their own between rounds: the
    # address keeps its count of the others' failures.
    for number in range(7):
        UserFactory(username=f"target-{number}")
        sign_in(f"target-{number}", WRONG)
    assert signed_in(sign_in(outsider.username, PASSWORD)[1])
    sign_in("target-0", WRONG)
    assert sign_in(outsider.username, PASSWORD)[1].status_code == 429


def test_wrong_passwords_at_the_admin_count_too(superuser: User) -> None:
    fail(superuser, 5, path="/admin/login/")
    _client, response = sign_in(superuser.username, PASSWORD, path="/admin/login/")
    assert response.status_code == 429
    assert sign_in(superuser.username, PASSWORD)[1].status_code == 429


def test_the_lock_is_one_event_on_the_chain_beside_every_refused_try(servant: User) -> None:
    fail(servant, 5)
    sign_in(servant.username, PASSWORD)
    sign_in(servant.username, WRONG)
    locked = list(AuditEvent.objects.filter(action=Action.LOGIN_LOCKED))
    assert len(locked) == 1
    assert locked[0].actor == servant
    assert locked[0].data["username"] == servant.username
    assert locked[0].data["address"] == HOME
    assert locked[0].ip_address == HOME
    # The five wrong passwords and the two refused while locked.
    assert AuditEvent.objects.filter(action=Action.LOGIN_FAILED).count() == 7
    assert PASSWORD not in str(AccessAttempt.objects.values_list("post_data", flat=True)[0])
    assert_chain_intact()


def test_an_administrator_lifts_the_lock_and_the_chain_says_who(
    servant: User, superuser: User
) -> None:
    fail(servant, 5)
    admin = Client(REMOTE_ADDR=ELSEWHERE)
    admin.force_login(superuser)
    pass_second_factor(admin, superuser)
    listing = admin.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200
    assert servant.username in listing.content.decode()
    attempt = AccessAttempt.objects.get(username=servant.username)
    response = admin.post(
        "/admin/axes/accessattempt/",
        {"action": "unlock", "_selected_action": [attempt.pk]},
        follow=True,
    )
    assert "1 lock lifted" in response.content.decode()
    assert signed_in(sign_in(servant.username, PASSWORD)[1])
    lifted = AuditEvent.objects.get(action=Action.LOGIN_UNLOCKED)
    assert lifted.actor == superuser
    assert lifted.data["username"] == servant.username
    assert lifted.data["address"] == HOME
    assert_chain_intact()


def test_failed_tries_cannot_be_deleted_or_edited_in_the_admin(
    servant: User, superuser: User
) -> None:
    fail(servant, 2)
    admin = Client()
    admin.force_login(superuser)
    pass_second_factor(admin, superuser)
    attempt = AccessAttempt.objects.get(username=servant.username)
    assert admin.get(f"/admin/axes/accessattempt/{attempt.pk}/delete/").status_code == 403
    assert admin.get("/admin/axes/accessattempt/add/").status_code == 403
