"""`make bench`: every page people use, measured from outside against a national data
set, side by side with a bare Django page in the same run; then the work outside HTTP.

    .venv/bin/python bench/run.py                      # 1,000,000 requests (generated once)
    .venv/bin/python bench/run.py --requests 100000    # a smaller data set, its own database

What it does, each step bounded in time and every server it starts stopped at the end:
1. PostgreSQL database `conduct_bench_<size>`: created, migrated and filled by
   bench/generate.py the first time (kept for later runs); `conduct_bench_bare` with the
   bare page's 1,000,000 rows (bench/baseline/load.sql).
2. gunicorn, 2 sync workers, DEBUG off, persistent connections, for the portal and for
   the bare page (bench/baseline/), on loopback ports.
3. For each page: wrk (2 threads, 16 connections, a warm-up then the measured run) on
   the bare keyset page, then on the portal's page, so both see the same machine state.
   Each portal page is requested over many rows (bench/paths.lua) as its user.
4. Outside HTTP: the audit log's CSV and XLSX exports of every event (rows/s, peak
   memory), the bare values_list → csv stream as their yardstick, `verify_audit` over
   the whole chain, 16 clients approving at once (latencies, then the chain verified),
   and the reminder sweep over 100,000 due approvals (bench/reminder_sweep.py, in a
   database of its own).
5. One table printed; the figures written as JSON under var/bench/.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import html.parser
import http.client
import json
import os
import queue
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

BASE_DIR = Path(__file__).resolve().parent.parent
BENCH = BASE_DIR / "bench"
PYTHON = sys.executable
PG = {"host": "127.0.0.1", "port": "5432", "user": "postgres"}
BARE_ROWS = 1_000_000
PAGE_ORDER = [
    ("servant_list", "servant's list /requests/"),
    ("inbox", "officer's inbox /inbox/"),
    ("request_detail", "request detail"),
    ("decide_page", "decide page"),
    ("console_search", "console search (status + ministry)"),
    ("audit_log_first", "audit log, first page"),
    ("audit_log_deep", "audit log, page 45-55"),
    ("dashboard", "dashboard"),
    ("notifications", "notifications"),
]
TARGET_RATIO = 0.70
TARGET_P99_MS = 150.0


def say(text: str = "") -> None:
    print(text, flush=True)


# --- processes ---------------------------------------------------------------------------


class Servers:
    """Everything started here, stopped in reverse order whatever happens."""

    def __init__(self) -> None:
        self.started: list[tuple[str, subprocess.Popen[bytes]]] = []

    def start(self, name: str, command: list[str], env: dict[str, str], log: Path) -> None:
        handle = log.open("wb")
        process = subprocess.Popen(  # noqa: S603 - our own commands
            command, env=env, stdout=handle, stderr=subprocess.STDOUT, cwd=BASE_DIR
        )
        self.started.append((name, process))

    def stop_all(self) -> None:
        for name, process in reversed(self.started):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    say(f"   {name} still running after 15 s: killed")
                    process.kill()
                    process.wait(timeout=5)
        self.started.clear()


def run(command: list[str], *, env: dict[str, str], timeout: float) -> str:
    finished = subprocess.run(  # noqa: S603 - our own commands
        command, env=env, cwd=BASE_DIR, capture_output=True, text=True, timeout=timeout
    )
    if finished.returncode != 0:
        raise SystemExit(
            f"{' '.join(command[:3])} … failed ({finished.returncode}):\n"
            f"{finished.stdout[-2000:]}\n{finished.stderr[-4000:]}"
        )
    return finished.stdout


def psql(database: str, *arguments: str, timeout: float = 60) -> str:
    """psql's output for `arguments` (-c SQL, or -f FILE with -v settings)."""
    connect = ["-h", PG["host"], "-p", PG["port"], "-U", PG["user"], "-d", database]
    command = ["psql", *connect, "-qAt", "-v", "ON_ERROR_STOP=1", *arguments]
    return run(command, env=dict(os.environ), timeout=timeout).strip()


def database_exists(name: str) -> bool:
    if not re.fullmatch(r"[a-z0-9_]+", name):
        raise SystemExit(f"{name!r}: a benchmark database is named in a-z, 0-9 and _ only")
    sql = f"SELECT 1 FROM pg_database WHERE datname = '{name}'"  # noqa: S608 - checked above
    return psql("postgres", "-c", sql) == "1"


