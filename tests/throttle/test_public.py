"""The public endpoints' limit: the policy's report endpoint, which anyone may post to,
answers a flood from one address with a bare 429 and logs nothing more of it."""

from __future__ import annotations

import json
import logging

import pytest
from django.test import Client

from permissions.models import User
from tests.factories import PASSWORD

HOME = "203.0.113.7"
ELSEWHERE = "198.51.100.20"
REPORT = json.dumps(
    {"csp-report": {"effective-directive": "script-src-elem", "blocked-uri": "inline"}}
)


def report(address: str = HOME):  # type: ignore[no-untyped-def]
    # As a browser sends it: no session, no CSRF token, whatever it accepts.
    client = Client(REMOTE_ADDR=address, enforce_csrf_checks=True, HTTP_ACCEPT="*/*")
    return client.generic("POST", "/csp-report/", REPORT, content_type="application/csp-report")


def test_reports_past_the_public_rate_are_refused_unread(settings, caplog) -> None:  # type: ignore[no-untyped-def]
    settings.RATELIMIT_PUBLIC = "3/m"
    with caplog.at_level(logging.WARNING, logger="permissions.csp.views"):
        for _ in range(3):
            assert report().status_code == 204
        response = report()
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert response["Content-Type"].startswith("text/plain")
    assert b"<" not in response.content
    logged = [r for r in caplog.records if r.name == "permissions.csp.views"]
    assert len(logged) == 3
    assert report(ELSEWHERE).status_code == 204


@pytest.mark.django_db
def test_the_report_limit_does_not_touch_signing_in(settings, servant: User) -> None:  # type: ignore[no-untyped-def]
    settings.RATELIMIT_PUBLIC = "1/m"
    settings.RATELIMIT_SIGNIN = "1/m"
    assert report().status_code == 204
    assert report().status_code == 429
    signing_in = Client(REMOTE_ADDR=HOME).post(
        "/login/", {"username": servant.username, "password": PASSWORD}
    )
    assert signing_in.status_code == 302


def test_a_get_is_still_refused_by_method_and_not_counted(settings) -> None:  # type: ignore[no-untyped-def]
    settings.RATELIMIT_PUBLIC = "1/m"
    for _ in range(3):
        assert Client(REMOTE_ADDR=HOME).get("/csp-report/").status_code == 405
    assert report().status_code == 204
