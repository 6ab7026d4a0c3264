"""What the pre-screening's phrase lists catch, and what they wrongly flag, on the
labelled samples of tests/screening/samples.py, and how long screening a text takes.

    python bench/screening.py

Uses the lists as the migrations seed them (no database), prints the figures per
language and per ground, every sample missed and every benign sample flagged, and the
time to screen a request's text of about 2,000 characters. tests/screening/
test_samples.py holds the same figures to a floor on every test run.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def main() -> None:
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "conduct_portal.settings")
    import django

    django.setup()
    from permissions.screening.checks import screen
    from tests.screening.samples import SAMPLES, evaluate, phrases_as_seeded

    phrases = phrases_as_seeded()
    figures = evaluate(phrases)
    print(f"{len(SAMPLES)} samples; {len(phrases)} phrases in the seeded lists\n")
    print("| language | touching a ground | caught | benign | wrongly flagged | flags |")
    print("| --- | --- | --- | --- | --- | --- |")
    for language, name in (("en", "English"), ("ur", "Urdu"), ("all", "both")):
        each = figures[language]
        print(
            f"| {name} | {each.touching} | {each.caught} ({each.recall:.0%}) | {each.benign} "
            f"| {each.falsely_flagged} ({each.false_flag_rate:.0%}) | {each.flags} |"
        )
    print("\nRight flags by ground (English + Urdu):")
    for title, count in sorted(figures["all"].by_ground.items()):
        print(f"  {count:3}  {title}")
    print("\nMissed:")
    for sample in figures["all"].missed:
        print(f"  [{sample.language}] {sample.text}  ({', '.join(sorted(sample.grounds))})")
    print("\nWrongly flagged:")
    for sample, grounds in figures["all"].false:
        print(f"  [{sample.language}] {sample.text}  -> {', '.join(sorted(grounds))}")

    text = " ".join(sample.text for sample in SAMPLES)[:2000]
    rounds = 200
    started = time.perf_counter()
    for _ in range(rounds):
        screen({"summary": text}, phrases)
    took = (time.perf_counter() - started) / rounds
    print(
        f"\nScreening {len(text):,} characters against {len(phrases)} phrases: {took * 1000:.1f} ms"
    )


if __name__ == "__main__":
    main()
