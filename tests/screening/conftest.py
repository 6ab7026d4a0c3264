from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from permissions.screening.models import Phrase
from tests.grounds.conftest import reseed


@pytest.fixture
def phrases(db: None) -> list[Phrase]:
    """The grounds and their phrase lists as the migrations seed them, put back after an
    earlier transactional test in the same worker emptied the tables."""
    reseed()
    importlib.import_module("permissions.screening.migrations.0002_seed_phrases").seed(apps, None)
    return list(Phrase.objects.in_force())
