"""The bulk decision's two questions: which requests, and what to decide on all of them.

The fields an approval shares with the one-request decision form (validity, standard and
further conditions, the comment for the record) are that form's own, so both ask in the
same words and keep the same limits."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from permissions.forms import DecisionForm
from permissions.states import Action

# Enough for a long inbox, few enough that one page of outcomes can be read through.
MAX_SELECTED = 100


class SelectionField(forms.Field):
    """The ids of the chosen requests, once each, in the order given."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {
        "required": _("Select the requests you want to decide first."),
        "invalid": _("The selection could not be read. Select the requests again."),
    }

    def to_python(self, value: Any) -> list[int]:
        if not value:
            return []
        if not isinstance(value, list | tuple):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        chosen: list[int] = []
        for item in value:
            try:
                pk = int(item)
            except (TypeError, ValueError):
                raise ValidationError(self.error_messages["invalid"], code="invalid") from None
            if pk <= 0:
                raise ValidationError(self.error_messages["invalid"], code="invalid")
            if pk not in chosen:
                chosen.append(pk)
        return chosen

    def validate(self, value: Any) -> None:
        super().validate(value)
        if len(value) > MAX_SELECTED:
            raise ValidationError(
                ngettext_lazy(
                    "You selected %(count)d requests; decide at most %(limit)d at a time.",
                    "You selected %(count)d requests; decide at most %(limit)d at a time.",
                    "count",
                ),
                code="too_many",
                params={"count": len(value), "limit": MAX_SELECTED},
            )


class SelectionForm(forms.Form):
    selected = SelectionField()


class BulkDecisionForm(forms.Form):
    """Approve or return every chosen request. Rejection is not offered: each needs the
    rule it would breach and reasons of its own (Rule 22, 24, 25 …), so it is decided one
    request at a time."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        widget=forms.RadioSelect,
        choices=[
            (Action.APPROVE, _("Approve")),
            (Action.RETURN, _("Return for clarification")),
        ],
        error_messages={"required": _("Choose whether to approve or return the requests.")},
        help_text=_(
            "Rejecting is not offered here: each rejection needs the rule the request would "
            "breach and reasons of its own. To reject one of these requests, open it from "
            "the list above."
        ),
    )
    valid_from = DecisionForm.base_fields["valid_from"]
    valid_until = DecisionForm.base_fields["valid_until"]
    conditions = DecisionForm.base_fields["conditions"]
    conditions_text = DecisionForm.base_fields["conditions_text"]
    question = forms.CharField(
        label=_("Your question to the applicants"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Required when returning. Each applicant reads it with their own request, "
            "and answers by amending and resubmitting it."
        ),
    )
    comment = DecisionForm.base_fields["comment"]

    def __init__(self, *args: Any, sets_validity: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if sets_validity:
            self.fields["valid_from"].help_text = _(
                "Leave empty to give each request the day or period it asked for."
            )
        else:
            # No chosen request is at its last step: the last officer sets validity.
            del self.fields["valid_from"]
            del self.fields["valid_until"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        decision = data.get("decision")
        if decision == Action.RETURN and not (data.get("question") or "").strip():
            self.add_error("question", _("Write the question the applicants should answer."))
        if decision != Action.APPROVE:
            return data
        # Checked once here rather than refused once for every request chosen.
        valid_from: datetime.date | None = data.get("valid_from")
        valid_until: datetime.date | None = data.get("valid_until")
        if valid_until and valid_until < timezone.localdate():
            self.add_error("valid_until", _("An approval cannot end in the past."))
        elif valid_from and valid_until and valid_until < valid_from:
            self.add_error("valid_until", _("'Valid until' must not be before 'valid from'."))
        elif (
            valid_from
            and valid_until
            and (valid_until - valid_from).days > settings.APPROVAL_MAX_DAYS
        ):
            self.add_error(
                "valid_until",
                _("An approval may last at most %(days)s days.")
                % {"days": settings.APPROVAL_MAX_DAYS},
            )
        return data
