"""The dashboard reads its grouped figures from a snapshot a job computes, never from a
scan of the tables per visit; a visit shows how old they are and asks for new ones once
they are older than the refresh period."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from permissions.console import dashboard, tasks
from permissions.models import DashboardSnapshot, Organisation, User
from tests.console.conftest import Browser
from tests.factories import OrganisationFactory, UserFactory, make_auditor, submitted_request
from tests.helpers import approved_until

pytestmark = pytest.mark.django_db


def submitted_figure(html: str) -> int:
    card = html[html.index('id="figure-submitted"') :]
    found = re.search(r'<p class="console-figure-value mb-1">(\d+)</p>', card)
    assert found, card[:400]
    return int(found.group(1))


def later(minutes: int) -> time_machine.travel:
    return time_machine.travel(timezone.now() + datetime.timedelta(minutes=minutes), tick=False)


def test_the_first_visit_computes_the_figures_and_says_when(
    auditor_browser: Client, servant: User
) -> None:
    submitted_request(servant)
    html = auditor_browser.get("/audit/").content.decode()

    assert submitted_figure(html) == 1
    snapshot = DashboardSnapshot.objects.get()
    assert snapshot.figures["status"] == {"pending": 1}
    when = re.search(r'id="figures-as-of">([^<]*)<', html)
    assert when and "as of" in when.group(1)
    assert f"every {settings.DASHBOARD_REFRESH_MINUTES} minutes" in when.group(1)


def test_a_fresh_snapshot_is_shown_as_it_is(auditor_browser: Client, servant: User) -> None:
    submitted_request(servant)
    dashboard.refresh()
    submitted_request(servant)

    html = auditor_browser.get("/audit/").content.decode()

    # Not counted yet: the figures are those of the snapshot, which the page dates.
    assert submitted_figure(html) == 1
    assert DashboardSnapshot.objects.count() == 1


def test_an_old_snapshot_is_refreshed_once_however_many_look(
    auditor_browser: Client, browser: Browser, servant: User
) -> None:
    submitted_request(servant)
    dashboard.refresh()
    submitted_request(servant)
    other = browser(make_auditor(UserFactory(username="second-auditor")))

    with later(settings.DASHBOARD_REFRESH_MINUTES + 1):
        # Celery runs here, as in the embedded default: the refresh happens in the visit.
        first = auditor_browser.get("/audit/").content.decode()
        second = other.get("/audit/").content.decode()

    assert submitted_figure(first) == submitted_figure(second) == 2
    assert DashboardSnapshot.objects.count() == 2


def test_a_refresh_asked_while_a_worker_is_busy_is_not_asked_again(
    auditor_browser: Client, servant: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    submitted_request(servant)
    dashboard.refresh()
    asked: list[bool] = []
    monkeypatch.setattr(tasks.refresh_dashboard, "delay", lambda: asked.append(True))

    with later(settings.DASHBOARD_REFRESH_MINUTES + 1):
        for _visit in range(3):
            assert auditor_browser.get("/audit/").status_code == 200

    # Asked once; until the worker answers, the old figures are shown with their time.
    assert asked == [True]
    assert DashboardSnapshot.objects.count() == 1
    cache.delete(dashboard.REFRESH_LOCK)


def test_the_job_keeps_the_newest_snapshots_only(servant: User) -> None:
    submitted_request(servant)
    for _run in range(dashboard.KEEP_SNAPSHOTS + 3):
        result = tasks.refresh_dashboard.delay().get()
    newest = DashboardSnapshot.objects.order_by("-computed_at", "-id").first()
    assert newest is not None and result["snapshot"] == newest.pk
    assert DashboardSnapshot.objects.count() == dashboard.KEEP_SNAPSHOTS


def test_names_and_ministries_are_those_of_now(
    auditor_browser: Client, servant: User, other_ministry: Organisation
) -> None:
    """The snapshot keeps organisation ids; a division moved to another ministry since is
    counted under its new ministry, by the name it has now."""
    assert servant.organisation is not None
    division = OrganisationFactory(
        name="Media Wing", code="mw-test", kind="division", parent=servant.organisation
    )
    servant.organisation = division
    servant.save(update_fields=["organisation"])
    submitted_request(servant)
    dashboard.refresh()

    division.parent = other_ministry
    division.save(update_fields=["parent"])
    figures = dashboard.build()

    bars = {bar.label: bar.value for bar in figures.by_organisation.bars}
    assert bars == {"Ministry of Railways": 1}


def test_before_the_first_figures_a_worker_works_them_out_and_the_page_says_so(
    auditor_browser: Client, servant: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Right after installation, with a worker to ask: no visit scans the tables itself,
    however many auditors arrive at once."""
    submitted_request(servant)
    asked: list[bool] = []
    monkeypatch.setattr(tasks.refresh_dashboard, "delay", lambda: asked.append(True))

    pages = [auditor_browser.get("/audit/").content.decode() for _visit in range(3)]

    assert asked == [True]
    assert DashboardSnapshot.objects.count() == 0
    for html in pages:
        assert "being worked out for the first time" in html
        assert 'id="figure-submitted"' not in html
        assert 'id="chart-status-heading"' not in html
        assert 'id="figure-overdue"' in html
    cache.delete(dashboard.REFRESH_LOCK)


def test_the_approvals_expiring_soon_are_counted_with_the_snapshot_and_listed_live(
    servant: User, reporting_officer: User
) -> None:
    soon = timezone.localdate() + datetime.timedelta(days=3)
    approved_until(servant, reporting_officer, soon)
    dashboard.refresh()
    newest = approved_until(servant, reporting_officer, soon - datetime.timedelta(days=1))

    figures = dashboard.build()

    assert figures.expiring_count == 1
    # The live list has both, the newest (expiring first) on top.
    assert [request.pk for request in figures.expiring][:1] == [newest.pk]
    assert len(figures.expiring) == 2


def test_a_broker_that_is_down_leaves_the_figures_shown_with_their_time(
    auditor_browser: Client, servant: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    submitted_request(servant)
    dashboard.refresh()

    def down() -> None:
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(tasks.refresh_dashboard, "delay", down)
    with later(settings.DASHBOARD_REFRESH_MINUTES + 1):
        response = auditor_browser.get("/audit/")

    assert response.status_code == 200
    assert submitted_figure(response.content.decode()) == 1
    cache.delete(dashboard.REFRESH_LOCK)
