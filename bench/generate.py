"""Fill an empty, migrated PostgreSQL database with a national data set, fast.

    createdb -h 127.0.0.1 -U postgres conduct_big
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/conduct_big \\
        .venv/bin/python bench/generate.py --requests 1000000 --people 100000

422 organisations (35 ministries, their divisions, attached departments and offices;
fewer ministries below 87,500 people),
`--people` servants in reporting chains with grades and countersigning officers, the
auditors and the media cell, and `--requests` requests spread over the five years before
`--today`, in every state, each with the approval steps and the audit events the workflow
would have written for its history. The rows go in with COPY, in one transaction.

Everything is drawn from `random.Random(--seed)` and `--today`: the same arguments give
the same rows. The audit chain is hashed exactly as permissions/audit.py hashes it (its
own `compute_hash`, in id order, under the portal's current key), so `manage.py
verify_audit` passes; `--chain invalid` writes placeholder hashes instead (quicker, for
page benchmarks only) and records a failed verification run saying so. Each workflow
event carries the decision digest and, where the workflow records it, the content digest
(permissions.content's own functions), so `verify_audit --content` can pass too.

The page benchmarks sign in as `bench.servant` (about 200 requests of their own, in every
state), `bench.officer` (about 500 steps awaiting them, and many decided) and
`bench.auditor`, all with the password `bench-password-1`; the officer and the auditor
have a confirmed authenticator app (a TOTP device).

Exits 2 without writing anything when the database is not PostgreSQL or already holds
requests.
"""

from __future__ import annotations

import argparse
import datetime
import heapq
import json
import math
import os
import queue
import random
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from permissions.models import PermissionRequest

BASE_DIR = Path(__file__).resolve().parent.parent

PASSWORD = "bench-password-1"  # noqa: S105 - the benchmarks sign in with it
SERVANT = "bench.servant"
OFFICER = "bench.officer"
AUDITOR = "bench.auditor"
# Rows sent to PostgreSQL per COPY statement.
CHUNK_ROWS = 20_000


class Refused(Exception):
    """The database is not one this script may fill; the message says why."""


# --- reference data: organisations, names, posts ------------------------------------------

MINISTRIES = [
    ("Ministry of Information and Broadcasting", "Information and Broadcasting"),
    ("Ministry of Interior", "Interior"),
    ("Ministry of Finance", "Finance"),
    ("Ministry of Foreign Affairs", "Foreign Affairs"),
    ("Ministry of Defence", "Defence"),
    ("Ministry of Law and Justice", "Law and Justice"),
    ("Ministry of Planning, Development and Special Initiatives", "Planning"),
    ("Ministry of Commerce", "Commerce"),
    ("Ministry of Industries and Production", "Industries and Production"),
    ("Ministry of Energy", "Power"),
    ("Ministry of Water Resources", "Water Resources"),
    ("Ministry of Railways", "Railways"),
    ("Ministry of Communications", "Communications"),
    ("Ministry of Maritime Affairs", "Maritime Affairs"),
    ("Ministry of National Food Security and Research", "Food Security"),
    ("Ministry of National Health Services", "Health Services"),
    ("Ministry of Federal Education and Professional Training", "Education"),
    ("Ministry of Science and Technology", "Science and Technology"),
    ("Ministry of Information Technology and Telecommunication", "IT and Telecom"),
    ("Ministry of Climate Change", "Climate Change"),
    ("Ministry of Housing and Works", "Housing and Works"),
    ("Ministry of Religious Affairs", "Religious Affairs"),
    ("Ministry of Human Rights", "Human Rights"),
    ("Ministry of Overseas Pakistanis", "Overseas Pakistanis"),
    ("Ministry of Parliamentary Affairs", "Parliamentary Affairs"),
    ("Ministry of Privatisation", "Privatisation"),
    ("Ministry of Poverty Alleviation and Social Safety", "Social Safety"),
    ("Ministry of Inter-Provincial Coordination", "Inter-Provincial Coordination"),
    ("Ministry of Kashmir Affairs and Gilgit-Baltistan", "Kashmir Affairs"),
    ("Ministry of Narcotics Control", "Narcotics Control"),
    ("Ministry of Economic Affairs", "Economic Affairs"),
    ("Ministry of Revenue", "Revenue"),
    ("Ministry of Petroleum", "Petroleum"),
    ("Ministry of National Heritage and Culture", "Heritage and Culture"),
    ("Ministry of States and Frontier Regions", "States and Frontier Regions"),
]
DEPARTMENT_KINDS = ["Directorate General", "Department", "Authority", "Board", "Commission"]
CITIES = ["Karachi", "Lahore", "Peshawar", "Quetta"]

FIRST_NAMES = [
    "Ayesha", "Bilal", "Hamza", "Sana", "Usman", "Rabia", "Nadia", "Kamran", "Mehwish",
    "Faisal", "Shahid", "Amina", "Imran", "Zainab", "Khalid", "Saima", "Asad", "Hina", "Waqas",
    "Maria", "Adeel", "Naveed", "Farah", "Omer", "Ali", "Samina", "Junaid", "Noor", "Ahmed",
    "Farhan", "Lubna", "Tariq", "Sadia", "Yasir", "Uzma", "Zeeshan", "Fatima", "Haris", "Iqra",
    "Salman", "Mahnoor", "Danish", "Kiran", "Shoaib", "Nida", "Arslan", "Sobia", "Rizwan",
]  # fmt: skip
LAST_NAMES = [
    "Siddiqui", "Ahmed", "Qureshi", "Javed", "Ghani", "Nawaz", "Hussain", "Akmal", "Ali",
    "Raza", "Latif", "Farooq", "Butt", "Malik", "Mahmood", "Rehman", "Iqbal", "Aslam", "Anwar",
    "Khan", "Shah", "Akhtar", "Naz", "Saeed", "Haider", "Bibi", "Fatima", "Nadeem", "Yousaf",
    "Shafiq", "Chaudhry", "Abbasi", "Baloch", "Khattak", "Memon", "Sheikh", "Bhatti", "Gillani",
]  # fmt: skip
DESIGNATIONS = {
    22: ["Secretary", "Federal Secretary"],
    21: ["Additional Secretary", "Director General"],
    20: ["Joint Secretary", "Director General", "Commissioner"],
    19: ["Deputy Secretary", "Director", "Deputy Commissioner"],
    18: ["Section Officer (Senior)", "Deputy Director", "Senior Information Officer"],
    17: ["Section Officer", "Assistant Director", "Information Officer", "Research Officer"],
    16: ["Superintendent", "Assistant Private Secretary"],
    15: ["Assistant", "Stenographer"],
    14: ["Assistant", "Data Entry Operator"],
}
LOW_DESIGNATIONS = ["Upper Division Clerk", "Lower Division Clerk", "Driver", "Naib Qasid"]
SERVICE_GROUPS = ["pas", "omg", "sg", "ig", "irs", "pcs", "paas", "psp", "fsp", "ctg", "ex_cadre"]
SERVICE_WEIGHTS = [10, 20, 15, 8, 8, 5, 6, 5, 4, 3, 16]

