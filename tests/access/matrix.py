"""The access matrix: every URL of the portal, found by walking the URL conf, and what
each of the named people gets when they open it. A URL without an entry here fails
tests/access/test_matrix.py, so a new page cannot arrive without someone deciding who
may open it.

The people are the fixtures of tests/conftest.py: nobody signed in, the servant who filed
the request, an unrelated servant, the servant's reporting officer, an officer of another
organisation, an auditor and the administrator."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from permissions import services, workflow
from permissions.audit import SYSTEM
from permissions.models import Attachment, Delegation, Notification, PermissionRequest, User
from permissions.verification.tokens import token_for
from tests.factories import UserFactory, draft_request, make_auditor

PERSONAS = (
    "anonymous",
    "servant",
    "outsider",
    "reporting_officer",
    "other_officer",
    "auditor",
    "superuser",
)

# Every URL under this route is Django's admin: its patterns (hundreds, one set per model)
# are covered as one group, by the representative URLs of ADMIN below.
ADMIN_ROUTE = "admin/"


@dataclass(frozen=True)
class Objects:
    """The rows the URLs with arguments point at, made afresh for each test."""

    servant: User
    pending: PermissionRequest
    """Submitted by the servant, waiting for the reporting officer; one attachment."""
    attachment: Attachment
    draft: PermissionRequest
    """The servant's draft, with its own attachment (removing one needs a draft)."""
    draft_attachment: Attachment
    approved: PermissionRequest
    """The servant's request, approved by the reporting officer (to revoke)."""
    notification: Notification
    """One of the servant's own notifications."""
    delegation: Delegation
    """The reporting officer's, to the countersigning officer, running today."""

    def placeholders(self) -> dict[str, int]:
        """What an expected redirect may name: {pending} is the pending request's pk."""
        return {"pending": self.pending.pk, "draft": self.draft.pk, "approved": self.approved.pk}


def make_objects(servant: User, reporting_officer: User, countersigning_officer: User) -> Objects:
    def pdf(name: str) -> SimpleUploadedFile:
        return SimpleUploadedFile(name, b"%PDF-1.4\n% script\n", "application/pdf")

    pending = draft_request(servant, topic="Flood relief briefing")
    attachment = services.attachment_add(request=pending, by=servant, upload=pdf("script.pdf"))
    workflow.submit(pending.pk, by=servant, declaration=True)

    draft = draft_request(servant, topic="Budget talk show")
    draft_attachment = services.attachment_add(request=draft, by=servant, upload=pdf("draft.pdf"))

    approved = draft_request(servant, topic="Census radio interview")
    workflow.submit(approved.pk, by=servant, declaration=True)
    workflow.approve(approved.pk, by=reporting_officer)

    today = timezone.localdate()
    delegation = services.delegation_create(
        by=reporting_officer,
        to=countersigning_officer,
        starts=today,
        ends=today + datetime.timedelta(days=7),
        origin=SYSTEM,
    )
    return Objects(
        servant=servant,
        pending=PermissionRequest.objects.get(pk=pending.pk),
        attachment=attachment,
        draft=draft,
        draft_attachment=draft_attachment,
        approved=PermissionRequest.objects.get(pk=approved.pk),
        notification=Notification.objects.filter(recipient=servant).earliest("pk"),
        delegation=delegation,
    )


# --- what a person gets ------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """A status, and for a redirect where it leads: a path with {url} (the page asked
    for, quoted as a `next` parameter is) or a placeholder of Objects."""

    status: int
    location: str | None = None

    def __str__(self) -> str:
        return f"{self.status} to {self.location}" if self.location else str(self.status)


OK = Outcome(200)
NOT_FOUND = Outcome(404)
NOT_ALLOWED = Outcome(405)
TO_LOGIN = Outcome(302, "/login/?next={url}")
TO_ADMIN_LOGIN = Outcome(302, "/admin/login/?next={url}")


def redirect(location: str) -> Outcome:
    return Outcome(302, location)


def expect(
    everyone: Outcome, *, anonymous: Outcome = TO_LOGIN, **persona: Outcome
) -> dict[str, Outcome]:
    """What each person gets: `everyone` signed in unless named; anonymous visitors are
    sent to sign in unless told otherwise."""
    unknown = persona.keys() - set(PERSONAS)
    assert not unknown, f"no such persona: {unknown}"
    return {"anonymous": anonymous} | dict.fromkeys(PERSONAS[1:], everyone) | persona


def auditors_only() -> dict[str, Outcome]:
    """The audit console: any other signed-in person gets the 404 of a page that does
    not exist."""
    return expect(NOT_FOUND, auditor=OK)


def on_the_request(**persona: Outcome) -> dict[str, Outcome]:
    """A page of the servant's request: a 404 for anyone who may not know it exists."""
    return expect(NOT_FOUND, **persona)


