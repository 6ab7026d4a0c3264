"""The inbox's part: a tick per request the officer can decide, named for a screen
reader, and the button that takes the ticked ones to the bulk page."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client

from permissions.models import PermissionRequest, User

pytestmark = pytest.mark.django_db


def test_each_waiting_request_has_a_tick_named_by_its_reference(
    officer_client: Client, pending_requests: Callable[[int], list[PermissionRequest]]
) -> None:
    requests = pending_requests(3)

    page = officer_client.get("/inbox/").content.decode()

    assert '<form method="get" action="/inbox/bulk/" id="bulk-selection">' in page
    assert len(re.findall(r'type="checkbox" name="selected"', page)) == 3
    for request in requests:
        assert f'value="{request.pk}" id="select-{request.pk}"' in page
        assert (
            f'<label class="visually-hidden text-nowrap" for="select-{request.pk}">'
            f"Select {request.reference}</label>"
        ) in page
    assert "Decide the selected requests" in page


def test_an_empty_inbox_has_nothing_to_tick(
    browser: Callable[[User], Client], servant: User, reporting_officer: User
) -> None:
    page = browser(reporting_officer).get("/inbox/").content.decode()

    assert "Nothing is waiting for you." in page
    assert 'name="selected"' not in page
    assert "Decide the selected requests" not in page
