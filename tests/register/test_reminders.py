"""The register's yearly reminder: sent to each servant whose register is due, once per
due day (and once more a month on), by mail through the outbox with a link to the
register, where one button confirms it."""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.utils import timezone
from django.utils.formats import date_format

from conduct_portal.celery import app
from permissions.models import EmailPreference, Notification, User
from permissions.models.notifications import DeliveryStatus, NotificationKind
from permissions.register import reminders, services, tasks
from permissions.register.models import Confirmation, OnlineGroup, SocialAccount
from permissions.register.selectors import confirmation_due
from tests.factories import platform
from tests.helpers import (
    clock,
    counted_statements,
    days,
    sweep_statement,
    tasks_run_here,  # noqa: F401 - the outbox's delivery tasks run in this process
)

pytestmark = pytest.mark.django_db

KIND = NotificationKind.REGISTER_DUE

Browser = Callable[[User], Client]


def reminders_to(user: User) -> list[Notification]:
    return list(Notification.objects.filter(kind=KIND, recipient=user).order_by("id"))


def joined(user: User, when: datetime.datetime) -> User:
    User.objects.filter(pk=user.pk).update(date_joined=when)
    return User.objects.get(pk=user.pk)


def confirmed(user: User, when: datetime.datetime) -> None:
    with clock(when):
        services.register_confirm(owner=user)


@pytest.fixture
def veteran(servant: User) -> User:
    """A servant on the portal these two years."""
    return joined(servant, timezone.now() - days(730))


def test_a_new_servant_who_never_confirmed_is_not_yet_due(servant: User) -> None:
    assert reminders.remind_due() == 0
    assert reminders_to(servant) == []


def test_one_who_never_confirmed_is_due_a_year_after_joining(servant: User) -> None:
    a_year_on = servant.date_joined + days(365)

    with clock(a_year_on - days(1)):
        reminders.remind_due()
    assert reminders_to(servant) == []
    with clock(a_year_on + days(1)):
        reminders.remind_due()
    [reminder] = reminders_to(servant)
    due_on = timezone.localdate(a_year_on).isoformat()
    assert reminder.dedupe_key == f"register_due:{servant.pk}:{due_on}:to{servant.pk}"


def test_an_entry_declared_over_a_year_ago_makes_a_never_confirmed_register_due(
    servant: User, other_officer: User
) -> None:
    # Entries brought in from an older list, before the servant's account was made.
    account = SocialAccount.objects.create(
        owner=servant, platform=platform("social_media"), handle="@old", capacity="personal"
    )
    SocialAccount.objects.filter(pk=account.pk).update(created_at=timezone.now() - days(400))
    group = OnlineGroup.objects.create(
        owner=other_officer,
        platform=platform("social_media"),
        name="Batch of 2001",
        purpose="Old colleagues",
        size="50",
        role="administer",
    )
    OnlineGroup.objects.filter(pk=group.pk).update(created_at=timezone.now() - days(370))

    assert reminders.remind_due() == 2
    assert len(reminders_to(servant)) == len(reminders_to(other_officer)) == 1


def test_confirmed_366_days_ago_is_due(veteran: User) -> None:
    last_year = timezone.now() - days(366)
    confirmed(veteran, last_year)

    assert reminders.remind_due() == 1
    [reminder] = reminders_to(veteran)
    # Due a year after the confirmation, not after the day they joined.
    due_on = timezone.localdate(last_year + days(365)).isoformat()
    assert reminder.dedupe_key == f"register_due:{veteran.pk}:{due_on}:to{veteran.pk}"
    assert reminder.link == "/register/"
    assert reminder.status == DeliveryStatus.PENDING
    # What the register page says too.
    assert confirmation_due(owner=veteran)


def test_confirmed_10_days_ago_is_not_due(veteran: User) -> None:
    confirmed(veteran, timezone.now() - days(10))

    assert reminders.remind_due() == 0
    assert reminders_to(veteran) == []


def test_a_servant_no_longer_active_is_not_reminded(veteran: User) -> None:
    User.objects.filter(pk=veteran.pk).update(is_active=False)

    assert reminders.remind_due() == 0


