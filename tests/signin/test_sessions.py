"""Sessions that end: after 30 idle minutes and 12 hours after signing in, with one event on
the audit chain, without losing a form sent too late; a new key at sign-in; every other
session ended by a password change."""

from __future__ import annotations

import datetime
import itertools
from urllib.parse import quote

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client

from permissions.models import AuditEvent, PermissionRequest, User
from permissions.signin.sessions import LAST_SEEN, SIGNED_IN_AT
from permissions.states import Action
from tests.factories import PASSWORD
from tests.helpers import at, clock, counted_statements, today

pytestmark = pytest.mark.django_db

PAGE = "/requests/"
FORM_PAGE = "/requests/new/"
START = at(today(), 9, 0)
# Each test signs in from addresses of its own (RFC 5737), so that the per-address
# limit on the sign-in form never counts one test's sign-ins against another's.
_addresses = (f"198.51.100.{n % 250 + 1}" for n in itertools.count())


def later(**delta: float) -> datetime.datetime:
    return START + datetime.timedelta(**delta)


def signed_in(user: User, *, when: datetime.datetime = START) -> Client:
    """A browser signed in through the form at `when`."""
    client = Client(REMOTE_ADDR=next(_addresses))
    with clock(when):
        response = client.post("/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content[:500]
    return client


def get(client: Client, when: datetime.datetime, path: str = PAGE, **headers: str):  # type: ignore[no-untyped-def]
    with clock(when):
        return client.get(path, headers=headers)


def timed_out() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=Action.SESSION_TIMED_OUT).order_by("pk"))


def sign_outs() -> int:
    return AuditEvent.objects.filter(action=Action.LOGOUT).count()


def is_signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def sign_in_url(next_path: str) -> str:
    return f"/login/?next={quote(next_path, safe='/')}"


# --- the idle limit ----------------------------------------------------------------------


def test_a_page_asked_for_after_thirty_idle_minutes_sends_to_sign_in(servant: User) -> None:
    client = signed_in(servant)
    key = client.session.session_key

    response = get(client, later(minutes=30, seconds=1), f"{PAGE}?status=draft")

    assert response.status_code == 302
    assert response["Location"] == sign_in_url(f"{PAGE}?status=draft")
    assert not is_signed_in(client)
    assert not Session.objects.filter(session_key=key).exists()
    [event] = timed_out()
    assert event.actor == servant
    assert event.data == {"reason": "idle"}
    assert sign_outs() == 0

    with clock(later(minutes=31)):
        page = client.get(response["Location"])
    assert page.status_code == 200
    assert (
        "You were signed out because you had not used the portal for 30 minutes. "
        "Sign in again to continue." in page.content.decode()
    )


def test_a_request_just_inside_the_limit_keeps_the_session(servant: User) -> None:
    client = signed_in(servant)
    assert get(client, later(minutes=30)).status_code == 200
    # That request counted as activity: the limit starts again from it.
    assert get(client, later(minutes=59)).status_code == 200
    assert is_signed_in(client)
    assert timed_out() == []


def test_the_idle_limit_is_read_from_the_settings_on_each_request(servant: User, settings) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(servant)
    settings.SESSION_IDLE_MINUTES = 5
    assert get(client, later(minutes=5)).status_code == 200
    response = get(client, later(minutes=10, seconds=1))
    assert response.status_code == 302
    assert [event.data for event in timed_out()] == [{"reason": "idle"}]


def test_visitors_who_are_not_signed_in_are_left_alone() -> None:
    client = Client()
    assert get(client, later(hours=20), "/login/").status_code == 200
    assert get(client, later(hours=21), PAGE)["Location"] == sign_in_url(PAGE)
    assert timed_out() == []


# --- the lifetime ------------------------------------------------------------------------


