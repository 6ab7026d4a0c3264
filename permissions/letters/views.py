"""The permission letter's download: for those who may see the request, and on the
audit chain each time."""

from __future__ import annotations

import hashlib
from typing import cast

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from permissions import audit, integrity, selectors
from permissions.models import User
from permissions.states import APPROVED_ONCE, Action


@login_required
@require_GET
def letter_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The letter of an approved request as a PDF. One that has since been revoked or has
    expired, or whose record no longer matches the audit trail, is still given, marked
    across the page with what became of it: the servant and the auditors keep a copy of
    what was granted, and nobody can pass it off as standing. A request never granted
    has no letter."""
    user = cast(User, request.user)
    # The core's scoping: the applicant, the officers on its chain and the auditors;
    # a 404 for anyone else, as for a request that does not exist.
    permission_request = selectors.request_for_viewer(user=user, pk=pk)
    if permission_request.status not in APPROVED_ONCE:
        raise Http404
    origin = audit.origin_of(request)
    check = integrity.check(
        permission_request,
        noticed_by=integrity.Noticed.LETTER,
        files=True,
        actor=user,
        origin=origin,
    )
    # Imported here: WeasyPrint loads Pango when imported, and the rest of the portal
    # starts and works without it (the letters' system check says it is missing).
    from .render import render_letter

    pdf = render_letter(permission_request, check)
    audit.record(
        Action.LETTER_DOWNLOADED,
        actor=user,
        request=permission_request,
        data={"standing": check.standing.value, "sha256": hashlib.sha256(pdf).hexdigest()},
        origin=origin,
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = str(
        content_disposition_header(
            as_attachment=True, filename=f"{permission_request.reference}-permission.pdf"
        )
    )
    response["Cache-Control"] = "no-store, private"
    response["X-Content-Type-Options"] = "nosniff"
    # As for an attached file: a browser that shows the PDF itself runs nothing of it.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
