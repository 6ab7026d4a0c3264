"""The portal starts without Pango, and says that letters cannot be made."""

from __future__ import annotations

import sys

import pytest

from permissions.letters.checks import weasyprint_check


def test_no_warning_where_weasyprint_loads() -> None:
    assert weasyprint_check() == []


def test_a_machine_without_weasyprints_libraries_is_told_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "weasyprint", None)

    [warning] = weasyprint_check()

    assert warning.id == "letters.W001"
    assert "libpango-1.0-0" in str(warning.hint)
