"""The frame around every page in Chromium: the skip link is the first Tab stop, shows on
top of the header and takes the reader to the main content; the keyboard focus stands out
from the green header and from a primary button by at least 3:1; the footer leads every
reader, signed in or not, to help, and the help pages pass axe at desktop and phone width."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from permissions.models import User
from tests.browser.accessibility import PHONE, assert_accessible_at_both_widths
from tests.browser.conftest import watch_policies
from tests.factories import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

HEADER_GREEN = "rgb(1, 65, 28)"
WCAG_NON_TEXT = 3.0

# Colours as the browser computed them, and WCAG's contrast ratio between two of them.
COLOUR_SCRIPT = """
window.frameColours = {
  parse(text) {
    const parts = (text.match(/[\\d.]+/g) || []).map(Number);
    return {r: parts[0], g: parts[1], b: parts[2], a: parts.length > 3 ? parts[3] : 1};
  },
  luminance({r, g, b}) {
    const channel = (v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  },
  contrast(one, two) {
    const [a, b] = [this.luminance(one), this.luminance(two)].sort((x, y) => y - x);
    return (a + 0.05) / (b + 0.05);
  },
  // The colour behind an element: the first ancestor with a background of its own.
  behind(element) {
    for (let el = element.parentElement; el; el = el.parentElement) {
      const colour = this.parse(getComputedStyle(el).backgroundColor);
      if (colour.a > 0) return colour;
    }
    return {r: 255, g: 255, b: 255, a: 1};
  },
};
"""

# What the focused element's ring is made of, and how it stands out from the element
# itself and from what lies around it.
RING_SCRIPT = """() => {
  const c = window.frameColours;
  const el = document.activeElement;
  // Bootstrap eases a button's shadow in: read the ring as it ends up.
  el.getAnimations().forEach((animation) => animation.finish());
  const style = getComputedStyle(el);
  const outline = c.parse(style.outlineColor);
  const shadow = style.boxShadow.match(/rgba?\\([^)]*\\)\\s+0px\\s+0px\\s+0px\\s+([\\d.]+)px/);
  const halo = shadow ? c.parse(shadow[0]) : null;
  const haloBeyondOutline = shadow ? Number(shadow[1]) - parseFloat(style.outlineWidth) : 0;
  const own = c.parse(style.backgroundColor);
  const around = c.behind(el);
  return {
    text: (el.innerText || el.value || el.getAttribute("aria-label") || el.tagName).trim(),
    outlineStyle: style.outlineStyle,
    outlineWidth: parseFloat(style.outlineWidth),
    aroundColour: `rgb(${around.r}, ${around.g}, ${around.b})`,
    outlineAgainstAround: c.contrast(outline, around),
    outlineAgainstOwn: own.a > 0 ? c.contrast(outline, own) : null,
    haloAgainstAround: halo && haloBeyondOutline >= 2 ? c.contrast(halo, around) : 0,
  };
}"""

# Whether the focused element is inside the viewport and nothing is drawn over it.
TOPMOST_SCRIPT = """() => {
  const el = document.activeElement;
  const box = el.getBoundingClientRect();
  const inside = box.width > 0 && box.height > 0 && box.left >= 0 && box.top >= 0
    && box.right <= window.innerWidth && box.bottom <= window.innerHeight;
  const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
  return {inside, topmost: hit !== null && (hit === el || el.contains(hit)),
          text: el.textContent.trim(), hit: hit ? hit.outerHTML.slice(0, 80) : null};
}"""


@pytest.fixture
def anonymous_page(browser: Any, live_server: Any, policy_violations: list[str]) -> Iterator[Any]:
    """A page nobody has signed in to, under the same watch on the portal's policies."""
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    watch_policies(context, policy_violations)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
    assert policy_violations == [], "\n".join(policy_violations)


def tab_to(page: Any, wanted: str, *, limit: int = 30) -> dict[str, Any]:
    """Press Tab until the focused element's text is `wanted`; its ring, as RING_SCRIPT
    reads it."""
    page.evaluate(COLOUR_SCRIPT)
    for _ in range(limit):
        page.keyboard.press("Tab")
        ring: dict[str, Any] = page.evaluate(RING_SCRIPT)
        if ring["text"] == wanted:
            return ring
    raise AssertionError(f"{wanted!r} is not reached by Tab")


def assert_skip_link_leads_to_main(page: Any) -> None:
    page.keyboard.press("Tab")
    shown = page.evaluate(TOPMOST_SCRIPT)
    assert shown["text"] == "Skip to main content", "the skip link is not the first Tab stop"
    assert shown["inside"], "the focused skip link is not on the screen"
    assert shown["topmost"], f"the focused skip link is covered by {shown['hit']}"
    page.keyboard.press("Enter")
    page.wait_for_function("document.activeElement && document.activeElement.id === 'main'")


