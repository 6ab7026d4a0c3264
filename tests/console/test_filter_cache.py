"""The console's filter forms are drawn once per search, choices and language, and drawn
afresh when any of them changes or when the form has errors to show."""

from __future__ import annotations

from typing import Any

import pytest
from crispy_forms.utils import render_crispy_form
from django.test import Client

from permissions.models import Organisation
from permissions.templatetags import console

pytestmark = pytest.mark.django_db


@pytest.fixture
def drawn(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    forms: list[Any] = []

    def counted(form: Any, **kwargs: Any) -> str:
        forms.append(form)
        return str(render_crispy_form(form, **kwargs))

    monkeypatch.setattr(console, "render_crispy_form", counted)
    return forms


def filters(html: str) -> str:
    start = html.index('<section aria-labelledby="filters-heading"')
    return html[start : html.index("</section>", start)]


def test_the_same_search_is_drawn_once_and_reads_the_same(
    auditor_browser: Client, drawn: list[Any], ministry: Organisation
) -> None:
    first = auditor_browser.get("/audit/requests/", {"status": "pending"}).content.decode()
    again = auditor_browser.get("/audit/requests/", {"status": "pending"}).content.decode()

    assert len(drawn) == 1
    assert filters(first) == filters(again)
    assert '<option value="pending" selected>Pending</option>' in filters(again)
    assert str(render_crispy_form(drawn[0])) in first


def test_another_search_a_renamed_organisation_or_another_list_is_drawn_anew(
    auditor_browser: Client, drawn: list[Any], ministry: Organisation
) -> None:
    auditor_browser.get("/audit/requests/", {"status": "pending"})
    auditor_browser.get("/audit/requests/", {"status": "approved"})
    auditor_browser.get("/audit/log/", {"action": "approve"})
    assert len(drawn) == 3

    ministry.name = "Ministry of Information, Broadcasting and National Heritage"
    ministry.save(update_fields=["name"])
    html = auditor_browser.get("/audit/requests/", {"status": "pending"}).content.decode()

    assert len(drawn) == 4
    assert "Ministry of Information, Broadcasting and National Heritage" in filters(html)


def test_a_form_with_errors_is_drawn_each_time_with_them(
    auditor_browser: Client, drawn: list[Any]
) -> None:
    for _visit in range(2):
        html = auditor_browser.get(
            "/audit/requests/", {"submitted_from": "2026-06-30", "submitted_to": "2026-06-01"}
        ).content.decode()
        assert "the range would hold nothing" in filters(html)
    assert len(drawn) == 2
