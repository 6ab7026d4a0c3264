"""Pages: authorise, parse a form, call one service or workflow action, redirect."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import integrity, selectors, services, workflow
from .attachments import AttachmentRefused
from .audit import origin_of
from .authority import may_revoke, step_for_decision
from .errors import AlreadyDecided, WorkflowError
from .forms import (
    DecisionForm,
    DelegationForm,
    EmailPreferencesForm,
    ReasonForm,
    RequestFilterForm,
    RequestForm,
    approval_from,
)
from .models import Delegation, Notification, PermissionRequest, User
from .roles import Roles, request_roles
from .states import EDITABLE, WITHDRAWABLE, Action, Status


def _roles(request: HttpRequest) -> Roles:
    roles = request_roles(request)
    if roles is None:  # only reachable behind login_required
        raise PermissionDenied
    return roles


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _rows_or_page(request: HttpRequest, template: str, rows_target: str) -> str:
    """The page's template, or only its `rows` partial when htmx asks to refresh the
    element `rows_target` (filters and "more" links swap the rows in place)."""
    htmx = getattr(request, "htmx", None)
    if htmx and htmx.target == rows_target:
        return f"{template}#rows"
    return template


def _apply_field_errors(form: Any, error: WorkflowError) -> None:
    for name, field_messages in error.field_errors.items():
        target = name if name in form.fields else None
        for message in field_messages:
            form.add_error(target, message)


# --- home and profile ------------------------------------------------------------------


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Each person lands on the page their role uses most."""
    return redirect(_roles(request).home_url_name)


