"""People and organisations."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

BPS_MIN = 1
BPS_MAX = 22
AUDITORS_GROUP = "Establishment Division auditors"


class Organisation(models.Model):
    """A Ministry, Division, attached department or office, in a tree."""

    class Kind(models.TextChoices):
        MINISTRY = "ministry", _("Ministry")
        DIVISION = "division", _("Division")
        DEPARTMENT = "department", _("Attached department")
        OFFICE = "office", _("Office")

    name = models.CharField(_("name"), max_length=200)
    code = models.SlugField(
        _("code"), max_length=40, unique=True, help_text=_("Short unique code, e.g. moib or pid.")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        ancestor = self.parent
        seen: set[int] = set()
        while ancestor is not None:
            if ancestor.pk == self.pk and self.pk is not None:
                raise ValidationError(
                    {"parent": _("An organisation cannot be part of itself or of its own parts.")}
                )
            if ancestor.pk in seen:  # an existing loop higher up; stop walking
                break
            seen.add(ancestor.pk)
            ancestor = ancestor.parent


class ServiceGroup(models.TextChoices):
    PAS = "pas", _("Pakistan Administrative Service")
    PSP = "psp", _("Police Service of Pakistan")
    FSP = "fsp", _("Foreign Service of Pakistan")
    IG = "ig", _("Information Group")
    IRS = "irs", _("Inland Revenue Service")
    PCS = "pcs", _("Pakistan Customs Service")
    PAAS = "paas", _("Pakistan Audit and Accounts Service")
    OMG = "omg", _("Office Management Group")
    SG = "sg", _("Secretariat Group")
    CTG = "ctg", _("Commerce and Trade Group")
    EX_CADRE = "ex_cadre", _("Ex-cadre")
    OTHER = "other", _("Other")


class User(AbstractUser):
    """A person who signs in: a government servant, an officer, an auditor or an administrator.

    The reporting officer decides step 1 of every request the servant files; the
    countersigning officer is the one routing rules may add as a further step.
    """

    designation = models.CharField(_("designation"), max_length=150, blank=True)
    bps = models.PositiveSmallIntegerField(
        _("BPS grade"),
        null=True,
        blank=True,
        validators=[MinValueValidator(BPS_MIN), MaxValueValidator(BPS_MAX)],
        help_text=_("Basic Pay Scale, 1 to 22. Empty only for accounts that are not servants."),
    )
    service_group = models.CharField(
        _("service group"), max_length=20, choices=ServiceGroup.choices, blank=True
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
    )
    reporting_officer = models.ForeignKey(
        "self",
        verbose_name=_("reporting officer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
    )
    countersigning_officer = models.ForeignKey(
        "self",
        verbose_name=_("countersigning officer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="countersigned",
    )
    # The language the portal speaks to them in, pages and mail alike; blank until they
    # choose, when the browser's (or, for mail, the portal's default) is used.
    language = models.CharField(
        _("language"), max_length=10, blank=True, choices=settings.LANGUAGES
    )

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(bps__isnull=True) | models.Q(bps__gte=BPS_MIN, bps__lte=BPS_MAX),
                name="user_bps_in_range",
                violation_error_message=_("BPS grade must be between 1 and 22."),
            ),
            models.CheckConstraint(
                condition=~models.Q(reporting_officer=models.F("pk")),
                name="user_not_own_reporting_officer",
                violation_error_message=_("A person cannot be their own reporting officer."),
            ),
            models.CheckConstraint(
                condition=~models.Q(countersigning_officer=models.F("pk")),
                name="user_not_own_countersigning_officer",
                violation_error_message=_("A person cannot be their own countersigning officer."),
            ),
            models.UniqueConstraint(
                Lower("email"),
                condition=~models.Q(email=""),
                name="user_email_unique_ci",
                violation_error_message=_("Another person already uses this e-mail address."),
            ),
        ]

    def __str__(self) -> str:
        full = self.get_full_name()
        return (
            f"{full} ({self.designation})" if full and self.designation else full or self.username
        )

    def clean(self) -> None:
        super().clean()
        errors: dict[str, list[str]] = {}
        if self.reporting_officer_id is not None and self.pk is not None:
            if self.reporting_officer_id == self.pk:
                errors.setdefault("reporting_officer", []).append(
                    str(_("A person cannot be their own reporting officer."))
                )
            elif self._reporting_chain_reaches_self():
                errors.setdefault("reporting_officer", []).append(
                    str(
                        _(
                            "This would make a loop in the reporting chain: %(officer)s already "
                            "reports, directly or through others, to this person."
                        )
                        % {"officer": self.reporting_officer}
                    )
                )
        if self.countersigning_officer_id is not None:
            if self.pk is not None and self.countersigning_officer_id == self.pk:
                errors.setdefault("countersigning_officer", []).append(
                    str(_("A person cannot be their own countersigning officer."))
                )
            elif self.countersigning_officer_id == self.reporting_officer_id:
                errors.setdefault("countersigning_officer", []).append(
                    str(_("The countersigning officer must differ from the reporting officer."))
                )
        if errors:
            raise ValidationError(errors)

    def _reporting_chain_reaches_self(self) -> bool:
        """Walk up from the proposed reporting officer; reaching self means a cycle."""
        officer_id = self.reporting_officer_id
        seen: set[int] = set()
        while officer_id is not None and officer_id not in seen:
            if officer_id == self.pk:
                return True
            seen.add(officer_id)
            officer_id = (
                User.objects.filter(pk=officer_id)
                .values_list("reporting_officer_id", flat=True)
                .first()
            )
        return False