def test_a_second_run_sends_nothing(veteran: User, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.remind_due() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.remind_due() == 0
    with clock(timezone.now() + days(5)), django_capture_on_commit_callbacks(execute=True):
        assert reminders.remind_due() == 0

    assert len(reminders_to(veteran)) == 1
    assert len([message for message in mail.outbox if message.to == [veteran.email]]) == 1


def test_confirming_ends_the_cycle_and_a_year_later_the_next_reminder_goes(
    veteran: User,
) -> None:
    start = timezone.now()
    reminders.remind_due(now=start)
    confirmed(veteran, start + days(2))

    # Past the day a second reminder would have gone, and to a day short of a year on.
    reminders.remind_due(now=start + days(40))
    reminders.remind_due(now=start + days(2 + 364))
    assert len(reminders_to(veteran)) == 1
    with clock(start + days(2 + 366)):
        reminders.remind_due()
    first, second = reminders_to(veteran)
    next_due = timezone.localdate(start + days(2 + 365)).isoformat()
    assert second.dedupe_key == f"register_due:{veteran.pk}:{next_due}:to{veteran.pk}"
    assert first.dedupe_key != second.dedupe_key


def test_one_more_reminder_a_month_after_the_due_day_then_no_more(veteran: User) -> None:
    due_at = veteran.date_joined + days(365)
    due_on = timezone.localdate(due_at)
    for day in (0, 10, 29):
        reminders.remind_due(now=due_at + days(day))
    assert len(reminders_to(veteran)) == 1

    for day in (30, 31, 60, 200):
        reminders.remind_due(now=due_at + days(day))
    first, again = reminders_to(veteran)
    assert first.dedupe_key == f"register_due:{veteran.pk}:{due_on}:to{veteran.pk}"
    assert again.dedupe_key == f"register_due:{veteran.pk}:{due_on}:again:to{veteran.pk}"


def test_no_second_reminder_when_the_repeat_is_turned_off(veteran: User, settings: Any) -> None:
    settings.REGISTER_REMINDER_REPEAT_DAYS = 0
    due_at = veteran.date_joined + days(365)
    for day in (0, 30, 90):
        reminders.remind_due(now=due_at + days(day))

    assert len(reminders_to(veteran)) == 1


def test_one_who_turned_off_the_mail_sees_it_in_the_portal_only(veteran: User) -> None:
    EmailPreference.objects.create(user=veteran, kind=KIND)

    reminders.remind_due()

    [reminder] = reminders_to(veteran)
    assert reminder.status == DeliveryStatus.PORTAL_ONLY


def test_the_mail_leads_to_the_register_and_names_its_button(
    veteran: User, browser: Browser, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        reminders.remind_due()

    [message] = [message for message in mail.outbox if message.to == [veteran.email]]
    assert message.subject == "Your register of accounts and groups is due for confirmation"
    link = f"{settings.PORTAL_URL}/register/"
    assert f"Your register: {link}\n" in message.body
    assert "“Confirm my register is complete”" in message.body
    due_on = timezone.localdate(veteran.date_joined + days(365))
    assert f"Your confirmation fell due on {date_format(due_on)}." in message.body
    assert "{%" not in message.body and "{{" not in message.body
    [(html, mimetype)] = message.alternatives  # type: ignore[attr-defined]
    assert mimetype == "text/html"
    assert f'href="{link}"' in html
    [reminder] = reminders_to(veteran)
    assert Notification.objects.get(pk=reminder.pk).status == DeliveryStatus.SENT
    # The button the mail names is the one on the register's page.
    assert "Confirm my register is complete" in browser(veteran).get("/register/").content.decode()


# --- scale --------------------------------------------------------------------------------

BATCHES = 4


def due_servants(count: int, prefix: str) -> list[User]:
    """`count` servants who joined two years ago, half of them confirmed 400 days ago."""
    long_ago = timezone.now() - days(730)
    people = User.objects.bulk_create(
        [
            User(
                username=f"{prefix}-{n}",
                email=f"{prefix}-{n}@example.test",
                first_name="Servant",
                last_name=str(n),
                date_joined=long_ago,
            )
            for n in range(count)
        ]
    )
    Confirmation.objects.bulk_create([Confirmation(owner=person) for person in people[::2]])
    Confirmation.objects.filter(owner__in=people[::2]).update(
        confirmed_at=timezone.now() - days(400)
    )
    return people


def run(count: int, prefix: str) -> Counter[str]:
    # Only these are due: whoever the database held before has left the portal.
    User.objects.update(is_active=False)
    due_servants(count, prefix)
    before = Notification.objects.filter(kind=KIND).count()
    with counted_statements(sweep_statement) as counts:
        reminded = reminders.remind_due(batch_size=count // BATCHES)
    written = Notification.objects.filter(kind=KIND).count() - before
    assert reminded == written == count
    return counts


def test_ten_times_the_servants_cost_the_same_queries_per_batch() -> None:
    few = run(20, "few")
    many = run(200, "many")

    # Selecting the due servants, checking who was reminded, and loading those to remind:
    # the same few queries per batch, never one per servant.
    assert many["job"] == few["job"], (few, many)
    assert many["job"] <= 6 * (BATCHES + 1), many
    # One opt-out look-up and one INSERT a batch (which Django splits only where SQLite
    # limits the parameters of one statement).
    assert many["outbox"] - few["outbox"] <= 2 * (200 - 20) // 50, (few, many)
    assert many["savepoint"] == few["savepoint"], (few, many)


# --- the schedule -------------------------------------------------------------------------


def test_beat_runs_the_reminder_daily_as_a_registered_task() -> None:
    [entry] = [
        entry
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == "permissions.register.remind"
    ]
    schedule = entry["schedule"]
    assert schedule.hour == {8} and schedule.day_of_week == set(range(7))
    app.loader.import_default_modules()
    assert "permissions.register.remind" in app.tasks


def test_the_task_runs_the_reminders(veteran: User) -> None:
    assert tasks.remind_due.delay().get() == 1
    assert len(reminders_to(veteran)) == 1
