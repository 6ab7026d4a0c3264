"""Receives the violation reports that browsers send to the policy's report-uri.

Anyone can post here, signed in or not, with any body: the endpoint reads at most
REPORT_MAX_BYTES, logs a short summary of each report with every field cut to length
and control characters replaced, and answers 204 whatever it got. A body over the
limit is refused unread (413). Nothing is stored, so a flood costs log lines only, and
those only up to the RATELIMIT_PUBLIC rate from one address (then 429).
"""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from ..throttle import per_address

logger = logging.getLogger(__name__)

# A real report is well under 2 KB; the limit leaves room for a few in one body.
REPORT_MAX_BYTES = 16 * 1024
# At most this many reports of one body are logged (the Reporting API sends lists).
REPORTS_PER_BODY = 10
FIELD_MAX_LENGTH = 200

# application/csp-report is what report-uri sends, application/reports+json what the
# Reporting API sends; some browsers have used plain JSON.
REPORT_CONTENT_TYPES = {"application/csp-report", "application/reports+json", "application/json"}

# The fields of the summary, each with its name in a report-uri body and in a
# Reporting API body.
SUMMARY_FIELDS = (
    ("directive", "effective-directive", "effectiveDirective"),
    ("blocked", "blocked-uri", "blockedURL"),
    ("document", "document-uri", "documentURL"),
    ("source", "source-file", "sourceFile"),
    ("line", "line-number", "lineNumber"),
    ("column", "column-number", "columnNumber"),
    ("sample", "script-sample", "sample"),
    ("disposition", "disposition", "disposition"),
)
URL_FIELDS = {"blocked", "document", "source"}


def _clean(value: Any) -> str:
    """A report's field as a short line of printable text: whatever its type, cut to
    length, newlines and other control characters replaced so that a report cannot
    forge log lines."""
    if not isinstance(value, str | int | float | bool):
        return ""
    text = str(value)[: FIELD_MAX_LENGTH * 2]
    return "".join(char if char.isprintable() else "?" for char in text)[:FIELD_MAX_LENGTH]


def _without_query(url: str) -> str:
    """A URL without its query and fragment, which may carry a token or a search."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def _violations(payload: Any) -> list[dict[str, Any]]:
    """The violation bodies of a report-uri report (one object under "csp-report") or of
    a Reporting API report (a list of objects, each with a "body")."""
    if isinstance(payload, dict):
        body = payload.get("csp-report", payload.get("body"))
        return [body] if isinstance(body, dict) else []
    if isinstance(payload, list):
        return [
            report["body"]
            for report in payload[:REPORTS_PER_BODY]
            if isinstance(report, dict) and isinstance(report.get("body"), dict)
        ]
    return []


def summarise(violation: dict[str, Any]) -> dict[str, str]:
    """The fields worth logging of one violation, bounded and safe to print."""
    summary: dict[str, str] = {}
    for name, report_uri_key, reporting_api_key in SUMMARY_FIELDS:
        raw = violation.get(report_uri_key, violation.get(reporting_api_key))
        if name == "directive" and raw is None:
            raw = violation.get("violated-directive")
        value = _clean(raw)
        summary[name] = _without_query(value) if name in URL_FIELDS else value
    return summary


def _content_type(request: HttpRequest) -> str:
    return request.META.get("CONTENT_TYPE", "").split(";")[0].strip().lower()


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


# A flood from one address is cut off before its bodies are read or logged.
@per_address("csp-report", "RATELIMIT_PUBLIC", public=True)
@csrf_exempt
@require_POST
def csp_report(request: HttpRequest) -> HttpResponse:
    if _declared_length(request) > REPORT_MAX_BYTES:
        return HttpResponse(status=413)
    if _content_type(request) not in REPORT_CONTENT_TYPES:
        return HttpResponse(status=204)
    # Read from the stream, not request.body: a body larger than it said stops here.
    raw = request.read(REPORT_MAX_BYTES + 1)
    if len(raw) > REPORT_MAX_BYTES:
        return HttpResponse(status=413)
    try:
        payload = json.loads(raw)
    except (ValueError, RecursionError):  # not JSON, not UTF-8, or nested past reason
        return HttpResponse(status=204)
    for violation in _violations(payload):
        summary = summarise(violation)
        logger.warning(
            "Content-Security-Policy violation: %s blocked %s on %s (%s:%s:%s) %s",
            summary["directive"] or "?",
            summary["blocked"] or "?",
            summary["document"] or "?",
            summary["source"] or "-",
            summary["line"] or "-",
            summary["column"] or "-",
            summary["disposition"],
            extra={"csp_violation": summary},
        )
    return HttpResponse(status=204)