def staff_only() -> dict[str, Outcome]:
    """Django's admin: anyone but staff is sent to the admin's own sign-in page."""
    return expect(TO_ADMIN_LOGIN, anonymous=TO_ADMIN_LOGIN, superuser=OK)


def no_arguments(objects: Objects) -> dict[str, Any]:
    return {}


def the_pending_request(objects: Objects) -> dict[str, Any]:
    return {"pk": objects.pending.pk}


def its_attachment(objects: Objects) -> dict[str, Any]:
    return {"pk": objects.pending.pk, "attachment_pk": objects.attachment.pk}


def the_auditors_export(objects: Objects) -> dict[str, Any]:
    """An export the auditor asked for, written and ready to download."""
    from django.core.files.base import ContentFile

    from permissions.exports.models import ExportJob, ExportStatus

    # The auditor persona's; for the others, one made here (they see none of it).
    owner = User.objects.filter(username="auditor").first() or make_auditor(
        UserFactory(username="auditor")
    )
    job = ExportJob(
        requested_by=owner,
        what="audit_log",
        fmt="csv",
        status=ExportStatus.READY,
        rows_written=1,
    )
    job.file.save("export.csv", ContentFile(b'"Event"\r\n"1"\r\n'), save=False)
    job.save()
    return {"pk": job.pk}


def the_servants_account(objects: Objects) -> dict[str, Any]:
    """An account in the servant's register of accounts and groups."""
    from permissions.models import Platform
    from permissions.register.models import SocialAccount

    account = SocialAccount.objects.create(
        owner=objects.servant,
        platform=Platform.objects.get(name="X (Twitter)"),
        handle="@servant",
        capacity="official",
    )
    return {"pk": account.pk}


def the_servants_group(objects: Objects) -> dict[str, Any]:
    """A group in the servant's register that they administer."""
    from permissions.models import Platform
    from permissions.register.models import OnlineGroup

    group = OnlineGroup.objects.create(
        owner=objects.servant,
        platform=Platform.objects.get(name="WhatsApp"),
        name="Section colleagues",
        purpose="Duty rosters.",
        size="50",
        role="administer",
    )
    return {"pk": group.pk}


@dataclass(frozen=True)
class Entry:
    """One URL: what each person gets by GET, and the arguments of the URL."""

    outcomes: dict[str, Outcome]
    kwargs: Callable[[Objects], dict[str, Any]] = no_arguments


TO_DETAIL = redirect("/requests/{pending}/")
# A state-changing URL: opened as a page it is the 405 page, after sign-in if it asks.
POST_ONLY = expect(NOT_ALLOWED)

