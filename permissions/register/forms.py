from __future__ import annotations

from typing import Any, cast

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from permissions.dates import WindowDateField
from permissions.models import Platform
from permissions.models.requests import Capacity, PlatformCategory

from .models import GroupRole, GroupSize, OnlineGroup, SocialAccount
from .selectors import RegisterSearch


def _social_platforms() -> Any:
    return Platform.objects.filter(is_active=True, category=PlatformCategory.SOCIAL_MEDIA)


class _EntryForm(forms.ModelForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["platform"]).queryset = _social_platforms()
        self.fields["since"].label = _("Since (optional)")
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


class AccountForm(_EntryForm):
    class Meta:
        model = SocialAccount
        fields = ["platform", "handle", "capacity", "since"]
        field_classes = {"since": WindowDateField}
        widgets = {"capacity": forms.RadioSelect}
        help_texts = {
            "capacity": _("An official account speaks for your office: it needs permission."),
        }


class GroupForm(_EntryForm):
    class Meta:
        model = OnlineGroup
        fields = ["platform", "name", "purpose", "size", "official", "role", "since"]
        field_classes = {"since": WindowDateField}
        widgets = {
            "purpose": forms.Textarea(attrs={"rows": 3}),
            "size": forms.RadioSelect,
            "role": forms.RadioSelect,
        }
        help_texts = {
            "official": _("Tick if the group is run for your office rather than privately."),
            "role": _("Creating or administering a group needs permission."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["size"]).choices = GroupSize.choices
        cast(forms.ChoiceField, self.fields["role"]).choices = GroupRole.choices


class RegisterSearchForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Search in"),
        choices=[("account", _("Accounts")), ("group", _("Groups"))],
        initial="account",
        required=False,
        widget=forms.RadioSelect,
    )
    q = forms.CharField(label=_("Handle or group name contains"), required=False, max_length=100)
    platform = forms.ModelChoiceField(
        label=_("Platform"),
        required=False,
        queryset=Platform.objects.none(),
        empty_label=_("Any platform"),
    )
    official = forms.ChoiceField(
        label=_("Personal or official"),
        required=False,
        choices=[
            ("", _("Either")),
            ("official", Capacity.OFFICIAL.label),
            ("personal", Capacity.PERSONAL.label),
        ],
    )
    administers = forms.BooleanField(label=_("Only groups the servant administers"), required=False)
    removed = forms.BooleanField(label=_("Include removed entries"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["platform"]).queryset = _social_platforms()
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def search(self) -> RegisterSearch:
        """The search the filters describe; the page reads any that are wrong as not
        given (an export refuses them, through Export.search)."""
        data = self.cleaned_data if self.is_valid() else {}
        official = data.get("official") or ""
        platform = data.get("platform")
        return RegisterSearch(
            kind=data.get("kind") or "account",
            text=(data.get("q") or "").strip(),
            platform_id=platform.pk if platform else None,
            official=None if not official else official == "official",
            administers_only=bool(data.get("administers")),
            include_removed=bool(data.get("removed")),
        )

    def filters_for_record(self) -> dict[str, Any]:
        """The filters used, for the audit chain: plain values (the platform by its id),
        those not used left out."""
        recorded: dict[str, Any] = {}
        for name, value in self.cleaned_data.items():
            if value in (None, "", False):
                continue
            recorded[name] = value.pk if isinstance(value, Platform) else value
        return recorded
