"""The letter says everything that was granted, in words, on one A4 page, and its QR
code and short code lead to the public check of that letter."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.utils.dateformat import format as date_format

from permissions import workflow
from permissions.letters.render import FURTHER_CONDITIONS_MAX, LetterFetcher
from permissions.models import ConductRule, Organisation, PermissionRequest, User
from permissions.models.requests import StandardCondition
from permissions.verification.tokens import token_for, verification_url
from permissions.workflow import Approval
from tests.factories import UserFactory, submitted_request
from tests.helpers import days, fresh, today

from .conftest import ALL_CONDITIONS, letter_of, pages, qr_codes, spaced, words

pytestmark = pytest.mark.django_db


def long_date(day: object) -> str:
    return date_format(day, "jS F, Y")


def test_the_letter_names_the_servant_what_is_permitted_and_who_granted_it(
    granted: PermissionRequest,
    servant: User,
    countersigning_officer: User,
    delegate: User,
) -> None:
    pdf = letter_of(granted)
    text = words(pdf)

    assert pages(pdf) == 1
    assert f"No. {granted.reference}" in text
    assert "GOVERNMENT OF PAKISTAN" in text
    assert "INFORMATION DIVISION" in text
    assert servant.get_full_name() in text
    assert "Section Officer (BPS-17)" in text
    for particular in [
        granted.platform.name,
        "Interview",
        granted.outlet,
        granted.topic,
        "official capacity",
    ]:
        assert particular in text, particular
    assert (
        f"valid from the {long_date(granted.valid_from)} to the "
        f"{long_date(granted.valid_until)}" in text
    )
    # Every condition in words, never its code.
    for code in ALL_CONDITIONS:
        assert spaced(str(StandardCondition(code).label)) in text
        assert code not in text
    assert "Do not comment on the provincial budget." in text
    assert "Send the recording to the media cell within a week." in text
    for number in ["18", "21", "22", "24", "25", "25-A", "25-B"]:
        title = ConductRule.objects.get(number=number).title
        assert spaced(f"Rule {number} ({title})") in text
    assert "Government Servants (Conduct) Rules, 1964" in text
    # The delegate signs for the countersigning officer, whose step it was.
    assert f"({delegate.get_full_name()})" in text
    assert "Deputy Secretary (Admin)" in text
    assert f"for {countersigning_officer.get_full_name()}, Joint Secretary" in text
    assert "valid." in text


def test_an_officer_deciding_their_own_step_signs_without_for(
    servant: User, reporting_officer: User
) -> None:
    request = submitted_request(servant)
    workflow.approve(request.pk, by=reporting_officer)
    text = words(letter_of(request))

    assert f"({reporting_officer.get_full_name()}) Deputy Secretary" in text
    assert " for " not in text.split(f"({reporting_officer.get_full_name()})")[1].split("Check")[0]
    assert "No conditions were set beyond those of the Rules." in text


def test_the_qr_code_opens_the_letters_public_check_and_the_short_code_is_printed(
    granted: PermissionRequest,
) -> None:
    pdf = letter_of(granted)
    token = token_for(fresh(granted))

    assert qr_codes(pdf) == [verification_url(token)]
    text = words(pdf)
    assert token.printed_code in text
    assert f"Check this letter at {verification_url(token)}" in text
    assert f"or enter code {token.printed_code} at {settings.PORTAL_URL}/check/" in text


@pytest.fixture
def longest(servant: User, reporting_officer: User) -> PermissionRequest:
    """Every field the letter prints at the longest its model allows, every standard
    condition, and as many further conditions as the letter prints in full."""
    parent = Organisation.objects.create(
        name=("Ministry of Federal Education and Professional Training " * 4)[:200],
        code="long-ministry",
        kind=Organisation.Kind.MINISTRY,
    )
    organisation = Organisation.objects.create(
        name=("Directorate General of Special Education and Allied Services " * 4)[:200],
        code="long-office",
        kind=Organisation.Kind.OFFICE,
        parent=parent,
    )
    servant.designation = ("Assistant Director Coordination and Liaison " * 4)[:150]
    servant.organisation = organisation
    servant.first_name = ("Muhammad Abdul Rehman " * 7)[:150]
    servant.last_name = ("Chaudhry Qureshi " * 10)[:150]
    servant.save()
    reporting_officer.designation = ("Additional Secretary Incharge Administration " * 4)[:150]
    reporting_officer.first_name = ("Syed Muhammad Hassan " * 8)[:150]
    reporting_officer.last_name = ("Bukhari " * 20)[:150]
    reporting_officer.save()
    request = submitted_request(
        servant,
        outlet=("Pakistan Television Corporation News, programme Policy Matters " * 4)[:200],
        outlet_url="https://example.org/" + "programme/" * 48,
        topic=("How the new online services reduce visits to public offices " * 4)[:200],
    )
    sentence = "The officer shall not discuss any matter pending before a court of law. "
    workflow.approve(
        request.pk,
        by=reporting_officer,
        approval=Approval(
            valid_from=today(),
            valid_until=today() + days(365),
            conditions=ALL_CONDITIONS,
            conditions_text=(sentence * 40)[:FURTHER_CONDITIONS_MAX],
        ),
    )
    return fresh(request)


def test_the_longest_letter_the_models_allow_still_fits_on_one_page_in_full(
    longest: PermissionRequest, servant: User, reporting_officer: User
) -> None:
    pdf = letter_of(longest)
    text = words(pdf)

    assert pages(pdf) == 1
    for value in [
        longest.reference,
        longest.topic.strip(),
        longest.outlet.strip(),
        servant.designation.strip(),
        reporting_officer.get_full_name(),
        long_date(longest.valid_until),
    ]:
        assert spaced(value) in text, value
    for code in ALL_CONDITIONS:
        assert spaced(str(StandardCondition(code).label)) in text
    assert spaced(longest.conditions_text) in text
    assert "continue beyond what this page can hold" not in text
    assert len(qr_codes(pdf)) == 1


def test_further_conditions_past_what_a_page_holds_are_cut_and_the_letter_says_so(
    servant: User, reporting_officer: User
) -> None:
    request = submitted_request(servant)
    workflow.approve(
        request.pk,
        by=reporting_officer,
        approval=Approval(conditions_text="Keep to the agreed script. " * 2000),
    )
    pdf = letter_of(request)
    text = words(pdf)

    assert pages(pdf) == 1
    assert "Keep to the agreed script." in text
    assert (
        f"These conditions continue beyond what this page can hold: read them in full on "
        f"request {request.reference} in the portal." in text
    )
    assert len(qr_codes(pdf)) == 1


def test_a_servant_with_no_designation_on_record_is_named_with_their_grade(
    reporting_officer: User,
) -> None:
    servant = UserFactory(
        username="plain", designation="", bps=11, reporting_officer=reporting_officer
    )
    request = submitted_request(servant)
    workflow.approve(request.pk, by=reporting_officer)
    text = words(letter_of(request))

    assert f"{servant.get_full_name()}, BPS-11," in text


def test_what_a_servant_typed_is_printed_as_words_and_nothing_is_fetched_but_the_letters_own(
    servant: User, reporting_officer: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    fetched: list[str] = []
    original = LetterFetcher.fetch

    def recording(self: LetterFetcher, url: str, headers: object = None) -> object:
        fetched.append(url)
        return original(self, url, headers)  # type: ignore[arg-type]

    monkeypatch.setattr(LetterFetcher, "fetch", recording)
    markup = '<img src="http://169.254.169.254/latest/meta-data/"> <link href="file:///etc/passwd">'
    request = submitted_request(servant, topic=markup[:200])
    workflow.approve(request.pk, by=reporting_officer)
    text = words(letter_of(request))

    assert spaced(markup[:200]) in text
    assert fetched, "the QR code is an image of the letter's own"
    assert all(url.startswith("data:") for url in fetched), fetched


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/admin/",
        "https://example.org/logo.png",
        "ftp://example.org/x",
        "file:///etc/passwd",
        # Out of the letters' folder by "..", and a file of the portal's beside it.
        f"{(settings.BASE_DIR / 'static' / 'letters').as_uri()}/../../conduct_portal/settings.py",
        (settings.BASE_DIR / "conduct_portal" / "settings.py").as_uri(),
    ],
)
def test_the_letters_fetcher_refuses_the_network_and_every_other_file(url: str) -> None:
    fetcher = LetterFetcher(settings.BASE_DIR / "static" / "letters")

    with pytest.raises(ValueError, match="may not load"):
        fetcher.fetch(url)


def test_the_letters_fetcher_gives_its_own_stylesheet_and_data_uris() -> None:
    folder = settings.BASE_DIR / "static" / "letters"
    fetcher = LetterFetcher(folder)

    assert fetcher.fetch((folder / "letter.css").as_uri()).read().startswith(b"/*")
    assert fetcher.fetch("data:text/plain,hello").read() == b"hello"