def test_the_skip_link_is_first_on_top_and_leads_to_the_content(
    new_page: Any, anonymous_page: Any, servant: User
) -> None:
    # (The sign-in page puts the cursor in its first field, so a Tab there goes on.)
    anonymous_page.goto("/help/")
    assert_skip_link_leads_to_main(anonymous_page)

    page = new_page(servant.username, PASSWORD)
    page.goto("/requests/")
    assert_skip_link_leads_to_main(page)
    # On a phone, where the header is a bar with a menu button.
    page.set_viewport_size(PHONE)
    page.goto("/requests/")
    assert_skip_link_leads_to_main(page)


def test_focus_stands_out_on_the_green_header(
    new_page: Any, reporting_officer: User, servant: User
) -> None:
    page = new_page(reporting_officer.username, PASSWORD)
    page.goto("/inbox/")
    page.evaluate(COLOUR_SCRIPT)
    page.keyboard.press("Tab")  # the skip link
    seen = []
    for _ in range(10):
        page.keyboard.press("Tab")
        if not page.evaluate("document.activeElement.closest('header') !== null"):
            break
        ring = page.evaluate(RING_SCRIPT)
        seen.append(ring["text"])
        assert ring["aroundColour"] == HEADER_GREEN
        assert ring["outlineStyle"] == "solid" and ring["outlineWidth"] >= 2, ring
        assert ring["outlineAgainstAround"] >= WCAG_NON_TEXT, ring
    # The portal's name, the officer's links and their own menu were all looked at.
    assert seen[0].startswith("Conduct Portal")
    assert any(text.startswith("Awaiting me") for text in seen)
    assert len(seen) >= 5


def test_focus_stands_out_on_a_primary_button_and_a_white_page(anonymous_page: Any) -> None:
    anonymous_page.goto("/login/")
    button = tab_to(anonymous_page, "Sign in")
    assert button["outlineStyle"] == "solid" and button["outlineWidth"] >= 2, button
    assert button["outlineAgainstOwn"] is not None
    assert button["outlineAgainstOwn"] >= WCAG_NON_TEXT, button
    # Yellow does not stand out from white; the dark ring outside it does.
    assert button["haloAgainstAround"] >= WCAG_NON_TEXT, button

    anonymous_page.goto("/login/")
    field = tab_to(anonymous_page, "INPUT")  # a field of the form, empty
    assert field["outlineWidth"] >= 2
    assert max(field["outlineAgainstAround"], field["haloAgainstAround"]) >= WCAG_NON_TEXT, field


def test_an_anonymous_visitor_finds_help_and_whom_to_ask(anonymous_page: Any) -> None:
    anonymous_page.goto("/login/")
    footer = anonymous_page.locator("footer")
    footer.get_by_role("link", name="Help").click()
    anonymous_page.wait_for_url("**/help/")
    assert anonymous_page.get_by_role("heading", level=1).inner_text() == (
        "Help with the Conduct Portal"
    )
    assert_accessible_at_both_widths(anonymous_page)

    anonymous_page.locator("footer").get_by_role("link", name="Contact").click()
    anonymous_page.wait_for_url("**/help/contact/")
    assert_accessible_at_both_widths(anonymous_page)

    # A guide needs signing in, and the sign-in page says so.
    anonymous_page.goto("/help/")
    anonymous_page.get_by_role("link", name="Help for government servants").first.click()
    anonymous_page.wait_for_url("**/login/?next=/help/servants/")
    assert anonymous_page.get_by_text("Sign in to continue").is_visible()
    assert_accessible_at_both_widths(anonymous_page)


@pytest.mark.parametrize(
    ("persona", "guide"),
    [
        ("servant", "Help for government servants"),
        ("reporting_officer", "Help for reporting and countersigning officers"),
        ("auditor", "Help for the Establishment Division's auditors"),
    ],
)
def test_each_role_reaches_its_guide_from_the_footer(
    new_page: Any, request: pytest.FixtureRequest, servant: User, persona: str, guide: str
) -> None:
    person: User = request.getfixturevalue(persona)
    page = new_page(person.username, PASSWORD)
    page.locator("footer").get_by_role("link", name="Help").click()
    page.wait_for_url("**/help/")
    entry = page.locator("main .help-guide", has=page.get_by_role("link", name=guide))
    assert "Your role" in entry.inner_text()
    entry.get_by_role("link", name=guide).click()
    page.wait_for_url("**/help/*/")
    assert page.get_by_role("heading", level=1).inner_text() == guide
    assert_accessible_at_both_widths(page)
