"""What an administrator adds, changes or deletes in the admin is an event on the audit
chain, in the same transaction as the change itself."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from permissions import security, services
from permissions.audit import SYSTEM
from permissions.models import (
    AUDITORS_GROUP,
    ConductRule,
    Delegation,
    Notification,
    Organisation,
    Platform,
    RoutingRule,
    User,
)
from permissions.workflow import WorkflowError
from tests.factories import UserFactory
from tests.helpers import pass_second_factor

from .conftest import CLIENT_IP, USER_AGENT, assert_chain_intact, events, only_event

pytestmark = pytest.mark.django_db


def _routing_rule_form(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "Press conferences go to the countersigning officer",
        "is_active": "on",
        "priority": "20",
        "platform_categories": ["press_conference"],
        "participations": ["press_conference"],
        "bps_min": "",
        "bps_max": "",
        "official_information": "",
        "capacity": "",
        "target": "countersigning_officer",
        "group": "",
        "_save": "Save",
    }
    data.update(overrides)
    return data


def _saved(response: Any) -> None:
    assert response.status_code == 302, response.content.decode()[:2000]


# --- routing rules -----------------------------------------------------------------------


def test_adding_a_routing_rule_is_recorded(admin_browser: Client, superuser: User) -> None:
    _saved(admin_browser.post("/admin/permissions/routingrule/add/", _routing_rule_form()))

    rule = RoutingRule.objects.get(name__startswith="Press conferences")
    event = only_event("admin.add")
    assert event.actor == superuser
    assert event.request is None
    assert event.data == {
        "model": "permissions.routingrule",
        "object_id": str(rule.pk),
        "object": rule.name,
        "changes": [{"added": {}}],
    }
    assert event.ip_address == CLIENT_IP
    assert event.user_agent == USER_AGENT
    assert_chain_intact()


def test_changing_a_routing_rule_records_which_fields_changed(
    admin_browser: Client, superuser: User
) -> None:
    rule = RoutingRule.objects.create(
        name="Senior officers", priority=30, bps_min=20, target="countersigning_officer"
    )

    _saved(
        admin_browser.post(
            f"/admin/permissions/routingrule/{rule.pk}/change/",
            _routing_rule_form(
                name="Senior officers",
                priority="30",
                bps_min="21",
                platform_categories=[],
                participations=[],
            ),
        )
    )

    event = only_event("admin.change")
    assert event.actor == superuser
    assert event.data["model"] == "permissions.routingrule"
    assert event.data["object_id"] == str(rule.pk)
    assert event.data["object"] == "Senior officers"
    assert event.data["changes"] == [{"changed": {"fields": ["BPS from"]}}]
    assert_chain_intact()


def test_deleting_a_routing_rule_is_recorded(admin_browser: Client, superuser: User) -> None:
    rule = RoutingRule.objects.create(name="Old rule", target="countersigning_officer")

    _saved(admin_browser.post(f"/admin/permissions/routingrule/{rule.pk}/delete/", {"post": "yes"}))

    assert not RoutingRule.objects.filter(pk=rule.pk).exists()
    event = only_event("admin.delete")
    assert event.actor == superuser
    assert event.data == {
        "model": "permissions.routingrule",
        "object_id": str(rule.pk),
        "object": "Old rule",
        "changes": [],
    }
    assert event.ip_address == CLIENT_IP
    assert_chain_intact()


def test_a_form_with_errors_records_nothing(admin_browser: Client) -> None:
    response = admin_browser.post(
        "/admin/permissions/routingrule/add/", _routing_rule_form(target="group", group="")
    )

    assert response.status_code == 200
    assert not events("admin.add")


# --- platforms ---------------------------------------------------------------------------


def test_adding_changing_and_deleting_a_platform_are_recorded(
    admin_browser: Client, superuser: User
) -> None:
    form = {"name": "Threads", "category": "social_media", "is_active": "on", "sort_key": "90"}
    _saved(admin_browser.post("/admin/permissions/platform/add/", {**form, "_save": "Save"}))
    platform = Platform.objects.get(name="Threads")
    _saved(
        admin_browser.post(
            f"/admin/permissions/platform/{platform.pk}/change/",
            {**form, "name": "Threads (Meta)", "_save": "Save"},
        )
    )
    _saved(
        admin_browser.post(f"/admin/permissions/platform/{platform.pk}/delete/", {"post": "yes"})
    )

    added, changed, deleted = (only_event(f"admin.{verb}") for verb in ("add", "change", "delete"))
    assert added.pk < changed.pk < deleted.pk
    for event in (added, changed, deleted):
        assert event.actor == superuser
        assert event.data["model"] == "permissions.platform"
        assert event.data["object_id"] == str(platform.pk)
    assert added.data["object"] == "Threads"
    assert changed.data["object"] == deleted.data["object"] == "Threads (Meta)"
    assert changed.data["changes"] == [{"changed": {"fields": ["Name"]}}]
    assert_chain_intact()


def test_a_change_in_the_list_is_recorded(admin_browser: Client) -> None:
    """The platform list edits 'offered' and 'order' in place."""
    platform = Platform.objects.create(name="Mastodon", category="social_media", sort_key=95)
    response = admin_browser.get("/admin/permissions/platform/", {"q": "Mastodon"})
    assert response.status_code == 200

    _saved(
        admin_browser.post(
            "/admin/permissions/platform/?q=Mastodon",
            {
                "form-TOTAL_FORMS": "1",
                "form-INITIAL_FORMS": "1",
                "form-MIN_NUM_FORMS": "0",
                "form-MAX_NUM_FORMS": "1000",
                "form-0-id": str(platform.pk),
                "form-0-sort_key": "95",
                # is_active left out: unticked
                "_save": "Save",
            },
        )
    )

    platform.refresh_from_db()
    assert platform.is_active is False
    event = only_event("admin.change")
    assert event.data["object"] == "Mastodon"
    assert event.data["changes"] == [{"changed": {"fields": ["Offered to applicants"]}}]
    assert_chain_intact()


def test_deleting_several_platforms_at_once_records_each(admin_browser: Client) -> None:
    doomed = [
        Platform.objects.create(name=name, category="social_media", sort_key=99)
        for name in ("Friendster", "Orkut")
    ]

    _saved(
        admin_browser.post(
            "/admin/permissions/platform/",
            {
                "action": "delete_selected",
                "_selected_action": [p.pk for p in doomed],
                "post": "yes",
            },
        )
    )

    assert not Platform.objects.filter(pk__in=[p.pk for p in doomed]).exists()
    deleted = events("admin.delete")
    assert sorted(e.data["object"] for e in deleted) == ["Friendster", "Orkut"]
    assert {e.data["object_id"] for e in deleted} == {str(p.pk) for p in doomed}
    assert_chain_intact()


# --- the change and its event commit together --------------------------------------------


@pytest.fixture
def audit_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the audit chain could not be written")

    monkeypatch.setattr(security.audit, "record", refuse)


def test_a_change_whose_event_cannot_be_written_is_not_made(
    admin_browser: Client, audit_fails: None
) -> None:
    platform = Platform.objects.create(name="Clubhouse", category="social_media", sort_key=97)

    with pytest.raises(RuntimeError):
        admin_browser.post(
            f"/admin/permissions/platform/{platform.pk}/change/",
            {"name": "Renamed", "category": "social_media", "sort_key": "97", "_save": "Save"},
        )

    platform.refresh_from_db()
    assert platform.name == "Clubhouse"
    assert platform.is_active is True


def test_a_bulk_deletion_that_fails_leaves_no_event(
    admin_browser: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The delete action records its events before it deletes: if the deletion then
    fails, the events must go with it."""
    from permissions.admin import PlatformAdmin

    def fail(self: object, request: object, queryset: object) -> None:
        raise RuntimeError("the deletion failed")

    monkeypatch.setattr(PlatformAdmin, "delete_queryset", fail)
    kept = Platform.objects.create(name="Vine", category="social_media", sort_key=98)

    with pytest.raises(RuntimeError):
        admin_browser.post(
            "/admin/permissions/platform/",
            {"action": "delete_selected", "_selected_action": [kept.pk], "post": "yes"},
        )

    assert Platform.objects.filter(pk=kept.pk).exists()
    assert not events("admin.delete")
    assert_chain_intact()


