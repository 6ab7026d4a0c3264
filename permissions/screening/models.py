"""The phrase lists the pre-screening checks a request's text against: for each ground
of the memorandum, words and phrases in English and in Urdu that suggest the text may
touch it. Kept as records the Establishment Division edits in the admin, each with an
example of a sentence it is meant to catch."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from permissions.models import Ground

from . import matching


class Language(models.TextChoices):
    ENGLISH = "en", _("English")
    URDU = "ur", _("Urdu")


class PhraseQuerySet(models.QuerySet["Phrase"]):
    def in_force(self) -> PhraseQuerySet:
        """Active phrases of grounds in force (active, under an active rule)."""
        return self.filter(
            is_active=True, ground__is_active=True, ground__rule__is_active=True
        ).select_related("ground", "ground__rule")


class Phrase(models.Model):
    ground = models.ForeignKey(
        Ground, verbose_name=_("ground"), on_delete=models.CASCADE, related_name="phrases"
    )
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    phrase = models.CharField(
        _("words to look for"),
        max_length=200,
        help_text=_(
            "One word or a few, as written. Capitals, accents and the Arabic or Urdu forms "
            "of a letter do not matter; a space or a hyphen between words matches either "
            "or none. End a word with * to match any ending: protest* finds protest, "
            "protests and protesters."
        ),
    )
    example = models.CharField(
        _("example"),
        max_length=300,
        help_text=_("A sentence the words should catch, to show what the phrase is for."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = PhraseQuerySet.as_manager()

    class Meta:
        verbose_name = _("pre-screening phrase")
        verbose_name_plural = _("pre-screening phrases")
        ordering = ["ground__sort_key", "language", "phrase"]
        constraints = [
            models.UniqueConstraint(
                fields=["ground", "language", "phrase"], name="screening_phrase_once_per_ground"
            )
        ]

    def __str__(self) -> str:
        return self.phrase

    def clean(self) -> None:
        try:
            pattern = matching.compile_phrase(self.phrase)
        except ValueError as error:
            raise ValidationError({"phrase": str(error)}) from None
        if self.example and not matching.find(pattern, self.example):
            raise ValidationError(
                {"example": _("These words do not catch this example. Check both.")}
            )