def wait_until_serving(port: int, path: str, *, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", path)
            if connection.getresponse().status < 500:
                return
        time.sleep(0.2)
    raise SystemExit(f"nothing answered on 127.0.0.1:{port}{path} within {seconds:.0f} s")


# --- environments ------------------------------------------------------------------------


def portal_env(database: str, data_dir: Path) -> dict[str, str]:
    """Production settings on loopback: DEBUG off, fixed keys (the generator signed the
    audit chain with the same one), a queue of the benchmark's own on the local Redis."""
    env = dict(os.environ)
    env.update(
        DEBUG="false",
        SECRET_KEY="bench-only-secret-key-" + "x" * 40,
        AUDIT_KEY="bench-only-audit-key-" + "y" * 24,
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        SECURE_HSTS_SECONDS="0",
        DATABASE_URL=f"postgres://{PG['user']}@{PG['host']}:{PG['port']}/{database}",
        CONN_MAX_AGE="600",
        REDIS_URL=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7"),
        CELERY_TASK_DEFAULT_QUEUE="conduct-bench",
        EMAIL_URL="dummymail://",
        DATA_DIR=str(data_dir),
        STATIC_ROOT=str(data_dir / "static"),
        LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="conduct_portal.settings",
    )
    return env


def bare_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        PYTHONPATH=str(BENCH / "baseline"),
        DJANGO_SETTINGS_MODULE="basebench.settings",
        PGHOST=PG["host"],
        PGPORT=PG["port"],
        PGUSER=PG["user"],
        PGPASSWORD="",
        PGDATABASE="conduct_bench_bare",
    )
    return env


# --- data ----------------------------------------------------------------------------------


def ensure_portal_database(args: argparse.Namespace, env: dict[str, str]) -> None:
    name = args.database
    if not database_exists(name):
        psql("postgres", "-c", f'CREATE DATABASE "{name}"')
    run([PYTHON, "manage.py", "migrate", "--verbosity", "0"], env=env, timeout=600)
    have = int(psql(name, "-c", "SELECT count(*) FROM permissions_permissionrequest"))
    if have:
        say(f"data set: {have:,} requests already in {name}, kept")
        return
    say(f"data set: generating {args.requests:,} requests into {name} (once)")
    started = time.monotonic()
    output = run(
        [
            PYTHON,
            str(BENCH / "generate.py"),
            "--requests",
            str(args.requests),
            "--people",
            str(args.people),
            "--seed",
            str(args.seed),
        ],
        env=env,
        timeout=args.generate_timeout,
    )
    say(output.rstrip())
    say(f"data set: generated in {time.monotonic() - started:.0f} s")


def ensure_bare_database(env: dict[str, str]) -> None:
    if not database_exists("conduct_bench_bare"):
        psql("postgres", "-c", 'CREATE DATABASE "conduct_bench_bare"')
    run(
        [PYTHON, "-m", "django", "migrate", "--run-syncdb", "--verbosity", "0"],
        env=env,
        timeout=120,
    )
    have = int(psql("conduct_bench_bare", "-c", "SELECT count(*) FROM basebench_approval"))
    if have != BARE_ROWS:
        say(f"bare page: loading {BARE_ROWS:,} rows")
        load = str(BENCH / "baseline" / "load.sql")
        psql("conduct_bench_bare", "-v", f"rows={BARE_ROWS}", "-f", load, timeout=600)


# --- HTTP ------------------------------------------------------------------------------------


@dataclass
class Measured:
    req_s: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    socket_errors: int


def _ms(value: str) -> float:
    number = float(re.sub(r"[a-z]+$", "", value))
    if value.endswith("us"):
        return number / 1000
    if value.endswith("ms"):
        return number
    if value.endswith("s"):
        return number * 1000
    return number


