"""The register of social-media accounts and groups: declared by each servant, every
change on the audit chain, permission asked through the ordinary workflow, searched by
the auditors (who export it through export jobs: test_export.py)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from permissions import audit, workflow
from permissions.models import AuditEvent, PermissionRequest, Platform, User
from permissions.register.models import Confirmation, OnlineGroup, SocialAccount
from permissions.states import Action, Status
from tests.helpers import fresh

pytestmark = pytest.mark.django_db

Browser = Callable[[User], Client]


def platform_pk(name: str) -> int:
    return Platform.objects.get(name=name).pk


def declare_account(client: Client, handle: str, capacity: str = "personal") -> Any:
    return client.post(
        "/register/accounts/new/",
        {"platform": platform_pk("X (Twitter)"), "handle": handle, "capacity": capacity},
        follow=True,
    )


def declare_group(client: Client, name: str = "Tehsil relief volunteers") -> Any:
    return client.post(
        "/register/groups/new/",
        {
            "platform": platform_pk("WhatsApp"),
            "name": name,
            "purpose": "Coordinating relief volunteers during the floods.",
            "size": "250",
            "role": "administer",
            "official": "on",
        },
        follow=True,
    )


def events(action: Action) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("pk"))


def test_a_servant_declares_accounts_and_a_group_each_on_the_chain(
    browser: Browser, servant: User
) -> None:
    client = browser(servant)

    declare_account(client, "@ayesha.personal")
    declare_account(client, "@moitt_official", capacity="official")
    page = declare_group(client).content.decode()

    assert "@ayesha.personal" in page and "@moitt_official" in page
    assert "Tehsil relief volunteers" in page
    added = events(Action.REGISTER_ADD)
    assert [event.data["kind"] for event in added] == ["account", "account", "group"]
    assert added[2].data["declared"]["name"] == "Tehsil relief volunteers"
    assert all(event.actor_id == servant.pk for event in added)
    # Official accounts and groups need permission; a personal account does not.
    assert page.count("Needed, not yet asked") == 2
    assert "Not needed" in page
    assert audit.verify().ok


def test_a_missing_answer_is_named_and_nothing_is_declared(browser: Browser, servant: User) -> None:
    response = browser(servant).post("/register/groups/new/", {"platform": "", "name": ""})

    html = response.content.decode()
    assert "There is a problem" in html
    assert "<title>Error: Declare a group" in html
    assert not OnlineGroup.objects.exists()


def test_asking_permission_for_a_group_goes_through_the_ordinary_workflow(
    browser: Browser, servant: User, reporting_officer: User
) -> None:
    client = browser(servant)
    declare_group(client)
    group = OnlineGroup.objects.get()

    response = client.post(f"/register/groups/{group.pk}/permission/")

    draft = PermissionRequest.objects.get()
    assert response["Location"] == f"/requests/{draft.pk}/edit/"
    assert (draft.status, draft.platform.name, draft.outlet) == (
        Status.DRAFT,
        "WhatsApp",
        "Tehsil relief volunteers",
    )
    assert draft.administers_group and draft.capacity == "official"
    assert draft.summary == "Coordinating relief volunteers during the floods."
    assert fresh(group).permission_id == draft.pk
    asked = events(Action.REGISTER_PERMISSION)
    assert [event.request_id for event in asked] == [draft.pk]
    # Asked once: a second time is refused while the first still stands.
    again = client.post(f"/register/groups/{group.pk}/permission/", follow=True)
    assert "Permission is already asked for in" in again.content.decode()
    assert PermissionRequest.objects.count() == 1

    workflow.submit(draft.pk, by=servant, declaration=True)
    workflow.approve(draft.pk, by=reporting_officer)

    page = client.get("/register/").content.decode()
    assert draft.reference in page
    assert "Approved" in page


def test_a_personal_account_needs_no_permission(browser: Browser, servant: User) -> None:
    client = browser(servant)
    declare_account(client, "@just.me")
    account = SocialAccount.objects.get()

    response = client.post(f"/register/accounts/{account.pk}/permission/", follow=True)

    assert "This entry needs no permission." in response.content.decode()
    assert not PermissionRequest.objects.exists()


def test_a_change_records_what_it_was_and_what_it_became(browser: Browser, servant: User) -> None:
    client = browser(servant)
    declare_account(client, "@old.handle")
    account = SocialAccount.objects.get()

    client.post(
        f"/register/accounts/{account.pk}/edit/",
        {"platform": platform_pk("X (Twitter)"), "handle": "@new.handle", "capacity": "personal"},
    )

    [changed] = events(Action.REGISTER_CHANGE)
    assert changed.data["changes"] == {"handle": {"old": "@old.handle", "new": "@new.handle"}}
    assert fresh(account).handle == "@new.handle"


def test_removing_keeps_the_record_and_hides_the_entry(
    browser: Browser, servant: User, auditor: User
) -> None:
    client = browser(servant)
    declare_account(client, "@closed.account")
    account = SocialAccount.objects.get()
    assert (
        "Remove @closed.account"
        in client.get(f"/register/accounts/{account.pk}/remove/").content.decode()
    )

    client.post(f"/register/accounts/{account.pk}/remove/")

    assert fresh(account).removed_at is not None
    assert "No account declared." in client.get("/register/").content.decode()
    assert [event.data["entry"] for event in events(Action.REGISTER_REMOVE)] == [account.pk]
    auditors = browser(auditor)
    assert "@closed.account" not in auditors.get("/register/search/?q=closed").content.decode()
    assert (
        "@closed.account" in auditors.get("/register/search/?q=closed&removed=on").content.decode()
    )


def test_nobody_else_touches_a_servants_entries(
    browser: Browser, servant: User, outsider: User
) -> None:
    declare_group(browser(servant))
    group = OnlineGroup.objects.get()
    other = browser(outsider)

    assert other.get(f"/register/groups/{group.pk}/edit/").status_code == 404
    assert other.post(f"/register/groups/{group.pk}/remove/").status_code == 404
    assert other.post(f"/register/groups/{group.pk}/permission/").status_code == 404
    assert fresh(group).removed_at is None


def test_the_yearly_confirmation_is_one_click_and_due_again_a_year_later(
    browser: Browser, servant: User
) -> None:
    client = browser(servant)
    assert "You have not yet confirmed this register." in client.get("/register/").content.decode()

    client.post("/register/confirm/")

    assert Confirmation.objects.filter(owner=servant).count() == 1
    [confirmed] = events(Action.REGISTER_CONFIRM)
    assert confirmed.data == {"accounts": 0, "groups": 0}
    assert "Once a year" not in client.get("/register/").content.decode()
    Confirmation.objects.update(confirmed_at=timezone.now() - datetime.timedelta(days=366))
    assert "Once a year, check it and confirm it again." in (
        client.get("/register/").content.decode()
    )


def test_auditors_find_entries_by_handle_across_organisations(
    browser: Browser, servant: User, outsider: User, auditor: User
) -> None:
    declare_account(browser(servant), "@flood.cell", capacity="official")
    declare_account(browser(outsider), "@other.person")
    declare_group(browser(outsider), name="Flood volunteers of Swat")
    auditors = browser(auditor)

    found = auditors.get("/register/search/?q=flood").content.decode()
    groups = auditors.get("/register/search/?kind=group&q=flood&administers=on").content.decode()

    assert "@flood.cell" in found and "@other.person" not in found
    assert "Flood volunteers of Swat" in groups


def test_the_search_is_for_auditors_alone(browser: Browser, servant: User) -> None:
    client = browser(servant)
    assert client.get("/register/search/").status_code == 404
