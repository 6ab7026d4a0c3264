"""The bulk decision's pages. The first lists the chosen requests with the one decision
to take on all of them, and is itself the confirmation: nothing is decided until it is
sent. The second reports what became of each request, after a redirect, so reloading it
decides nothing twice."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from permissions.audit import origin_of
from permissions.forms import approval_from
from permissions.models import PermissionRequest, User
from permissions.states import Action

from . import selectors, services
from .forms import MAX_SELECTED, BulkDecisionForm, SelectionForm
from .services import BulkDecision, Outcome, Result

# The last bulk decision's outcomes, kept for the result page.
RESULT_KEY = "bulk_decision_outcomes"


@login_required
@require_http_methods(["GET", "POST"])
def bulk_decide(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    # The inbox sends its ticks by GET: choosing requests only reads. The decision is the
    # POST of this page, which sends the same ids back.
    selection = SelectionForm(request.POST if request.method == "POST" else request.GET)
    if not selection.is_valid():
        for error in selection.errors.as_data().get("selected", []):
            for message in error.messages:
                messages.error(request, message)
        return redirect("inbox")
    chosen: list[int] = selection.cleaned_data["selected"]
    waiting = selectors.waiting_among(officer=user, request_ids=chosen)
    form = BulkDecisionForm(
        request.POST if request.method == "POST" else None,
        sets_validity=any(entry.is_last_step for entry in waiting),
    )
    if request.method == "POST" and form.is_valid():
        outcomes = services.requests_decide(
            by=user,
            request_ids=chosen,
            decision=_decision(form.cleaned_data),
            origin=origin_of(request),
        )
        request.session[RESULT_KEY] = [outcome.as_dict() for outcome in outcomes]
        return redirect("bulk-result")
    left_out, unseen = _left_out(user, chosen, waiting)
    return render(
        request,
        "bulk/decide.html",
        {
            "waiting": waiting,
            "last_steps": sum(1 for entry in waiting if entry.is_last_step),
            "left_out": left_out,
            "unseen": unseen,
            "form": form,
            "max_selected": MAX_SELECTED,
            "problem_note": _("Nothing has been decided yet."),
        },
    )


def _decision(data: dict[str, Any]) -> BulkDecision:
    return BulkDecision(
        action=Action(data["decision"]),
        approval=approval_from(data),
        question=data["question"],
    )


def _left_out(
    user: User, chosen: list[int], waiting: list[selectors.Waiting]
) -> tuple[list[PermissionRequest], int]:
    """The chosen requests that no longer wait for the officer: those they may see, by
    name and status, and how many others (not named: they may not exist for them)."""
    waiting_ids = {entry.request.pk for entry in waiting}
    seen: list[PermissionRequest] = []
    unseen = 0
    for pk in chosen:
        if pk in waiting_ids:
            continue
        request = selectors.visible_request(viewer=user, pk=pk)
        if request is None:
            unseen += 1
        else:
            seen.append(request)
    return seen, unseen


@login_required
@require_GET
def bulk_result(request: HttpRequest) -> HttpResponse:
    stored = request.session.get(RESULT_KEY)
    if not stored:
        return redirect("inbox")
    outcomes = [Outcome(**row) for row in stored]
    return render(
        request,
        "bulk/result.html",
        {
            "summary": _summary(outcomes),
            "decided": [Line.of(outcome) for outcome in outcomes if outcome.decided],
            "not_decided": [Line.of(outcome) for outcome in outcomes if not outcome.decided],
        },
    )


@dataclass(frozen=True)
class Line:
    """One request's line on the result page: its outcome, and the message with the
    request's reference kept whole (never broken across lines on a phone)."""

    outcome: Outcome
    message: SafeString

    @classmethod
    def of(cls, outcome: Outcome) -> Line:
        if not outcome.reference:
            return cls(outcome, format_html("{}", outcome.message))
        whole = format_html('<span class="text-nowrap">{}</span>', outcome.reference)
        pieces = outcome.message.split(outcome.reference)
        return cls(outcome, format_html_join(whole, "{}", ((piece,) for piece in pieces)))


def _summary(outcomes: list[Outcome]) -> list[str]:
    """One sentence per kind of result, with its count."""
    counts = Counter(outcome.result for outcome in outcomes)
    sentences = {
        Result.APPROVED: lambda n: ngettext(
            "%(count)d request approved.", "%(count)d requests approved.", n
        ),
        Result.FORWARDED: lambda n: ngettext(
            "%(count)d request approved at your step and sent on to the next officer.",
            "%(count)d requests approved at your step and sent on to the next officers.",
            n,
        ),
        Result.RETURNED: lambda n: ngettext(
            "%(count)d request returned for clarification.",
            "%(count)d requests returned for clarification.",
            n,
        ),
        Result.MOVED_ON: lambda n: ngettext(
            "%(count)d request not decided: it was no longer waiting for you.",
            "%(count)d requests not decided: they were no longer waiting for you.",
            n,
        ),
        Result.REFUSED: lambda n: ngettext(
            "%(count)d request not decided: your decision was refused.",
            "%(count)d requests not decided: your decision was refused.",
            n,
        ),
    }
    return [
        sentence(counts[result]) % {"count": counts[result]}
        for result, sentence in sentences.items()
        if counts[result]
    ]
