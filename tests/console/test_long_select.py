"""The console's long lists are written in Python, and come out as Django's own <select>."""

from __future__ import annotations

import pytest
from django import forms

from permissions.console.forms import LongSelect

CHOICES = [
    ("", "Every organisation"),
    (1, "Ministry of Information & Broadcasting"),
    (2, '\u2003Press "Information" <Department>'),
    (3, "وزارت اطلاعات"),
]


@pytest.mark.parametrize("value", [None, "", 2, "3", "99"])
@pytest.mark.parametrize("attrs", [{}, {"class": "form-select", "required": True, "id": "id_o"}])
def test_the_markup_is_django_s_own(value: object, attrs: dict[str, object]) -> None:
    ours = LongSelect(choices=CHOICES).render("organisation", value, attrs=dict(attrs))
    django = forms.Select(choices=CHOICES).render("organisation", value, attrs=dict(attrs))

    assert _normal(ours) == _normal(django)


def test_labels_and_values_are_escaped() -> None:
    html = LongSelect(choices=[('"><script>', "<b>bold</b>")]).render("x", None)
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html


def _normal(html: str) -> str:
    """Django's template puts each option on a line of its own and writes `selected` as
    an attribute list; the browser reads both the same."""
    return "".join(line.strip() for line in html.splitlines())
