"""The grounds a servant's media use must never touch, and the instructions that set
them out: the Establishment Division's O.M. of 2 September 2024 and the earlier
instructions it cites. Kept as data, beside the rules, so the Division can amend them
without a release; the declaration and the officers' reasons are built from them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .requests import ConductRule, PlatformCategory
from .translated import Translated, left_to_right


class Instruction(Translated, models.Model):
    """An instruction of the Establishment Division on media use: a circular or an
    office memorandum, named where the rules are listed."""

    reference = models.CharField(
        _("reference"), max_length=100, unique=True, help_text=_("e.g. F.No. 14/04/2021-D-II")
    )
    kind = models.CharField(_("kind"), max_length=60, help_text=_("e.g. Circular or O.M."))
    dated = models.DateField(_("dated"))
    title = models.CharField(_("subject"), max_length=200)
    title_ur = models.CharField(_("subject in Urdu"), max_length=200, blank=True)
    is_active = models.BooleanField(_("shown to applicants"), default=True)
    sort_key = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("instruction")
        verbose_name_plural = _("instructions")
        ordering = ["sort_key", "dated", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.reference}"


class GroundQuerySet(models.QuerySet["Ground"]):
    def in_force(self) -> GroundQuerySet:
        """Active grounds under an active rule, in the order the admin sets."""
        return self.filter(is_active=True, rule__is_active=True).select_related("rule")


class Ground(Translated, models.Model):
    """One thing the memorandum says a servant's media use must never touch, under the
    rule that bars it."""

    title = models.CharField(
        _("title"), max_length=120, unique=True, help_text=_("Short, e.g. National security.")
    )
    explanation = models.TextField(
        _("explanation"), help_text=_("One plain sentence the applicant will understand.")
    )
    title_ur = models.CharField(_("title in Urdu"), max_length=120, blank=True)
    explanation_ur = models.TextField(_("explanation in Urdu"), blank=True)
    rule = models.ForeignKey(
        ConductRule, verbose_name=_("rule"), on_delete=models.PROTECT, related_name="grounds"
    )
    paragraph = models.CharField(
        _("where the instructions say it"),
        max_length=120,
        help_text=_("e.g. O.M. of 2 September 2024, para 2"),
    )
    platform_categories = models.JSONField(
        _("platform categories"),
        default=list,
        blank=True,
        help_text=_("Shown beside requests for these; none ticked bears on every category."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    sort_key = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = GroundQuerySet.as_manager()

    class Meta:
        verbose_name = _("ground")
        verbose_name_plural = _("grounds")
        ordering = ["sort_key", "title"]

    def __str__(self) -> str:
        return _("%(title)s (Rule %(number)s)") % {
            "title": self.local("title"),
            "number": left_to_right(self.rule.number),
        }

    def citation(self) -> dict[str, str | int]:
        """The ground as an officer cites it: kept on the request and on the chain in
        these words, whatever the admin rewords later."""
        return {
            "id": self.pk,
            "title": self.title,
            "rule": self.rule.number,
            "explanation": self.explanation,
        }

    def bears_on(self, category: str) -> bool:
        return not self.platform_categories or category in self.platform_categories

    @property
    def category_labels(self) -> list[str]:
        labels = dict(PlatformCategory.choices)
        return [str(labels.get(code, code)) for code in self.platform_categories]
