"""What each servant declares of their social-media presence (O.M. of 2 September 2024,
para 3): the accounts they post from and the online groups they create or administer.

Entries are never deleted: removing one marks it removed, so the record shows what was
declared and when. Running an account in an official capacity, and creating or
administering a group, need permission; the entry links to the request that asks it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from permissions.models import PermissionRequest, Platform
from permissions.models.requests import Capacity
from permissions.states import Status

# A request that no longer stands may be asked again; one still alive may not.
ASKED_AGAIN_AFTER = frozenset({Status.WITHDRAWN, Status.REJECTED, Status.REVOKED, Status.EXPIRED})


class GroupSize(models.TextChoices):
    UP_TO_50 = "50", _("Up to 50 members")
    UP_TO_250 = "250", _("51 to 250 members")
    UP_TO_1000 = "1000", _("251 to 1,000 members")
    MORE = "more", _("More than 1,000 members")


class GroupRole(models.TextChoices):
    CREATED = "created", _("I created it")
    ADMINISTER = "administer", _("I administer it")


class Entry(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("declared by"), on_delete=models.PROTECT
    )
    platform = models.ForeignKey(Platform, verbose_name=_("platform"), on_delete=models.PROTECT)
    since = models.DateField(_("since"), null=True, blank=True)
    permission = models.ForeignKey(
        PermissionRequest,
        verbose_name=_("request for permission"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("declared"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    removed_at = models.DateTimeField(_("removed"), null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def needs_permission(self) -> bool:
        raise NotImplementedError

    @property
    def may_ask_permission(self) -> bool:
        """Needs permission, and has no request for it that still stands."""
        return self.needs_permission and (
            self.permission is None or self.permission.status in ASKED_AGAIN_AFTER
        )


class SocialAccount(Entry):
    handle = models.CharField(
        _("handle or address"),
        max_length=200,
        help_text=_("As others see it, for example @name or the page's address."),
    )
    capacity = models.CharField(_("personal or official"), max_length=20, choices=Capacity.choices)

    class Meta:
        verbose_name = _("social-media account")
        verbose_name_plural = _("social-media accounts")
        indexes = [
            models.Index(fields=["owner", "removed_at"]),
            models.Index(fields=["handle"]),
        ]

    def __str__(self) -> str:
        return f"{self.handle} ({self.platform})"

    @property
    def needs_permission(self) -> bool:
        # Running an account in an official capacity speaks for the Government.
        return self.capacity == Capacity.OFFICIAL


class OnlineGroup(Entry):
    name = models.CharField(_("name of the group"), max_length=200)
    purpose = models.TextField(_("what the group is for"))
    size = models.CharField(_("rough size"), max_length=10, choices=GroupSize.choices)
    official = models.BooleanField(_("an official group"), default=False)
    role = models.CharField(_("your part in it"), max_length=20, choices=GroupRole.choices)

    class Meta:
        verbose_name = _("online group")
        verbose_name_plural = _("online groups")
        indexes = [
            models.Index(fields=["owner", "removed_at"]),
            models.Index(fields=["name"]),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.platform})"

    @property
    def needs_permission(self) -> bool:
        # An administrator answers for what others post in the group (para 3).
        return True


class Confirmation(models.Model):
    """The servant's yearly word that the register says all there is to say."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("confirmed by"), on_delete=models.PROTECT
    )
    confirmed_at = models.DateTimeField(_("confirmed"), auto_now_add=True)

    class Meta:
        verbose_name = _("confirmation of the register")
        verbose_name_plural = _("confirmations of the register")
        indexes = [models.Index(fields=["owner", "-confirmed_at"])]

    def __str__(self) -> str:
        return f"{self.owner} {self.confirmed_at:%Y-%m-%d}"
