"""Rules, grounds, instructions and platforms in Urdu: a field beside each English one,
shown on Urdu pages, the English where none was written; the chain keeps the English."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import translation

from permissions import workflow
from permissions.models import ConductRule, Ground, Platform, User
from permissions.submission import declaration_in_force
from tests.factories import submitted_request
from tests.grounds.conftest import reseed

pytestmark = pytest.mark.django_db


@pytest.fixture
def urdu_data(db: None) -> None:
    reseed()


def _in_urdu(client: Client) -> Client:
    client.post("/language/", {"language": "ur"})
    return client


def test_the_seeded_records_carry_their_urdu(urdu_data: None) -> None:
    assert ConductRule.objects.get(number="18").title_ur == "سرکاری معلومات کی ترسیل"
    assert Ground.objects.get(title="National security").title_ur == "قومی سلامتی"
    assert Platform.objects.get(name="Newspaper").name_ur == "اخبار"
    assert not Ground.objects.filter(title_ur="").exists()
    assert not ConductRule.objects.filter(title_ur="").exists()


def test_a_record_reads_in_the_pages_language_and_falls_back_to_english(
    urdu_data: None,
) -> None:
    ground = Ground.objects.select_related("rule").get(title="Public order")
    newspaper = Platform.objects.get(name="Newspaper")
    with translation.override("ur"):
        assert ground.local("title") == "امنِ عامہ"
        assert str(newspaper) == "اخبار"
        # The number kept left to right inside the Urdu (LRI ... PDI).
        assert str(ground.rule) == "رول \u206621\u2069: ریڈیو نشریات، ٹیلی وژن اور پریس سے رابطہ"
        newspaper.name_ur = ""
        assert str(newspaper) == "Newspaper"
    with translation.override("en"):
        assert ground.local("title") == "Public order"


def test_the_declaration_in_urdu_names_the_grounds_in_urdu(urdu_data: None) -> None:
    with translation.override("ur"):
        urdu = declaration_in_force().text
    with translation.override("en"):
        english = declaration_in_force().text
    assert "قومی سلامتی" in urdu and "امنِ عامہ" in urdu
    assert "national security" in english


def test_the_request_form_in_urdu_shows_the_rules_and_grounds_in_urdu(
    urdu_data: None, servant: User, browser: Callable[[User], Client]
) -> None:
    page = _in_urdu(browser(servant)).get("/requests/new/").content.decode()
    assert "سرکاری معلومات کی ترسیل" in page  # Rule 18's title
    assert "قومی سلامتی" in page  # a ground beside the question
    assert "سوشل میڈیا سمیت میڈیا فورمز میں سرکاری ملازمین کی شرکت" in page  # an instruction
    assert "Communication of official information" not in page


def test_grounds_cited_read_in_urdu_on_an_urdu_page_and_stay_english_on_the_chain(
    urdu_data: None,
    servant: User,
    reporting_officer: User,
    browser: Callable[[User], Client],
) -> None:
    request = submitted_request(servant)
    defamation = Ground.objects.get(title="Defamation")
    workflow.return_for_clarification(
        request.pk, by=reporting_officer, reason="Name no one.", grounds=[defamation]
    )
    request.refresh_from_db()
    assert request.decision_grounds[0]["title"] == "Defamation"
    english = browser(servant).get(f"/requests/{request.pk}/").content.decode()
    assert "Defamation" in english
    urdu = _in_urdu(browser(servant)).get(f"/requests/{request.pk}/").content.decode()
    assert "ہتکِ عزت" in urdu
