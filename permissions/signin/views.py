"""Pages of signing in that are the portal's own: keeping a session, changing a password."""

from __future__ import annotations

from typing import cast

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST

from .. import audit
from ..forms import PortalPasswordChangeForm
from ..models import User
from ..states import Action
from . import sessions


@require_POST
@login_required
def keep_alive(request: HttpRequest) -> HttpResponse:
    """The page's "Stay signed in": the person is here, so the idle limit starts again.
    No content, so the page that asked stays as it is, form and all."""
    sessions.mark_seen(request.session)
    return HttpResponse(status=204)


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change, recorded on the audit chain. Django already ends every
    other session of the person (their session hash no longer matches) and gives this
    one a new key."""

    form_class = PortalPasswordChangeForm

    def form_valid(self, form: Form) -> HttpResponse:
        with transaction.atomic():
            response = super().form_valid(form)
            audit.record(
                Action.PASSWORD_CHANGE,
                actor=cast(User, self.request.user),
                origin=audit.origin_of(self.request),
            )
        return response
