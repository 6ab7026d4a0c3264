"""Reads: every non-trivial query the views and tasks use lives here."""

from __future__ import annotations

from .models import User


def person_profile(*, user_id: int) -> User:
    return User.objects.select_related(
        "organisation",
        "organisation__parent",
        "reporting_officer",
        "countersigning_officer",
    ).get(pk=user_id)
