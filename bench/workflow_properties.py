"""A long search for an action sequence that breaks the workflow's promises.

    python bench/workflow_properties.py --profile deep

Runs tests/workflow/test_properties.py (random sequences of actions by random people,
checked against what the rules say) with the Hypothesis profile named by `--profile`
(tests/conftest.py: `default` tries 25 sequences, as every test run does; `deep`
tries 1,000), on the embedded SQLite default, and prints how many sequences passed,
the seconds, the sequences per second, and how often each action was done or refused.
A failure prints the shortest sequence Hypothesis found, and the exit code is pytest's.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
TEST = "tests/workflow/test_properties.py"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--profile", default="deep", help="a Hypothesis profile of tests/")
    args = parser.parse_args()

    environment = {
        **{
            name: value
            for name, value in os.environ.items()
            if name not in {"DATABASE_URL", "REDIS_URL", "EMAIL_URL", "REQUIRE_SERVICES"}
        },
        "HYPOTHESIS_PROFILE": args.profile,
    }
    command = [sys.executable, "-m", "pytest", TEST, "-q", "-p", "no:cacheprovider"]
    started = time.perf_counter()
    result = subprocess.run(  # noqa: S603 - this interpreter, running the test suite
        [*command, "--hypothesis-show-statistics"],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    output = result.stdout + result.stderr

    passing = re.search(r"(\d+) passing, (\d+) failing", output)
    sequences = int(passing.group(1)) if passing else 0
    events = re.findall(r"\* ([\d.]+)%, (\w+) (done|refused)", output)
    print(f"profile        {args.profile}")
    print(f"passed         {sequences} sequences")
    print(f"failed         {passing.group(2) if passing else '?'}")
    print(f"seconds        {seconds:.1f} (pytest start-up included)")
    if sequences:
        print(f"sequences/s    {sequences / seconds:.1f}")
    print("share of sequences in which each action was done / refused:")
    shares: dict[str, dict[str, str]] = {}
    for share, action, outcome in events:
        shares.setdefault(action, {})[outcome] = share
    for action in sorted(shares):
        done = shares[action].get("done", "0")
        refused = shares[action].get("refused", "0")
        print(f"  {action:<12} {done:>6}% done  {refused:>6}% refused")
    if result.returncode != 0:
        print(output)
    sys.exit(result.returncode)


if __name__ == "__main__":
    main()
