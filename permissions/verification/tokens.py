"""A letter's token, made once and kept: what the letters app prints as a QR code and a
short code, and the URL the QR code holds."""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse

from permissions.models import PermissionRequest
from permissions.states import APPROVED_ONCE

from .codes import new_short_code, new_token
from .models import Token

# Two new tokens could draw the same short code (one chance in 10^12 with a million
# letters): draw again rather than fail the letter.
_ATTEMPTS = 3


def token_for(request: PermissionRequest) -> Token:
    """The request's token, made now if it has none. Two letters made at the same moment
    get the same token: the loser of the race on the one-to-one column reads the winner's.
    ValueError for a request that was never granted."""
    # A letter exists for a permission that was granted, whatever became of it since:
    # the public page must still say "revoked" or "expired" for a letter printed then.
    if request.status not in APPROVED_ONCE:
        raise ValueError(
            f"{request.reference} is {request.status}: only a granted permission has a letter."
        )
    existing = Token.objects.filter(request=request).first()
    if existing is not None:
        return existing
    for _attempt in range(_ATTEMPTS):
        drawn = Token(request=request, token=new_token(), short_code=new_short_code())
        try:
            # A savepoint of its own, so a lost race leaves the caller's transaction usable.
            with transaction.atomic():
                drawn.save(force_insert=True)
                return drawn
        except IntegrityError:
            existing = Token.objects.filter(request=request).first()
            if existing is not None:
                return existing
    raise RuntimeError(f"No unused short code drawn for {request.reference}.")


def verification_url(token: Token) -> str:
    """The absolute URL of the letter's public page, as its QR code holds it."""
    return settings.PORTAL_URL + reverse("verify-letter", args=[token.token])
