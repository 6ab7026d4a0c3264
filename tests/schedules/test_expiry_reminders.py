"""Expiry reminders: 14, 7 and 1 days before valid_until, once each, to the servant and
their reporting officer."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from permissions import schedules, workflow
from permissions.models import EmailPreference, Reminder, User
from permissions.models.notifications import DeliveryStatus
from tests.factories import UserFactory
from tests.helpers import approved_until, at, clock, days

from .conftest import notifications

pytestmark = pytest.mark.django_db


def days_left_reminded(user: User) -> list[str]:
    return [
        row.subject.rsplit(" in ", 1)[1] for row in notifications("expiry_reminder", recipient=user)
    ]


def test_each_offset_reminds_exactly_once_on_its_day_across_repeated_runs(
    servant: User, reporting_officer: User
) -> None:
    start = timezone.localdate()
    last_day = start + days(20)
    request = approved_until(servant, reporting_officer, last_day)
    reminded_on: dict[int, list[str]] = {}

    for offset in range(0, 23):
        day = start + days(offset)
        before = len(notifications("expiry_reminder"))
        for hour in (8, 8, 17):
            with clock(at(day, hour)):
                schedules.expiry_reminders()
        new = notifications("expiry_reminder")[before:]
        if new:
            reminded_on[(last_day - day).days] = sorted(row.recipient.username for row in new)

    assert reminded_on == {
        14: ["reporting", "servant"],
        7: ["reporting", "servant"],
        1: ["reporting", "servant"],
    }
    assert days_left_reminded(servant) == ["14 days", "7 days", "1 day"]
    assert sorted(Reminder.objects.filter(request=request).values_list("key", flat=True)) == [
        "1",
        "14",
        "7",
    ]


def test_the_reminder_mail_reaches_the_servant_and_the_officer(
    servant: User,
    reporting_officer: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    last_day = timezone.localdate() + days(20)
    request = approved_until(servant, reporting_officer, last_day)
    mail.outbox.clear()

    with clock(at(last_day - days(7), 8)), django_capture_on_commit_callbacks(execute=True):
        schedules.expiry_reminders()

    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [servant.email, reporting_officer.email]
    )
    for message in mail.outbox:
        assert message.subject == f"The approval of {request.reference} expires in 7 days"
        assert last_day.strftime("%Y") in message.body
        assert reverse("request-detail", args=[request.pk]) in message.body


def test_an_officer_who_turned_reminder_mail_off_sees_it_only_in_the_portal(
    servant: User,
    reporting_officer: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    EmailPreference.objects.create(user=reporting_officer, kind="expiry_reminder")
    last_day = timezone.localdate() + days(20)
    approved_until(servant, reporting_officer, last_day)
    mail.outbox.clear()

    with clock(at(last_day - days(7), 8)), django_capture_on_commit_callbacks(execute=True):
        schedules.expiry_reminders()

    assert [message.to[0] for message in mail.outbox] == [servant.email]
    rows = {row.recipient_id: row.status for row in notifications("expiry_reminder")}
    assert rows == {
        servant.pk: DeliveryStatus.SENT,
        reporting_officer.pk: DeliveryStatus.PORTAL_ONLY,
    }


def test_a_run_that_missed_the_day_sends_the_reminder_late_but_only_once(
    servant: User, reporting_officer: User
) -> None:
    last_day = timezone.localdate() + days(20)
    approved_until(servant, reporting_officer, last_day)

    for days_left in (12, 11, 10, 5, 3, 2):
        with clock(at(last_day - days(days_left), 8)):
            schedules.expiry_reminders()

    assert days_left_reminded(servant) == ["12 days", "5 days"]


def test_an_approval_granted_inside_a_window_skips_the_reminders_already_past(
    servant: User, reporting_officer: User
) -> None:
    last_day = timezone.localdate() + days(5)
    approved_until(servant, reporting_officer, last_day)

    for days_left in (5, 4, 3, 2, 1, 0):
        with clock(at(last_day - days(days_left), 8)):
            schedules.expiry_reminders()

    assert days_left_reminded(servant) == ["1 day"]


def test_no_reminder_for_revoked_or_expired_approvals(
    servant: User, reporting_officer: User
) -> None:
    last_day = timezone.localdate() + days(7)
    revoked = approved_until(servant, reporting_officer, last_day)
    workflow.revoke(revoked.pk, by=reporting_officer, reason="The programme was cancelled.")

    with clock(at(last_day - days(7), 8)):
        schedules.expiry_reminders()
    with clock(at(last_day + days(1), 8)):
        schedules.expiry_reminders()

    assert notifications("expiry_reminder") == []


def test_a_servant_whose_reporting_officer_has_gone_is_reminded_alone(
    reporting_officer: User,
) -> None:
    loner = UserFactory(username="loner", reporting_officer=reporting_officer)
    last_day = timezone.localdate() + days(20)
    approved_until(loner, reporting_officer, last_day)
    loner.reporting_officer = None
    loner.save(update_fields=["reporting_officer"])

    with clock(at(last_day - days(14), 8)):
        schedules.expiry_reminders()

    assert [row.recipient_id for row in notifications("expiry_reminder")] == [loner.pk]


def test_a_reminder_already_recorded_by_another_run_is_not_sent_again(
    servant: User, reporting_officer: User
) -> None:
    last_day = timezone.localdate() + days(20)
    first = approved_until(servant, reporting_officer, last_day)
    second = approved_until(servant, reporting_officer, last_day)
    Reminder.objects.create(request=first, kind="expiry_reminder", key="14")

    with clock(at(last_day - days(14), 8)):
        report = schedules.expiry_reminders()

    assert {row.request_id for row in notifications("expiry_reminder")} == {second.pk}
    assert report["reminded"] == 1


def test_one_failing_request_does_not_hold_up_the_others(
    servant: User,
    reporting_officer: User,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    last_day = timezone.localdate() + days(20)
    broken, *healthy = [approved_until(servant, reporting_officer, last_day) for _ in range(3)]
    real_notify_batch = schedules.notify_batch

    def notify_batch(notices: Any, **kwargs: Any) -> Any:
        notices = list(notices)
        if any(notice.request.pk == broken.pk for notice in notices):
            raise RuntimeError("mail template missing")
        return real_notify_batch(notices, **kwargs)

    monkeypatch.setattr(schedules, "notify_batch", notify_batch)
    with caplog.at_level(logging.ERROR), clock(at(last_day - days(14), 8)):
        report = schedules.expiry_reminders()

    assert {row.request_id for row in notifications("expiry_reminder")} == {
        request.pk for request in healthy
    }
    assert report["failed"] == 1
    assert f"request {broken.pk} failed" in caplog.text
    assert not Reminder.objects.filter(request=broken).exists()

    monkeypatch.setattr(schedules, "notify_batch", real_notify_batch)
    with clock(at(last_day - days(14), 9)):
        schedules.expiry_reminders()
    assert broken.pk in {row.request_id for row in notifications("expiry_reminder")}
    assert len(notifications("expiry_reminder")) == 6


def test_the_offsets_come_from_the_settings(
    servant: User, reporting_officer: User, settings: Any
) -> None:
    settings.EXPIRY_REMINDER_DAYS = [3]
    last_day = timezone.localdate() + days(20)
    approved_until(servant, reporting_officer, last_day)

    for days_left in (14, 7, 3, 1):
        with clock(at(last_day - days(days_left), 8)):
            schedules.expiry_reminders()

    assert days_left_reminded(servant) == ["3 days"]
