"""The letter in Urdu beside the English on the same page: its words shaped and in the
order they are read, its reference, dates and rule numbers kept left to right, and what
the servant typed printed once."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pypdfium2
import pytest
from django.utils import translation

from permissions import workflow
from permissions.models import PermissionRequest, User
from permissions.workflow import Approval
from tests.factories import submitted_request
from tests.helpers import ROOT, days, today

from .conftest import letter_of, pages, qr_codes, words

pytestmark = pytest.mark.django_db

# Arabic presentation forms: what a PDF holds when its Urdu was drawn letter by letter
# without shaping, instead of the letters a reader typed.
PRESENTATION_FORMS = re.compile("[\ufb50-\ufdff\ufe70-\ufeff]")


def ur(text: str) -> str:
    with translation.override("ur"):
        return translation.gettext(text)


@pytest.fixture
def approved(servant: User, reporting_officer: User) -> PermissionRequest:
    request = submitted_request(
        servant,
        topic="سیلاب زدگان کے لیے امدادی کیمپ",
        summary="امدادی کیمپوں کی تفصیل۔",
    )
    start = today() + days(7)
    workflow.approve(
        request.pk,
        by=reporting_officer,
        approval=Approval(
            valid_from=start,
            valid_until=start + days(30),
            conditions=["personal_views", "no_designation"],
        ),
    )
    return request


def test_the_letter_carries_the_urdu_words_in_reading_order_beside_the_english(
    approved: PermissionRequest,
) -> None:
    pdf = letter_of(approved)
    text = words(pdf)

    assert pages(pdf) == 1
    # The English is all there, as before.
    assert "PERMISSION TO TAKE PART IN A MEDIA PLATFORM" in text
    assert "It is subject to the following conditions:" in text
    # The Urdu, phrase by phrase, in the order a reader reads it (logical order).
    for phrase in [
        "حکومتِ پاکستان",
        "میڈیا پلیٹ فارم میں شرکت کی اجازت",
        "مجھے ہدایت کی گئی ہے کہ آپ کی درخواست نمبر",
        "یہ اجازت درج ذیل شرائط سے مشروط ہے",
        "ظاہر کیے گئے خیالات ذاتی ہیں",
        "جن کے بارے میں آپ نے",
    ]:
        assert phrase in text, phrase
    for label in ("Platform", "Topic", "Kind of participation"):
        assert ur(label) in text, label
    # (A run in brackets is read back in the order pypdf finds the glyphs on the line,
    # so the platform's name is looked for without its brackets.)
    assert "پی ٹی وی" in text and "سرکاری ٹیلی وژن" in text
    # What the servant typed (in Urdu here) is printed once. (It sits in a left-to-right
    # table cell, whose right-to-left run pypdf reads back in pieces: looked for by
    # its words.)
    assert text.count("سیلاب") == 1
    assert "امدادی کیمپ" in text and "زدگان" in text
    # Shaped text keeps its letters: no presentation forms in what the PDF says.
    assert not PRESENTATION_FORMS.search(text)
    # The QR code is still read off the page.
    assert len(qr_codes(pdf)) == 1


def test_rule_numbers_and_the_reference_read_left_to_right_in_the_urdu(
    approved: PermissionRequest,
) -> None:
    text = words(letter_of(approved))
    # "Rule 25-A" in Urdu: the number kept whole, not turned into "A-25".
    assert "25-A" in text and "A-25" not in text
    assert text.count(approved.reference) >= 3


def test_a_picture_of_the_letter_for_whoever_reads_the_notes(
    approved: PermissionRequest,
) -> None:
    """The page as a PNG (SCREENSHOT_DIR, var/screenshots by default), to see that the
    Urdu is joined up and runs right to left."""
    folder = Path(os.environ.get("SCREENSHOT_DIR", ROOT / "var" / "screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    page = pypdfium2.PdfDocument(letter_of(approved))[0]
    image = page.render(scale=1.6).to_pil()
    image.save(folder / "letter-bilingual.png")
    assert image.width > 900
