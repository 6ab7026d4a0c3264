"""With DEBUG off, every error a person can meet is the portal's own page: in its layout,
with the right status, saying what to do next, and showing nothing of what went wrong."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from permissions.models import AuditEvent, User
from permissions.states import Action

from .conftest import CSRF_HEADING, HEADINGS, assert_portal_error_page
from .urls import SECRET


@pytest.fixture(autouse=True)
def debug_off(settings):  # type: ignore[no-untyped-def]
    settings.DEBUG = False


@pytest.mark.django_db
def test_an_address_that_names_no_page_is_the_portal_404_without_echoing_it(
    client: Client, servant: User
) -> None:
    client.force_login(servant)
    response = client.get("/requests/no-such-page-a81c/")
    html = assert_portal_error_page(response, 404, HEADINGS[404])
    assert "a81c" not in html
    # Signed in, the layout keeps the person's navigation.
    assert reverse("my-requests") in html


@pytest.mark.django_db
def test_a_request_from_a_host_the_portal_does_not_serve_is_the_portal_400(
    client: Client,
) -> None:
    response = client.get("/login/", HTTP_HOST="portal.attacker.example")
    html = assert_portal_error_page(response, 400, HEADINGS[400])
    assert "attacker" not in html


@pytest.mark.django_db
@pytest.mark.urls("tests.errorpages.urls")
def test_a_suspicious_request_is_the_portal_400_without_the_reason(client: Client) -> None:
    html = assert_portal_error_page(client.get("/errors/bad-request/"), 400, HEADINGS[400])
    assert SECRET not in html


@pytest.mark.django_db
@pytest.mark.urls("tests.errorpages.urls")
def test_a_refusal_is_the_portal_403_without_the_reason_and_is_still_audited(
    client: Client, servant: User
) -> None:
    client.force_login(servant)
    html = assert_portal_error_page(client.get("/errors/refused/"), 403, HEADINGS[403])
    assert SECRET not in html
    refused = AuditEvent.objects.get(action=Action.ACCESS_DENIED)
    assert refused.actor == servant
    assert refused.data["status"] == 403


@pytest.mark.django_db
def test_opening_an_action_address_as_a_page_is_the_portal_405(
    client: Client, servant: User
) -> None:
    client.force_login(servant)
    response = client.get(reverse("notifications-read"))
    assert_portal_error_page(response, 405, HEADINGS[405])
    assert response["Allow"] == "POST"


@pytest.mark.django_db
def test_a_form_sent_without_its_token_is_the_expired_form_page(servant: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(servant)
    response = client.post(reverse("notifications-read"))
    html = assert_portal_error_page(response, 403, CSRF_HEADING)
    assert "cookies" in html
    assert "reload the page" in html
    assert "CSRF" not in html
    # Rendered with the request: the signed-in person keeps their navigation.
    assert reverse("my-requests") in html


@pytest.mark.django_db
def test_a_signed_out_person_whose_form_expired_is_offered_to_sign_in_again() -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "servant", "password": "x"})
    html = assert_portal_error_page(response, 403, CSRF_HEADING)
    assert f'href="{reverse("login")}"' in html


@pytest.mark.urls("tests.errorpages.urls")
def test_a_fault_is_the_portal_500_even_with_the_database_out_of_reach() -> None:
    # No django_db mark: any query while the page is made fails the test, as it would
    # with the database down.
    client = Client(raise_request_exception=False)
    html = assert_portal_error_page(client.get("/errors/broken/"), 500, HEADINGS[500])
    assert SECRET not in html
    assert "RuntimeError" not in html


@pytest.mark.django_db
@pytest.mark.urls("tests.errorpages.urls")
def test_a_fault_while_signed_in_is_the_same_500(servant: User) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(servant)
    html = assert_portal_error_page(client.get("/errors/broken/"), 500, HEADINGS[500])
    assert SECRET not in html
