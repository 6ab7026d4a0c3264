"""The admin edits people and organisations and shows chain errors beside the field."""

from __future__ import annotations

import pytest
from django.test import Client

from permissions.models import Organisation, User

pytestmark = pytest.mark.django_db


def test_people_list_searches_and_filters(admin_client_logged_in: Client, servant: User) -> None:
    response = admin_client_logged_in.get("/admin/permissions/user/", {"q": servant.last_name})
    assert response.status_code == 200
    assert servant.username in response.content.decode()
    response = admin_client_logged_in.get("/admin/permissions/user/", {"bps": "17"})
    assert response.status_code == 200


def test_organisations_list_searches(
    admin_client_logged_in: Client, division: Organisation
) -> None:
    response = admin_client_logged_in.get("/admin/permissions/organisation/", {"q": "Information"})
    assert response.status_code == 200
    assert division.name in response.content.decode()


def test_a_loop_is_shown_beside_the_reporting_officer_field(
    admin_client_logged_in: Client, servant: User, reporting_officer: User
) -> None:
    url = f"/admin/permissions/user/{reporting_officer.pk}/change/"
    page = admin_client_logged_in.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update(
        {
            "reporting_officer": servant.pk,
            "date_joined_0": "2024-01-01",
            "date_joined_1": "09:00:00",
            "last_login_0": "",
            "last_login_1": "",
            "groups": [],
            "user_permissions": [],
        }
    )
    response = admin_client_logged_in.post(url, data)
    assert response.status_code == 200  # the form again, not a redirect
    errors = response.context["adminform"].form.errors
    assert "loop in the reporting chain" in " ".join(errors["reporting_officer"])
    reporting_officer.refresh_from_db()
    assert reporting_officer.reporting_officer_id != servant.pk