PARTICIPATIONS = {
    "television": ["interview", "talk_show"],
    "radio": ["interview", "talk_show"],
    "print": ["article", "article", "publication"],
    "social_media": ["post", "post", "live_stream"],
    "online_video": ["interview", "live_stream", "post"],
    "press_conference": ["press_conference"],
    "business_promotion": ["advertisement"],
}
CATEGORY_WEIGHTS = {
    "television": 3,
    "radio": 2,
    "print": 3,
    "social_media": 8,
    "online_video": 3,
    "press_conference": 1,
    "business_promotion": 0.3,
}
OUTLETS = {
    "television": ["PTV News, 'Views on News'", "Geo News, 'Capital Talk'", "Dunya News"],
    "radio": ["Radio Pakistan Islamabad, morning show", "FM 101, 'Awaz'", "Radio Pakistan Lahore"],
    "print": ["Dawn, op-ed pages", "The News, business pages", "Journal of Media Studies"],
    "social_media": ["Personal Facebook page", "@official_handle", "WhatsApp community group"],
    "online_video": ["Personal YouTube channel", "'Screen Memories' podcast", "Policy podcast"],
    "press_conference": ["Press conference at the Ministry", "Media talk at the Press Club"],
    "business_promotion": ["A bank's advertisement", "A school's brochure"],
}
TOPICS = [
    "Citizens' access to public information",
    "Misinformation during floods",
    "Filing returns online",
    "Women in the civil service",
    "The federal budget and salaried people",
    "Winter traffic plan",
    "Archiving television heritage",
    "Literacy camps in the capital",
    "Digital services for pensioners",
    "Polio vaccination drive",
    "Monsoon preparedness",
    "Export facilitation for small firms",
    "Heritage sites and tourism",
    "Cyber safety for children",
    "Water conservation at home",
    "Reforms in railway ticketing",
]
COMMENTS = ["", "", "Approved.", "Approved with the usual conditions.", "Seen; no objection."]
RETURN_REASONS = [
    "Please attach the text of the post.",
    "Please say whether the group is public.",
    "Please give the programme's date and the other guests.",
]
REJECT_REASONS = [
    "Commenting on the budget in public would embarrass the Government.",
    "The talk would disclose official information.",
    "The programme is political in character.",
]
WITHDRAW_REASONS = ["", "The programme was postponed.", "No longer needed."]
REVOKE_REASONS = [
    "The episode was advertised with the Directorate's logo.",
    "The conditions of the approval were not kept.",
]
USER_AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
]
CONDITIONS = [
    "no_official_information",
    "personal_views",
    "no_designation",
    "pre_cleared_only",
    "report_afterwards",
]


# --- COPY text format -----------------------------------------------------------------------

NULL = "\\N"
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def text(value: str) -> str:
    return value.translate(_ESCAPES)


def num(value: int | None) -> str:
    return NULL if value is None else str(value)


def flag(value: bool) -> str:
    return "t" if value else "f"


def moment(ts: int | None) -> str:
    if ts is None:
        return NULL
    return datetime.datetime.fromtimestamp(ts, datetime.UTC).strftime("%Y-%m-%d %H:%M:%S+00")


def day(value: datetime.date | None) -> str:
    return NULL if value is None else value.isoformat()


def as_json(value: Any) -> str:
    return text(json.dumps(value, ensure_ascii=False, separators=(",", ":")))


class Loader:
    """Sends rows to PostgreSQL with COPY from a thread of its own, CHUNK_ROWS a
    statement, so the server parses and indexes one chunk while this process makes the
    next (the two cores both busy). Every statement runs on the caller's connection, in
    its transaction."""

    def __init__(self, raw_connection: Any):
        self.raw = raw_connection
        self.chunks: queue.Queue[tuple[str, bytes] | None] = queue.Queue(maxsize=8)
        self.pending: dict[str, list[str]] = {}
        self.columns: dict[str, list[str]] = {}
        self.counts: dict[str, int] = {}
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._send, daemon=True)
        self.thread.start()

    def table(self, name: str, columns: list[str]) -> Callable[[str], None]:
        """A function taking one row (columns tab-separated) for `name`."""
        self.columns[name] = columns
        self.counts.setdefault(name, 0)
        rows = self.pending.setdefault(name, [])

        def add(row: str) -> None:
            rows.append(row)
            if len(rows) >= CHUNK_ROWS:
                self.flush(name)

        return add

    def flush(self, name: str) -> None:
        rows = self.pending[name]
        if not rows:
            return
        self.counts[name] += len(rows)
        data = ("\n".join(rows) + "\n").encode()
        rows.clear()
        self._put((name, data))

    def _put(self, item: tuple[str, bytes] | None) -> None:
        while True:
            if self.error is not None:
                raise RuntimeError("COPY failed") from self.error
            try:
                self.chunks.put(item, timeout=1)
                return
            except queue.Full:
                continue

    def _send(self) -> None:
        try:
            with self.raw.cursor() as cursor:
                while (item := self.chunks.get()) is not None:
                    name, data = item
                    columns = ", ".join(f'"{column}"' for column in self.columns[name])
                    with cursor.copy(f'COPY "{name}" ({columns}) FROM STDIN') as copy:
                        copy.write(data)
        except BaseException as error:  # handed to the main thread at its next put
            self.error = error
            while self.chunks.get() is not None:
                pass

    def close(self) -> None:
        for name in self.pending:
            self.flush(name)
        self._put(None)
        self.thread.join()
        if self.error is not None:
            raise RuntimeError("COPY failed") from self.error


# --- people ----------------------------------------------------------------------------------


@dataclass
class Person:
    id: int
    username: str
    bps: int
    organisation_id: int
    designation: str
    first_name: str = ""
    last_name: str = ""
    reporting_officer_id: int | None = None
    countersigning_officer_id: int | None = None


@dataclass
class Reference:
    """What the migrations seeded and the generated people, as the requests need them."""

    platforms: list[tuple[int, str]]  # (id, category)
    platform_weights: list[float]
    rules: list[Any]  # RoutingRule rows, in priority order
    rejection_rules: list[tuple[int, str]]  # (id, number)
    declared_rules: str
    media_cell_id: int
    media_cell: list[int]
    people: list[Person]
    by_id: dict[int, Person]
    applicants: list[Person]
    officer: Person
    officer_reports: list[Person]
    servant: Person
    auditors: list[int]


def organisations(first_id: int, ministries: int) -> list[tuple[int, str, str, str, int | None]]:
    """(id, code, name, kind, parent id): the Cabinet Secretariat and the Establishment
    Division, then each ministry with two divisions, five attached departments and four
    regional offices (422 for all 35 ministries)."""
    rows: list[tuple[int, str, str, str, int | None]] = []
    next_id = first_id

    def add(code: str, name: str, kind: str, parent: int | None) -> int:
        nonlocal next_id
        rows.append((next_id, code, name, kind, parent))
        next_id += 1
        return next_id - 1

    cabinet = add("bench-cabinet", "Cabinet Secretariat", "ministry", None)
    add("bench-estab", "Establishment Division", "division", cabinet)
    for number, (name, short) in enumerate(MINISTRIES[:ministries], start=1):
        ministry = add(f"bench-m{number:02d}", name, "ministry", None)
        divisions = [
            add(f"bench-m{number:02d}-d{part}", f"{short} {label}", "division", ministry)
            for part, label in enumerate(["Division", "Wing"], start=1)
        ]
        for part, kind in enumerate(DEPARTMENT_KINDS, start=1):
            department = add(
                f"bench-m{number:02d}-a{part}",
                f"{kind} of {short}",
                "department",
                divisions[part % 2],
            )
            if part <= len(CITIES):
                add(
                    f"bench-m{number:02d}-o{part}",
                    f"{short} Regional Office {CITIES[part - 1]}",
                    "office",
                    department,
                )
    return rows


