"""E-mails: rendered from templates/emails/<name>-subject.txt, -body.txt and -body.html."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.utils import translation


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def _plain(template_name: str, context: dict[str, Any]) -> str:
    """Subjects and plain-text bodies are not HTML: render them without autoescaping."""
    template = get_template(template_name)
    return str(template.template.render(Context(context, autoescape=False)))  # type: ignore[attr-defined]


def render(name: str, context: dict[str, Any]) -> Rendered:
    """Subject, plain text and HTML of one kind of mail, in the portal's language."""
    with translation.override(settings.LANGUAGE_CODE):
        context = {"portal_url": settings.PORTAL_URL, **context}
        subject = " ".join(_plain(f"emails/{name}-subject.txt", context).split())
        text = _plain(f"emails/{name}-body.txt", context).strip() + "\n"
        html = render_to_string(
            f"emails/{name}-body.html", {**context, "subject": subject, "body_text": text}
        )
    return Rendered(subject=subject[:250], text=text, html=html)


def message_id(dedupe_key: str) -> str:
    """The same notification always carries the same Message-ID, so a resend after a
    crash between 'sent' and 'marked sent' is recognisable as the same mail."""
    digest = hashlib.sha256(dedupe_key.encode()).hexdigest()[:40]
    return f"<{digest}@{settings.EMAIL_MESSAGE_ID_DOMAIN}>"


def make_message(
    *, to: str, subject: str, text: str, html: str, dedupe_key: str
) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers={"Message-ID": message_id(dedupe_key), "Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(html, "text/html")
    return message
