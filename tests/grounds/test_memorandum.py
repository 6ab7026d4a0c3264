"""Every ground the memorandum names reaches the three places it must: the declaration
the servant signs, the reasons an officer may cite, and the guidance beside the
questions for the platforms it bears on."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable

import pytest
from django.test import Client
from django.utils.formats import date_format

from permissions.models import Ground, Instruction, User
from tests.factories import draft_request, platform, submitted_request

from .conftest import (
    MEMORANDUM,
    Expected,
    attribute,
    by_id,
    find_all,
    in_sentence,
    page,
    text,
)

pytestmark = pytest.mark.django_db


def test_every_ground_of_the_memorandum_is_a_record_under_its_rule(grounds: list[Ground]) -> None:
    recorded = {g.title: (g.rule.number, g.paragraph) for g in grounds}
    assert recorded == {e.title: (e.rule, e.paragraph) for e in MEMORANDUM}
    assert all(g.explanation.strip().endswith(".") for g in grounds)


def test_the_earlier_instructions_the_memorandum_cites_are_records(
    grounds: list[Ground],
) -> None:
    cited = {(i.kind, i.reference, i.dated.isoformat()) for i in Instruction.objects.all()}
    assert {
        ("O.M.", "F. No. 14/3/2022-D-II", "2024-09-02"),
        ("Circular", "No. 1/20/1976-D:3", "2020-07-23"),
        ("O.M.", "F.No. 14/04/2021-D-II", "2021-08-25"),
    } <= cited


def test_every_ground_is_in_the_declaration_on_the_request_form(
    grounds: list[Ground], servant: User, browser: Callable[[User], Client]
) -> None:
    html = page(browser(servant).get("/requests/new/").content)
    [label] = find_all(
        html, lambda e: e.name == "label" and attribute(e, "for") == "id_declaration"
    )
    declaration = text(label)
    assert declaration.startswith("I have read Rules 18, 21, 22, 24, 25, 25-A and 25-B of")
    for expected in MEMORANDUM:
        assert in_sentence(expected.title) in declaration, expected.title


def test_every_ground_is_offered_to_the_officer_rejecting_or_returning(
    grounds: list[Ground],
    servant: User,
    reporting_officer: User,
    browser: Callable[[User], Client],
) -> None:
    request = submitted_request(servant)
    html = page(browser(reporting_officer).get(f"/requests/{request.pk}/decide/").content)
    reasons_block = by_id(html, "reveal-reasons")
    assert attribute(reasons_block, "data-shown-when") == "decision=reject,return"
    offered = {
        text(label)
        for label in find_all(by_id(reasons_block, "div_id_grounds"), lambda e: e.name == "label")
    }
    for expected in MEMORANDUM:
        assert f"{expected.title} (Rule {expected.rule})" in offered, expected.title


def _guidance_for(client: Client, servant: User, category: str) -> tuple[list[str], str]:
    """The grounds shown beside "What will be said or posted" for a draft on a platform
    of `category`, and the rules sidebar's text."""
    draft = draft_request(servant, platform=platform(category))
    html = page(client.get(f"/requests/{draft.pk}/edit/").content)
    hint = by_id(html, "summary-grounds")
    shown = [
        text(item)
        for item in find_all(hint, lambda e: e.name == "li")
        if attribute(item, "hidden") is None
    ]
    [sidebar] = find_all(html, lambda e: e.name == "aside")
    return shown, text(sidebar)


def test_every_ground_is_in_the_guidance_for_a_category_it_bears_on(
    grounds: list[Ground], servant: User, browser: Callable[[User], Client]
) -> None:
    client = browser(servant)
    by_category: dict[str, list[Expected]] = defaultdict(list)
    for expected in MEMORANDUM:
        by_category[expected.category].append(expected)
    explanations = {g.title: g.explanation for g in grounds}
    for category, expected_here in by_category.items():
        shown, sidebar = _guidance_for(client, servant, category)
        for expected in expected_here:
            assert f"{expected.title} (Rule {expected.rule})" in shown, (category, expected.title)
            # Grouped under its rule in the sidebar, with its explanation and paragraph.
            assert f"{expected.title}. {explanations[expected.title]}" in sidebar
            assert expected.paragraph in sidebar


def test_the_guidance_leaves_out_grounds_for_other_platforms(
    grounds: list[Ground], servant: User, browser: Callable[[User], Client]
) -> None:
    client = browser(servant)
    shown, _sidebar = _guidance_for(client, servant, "print")
    titles = [item.rsplit(" (Rule", 1)[0] for item in shown]
    assert "Following trends" not in titles
    assert "Business promotion without permission" not in titles
    assert "National security" in titles
    shown, _sidebar = _guidance_for(client, servant, "social_media")
    titles = [item.rsplit(" (Rule", 1)[0] for item in shown]
    assert "Following trends" in titles
    assert "Press conferences or media talk without permission" not in titles


def test_a_new_request_shows_every_ground_until_a_platform_is_chosen(
    grounds: list[Ground], servant: User, browser: Callable[[User], Client]
) -> None:
    html = page(browser(servant).get("/requests/new/").content)
    hint = by_id(html, "summary-grounds")
    items = find_all(hint, lambda e: e.name == "li")
    assert len(items) == len(MEMORANDUM)
    assert all(attribute(item, "hidden") is None for item in items)
    # The question's hint and the grounds are read with it.
    [summary] = find_all(html, lambda e: e.name == "textarea" and attribute(e, "name") == "summary")
    assert attribute(summary, "aria-describedby") == "id_summary_helptext summary-grounds"


def test_the_rules_sidebar_names_the_earlier_instructions(
    grounds: list[Ground], servant: User, browser: Callable[[User], Client]
) -> None:
    html = page(browser(servant).get("/requests/new/").content)
    [sidebar] = find_all(html, lambda e: e.name == "aside")
    said = text(sidebar)
    for cited, dated in [
        ("Circular No. 1/20/1976-D:3", datetime.date(2020, 7, 23)),
        ("O.M. F.No. 14/04/2021-D-II", datetime.date(2021, 8, 25)),
        ("O.M. F. No. 14/3/2022-D-II", datetime.date(2024, 9, 2)),
    ]:
        assert f"{cited} of {date_format(dated)}" in said
