"""The permission letter: what it says, worked out from the request, and the one-page A4
PDF WeasyPrint makes of templates/letters/letter.html.

The letter is read by whoever the servant shows it to, so it says what the audit trail
backs and no more: a permission is printed as standing only when `integrity.check` found
it VALID; an expired, revoked or unconfirmed one is printed with a mark across the page
that says so and why. Its QR code and short code lead to the public check, which says
the same thing on the day it is read.
"""

from __future__ import annotations

import datetime
import mimetypes
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import segno
from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateformat import format as date_format
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from permissions import integrity
from permissions.content import deciding_step
from permissions.integrity import Check, Standing
from permissions.models import ApprovalStep, ConductRule, Organisation, PermissionRequest
from permissions.models.requests import Capacity, Participation, Timing
from permissions.models.translated import left_to_right
from permissions.states import label_of
from permissions.templatetags.portal import display_name
from permissions.verification.tokens import token_for, verification_url

STYLESHEET = "letters/letter.css"

# Whom to ask when a letter cannot be confirmed, unless INTEGRITY_CONTACT names someone.
# The letter is one page. It is laid out at the first of these sizes at which it fits
# (a body class of the stylesheet each). Every field it prints has a maximum length but
# the officers' further conditions: past FURTHER_CONDITIONS_MAX characters, or if the
# smallest size is still too small, they are cut, and the letter says so and where they
# are to be read in full.
FITS = ("fit-1", "fit-2", "fit-3", "fit-4", "fit-5", "fit-6", "fit-7")
FURTHER_CONDITIONS_MAX = 1200

# How much of a revocation's reasons the mark quotes; the request's page has them all.
REASONS_ON_MARK = 300


# --- what the letter says ----------------------------------------------------------------


@dataclass(frozen=True)
class Particular:
    label: str
    value: str


@dataclass(frozen=True)
class Signatory:
    name: str
    designation: str
    # Set when a delegate decided for the officer who held the step.
    for_name: str = ""
    for_designation: str = ""


@dataclass(frozen=True)
class Mark:
    """Across a letter that does not stand: one word on the page, and the reason."""

    word: str
    heading: str
    explanation: str


@dataclass(frozen=True)
class Letter:
    reference: str
    dated: datetime.date | None
    heading: list[str]
    name: str
    designation: str
    bps: int | None
    organisation: str
    requested_on: datetime.date | None
    capacity: str
    particulars: list[Particular]
    valid_from: datetime.date | None
    valid_until: datetime.date | None
    conditions: list[str]
    # The officers' own conditions, a line each (each deciding officer adds a line).
    further_conditions: list[str]
    rules: list[str]
    declared_on: datetime.date | None
    signatory: Signatory | None
    checked_on: datetime.date
    standing: Standing
    mark: Mark | None
    verification_url: str
    short_code: str
    check_url: str
    qr_data_uri: str
    # Set when the further conditions had to be cut to keep the letter on one page.
    further_conditions_cut: bool = False
    # The language the letter's words are in, and whether it reads right to left.
    language: str = "en"
    bidi: bool = False


def _heading(organisation: Organisation | None) -> list[str]:
    """Government of Pakistan, then the organisation under the Ministry or Division it is
    part of, as a letterhead names them."""
    lines = [_("Government of Pakistan")]
    if organisation is not None:
        if organisation.parent is not None:
            lines.append(organisation.parent.name)
        lines.append(organisation.name)
    return lines


def _when(request: PermissionRequest) -> str:
    if request.timing == Timing.PERIOD and request.period_start and request.period_end:
        return _("from %(start)s to %(end)s") % {
            "start": _long_date(request.period_start),
            "end": _long_date(request.period_end),
        }
    if request.event_at is not None:
        return _long_date(timezone.localtime(request.event_at).date())
    return ""


def _long_date(day: datetime.date) -> str:
    # As the Establishment Division dates its letters: "2nd September, 2024".
    return date_format(day, _("jS F, Y"))


def _particulars(request: PermissionRequest) -> list[Particular]:
    rows = [
        Particular(_("Platform"), str(request.platform)),
        Particular(_("Kind of participation"), label_of(Participation, request.participation)),
        Particular(_("Outlet, programme or handle"), request.outlet),
        Particular(_("Link"), request.outlet_url),
        Particular(_("Topic"), request.topic),
        Particular(_("When"), _when(request)),
    ]
    return [row for row in rows if row.value]


