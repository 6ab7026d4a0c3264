"""Withdrawing and revoking ask first, and keep the page when the reasons are missing."""

from __future__ import annotations

import pytest
from django.test import Client

from permissions import workflow
from permissions.models import PermissionRequest, User
from permissions.states import Status
from tests.factories import submitted_request

pytestmark = pytest.mark.django_db


def test_revoking_without_reasons_says_so_beside_the_box(
    client: Client, login, servant: User, reporting_officer: User
) -> None:
    request = submitted_request(servant)
    workflow.approve(request.pk, by=reporting_officer)
    login(reporting_officer)
    url = f"/requests/{request.pk}/revoke/"
    assert "Revoke the approval" in client.get(url).content.decode()
    response = client.post(url, {"reason": "  "})
    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()
    assert PermissionRequest.objects.get(pk=request.pk).status == Status.APPROVED
    response = client.post(url, {"reason": "Spoke on a matter of policy."})
    assert response.status_code == 302
    assert PermissionRequest.objects.get(pk=request.pk).status == Status.REVOKED


def test_withdrawing_needs_no_reason(client: Client, login, servant: User) -> None:
    request = submitted_request(servant)
    login(servant)
    url = f"/requests/{request.pk}/withdraw/"
    assert "Withdraw the request" in client.get(url).content.decode()
    response = client.post(url, {})
    assert response.status_code == 302
    assert PermissionRequest.objects.get(pk=request.pk).status == Status.WITHDRAWN
