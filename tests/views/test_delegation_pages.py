"""An officer lets another act for them from the profile page, and ends it there."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from permissions.models import AuditEvent, Delegation, User
from tests.factories import submitted_request

from .conftest import assert_error_beside, field_errors, in_days, section, shown

pytestmark = pytest.mark.django_db

Browser = Callable[[User], Client]


def _delegate(client: Client, to: User, starts: object, ends: object, **extra: object):  # type: ignore[no-untyped-def]
    return client.post(
        "/profile/delegations/",
        {"delegate": to.pk, "starts_on": str(starts), "ends_on": str(ends), **extra},
        follow=True,
    )


def test_officer_delegates_and_the_delegate_sees_the_inbox(
    browser: Browser, servant: User, reporting_officer: User, other_officer: User
) -> None:
    request = submitted_request(servant)
    officer = browser(reporting_officer)

    response = _delegate(officer, other_officer, in_days(0), in_days(10), reason="Earned leave")

    assert response.redirect_chain[-1][0] == "/profile/#delegations"
    html = response.content.decode()
    assert (
        f"{other_officer} may act for you from {in_days(0).isoformat()} "
        f"to {in_days(10).isoformat()}." in html
    )
    given = section(html, "You have delegated to")
    assert str(other_officer) in given
    assert f"{shown(in_days(0))} \u2013 {shown(in_days(10))} (Earned leave)" in given
    delegate = browser(other_officer)
    assert str(reporting_officer) in section(
        delegate.get("/profile/").content.decode(), "You may act today for"
    )
    assert request.reference in section(delegate.get("/inbox/").content.decode(), "Awaiting me")
    assert AuditEvent.objects.filter(action="delegation.create", actor=reporting_officer).exists()


@pytest.mark.parametrize(
    ("starts", "ends", "field", "message"),
    [
        (5, 2, "ends_on", "The delegation cannot end before it starts."),
        (-10, -1, "ends_on", "This period has already ended."),
    ],
    ids=["ends-before-it-starts", "already-ended"],
)
def test_bad_dates_are_marked_beside_the_field(
    starts: int,
    ends: int,
    field: str,
    message: str,
    browser: Browser,
    reporting_officer: User,
    other_officer: User,
) -> None:
    response = _delegate(browser(reporting_officer), other_officer, in_days(starts), in_days(ends))

    html = response.content.decode()
    assert response.status_code == 400
    assert_error_beside(html, field, message)
    assert field_errors(html) == {field}
    assert f'value="{in_days(starts).isoformat()}"' in html
    assert not Delegation.objects.exists()


def test_an_officer_cannot_delegate_to_themselves(
    browser: Browser, reporting_officer: User
) -> None:
    response = _delegate(browser(reporting_officer), reporting_officer, in_days(0), in_days(3))

    html = response.content.decode()
    assert response.status_code == 400
    assert field_errors(html) == {"delegate"}
    assert_error_beside(
        html, "delegate", "Select a valid choice. That choice is not one of the available choices."
    )
    assert not Delegation.objects.exists()


def test_only_the_delegator_ends_a_delegation(
    browser: Browser,
    servant: User,
    reporting_officer: User,
    other_officer: User,
    outsider: User,
) -> None:
    request = submitted_request(servant)
    delegation = Delegation.objects.create(
        delegator=reporting_officer,
        delegate=other_officer,
        starts_on=in_days(0),
        ends_on=in_days(9),
    )
    url = f"/profile/delegations/{delegation.pk}/end/"

    for person in [other_officer, outsider, servant]:
        assert browser(person).post(url).status_code == 404
    Delegation.objects.get(pk=delegation.pk, cancelled_at__isnull=True)
    delegate = browser(other_officer)
    assert request.reference in delegate.get("/inbox/").content.decode()

    response = browser(reporting_officer).post(url, follow=True)

    html = response.content.decode()
    assert response.redirect_chain[-1][0] == "/profile/#delegations"
    assert "The delegation has ended." in html
    assert "ended" in section(html, "You have delegated to")
    assert Delegation.objects.get(pk=delegation.pk).cancelled_at is not None
    assert request.reference not in delegate.get("/inbox/").content.decode()
    assert delegate.get(f"/requests/{request.pk}/").status_code == 404