def _rules(request: PermissionRequest) -> list[str]:
    """The rules the servant declared at submission, as the records name them; a rule no
    longer on record is cited by its number alone."""
    numbers = [number.strip() for number in request.declaration_rules.split(",") if number.strip()]
    titles = {
        rule.number: rule.local("title") for rule in ConductRule.objects.filter(number__in=numbers)
    }
    # In Urdu a number such as 25-A is kept whole, left to right.
    return [
        _("Rule %(number)s (%(title)s)")
        % {"number": left_to_right(number), "title": titles[number]}
        if number in titles
        else _("Rule %(number)s") % {"number": left_to_right(number)}
        for number in numbers
    ]


def _signatory(step: ApprovalStep | None) -> Signatory | None:
    if step is None or step.acted_by is None:
        return None
    acting_for = step.acted_for
    return Signatory(
        name=display_name(step.acted_by),
        designation=step.acted_by.designation,
        for_name=display_name(acting_for),
        for_designation=acting_for.designation if acting_for is not None else "",
    )


def _mark(request: PermissionRequest, check: Check) -> Mark | None:
    if check.standing == Standing.REVOKED:
        revoked_on = timezone.localtime(request.decided_at).date() if request.decided_at else None
        reasons = Truncator(request.decision_reason.strip()).chars(REASONS_ON_MARK)
        return Mark(
            word=_("Revoked"),
            heading=(
                _("Revoked on %(date)s: this permission no longer stands.")
                % {"date": _long_date(revoked_on)}
                if revoked_on
                else _("Revoked: this permission no longer stands.")
            ),
            explanation=_("Reasons: %(reasons)s") % {"reasons": reasons} if reasons else "",
        )
    if check.standing == Standing.EXPIRED:
        return Mark(
            word=_("Expired"),
            heading=(
                _("Expired: this permission ended on %(date)s.")
                % {"date": _long_date(request.valid_until)}
                if request.valid_until
                else _("Expired: this permission no longer stands.")
            ),
            explanation=_("A new request is needed to take part again."),
        )
    if check.standing == Standing.UNCONFIRMED:
        return Mark(
            word=_("Cannot be confirmed"),
            heading=_("Cannot be confirmed: do not rely on this letter."),
            explanation=_(
                "The portal's record of this permission no longer matches its audit trail. "
                "Contact %(contact)s."
            )
            % {"contact": integrity.contact()},
        )
    return None


def _qr_data_uri(url: str) -> str:
    # Medium error correction: a letter is photocopied and folded.
    return str(segno.make_qr(url, error="m").svg_data_uri(scale=4, border=4, nl=False))


def letter_for(request: PermissionRequest, check: Check) -> Letter:
    """Everything the letter prints, as words and dates, in the active language. Makes
    the request's token if it has none, so a letter has the token its QR code names."""
    token = token_for(request)
    url = verification_url(token)
    step = deciding_step(request)
    # The letter is dated the day the permission was granted, whichever day it is
    # downloaded: the approving step's day (a revocation changes decided_at, not this).
    granted_at = step.acted_at if step is not None and step.acted_at else request.decided_at
    applicant = request.applicant
    organisation = request.applicant_organisation or applicant.organisation
    return Letter(
        reference=request.reference,
        dated=timezone.localtime(granted_at).date() if granted_at else None,
        name=display_name(applicant),
        designation=request.applicant_designation or applicant.designation,
        bps=request.applicant_bps or applicant.bps,
        organisation=organisation.name if organisation is not None else "",
        requested_on=(
            timezone.localtime(request.submitted_at).date() if request.submitted_at else None
        ),
        valid_from=request.valid_from,
        valid_until=request.valid_until,
        further_conditions=_lines(request.conditions_text),
        declared_on=timezone.localtime(request.declared_at).date() if request.declared_at else None,
        signatory=_signatory(step),
        checked_on=timezone.localdate(),
        standing=check.standing,
        verification_url=url,
        short_code=token.printed_code,
        check_url=settings.PORTAL_URL + reverse("verify-code"),
        qr_data_uri=_qr_data_uri(url),
        **_worded(request, check),
    )


