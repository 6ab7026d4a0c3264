"""What the benchmarks share: a database of their own, set up before Django starts.

The rows they write in bulk and the statements they count come from tests/helpers.py,
the same code the scale tests use at small sizes.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def start_django(workdir: Path, **variables: str) -> None:
    """Point the settings at the benchmark's database (DATABASE_URL if set, else a SQLite
    file in `workdir`), keep Celery's broker and the mail in this process, start Django
    and migrate."""
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "conduct_portal.settings")
    os.environ["DATA_DIR"] = str(workdir)
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir / 'bench.sqlite3'}")
    os.environ["REDIS_URL"] = ""
    os.environ["EMAIL_URL"] = "dummymail://"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.update(variables)

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
