"""The phrase lists in the admin: each phrase checked against its example before it is
kept, every change on the audit chain, and the next submission screened with it."""

from __future__ import annotations

import pytest
from django.test import Client

from permissions.models import AuditEvent, Ground, User
from permissions.screening.models import Phrase
from tests.factories import submitted_request

pytestmark = pytest.mark.django_db


def _add(client: Client, **fields: str | int) -> object:
    return client.post("/admin/screening/phrase/add/", {"is_active": "on", **fields})


def test_a_phrase_is_added_with_an_example_it_catches_and_the_next_submission_uses_it(
    phrases: list[Phrase], admin_client_logged_in: Client, servant: User
) -> None:
    trends = Ground.objects.get(title="Following trends")
    response = _add(
        admin_client_logged_in,
        ground=trends.pk,
        language="ur",
        phrase="مہم چلا*",
        example="سوشل میڈیا پر مہم چلائیں۔",
    )
    assert response.status_code == 302  # type: ignore[attr-defined]
    added = Phrase.objects.get(phrase="مہم چلا*")
    event = AuditEvent.objects.filter(action="admin.add").latest("pk")
    assert (event.data["model"], event.data["object_id"]) == ("screening.phrase", str(added.pk))

    request = submitted_request(servant, summary="میں بھی ٹویٹر پر مہم چلاؤں گا۔")
    submitted = AuditEvent.objects.get(request=request, action="submit")
    [flag] = submitted.data["checks"]["screening"]["flags"]
    assert (flag["words"], flag["title"]) == ("مہم چلاؤں", "Following trends")


@pytest.mark.parametrize(
    ("phrase", "example", "field", "message"),
    [
        ("protest*", "A quiet day at the office.", "example", "do not catch this example"),
        ("pro*test", "protest", "phrase", "may only end a word"),
        ("  ", "anything", "phrase", "This field is required"),
    ],
)
def test_a_phrase_that_would_not_work_is_refused_beside_its_field(
    phrases: list[Phrase],
    admin_client_logged_in: Client,
    phrase: str,
    example: str,
    field: str,
    message: str,
) -> None:
    before = Phrase.objects.count()
    response = _add(
        admin_client_logged_in,
        ground=Ground.objects.get(title="Public order").pk,
        language="en",
        phrase=phrase,
        example=example,
    )
    assert response.status_code == 200  # type: ignore[attr-defined]
    errors = response.context["adminform"].form.errors  # type: ignore[attr-defined]
    assert message in " ".join(errors[field])
    assert Phrase.objects.count() == before


def test_the_same_phrase_twice_for_a_ground_is_refused(
    phrases: list[Phrase], admin_client_logged_in: Client
) -> None:
    existing = Phrase.objects.select_related("ground").get(phrase="protest*")
    response = _add(
        admin_client_logged_in,
        ground=existing.ground_id,
        language="en",
        phrase="protest*",
        example="A protest.",
    )
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert Phrase.objects.filter(phrase="protest*").count() == 1
