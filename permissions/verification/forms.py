from __future__ import annotations

from typing import Any

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from .codes import normalised


class ShortCodeForm(forms.Form):
    """The code printed on a letter, for whoever holds it on paper."""

    code = forms.CharField(
        label=_("Code on the letter"),
        help_text=_(
            "The 12 letters and numbers printed under the QR code, for example "
            "ABCD-EFGH-JKMN. Capital or small letters, with or without the dashes."
        ),
        # Room for spaces and dashes between the groups, and little more.
        max_length=40,
        error_messages={
            "required": _("Enter the code printed on the letter."),
            "max_length": _("Enter the code as printed on the letter: 12 letters and numbers."),
        },
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "class": "font-monospace",
            }
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        # The page draws the form element and its button. Sent by GET, so crispy adds no
        # CSRF token (views.short_code says why none is needed).
        self.helper.form_tag = False
        self.helper.form_method = "get"

    def clean_code(self) -> str:
        code = normalised(self.cleaned_data["code"])
        if code is None:
            raise forms.ValidationError(
                _("Enter the code as printed on the letter: 12 letters and numbers."),
                code="malformed",
            )
        return code
