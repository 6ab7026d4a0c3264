from __future__ import annotations

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from . import trust

CODE_MAX_LENGTH = 20


def _code_field(label: StrOrPromise, help_text: StrOrPromise) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        max_length=CODE_MAX_LENGTH,
        error_messages={"required": _("Enter the code.")},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "none",
                "spellcheck": "false",
                "autofocus": True,
                "class": "font-monospace",
            }
        ),
    )


class EnrolForm(forms.Form):
    code = _code_field(
        _("Code from the app"),
        _("The 6 digits the app shows for Conduct Portal, for example 123 456."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs["inputmode"] = "numeric"
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Turn on the second factor")))


class VerifyForm(forms.Form):
    code = _code_field(
        _("Code"),
        _(
            "The 6 digits your authenticator app shows now, or one of your backup codes "
            "(8 letters and digits) if you do not have your phone."
        ),
    )
    remember = forms.BooleanField(required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        hours = trust.remember_hours()
        if hours > 0:
            self.fields["remember"].label = _(
                "Do not ask again on this browser for %(hours)d hours"
            ) % {"hours": hours}
            self.fields["remember"].help_text = _(
                "Only on a computer that nobody else uses. You will still need your password."
            )
        else:
            del self.fields["remember"]
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Continue")))


class ConfirmForm(forms.Form):
    """A button that confirms an action explained on its page."""


class ResetForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the reset"),
        help_text=_(
            "Say why, for example how the person reported the loss and how you confirmed "
            "who they are. It is kept on the audit trail and sent to them."
        ),
        min_length=10,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": _("Enter the reason for the reset."),
            "min_length": _("Give the reason in at least 10 characters."),
        },
    )
