"""Giving the code after the password: from the app, a backup code, or a browser
remembered for a while."""

from __future__ import annotations

import datetime
import time

import pyotp
import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from permissions.models import AuditEvent, User
from permissions.states import Action
from permissions.twofactor import trust
from tests.helpers import fresh_backup_code, give_app
from tests.twofactor.journey import password_only

pytestmark = pytest.mark.django_db

CODE = "/second-factor/code/"


def secret_of(device: TOTPDevice) -> str:
    import base64

    return base64.b32encode(device.bin_key).decode()


@pytest.fixture
def officer(servant: User, reporting_officer: User) -> User:
    give_app(reporting_officer)
    return reporting_officer


@pytest.fixture
def secret(officer: User) -> str:
    return secret_of(TOTPDevice.objects.get(user=officer))


def events(action: Action) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("pk"))


def test_after_the_password_the_inbox_waits_for_the_code(officer: User, secret: str) -> None:
    client = password_only(officer)
    response = client.get("/inbox/")
    assert response["Location"] == f"{CODE}?next=%2Finbox%2F"
    page = client.get(response["Location"])
    assert "Enter your code" in page.content.decode()
    assert "no-store" in page["Cache-Control"]

    key_before = client.session.session_key
    done = client.post(f"{CODE}?next=/inbox/", {"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 302 and done["Location"] == "/inbox/"
    assert client.session.session_key != key_before
    assert client.get("/inbox/").status_code == 200
    [accepted] = events(Action.SECOND_FACTOR_VERIFIED)
    assert accepted.actor == officer
    assert accepted.data == {"method": "authenticator app"}


def test_a_wrong_code_is_refused_beside_the_field_and_recorded(officer: User, secret: str) -> None:
    client = password_only(officer)
    response = client.post(CODE, {"code": "000000"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "That code did not match" in html
    assert 'href="#id_code"' in html  # the error summary links to the field
    assert client.get("/inbox/").status_code == 302
    [refused] = events(Action.SECOND_FACTOR_FAILED)
    assert refused.actor == officer and refused.data == {
        "method": "authenticator app",
        "paused": False,
    }


def test_wrong_codes_pause_checking_for_longer_each_time(officer: User, secret: str) -> None:
    client = password_only(officer)
    now = time.time()
    with time_machine.travel(now, tick=False):
        client.post(CODE, {"code": "000000"})
        paused = client.post(CODE, {"code": pyotp.TOTP(secret).now()})
    assert "codes are not checked for 1 second" in paused.content.decode()
    assert events(Action.SECOND_FACTOR_FAILED)[-1].data["paused"] is True
    with time_machine.travel(now + 2, tick=False):
        assert client.post(CODE, {"code": pyotp.TOTP(secret).now()}).status_code == 302


def test_a_code_works_once(officer: User, secret: str) -> None:
    code = pyotp.TOTP(secret).now()
    assert password_only(officer).post(CODE, {"code": code}).status_code == 302
    # Someone who watched it typed, with the password too, cannot use it again.
    assert password_only(officer).post(CODE, {"code": code}).status_code == 200


def test_a_backup_code_works_once_and_is_recorded(officer: User) -> None:
    code = fresh_backup_code(officer.username)
    client = password_only(officer)
    assert client.post(CODE, {"code": code.upper()}).status_code == 302
    assert client.get("/inbox/").status_code == 200
    [used] = events(Action.SECOND_FACTOR_BACKUP_USED)
    assert used.actor == officer and used.data == {"left": 0}
    assert events(Action.SECOND_FACTOR_VERIFIED)[0].data == {"method": "backup code"}
    assert password_only(officer).post(CODE, {"code": code}).status_code == 200


def test_only_a_page_of_the_portal_is_gone_to_next(officer: User, secret: str) -> None:
    client = password_only(officer)
    response = client.post(
        f"{CODE}?next=https://attacker.example/", {"code": pyotp.TOTP(secret).now()}
    )
    assert response["Location"] == "/"


def test_someone_without_an_app_is_sent_to_set_one_up(
    servant: User, reporting_officer: User
) -> None:
    response = password_only(reporting_officer).get(CODE)
    assert response["Location"].startswith("/second-factor/set-up/")


def test_a_verified_session_is_sent_on(officer: User, secret: str) -> None:
    client = password_only(officer)
    client.post(CODE, {"code": pyotp.TOTP(secret).now()})
    assert client.get(f"{CODE}?next=/inbox/")["Location"] == "/inbox/"


# Remembering the browser ---------------------------------------------------------------


def remembered(officer: User, secret: str) -> Client:
    client = password_only(officer)
    response = client.post(CODE, {"code": pyotp.TOTP(secret).now(), "remember": "on"})
    assert response.status_code == 302
    cookie = response.cookies[trust.COOKIE_NAME]
    assert cookie["max-age"] == 12 * 60 * 60
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    client.post("/logout/")
    return client


def sign_in_again(client: Client, officer: User) -> Client:
    from tests.factories import PASSWORD

    assert (
        client.post("/login/", {"username": officer.username, "password": PASSWORD}).status_code
        == 302
    )
    return client


def test_a_remembered_browser_is_not_asked_again(officer: User, secret: str) -> None:
    client = sign_in_again(remembered(officer, secret), officer)
    assert client.get("/inbox/").status_code == 200
    assert events(Action.SECOND_FACTOR_VERIFIED)[-1].data == {"method": "remembered browser"}


def test_remembering_ends_after_the_hours_set(officer: User, secret: str) -> None:
    client = remembered(officer, secret)
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=12, minutes=1)):
        sign_in_again(client, officer)
        assert client.get("/inbox/")["Location"].startswith(CODE)


def test_the_hours_are_a_setting_and_none_means_never(officer: User, secret: str, settings) -> None:  # type: ignore[no-untyped-def]
    settings.SECOND_FACTOR_REMEMBER_HOURS = 0
    client = password_only(officer)
    assert "Do not ask again" not in client.get(CODE).content.decode()
    response = client.post(CODE, {"code": pyotp.TOTP(secret).now(), "remember": "on"})
    assert trust.COOKIE_NAME not in response.cookies


def test_the_remembered_browser_does_not_carry_to_another_account(
    officer: User, secret: str, countersigning_officer: User
) -> None:
    client = remembered(officer, secret)
    give_app(countersigning_officer)
    sign_in_again(client, countersigning_officer)
    assert client.get("/inbox/")["Location"].startswith(CODE)


def test_a_forged_cookie_counts_for_nothing(officer: User, secret: str) -> None:
    client = password_only(officer)
    device = TOTPDevice.objects.get(user=officer)
    client.cookies[trust.COOKIE_NAME] = (
        f'{{"user": {officer.pk}, "device": "{device.persistent_id}"}}'
    )
    assert client.get("/inbox/")["Location"].startswith(CODE)
