"""The Urdu catalogue is whole: every entry translated, none fuzzy, and nothing in the
code or the templates that makemessages would add to it. A new string without its Urdu
fails here, and so in CI."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

BASE_DIR = Path(__file__).resolve().parents[2]
CATALOGUE = BASE_DIR / "locale" / "ur" / "LC_MESSAGES" / "django.po"
# What makemessages reads: the portal's code and templates (not the tests or benchmarks).
SOURCES = ("conduct_portal", "permissions", "templates", "manage.py", "locale")
IGNORED = (".venv", "bench", "tests", "node_modules", "staticfiles", "var", "media")


def _read(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle)


def _problems(catalogue: Catalog) -> tuple[list[str], list[str]]:
    untranslated, fuzzy = [], []
    for message in catalogue:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            untranslated.append(str(message.id))
        if message.fuzzy:
            fuzzy.append(str(message.id))
    return untranslated, fuzzy


def test_every_entry_of_the_urdu_catalogue_is_translated_and_none_is_fuzzy() -> None:
    catalogue = _read(CATALOGUE)
    untranslated, fuzzy = _problems(catalogue)
    assert untranslated == [], f"{len(untranslated)} untranslated: {untranslated[:20]}"
    assert fuzzy == [], f"{len(fuzzy)} fuzzy: {fuzzy[:20]}"
    assert not catalogue.fuzzy, "the catalogue's header is marked fuzzy"
    assert len(catalogue) > 1000


def test_makemessages_finds_nothing_the_catalogue_lacks(tmp_path: Path) -> None:
    if shutil.which("xgettext") is None or shutil.which("msgmerge") is None:
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail("gettext (xgettext, msgmerge) is needed to check the catalogue")
        pytest.skip("gettext is not installed (apt-get install gettext)")
    for name in SOURCES:
        source = BASE_DIR / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name, ignore=shutil.ignore_patterns("*.mo"))
        else:
            shutil.copy2(source, tmp_path / name)
    command = [sys.executable, "manage.py", "makemessages", "-l", "ur", "--no-obsolete"]
    for pattern in IGNORED:
        command += ["--ignore", pattern]
    subprocess.run(command, cwd=tmp_path, check=True, capture_output=True, env={**os.environ})

    before = {message.id for message in _read(CATALOGUE) if message.id}
    after = _read(tmp_path / "locale" / "ur" / "LC_MESSAGES" / "django.po")
    added = [str(message.id) for message in after if message.id and message.id not in before]
    assert added == [], f"strings without an Urdu translation: {added[:20]}"
    untranslated, fuzzy = _problems(after)
    assert untranslated == fuzzy == []
