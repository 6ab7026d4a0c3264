"""The endpoint the policy's report-uri names: browsers post what was blocked, the
portal logs a short, bounded line per report, and no body at all can make it fail."""

from __future__ import annotations

import json
import logging

import pytest
from django.test import Client

from permissions.csp.views import FIELD_MAX_LENGTH, REPORT_MAX_BYTES, REPORTS_PER_BODY

URL = "/csp-report/"
LOGGER = "permissions.csp.views"

REPORT_URI_BODY = {
    "csp-report": {
        "document-uri": "http://portal.test/audit/?q=secret-search",
        "referrer": "",
        "violated-directive": "style-src-attr",
        "effective-directive": "style-src-attr",
        "original-policy": "default-src 'self'; report-uri /csp-report/",
        "disposition": "enforce",
        "blocked-uri": "inline",
        "line-number": 12,
        "column-number": 7,
        "source-file": "http://portal.test/static/app.js",
        "status-code": 200,
        "script-sample": "",
    }
}


def reporting_api_report(n: int) -> dict[str, object]:
    return {
        "type": "csp-violation",
        "age": 3,
        "url": "http://portal.test/inbox/",
        "user_agent": "Chromium",
        "body": {
            "documentURL": f"http://portal.test/inbox/?page={n}",
            "effectiveDirective": "script-src-elem",
            "blockedURL": f"http://evil.test/{n}.js",
            "disposition": "enforce",
            "statusCode": 200,
        },
    }


@pytest.fixture
def anonymous() -> Client:
    """A browser without a session or CSRF token, as a report is sent."""
    return Client(enforce_csrf_checks=True)


def post(client: Client, body: bytes | str, content_type: str = "application/csp-report") -> int:
    response = client.generic("POST", URL, body, content_type=content_type)
    assert response.content == b""
    return response.status_code


def violations_logged(caplog: pytest.LogCaptureFixture) -> list[dict[str, str]]:
    return [record.csp_violation for record in caplog.records if record.name == LOGGER]  # type: ignore[attr-defined]


def test_a_report_uri_report_is_logged_in_short(
    anonymous: Client, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        assert post(anonymous, json.dumps(REPORT_URI_BODY)) == 204

    assert violations_logged(caplog) == [
        {
            "directive": "style-src-attr",
            "blocked": "inline",
            # The query is dropped: it may hold what someone searched for, or a token.
            "document": "http://portal.test/audit/",
            "source": "http://portal.test/static/app.js",
            "line": "12",
            "column": "7",
            "sample": "",
            "disposition": "enforce",
        }
    ]
    [record] = [r for r in caplog.records if r.name == LOGGER]
    message = record.getMessage()
    assert "style-src-attr blocked inline on http://portal.test/audit/" in message
    assert "secret-search" not in message
    assert "original-policy" not in message


def test_reporting_api_reports_are_logged_each_up_to_a_limit(
    anonymous: Client, caplog: pytest.LogCaptureFixture
) -> None:
    body = [reporting_api_report(n) for n in range(REPORTS_PER_BODY + 5)]

    with caplog.at_level(logging.WARNING, logger=LOGGER):
        assert post(anonymous, json.dumps(body), "application/reports+json") == 204

    logged = violations_logged(caplog)
    assert len(logged) == REPORTS_PER_BODY
    assert logged[0]["directive"] == "script-src-elem"
    assert logged[0]["blocked"] == "http://evil.test/0.js"
    assert logged[0]["document"] == "http://portal.test/inbox/"


def test_fields_are_cut_to_length_and_cannot_forge_log_lines(
    anonymous: Client, caplog: pytest.LogCaptureFixture
) -> None:
    body = {
        "csp-report": {
            "effective-directive": "script-src\nCRITICAL forged entry",
            "blocked-uri": "http://evil.test/" + "a" * 5000,
        }
    }

    with caplog.at_level(logging.WARNING, logger=LOGGER):
        assert post(anonymous, json.dumps(body)) == 204

    [logged] = violations_logged(caplog)
    assert logged["directive"] == "script-src?CRITICAL forged entry"
    assert len(logged["blocked"]) == FIELD_MAX_LENGTH
    [record] = [r for r in caplog.records if r.name == LOGGER]
    assert "\n" not in record.getMessage()


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json at all",
        b"\xff\xfe\x00garbage",
        b"[1, 2, 3]",
        b'"a string"',
        b"null",
        b'{"csp-report": "not an object"}',
        b'{"csp-report": {"blocked-uri": ["a", "list"], "line-number": {"an": "object"}}}',
        b"[" * 8_000 + b"]" * 8_000,
    ],
    ids=[
        "empty",
        "text",
        "not-utf8",
        "numbers",
        "string",
        "null",
        "report-not-object",
        "fields-of-wrong-types",
        "nested-deep",
    ],
)
def test_garbage_is_answered_204_and_never_fails(
    body: bytes, anonymous: Client, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        assert post(anonymous, body) == 204

    for logged in violations_logged(caplog):
        # Only the object with fields of the wrong types gets this far; nothing of
        # those fields is kept.
        assert logged["blocked"] == ""
        assert logged["line"] == ""


def test_a_body_over_the_limit_is_refused_unread(
    anonymous: Client, caplog: pytest.LogCaptureFixture
) -> None:
    body = json.dumps({"csp-report": {"blocked-uri": "x" * REPORT_MAX_BYTES}})

    with caplog.at_level(logging.WARNING, logger=LOGGER):
        assert post(anonymous, body) == 413

    assert violations_logged(caplog) == []


def test_a_body_just_under_the_limit_is_read(
    anonymous: Client, caplog: pytest.LogCaptureFixture
) -> None:
    padding = REPORT_MAX_BYTES - len(json.dumps({"csp-report": {"blocked-uri": ""}}))
    body = json.dumps({"csp-report": {"blocked-uri": "x" * padding}})
    assert len(body) == REPORT_MAX_BYTES

    with caplog.at_level(logging.WARNING, logger=LOGGER):
        assert post(anonymous, body) == 204

    assert len(violations_logged(caplog)) == 1


def test_another_content_type_is_ignored(
    anonymous: Client, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        assert post(anonymous, json.dumps(REPORT_URI_BODY), "text/plain") == 204

    assert violations_logged(caplog) == []


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_only_post_is_allowed(method: str, anonymous: Client) -> None:
    response = getattr(anonymous, method)(URL)

    assert response.status_code == 405
    assert response["Allow"] == "POST"


def test_the_policy_names_this_endpoint(anonymous: Client) -> None:
    policy = anonymous.get("/login/")["Content-Security-Policy"]

    assert f"report-uri {URL}" in policy
