"""Requests to write letters for, and the letter read back as a person would: its words,
its pages, and what its QR code says when a camera reads the page."""

from __future__ import annotations

import io

import pypdf
import pypdfium2
import pytest
import zxingcpp

from permissions import integrity, workflow
from permissions.letters.render import render_letter
from permissions.models import Delegation, PermissionRequest, RoutingRule, User
from permissions.workflow import Approval
from tests.factories import UserFactory, submitted_request
from tests.helpers import days, fresh, today

ALL_CONDITIONS = [
    "no_official_information",
    "personal_views",
    "no_designation",
    "pre_cleared_only",
    "report_afterwards",
]


def pages(pdf: bytes) -> int:
    return len(pypdf.PdfReader(io.BytesIO(pdf)).pages)


def words(pdf: bytes) -> str:
    """The letter's text, every run of spaces and line ends as one space, so that a
    phrase is found wherever the page wrapped it."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def spaced(text: str) -> str:
    return " ".join(text.split())


def qr_codes(pdf: bytes) -> list[str]:
    """What a camera reads off the first page, drawn at about 150 dots an inch."""
    page = pypdfium2.PdfDocument(pdf)[0]
    image = page.render(scale=2).to_pil()
    return [code.text for code in zxingcpp.read_barcodes(image)]


def letter_of(request: PermissionRequest) -> bytes:
    """The letter as the download makes it, for a request read afresh."""
    request = fresh(request)
    check = integrity.check(request, noticed_by=integrity.Noticed.LETTER)
    return render_letter(request, check)


@pytest.fixture
def delegate(countersigning_officer: User) -> User:
    """Acts for the countersigning officer, who is on leave this fortnight."""
    person = UserFactory(
        username="delegate",
        first_name="Ayesha",
        last_name="Siddiqui",
        designation="Deputy Secretary (Admin)",
        bps=19,
    )
    Delegation.objects.create(
        delegator=countersigning_officer,
        delegate=person,
        starts_on=today() - days(1),
        ends_on=today() + days(14),
        reason="Earned leave",
    )
    return person


@pytest.fixture
def granted(
    servant: User,
    reporting_officer: User,
    countersigning_officer: User,
    delegate: User,
    television_countersigning: RoutingRule,
) -> PermissionRequest:
    """A television interview through the reporting officer and then the countersigning
    officer's delegate, with every standard condition and two further ones."""
    request = submitted_request(servant)
    workflow.approve(
        request.pk,
        by=reporting_officer,
        approval=Approval(
            conditions=["no_official_information", "personal_views"],
            conditions_text="Do not comment on the provincial budget.",
        ),
    )
    workflow.approve(
        request.pk,
        by=delegate,
        approval=Approval(
            valid_from=today() + days(2),
            valid_until=today() + days(40),
            conditions=["no_designation", "pre_cleared_only", "report_afterwards"],
            conditions_text="Send the recording to the media cell within a week.",
        ),
    )
    return fresh(request)