# --- people, groups, delegations, organisations, rules -----------------------------------


def _person_form(person: User, **overrides: object) -> dict[str, object]:
    joined = timezone.localtime(person.date_joined)
    data: dict[str, object] = {
        "username": person.username,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "email": person.email,
        "is_active": "on",
        "groups": [],
        "user_permissions": [],
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": joined.strftime("%Y-%m-%d"),
        "date_joined_1": joined.strftime("%H:%M:%S"),
        # A field with a callable default carries its initial value in hidden inputs.
        "initial-date_joined_0": joined.strftime("%Y-%m-%d"),
        "initial-date_joined_1": joined.strftime("%H:%M:%S"),
        "designation": person.designation,
        "bps": str(person.bps),
        "service_group": person.service_group,
        "organisation": str(person.organisation_id),
        "reporting_officer": "",
        "countersigning_officer": "",
        "_save": "Save",
    }
    data.update(overrides)
    return data


def test_making_someone_an_auditor_names_the_group(
    admin_browser: Client, outsider: User, superuser: User
) -> None:
    auditors = Group.objects.get(name=AUDITORS_GROUP)

    _saved(
        admin_browser.post(
            f"/admin/permissions/user/{outsider.pk}/change/",
            _person_form(outsider, groups=[auditors.pk]),
        )
    )

    assert outsider.groups.filter(pk=auditors.pk).exists()
    event = only_event("admin.change")
    assert event.actor == superuser
    assert event.data["model"] == "permissions.user"
    assert event.data["object_id"] == str(outsider.pk)
    assert event.data["changes"] == [{"changed": {"fields": ["Groups"]}}]
    assert event.data["relations"] == {"groups": {"added": [AUDITORS_GROUP], "removed": []}}
    assert_chain_intact()


