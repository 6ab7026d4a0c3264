"""The console's filter forms, drawn once for everyone who asks the same search.

Crispy draws each field through several templates: for the request search that is most
of the page's rendering time. What it draws depends only on the form, the search asked
(GET, no CSRF token), the choices and the language, so the HTML is kept in the cache
under a digest of exactly those. A form with errors is drawn afresh: its messages are
the reader's own, and it is rare.
"""

from __future__ import annotations

from typing import Any

from crispy_forms.utils import render_crispy_form
from django import template
from django.core.cache import cache
from django.utils.formats import number_format
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

KEPT_SECONDS = 600


@register.simple_tag(takes_context=True)
def filter_form(context: template.Context, form: Any) -> SafeString:
    key = form.rendering_key()
    if key is not None:
        kept = cache.get(key)
        if kept is not None:
            return mark_safe(kept)  # noqa: S308 - crispy's own output, kept as it was drawn
    html = render_crispy_form(form, context=context.flatten())
    if key is not None:
        cache.set(key, str(html), KEPT_SECONDS)
    return mark_safe(html)  # noqa: S308 - crispy's own output


@register.filter
def grouped(value: int) -> str:
    """A count with its thousands marked as the reader's language marks them: 2,345."""
    return number_format(value, force_grouping=True)
