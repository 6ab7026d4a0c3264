"""The schedules' settings read from the environment, refusing bad values by name."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from conduct_portal.settings import env_days_list


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, [14, 7, 1]),
        ("", [14, 7, 1]),
        ("1,7,14", [14, 7, 1]),
        ("30, 3", [30, 3]),
        ("5,5", [5]),
    ],
)
def test_expiry_reminder_days(
    monkeypatch: pytest.MonkeyPatch, raw: str | None, expected: list[int]
) -> None:
    if raw is None:
        monkeypatch.delenv("EXPIRY_REMINDER_DAYS", raising=False)
    else:
        monkeypatch.setenv("EXPIRY_REMINDER_DAYS", raw)
    assert env_days_list("EXPIRY_REMINDER_DAYS", default=[14, 7, 1]) == expected


@pytest.mark.parametrize("raw", ["fortnight", "14,0", "7,-1", ","])
def test_a_bad_expiry_reminder_days_stops_start_up(
    monkeypatch: pytest.MonkeyPatch, raw: str
) -> None:
    monkeypatch.setenv("EXPIRY_REMINDER_DAYS", raw)
    with pytest.raises(ImproperlyConfigured, match="EXPIRY_REMINDER_DAYS"):
        env_days_list("EXPIRY_REMINDER_DAYS", default=[14, 7, 1])