def test_a_session_ends_twelve_hours_after_signing_in_however_busy(servant: User) -> None:
    client = signed_in(servant)
    for minutes in range(20, 12 * 60, 20):
        assert get(client, later(minutes=minutes)).status_code == 200, minutes

    response = get(client, later(hours=12, seconds=1))

    assert response["Location"] == sign_in_url(PAGE)
    assert [event.data for event in timed_out()] == [{"reason": "lifetime"}]
    with clock(later(hours=12, minutes=1)):
        page = client.get(response["Location"]).content.decode()
    assert "you had been signed in for 12 hours" in page


# --- what the ended session's answer keeps -------------------------------------------------


def test_a_form_sent_after_the_limit_is_answered_with_a_page_not_lost(servant: User) -> None:
    client = signed_in(servant)
    with clock(later(minutes=45)):
        response = client.post(
            FORM_PAGE,
            {"topic": "Flood relief briefing", "summary": "What I will say."},
            headers={"Referer": f"http://testserver{FORM_PAGE}"},
        )

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Cookie ")
    html = response.content.decode()
    assert "You were signed out" in html
    assert "nothing was saved or changed" in html
    assert f'href="{sign_in_url(FORM_PAGE)}"' in html
    assert not PermissionRequest.objects.exists()
    assert not is_signed_in(client)
    assert [event.data for event in timed_out()] == [{"reason": "idle"}]


def test_a_form_sent_from_elsewhere_comes_back_to_its_own_address(servant: User, settings) -> None:  # type: ignore[no-untyped-def]
    settings.SESSION_IDLE_MINUTES = 13 * 60  # only the lifetime can end this session
    client = signed_in(servant)
    assert get(client, later(hours=11, minutes=50)).status_code == 200
    with clock(later(hours=12, seconds=1)):
        response = client.post(
            FORM_PAGE, {}, headers={"Referer": "https://elsewhere.example/requests/new/"}
        )
    assert response.status_code == 401
    assert f'href="{sign_in_url(FORM_PAGE)}"' in response.content.decode()
    assert "you had been signed in for 12 hours" in response.content.decode()


def test_htmx_is_told_to_send_the_whole_page_to_sign_in(servant: User) -> None:
    client = signed_in(servant)
    response = get(
        client,
        later(minutes=31),
        f"{PAGE}?status=draft",
        **{"HX-Request": "true", "HX-Current-URL": "http://testserver/requests/?page=2"},
    )
    assert response["HX-Redirect"] == sign_in_url("/requests/?page=2")
    assert not is_signed_in(client)
    assert len(timed_out()) == 1


def test_signing_out_after_the_limit_records_the_time_out_alone(servant: User) -> None:
    client = signed_in(servant)
    with clock(later(minutes=40)):
        response = client.post("/logout/")
    assert response["Location"] == "/login/"
    assert len(timed_out()) == 1
    assert sign_outs() == 0


def test_signing_in_over_an_ended_session_signs_in_afresh(servant: User) -> None:
    client = signed_in(servant)
    old_key = client.session.session_key
    with clock(later(minutes=40)):
        response = client.post("/login/", {"username": servant.username, "password": PASSWORD})
    assert response.status_code == 302
    assert is_signed_in(client)
    assert client.session.session_key != old_key
    assert client.session[SIGNED_IN_AT] == int(later(minutes=40).timestamp())
    assert len(timed_out()) == 1


# --- the last-seen time --------------------------------------------------------------------


def session_writes(sql: str) -> str:
    text = sql.lstrip().upper()
    writes = text.startswith(("INSERT", "UPDATE", "DELETE"))
    return "session write" if writes and "DJANGO_SESSION" in text else "other"


def test_the_last_seen_time_is_written_at_most_once_a_minute(servant: User) -> None:
    client = signed_in(servant)
    signed_in_at = int(START.timestamp())
    assert client.session[LAST_SEEN] == signed_in_at

    get(client, later(seconds=10))  # the first page may keep things of its own
    with counted_statements(session_writes) as writes:
        get(client, later(seconds=30))
        get(client, later(seconds=59))
    assert writes["session write"] == 0
    assert client.session[LAST_SEEN] == signed_in_at

    with counted_statements(session_writes) as writes:
        get(client, later(seconds=61))
    assert writes["session write"] == 1
    assert client.session[LAST_SEEN] == signed_in_at + 61
    assert client.session[SIGNED_IN_AT] == signed_in_at


