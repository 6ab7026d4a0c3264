"""The register's yearly re-declaration (O.M. of 2 September 2024): each servant whose
register is due is reminded through the outbox, with a link to /register/, where one
button confirms that nothing has changed (views.confirm).

A register falls due REDECLARE_AFTER after its last confirmation. One never confirmed
falls due REDECLARE_AFTER after the servant joined the portal or first declared an entry,
whichever came first: a servant whose entries were imported before their account was
made owes the confirmation as long as the entries are a year old.

The reminder's cause is the servant and the day their register fell due, so a second
run, or one that overlaps this one, writes nothing twice (the outbox's unique dedupe
key); confirming moves the day, which makes the next year's reminder a new cause. With
settings.REGISTER_REMINDER_REPEAT_DAYS, one more reminder goes that many days after the
due day to a servant who has still not confirmed.

Like the jobs of permissions/schedules.py, the servants are read in keyset batches of
ids, and each batch costs the same few queries however many of its servants are due.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import DateTimeField, F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce, Least
from django.urls import reverse
from django.utils import timezone

from permissions.models import Notification, User
from permissions.models.notifications import NotificationKind
from permissions.outbox import Notice, dedupe_key, email_opt_outs, notify, notify_batch
from permissions.paging import BY_ID, batches

from .models import Confirmation, OnlineGroup, SocialAccount
from .selectors import REDECLARE_AFTER

logger = logging.getLogger(__name__)

BATCH_SIZE = 500
KIND = NotificationKind.REGISTER_DUE


@dataclass(frozen=True)
class Due:
    """One servant's reminder: the day their register fell due, and which reminder."""

    due_on: datetime.date
    again: bool

    def key(self, user_id: int) -> str:
        key = f"register_due:{user_id}:{self.due_on.isoformat()}"
        return f"{key}:again" if self.again else key


def _first(queryset: QuerySet[SocialAccount] | QuerySet[OnlineGroup]) -> Subquery:
    """When the user declared their first entry of this kind."""
    return Subquery(
        queryset.filter(owner=OuterRef("pk")).order_by("created_at").values("created_at")[:1],
        output_field=DateTimeField(),
    )


def _due_since(*, cutoff: datetime.datetime) -> QuerySet[User, tuple[int, datetime.datetime]]:
    """(id, year_from) of the active users whose register's year began on or before
    `cutoff`: year_from is their last confirmation, or if none, the earlier of the day
    they joined and their first entry (removed ones too: they were declared then)."""
    last_confirmed = Subquery(
        Confirmation.objects.filter(owner=OuterRef("pk"))
        .order_by("-confirmed_at")
        .values("confirmed_at")[:1],
        output_field=DateTimeField(),
    )
    joined = F("date_joined")
    return (
        User.objects.filter(is_active=True)
        .annotate(
            year_from=Coalesce(
                last_confirmed,
                # LEAST is NULL on SQLite as soon as one argument is: a kind of entry
                # never declared counts as declared the day the servant joined.
                Least(
                    joined,
                    Coalesce(_first(SocialAccount.objects.all()), joined),
                    Coalesce(_first(OnlineGroup.objects.all()), joined),
                ),
                output_field=DateTimeField(),
            )
        )
        .filter(year_from__lte=cutoff)
        .values_list("pk", "year_from")
    )


def _due(year_from: datetime.datetime, *, today: datetime.date, repeat_days: int) -> Due:
    due_on = timezone.localdate(year_from + REDECLARE_AFTER)
    return Due(due_on=due_on, again=bool(repeat_days) and (today - due_on).days >= repeat_days)


def remind_due(*, now: datetime.datetime | None = None, batch_size: int = BATCH_SIZE) -> int:
    """Remind every active servant whose register is due and who has not been reminded
    for this due day; returns how many were reminded."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    repeat_days: int = settings.REGISTER_REMINDER_REPEAT_DAYS
    link = reverse("register")
    reminded = failed = 0
    candidates = _due_since(cutoff=now - REDECLARE_AFTER)

    def send(due: dict[int, Due]) -> int:
        with transaction.atomic():
            people = list(User.objects.filter(pk__in=due).order_by("pk"))
            written = notify_batch(
                (
                    Notice(
                        recipients=[person],
                        key=due[person.pk].key(person.pk),
                        link=link,
                        context={"due_on": due[person.pk].due_on},
                    )
                    for person in people
                ),
                kind=KIND,
                opted_out=email_opt_outs(KIND, due),
            )
            return len(written)

    def send_one(user_id: int, reminder: Due) -> int:
        # notify() skips a reminder another run wrote meanwhile, where the batch's
        # single INSERT failed on it.
        person = User.objects.get(pk=user_id)
        return len(
            notify(
                recipients=[person],
                kind=KIND,
                key=reminder.key(user_id),
                link=link,
                context={"due_on": reminder.due_on},
            )
        )

    for rows in batches(candidates, sort=BY_ID, size=batch_size, key=(0, 0)):
        due = {pk: _due(year_from, today=today, repeat_days=repeat_days) for pk, year_from in rows}
        # Those reminded by an earlier run: one query for the batch, not one failing
        # insert each.
        keys = {dedupe_key(reminder.key(pk), pk): pk for pk, reminder in due.items()}
        for written in Notification.objects.filter(kind=KIND, dedupe_key__in=keys).values_list(
            "dedupe_key", flat=True
        ):
            del due[keys[written]]
        if not due:
            continue
        try:
            reminded += send(due)
            continue
        except Exception:
            logger.warning("register reminders: batch failed, retrying one by one", exc_info=True)
        for pk, reminder in due.items():
            try:
                reminded += send_one(pk, reminder)
            except Exception:
                failed += 1
                logger.exception("register reminders: user %s failed", pk)
    logger.info("register reminders: %s reminded, %s failed", reminded, failed)
    return reminded