# Every URL of the portal outside the admin, by name, and what each person gets by GET.
# A new URL goes here: pick its outcomes with expect()/on_the_request()/auditors_only(),
# and say which rows of Objects its arguments name.
MATRIX: dict[str, Entry] = {
    # Browsers post reports without signing in; nothing to open.
    "csp-report": Entry(expect(NOT_ALLOWED, anonymous=NOT_ALLOWED)),
    # Everyone lands on the page their role uses most.
    "home": Entry(
        expect(
            redirect("/requests/"),
            reporting_officer=redirect("/inbox/"),
            other_officer=redirect("/inbox/"),
            auditor=redirect("/audit/"),
        )
    ),
    "login": Entry(expect(redirect("/"), anonymous=OK)),
    "logout": Entry(expect(NOT_ALLOWED, anonymous=NOT_ALLOWED)),
    "password_change": Entry(expect(OK)),
    "password_change_done": Entry(expect(OK)),
    "profile": Entry(expect(OK)),
    "delegation-create": Entry(POST_ONLY),
    "delegation-end": Entry(POST_ONLY, lambda o: {"pk": o.delegation.pk}),
    "email-preferences": Entry(expect(OK)),
    "notifications": Entry(expect(OK)),
    "notifications-read": Entry(POST_ONLY),
    # Someone else's notification does not exist for them.
    "notification-open": Entry(
        expect(NOT_FOUND, servant=TO_DETAIL), lambda o: {"pk": o.notification.pk}
    ),
    # Lists and forms of one's own: every signed-in person has them, empty or not.
    "my-requests": Entry(expect(OK)),
    "request-new": Entry(expect(OK)),
    "request-detail": Entry(
        on_the_request(servant=OK, reporting_officer=OK, auditor=OK), the_pending_request
    ),
    # Submitted, so no longer editable: the applicant is sent back to it.
    "request-edit": Entry(on_the_request(servant=TO_DETAIL), the_pending_request),
    "request-withdraw": Entry(on_the_request(servant=OK), the_pending_request),
    "request-renew": Entry(POST_ONLY, the_pending_request),
    "attachment-download": Entry(
        on_the_request(servant=OK, reporting_officer=OK, auditor=OK), its_attachment
    ),
    "attachment-remove": Entry(POST_ONLY, its_attachment),
    # The approved request's permission letter (a PDF), for those who may see the request.
    "letter-download": Entry(
        on_the_request(servant=OK, reporting_officer=OK, auditor=OK),
        lambda o: {"pk": o.approved.pk},
    ),
    "inbox": Entry(expect(OK)),
    "decided-by-me": Entry(expect(OK)),
    # Decisions in bulk: opened without a selection, or with no result to show, everyone
    # is sent back to their inbox (tests/bulk/ has who may decide what).
    "bulk-decide": Entry(expect(redirect("/inbox/"))),
    "bulk-result": Entry(expect(redirect("/inbox/"))),
    # Those who may read the request but not decide it are sent back to it.
    "request-decide": Entry(
        on_the_request(servant=TO_DETAIL, reporting_officer=OK, auditor=TO_DETAIL),
        the_pending_request,
    ),
    # Pending, so there is nothing to revoke yet.
    "request-revoke": Entry(
        on_the_request(servant=TO_DETAIL, reporting_officer=TO_DETAIL, auditor=TO_DETAIL),
        the_pending_request,
    ),
    "audit-console": Entry(auditors_only()),
    "console-requests": Entry(auditors_only()),
    "console-requests-csv": Entry(auditors_only()),
    "console-requests-xlsx": Entry(auditors_only()),
    "console-request": Entry(auditors_only(), the_pending_request),
    "console-audit-log": Entry(auditors_only()),
    "console-audit-log-csv": Entry(auditors_only()),
    "console-audit-log-xlsx": Entry(auditors_only()),
    "console-verification": Entry(auditors_only()),
    # An auditor's own exports; another auditor's are a 404 (tests/exports/).
    "export-list": Entry(auditors_only()),
    # Asked for with what to export and in which format; without them, the list.
    "export-new": Entry(expect(NOT_FOUND, auditor=redirect("/audit/exports/"))),
    "export-detail": Entry(auditors_only(), the_auditors_export),
    "export-download": Entry(auditors_only(), the_auditors_export),
    # GET asks to confirm; the run itself is a POST (see ACTIONS in test_matrix).
    "console-verify": Entry(auditors_only()),
    # The second factor. The officers, the auditor and the administrator must give one:
    # the browser fixture gives each an app and this session its code. The two servants
    # need none and have none.
    "second-factor": Entry(expect(OK)),
    "second-factor-enrol": Entry(expect(OK)),
    "second-factor-qr": Entry(expect(OK)),
    # A session that gave its code goes on; someone with no app is sent to set one up.
    "second-factor-verify": Entry(
        expect(
            redirect("/"),
            servant=redirect("/second-factor/set-up/?next=/"),
            outsider=redirect("/second-factor/set-up/?next=/"),
        )
    ),
    "second-factor-backup-codes": Entry(expect(OK)),
    # New backup codes replace those of an app; without an app there is nothing to replace.
    "second-factor-new-codes": Entry(
        expect(OK, servant=redirect("/second-factor/"), outsider=redirect("/second-factor/"))
    ),
    # The page's "Stay signed in", posted in the background.
    "session-keep-alive": Entry(expect(NOT_ALLOWED, anonymous=NOT_ALLOWED)),
    # Help: the general page and whom to ask are for anyone, signed in or not (someone
    # who cannot sign in needs them most); the guides for everyone signed in.
    "help": Entry(expect(OK, anonymous=OK)),
    "help-contact": Entry(expect(OK, anonymous=OK)),
    # Choosing the language: a form's post, for visitors as for people signed in.
    "language": Entry(expect(NOT_ALLOWED, anonymous=NOT_ALLOWED)),
    "help-servants": Entry(expect(OK)),
    "help-officers": Entry(expect(OK)),
    "help-auditors": Entry(expect(OK)),
    # The register of accounts and groups: one's own for everyone signed in; an entry is
    # its owner's alone; the search across organisations is the auditors'.
    "register": Entry(expect(OK)),
    "register-confirm": Entry(POST_ONLY),
    "register-accounts-new": Entry(expect(OK)),
    "register-groups-new": Entry(expect(OK)),
    "register-accounts-edit": Entry(on_the_request(servant=OK), the_servants_account),
    "register-groups-edit": Entry(on_the_request(servant=OK), the_servants_group),
    "register-accounts-remove": Entry(on_the_request(servant=OK), the_servants_account),
    "register-groups-remove": Entry(on_the_request(servant=OK), the_servants_group),
    "register-accounts-permission": Entry(POST_ONLY, the_servants_account),
    "register-groups-permission": Entry(POST_ONLY, the_servants_group),
    "register-search": Entry(auditors_only()),
    # The public check of a permission letter: whoever holds the letter, signed in or not.
    "verify-code": Entry(expect(OK, anonymous=OK)),
    "verify-letter": Entry(
        expect(OK, anonymous=OK), lambda o: {"token": token_for(o.approved).token}
    ),
}