def wrk(
    url: str,
    *,
    args: argparse.Namespace,
    cookie: str = "",
    paths: list[str] | None = None,
    mode: str = "",
) -> Measured:
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as listed:
        listed.write("\n".join(paths or []))
    env = dict(os.environ, WRK_COOKIE=cookie, WRK_PATHS=listed.name if paths else "", WRK_MODE=mode)
    base = ["wrk", "-t2", f"-c{args.connections}", "-s", str(BENCH / "paths.lua")]
    try:
        subprocess.run(  # noqa: S603 - our own command on a loopback URL
            [*base, f"-d{args.warmup}s", url],
            env=env,
            capture_output=True,
            timeout=args.warmup + 60,
            check=False,
        )
        out = subprocess.run(  # noqa: S603 - our own command on a loopback URL
            [*base, f"-d{args.duration}s", "--latency", url],
            env=env,
            capture_output=True,
            text=True,
            timeout=args.duration + 120,
            check=True,
        ).stdout
    finally:
        os.unlink(listed.name)
    found = {
        "rps": re.search(r"^Requests/sec:\s+([\d.]+)", out, re.M),
        "p50": re.search(r"^\s+50%\s+(\S+)", out, re.M),
        "p99": re.search(r"^\s+99%\s+(\S+)", out, re.M),
        "non": re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out),
        "sock": re.search(
            r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
        ),
    }
    return Measured(
        req_s=float(found["rps"].group(1)) if found["rps"] else 0.0,
        p50_ms=_ms(found["p50"].group(1)) if found["p50"] else 0.0,
        p99_ms=_ms(found["p99"].group(1)) if found["p99"] else 0.0,
        non_2xx=int(found["non"].group(1)) if found["non"] else 0,
        socket_errors=sum(int(n) for n in found["sock"].groups()) if found["sock"] else 0,
    )


def gunicorn(
    servers: Servers, name: str, app: str, port: int, env: dict[str, str], logs: Path
) -> None:
    servers.start(
        name,
        [
            str(Path(PYTHON).with_name("gunicorn")),
            app,
            "--workers",
            "2",
            "--worker-class",
            "sync",
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout",
            "30",
            "--no-control-socket",
            "--log-level",
            "warning",
        ],
        env,
        logs / f"{name}.log",
    )


@dataclass
class PageResult:
    key: str
    label: str
    portal: Measured
    bare: Measured

    @property
    def ratio(self) -> float:
        return self.portal.req_s / self.bare.req_s if self.bare.req_s else 0.0

    @property
    def meets(self) -> bool:
        return (
            self.ratio >= TARGET_RATIO
            and self.portal.p99_ms < TARGET_P99_MS
            and self.portal.non_2xx == 0
            and self.portal.socket_errors == 0
        )


def measure_pages(args: argparse.Namespace, prepared: dict[str, Any]) -> list[PageResult]:
    results = []
    for key, label in PAGE_ORDER:
        if args.pages and key not in args.pages:
            continue
        page = prepared["pages"][key]
        bare = wrk(f"http://127.0.0.1:{args.bare_port}/list/", args=args, mode="list-keyset")
        portal = wrk(
            f"http://127.0.0.1:{args.port}{page['paths'][0]}",
            args=args,
            cookie=prepared["cookies"][page["who"]],
            paths=page["paths"],
        )
        result = PageResult(key, label, portal, bare)
        say(
            f"  {label:38} {portal.req_s:7.1f} req/s  p99 {portal.p99_ms:7.1f} ms  "
            f"bare {bare.req_s:6.1f}  {result.ratio:5.0%}  errors {portal.non_2xx}"
            f"+{portal.socket_errors}"
        )
        results.append(result)
    return results


# --- approving under load ------------------------------------------------------------------


