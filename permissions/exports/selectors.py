"""The export jobs an auditor sees: their own, newest first, a page at a time."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404

from permissions.models import User
from permissions.paging import Page, SortKey, page

from .models import ExportJob

NEWEST = SortKey.newest("created_at")


def jobs_of(*, user: User, cursor: str | None) -> Page[ExportJob]:
    return page(
        ExportJob.objects.filter(requested_by=user),
        sort=NEWEST,
        cursor=cursor,
        size=settings.PAGE_SIZE,
    )


def job_of(*, user: User, pk: int) -> ExportJob:
    """The user's own job, or 404: another auditor's export is not theirs to see."""
    try:
        return ExportJob.objects.get(pk=pk, requested_by=user)
    except ExportJob.DoesNotExist:
        raise Http404 from None
