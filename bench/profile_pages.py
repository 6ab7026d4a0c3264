"""Where each page's time goes: every page of bench/run.py rendered in this process a few
hundred times, with its statements counted and timed, under cProfile.

    DATABASE_URL=... DEBUG=false ... .venv/bin/python bench/profile_pages.py [--renders 200]
        [--pages inbox dashboard] [--top 15]

Run it in the environment bench/run.py gives the portal (it prints it with --print-env):
DEBUG off, so templates come from the cached loader as they do under gunicorn. Prints,
per page: the milliseconds a render takes (median), how many of them were spent in the
database, the statements per render, and the functions that took most of the rest.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import prepare
from django.db import connection
from django.test import Client


class Timed:
    """Every statement's wall time, through the connection's execute wrapper."""

    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0
        self.by_statement: dict[str, list[float]] = {}

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            took = time.perf_counter() - started
            self.seconds += took
            self.count += 1
            self.by_statement.setdefault(sql, []).append(took)

    def slowest(self, top: int) -> list[str]:
        ranked = sorted(self.by_statement.items(), key=lambda item: -sum(item[1]))[:top]
        return [
            f"  {sum(times) * 1000 / len(times):7.2f} ms x{len(times):<4} {sql[:400]}"
            for sql, times in ranked
        ]


def render_times(client: Client, paths: list[str], renders: int) -> tuple[list[float], Timed]:
    timed = Timed()
    times = []
    with connection.execute_wrapper(timed):
        for number in range(renders):
            path = paths[number % len(paths)]
            started = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{path}: {response.status_code}")
    return times, timed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--renders", type=int, default=200)
    parser.add_argument("--pages", nargs="*")
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--sql", action="store_true", help="the slowest statements too")
    parser.add_argument("--sort", default="tottime", help="cProfile order: tottime, cumtime")
    args = parser.parse_args()

    pages = prepare.pages_to_measure()
    clients: dict[str, Client] = {}
    for key, page in pages.items():
        if args.pages and key not in args.pages:
            continue
        who = page["who"]
        if who not in clients:
            clients[who] = Client(HTTP_COOKIE=prepare.cookie_of(who))
        client = clients[who]
        render_times(client, page["paths"], 10)  # warm the caches, as a running worker is
        times, timed = render_times(client, page["paths"], args.renders)
        profile = cProfile.Profile()
        profile.enable()
        render_times(client, page["paths"], max(20, args.renders // 4))
        profile.disable()
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats(args.sort).print_stats(args.top)
        median = statistics.median(times)
        print(
            f"== {key}: {median:.1f} ms a render (median of {args.renders}), "
            f"{timed.seconds * 1000 / args.renders:.1f} ms in {timed.count / args.renders:.1f} "
            f"statements"
        )
        if args.sql:
            print("\n".join(timed.slowest(5)))
        print("\n".join(out.getvalue().splitlines()[4 : 9 + args.top]))


if __name__ == "__main__":
    main()