class FormValues(html.parser.HTMLParser):
    """The values a browser would send for the decision form."""

    def __init__(self) -> None:
        super().__init__()
        self.values: list[tuple[str, str]] = []
        self._in_form = False
        self._textarea: str | None = None
        self._select: str | None = None
        self._selected = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "form" and found.get("method", "").lower() == "post":
            self._in_form = "decide" in found.get("action", "") or not found.get("action")
        if not self._in_form:
            return
        name = found.get("name")
        if tag == "input" and name:
            kind = found.get("type", "text")
            if kind in {"radio", "checkbox"} and "checked" not in found:
                return
            if kind not in {"submit", "button", "file"}:
                self.values.append((name, found.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea = name
            self.values.append((name, ""))
        elif tag == "select" and name:
            self._select, self._selected = name, False
        elif tag == "option" and self._select and "selected" in found:
            self.values.append((self._select, found.get("value", "")))
            self._selected = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_form = False
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None


@dataclass
class ApproveResult:
    clients: int
    approved: int
    failed: int
    p50_ms: float
    p99_ms: float
    seconds: float
    errors: list[str] = field(default_factory=list)


def approve_under_load(args: argparse.Namespace, prepared: dict[str, Any]) -> ApproveResult:
    cookie = prepared["cookies"]["bench.officer"]
    work: queue.Queue[int] = queue.Queue()
    for pk in prepared["waiting"][: args.approvals]:
        work.put(pk)
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + args.approve_seconds

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", args.port, timeout=60)
        while time.monotonic() < deadline:
            try:
                pk = work.get_nowait()
            except queue.Empty:
                return
            path = f"/requests/{pk}/decide/"
            connection.request("GET", path, headers={"Cookie": cookie})
            answer = connection.getresponse()
            page = answer.read().decode()
            csrf = re.search(r"csrftoken=([^;]+)", answer.getheader("Set-Cookie") or "")
            form = FormValues()
            form.feed(page)
            values = [(name, value) for name, value in form.values if name != "decision"]
            values.append(("decision", "approve"))
            body = "&".join(f"{name}={quote_plus(value)}" for name, value in values)
            headers = {
                "Cookie": cookie + (f"; csrftoken={csrf.group(1)}" if csrf else ""),
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"http://127.0.0.1:{args.port}{path}",
                "Origin": f"http://127.0.0.1:{args.port}",
            }
            started = time.perf_counter()
            connection.request("POST", path, body=body, headers=headers)
            answer = connection.getresponse()
            answer.read()
            took = (time.perf_counter() - started) * 1000
            with lock:
                if answer.status == 302:
                    latencies.append(took)
                else:
                    errors.append(f"{pk}: {answer.status}")

    started = time.monotonic()
    threads = [threading.Thread(target=client) for _n in range(args.clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=args.approve_seconds + 120)
    seconds = time.monotonic() - started
    ordered = sorted(latencies)
    return ApproveResult(
        clients=args.clients,
        approved=len(latencies),
        failed=len(errors),
        p50_ms=statistics.median(ordered) if ordered else 0.0,
        p99_ms=ordered[max(0, int(len(ordered) * 0.99 + 0.5) - 1)] if ordered else 0.0,
        seconds=seconds,
        errors=errors[:10],
    )


# --- outside HTTP -------------------------------------------------------------------------------


def timed_json(command: list[str], *, env: dict[str, str], timeout: float) -> dict[str, Any]:
    """A script that prints one JSON object as its last line."""
    output = run(command, env=env, timeout=timeout)
    return json.loads(output.strip().splitlines()[-1])


def verify_chain(env: dict[str, str], timeout: float) -> dict[str, Any]:
    started = time.monotonic()
    output = run([PYTHON, "manage.py", "verify_audit"], env=env, timeout=timeout)
    seconds = time.monotonic() - started
    checked = re.search(r"([\d,]+) events", output)
    events = int(checked.group(1).replace(",", "")) if checked else 0
    return {
        "events": events,
        "seconds": round(seconds, 1),
        "events_per_s": round(events / seconds) if seconds else 0,
        "intact": "intact" in output.lower(),
        "output": output.strip()[-300:],
    }


def reminder_sweep(rows: int, timeout: float) -> dict[str, Any]:
    name = "conduct_bench_reminders"
    if database_exists(name):
        psql("postgres", "-c", f'DROP DATABASE "{name}"')
    psql("postgres", "-c", f'CREATE DATABASE "{name}"')
    env = dict(os.environ, DATABASE_URL=f"postgres://{PG['user']}@{PG['host']}:{PG['port']}/{name}")
    try:
        started = time.monotonic()
        output = run(
            [PYTHON, str(BENCH / "reminder_sweep.py"), "--rows", str(rows)],
            env=env,
            timeout=timeout,
        )
        seconds = re.search(r"([\d.]+) s(?:econds)?\b", output)
        return {
            "rows": rows,
            "wall_seconds": round(time.monotonic() - started, 1),
            "job_seconds": float(seconds.group(1)) if seconds else None,
            "output": output.strip()[-600:],
        }
    finally:
        psql("postgres", "-c", f'DROP DATABASE IF EXISTS "{name}"')


# --- the run --------------------------------------------------------------------------------------


def table(pages: list[PageResult]) -> str:
    lines = [
        "| page | portal req/s | bare keyset req/s | ratio | p50 | p99 | errors | target |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for page in pages:
        lines.append(
            f"| {page.label} | {page.portal.req_s:.1f} | {page.bare.req_s:.1f} | "
            f"{page.ratio:.0%} | {page.portal.p50_ms:.0f} ms | {page.portal.p99_ms:.0f} ms | "
            f"{page.portal.non_2xx + page.portal.socket_errors} | "
            f"{'met' if page.meets else 'missed'} |"
        )
    return "\n".join(lines)


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--people", type=int, default=None)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database", default=None)
    parser.add_argument("--port", type=int, default=8091)
    parser.add_argument("--bare-port", type=int, default=8092)
    parser.add_argument("--duration", type=int, default=10, help="seconds of each measured run")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--pages", nargs="*", help="only these pages (keys)")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--approvals", type=int, default=320)
    parser.add_argument("--approve-seconds", type=int, default=60)
    parser.add_argument("--sweep-rows", type=int, default=100_000)
    parser.add_argument(
        "--skip", nargs="*", default=[], choices=["pages", "export", "verify", "approve", "sweep"]
    )
    parser.add_argument("--generate-timeout", type=int, default=3600)
    parser.add_argument(
        "--print-env",
        action="store_true",
        help="print the portal's environment as shell exports (for profile_pages.py) and stop",
    )
    args = parser.parse_args(argv)
    if args.people is None:
        args.people = max(1_000, args.requests // 10)
    if args.database is None:
        args.database = f"conduct_bench_{args.requests}"
    return args


def main(argv: list[str]) -> int:
    args = parse(argv)
    for tool, package in (("wrk", "wrk"), ("psql", "postgresql-client")):
        if shutil.which(tool) is None:
            say(f"{tool} is missing: apt-get install {package}")
            return 2
    data_dir = BASE_DIR / "var" / "bench"
    logs = data_dir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    env = portal_env(args.database, data_dir)
    if args.print_env:
        for name in sorted(set(env) - set(os.environ) | {"DEBUG", "DATABASE_URL", "REDIS_URL"}):
            say(f"export {name}={shlex.quote(env[name])}")
        return 0
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H%MZ")
    report: dict[str, Any] = {
        "when": stamp,
        "machine": f"{os.cpu_count()} cores",
        "database": args.database,
    }

    ensure_portal_database(args, env)
    ensure_bare_database(bare_env())
    run(
        [PYTHON, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        env=env,
        timeout=300,
    )
    prepared = json.loads(run([PYTHON, str(BENCH / "prepare.py")], env=env, timeout=600))
    report["data"] = prepared["counts"]
    say(f"data: {json.dumps(prepared['counts'])}")

    servers = Servers()
    try:
        gunicorn(servers, "bare", "basebench.wsgi", args.bare_port, bare_env(), logs)
        gunicorn(servers, "portal", "conduct_portal.wsgi", args.port, env, logs)
        wait_until_serving(args.bare_port, "/plain/")
        wait_until_serving(args.port, "/login/")
        if "pages" not in args.skip:
            say(
                f"pages: wrk -t2 -c{args.connections}, {args.warmup} s warm-up, "
                f"{args.duration} s measured; bare keyset page before each"
            )
            pages = measure_pages(args, prepared)
            report["pages"] = [
                dict(asdict(page), ratio=page.ratio, meets=page.meets) for page in pages
            ]
            say()
            say(table(pages))
        if "approve" not in args.skip:
            approved = approve_under_load(args, prepared)
            report["approve"] = asdict(approved)
            say(
                f"approve, {approved.clients} clients: {approved.approved} approved, "
                f"{approved.failed} failed, p50 {approved.p50_ms:.0f} ms, "
                f"p99 {approved.p99_ms:.0f} ms in {approved.seconds:.1f} s {approved.errors}"
            )
    finally:
        servers.stop_all()
        with contextlib.suppress(Exception):
            run(
                ["redis-cli", "-u", env["REDIS_URL"], "DEL", env["CELERY_TASK_DEFAULT_QUEUE"]],
                env=env,
                timeout=30,
            )

    if "export" not in args.skip:
        report["export"] = [
            timed_json(
                [
                    PYTHON,
                    str(BENCH / "export_all.py"),
                    "--fmt",
                    fmt,
                    "--open",
                    *(["--bare"] if fmt == "csv" else []),
                ],
                env=env,
                timeout=3600,
            )
            for fmt in ("csv", "xlsx")
        ]
        for export in report["export"]:
            say(f"export: {json.dumps(export)}")
    if "verify" not in args.skip:
        report["verify"] = verify_chain(env, timeout=3600)
        say(
            f"verify_audit: {report['verify']['events']:,} events in "
            f"{report['verify']['seconds']} s, {report['verify']['events_per_s']:,}/s, "
            f"intact: {report['verify']['intact']}"
        )
    if "sweep" not in args.skip:
        report["sweep"] = reminder_sweep(args.sweep_rows, timeout=1800)
        say(f"reminder sweep over {args.sweep_rows:,}: {report['sweep']['output']}")

    out = data_dir / f"results-{stamp}.json"
    out.write_text(json.dumps(report, indent=2, default=str))
    say(f"figures written to {out.relative_to(BASE_DIR)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
