"""Presentation helpers for the portal's templates: how a status, a person and a moment
of the audit trail read, each written once."""

from __future__ import annotations

import contextlib
import datetime
from typing import Any

from django import template
from django.utils import timezone, translation
from django.utils.formats import date_format, time_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import pgettext

from permissions.models.translated import left_to_right
from permissions.states import Status, label_of

register = template.Library()

BADGE_CLASSES: dict[str, str] = {
    Status.DRAFT: "text-bg-secondary",
    Status.PENDING: "text-bg-primary",
    Status.RETURNED: "text-bg-warning",
    Status.APPROVED: "text-bg-success",
    Status.REJECTED: "text-bg-danger",
    Status.WITHDRAWN: "text-bg-light border",
    Status.REVOKED: "text-bg-danger",
    Status.EXPIRED: "text-bg-dark",
}


@register.simple_tag
def status_badge(status: str) -> SafeString:
    label = label_of(Status, status)
    return format_html(
        '<span class="badge {}">{}</span>', BADGE_CLASSES.get(status, "text-bg-secondary"), label
    )


@register.simple_tag
def onward() -> str:
    """The arrow from one state to the next, pointing the way the page reads: → in
    English, ← in Urdu."""
    return "←" if translation.get_language_bidi() else "→"


register.filter("left_to_right", left_to_right)


@register.filter
def local(record: Any, field: str) -> str:
    """A field of reference data in the page's language: `{{ rule|local:"title" }}` is the
    rule's Urdu title on an Urdu page (the English where none was written)."""
    return str(record.local(field))


@register.filter
def display_name(person: Any) -> str:
    """A person as pages and mails name them: their full name, or their user name when
    the administrator recorded none. Nobody (None) reads as nothing."""
    if person is None or person == "":
        return ""
    return str(person.get_full_name() or person.username)


@register.filter(expects_localtime=True)
def to_the_second(moment: datetime.datetime | None) -> str:
    """A moment of the audit trail, where seconds tell events apart: the day as
    DATE_FORMAT writes it, then the time as TIME_FORMAT does."""
    if not moment:
        return ""
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return pgettext("a day, then a time of day", "%(day)s, %(time)s") % {
        "day": date_format(moment),
        "time": time_format(moment),
    }


@register.filter
def local_moment(moment: datetime.datetime | None, name: str = "DATETIME_FORMAT") -> str:
    """A moment a person entered (an event's date and time), in Pakistan's time, through
    the named format. A moment so near the calendar's end that it has no day in Pakistan
    (a row written outside the portal's forms) is shown as stored rather than failing the
    page, which Django's own `date` filter would."""
    if not moment:
        return ""
    if timezone.is_aware(moment):
        with contextlib.suppress(OverflowError):
            moment = timezone.localtime(moment)
    return date_format(moment, name)
