"""The blocks several pages share (what a request says, its conditions) read alike
wherever they appear, with the differences each place needs."""

from __future__ import annotations

import pytest

from permissions.models.requests import StandardCondition

from .conftest import World, signed_in, visible_text

pytestmark = pytest.mark.django_db


def after(pieces: list[str], heading: str) -> str:
    """The text that follows a heading or a term of a definition list."""
    return pieces[pieces.index(heading) + 1]


def test_a_request_reads_the_same_to_its_servant_and_to_the_auditor(world: World) -> None:
    draft = world.requests["draft"]
    renewed = draft.renews
    assert renewed is not None
    own = signed_in(world.servant).get(f"/requests/{draft.pk}/").content.decode()
    record = signed_in(world.auditor).get(f"/audit/requests/{draft.pk}/").content.decode()
    own_text, record_text = visible_text(own), visible_text(record)

    for term in ("Outlet", "What will be said or posted", "Capacity", "When"):
        assert after(own_text, term) == after(record_text, term), term
    assert after(own_text, "Capacity") == (
        "Personal capacity; My personal account; administers the group or page"
    )
    # The servant's page names them as the applicant; the console adds their user name,
    # the organisation and the platform's category, and links within the console.
    assert after(own_text, "Applicant").startswith(world.servant.get_full_name())
    assert f"({world.servant.username})" in after(record_text, "Servant")
    assert after(record_text, "Organisation") == "Information Division"
    assert "(Social media)" in after(record_text, "Platform")
    assert f'href="/requests/{renewed.pk}/">{renewed.reference}<' in own
    assert f'href="/audit/requests/{renewed.pk}/">{renewed.reference}<' in record


def test_the_conditions_read_the_same_on_every_page(world: World) -> None:
    approved = world.requests["approved"]
    labels = [str(label) for label in StandardCondition.labels]
    own = visible_text(signed_in(world.servant).get(f"/requests/{approved.pk}/").content.decode())
    record = visible_text(
        signed_in(world.auditor).get(f"/audit/requests/{approved.pk}/").content.decode()
    )
    for text in (own, record):
        start = text.index(labels[0])
        assert text[start : start + len(labels) + 1] == [
            *labels,
            "Send the recording to the cell.",
        ]


def test_the_decide_page_shows_the_conditions_set_at_earlier_steps(world: World) -> None:
    second_step = world.requests["second_step"]
    page = signed_in(world.countersigning_officer).get(f"/requests/{second_step.pk}/decide/")
    text = visible_text(page.content.decode())
    start = text.index("Conditions set at earlier steps")
    assert str(StandardCondition.PERSONAL_VIEWS.label) in text[start:]
    assert "No uniform." in text[start:]

    first_step = world.requests["nameless"]
    page = signed_in(world.reporting_officer).get(f"/requests/{first_step.pk}/decide/")
    assert "Conditions set at earlier steps" not in page.content.decode()
