"""The export jobs' tests run their Celery tasks in the test process, and read the files
back as the console's export tests do."""

from __future__ import annotations

# Every test here runs its Celery tasks in the test process.
from tests.console.conftest import auditor_browser, csv_rows, xlsx_cells  # noqa: F401
from tests.helpers import tasks_run_here  # noqa: F401
