"""Setting up the app: the only page open to someone who must have one and has not."""

from __future__ import annotations

import time

import pytest
import time_machine
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from permissions.models import AuditEvent, User
from permissions.states import Action
from tests.twofactor.journey import app_code, password_only, secret_on_page

pytestmark = pytest.mark.django_db

SET_UP = "/second-factor/set-up/"


@pytest.mark.parametrize("path", ["/", "/inbox/", "/requests/", "/profile/", "/audit/", "/admin/"])
def test_an_officer_without_a_second_factor_reaches_nothing_but_set_up(
    path: str, servant: User, reporting_officer: User
) -> None:
    response = password_only(reporting_officer).get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(f"{SET_UP}?next=")


@pytest.mark.parametrize("person", ["auditor", "superuser", "countersigning_officer"])
def test_auditors_administrators_and_countersigning_officers_need_one_too(
    person: str, servant: User, request: pytest.FixtureRequest
) -> None:
    user: User = request.getfixturevalue(person)
    response = password_only(user).get("/profile/")
    assert response["Location"].startswith(SET_UP)


def test_a_delegate_needs_one_while_the_delegation_runs(
    servant: User, reporting_officer: User, outsider: User
) -> None:
    from django.utils import timezone

    from permissions.models import Delegation

    assert password_only(outsider).get("/requests/").status_code == 200
    Delegation.objects.create(
        delegator=reporting_officer,
        delegate=outsider,
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate(),
        reason="Earned leave",
    )
    assert password_only(outsider).get("/requests/")["Location"].startswith(SET_UP)


def test_a_servant_is_not_asked(servant: User) -> None:
    assert password_only(servant).get("/requests/").status_code == 200


def test_signing_out_and_background_calls_stay_open(servant: User, reporting_officer: User) -> None:
    client = password_only(reporting_officer)
    assert (
        client.post("/csp-report/", b"{}", content_type="application/csp-report").status_code == 204
    )
    assert client.post("/logout/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_help_and_contact_stay_open_to_someone_stuck_at_set_up(
    servant: User, reporting_officer: User
) -> None:
    client = password_only(reporting_officer)
    assert client.get("/help/").status_code == 200
    assert client.get("/help/contact/").status_code == 200
    # The guides themselves are for those signed in whole.
    assert client.get("/help/officers/")["Location"].startswith(SET_UP)


def test_an_htmx_request_is_sent_to_set_up_whole_page(
    servant: User, reporting_officer: User
) -> None:
    response = password_only(reporting_officer).get("/inbox/", HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"].startswith(SET_UP)


def test_setting_up_with_the_code_the_app_shows(servant: User, reporting_officer: User) -> None:
    client = password_only(reporting_officer)
    page = client.get(f"{SET_UP}?next=/inbox/")
    assert page.status_code == 200
    assert page["Cache-Control"].startswith("no-store") or "no-store" in page["Cache-Control"]
    html = page.content.decode()
    assert 'src="/second-factor/set-up/qr.svg"' in html
    secret = secret_on_page(html)
    # Reloading keeps the key already scanned.
    assert secret_on_page(client.get(SET_UP).content.decode()) == secret

    qr = client.get("/second-factor/set-up/qr.svg")
    assert qr["Content-Type"] == "image/svg+xml"
    assert "no-store" in qr["Cache-Control"]
    assert qr.content.lstrip().startswith(b"<?xml") and b"<svg" in qr.content

    wrong = client.post(f"{SET_UP}?next=/inbox/", {"code": "000000"})
    assert wrong.status_code == 200
    assert "That code did not match" in wrong.content.decode()
    assert not TOTPDevice.objects.filter(user=reporting_officer, confirmed=True).exists()

    # After a wrong code django-otp checks none for a second.
    paused = client.post(f"{SET_UP}?next=/inbox/", {"code": app_code(secret)})
    assert "codes are not checked for 1 second" in paused.content.decode()

    key_before = client.session.session_key
    with time_machine.travel(time.time() + 2, tick=False):
        done = client.post(f"{SET_UP}?next=/inbox/", {"code": app_code(secret)})
    assert done.status_code == 302
    assert done["Location"] == "/second-factor/backup-codes/?next=/inbox/"
    assert client.session.session_key != key_before

    codes_page = client.get(done["Location"]).content.decode()
    assert "Your second factor is on." in codes_page
    codes = StaticToken.objects.filter(device__user=reporting_officer)
    assert codes.count() == 10
    for token in codes:
        assert f"{token.token[:4]}-{token.token[4:]}" in codes_page
    assert 'href="/inbox/"' in codes_page
    # Shown once: the page does not show them again.
    again = client.get("/second-factor/backup-codes/").content.decode()
    assert codes[0].token[:4] not in again

    assert client.get("/inbox/").status_code == 200
    event = AuditEvent.objects.get(action=Action.SECOND_FACTOR_ENROLLED)
    assert event.actor == reporting_officer


def test_a_code_in_groups_with_spaces_is_accepted(servant: User, reporting_officer: User) -> None:
    client = password_only(reporting_officer)
    secret = secret_on_page(client.get(SET_UP).content.decode())
    code = app_code(secret)
    response = client.post(SET_UP, {"code": f" {code[:3]} {code[3:]} "})
    assert response.status_code == 302


def test_set_up_is_no_way_round_an_app_already_set_up(
    servant: User, reporting_officer: User
) -> None:
    TOTPDevice.objects.create(user=reporting_officer, name="Authenticator app", confirmed=True)
    client = password_only(reporting_officer)
    response = client.get(SET_UP)
    assert response.status_code == 302
    assert response["Location"].startswith("/second-factor/code/")
    assert client.get("/second-factor/set-up/qr.svg").status_code == 404
    assert client.post(SET_UP, {"code": "123456"})["Location"].startswith("/second-factor/code/")
    assert TOTPDevice.objects.filter(user=reporting_officer).count() == 1


def test_a_servant_may_choose_one_and_is_then_asked_for_it(servant: User) -> None:
    client = password_only(servant)
    overview = client.get("/second-factor/").content.decode()
    assert "It is optional for you" in overview
    secret = secret_on_page(client.get(SET_UP).content.decode())
    assert client.post(SET_UP, {"code": app_code(secret)}).status_code == 302

    later = password_only(servant)
    assert later.get("/requests/")["Location"].startswith("/second-factor/code/")


def test_moving_to_a_new_phone_replaces_the_old_app(servant: User, reporting_officer: User) -> None:
    client = password_only(reporting_officer)
    first = secret_on_page(client.get(SET_UP).content.decode())
    client.post(SET_UP, {"code": app_code(first)})
    # Verified now, so setting up again is open: the new app replaces the old.
    second = secret_on_page(client.get(SET_UP).content.decode())
    assert second != first
    assert client.post(SET_UP, {"code": app_code(second)}).status_code == 302
    devices = TOTPDevice.objects.filter(user=reporting_officer)
    assert devices.count() == 1 and devices.get().confirmed
    assert AuditEvent.objects.filter(action=Action.SECOND_FACTOR_ENROLLED).count() == 2