def _grade(kind: str, depth: int, rng: random.Random) -> int:
    if depth == 0:
        return {"ministry": 22, "division": 21, "department": 20, "office": 19}[kind]
    if depth == 1:
        return rng.choice([18, 19])
    if depth == 2:
        return rng.choice([16, 17, 17])
    if depth == 3:
        return rng.randint(11, 16)
    return rng.randint(5, 12)


def _designation(bps: int, rng: random.Random) -> str:
    return rng.choice(DESIGNATIONS.get(bps, LOW_DESIGNATIONS))


def people_of(
    orgs: list[tuple[int, str, str, str, int | None]],
    count: int,
    first_id: int,
    rng: random.Random,
) -> tuple[list[Person], dict[str, Person]]:
    """`count` people over the organisations, each organisation a tree under its head
    (about six reports to an officer), each head reporting to the head of the
    organisation above; and the named people of the page benchmarks."""
    weights = [
        4.0 if kind == "ministry" else 2.0 if kind == "division" else 1.0 for *_, kind, _p in orgs
    ]
    total_weight = sum(weights)
    reserved = 80  # the named people and the officer's reports, below
    remaining = max(len(orgs), count - reserved)
    # A head in each, the rest by weight; what rounding leaves goes to the first.
    extra = remaining - len(orgs)
    sizes = [1 + int(extra * w / total_weight) for w in weights]
    sizes[0] += remaining - sum(sizes)
    people: list[Person] = []
    heads: dict[int, Person] = {}
    next_id = first_id

    def make(org_id: int, bps: int, reporting: Person | None, prefix: str = "") -> Person:
        nonlocal next_id
        first = rng.choice(FIRST_NAMES)
        last = rng.choice(LAST_NAMES)
        person = Person(
            id=next_id,
            username=prefix or f"{first.lower()}.{last.lower()}.{next_id}",
            first_name=first,
            last_name=last,
            bps=bps,
            organisation_id=org_id,
            designation=_designation(bps, rng),
            reporting_officer_id=reporting.id if reporting else None,
            countersigning_officer_id=reporting.reporting_officer_id if reporting else None,
        )
        next_id += 1
        people.append(person)
        return person

    # Parents come before their parts in `orgs`, so every head's officer exists already.
    for (org_id, _code, _name, kind, parent), size in zip(orgs, sizes, strict=True):
        members: list[Person] = []
        depths: list[int] = []
        for index in range(size):
            if index == 0:
                depth, officer = 0, heads.get(parent) if parent else None
            else:
                depth, officer = depths[(index - 1) // 6] + 1, members[(index - 1) // 6]
            depths.append(depth)
            members.append(make(org_id, _grade(kind, depth, rng), officer))
        heads[org_id] = members[0]

    named: dict[str, Person] = {}
    estab_id = orgs[1][0]
    estab_head = heads[estab_id]
    named[AUDITOR] = make(estab_id, 19, estab_head, AUDITOR)
    for number in range(3):
        named[f"auditor{number}"] = make(estab_id, 18, estab_head)
    for number in range(4):
        named[f"media{number}"] = make(estab_id, 18 - number % 2, estab_head)
    # The officer sits in the first ministry's division, under its head, with people of
    # their own who file nothing else (so the officer's inbox is as planned).
    division_id = orgs[3][0]
    named[OFFICER] = officer = make(division_id, 19, heads[division_id], OFFICER)
    named[SERVANT] = make(division_id, 17, officer, SERVANT)
    for number in range(reserved - len(named)):
        named[f"report{number}"] = make(division_id, rng.choice([16, 17, 17]), officer)
    return people, named


# --- requests --------------------------------------------------------------------------------


class Row:
    """A request as the workflow leaves it after each action: what the digests of
    permissions.content read, plus the rest of the row."""

    id: int
    reference: str
    applicant_id: int
    platform_id: int
    participation: str
    outlet: str
    outlet_url: str
    topic: str
    summary: str
    capacity: str
    account_type: str
    administers_group: bool
    timing: str
    event_at: datetime.datetime | None
    period_start: datetime.date | None
    period_end: datetime.date | None
    official_information: bool
    official_information_justification: str
    honorarium: bool
    honorarium_amount: Decimal | None
    created_at: int
    updated_at: int

    def __init__(self) -> None:
        self.round = 0
        self.status = "draft"
        self.current_step: int | None = None
        self.conditions: list[str] = []
        self.conditions_text = ""
        self.decision_reason = ""
        self.decision_rule_id: int | None = None
        # The generated decisions cite no grounds (the column is written as []).
        self.decision_grounds: list[dict[str, object]] = []
        self.decided_at: datetime.datetime | None = None
        self.valid_from: datetime.date | None = None
        self.valid_until: datetime.date | None = None
        self.submitted_at: int | None = None
        self.declared_at: int | None = None
        self.applicant_designation = ""
        self.applicant_bps: int | None = None
        self.applicant_organisation_id: int | None = None


class Step:
    id: int

    def __init__(
        self, round_: int, order: int, assignee: int | None, group: int | None, reason: str
    ):
        self.round = round_
        self.order = order
        self.assignee_id = assignee
        self.group_id = group
        self.reason = reason
        self.status = "waiting"
        self.started_at: int | None = None
        self.acted_by_id: int | None = None
        self.acted_for_id: int | None = None
        self.acted_at: int | None = None
        self.comment = ""
        self.escalated_from_id: int | None = None
        self.escalations = 0


# A pending event: (time, tie-break, request id, actor, acting for, action, from, to,
# comment, data, ip address, user agent, notification kind and recipient or None).
Pending = tuple[
    int, int, int | None, int | None, int | None, str, str, str, str, dict[str, Any],
    str | None, str, tuple[str, int, str] | None,
]  # fmt: skip


@dataclass
class Plan:
    created: int
    who: str  # "bulk", "servant", "officer-pending", "officer"
    outcome: str = ""


@dataclass
class Clock:
    now: int
    today: datetime.date
    zone: ZoneInfo

    def local_day(self, ts: int) -> datetime.date:
        return datetime.datetime.fromtimestamp(ts, self.zone).date()

    def midnight(self, value: datetime.date) -> int:
        return int(datetime.datetime.combine(value, datetime.time(), self.zone).timestamp())


@dataclass
class Totals:
    requests: int = 0
    steps: int = 0
    events: int = 0
    notifications: int = 0
    statuses: dict[str, int] = field(default_factory=dict)


class Requests:
    """Makes each request's history, as the workflow would have made it, and emits its
    rows; the audit events wait in a heap until no later request can precede them."""

    def __init__(
        self,
        *,
        reference: Reference,
        clock: Clock,
        rng: random.Random,
        first_request_id: int,
        first_step_id: int,
        content: Callable[[Row], str],
        decision: Callable[[Row, Step | None], str],
        add_request: Callable[[str], None],
        add_step: Callable[[str], None],
    ):
        self.ref = reference
        self.clock = clock
        self.rng = rng
        self.next_request_id = first_request_id
        self.next_step_id = first_step_id
        self.content = content
        self.decision = decision
        self.add_request = add_request
        self.add_step = add_step
        self.heap: list[Pending] = []
        self.tie = 0
        self.numbers: dict[int, int] = {}
        self.totals = Totals()
        self.routes: dict[tuple[int, str, int, bool, str], list[tuple[str, str]]] = {}
        self.platform_ids = [pid for pid, _c in reference.platforms]
        self.category = dict(reference.platforms)

    # -- routing: permissions.routing.rule_matches on the request as planned --

    def route(self, row: Row, applicant: Person) -> list[tuple[str, str]]:
        """The steps after the first: ("cs", reason) or ("group", reason)."""
        from types import SimpleNamespace

        from permissions.routing import rule_matches

        key = (
            row.platform_id,
            row.participation,
            applicant.bps,
            row.official_information,
            row.capacity,
        )
        found = self.routes.get(key)
        if found is None:
            found = []
            request = SimpleNamespace(
                platform=SimpleNamespace(category=self.category[row.platform_id]),
                participation=row.participation,
                official_information=row.official_information,
                capacity=row.capacity,
            )
            held: set[str] = set()
            for rule in self.ref.rules:
                if rule_matches(rule, request, SimpleNamespace(bps=applicant.bps)):  # type: ignore[arg-type]
                    target = "cs" if rule.target == "countersigning_officer" else "group"
                    if target not in held:
                        held.add(target)
                        found.append((target, rule.name))
            self.routes[key] = found
        return found

    # -- the request's content --

    def fill(self, row: Row, created: int) -> None:
        rng = self.rng
        platform_id = rng.choices(self.platform_ids, self.ref.platform_weights)[0]
        category = self.category[platform_id]
        row.platform_id = platform_id
        row.participation = rng.choice(PARTICIPATIONS[category])
        row.outlet = rng.choice(OUTLETS[category])
        row.outlet_url = ""
        row.topic = rng.choice(TOPICS)
        row.summary = f"What I will say about {row.topic.lower()}, in plain words."
        row.capacity = "official" if rng.random() < 0.35 else "personal"
        row.account_type = ""
        row.administers_group = False
        if category == "social_media":
            row.account_type = "official" if row.capacity == "official" else "personal"
            row.administers_group = rng.random() < 0.1
        if rng.random() < 0.7:
            row.timing = "one_off"
            row.event_at = datetime.datetime.fromtimestamp(
                created + rng.randint(2, 30) * 86_400, datetime.UTC
            )
            row.period_start = row.period_end = None
        else:
            row.timing = "period"
            row.event_at = None
            row.period_start = self.clock.local_day(created) + datetime.timedelta(
                days=rng.randint(1, 7)
            )
            row.period_end = row.period_start + datetime.timedelta(days=rng.randint(30, 365))
        row.official_information = rng.random() < 0.12
        row.official_information_justification = (
            "The talk quotes the published statistics of the Division."
            if row.official_information
            else ""
        )
        row.honorarium = rng.random() < 0.05
        row.honorarium_amount = Decimal(rng.randint(10, 100) * 500) if row.honorarium else None

    # -- one request --

    def make(self, plan: Plan, applicant: Person) -> None:
        rng, clock = self.rng, self.clock
        row = Row()
        row.id = self.next_request_id
        self.next_request_id += 1
        row.applicant_id = applicant.id
        row.created_at = plan.created
        year = clock.local_day(plan.created).year
        self.numbers[year] = number = self.numbers.get(year, 0) + 1
        row.reference = f"MP-{year}-{number:06d}"
        self.fill(row, plan.created)
        if plan.outcome == "approved" and row.timing == "one_off":
            # Still valid today: a period reaching past today.
            row.timing, row.event_at = "period", None
            row.period_start = clock.local_day(plan.created) + datetime.timedelta(days=1)
            row.period_end = max(
                clock.today + datetime.timedelta(days=rng.randint(1, 150)), row.period_start
            )
            row.period_end = min(row.period_end, row.period_start + datetime.timedelta(days=360))
        steps: list[Step] = []
        events: list[Pending] = []
        t = plan.created
        cap = clock.now - 1
        origin_ip = (
            f"10.{applicant.organisation_id % 250}.{applicant.id % 250}.{rng.randint(2, 250)}"
        )
        user_agent = rng.choice(USER_AGENTS)
        content_now = ""

        def later(seconds: float) -> int:
            nonlocal t
            t = max(t, min(t + int(seconds), cap))
            return t

        def event(
            action: str,
            actor: int | None,
            from_status: str,
            to_status: str,
            *,
            comment: str = "",
            data: dict[str, Any] | None = None,
            acting_for: int | None = None,
            system: bool = False,
            notify: str = "",
            with_content: bool = False,
        ) -> None:
            payload = dict(data or {})
            current = [s for s in steps if s.round == row.round and s.acted_by_id is not None]
            deciding = max(current, key=lambda s: s.order) if current else None
            payload["decision"] = self.decision(row, deciding)
            if with_content:
                payload["content"] = content_now
            self.tie += 1
            events.append(
                (
                    t,
                    self.tie,
                    row.id,
                    actor,
                    acting_for,
                    action,
                    from_status,
                    to_status,
                    comment,
                    payload,
                    None if system else origin_ip,
                    "system" if system else user_agent,
                    (notify, applicant.id, row.reference) if notify else None,
                )
            )

        def enter_round(action: str) -> None:
            nonlocal content_now
            from_status = row.status
            row.round += 1
            planned = [
                Step(row.round, 1, applicant.reporting_officer_id, None, "Reporting officer")
            ]
            for target, reason in self.route(row, applicant):
                order = len(planned) + 1
                if target == "cs":
                    planned.append(
                        Step(row.round, order, applicant.countersigning_officer_id, None, reason)
                    )
                else:
                    planned.append(Step(row.round, order, None, self.ref.media_cell_id, reason))
            planned[0].status, planned[0].started_at = "pending", t
            steps.extend(planned)
            row.status, row.current_step = "pending", 1
            row.submitted_at = row.declared_at = t
            row.applicant_designation = applicant.designation
            row.applicant_bps = applicant.bps
            row.applicant_organisation_id = applicant.organisation_id
            row.decision_reason, row.decision_rule_id = "", None
            row.conditions, row.conditions_text = [], ""
            content_now = self.content(row)
            summaries = [
                {
                    "order": s.order,
                    "assignee": s.assignee_id,
                    "group": s.group_id,
                    "reason": s.reason,
                }
                for s in planned
            ]
            event(
                action,
                applicant.id,
                from_status,
                "pending",
                data={"round": row.round, "steps": summaries},
                notify="receipt",
                with_content=True,
            )

        def current() -> Step:
            return next(s for s in steps if s.round == row.round and s.order == row.current_step)

        def holder(step: Step) -> int:
            if step.assignee_id is not None:
                return step.assignee_id
            members = [m for m in self.ref.media_cell if m != applicant.id]
            return rng.choice(members)

        def close_open() -> None:
            for s in steps:
                if s.round == row.round and s.status in ("waiting", "pending"):
                    s.status = "closed"

        def decide_gap() -> int:
            return later(rng.choice([1800, 7200, 86_400, 2 * 86_400, 4 * 86_400]) * rng.random())

        def approve_all() -> None:
            """Approve every step of the round, the last one with the validity
            workflow.default_validity would give on that day."""
            last = max(s.order for s in steps if s.round == row.round)
            while True:
                step = current()
                decide_gap()
                by = holder(step)
                step.status, step.acted_by_id, step.acted_at = "approved", by, t
                step.comment = rng.choice(COMMENTS)
                added = rng.sample(CONDITIONS, rng.randint(0, 3))
                merged = list(row.conditions)
                merged.extend(code for code in added if code not in merged)
                row.conditions = merged
                data: dict[str, Any] = {"step": step.order, "conditions": merged}
                if step.order < last:
                    row.current_step = step.order + 1
                    following = current()
                    following.status, following.started_at = "pending", t
                    data["next_step"] = step.order + 1
                    event("approve", by, "pending", "pending", comment=step.comment, data=data,
                          with_content=True)  # fmt: skip
                    continue
                # workflow.default_validity, on the day of the decision.
                decided = clock.local_day(t)
                if row.period_start is not None and row.period_end is not None:
                    valid_from = max(row.period_start, decided)
                    longest = valid_from + datetime.timedelta(days=365)
                    valid_until = max(valid_from, min(row.period_end, longest))
                else:
                    assert row.event_at is not None  # noqa: S101 - fill() sets one or the other
                    valid_from = valid_until = max(
                        row.event_at.astimezone(clock.zone).date(), decided
                    )
                row.status, row.current_step = "approved", None
                row.valid_from, row.valid_until = valid_from, valid_until
                row.decided_at = datetime.datetime.fromtimestamp(t, datetime.UTC)
                data.update(valid_from=valid_from.isoformat(), valid_until=valid_until.isoformat())
                event("approve", by, "pending", "approved", comment=step.comment, data=data,
                      notify="approved", with_content=True)  # fmt: skip
                return

        def close_at_current(action: str) -> None:
            step = current()
            decide_gap()
            by = holder(step)
            to_status = "rejected" if action == "reject" else "returned"
            reason = rng.choice(REJECT_REASONS if action == "reject" else RETURN_REASONS)
            row.status, row.current_step, row.decision_reason = to_status, None, reason
            data: dict[str, Any] = {"step": step.order}
            if action == "reject":
                rule_id, rule_number = rng.choice(self.ref.rejection_rules)
                row.decision_rule_id = rule_id
                row.decided_at = datetime.datetime.fromtimestamp(t, datetime.UTC)
                data["rule"] = rule_number
            step.status = to_status
            step.acted_by_id, step.acted_at, step.comment = by, t, reason
            close_open()
            event(action, by, "pending", to_status, comment=reason, data=data, notify=to_status,
                  with_content=True)  # fmt: skip

        def approve_some() -> None:
            """Approve the steps before a later one, at random: the request moves on."""
            last = max(s.order for s in steps if s.round == row.round)
            while row.current_step is not None and row.current_step < last and rng.random() < 0.6:
                step = current()
                decide_gap()
                by = holder(step)
                step.status, step.acted_by_id, step.acted_at = "approved", by, t
                row.current_step = step.order + 1
                following = current()
                following.status, following.started_at = "pending", t
                event("approve", by, "pending", "pending",
                      data={"step": step.order, "conditions": list(row.conditions),
                            "next_step": step.order + 1},
                      notify="", with_content=True)  # fmt: skip

        def withdraw() -> None:
            from_status = row.status
            later(rng.random() * 3 * 86_400)
            data = {"step": row.current_step} if from_status == "pending" else {}
            row.status, row.current_step = "withdrawn", None
            row.decided_at = datetime.datetime.fromtimestamp(t, datetime.UTC)
            close_open()
            event("withdraw", applicant.id, from_status, "withdrawn",
                  comment=rng.choice(WITHDRAW_REASONS), data=data)  # fmt: skip

        def return_and_resubmit() -> None:
            """A round returned for clarification, amended and resubmitted."""
            nonlocal content_now
            close_at_current("return")
            later(rng.random() * 2 * 86_400)
            row.summary = f"{row.summary} Revised as asked."
            content_now = self.content(row)
            event("amend", applicant.id, "returned", "returned",
                  data={"fields": ["summary"], "content": content_now})  # fmt: skip
            later(rng.random() * 86_400)
            enter_round("resubmit")

        def escalate_if_overdue() -> None:
            """The system hands a step waiting past ESCALATE_AFTER_DAYS (7) up the chain."""
            nonlocal t
            step = current()
            if step.assignee_id is None or step.started_at is None:
                return
            overdue_at = step.started_at + 7 * 86_400
            successor = self.ref.by_id[step.assignee_id].reporting_officer_id
            if overdue_at >= cap or successor in (None, applicant.id) or rng.random() >= 0.4:
                return
            t = max(t, min(overdue_at + rng.randint(0, 6 * 3600), cap))
            previous = step.assignee_id
            step.assignee_id, step.escalated_from_id = successor, previous
            step.escalations, step.started_at = 1, t
            moved = {"step": step.order, "from": previous, "to": successor}
            event("escalate", None, "pending", "pending", system=True, data=moved)

        def revoke_or_expire() -> None:
            """An approval revoked by the officer who gave it, or expired by the system the
            night after its last valid day, if that night has come."""
            nonlocal t
            assert row.valid_until is not None  # noqa: S101 - approve_all() set it
            end_of_validity = clock.midnight(row.valid_until) + 86_400
            if outcome == "revoked" or (plan.who == "bulk" and rng.random() < 0.01):
                last_step = max((s for s in steps if s.round == row.round), key=lambda s: s.order)
                t = max(t, min(t + int((min(end_of_validity, cap) - t) * rng.random()), cap))
                reason = rng.choice(REVOKE_REASONS)
                row.status, row.decision_reason = "revoked", reason
                row.decided_at = datetime.datetime.fromtimestamp(t, datetime.UTC)
                event("revoke", last_step.acted_by_id, "approved", "revoked", comment=reason,
                      notify="revoked")  # fmt: skip
            elif end_of_validity + 900 < clock.now:
                t = max(t, end_of_validity + 900)
                row.status = "expired"
                ended = {"valid_until": row.valid_until.isoformat()}
                event("expire", None, "approved", "expired", system=True, data=ended,
                      notify="expired")  # fmt: skip

        outcome = plan.outcome
        if outcome == "withdrawn" and rng.random() < 0.3:
            withdraw()  # a draft taken back
        elif outcome != "draft":
            later(rng.random() * 6 * 3600)
            enter_round("submit")
            if outcome != "pending" and rng.random() < 0.12:
                return_and_resubmit()
            if outcome == "pending":
                if plan.who == "bulk":  # the named officer's inbox stays as planned
                    approve_some()
                    escalate_if_overdue()
            elif outcome in ("returned", "rejected"):
                approve_some()
                close_at_current("return" if outcome == "returned" else "reject")
            elif outcome == "withdrawn":
                approve_some()
                withdraw()
            else:  # approved, and perhaps revoked or expired since
                approve_all()
                revoke_or_expire()
        row.updated_at = max(t, plan.created)
        self.write(row, steps)
        for pending in events:
            heapq.heappush(self.heap, pending)

    def write(self, row: Row, steps: list[Step]) -> None:
        totals = self.totals
        totals.requests += 1
        totals.statuses[row.status] = totals.statuses.get(row.status, 0) + 1
        decided = None if row.decided_at is None else int(row.decided_at.timestamp())
        self.add_request(
            "\t".join(
                (
                    str(row.id),
                    row.reference,
                    str(row.applicant_id),
                    row.status,
                    str(row.round),
                    num(row.current_step),
                    str(row.platform_id),
                    row.participation,
                    text(row.outlet),
                    row.outlet_url,
                    text(row.topic),
                    text(row.summary),
                    row.capacity,
                    row.account_type,
                    flag(row.administers_group),
                    row.timing,
                    NULL if row.event_at is None else row.event_at.strftime("%Y-%m-%d %H:%M:%S+00"),
                    day(row.period_start),
                    day(row.period_end),
                    flag(row.official_information),
                    text(row.official_information_justification),
                    flag(row.honorarium),
                    NULL if row.honorarium_amount is None else f"{row.honorarium_amount}.00",
                    self.ref.declared_rules if row.declared_at else "",
                    moment(row.declared_at),
                    text(row.applicant_designation),
                    num(row.applicant_bps),
                    num(row.applicant_organisation_id),
                    day(row.valid_from),
                    day(row.valid_until),
                    as_json(row.conditions),
                    text(row.conditions_text),
                    text(row.decision_reason),
                    num(row.decision_rule_id),
                    # No generated decision cites a ground of the memorandum.
                    as_json([]),
                    moment(row.created_at),
                    moment(row.updated_at),
                    moment(row.submitted_at),
                    moment(decided),
                )
            )
        )
        for step in steps:
            step.id = self.next_step_id
            self.next_step_id += 1
            totals.steps += 1
            self.add_step(
                "\t".join(
                    (
                        str(step.id),
                        str(row.id),
                        str(step.round),
                        str(step.order),
                        num(step.assignee_id),
                        num(step.group_id),
                        text(step.reason),
                        step.status,
                        moment(step.started_at),
                        num(step.acted_by_id),
                        num(step.acted_for_id),
                        moment(step.acted_at),
                        text(step.comment),
                        num(step.escalated_from_id),
                        str(step.escalations),
                    )
                )
            )

    def due(self, before: int) -> Iterator[Pending]:
        """The waiting events earlier than `before`, oldest first."""
        heap = self.heap
        while heap and heap[0][0] < before:
            yield heapq.heappop(heap)


REQUEST_COLUMNS = [
    "id", "reference", "applicant_id", "status", "round", "current_step", "platform_id",
    "participation", "outlet", "outlet_url", "topic", "summary", "capacity", "account_type",
    "administers_group", "timing", "event_at", "period_start", "period_end",
    "official_information", "official_information_justification", "honorarium",
    "honorarium_amount", "declaration_rules", "declared_at", "applicant_designation",
    "applicant_bps", "applicant_organisation_id", "valid_from", "valid_until", "conditions",
    "conditions_text", "decision_reason", "decision_rule_id", "decision_grounds",
    "created_at", "updated_at", "submitted_at", "decided_at",
]  # fmt: skip
STEP_COLUMNS = [
    "id", "request_id", "round", "order", "assignee_id", "group_id", "reason", "status",
    "started_at", "acted_by_id", "acted_for_id", "acted_at", "comment", "escalated_from_id",
    "escalations",
]  # fmt: skip
EVENT_COLUMNS = [
    "id", "request_id", "actor_id", "acting_for_id", "action", "from_status", "to_status",
    "comment", "data", "ip_address", "user_agent", "created_at", "version", "prev_hash",
    "hash", "key_id",
]  # fmt: skip
NOTIFICATION_COLUMNS = [
    "id", "recipient_id", "address", "kind", "request_id", "dedupe_key", "subject",
    "body_text", "body_html", "link", "status", "attempts", "next_attempt_at", "lease_until",
    "last_error", "created_at", "sent_at", "read_at",
]  # fmt: skip
USER_COLUMNS = [
    "id", "password", "last_login", "is_superuser", "username", "first_name", "last_name",
    "email", "is_staff", "is_active", "date_joined", "designation", "bps", "service_group",
    "organisation_id", "reporting_officer_id", "countersigning_officer_id", "language",
]  # fmt: skip
SUBJECTS = {
    "receipt": "{reference} was submitted",
    "approved": "{reference} was approved",
    "rejected": "{reference} was rejected",
    "returned": "{reference} was returned for clarification",
    "revoked": "The approval of {reference} was revoked",
    "expired": "The approval of {reference} expired",
}


# --- the run -----------------------------------------------------------------------------------


@dataclass
class Options:
    requests: int = 1_000_000
    people: int = 100_000
    events_per_request: float = 5.0
    seed: int = 1
    today: datetime.date = datetime.date(2026, 12, 1)
    chain_valid: bool = True


@dataclass
class Result:
    counts: dict[str, int]
    phases: list[tuple[str, float, int]]
    statuses: dict[str, int]
    officer_pending: int


def _max_id(cursor: Any, table: str) -> int:
    cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')  # noqa: S608 - our table
    return int(cursor.fetchone()[0])


def _reset_sequence(cursor: Any, table: str) -> None:
    """Let the portal's own inserts carry on after the ids given here."""
    sql = f"SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT COALESCE(MAX(id), 1) FROM \"{table}\"))"  # noqa: S608, E501 - our table
    cursor.execute(sql, [table])


def generate(options: Options, say: Callable[[str], None] = print) -> Result:
    """Write the data set into the default database, in the caller's transaction (or one
    of its own). Raises Refused when the database is not an empty PostgreSQL one."""
    from django.db import connection, transaction

    from permissions.models import ApprovalStep, AuditEvent, Notification, PermissionRequest

    if connection.vendor != "postgresql":
        raise Refused(f"This needs PostgreSQL (COPY); DATABASE_URL points at {connection.vendor}.")
    if PermissionRequest.objects.exists():
        raise Refused(
            "The database already holds requests: give it an empty, migrated one "
            "(createdb, then manage.py migrate)."
        )
    phases: list[tuple[str, float, int]] = []
    with transaction.atomic():
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            superuser = bool(cursor.fetchone()[0])
            if superuser:
                # No foreign-key checks row by row: the rows are consistent by construction,
                # and checking 5 million events' three keys each costs more than writing them.
                cursor.execute("SET LOCAL session_replication_role = replica")
        try:
            result = _generate(options, say, phases)
        finally:
            if superuser:
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL session_replication_role = DEFAULT")
        started = time.perf_counter()
        tables = [
            model._meta.db_table
            for model in (PermissionRequest, ApprovalStep, AuditEvent, Notification)
        ]
        with connection.cursor() as cursor:
            for table in tables:
                _reset_sequence(cursor, table)
        phases.append(("sequences", time.perf_counter() - started, 0))
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        phases.append(("analyze", time.perf_counter() - started, 0))
        started = time.perf_counter()
    phases.append(("commit", time.perf_counter() - started, 0))
    return result


def _generate(
    options: Options, say: Callable[[str], None], phases: list[tuple[str, float, int]]
) -> Result:
    from django.conf import settings
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.urls import reverse
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from permissions import audit, content, demo
    from permissions.models import (
        AUDITORS_GROUP,
        ApprovalStep,
        AuditEvent,
        AuditVerification,
        ConductRule,
        Notification,
        Organisation,
        PermissionRequest,
        Platform,
        ReferenceSequence,
        RoutingRule,
        User,
    )
    from permissions.submission import declared_rules
    from permissions.twofactor.devices import APP_DEVICE_NAME

    rng = random.Random(options.seed)  # noqa: S311 - a reproducible data set, not secrets
    zone = ZoneInfo(settings.TIME_ZONE)
    now = int(datetime.datetime.combine(options.today, datetime.time(9), zone).timestamp())
    clock = Clock(now=now, today=options.today, zone=zone)

    # -- reference data: what the migrations seeded, and demo.py's routing rules --
    started = time.perf_counter()
    media_cell_group = Group.objects.get(name=demo.MEDIA_CELL_GROUP)
    auditors_group = Group.objects.get(name=AUDITORS_GROUP)
    if not RoutingRule.objects.exists():
        for rule in demo.ROUTING_RULES:
            RoutingRule.objects.create(
                **rule,
                group=media_cell_group if rule["target"] == RoutingRule.Target.GROUP else None,
            )
    platforms = list(Platform.objects.filter(is_active=True).order_by("sort_key", "id"))
    rules = list(RoutingRule.objects.filter(is_active=True).select_related("group"))
    if any(r.target == "group" and r.group_id != media_cell_group.pk for r in rules):
        raise Refused("A routing rule sends requests to a group other than the media cell.")

    rejection_rules = list(
        ConductRule.objects.filter(is_active=True, grounds_for_rejection=True)
        .order_by("sort_key", "id")
        .values_list("id", "number")
    )
    declared = declared_rules()
    head = AuditEvent.objects.order_by("-pk").values_list("pk", "hash").first()
    detail_path = reverse("request-detail", args=[999_999_999]).replace("999999999", "{}")
    with connection.cursor() as cursor:
        first_org = _max_id(cursor, Organisation._meta.db_table) + 1
        first_user = _max_id(cursor, User._meta.db_table) + 1
        first_membership = _max_id(cursor, User.groups.through._meta.db_table) + 1
        first_request = _max_id(cursor, PermissionRequest._meta.db_table) + 1
        first_step = _max_id(cursor, ApprovalStep._meta.db_table) + 1
        first_notification = _max_id(cursor, Notification._meta.db_table) + 1

    # From here until loader.close() the connection is the loader's thread's alone.
    loader = Loader(connection.connection)
    orgs = organisations(first_org, min(len(MINISTRIES), max(2, options.people // 2_500)))
    add_org = loader.table(Organisation._meta.db_table, ["id", "code", "name", "kind", "parent_id"])
    for org_id, code, name, kind, parent in orgs:
        add_org(f"{org_id}\t{code}\t{text(name)}\t{kind}\t{num(parent)}")
    people, named = people_of(orgs, options.people, first_user, rng)
    # One hash for everybody, with a salt drawn from the seed: the same rows every run.
    password = make_password(PASSWORD, salt=f"bench{rng.getrandbits(64):016x}")
    add_user = loader.table(User._meta.db_table, USER_COLUMNS)
    joined = moment(now - 6 * 365 * 86_400)
    for person in people:
        add_user(
            "\t".join(
                (
                    str(person.id), password, NULL, "f", person.username,
                    person.first_name or "Bench", person.last_name or person.username[6:].title(),
                    f"{person.username}@{demo.DEMO_EMAIL_DOMAIN}", "f", "t",
                    joined, text(person.designation), str(person.bps),
                    rng.choices(SERVICE_GROUPS, SERVICE_WEIGHTS)[0], str(person.organisation_id),
                    num(person.reporting_officer_id), num(person.countersigning_officer_id),
                    "",  # no language chosen: the browser's
                )
            )
        )  # fmt: skip
    add_membership = loader.table(User.groups.through._meta.db_table, ["id", "user_id", "group_id"])
    auditors = [named[AUDITOR].id, *(named[f"auditor{n}"].id for n in range(3))]
    media_cell = [named[f"media{n}"].id for n in range(4)]
    membership_id = first_membership
    for user_id, group_id in [
        *((a, auditors_group.pk) for a in auditors),
        *((m, media_cell_group.pk) for m in media_cell),
    ]:
        add_membership(f"{membership_id}\t{user_id}\t{group_id}")
        membership_id += 1
    for name in list(loader.pending):
        loader.flush(name)
    category_of = {p.pk: p.category for p in platforms}
    officer = named[OFFICER]
    reports = [p for p in people if p.reporting_officer_id == officer.id]
    special = {officer.id, *(p.id for p in reports), *auditors, *media_cell}
    reference = Reference(
        platforms=[(p.pk, p.category) for p in platforms],
        platform_weights=[CATEGORY_WEIGHTS.get(category_of[p.pk], 1) for p in platforms],
        rules=rules,
        rejection_rules=rejection_rules,
        declared_rules=declared,
        media_cell_id=media_cell_group.pk,
        media_cell=media_cell,
        people=people,
        by_id={p.id: p for p in people},
        applicants=[
            p
            for p in people
            if p.reporting_officer_id is not None
            and p.countersigning_officer_id is not None
            and p.id not in special
        ],
        officer=officer,
        officer_reports=[p for p in reports if p.username != SERVANT],
        servant=named[SERVANT],
        auditors=auditors,
    )
    phases.append(
        ("organisations and people", time.perf_counter() - started, len(orgs) + len(people))
    )

    # -- the plan: when each request was filed, and by whom --
    started = time.perf_counter()
    total = options.requests
    n_servant = min(200, max(16, total // 20))
    n_officer_pending = min(500, max(8, total // 10))
    n_officer_decided = min(1000, max(8, total // 10))
    day_seconds = 86_400
    span = 5 * 365 * day_seconds
    plans: list[Plan] = []
    servant_outcomes = ["draft", "pending", "returned", "approved", "rejected", "withdrawn",
                        "revoked", "expired"]  # fmt: skip
    windows = {
        "draft": (0, 60),
        "pending": (0, 20),
        "returned": (2, 60),
        "approved": (5, 120),
        "rejected": (3, 5 * 365),
        "withdrawn": (3, 5 * 365),
        "revoked": (30, 5 * 365),
        "expired": (400, 5 * 365),
    }
    servant_pending = 0
    for index in range(n_servant):
        outcome = servant_outcomes[index % len(servant_outcomes)]
        low, high = windows[outcome]
        age = rng.uniform(low, high) * day_seconds
        plans.append(Plan(now - int(age) - 3600, "servant", outcome))
        servant_pending += outcome == "pending"
    for _ in range(max(0, n_officer_pending - servant_pending)):
        plans.append(Plan(now - int(rng.uniform(0.1, 30) * day_seconds), "officer", "pending"))
    for _ in range(n_officer_decided):
        age_days = rng.uniform(20, 730)
        outcome = rng.choices(["approved", "rejected", "returned", "revoked"], [80, 12, 4, 4])[0]
        plans.append(Plan(now - int(age_days * day_seconds), "officer", outcome))
    for _ in range(max(0, total - len(plans))):
        # More requests each year: the density grows linearly towards --today.
        age = span * (1 - math.sqrt(rng.random()))
        plans.append(Plan(now - int(age) - 60, "bulk"))
    plans.sort(key=lambda plan: plan.created)
    phases.append(("plan", time.perf_counter() - started, len(plans)))

    # -- requests, steps and the audit chain, streamed --
    started = time.perf_counter()

    def content_of(row: Row) -> str:
        # Duck-typed: content_digest_with reads the attributes a request row has.
        return content.content_digest_with(cast("PermissionRequest", row), [])

    def decision_of(row: Row, step: Step | None) -> str:
        return content.decision_digest_with(cast("PermissionRequest", row), cast(Any, step))

    maker = Requests(
        reference=reference,
        clock=clock,
        rng=rng,
        first_request_id=first_request,
        first_step_id=first_step,
        content=content_of,
        decision=decision_of,
        add_request=loader.table(PermissionRequest._meta.db_table, REQUEST_COLUMNS),
        add_step=loader.table(ApprovalStep._meta.db_table, STEP_COLUMNS),
    )
    add_event = loader.table(AuditEvent._meta.db_table, EVENT_COLUMNS)
    add_notification = loader.table(Notification._meta.db_table, NOTIFICATION_COLUMNS)
    event_id, prev_hash = head if head else (0, audit.GENESIS)
    key_id = settings.AUDIT_KEY_ID
    secret = audit.key_for(key_id)
    notify_after = now - 180 * day_seconds
    notification_id = first_notification
    portal_url = settings.PORTAL_URL
    totals = maker.totals
    compute_hash = audit.compute_hash

    def emit(pending: Pending) -> None:
        nonlocal event_id, prev_hash, notification_id
        (ts, _tie, request_id, actor, acting_for, action, from_status, to_status, comment,
         data, ip, user_agent, notice) = pending  # fmt: skip
        event_id += 1
        created = datetime.datetime.fromtimestamp(ts, datetime.UTC)
        if options.chain_valid:
            event = audit.StoredEvent(
                pk=event_id, version=audit.VERSION, created_at=created, request_id=request_id,
                actor_id=actor, acting_for_id=acting_for, action=action,
                from_status=from_status, to_status=to_status, comment=comment, data=data,
                ip_address=ip, user_agent=user_agent, key_id=key_id, prev_hash=prev_hash,
                hash="",
            )  # fmt: skip
            digest = compute_hash(event, key=secret)
        else:
            digest = f"{event_id:064x}"
        add_event(
            "\t".join(
                (
                    str(event_id), num(request_id), num(actor), num(acting_for), action,
                    from_status, to_status, text(comment), as_json(data), ip or NULL,
                    text(user_agent), created.strftime("%Y-%m-%d %H:%M:%S+00"),
                    str(audit.VERSION), prev_hash, digest, key_id,
                )
            )
        )  # fmt: skip
        prev_hash = digest
        totals.events += 1
        if notice is not None and request_id is not None and ts >= notify_after:
            kind, recipient, reference_text = notice
            subject = SUBJECTS[kind].format(reference=reference_text)
            link = portal_url + detail_path.format(request_id)
            read = (
                moment(ts + day_seconds) if ts + day_seconds < now and notification_id % 3 else NULL
            )
            add_notification(
                "\t".join(
                    (
                        str(notification_id), str(recipient), "", kind, str(request_id),
                        f"event{event_id}:to{recipient}", text(subject), text(subject),
                        f"<p>{text(subject)}</p>", link, "sent", "1", moment(ts), NULL, "",
                        moment(ts), moment(ts), read,
                    )
                )
            )  # fmt: skip
            notification_id += 1
            totals.notifications += 1

    applicants = reference.applicants
    people_ids = [p.id for p in people]
    target_events = options.events_per_request
    for number, plan in enumerate(plans, start=1):
        for pending in maker.due(plan.created):
            emit(pending)
        if plan.who == "servant":
            applicant = reference.servant
        elif plan.who == "officer":
            applicant = rng.choice(reference.officer_reports)
        else:
            applicant = rng.choice(applicants)
            age_days = (now - plan.created) / day_seconds
            if age_days < 20:
                weights = [12, 45, 8, 5, 8, 22, 0]
            elif age_days < 400:
                weights = [2, 0, 2, 6, 12, 74, 4]
            else:
                weights = [1, 0, 1, 6, 12, 76, 4]
            plan.outcome = rng.choices(
                ["draft", "pending", "returned", "withdrawn", "rejected", "approved", "revoked"],
                weights,
            )[0]
        maker.make(plan, applicant)
        # Sign-ins fill the chain up to --events-per-request: the portal audits them too.
        expected = int(number * target_events)
        queued = totals.events + len(maker.heap)
        for _ in range(max(0, min(expected - queued, 20))):
            maker.tie += 1
            actor = rng.choice(people_ids)
            heapq.heappush(
                maker.heap,
                (
                    min(plan.created + rng.randint(0, 3600), now - 1), maker.tie, None, actor,
                    None, "login", "", "", "", {},
                    f"10.{actor % 250}.{rng.randint(0, 250)}.{rng.randint(2, 250)}",
                    rng.choice(USER_AGENTS), None,
                ),
            )  # fmt: skip
        if number % 100_000 == 0:
            elapsed = time.perf_counter() - started
            say(f"  {number:,} requests, {totals.events:,} events, {elapsed:.0f} s")
    for pending in maker.due(now + 1):
        emit(pending)
    loader.close()
    streamed = time.perf_counter() - started
    phases.append(
        ("requests, steps, events", streamed, totals.requests + totals.steps + totals.events)
    )

    # -- what the portal keeps beside the rows: counters, second factors, the chain's state --
    started = time.perf_counter()
    for year, last in sorted(maker.numbers.items()):
        ReferenceSequence.objects.update_or_create(year=year, defaults={"last_number": last})
    with connection.cursor() as cursor:
        for model in (Organisation, User, User.groups.through):
            _reset_sequence(cursor, model._meta.db_table)
    for username in (OFFICER, AUDITOR):
        TOTPDevice.objects.create(
            user_id=named[username].id,
            name=APP_DEVICE_NAME,
            confirmed=True,
            key=f"{rng.getrandbits(160):040x}",
        )
    if not options.chain_valid:
        moment_now = datetime.datetime.fromtimestamp(now, datetime.UTC)
        AuditVerification.objects.create(
            started_at=moment_now,
            finished_at=moment_now,
            ok=False,
            checked=0,
            problem=(
                "The audit events were written by bench/generate.py with placeholder hashes "
                "(--chain invalid): the chain does not verify."
            ),
        )
    phases.append(("counters, devices", time.perf_counter() - started, 0))
    officer_pending = sum(
        1 for plan in plans if plan.who in ("servant", "officer") and plan.outcome == "pending"
    )
    counts = dict(loader.counts)
    return Result(
        counts=counts,
        phases=phases,
        statuses=dict(totals.statuses),
        officer_pending=officer_pending,
    )


def table_digest(table: str, order: str = "id") -> str:
    """MD5 of a table's rows in order: the same seed must give the same rows."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT md5(string_agg(t::text, E\'\\n\' ORDER BY t."{order}")) FROM "{table}" t'  # noqa: S608
        )
        return str(cursor.fetchone()[0])


def _report(result: Result, elapsed: float, say: Callable[[str], None]) -> None:
    say("rows")
    for table, count in result.counts.items():
        say(f"  {table:<32} {count:>12,}")
    say("requests by status")
    for status, count in sorted(result.statuses.items()):
        say(f"  {status:<32} {count:>12,}")
    say(f"steps awaiting {OFFICER}: {result.officer_pending:,}")
    say("phases")
    for name, seconds, rows in result.phases:
        rate = f"{rows / seconds:>10,.0f} rows/s" if rows and seconds else ""
        say(f"  {name:<32} {seconds:>8.1f} s  {rate}")
    total_rows = sum(result.counts.values())
    say(f"total {total_rows:,} rows in {elapsed:.1f} s ({total_rows / elapsed:,.0f} rows/s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--events-per-request", type=float, default=5.0,
                        help="audit events per request, sign-ins included")  # fmt: skip
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--today",
        type=datetime.date.fromisoformat,
        default=datetime.date(2026, 12, 1),
        help="the day the data set ends (YYYY-MM-DD); it starts five years before",
    )
    parser.add_argument(
        "--chain",
        choices=["valid", "invalid"],
        default="valid",
        help="invalid: placeholder hashes, quicker, recorded as a failed verification",
    )
    args = parser.parse_args()
    if args.people < 200 or args.requests < 100:
        parser.error("give at least 100 requests and 200 people")

    from common import start_django

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://", "pgsql://")):
        print("DATABASE_URL must point at an empty PostgreSQL database.", file=sys.stderr)
        raise SystemExit(2)
    # The portal's own data directory, so that the chain is hashed under the key the
    # portal (and manage.py verify_audit) will check it with.
    start_django(Path(os.environ.get("DATA_DIR", BASE_DIR / "var")))
    options = Options(
        requests=args.requests,
        people=args.people,
        events_per_request=args.events_per_request,
        seed=args.seed,
        today=args.today,
        chain_valid=args.chain == "valid",
    )
    started = time.perf_counter()
    try:
        result = generate(options)
    except Refused as refused:
        print(refused, file=sys.stderr)
        raise SystemExit(2) from None
    _report(result, time.perf_counter() - started, print)


if __name__ == "__main__":
    main()
