"""The console's filter forms. They are GET forms, so a search is a URL that can be kept
and shared; a value that cannot be used is shown beside its field, never a server error."""

from __future__ import annotations

import datetime
import hashlib
from typing import Any, ClassVar

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Div, Field, Layout, Row
from django import forms
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ..dates import WindowDateField
from ..models.requests import PlatformCategory
from ..states import Action, Status
from .selectors import (
    DEFAULT_REQUEST_SORT,
    REQUEST_SORTS,
    AuditLogSearch,
    DateRange,
    OrganisationOf,
    OrganisationTree,
    RequestSearch,
)


class DayField(WindowDateField):
    """An optional day of a filter, inside the portal's window of dates: a day beyond it
    could match nothing, and near the calendar's ends cannot be turned into a moment."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)


class LongSelect(forms.Select):
    """A <select> whose options are written in one pass in Python, not through a template
    each: the organisation list holds every ministry, division and department (hundreds),
    and a template per option made it most of the console's page time. The markup is
    the same as Django's: the value, `selected`, the label, each escaped."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        context = self.get_context(name, value, attrs)["widget"]
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (option["value"], " selected" if option["selected"] else "", option["label"])
                for _group, group_options, _index in context["optgroups"]
                for option in group_options
            ),
        )
        # In their order, as Django's attrs.html writes them (flatatt puts the bare
        # ones last).
        attributes = format_html_join(
            "",
            "{}{}",
            (
                (format_html(" {}", key), "" if value is True else format_html('="{}"', value))
                for key, value in context["attrs"].items()
                if value is not False and value is not None
            ),
        )
        return format_html('<select name="{}"{}>{}</select>', context["name"], attributes, options)


class MoreFilters(Div):
    """The filters used less often, folded into a <details> ("More filters") under the
    three most used, so that the results start near the top of the page. Native, so it
    opens and closes without a script; drawn open when one of its filters is set (or
    wrong), so that no filter in use is out of sight. Being drawn from the search asked,
    it is kept in the cache with the rest of the form (rendering_key)."""

    template = "console/_more_filters.html"

    def render(self, form: Any, context: Any, template_pack: Any = None, **kwargs: Any) -> str:
        fields = self.get_rendered_fields(form, context, template_pack, **kwargs)
        names = [pointer.name for pointer in self.get_field_names()]
        return render_to_string(self.template, {"fields": fields, "open": form.any_in_use(names)})


def _blank(label: Any) -> list[tuple[Any, Any]]:
    return [("", label)]


def _choices_of(field: forms.ChoiceField) -> list[tuple[Any, Any]]:
    """A choice field's (value, label) pairs; the console's have no groups."""
    choices: Any = field.choices
    return list(choices)


class _ConsoleFilterForm(forms.Form):
    """Shared behaviour: ordered date ranges, and the filters as they go in the audit
    trail when the result is exported."""

    date_ranges: tuple[tuple[str, str], ...] = ()
    # Values a filter's widget sends when the reader left it alone (a select with no
    # blank choice sends its first), which are no sign of the filter in use.
    untouched: ClassVar[dict[str, str]] = {}

    def any_in_use(self, names: list[str]) -> bool:
        """Whether any of these filters was given a value of the reader's, or has an error."""
        if not self.is_bound:
            return False
        for name in names:
            value = self[name].value()
            if self.errors.get(name) or value not in (None, "", self.untouched.get(name)):
                return True
        return False

    def rendering_key(self) -> str | None:
        """What the drawn form depends on, as a cache key; None when it has errors."""
        if self.is_bound and self.errors:
            return None
        asked: list[tuple[str, tuple[str, ...]]] = []
        if self.is_bound:
            data = self.data
            asked = sorted(
                (name, tuple(data.getlist(name)) if hasattr(data, "getlist") else (data[name],))
                for name in data
            )
        # Labels as the reader sees them (lazy translations drawn in the active language).
        choices = [
            (name, [(str(value), str(label)) for value, label in _choices_of(field)])
            for name, field in self.fields.items()
            if isinstance(field, forms.ChoiceField)
        ]
        drawn = repr((type(self).__name__, get_language(), asked, choices))
        return "console-filters:" + hashlib.sha256(drawn.encode()).hexdigest()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for start_name, end_name in self.date_ranges:
            start, end = cleaned.get(start_name), cleaned.get(end_name)
            if start is not None and end is not None and end < start:
                self.add_error(
                    end_name,
                    _("This date is before %(start)s; the range would hold nothing.")
                    % {"start": date_format(start)},
                )
        return cleaned

    def filters_for_record(self) -> dict[str, Any]:
        """The filters used, as plain values (ids and ISO dates), empty ones left out."""
        recorded: dict[str, Any] = {}
        for name, value in self.cleaned_data.items():
            if value in (None, ""):
                continue
            recorded[name] = value.isoformat() if isinstance(value, datetime.date) else value
        return recorded

    def _range(self, start: str, end: str) -> DateRange:
        return DateRange(self.cleaned_data.get(start), self.cleaned_data.get(end))

    def _organisations(self, tree: OrganisationTree) -> frozenset[int] | None:
        chosen = self.cleaned_data.get("organisation")
        return None if chosen is None else tree.with_parts(chosen)