# The admin as a group: a few URLs standing for all of its patterns.
ADMIN: dict[str, Entry] = {
    "admin:index": Entry(staff_only()),
    "admin:permissions_user_changelist": Entry(staff_only()),
    "admin:permissions_permissionrequest_changelist": Entry(staff_only()),
    "admin:permissions_user_change": Entry(staff_only(), lambda o: {"object_id": o.servant.pk}),
    "admin:permissions_permissionrequest_change": Entry(
        staff_only(), lambda o: {"object_id": o.pending.pk}
    ),
    # The admin's sign-in page itself: staff already signed in go on to the index.
    "admin:login": Entry(
        expect(OK, anonymous=OK, superuser=redirect("/admin/")),
    ),
}


# --- the walk ------------------------------------------------------------------------------


def _patterns(
    entries: list[URLPattern | URLResolver], namespace: str = "", route: str = ""
) -> Iterator[tuple[str, str]]:
    for entry in entries:
        if isinstance(entry, URLResolver):
            inner = ":".join(part for part in (namespace, entry.namespace or "") if part)
            yield from _patterns(entry.url_patterns, inner, route + str(entry.pattern))
        else:
            full_route = route + str(entry.pattern)
            if entry.name:
                yield ":".join(part for part in (namespace, entry.name) if part), full_route
            else:
                yield f"/{full_route}", full_route


def url_patterns() -> list[tuple[str, str]]:
    """(key, route) of every URL pattern of the portal. The key is the pattern's name,
    qualified by its namespace; an unnamed pattern is known by its route, "/" first."""
    return list(_patterns(get_resolver().url_patterns))


def portal_urls() -> list[tuple[str, str]]:
    """Every pattern outside the admin."""
    return [(key, route) for key, route in url_patterns() if not route.startswith(ADMIN_ROUTE)]


def every_entry() -> dict[str, Entry]:
    return MATRIX | ADMIN


# --- visiting them -------------------------------------------------------------------------


@dataclass
class Visit:
    name: str
    url: str
    persona: str
    expected: Outcome
    status: int
    location: str | None
    headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def got(self) -> Outcome:
        return Outcome(self.status, self.location)

    def expected_here(self, objects: Objects) -> Outcome:
        location = self.expected.location
        if location is not None:
            location = location.format(url=quote(self.url, safe="/"), **objects.placeholders())
        return Outcome(self.expected.status, location)

    def mismatch(self, objects: Objects) -> str | None:
        expected = self.expected_here(objects)
        if expected == self.got:
            return None
        return f"{self.url} ({self.name}) as {self.persona}: expected {expected}, got {self.got}"


def visit_all(persona: str, client: Client, objects: Objects) -> list[Visit]:
    """GET every URL of the matrix as `persona`; each response read to its end.

    The test client closes each response itself (a streamed one once read), as a WSGI
    server would; closing it again would fire request_finished, which closes the
    database connection, and with it the test's transaction on PostgreSQL."""
    visits = []
    for name, entry in every_entry().items():
        url = reverse(name, kwargs=entry.kwargs(objects))
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)  # type: ignore[attr-defined]
        visits.append(
            Visit(
                name=name,
                url=url,
                persona=persona,
                expected=entry.outcomes[persona],
                status=response.status_code,
                location=response.headers.get("Location"),
                headers=response.headers,
            )
        )
    return visits
