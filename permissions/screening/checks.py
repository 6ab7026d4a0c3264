"""The pre-screening: a request's text checked, as it is submitted, against the phrase
lists of each ground. What it finds goes on the submission's audit event and is shown to
the officers deciding it, the words marked in the text. It is a prompt to read closely,
never a decision: nothing here stops, routes or decides a request."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from permissions.models import PermissionRequest
from permissions.submission import Panel

from . import matching
from .models import Phrase

# The parts of a request a servant writes that say what will be said, and where.
FIELDS = ("topic", "summary", "outlet")
# A text that trips a list hundreds of times needs reading, not a longer event.
MAX_FLAGS = 50


@dataclass(frozen=True)
class Flag:
    ground: int
    title: str
    rule: str
    phrase: str
    language: str
    field: str
    start: int
    end: int
    words: str

    def record(self) -> dict[str, Any]:
        """As the submission's audit event keeps it: every field, by name."""
        return asdict(self)


@dataclass(frozen=True)
class CompiledPhrase:
    phrase: Phrase
    pattern: re.Pattern[str]
    needle: str


def compiled(phrases: Iterable[Phrase]) -> list[CompiledPhrase]:
    """The phrases ready to match; one an administrator mistyped past the admin's check
    is skipped rather than stopping every submission."""
    ready = []
    for phrase in phrases:
        try:
            pattern = matching.compile_phrase(phrase.phrase)
        except ValueError:
            continue
        ready.append(CompiledPhrase(phrase, pattern, matching.needle(phrase.phrase)))
    return ready


def screen(texts: Mapping[str, str], phrases: list[CompiledPhrase]) -> list[Flag]:
    """Every place a phrase matches, one flag per ground for a stretch of text (two
    phrases of a ground on the same words make one flag), in the order of the fields and
    then of the text."""
    flags: list[Flag] = []
    for field, text in texts.items():
        if not text:
            continue
        folded = matching.fold(text)
        taken: dict[int, list[tuple[int, int]]] = {}
        found: list[Flag] = []
        for each in phrases:
            if each.needle not in folded[0]:
                continue
            ground = each.phrase.ground
            for match in matching.find(each.pattern, text, folded):
                spans = taken.setdefault(ground.pk, [])
                if any(match.start < end and start < match.end for start, end in spans):
                    continue
                spans.append((match.start, match.end))
                found.append(
                    Flag(
                        ground=ground.pk,
                        title=ground.title,
                        rule=ground.rule.number,
                        phrase=each.phrase.phrase,
                        language=each.phrase.language,
                        field=field,
                        start=match.start,
                        end=match.end,
                        words=text[match.start : match.end],
                    )
                )
        flags.extend(sorted(found, key=lambda flag: (flag.start, flag.end)))
    return flags


def lists_digest(phrases: Iterable[Phrase]) -> str:
    """Which lists were applied: a digest of every phrase in force, by ground."""
    listed = sorted((phrase.ground_id, phrase.language, phrase.phrase) for phrase in phrases)
    return hashlib.sha256(json.dumps(listed, ensure_ascii=False).encode()).hexdigest()


class Screening:
    """The submission check the app registers (apps.py)."""

    name = "screening"

    def run(self, request: PermissionRequest) -> dict[str, Any]:
        phrases = list(Phrase.objects.in_force())
        flags = screen({field: getattr(request, field) for field in FIELDS}, compiled(phrases))
        return {
            "phrases": len(phrases),
            "lists_sha256": lists_digest(phrases),
            "flags": [flag.record() for flag in flags[:MAX_FLAGS]],
            "not_recorded": max(0, len(flags) - MAX_FLAGS),
        }

    def panel(self, request: PermissionRequest, recorded: Any) -> Panel | None:
        if not isinstance(recorded, dict):
            return None
        flags = [flag for flag in recorded.get("flags", []) if isinstance(flag, dict)]
        return Panel(
            "screening/_flags.html",
            {
                "fields": _marked_fields(request, flags),
                "count": len(flags) + int(recorded.get("not_recorded") or 0),
                "phrases": recorded.get("phrases", 0),
            },
        )


@dataclass(frozen=True)
class Part:
    text: str
    marked: bool


@dataclass(frozen=True)
class MarkedField:
    """A field of the request with the flagged words marked in it, and the flags."""

    label: str
    parts: list[Part]
    flags: list[dict[str, Any]]


def _label(field: str) -> str:
    return str(
        getattr(PermissionRequest._meta.get_field(field), "verbose_name", field)
    ).capitalize()


def _marked_fields(request: PermissionRequest, flags: list[dict[str, Any]]) -> list[MarkedField]:
    fields = []
    for field in FIELDS:
        mine = [flag for flag in flags if flag.get("field") == field]
        if not mine:
            continue
        text = getattr(request, field) or ""
        # Marked only where the text still reads as it did when it was flagged (it
        # cannot change while the request is pending; a resubmission screens anew).
        spans = sorted(
            (flag["start"], flag["end"])
            for flag in mine
            if isinstance(flag.get("start"), int)
            and isinstance(flag.get("end"), int)
            and text[flag["start"] : flag["end"]] == flag.get("words")
        )
        fields.append(MarkedField(_label(field), _parts(text, spans), mine))
    return fields


def _parts(text: str, spans: list[tuple[int, int]]) -> list[Part]:
    """The text cut into plain and marked runs, overlapping spans merged."""
    merged: list[list[int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    parts: list[Part] = []
    at = 0
    for start, end in merged:
        if start > at:
            parts.append(Part(text[at:start], marked=False))
        parts.append(Part(text[start:end], marked=True))
        at = end
    if at < len(text):
        parts.append(Part(text[at:], marked=False))
    return parts