class RequestSearchForm(_ConsoleFilterForm):
    reference = forms.CharField(label=_("Reference"), max_length=20, required=False)
    applicant = forms.CharField(
        label=_("Servant"),
        max_length=100,
        required=False,
        help_text=_("Part of the name or user name."),
    )
    organisation = forms.TypedChoiceField(
        label=_("Organisation"),
        widget=LongSelect,
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("Includes its attached departments and offices."),
    )
    category = forms.ChoiceField(
        label=_("Platform category"),
        choices=_blank(_("Any category")) + list(PlatformCategory.choices),
        required=False,
    )
    platform = forms.TypedChoiceField(
        label=_("Platform"), coerce=int, empty_value=None, required=False
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=_blank(_("Any status")) + list(Status.choices), required=False
    )
    decided_by = forms.CharField(
        label=_("Decided by"),
        max_length=100,
        required=False,
        help_text=_("An officer who approved, rejected, returned or revoked it."),
    )
    text = forms.CharField(
        label=_("Topic or outlet"),
        max_length=200,
        required=False,
        help_text=_("Every word must appear in the topic or the outlet."),
    )
    submitted_from = DayField(label=_("Submitted from"))
    submitted_to = DayField(label=_("Submitted until"))
    decided_from = DayField(label=_("Decided from"))
    decided_to = DayField(label=_("Decided until"))
    valid_from = DayField(
        label=_("Valid from"), help_text=_("Approvals valid on any day of the range.")
    )
    valid_to = DayField(label=_("Valid until"))
    sort = forms.ChoiceField(
        label=_("Sort"),
        choices=[(key, label) for key, (label, _key) in REQUEST_SORTS.items()],
        required=False,
    )

    date_ranges = (
        ("submitted_from", "submitted_to"),
        ("decided_from", "decided_to"),
        ("valid_from", "valid_to"),
    )
    untouched = {"sort": DEFAULT_REQUEST_SORT}

    def __init__(
        self,
        data: Any = None,
        *,
        tree: OrganisationTree,
        platforms: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(data, **kwargs)
        self.tree = tree
        organisation = self.fields["organisation"]
        assert isinstance(organisation, forms.ChoiceField)  # noqa: S101 - declared above
        organisation.choices = _blank(_("Every organisation")) + tree.choices()
        platform = self.fields["platform"]
        assert isinstance(platform, forms.ChoiceField)  # noqa: S101 - declared above
        platform.choices = _blank(_("Any platform")) + platforms
        self.helper = _helper(
            reverse("console-requests"),
            Layout(
                # What auditors look for most: what was asked about, where it stands,
                # and in which ministry.
                Row(
                    Column("text", css_class="col-sm-6 col-lg-4"),
                    Column("status", css_class="col-sm-6 col-lg-4"),
                    Column("organisation", css_class="col-lg-4"),
                ),
                MoreFilters(
                    Row(
                        Column("reference", css_class="col-sm-6 col-lg-4"),
                        Column("applicant", css_class="col-sm-6 col-lg-4"),
                        Column("decided_by", css_class="col-sm-6 col-lg-4"),
                        Column("category", css_class="col-sm-6 col-lg-4"),
                        Column("platform", css_class="col-sm-6 col-lg-4"),
                        Column("sort", css_class="col-sm-6 col-lg-4"),
                    ),
                    Row(
                        Column(Field("submitted_from"), css_class="col-sm-6 col-lg-2"),
                        Column(Field("submitted_to"), css_class="col-sm-6 col-lg-2"),
                        Column(Field("decided_from"), css_class="col-sm-6 col-lg-2"),
                        Column(Field("decided_to"), css_class="col-sm-6 col-lg-2"),
                        Column(Field("valid_from"), css_class="col-sm-6 col-lg-2"),
                        Column(Field("valid_to"), css_class="col-sm-6 col-lg-2"),
                    ),
                ),
            ),
        )

    def search(self) -> RequestSearch:
        data = self.cleaned_data
        return RequestSearch(
            reference=data["reference"].strip(),
            applicant=data["applicant"].strip(),
            organisations=self._organisations(self.tree),
            platform=data["platform"],
            category=data["category"],
            status=data["status"],
            decided_by=data["decided_by"].strip(),
            submitted=self._range("submitted_from", "submitted_to"),
            decided=self._range("decided_from", "decided_to"),
            valid=self._range("valid_from", "valid_to"),
            text=data["text"].strip(),
            sort=data["sort"] or DEFAULT_REQUEST_SORT,
        )


class AuditLogForm(_ConsoleFilterForm):
    actor = forms.CharField(
        label=_("By"), max_length=100, required=False, help_text=_("Part of the name or user name.")
    )
    action = forms.ChoiceField(label=_("Action"), required=False)
    start = DayField(label=_("From"))
    end = DayField(label=_("Until"))
    organisation = forms.TypedChoiceField(
        label=_("Organisation"),
        widget=LongSelect,
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("Includes its attached departments and offices."),
    )
    organisation_of = forms.ChoiceField(
        label=_("Organisation of"),
        choices=[
            (OrganisationOf.EITHER, _("the person acting or the request")),
            (OrganisationOf.ACTOR, _("the person acting")),
            (OrganisationOf.REQUEST, _("the request's applicant")),
        ],
        required=False,
    )

    date_ranges = (("start", "end"),)
    untouched = {"organisation_of": OrganisationOf.EITHER}

    def __init__(self, data: Any = None, *, tree: OrganisationTree, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.tree = tree
        action = self.fields["action"]
        assert isinstance(action, forms.ChoiceField)  # noqa: S101 - declared above
        action.choices = _blank(_("Any action")) + list(Action.choices)
        organisation = self.fields["organisation"]
        assert isinstance(organisation, forms.ChoiceField)  # noqa: S101 - declared above
        organisation.choices = _blank(_("Every organisation")) + tree.choices()
        self.helper = _helper(
            reverse("console-audit-log"),
            Layout(
                Row(
                    Column("action", css_class="col-sm-6 col-lg-4"),
                    Column("actor", css_class="col-sm-6 col-lg-4"),
                    Column("organisation", css_class="col-lg-4"),
                ),
                MoreFilters(
                    Row(
                        Column(Field("start"), css_class="col-sm-6 col-lg-4"),
                        Column(Field("end"), css_class="col-sm-6 col-lg-4"),
                        Column("organisation_of", css_class="col-lg-4"),
                    ),
                ),
            ),
        )

    def search(self) -> AuditLogSearch:
        data = self.cleaned_data
        return AuditLogSearch(
            actor=data["actor"].strip(),
            action=data["action"],
            when=self._range("start", "end"),
            organisations=self._organisations(self.tree),
            organisation_of=data["organisation_of"] or OrganisationOf.EITHER,
        )


def _helper(action: str, layout: Layout) -> FormHelper:
    helper = FormHelper()
    helper.form_method = "get"
    helper.form_action = action
    helper.disable_csrf = True
    helper.attrs = {"role": "search"}
    layout.append(
        Row(
            Column(
                HTML(
                    "{% load i18n %}"
                    '<button type="submit" class="btn btn-primary">'
                    '{% translate "Search" %}</button>'
                    f'<a class="btn btn-link" href="{action}">'
                    '{% translate "Clear the filters" %}</a>'
                ),
                css_class="col-12 d-flex gap-2",
            )
        )
    )
    helper.layout = layout
    return helper