def test_taking_someone_out_of_a_group_names_the_group(
    admin_browser: Client, auditor: User
) -> None:
    _saved(
        admin_browser.post(
            f"/admin/permissions/user/{auditor.pk}/change/",
            _person_form(auditor, groups=[]),
        )
    )

    assert not auditor.groups.exists()
    event = only_event("admin.change")
    assert event.data["relations"] == {"groups": {"added": [], "removed": [AUDITORS_GROUP]}}


def test_a_password_set_in_the_admin_is_recorded_without_it(
    admin_browser: Client, outsider: User
) -> None:
    new_password = "a-new-long-passphrase-2026"

    _saved(
        admin_browser.post(
            f"/admin/permissions/user/{outsider.pk}/password/",
            {
                "usable_password": "true",
                "password1": new_password,
                "password2": new_password,
                "set-password": "",
            },
        )
    )

    outsider.refresh_from_db()
    assert outsider.check_password(new_password)
    event = only_event("admin.change")
    assert event.data["object_id"] == str(outsider.pk)
    assert new_password not in str(event.data) and new_password not in event.comment
    assert outsider.password not in str(event.data)
    assert_chain_intact()


def test_renaming_a_group_is_recorded(admin_browser: Client) -> None:
    group = Group.objects.create(name="Media cell (Punjab)")

    _saved(
        admin_browser.post(
            f"/admin/auth/group/{group.pk}/change/",
            {"name": "Media cell (Sindh)", "permissions": [], "_save": "Save"},
        )
    )

    event = only_event("admin.change")
    assert event.data["model"] == "auth.group"
    assert event.data["object"] == "Media cell (Sindh)"
    assert "relations" not in event.data  # its permissions did not change


def test_the_admin_cannot_make_edit_or_delete_a_delegation(
    admin_browser: Client, reporting_officer: User, other_officer: User
) -> None:
    """Only the delegation service gives one (checked, audited, both officers told)."""
    today = timezone.localdate()
    delegation = services.delegation_create(
        by=reporting_officer, to=other_officer, starts=today, ends=today, origin=SYSTEM
    )
    base = "/admin/permissions/delegation/"

    assert admin_browser.get(f"{base}add/").status_code == 403
    assert admin_browser.get(f"{base}{delegation.pk}/delete/").status_code == 403
    page = admin_browser.get(f"{base}{delegation.pk}/change/")
    assert page.status_code == 200  # to look at
    assert 'name="_save"' not in page.content.decode()
    assert Delegation.objects.count() == 1
    assert not events("admin.add") and not events("admin.change")