@login_required
@require_GET
def profile(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    person = selectors.person_profile(user_id=user.pk)
    return render(
        request,
        "permissions/profile.html",
        {
            "person": person,
            "delegations": selectors.delegations_of(officer=user),
            "delegation_form": DelegationForm(delegates=selectors.delegate_choices(officer=user)),
        },
    )


# --- the servant's pages ---------------------------------------------------------------


@login_required
@require_GET
def my_requests(request: HttpRequest) -> HttpResponse:
    filter_form = RequestFilterForm(request.GET)
    filters = selectors.RequestFilters()
    if filter_form.is_valid():
        filters = selectors.RequestFilters(
            status=filter_form.cleaned_data["status"], q=filter_form.cleaned_data["q"].strip()
        )
    page = selectors.requests_of_applicant(
        applicant=_user(request), filters=filters, cursor=request.GET.get("after")
    )
    context = {"page": page, "filter_form": filter_form, "filters": filters}
    return render(
        request, _rows_or_page(request, "permissions/my_requests.html", "request-rows"), context
    )


def _save_attachments(
    request: HttpRequest, form: RequestForm, permission_request: PermissionRequest
) -> bool:
    """Attach each uploaded file; a refused file leaves a message beside the field."""
    user = _user(request)
    all_attached = True
    for upload in form.cleaned_data.get("attachments") or []:
        try:
            services.attachment_add(
                request=permission_request, by=user, upload=upload, origin=origin_of(request)
            )
        except AttachmentRefused as refused:
            form.add_error("attachments", refused.message)
            all_attached = False
    return all_attached


def _after_save(
    request: HttpRequest,
    form: RequestForm,
    permission_request: PermissionRequest,
) -> HttpResponse:
    """Shared end of 'new' and 'edit': attachments, then submit when asked to."""
    user = _user(request)
    attached = _save_attachments(request, form, permission_request)
    wants_submit = "submit" in request.POST
    if not attached:
        return _back_to_edit(
            request,
            form,
            permission_request,
            note=_("Your request is saved as it stands, but not every file was attached."),
        )
    if not wants_submit:
        messages.success(
            request,
            _("Draft %(reference)s saved.") % {"reference": permission_request.reference},
        )
        return redirect("request-edit", pk=permission_request.pk)
    try:
        action = (
            workflow.resubmit if permission_request.status == Status.RETURNED else workflow.submit
        )
        action(
            permission_request.pk,
            by=user,
            declaration=bool(form.cleaned_data.get("declaration")),
            origin=origin_of(request),
        )
    except WorkflowError as error:
        _apply_field_errors(form, error)
        return _back_to_edit(
            request,
            form,
            permission_request,
            note=_("%(problem)s Your changes are saved as a draft.") % {"problem": error.message},
        )
    messages.success(
        request,
        _("%(reference)s has been submitted to %(officer)s.")
        % {"reference": permission_request.reference, "officer": user.reporting_officer},
    )
    return redirect("request-detail", pk=permission_request.pk)


def _problems_key(pk: int) -> str:
    return f"request-problems-{pk}"


def _back_to_edit(
    request: HttpRequest, form: RequestForm, permission_request: PermissionRequest, note: str
) -> HttpResponse:
    """The request is saved but not submitted: show its problems on its own edit page.

    Redirected rather than rendered, so that the address, the title and the page agree
    (a first save from /requests/new/ has made the draft) and reloading posts nothing
    again. The problems and the ticked declaration ride in the session for one view."""
    request.session[_problems_key(permission_request.pk)] = {
        "errors": {
            name: [str(message) for message in field_messages]
            for name, field_messages in form.errors.items()
        },
        "declaration": bool(form.cleaned_data.get("declaration")),
        "note": str(note),
    }
    return redirect("request-edit", pk=permission_request.pk)


def _form_with_kept_problems(
    request: HttpRequest, permission_request: PermissionRequest
) -> tuple[RequestForm, str]:
    kept = request.session.pop(_problems_key(permission_request.pk), None)
    if not kept:
        return RequestForm(instance=permission_request), ""
    form = RequestForm(
        instance=permission_request, initial={"declaration": kept.get("declaration", False)}
    )
    # An unbound form has no cleaned data for add_error to prune.
    form.cleaned_data = {}
    for name, field_messages in kept.get("errors", {}).items():
        for message in field_messages:
            form.add_error(None if name == NON_FIELD_ERRORS else name, message)
    return form, kept.get("note", "")


def _render_edit(
    request: HttpRequest,
    form: RequestForm,
    permission_request: PermissionRequest | None,
    status: int = 200,
    problem_note: str = "",
) -> HttpResponse:
    return render(
        request,
        "permissions/request_form.html",
        {
            "form": form,
            "permission_request": permission_request,
            "rules": selectors.rules_for_guidance(),
            "problem_note": problem_note,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if request.method == "POST":
        form = RequestForm(request.POST, request.FILES)
        if form.is_valid():
            permission_request = services.request_create(applicant=user, data=form.cleaned_data)
            return _after_save(request, form, permission_request)
        return _render_edit(request, form, None, problem_note=_("The request was not saved."))
    return _render_edit(request, RequestForm(), None)


def _own_editable(request: HttpRequest, pk: int) -> PermissionRequest:
    permission_request = selectors.request_for_viewer(user=_user(request), pk=pk)
    if permission_request.applicant_id != _user(request).pk:
        raise Http404
    return permission_request


@login_required
@require_http_methods(["GET", "POST"])
def request_edit(request: HttpRequest, pk: int) -> HttpResponse:
    permission_request = _own_editable(request, pk)
    if permission_request.status not in EDITABLE:
        messages.info(
            request,
            _("%(reference)s can no longer be changed.")
            % {"reference": permission_request.reference},
        )
        return redirect("request-detail", pk=pk)
    if request.method == "POST":
        form = RequestForm(request.POST, request.FILES, instance=permission_request)
        if form.is_valid():
            try:
                services.request_update(
                    request=permission_request,
                    by=_user(request),
                    data=form.cleaned_data,
                    origin=origin_of(request),
                )
            except WorkflowError as error:
                messages.error(request, error.message)
                return redirect("request-detail", pk=pk)
            return _after_save(request, form, permission_request)
        return _render_edit(
            request, form, permission_request, problem_note=_("The changes were not saved.")
        )
    form, note = _form_with_kept_problems(request, permission_request)
    return _render_edit(request, form, permission_request, problem_note=note)


@login_required
@require_POST
def attachment_remove(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    permission_request = _own_editable(request, pk)
    attachment = get_object_or_404(permission_request.attachments, pk=attachment_pk)
    try:
        services.attachment_remove(
            attachment=attachment, by=_user(request), origin=origin_of(request)
        )
    except WorkflowError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(name)s was removed.") % {"name": attachment.original_name})
    return redirect("request-edit", pk=pk)


@login_required
@require_GET
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    permission_request = selectors.request_for_viewer(user=user, pk=pk)
    step = step_for_decision(permission_request, user)
    events = selectors.timeline(request=permission_request)
    is_applicant = permission_request.applicant_id == user.pk
    return render(
        request,
        "permissions/request_detail.html",
        {
            "permission_request": permission_request,
            "events": events,
            # The checks' findings are for the officers; the applicant is not shown them.
            "panels": []
            if is_applicant
            else selectors.submission_panels(request=permission_request, events=events),
            "is_applicant": is_applicant,
            "can_decide": step is not None,
            "can_revoke": permission_request.status == Status.APPROVED
            and may_revoke(permission_request, user),
            "editable": permission_request.status in EDITABLE,
            "withdrawable": permission_request.status in WITHDRAWABLE,
            "renewable": selectors.renewable(request=permission_request),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def request_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    permission_request = _own_editable(request, pk)
    if permission_request.status not in WITHDRAWABLE:
        messages.info(
            request,
            _("%(reference)s can no longer be withdrawn: it is %(status)s.")
            % {
                "reference": permission_request.reference,
                "status": permission_request.get_status_display(),
            },
        )
        return redirect("request-detail", pk=pk)
    reference = {"reference": permission_request.reference}
    # The reason is optional, so a POST without one still withdraws.
    return _confirm_with_reason(
        request,
        permission_request,
        reason_required=False,
        apply=lambda reason: workflow.withdraw(
            pk, by=_user(request), reason=reason, origin=origin_of(request)
        ),
        title=_("Withdraw %(reference)s?") % reference,
        explanation=_("A withdrawn request cannot be reopened. To ask again, file a new request."),
        button=_("Withdraw the request"),
        done=_("%(reference)s has been withdrawn.") % reference,
    )


def _confirm_with_reason(
    request: HttpRequest,
    permission_request: PermissionRequest,
    *,
    reason_required: bool,
    apply: Callable[[str], object],
    title: str,
    explanation: str,
    button: str,
    done: str,
) -> HttpResponse:
    """A page that asks to confirm an action that cannot be undone, with its reasons;
    on POST, `apply` takes the reasons and the person goes back to the request."""
    form = ReasonForm(request.POST if request.method == "POST" else None, required=reason_required)
    if request.method == "POST" and form.is_valid():
        try:
            apply(form.cleaned_data["reason"])
        except WorkflowError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, done)
        return redirect("request-detail", pk=permission_request.pk)
    return render(
        request,
        "permissions/confirm_action.html",
        {
            "permission_request": permission_request,
            "form": form,
            "title": title,
            "explanation": explanation,
            "button": button,
            "button_class": "btn-danger",
        },
    )


@login_required
@require_POST
def request_renew(request: HttpRequest, pk: int) -> HttpResponse:
    permission_request = _own_editable(request, pk)
    try:
        renewal = services.renewal_start(approval=permission_request, by=_user(request))
    except WorkflowError as error:
        messages.error(request, error.message)
        return redirect("request-detail", pk=pk)
    messages.success(
        request,
        _("Draft %(new)s renews %(old)s. Give the new dates, check the details and submit.")
        % {"new": renewal.reference, "old": permission_request.reference},
    )
    return redirect("request-edit", pk=renewal.pk)


@login_required
@require_GET
def attachment_download(
    request: HttpRequest, pk: int, attachment_pk: int
) -> HttpResponse | FileResponse:
    attachment = selectors.attachment_for_viewer(
        user=_user(request), request_pk=pk, pk=attachment_pk
    )
    # A file is given out only while its bytes are the ones submitted (and decided on):
    # one changed on disk is withheld, and the auditors are told.
    mismatch = integrity.check_file(
        attachment,
        request=attachment.request,
        actor=_user(request),
        origin=origin_of(request),
    )
    if mismatch is not None:
        return render(
            request,
            "permissions/file_withheld.html",
            {"attachment": attachment, "permission_request": attachment.request},
            status=409,
        )
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- the officer's pages ---------------------------------------------------------------


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    page = selectors.requests_awaiting(officer=_user(request), cursor=request.GET.get("after"))
    return render(
        request,
        _rows_or_page(request, "permissions/inbox.html", "inbox-rows"),
        {"page": page, "overdue_before": selectors.overdue_before()},
    )


@login_required
@require_GET
def decided_by_me(request: HttpRequest) -> HttpResponse:
    page = selectors.steps_decided_by(officer=_user(request), cursor=request.GET.get("after"))
    return render(
        request, _rows_or_page(request, "permissions/decided.html", "decided-rows"), {"page": page}
    )


@login_required
@require_http_methods(["GET", "POST"])
def request_decide(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    permission_request = selectors.request_for_viewer(user=user, pk=pk)
    step = step_for_decision(permission_request, user)
    if step is None:
        # Say why, rather than land the person on the request without a word.
        level = messages.ERROR if request.method == "POST" else messages.INFO
        if permission_request.applicant_id == user.pk:
            why = _(
                "%(reference)s is your own request: your officers decide on it, and you can "
                "follow their decisions here."
            ) % {"reference": permission_request.reference}
        else:
            why = _("%(reference)s is not waiting for your decision: it is %(status)s.") % {
                "reference": permission_request.reference,
                "status": permission_request.get_status_display(),
            }
        messages.add_message(request, level, why)
        return redirect("request-detail", pk=pk)
    problem_note = _("Your decision was not recorded.")
    form = DecisionForm(
        request.POST or None,
        rules=selectors.rejection_rules(),
        is_last_step=step.order == len(permission_request.current_round_steps),
    )
    if request.method == "POST" and form.is_valid():
        try:
            _decide(pk, by=user, data=form.cleaned_data, origin=origin_of(request))
        except AlreadyDecided as error:
            messages.error(request, error.message)
            return redirect("request-detail", pk=pk)
        except WorkflowError as error:
            _apply_field_errors(form, error)
            problem_note = error.message
        else:
            messages.success(
                request,
                _("Your decision on %(reference)s is recorded.")
                % {"reference": permission_request.reference},
            )
            return redirect("inbox")
    if not form.is_bound:
        default_from, default_until = workflow.default_validity(permission_request)
        form.initial.update(valid_from=default_from, valid_until=default_until)
    events = selectors.timeline(request=permission_request)
    return render(
        request,
        "permissions/decide.html",
        {
            "permission_request": permission_request,
            "step": step,
            "form": form,
            "earlier": selectors.earlier_requests(request=permission_request),
            "rules": selectors.rules_for_guidance(),
            "events": events,
            "panels": selectors.submission_panels(request=permission_request, events=events),
            "problem_note": problem_note,
        },
    )


def _decide(pk: int, *, by: User, data: dict[str, Any], origin: Any) -> None:
    """The decision form's answer, handed to the workflow."""
    workflow.decide(
        pk,
        by=by,
        action=Action(data["decision"]),
        approval=approval_from(data),
        reason=data["reason"],
        rule=data["rule"],
        grounds=list(data["grounds"]),
        origin=origin,
    )


@login_required
@require_http_methods(["GET", "POST"])
def request_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    permission_request = selectors.request_for_viewer(user=user, pk=pk)
    if permission_request.status != Status.APPROVED or not may_revoke(permission_request, user):
        messages.error(request, _("This approval cannot be revoked by you."))
        return redirect("request-detail", pk=pk)
    reference = {"reference": permission_request.reference}
    return _confirm_with_reason(
        request,
        permission_request,
        reason_required=True,
        apply=lambda reason: workflow.revoke(pk, by=user, reason=reason, origin=origin_of(request)),
        title=_("Revoke the approval of %(reference)s?") % reference,
        explanation=_(
            "The applicant will no longer have permission. Revocation cannot be undone; "
            "the reasons are shown to the applicant and kept in the audit trail."
        ),
        button=_("Revoke the approval"),
        done=_("The approval of %(reference)s is revoked.") % reference,
    )


# --- delegation ------------------------------------------------------------------------


@login_required
@require_POST
def delegation_create(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = DelegationForm(request.POST, delegates=selectors.delegate_choices(officer=user))
    if form.is_valid():
        try:
            delegation = services.delegation_create(
                by=user,
                to=form.cleaned_data["delegate"],
                starts=form.cleaned_data["starts_on"],
                ends=form.cleaned_data["ends_on"],
                reason=form.cleaned_data["reason"],
                origin=origin_of(request),
            )
        except ValidationError as error:
            for name, field_messages in error.message_dict.items():
                for message in field_messages:
                    form.add_error(name if name in form.fields else None, message)
        else:
            messages.success(
                request,
                _("%(delegate)s may act for you from %(starts)s to %(ends)s.")
                % {
                    "delegate": delegation.delegate,
                    "starts": delegation.starts_on,
                    "ends": delegation.ends_on,
                },
            )
            return redirect(reverse("profile") + "#delegations")
    person = selectors.person_profile(user_id=user.pk)
    return render(
        request,
        "permissions/profile.html",
        {
            "person": person,
            "delegations": selectors.delegations_of(officer=user),
            "delegation_form": form,
        },
        status=400,
    )


@login_required
@require_POST
def delegation_end(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    delegation = get_object_or_404(Delegation, pk=pk, delegator=user)
    services.delegation_end(delegation=delegation, by=user, origin=origin_of(request))
    messages.success(request, _("The delegation has ended."))
    return redirect(reverse("profile") + "#delegations")


# --- notifications ---------------------------------------------------------------------


@login_required
@require_GET
def notifications(request: HttpRequest) -> HttpResponse:
    page = selectors.notifications_of(user=_user(request), cursor=request.GET.get("after"))
    return render(request, "permissions/notifications.html", {"page": page})


@login_required
@require_GET
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one notification read and go to what it is about."""
    notification = get_object_or_404(Notification, pk=pk, recipient=_user(request))
    services.notifications_mark_read(user=_user(request), ids=[notification.pk])
    return redirect(notification.link or reverse("notifications"))


@login_required
@require_POST
def notifications_mark_all_read(request: HttpRequest) -> HttpResponse:
    count = services.notifications_mark_read(user=_user(request))
    messages.success(
        request,
        ngettext(
            "%(count)s notification marked read.",
            "%(count)s notifications marked read.",
            count,
        )
        % {"count": count},
    )
    return redirect("notifications")


@login_required
@require_http_methods(["GET", "POST"])
def email_preferences(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    opted_out = selectors.email_opt_outs(user=user)
    form = EmailPreferencesForm(
        request.POST or None,
        initial={"emailed": [k for k in EmailPreferencesForm.switchable() if k not in opted_out]},
    )
    if request.method == "POST" and form.is_valid():
        services.email_preferences_set(user=user, emailed_kinds=set(form.cleaned_data["emailed"]))
        messages.success(request, _("Your e-mail choices are saved."))
        return redirect("email-preferences")
    return render(request, "permissions/email_preferences.html", {"form": form})
