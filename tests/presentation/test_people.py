"""A person is named the same way everywhere: by their full name, or, when their
administrator recorded none, by their user name, never by a blank."""

from __future__ import annotations

import csv
import io

import pytest

from permissions.models import Notification

from .conftest import World, signed_in, visible_text

pytestmark = pytest.mark.django_db

NAME = "clerk-without-name"


def test_a_person_without_a_recorded_name_is_named_by_their_user_name(world: World) -> None:
    request = world.requests["nameless"]
    officer = signed_in(world.reporting_officer)
    inbox = visible_text(officer.get("/inbox/").content.decode())
    assert NAME in inbox
    detail = visible_text(officer.get(f"/requests/{request.pk}/").content.decode())
    assert NAME in detail[detail.index("Applicant") + 1]

    auditor = signed_in(world.auditor)
    assert NAME in visible_text(auditor.get("/audit/requests/").content.decode())
    record = visible_text(auditor.get(f"/audit/requests/{request.pk}/").content.decode())
    assert f"{NAME} ({NAME})" in record[record.index("Servant") + 1]
    export = auditor.get("/audit/requests/export.csv")
    body = b"".join(export.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert next(row for row in rows if row["Reference"] == request.reference)["Servant"] == NAME

    receipt = Notification.objects.get(request=request, kind="receipt")
    assert receipt.body_text.startswith(f"Dear {NAME},")
    asked = Notification.objects.get(
        request=request, kind="submitted", recipient=world.reporting_officer
    )
    assert f"{NAME} asks for permission" in asked.body_text


def test_a_person_with_a_name_is_named_by_it(world: World) -> None:
    servant = signed_in(world.servant)
    full_name = world.servant.get_full_name()
    assert full_name
    assert full_name in visible_text(servant.get("/profile/").content.decode())
    receipt = Notification.objects.filter(recipient=world.servant, kind="receipt").first()
    assert receipt is not None and receipt.body_text.startswith(f"Dear {full_name},")
