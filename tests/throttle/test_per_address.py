"""The per-address limit on signing in: past the rate, an address is answered 429 with
Retry-After until its window turns over; other addresses, other doors and showing the
form are not affected; the portal's and the admin's sign-in count together."""

from __future__ import annotations

import datetime
import logging
import uuid

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.utils import timezone

from permissions.models import User
from permissions.throttle import wait_text
from tests.factories import PASSWORD
from tests.helpers import need_service, tcp_reachable

pytestmark = pytest.mark.django_db

HOME = "203.0.113.7"
ELSEWHERE = "198.51.100.20"
PROXY = "192.0.2.1"
AS_BROWSER = {"HTTP_ACCEPT": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"}
LOGGER = "permissions.throttle"


def sign_in(user: User, *, address: str = HOME, path: str = "/login/", **headers: str):  # type: ignore[no-untyped-def]
    """The right password, from a fresh browser at `address`."""
    client = Client(REMOTE_ADDR=address, **AS_BROWSER)
    return client.post(path, {"username": user.username, "password": PASSWORD}, **headers)


def signed_in(response) -> bool:  # type: ignore[no-untyped-def]
    return response.status_code == 302


def assert_limited(response, *, window: int = 60) -> int:  # type: ignore[no-untyped-def]
    """A 429 with a Retry-After of whole seconds within the window; the seconds."""
    assert response.status_code == 429, response.status_code
    seconds = int(response["Retry-After"])
    assert str(seconds) == response["Retry-After"]
    assert 0 < seconds <= window
    return seconds


@pytest.fixture
def three_a_minute(settings) -> None:  # type: ignore[no-untyped-def]
    settings.RATELIMIT_SIGNIN = "3/m"


@pytest.mark.usefixtures("three_a_minute")
def test_the_fourth_sign_in_in_a_minute_is_refused_with_the_page(servant: User) -> None:
    for _ in range(3):
        assert signed_in(sign_in(servant))
    response = sign_in(servant)
    assert_limited(response)
    html = response.content.decode()
    assert "Too many attempts from your network. Try again in" in html
    assert "Too many attempts" in html.split("<title>")[1].split("</title>")[0]
    assert 'href="/login/"' in html
    assert "no-store" in response["Cache-Control"]


@pytest.mark.usefixtures("three_a_minute")
def test_another_address_is_not_affected(servant: User) -> None:
    for _ in range(3):
        sign_in(servant)
    assert sign_in(servant).status_code == 429
    assert signed_in(sign_in(servant, address=ELSEWHERE))


@pytest.mark.usefixtures("three_a_minute")
def test_showing_the_form_is_not_counted(servant: User) -> None:
    browser = Client(REMOTE_ADDR=HOME)
    for _ in range(10):
        assert browser.get("/login/").status_code == 200
    for _ in range(3):
        assert signed_in(sign_in(servant))
    assert sign_in(servant).status_code == 429
    # Nor refused, once the address is past the limit.
    assert browser.get("/login/").status_code == 200


@pytest.mark.usefixtures("three_a_minute")
def test_the_limit_lifts_when_retry_after_says(servant: User) -> None:
    start = timezone.now().replace(microsecond=500_000)
    with time_machine.travel(start, tick=False) as traveller:
        for _ in range(3):
            sign_in(servant)
        seconds = assert_limited(sign_in(servant))
        # A second early, the window still holds; it is refused, and counted.
        traveller.move_to(start + datetime.timedelta(seconds=seconds - 1))
        assert sign_in(servant).status_code == 429
        traveller.move_to(start + datetime.timedelta(seconds=seconds))
        for _ in range(3):
            assert signed_in(sign_in(servant))
        assert_limited(sign_in(servant))


@pytest.mark.usefixtures("three_a_minute")
def test_the_admin_sign_in_is_limited_and_counts_with_the_portals(
    servant: User, superuser: User
) -> None:
    assert signed_in(sign_in(servant))
    assert signed_in(sign_in(servant))
    assert signed_in(sign_in(superuser, path="/admin/login/"))
    response = sign_in(superuser, path="/admin/login/")
    assert_limited(response)
    assert "Too many attempts from your network" in response.content.decode()
    assert sign_in(servant).status_code == 429


def test_the_rate_is_read_at_each_request(settings, servant: User) -> None:  # type: ignore[no-untyped-def]
    settings.RATELIMIT_SIGNIN = "1/m"
    assert signed_in(sign_in(servant))
    assert sign_in(servant).status_code == 429
    settings.RATELIMIT_SIGNIN = "3/h"
    assert signed_in(sign_in(servant))
    assert signed_in(sign_in(servant))
    assert signed_in(sign_in(servant))
    assert_limited(sign_in(servant), window=60 * 60)


def test_a_rate_that_is_not_one_names_its_setting(settings, servant: User) -> None:  # type: ignore[no-untyped-def]
    settings.RATELIMIT_SIGNIN = "twenty a minute"
    with pytest.raises(ImproperlyConfigured, match="RATELIMIT_SIGNIN"):
        sign_in(servant)


@pytest.mark.usefixtures("three_a_minute")
def test_behind_the_proxy_each_client_address_counts_for_itself(
    settings,  # type: ignore[no-untyped-def]
    servant: User,
) -> None:
    settings.AUDIT_CLIENT_IP_HEADER = "X-Forwarded-For"
    for _ in range(3):
        assert signed_in(sign_in(servant, address=PROXY, HTTP_X_FORWARDED_FOR=HOME))
    assert sign_in(servant, address=PROXY, HTTP_X_FORWARDED_FOR=HOME).status_code == 429
    # Only the address the proxy saw counts: what a client writes before it is its own.
    spoofed = f"{ELSEWHERE}, {HOME}"
    assert sign_in(servant, address=PROXY, HTTP_X_FORWARDED_FOR=spoofed).status_code == 429
    assert signed_in(sign_in(servant, address=PROXY, HTTP_X_FORWARDED_FOR=ELSEWHERE))


@pytest.mark.usefixtures("three_a_minute")
def test_an_ipv6_network_counts_as_one_address(servant: User) -> None:
    for address in ("2001:db8:1:2::1", "2001:db8:1:2::2", "2001:db8:1:2:ffff:ffff:ffff:fffe"):
        assert signed_in(sign_in(servant, address=address))
    assert sign_in(servant, address="2001:db8:1:2:ffff::9").status_code == 429
    assert signed_in(sign_in(servant, address="2001:db8:1:3::1"))


@pytest.mark.usefixtures("three_a_minute")
def test_htmx_and_machines_get_a_line_of_text(servant: User) -> None:
    for _ in range(3):
        sign_in(servant)
    data = {"username": servant.username, "password": PASSWORD}
    for headers in ({"HTTP_HX_REQUEST": "true", **AS_BROWSER}, {"HTTP_ACCEPT": "*/*"}):
        response = Client(REMOTE_ADDR=HOME).post("/login/", data, **headers)
        assert_limited(response)
        assert response["Content-Type"] == "text/plain; charset=utf-8"
        text = response.content.decode()
        assert text.startswith("Too many attempts from your network. Try again in ")
        assert "<" not in text


@pytest.mark.usefixtures("three_a_minute")
def test_reaching_the_limit_is_logged_once_per_window(servant: User, caplog) -> None:  # type: ignore[no-untyped-def]
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        for _ in range(6):
            sign_in(servant)
    lines = [record.getMessage() for record in caplog.records if record.name == LOGGER]
    assert lines == [f"Rate limit signin (3/m) reached by {HOME}"]


def test_a_cache_that_cannot_be_reached_lets_sign_in_through(
    settings,  # type: ignore[no-untyped-def]
    servant: User,
    caplog,  # type: ignore[no-untyped-def]
) -> None:
    # Nothing listens on port 1: every call to this cache fails to connect.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    settings.RATELIMIT_SIGNIN = "1/m"
    with caplog.at_level(logging.ERROR, logger=LOGGER):
        assert signed_in(sign_in(servant))
        assert signed_in(sign_in(servant))
    assert "the cache failed" in caplog.text


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (1, "1 second"),
        (59, "59 seconds"),
        (60, "1 minute"),
        (61, "2 minutes"),
        (3600, "60 minutes"),
    ],
)
def test_the_wait_in_words(seconds: int, words: str) -> None:
    assert wait_text(seconds) == words


@pytest.mark.redis
def test_on_redis_the_count_is_kept_there(settings, servant: User) -> None:  # type: ignore[no-untyped-def]
    url = django_settings.REDIS_URL
    if not url or not tcp_reachable(url, 6379):
        need_service("Redis", "REDIS_URL is not set or nothing listens there")
    # Keys of this test's own, which expire with their window: nothing to flush.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": f"throttle-test-{uuid.uuid4().hex}",
        }
    }
    settings.RATELIMIT_SIGNIN = "2/m"
    assert signed_in(sign_in(servant))
    assert signed_in(sign_in(servant))
    assert_limited(sign_in(servant))
    assert signed_in(sign_in(servant, address=ELSEWHERE))
