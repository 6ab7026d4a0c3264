"""The secrets a permission letter carries so that anyone holding it can check it."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from permissions.models import PermissionRequest

from .codes import printed


class Token(models.Model):
    """What a letter prints: a URL with `token` in its QR code, and `short_code` in
    words for whoever holds a paper copy and no camera. Neither is the request's id or
    reference, which can be counted through; both are drawn at random."""

    # PROTECT: a letter once issued can always be checked, so the request it names may
    # not be deleted under it.
    request = models.OneToOneField(
        PermissionRequest,
        verbose_name=_("permission request"),
        on_delete=models.PROTECT,
        related_name="verification_token",
    )
    # unique gives the index the public page looks up by.
    token = models.CharField(_("token"), max_length=64, unique=True, editable=False)
    # Stored as typed back in after normalising: 12 characters, without the dashes.
    short_code = models.CharField(_("short code"), max_length=12, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("verification token")
        verbose_name_plural = _("verification tokens")

    def __str__(self) -> str:
        return self.printed_code

    @property
    def printed_code(self) -> str:
        """The short code as the letter prints it: ABCD-EFGH-JKMN."""
        return printed(self.short_code)
