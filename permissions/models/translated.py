"""Reference data read in two languages: beside a field a person reads (a rule's title,
a ground's explanation, a platform's name) an Urdu version, `<field>_ur`, kept in the
same row and edited in the admin with it. Pages in Urdu show it; where it is blank they
show the English, so a new record is never missing from an Urdu page."""

from __future__ import annotations

from django.utils import translation

URDU = "ur"


class Translated:
    """Mixed into a model whose fields have `_ur` companions."""

    def local(self, name: str) -> str:
        """The field as the active language reads it."""
        if translation.get_language() == URDU:
            urdu = getattr(self, f"{name}_ur", "")
            if urdu:
                return str(urdu)
        return str(getattr(self, name))


def left_to_right(value: object) -> str:
    """On a right-to-left page, a run that reads left to right whatever the text around
    it (a rule's number such as 25-A, an address, a code), kept whole by the Unicode
    isolates LRI and PDI; elsewhere the value as it is."""
    return f"\u2066{value}\u2069" if translation.get_language_bidi() else str(value)
