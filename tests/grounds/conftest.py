"""The memorandum's grounds as the tests expect them, read off the memorandum itself
(/work/shared/seed/office-memorandum-2024.txt), not off the migration that seeds them."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.test.html import Element, parse_html

from permissions.models import Ground

PARA_2 = "O.M. of 2 September 2024, para 2"
PARA_3 = "O.M. of 2 September 2024, para 3"


@dataclass(frozen=True)
class Expected:
    title: str
    rule: str
    paragraph: str
    # A platform category it bears on, to look for it in the guidance for that category.
    category: str


# Every ground the memorandum names, with the rule that bars it and where it says so.
MEMORANDUM = [
    Expected("National security", "21", PARA_2, "television"),
    Expected("Friendly relations with foreign states", "21", PARA_2, "social_media"),
    Expected("Public order", "21", PARA_2, "radio"),
    Expected("Decency or morality", "21", PARA_2, "online_video"),
    Expected("Contempt of court", "21", PARA_2, "print"),
    Expected("Defamation", "21", PARA_2, "social_media"),
    Expected("Incitement to an offence", "21", PARA_2, "press_conference"),
    Expected("Misleading or wrong information", "22", PARA_3, "social_media"),
    Expected("Following trends", "22", PARA_3, "social_media"),
    Expected("Comments based on caste and creed", "25", PARA_3, "social_media"),
    Expected("Criticism of a government policy or decision", "25-B", PARA_2, "television"),
    Expected("Statements that could embarrass the Government", "22", PARA_2, "print"),
    Expected("Propagating sectarian creeds", "25", PARA_2, "radio"),
    Expected("Views against the ideology and integrity of Pakistan", "25-A", PARA_2, "print"),
    Expected("Sharing official information", "18", PARA_2, "press_conference"),
    Expected("Affiliating with political parties", "24", PARA_3, "social_media"),
    Expected(
        "Press conferences or media talk without permission", "21", PARA_3, "press_conference"
    ),
    Expected("Business promotion without permission", "16", PARA_3, "business_promotion"),
]


def reseed() -> None:
    """The rows the data migrations write (rules, platforms, grounds), put back after an
    earlier transactional test in the same worker emptied the tables."""
    for name in ("0004_rules_platforms_media_cell", "0019_grounds", "0022_urdu_reference_data"):
        importlib.import_module(f"permissions.migrations.{name}").seed(apps, None)


@pytest.fixture
def grounds(db: None) -> list[Ground]:
    reseed()
    return list(Ground.objects.in_force())


def in_sentence(title: str) -> str:
    return title[:1].lower() + title[1:]


# --- reading pages -----------------------------------------------------------------------


def page(html: bytes | str) -> Element:
    return parse_html(html.decode() if isinstance(html, bytes) else html)


def attribute(element: Element, name: str) -> str | None:
    for key, value in element.attributes:
        if key == name:
            return value if value is not None else ""
    return None


def find_all(root: Any, match: Any) -> list[Element]:
    found: list[Element] = []
    for child in getattr(root, "children", []):
        if isinstance(child, Element):
            if match(child):
                found.append(child)
            found.extend(find_all(child, match))
    return found


def by_id(root: Element, element_id: str) -> Element:
    [element] = find_all(root, lambda e: attribute(e, "id") == element_id)
    return element


def text(element: Any) -> str:
    if isinstance(element, str):
        return element
    return " ".join(" ".join(text(child) for child in element.children).split())