def test_ending_a_delegation_from_the_admin_goes_through_the_service(
    admin_browser: Client, superuser: User, reporting_officer: User, other_officer: User
) -> None:
    today = timezone.localdate()
    delegation = services.delegation_create(
        by=reporting_officer,
        to=other_officer,
        starts=today,
        ends=today + datetime.timedelta(days=5),
        origin=SYSTEM,
    )

    response = admin_browser.post(
        "/admin/permissions/delegation/",
        {"action": "end_now", "_selected_action": [str(delegation.pk)]},
        REMOTE_ADDR=CLIENT_IP,
        HTTP_USER_AGENT=USER_AGENT,
    )

    assert response.status_code == 302
    assert Delegation.objects.get(pk=delegation.pk).cancelled_at is not None
    event = only_event("delegation.end")
    assert event.actor == superuser
    assert event.data == {
        "delegation": delegation.pk,
        "delegator": reporting_officer.pk,
        "delegate": other_officer.pk,
    }
    assert event.ip_address == CLIENT_IP
    told = Notification.objects.filter(kind="delegation_ended").values_list(
        "recipient_id", flat=True
    )
    assert sorted(told) == sorted([reporting_officer.pk, other_officer.pk])
    # Ending it again (a second click) changes nothing and tells nobody twice.
    admin_browser.post(
        "/admin/permissions/delegation/",
        {"action": "end_now", "_selected_action": [str(delegation.pk)]},
    )
    assert len(events("delegation.end")) == 1
    assert_chain_intact()


def test_only_the_delegator_ends_a_delegation_outside_the_admin(
    reporting_officer: User, other_officer: User
) -> None:
    today = timezone.localdate()
    delegation = services.delegation_create(
        by=reporting_officer, to=other_officer, starts=today, ends=today, origin=SYSTEM
    )
    with pytest.raises(WorkflowError):
        services.delegation_end(delegation=delegation, by=other_officer, origin=SYSTEM)
    assert Delegation.objects.get(pk=delegation.pk).cancelled_at is None


def test_deleting_an_organisation_or_a_conduct_rule_is_recorded(admin_browser: Client) -> None:
    organisation = Organisation.objects.create(
        name="Abolished Division", code="abolished", kind="division"
    )
    rule = ConductRule.objects.create(number="99", title="Withdrawn rule", summary="")

    _saved(
        admin_browser.post(
            f"/admin/permissions/organisation/{organisation.pk}/delete/", {"post": "yes"}
        )
    )
    _saved(admin_browser.post(f"/admin/permissions/conductrule/{rule.pk}/delete/", {"post": "yes"}))

    first, second = events("admin.delete")
    assert (first.data["model"], first.data["object"]) == (
        "permissions.organisation",
        "Abolished Division",
    )
    assert (second.data["model"], second.data["object"]) == (
        "permissions.conductrule",
        "Rule 99: Withdrawn rule",
    )
    assert_chain_intact()


def test_an_administrator_without_the_right_is_refused_and_nothing_is_changed() -> None:
    """A staff member without permissions on platforms: a 403, recorded as a refusal."""
    staff = UserFactory(username="clerk", is_staff=True, bps=None)
    platform = Platform.objects.create(name="Tumblr", category="social_media")
    client = Client()
    client.force_login(staff)
    pass_second_factor(client, staff)

    response = client.post(f"/admin/permissions/platform/{platform.pk}/delete/", {"post": "yes"})

    assert response.status_code == 403
    assert Platform.objects.filter(pk=platform.pk).exists()
    assert not events("admin.delete")
    assert only_event("access.denied").actor == staff


def test_a_password_whose_event_cannot_be_written_is_not_set(
    admin_browser: Client, outsider: User, audit_fails: None
) -> None:
    new_password = "a-new-long-passphrase-2026"

    with pytest.raises(RuntimeError):
        admin_browser.post(
            f"/admin/permissions/user/{outsider.pk}/password/",
            {
                "usable_password": "true",
                "password1": new_password,
                "password2": new_password,
                "set-password": "",
            },
        )

    outsider.refresh_from_db()
    assert not outsider.check_password(new_password)


def test_a_delegation_past_its_last_day_has_ended_already_and_is_left_alone(
    reporting_officer: User, other_officer: User
) -> None:
    today = timezone.localdate()
    delegation = services.delegation_create(
        by=reporting_officer, to=other_officer, starts=today, ends=today, origin=SYSTEM
    )
    Notification.objects.all().delete()
    Delegation.objects.filter(pk=delegation.pk).update(
        starts_on=today - datetime.timedelta(days=3), ends_on=today - datetime.timedelta(days=1)
    )

    services.delegation_end(delegation=delegation, by=reporting_officer, origin=SYSTEM)

    assert Delegation.objects.get(pk=delegation.pk).cancelled_at is None
    assert not events("delegation.end")
    assert not Notification.objects.exists()
