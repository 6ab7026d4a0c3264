"""The reads of the public check: one letter's token with what its page shows and what
its check reads, in a fixed number of queries."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Token


def _tokens() -> QuerySet[Token]:
    # The applicant and platform are shown; the attachments' rows (not their bytes) go
    # into the content digest that the integrity check compares.
    return Token.objects.select_related("request__applicant", "request__platform").prefetch_related(
        "request__attachments"
    )


def token_by_token(token: str) -> Token | None:
    return _tokens().filter(token=token).first()


def token_by_code(short_code: str) -> Token | None:
    """`short_code` as stored (codes.normalised)."""
    return _tokens().filter(short_code=short_code).first()
