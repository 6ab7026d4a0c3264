"""axe-core, vendored from the npm registry, run on a page as it stands.

The script goes in through Playwright's ``evaluate``, which the page's Content-Security-Policy
does not govern, so the policy under test stays exactly as the portal sends it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text()

# What fails a test. "moderate" and "minor" findings are printed with the failure, not
# counted: axe's own scale puts only serious and critical ones in a person's way.
BLOCKING_IMPACTS = ("serious", "critical")

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Every violation axe finds on the page now, with the elements it found it on."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE)
    result: dict[str, Any] = page.evaluate(
        """async () => await window.axe.run(document, {
            runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa",
                                            "wcag22aa", "best-practice"]},
            resultTypes: ["violations"],
        })"""
    )
    return list(result["violations"])


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        targets = ", ".join(
            " ".join(str(part) for part in node["target"]) for node in violation["nodes"][:5]
        )
        lines.append(f"[{violation['impact']}] {violation['id']}: {violation['help']} — {targets}")
    return "\n".join(lines)


def assert_accessible(page: Any, where: str = "") -> None:
    """No serious or critical violation on the page at its current size."""
    found = axe_violations(page)
    blocking = [v for v in found if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, (
        f"axe found {len(blocking)} serious or critical violation(s) on "
        f"{where or page.url} at {page.viewport_size['width']} px:\n{describe(blocking)}"
    )


def assert_accessible_at_both_widths(page: Any, where: str = "") -> None:
    """The page as a desktop shows it and as a 390-px phone does, then back to desktop."""
    original = page.viewport_size or DESKTOP
    try:
        for size in (DESKTOP, PHONE):
            page.set_viewport_size(size)
            assert_accessible(page, where)
    finally:
        page.set_viewport_size(original)


def overflowing_elements(page: Any) -> list[str]:
    """Elements whose content is wider than the viewport, cut off by their own box, or
    inside a box that scrolls sideways: what a phone user could not read at a glance."""
    return list(
        page.evaluate(
            """() => {
            const width = document.documentElement.clientWidth;
            const found = [];
            if (document.documentElement.scrollWidth > width + 1) {
              found.push(`the page is ${document.documentElement.scrollWidth} px wide`);
            }
            for (const el of document.querySelectorAll("main *")) {
              const style = getComputedStyle(el);
              if (style.display === "none" || style.visibility === "hidden") continue;
              if (el.closest(".visually-hidden, .visually-hidden-focusable")) continue;
              const box = el.getBoundingClientRect();
              if (box.width === 0) continue;
              const name = `${el.tagName.toLowerCase()}.${el.className}`;
              if (box.right > width + 1 && !el.closest(".table-responsive, pre")) {
                found.push(`${name} reaches ${Math.round(box.right)} px`);
              }
              const boxed = ["hidden", "clip", "auto", "scroll"].includes(style.overflowX);
              if (boxed && el.scrollWidth > el.clientWidth + 1) {
                found.push(`${name} holds ${el.scrollWidth} px in ${el.clientWidth} px`);
              }
            }
            return found.slice(0, 20);
          }"""
        )
    )