def _worded(request: PermissionRequest, check: Check) -> dict[str, Any]:
    """The parts of the letter that are words of the active language; the rest (names,
    dates, the token and its QR code) is the same in every language."""
    return {
        "heading": _heading(request.applicant_organisation or request.applicant.organisation),
        "capacity": label_of(Capacity, request.capacity),
        "particulars": _particulars(request),
        "conditions": request.condition_labels,
        "rules": _rules(request),
        "mark": _mark(request, check),
        "language": translation.get_language() or settings.LANGUAGE_CODE,
        "bidi": translation.get_language_bidi(),
    }


@dataclass(frozen=True)
class Bilingual:
    """The letter in English and in Urdu, printed side by side on its one page."""

    en: Letter
    ur: Letter

    def shortened(self, keep: int) -> Bilingual:
        return Bilingual(_shortened(self.en, keep), _shortened(self.ur, keep))


def letters_for(request: PermissionRequest, check: Check) -> Bilingual:
    """The letter in each language: the same facts, found once, each in its own words."""
    with translation.override("en"):
        english = letter_for(request, check)
    with translation.override("ur"):
        urdu = replace(english, **_worded(request, check))
    return Bilingual(english, urdu)


# --- the PDF -----------------------------------------------------------------------------


class LetterFetcher(URLFetcher):
    """What WeasyPrint may load while it lays the letter out: data: URIs (the QR code)
    and files of the letters' own static folder, nothing else. No network and no other
    file, whatever a template or a stylesheet might come to name: the letter is made on
    the server, where a URL could reach what the outside world cannot."""

    def __init__(self, folder: Path) -> None:
        super().__init__(allowed_protocols={"data", "file"}, allow_redirects=False, timeout=2)
        self.folder = folder.resolve()

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        scheme = url.split(":", 1)[0].lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "file":
            path = Path(unquote(urlsplit(url).path)).resolve()
            if path.is_relative_to(self.folder) and path.is_file():
                content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(
                    path.as_uri(), path.read_bytes(), {"Content-Type": content_type}
                )
        raise ValueError(f"The letter may not load {url}")


def _stylesheet() -> Path:
    found = finders.find(STYLESHEET)
    if not found:
        raise FileNotFoundError(f"static/{STYLESHEET} is missing")
    return Path(found if isinstance(found, str) else found[0])


def _layout(letters: Bilingual, fit: str, stylesheet: Path) -> Any:
    with translation.override("en"):
        html = render_to_string(
            "letters/letter.html",
            {
                "en": letters.en,
                "ur": letters.ur,
                "both": [letters.en, letters.ur],
                # Label and value in each language, row by row (both lists keep the
                # same rows: a row is left out for an empty value, in either).
                "particulars": [
                    {"en": english, "ur": urdu}
                    for english, urdu in zip(
                        letters.en.particulars, letters.ur.particulars, strict=True
                    )
                ],
                "fit": fit,
            },
        )
    fetcher = LetterFetcher(stylesheet.parent)
    document = HTML(
        string=html, base_url=stylesheet.parent.as_uri() + "/", url_fetcher=fetcher
    ).render(stylesheets=[CSS(filename=str(stylesheet), url_fetcher=fetcher)])
    return document


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _shortened(letter: Letter, keep: int) -> Letter:
    text = Truncator("\n".join(letter.further_conditions)).chars(keep)
    return replace(letter, further_conditions=_lines(text), further_conditions_cut=True)


def render_pdf(letters: Bilingual) -> bytes:
    """The letter as a one-page PDF, at the largest size it fits."""
    stylesheet = _stylesheet()
    if len("\n".join(letters.en.further_conditions)) > FURTHER_CONDITIONS_MAX:
        letters = letters.shortened(FURTHER_CONDITIONS_MAX)
    for fit in FITS:
        document = _layout(letters, fit, stylesheet)
        if len(document.pages) == 1:
            return bytes(document.write_pdf())
    # Still too long at the smallest size: cut the further conditions until it fits.
    keep = len("\n".join(letters.en.further_conditions))
    while keep > 0 and len(document.pages) > 1:
        keep //= 2
        document = _layout(letters.shortened(keep), FITS[-1], stylesheet)
    # Every other field has a maximum length that the smallest size holds.
    return bytes(document.copy(document.pages[:1]).write_pdf())


def render_letter(request: PermissionRequest, check: Check) -> bytes:
    """The request's permission letter, in English and Urdu, as the check found it
    standing today."""
    return render_pdf(letters_for(request, check))
