"""Say at start-up when the letters cannot be made: WeasyPrint lays them out with Pango,
a system library that pip does not install."""

from __future__ import annotations

from typing import Any

from django.core.checks import Warning, register


@register()
def weasyprint_check(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as error:
        return [
            Warning(
                f"Permission letters cannot be made: WeasyPrint cannot load its system "
                f"libraries ({error}).",
                hint=(
                    "Install Pango and the fonts: on Debian, apt-get install libpango-1.0-0 "
                    "libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-core (see the README). "
                    "Everything else in the portal works without them."
                ),
                id="letters.W001",
            )
        ]
    return []
