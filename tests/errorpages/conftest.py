"""What every error page of the portal shows: the layout, its own heading and the way
on, and nothing of what went wrong inside."""

from __future__ import annotations

import re

from django.http import HttpResponse

# The footer of base.html: the page is in the portal's layout.
LAYOUT_FOOTER = "Government Servants (Conduct) Rules, 1964"
HEADINGS = {
    400: "The portal could not understand what your browser sent",
    403: "You may not do this",
    404: "Page not found",
    405: "This address is for forms only",
    500: "Something went wrong on the portal's side",
}
CSRF_HEADING = "The form has expired"


def assert_portal_error_page(response: HttpResponse, status: int, heading: str) -> str:
    """The page's text, once it is known to be the portal's page for `status`."""
    assert response.status_code == status, response.content[:300]
    html = response.content.decode()
    assert LAYOUT_FOOTER in html, "not in the portal's layout"
    assert re.search(rf"<h1[^>]*>{re.escape(heading)}</h1>", html), f"no heading {heading!r}"
    assert "What you can do" in html
    assert 'href="/"' in html, "no way back to the home page"
    assert "helpdesk" in html
    assert "Traceback" not in html
    # A strict CSP is coming: nothing inline.
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "an inline script"
    assert "<style" not in html and "style=" not in html, "an inline style"
    return html
