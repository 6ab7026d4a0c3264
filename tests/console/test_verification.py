"""The audit chain's verification on the console: the last result (when, who, intact or
the problem and the first bad event), and a confirmed, CSRF-protected POST that runs a
verification and comes back with its result."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils.html import escape

from permissions import audit
from permissions.models import AuditEvent, AuditVerification, User
from tests.factories import PASSWORD, submitted_request
from tests.helpers import pass_second_factor

pytestmark = pytest.mark.django_db


def _signed_in(user: User, *, csrf: bool) -> Client:
    client = Client(enforce_csrf_checks=csrf)
    if csrf:
        page = client.get("/login/")
        token = page.cookies["csrftoken"].value
        response = client.post(
            "/login/",
            {"username": user.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
        )
    else:
        response = client.post("/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return pass_second_factor(client, user)


def test_never_verified(auditor_browser: Client) -> None:
    html = auditor_browser.get("/audit/verification/").content.decode()
    assert "The chain has not been verified yet." in html
    assert 'href="/audit/verification/run/"' in html


def test_the_confirmation_page_posts_with_a_csrf_token(auditor: User) -> None:
    client = _signed_in(auditor, csrf=True)
    html = client.get("/audit/verification/run/").content.decode()
    assert AuditVerification.objects.count() == 0
    form = html[html.index('<form method="post" action="/audit/verification/run/"') :]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
    assert token is not None

    refused = client.post("/audit/verification/run/")
    assert refused.status_code == 403
    assert AuditVerification.objects.count() == 0

    response = client.post(
        "/audit/verification/run/", {"csrfmiddlewaretoken": token.group(1)}, follow=True
    )
    assert response.redirect_chain == [("/audit/verification/", 302)]
    assert AuditVerification.objects.count() == 1


def test_a_run_on_an_intact_chain(auditor_browser: Client, auditor: User, servant: User) -> None:
    submitted_request(servant)
    events_before = AuditEvent.objects.count()

    response = auditor_browser.post("/audit/verification/run/", follow=True)

    run = AuditVerification.objects.get()
    assert run.by == auditor
    assert run.ok is True
    # The request to verify is itself on the chain, first, so the run checks it too.
    checked = events_before + 1
    assert run.checked == checked
    html = response.content.decode()
    assert f"The audit chain is intact: {checked} events checked." in html
    assert "The chain was intact." in html
    assert auditor.get_full_name() in html
    assert f'<span id="events-checked">{checked}</span>' in html
    recorded = AuditEvent.objects.order_by("-pk").first()
    assert recorded is not None
    assert recorded.action == "audit.verify"
    assert recorded.actor == auditor
    assert recorded.data == {"verification": run.pk}
    assert run.head_event_id == recorded.pk


def test_a_broken_chain_names_the_problem_and_the_first_bad_event(
    auditor_browser: Client, auditor: User, servant: User
) -> None:
    request = submitted_request(servant, topic="Flood relief briefing")
    head = audit.head()
    assert head is not None
    # An event written straight into the table, past audit.record: its hash is not an
    # HMAC under the portal's key.
    (forged,) = AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                request=request,
                actor=servant,
                action="approve",
                from_status="pending",
                to_status="approved",
                prev_hash=head.hash,
                hash="f" * 64,
            )
        ]
    )

    response = auditor_browser.post("/audit/verification/run/", follow=True)

    run = AuditVerification.objects.get()
    assert run.ok is False
    assert run.bad_event_id == forged.pk
    html = response.content.decode()
    assert escape(f"The audit chain is broken at event #{forged.pk}: {run.problem}") in html
    result = html[html.index('id="verification-result"') :]
    assert "The chain was broken." in result[: result.index("</div>")]
    assert escape(run.problem) in result[: result.index("</div>")]
    bad = html[html.index('id="bad-event"') :]
    bad = bad[: bad.index("</dd>")]
    assert f"#{forged.pk}: Approved" in bad
    assert f'href="/audit/requests/{request.pk}/">{request.reference}</a>' in bad
    # The dashboard shows it too.
    assert "Broken" in auditor_browser.get("/audit/").content.decode()


def test_a_scheduled_run_and_the_earlier_ones(auditor_browser: Client, auditor: User) -> None:
    audit.run_verification(by=auditor)
    audit.run_verification(by=None)
    html = auditor_browser.get("/audit/verification/").content.decode()
    latest = html[html.index("Last verification") : html.index("Earlier verifications")]
    assert "the schedule or the command line" in latest
    earlier = html[html.index("Earlier verifications") :]
    assert auditor.get_full_name() in earlier
    assert "Intact" in earlier


def test_a_run_still_going_is_not_started_twice(auditor_browser: Client, auditor: User) -> None:
    running = audit.start_verification(by=auditor)

    response = auditor_browser.post("/audit/verification/run/", follow=True)

    assert AuditVerification.objects.get() == running
    assert "is still running" in response.content.decode()
    assert not AuditEvent.objects.filter(action="audit.verify").exists()


def test_a_run_that_died_long_ago_does_not_hold_up_a_new_one(
    auditor_browser: Client, auditor: User
) -> None:
    import datetime

    from django.utils import timezone

    AuditVerification.objects.create(
        by=auditor, started_at=timezone.now() - datetime.timedelta(hours=3)
    )

    auditor_browser.post("/audit/verification/run/")

    assert AuditVerification.objects.filter(ok=True).count() == 1


def test_with_the_broker_down_the_run_is_marked_not_started(
    auditor_browser: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kombu.exceptions import OperationalError

    from permissions.tasks import verify_audit_run

    def broker_down(*args: object, **kwargs: object) -> None:
        raise OperationalError("Connection refused")

    monkeypatch.setattr(verify_audit_run, "delay", broker_down)

    response = auditor_browser.post("/audit/verification/run/", follow=True)

    assert response.status_code == 200
    assert "task queue is unavailable" in response.content.decode()
    run = AuditVerification.objects.get()
    assert run.finished_at is not None and run.ok is None
    assert "Not started" in run.problem


def _heads_checked(html: str) -> str:
    start = html.index('id="heads-checked"')
    return re.sub(r"\s+", " ", html[start : html.index("</dd>", start)])


def test_recorded_heads_are_explained_and_so_is_none_checked(
    auditor_browser: Client, auditor: User
) -> None:
    audit.run_verification(by=auditor)
    none_yet = _heads_checked(auditor_browser.get("/audit/verification/").content.decode())
    assert 'id="heads-checked">0</span>' in none_yet
    assert "the chain's newest event, its hash and the number of events so far" in none_yet
    assert "0 means none has been recorded yet" in none_yet

    audit.record_head()
    audit.run_verification(by=auditor)
    one = _heads_checked(auditor_browser.get("/audit/verification/").content.decode())
    assert 'id="heads-checked">1</span>' in one
    assert "0 means" not in one
    assert "Every head recorded so far was checked." in one


def test_each_figure_of_a_run_says_what_it_counts(auditor_browser: Client, auditor: User) -> None:
    audit.run_verification(by=auditor, content=True)
    html = re.sub(r"\s+", " ", auditor_browser.get("/audit/verification/").content.decode())
    for figure, meaning in (
        ("events-checked", "Audit events read, oldest first"),
        ("newest-event", "The last event the run read"),
        ("content-ok", "Whether every request and attached file still holds"),
        ("requests-checked", "Every request, drafts included"),
        ("files-checked", "Every attached file, its bytes compared"),
    ):
        start = html.index(f'id="{figure}"')
        assert meaning in html[start : html.index("</dd>", start)], figure
