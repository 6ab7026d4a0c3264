"""The servant reads on the request's page, in one entry, what she changed before
resubmitting: each field's old and new value, the files, and a long text on asking."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from permissions import audit, services, workflow
from permissions.models import User
from tests.browser.accessibility import assert_accessible_at_both_widths
from tests.factories import PASSWORD, submitted_request
from tests.helpers import PDF, fresh

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_the_servant_sees_what_she_amended_before_resubmitting(
    new_page: Any, servant: User, reporting_officer: User
) -> None:
    request = submitted_request(
        servant, topic="Census results", summary="The census in brief.\nIts main figures."
    )
    workflow.return_for_clarification(request.pk, by=reporting_officer, reason="Which figures?")
    services.request_update(
        request=fresh(request),
        by=servant,
        data={"topic": "Census results for Punjab", "summary": "The figures for Punjab only."},
        origin=audit.SYSTEM,
    )
    services.attachment_add(
        request=fresh(request),
        by=servant,
        upload=SimpleUploadedFile("figures.pdf", PDF, "application/pdf"),
    )
    workflow.resubmit(request.pk, by=servant, declaration=True)

    page = new_page(servant.username, PASSWORD)
    page.goto(f"/requests/{request.pk}/")

    entry = page.get_by_role("listitem").filter(has_text="Amended before resubmission")
    expect(entry).to_have_count(1)
    expect(entry).to_be_visible()
    expect(entry).to_contain_text("Topic: “Census results” → “Census results for Punjab”")
    expect(entry).to_contain_text("File added: figures.pdf")
    # The summary's old and new texts wait behind their own summary line.
    old_text = entry.get_by_text("The census in brief.")
    expect(old_text).to_be_hidden()
    entry.locator("summary").click()
    expect(old_text).to_be_visible()
    expect(entry.get_by_text("The figures for Punjab only.")).to_be_visible()
    assert_accessible_at_both_widths(page)
