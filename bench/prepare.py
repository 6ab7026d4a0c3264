"""Signed-in sessions and the paths each page is measured over, for bench/run.py.

Run in the portal's settings against the benchmark's database; prints one JSON object:
the session cookie of each bench account (signed in and past the second factor, as
the sign-in pages would leave it) and, per page, the paths wrk spreads its requests
over, so that no page is measured on one hot row.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.test import Client  # noqa: E402
from django_otp import DEVICE_ID_SESSION_KEY  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

from permissions.authority import steps_awaiting  # noqa: E402
from permissions.console import dashboard  # noqa: E402
from permissions.console.selectors import AUDIT_LOG_SORT  # noqa: E402
from permissions.models import AuditEvent, Organisation, PermissionRequest, User  # noqa: E402
from permissions.signin.sessions import stamp_signed_in  # noqa: E402
from permissions.states import Status  # noqa: E402

SERVANT, OFFICER, AUDITOR = "bench.servant", "bench.officer", "bench.auditor"
DEEP_PAGES = range(45, 56)
SAMPLE = 200


def cookie_of(username: str) -> str:
    """A session as sign-in and the second factor leave it, as a Cookie header."""
    user = User.objects.get(username=username)
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    stamp_signed_in(session)
    session.save()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def deep_audit_pages() -> list[str]:
    """Cursors into the audit log around its 51st page, newest first."""
    paths = []
    for number in DEEP_PAGES:
        row = (
            AuditEvent.objects.order_by("-created_at", "-pk")
            .values_list("created_at", "pk")[
                (number - 1) * settings.PAGE_SIZE - 1 : (number - 1) * settings.PAGE_SIZE
            ]
            .first()
        )
        if row is not None:
            paths.append(f"/audit/log/?after={AUDIT_LOG_SORT.encode(*row)}")
    return paths


def waiting_requests() -> list[int]:
    """Requests waiting on the bench officer: their decide pages, and what 16 clients approve."""
    return list(
        steps_awaiting(User.objects.get(username=OFFICER)).values_list("request_id", flat=True)[
            :2000
        ]
    )


def pages_to_measure() -> dict[str, Any]:
    """Per page: who looks at it and the paths its requests are spread over."""
    chance = random.Random(1)  # noqa: S311 - the same sample of pages every run
    servant = User.objects.get(username=SERVANT)
    own = list(
        PermissionRequest.objects.filter(applicant=servant)
        .exclude(status=Status.DRAFT)
        .values_list("pk", flat=True)[:SAMPLE]
    )
    waiting = waiting_requests()[:SAMPLE]
    ministries = list(
        Organisation.objects.filter(parent__isnull=True).values_list("pk", flat=True)[:50]
    )
    statuses = [Status.PENDING, Status.APPROVED, Status.REJECTED, Status.EXPIRED]
    searches = [
        f"/audit/requests/?status={chance.choice(statuses)}&organisation={chance.choice(ministries)}"
        for _n in range(SAMPLE)
    ]
    return {
        "servant_list": {"who": SERVANT, "paths": ["/requests/"]},
        "inbox": {"who": OFFICER, "paths": ["/inbox/"]},
        "request_detail": {"who": SERVANT, "paths": [f"/requests/{pk}/" for pk in own]},
        "decide_page": {"who": OFFICER, "paths": [f"/requests/{pk}/decide/" for pk in waiting]},
        "console_search": {"who": AUDITOR, "paths": searches},
        "audit_log_first": {"who": AUDITOR, "paths": ["/audit/log/"]},
        "audit_log_deep": {"who": AUDITOR, "paths": deep_audit_pages()},
        "dashboard": {"who": AUDITOR, "paths": ["/audit/"]},
        "notifications": {"who": SERVANT, "paths": ["/notifications/"]},
    }


def main() -> None:
    officer = User.objects.get(username=OFFICER)
    # What beat does every DASHBOARD_REFRESH_MINUTES: the page then reads its snapshot.
    snapshot = dashboard.refresh()
    print(
        json.dumps(
            {
                "cookies": {who: cookie_of(who) for who in (SERVANT, OFFICER, AUDITOR)},
                "pages": pages_to_measure(),
                "waiting": waiting_requests(),
                "counts": {
                    "requests": PermissionRequest.objects.count(),
                    "events": AuditEvent.objects.order_by().count(),
                    "people": User.objects.count(),
                    "officer_waiting": steps_awaiting(officer).count(),
                    "dashboard_refresh_seconds": round(snapshot.seconds, 1),
                },
            }
        )
    )


if __name__ == "__main__":
    main()
