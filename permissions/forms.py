from __future__ import annotations

import datetime
from typing import Any, cast

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from .content import EDITABLE_FIELDS
from .dates import WindowDateField, WindowDateTimeField
from .models import ConductRule, Delegation, Ground, PermissionRequest, Platform
from .models.notifications import ALWAYS_EMAILED, NotificationKind
from .models.requests import Capacity, PlatformCategory, StandardCondition
from .states import Action, Status
from .submission import declaration_in_force
from .workflow import Approval


class LoginForm(AuthenticationForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # No autofocus: it would jump past the skip link and the sign-in notice, which a
        # screen reader would then not read.
        self.fields["username"].widget.attrs.pop("autofocus", None)
        self.fields["username"].widget.attrs.update({"autocomplete": "username"})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Sign in"), css_class="w-100"))


class PortalPasswordChangeForm(PasswordChangeForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Change password")))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked by the attachment service."""

    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


class RequestForm(forms.ModelForm[PermissionRequest]):
    """The applicant's form. Saving a draft needs only platform, kind and topic; the
    rest is checked at submission (``permissions.submission``), beside each field.

    As GOV.UK forms do, every question is needed unless its label says "(optional)"; no
    answer is chosen for the applicant in advance."""

    # Never needed to submit; their labels say so.
    OPTIONAL = ("outlet_url", "attachments")

    attachments = MultipleFileField(
        label=_("Attachments"),
        required=False,
        help_text=_(
            "Draft script, article or post: PDF, JPEG, PNG or Word (.docx), up to 10 MB each."
        ),
    )
    # A link typed without a scheme is taken as https.
    outlet_url = forms.URLField(
        label=_("Link to the outlet, programme or post"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=_("For example the programme's page or the account's address."),
    )
    # Its words are the rules and grounds in force (``submission.declaration_in_force``),
    # set when the form is made.
    declaration = forms.BooleanField(required=False)

    class Meta:
        model = PermissionRequest
        fields = EDITABLE_FIELDS
        field_classes = {
            "event_at": WindowDateTimeField,
            "period_start": WindowDateField,
            "period_end": WindowDateField,
        }
        labels = {
            "outlet": _("Outlet, programme or handle"),
            "summary": _("What will be said or posted"),
            "capacity": _("In what capacity will you take part?"),
            "account_type": _("Which account will you post from?"),
            "timing": _("When will you take part?"),
            "period_start": _("From"),
            "period_end": _("Until"),
            "official_information": _("Official information or documents are involved"),
            "official_information_justification": _("Why is official information involved?"),
            "honorarium": _("An honorarium or fee is offered"),
            "honorarium_amount": _("Amount of the honorarium, in rupees"),
        }
        help_texts = {
            "topic": _("In a few words, as it would appear in a list."),
            "account_type": _("Only for social media."),
            "event_at": _("The day and time of the appearance, interview or post."),
            "official_information": _(
                "Tick if you will use or mention anything you know through your post (Rule 18)."
            ),
            "official_information_justification": _(
                "Say what information, and why it may be shared."
            ),
            "honorarium_amount": _("For example 15000."),
        }
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 5}),
            "official_information_justification": forms.Textarea(attrs={"rows": 3}),
            "capacity": forms.RadioSelect,
            "timing": forms.RadioSelect,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        platforms = Platform.objects.filter(is_active=True)
        cast(forms.ModelChoiceField, self.fields["platform"]).queryset = platforms
        # The account questions apply to social media alone; the page reveals them for
        # these platforms.
        self.social_platforms = ",".join(
            str(pk)
            for pk in platforms.filter(category=PlatformCategory.SOCIAL_MEDIA).values_list(
                "pk", flat=True
            )
        )
        # The capacity is the applicant's to state (routing depends on it): nothing is
        # chosen before they choose, and a draft may leave it for later.
        capacity = cast(forms.ChoiceField, self.fields["capacity"])
        capacity.required = False
        capacity.choices = Capacity.choices
        if self.instance._state.adding and not self.is_bound:
            self.initial.pop("capacity", None)
            capacity.initial = None
        for name in self.OPTIONAL:
            self.fields[name].label = _("%(label)s (optional)") % {"label": self.fields[name].label}
        self.declared = declaration_in_force()
        self.fields["declaration"].label = self.declared.text
        if self.declared.grounds:
            # The grounds listed under the question (request_form.html) are read with it.
            self.fields["summary"].widget.attrs["aria-describedby"] = (
                "id_summary_helptext summary-grounds"
            )
        # Which category each platform is in, for the page to show the grounds that bear
        # on the one chosen (static/js/forms.js), and the one chosen when the page is drawn.
        category_of = {str(pk): cat for pk, cat in platforms.values_list("pk", "category")}
        self.platform_categories = " ".join(f"{pk}={cat}" for pk, cat in category_of.items())
        self.chosen_category = category_of.get(str(self["platform"].value() or ""), "")
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


def approval_from(data: dict[str, Any]) -> Approval:
    """What an approval sets, from a decision form's cleaned data (this one's, or the
    bulk decision's, which asks the same questions)."""
    return Approval(
        valid_from=data.get("valid_from"),
        valid_until=data.get("valid_until"),
        conditions=list(data["conditions"]),
        conditions_text=data["conditions_text"],
        comment=data["comment"],
    )


class DecisionForm(forms.Form):
    # The workflow's own actions; the buttons say what the officer does, in the imperative.
    decision = forms.ChoiceField(
        label=_("Decision"),
        widget=forms.RadioSelect,
        choices=[
            (Action.APPROVE, _("Approve")),
            (Action.RETURN, _("Return for clarification")),
            (Action.REJECT, _("Reject")),
        ],
    )
    valid_from = WindowDateField(label=_("Valid from"), required=False)
    valid_until = WindowDateField(label=_("Valid until"), required=False)
    conditions = forms.MultipleChoiceField(
        label=_("Conditions (optional)"),
        required=False,
        choices=StandardCondition.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    # The permission letter prints every condition on its one page: room for a long
    # paragraph from each of two officers.
    conditions_text = forms.CharField(
        label=_("Further conditions (optional)"),
        required=False,
        max_length=600,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Printed on the permission letter. At most 600 characters."),
    )
    rule = forms.ModelChoiceField(
        label=_("Rule the request would breach"),
        queryset=ConductRule.objects.none(),
        required=False,
        help_text=_("Required when rejecting."),
    )
    grounds = forms.ModelMultipleChoiceField(
        label=_("Grounds the request touches (optional)"),
        queryset=Ground.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("From the Establishment Division's instructions; the applicant reads them."),
    )
    reason = forms.CharField(
        label=_("Reasons"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when rejecting or returning; the applicant reads them."),
    )
    comment = forms.CharField(
        label=_("Comment for the record (optional)"),
        help_text=_("Kept on the request's record with your decision."),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self, *args: Any, rules: Any, is_last_step: bool, grounds: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["rule"]).queryset = rules
        grounds_field = cast(forms.ModelMultipleChoiceField, self.fields["grounds"])
        # Each offered with the rule it falls under (Ground.__str__), as the officer cites it.
        grounds_field.queryset = Ground.objects.in_force() if grounds is None else grounds
        self.is_last_step = is_last_step
        if not is_last_step:
            # The validity is set by the last step's officer.
            del self.fields["valid_from"]
            del self.fields["valid_until"]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        decision = data.get("decision")
        if decision in {Action.REJECT, Action.RETURN} and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Give the reasons; the applicant will read them."))
        if decision == Action.REJECT and not data.get("rule"):
            self.add_error("rule", _("Choose the rule the request would breach."))
        valid_from: datetime.date | None = data.get("valid_from")
        valid_until: datetime.date | None = data.get("valid_until")
        if valid_from and valid_until and valid_until < valid_from:
            self.add_error("valid_until", _("'Valid until' must not be before 'valid from'."))
        return data


class ReasonForm(forms.Form):
    """Withdrawal (reason optional) and revocation (reason required)."""

    reason = forms.CharField(label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, required: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = required
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


class DelegationForm(forms.ModelForm[Delegation]):
    class Meta:
        model = Delegation
        fields = ["delegate", "starts_on", "ends_on", "reason"]
        field_classes = {"starts_on": WindowDateField, "ends_on": WindowDateField}
        labels = {"delegate": _("Officer who will act for you")}

    def __init__(self, *args: Any, delegates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["delegate"]).queryset = delegates
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean(self) -> dict[str, Any]:
        # Checked here so the message sits beside "until"; left to the model, the
        # dates-ordered constraint would surface as an unexplained form-wide error.
        data = super().clean() or {}
        starts_on: datetime.date | None = data.get("starts_on")
        ends_on: datetime.date | None = data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("The delegation cannot end before it starts."))
        return data


class RequestFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *Status.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )


__all__ = [
    "DecisionForm",
    "DelegationForm",
    "EmailPreferencesForm",
    "LoginForm",
    "PortalPasswordChangeForm",
    "ReasonForm",
    "RequestFilterForm",
    "RequestForm",
]


class EmailPreferencesForm(forms.Form):
    """Which notifications also come by e-mail. All are shown in the portal; decisions on
    one's own requests are always e-mailed and so are not offered here."""

    emailed = forms.MultipleChoiceField(
        label=_("Send me an e-mail when"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    @staticmethod
    def switchable() -> list[str]:
        return [kind for kind in NotificationKind.values if kind not in ALWAYS_EMAILED]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(NotificationKind.choices)
        cast(forms.MultipleChoiceField, self.fields["emailed"]).choices = [
            (kind, labels[kind]) for kind in self.switchable()
        ]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
