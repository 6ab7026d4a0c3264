"""Sign in, sign out, and each role's own home page."""

from __future__ import annotations

import pytest
from django.test import Client

from permissions.models import User

pytestmark = pytest.mark.django_db


def test_anonymous_is_sent_to_login(client: Client) -> None:
    for url in ["/", "/requests/", "/inbox/", "/audit/", "/profile/", "/password/"]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/?next=")


def test_login_page_renders_a_labelled_form(client: Client) -> None:
    response = client.get("/login/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'for="id_username"' in html and 'for="id_password"' in html
    assert 'lang="en"' in html and 'dir="ltr"' in html
    assert "<script>" not in html and "style=" not in html


def test_wrong_password_is_refused_with_a_message(client: Client, servant: User) -> None:
    response = client.post("/login/", {"username": servant.username, "password": "wrong"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_servant_lands_on_my_requests(login, servant: User) -> None:  # type: ignore[no-untyped-def]
    client = login(servant)
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0] == "/requests/"
    html = response.content.decode()
    assert "<h1" in html and "My requests" in html
    assert 'href="/inbox/"' not in html
    assert 'href="/audit/"' not in html


def test_officer_lands_on_awaiting_me(login, reporting_officer: User, servant: User) -> None:  # type: ignore[no-untyped-def]
    client = login(reporting_officer)
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0] == "/inbox/"
    html = response.content.decode()
    assert "Awaiting me" in html
    assert 'href="/requests/"' in html  # an officer is a servant too
    assert 'href="/audit/"' not in html


def test_auditor_lands_on_the_audit_console(login, auditor: User) -> None:  # type: ignore[no-untyped-def]
    client = login(auditor)
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0] == "/audit/"
    assert "Audit console" in response.content.decode()


def test_audit_console_is_not_found_for_others(login, servant: User) -> None:  # type: ignore[no-untyped-def]
    client = login(servant)
    assert client.get("/audit/").status_code == 404


def test_profile_shows_the_reporting_chain(login, servant: User, reporting_officer: User) -> None:  # type: ignore[no-untyped-def]
    client = login(servant)
    html = client.get("/profile/").content.decode()
    assert reporting_officer.get_full_name() in html
    assert servant.designation in html


def test_logout_is_a_post_and_ends_the_session(login, servant: User) -> None:  # type: ignore[no-untyped-def]
    client = login(servant)
    assert client.post("/logout/").status_code == 302
    assert client.get("/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_password_change_with_a_weak_password_keeps_the_form(login, servant: User) -> None:  # type: ignore[no-untyped-def]
    client = login(servant)
    response = client.post(
        "/password/",
        {"old_password": "correct-horse-battery", "new_password1": "123", "new_password2": "123"},
    )
    assert response.status_code == 200
    assert "This password is too short" in response.content.decode()


def test_home_takes_a_fixed_number_of_queries(
    login,
    servant: User,
    django_assert_max_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    client = login(servant)
    with django_assert_max_num_queries(4):
        client.get("/requests/")