def test_the_page_is_told_what_the_server_has_left(servant: User) -> None:
    client = signed_in(servant)
    html = get(client, later(seconds=30)).content.decode()
    assert f'data-idle-seconds="{30 * 60 - 30}"' in html
    assert f'data-lifetime-seconds="{12 * 3600 - 30}"' in html
    assert 'data-warning-seconds="120"' in html
    assert "You will be signed out in 2 minutes because you have not used the portal." in html
    assert 'action="/session/keep-alive/"' in html
    assert "js/session-timeout" in html

    anonymous = Client().get("/login/").content.decode()
    assert "session-timeout" not in anonymous


# --- keeping a session ---------------------------------------------------------------------


def test_staying_signed_in_starts_the_idle_limit_again(servant: User) -> None:
    client = signed_in(servant)
    with clock(later(minutes=28)):
        response = client.post("/session/keep-alive/")
    assert response.status_code == 204
    assert response.content == b""
    assert client.session[LAST_SEEN] == int(later(minutes=28).timestamp())

    assert get(client, later(minutes=57)).status_code == 200
    assert timed_out() == []


def test_keeping_a_session_takes_post_from_someone_signed_in_only(servant: User) -> None:
    client = signed_in(servant)
    assert get(client, later(minutes=1), "/session/keep-alive/").status_code == 405

    anonymous = Client()
    response = anonymous.post("/session/keep-alive/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert settings.SESSION_COOKIE_NAME not in anonymous.cookies


def test_staying_signed_in_too_late_is_refused(servant: User) -> None:
    client = signed_in(servant)
    with clock(later(minutes=31)):
        response = client.post("/session/keep-alive/")
    assert response.status_code == 401
    assert not is_signed_in(client)


# --- the session key ------------------------------------------------------------------------


def test_signing_in_gives_the_session_a_new_key(servant: User) -> None:
    client = Client(REMOTE_ADDR=next(_addresses))
    before = client.session  # a session the visitor had before signing in
    before["seen_the_notice"] = True
    before.save()
    key_before = before.session_key

    response = client.post("/login/", {"username": servant.username, "password": PASSWORD})

    assert response.status_code == 302
    assert client.session.session_key != key_before
    assert not Session.objects.filter(session_key=key_before).exists()


# --- a changed password -----------------------------------------------------------------------


def change_password(client: Client, new: str) -> None:
    response = client.post(
        "/password/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302, response.content[:800]
    assert response["Location"] == "/password/done/"


def test_changing_the_password_ends_every_other_session(outsider: User) -> None:
    here = signed_in(outsider)
    elsewhere = signed_in(outsider)
    key_here = here.session.session_key
    assert get(elsewhere, later(minutes=1)).status_code == 200

    with clock(later(minutes=2)):
        change_password(here, "a-Long-new-passphrase-2026")

    assert here.session.session_key != key_here
    assert get(here, later(minutes=3)).status_code == 200
    response = get(elsewhere, later(minutes=3))
    assert response["Location"] == sign_in_url(PAGE)
    assert not is_signed_in(elsewhere)
    [event] = AuditEvent.objects.filter(action=Action.PASSWORD_CHANGE)
    assert event.actor == outsider


def test_a_refused_password_change_records_nothing(outsider: User) -> None:
    client = signed_in(outsider)
    new = "x-Y-z-1234567"
    with clock(later(minutes=1)):
        response = client.post(
            "/password/", {"old_password": "wrong", "new_password1": new, "new_password2": new}
        )
    assert response.status_code == 200
    assert not AuditEvent.objects.filter(action=Action.PASSWORD_CHANGE).exists()
