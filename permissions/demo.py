"""Demo organisations and people for the embedded default (``manage.py seed_demo``).

Every demo person signs in with ``DEMO_PASSWORD``. Names and posts are invented.
"""

from __future__ import annotations

import datetime
import importlib
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import Group
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from .models import (
    AUDITORS_GROUP,
    ConductRule,
    Organisation,
    PermissionRequest,
    Platform,
    RoutingRule,
    User,
)
from .states import Action

MEDIA_CELL_GROUP = "Establishment Division media cell"

DEMO_PASSWORD = "portal-demo-2026"  # noqa: S105 - printed for people to sign in with

# Sent by seed_demo once the demo people exist, with their usernames and the command's
# output stream: what a capability of the portal needs for the tour (a second factor
# ready for the demo officers, say) is done by that capability itself.
seeded = Signal()
DEMO_EMAIL_DOMAIN = "conduct-portal.test"

K = Organisation.Kind

# code, name, kind, parent code
ORGANISATIONS: list[tuple[str, str, str, str | None]] = [
    ("cabinet", "Cabinet Secretariat", K.MINISTRY, None),
    ("estab", "Establishment Division", K.DIVISION, "cabinet"),
    ("moib", "Ministry of Information and Broadcasting", K.MINISTRY, None),
    ("ibd", "Information and Broadcasting Division", K.DIVISION, "moib"),
    ("pid", "Press Information Department", K.DEPARTMENT, "ibd"),
    ("demp", "Directorate of Electronic Media and Publications", K.DEPARTMENT, "ibd"),
    ("moi", "Ministry of Interior", K.MINISTRY, None),
    ("interior", "Interior Division", K.DIVISION, "moi"),
    ("icta", "Islamabad Capital Territory Administration", K.OFFICE, "interior"),
    ("mof", "Ministry of Finance", K.MINISTRY, None),
    ("finance", "Finance Division", K.DIVISION, "mof"),
    ("fbr", "Federal Board of Revenue", K.DEPARTMENT, "finance"),
]


@dataclass(frozen=True)
class DemoPerson:
    username: str
    first_name: str
    last_name: str
    designation: str
    bps: int | None
    service_group: str
    organisation: str | None
    reporting: str | None = None
    countersigning: str | None = None


# Listed so that every officer comes before the people who report to them.
PEOPLE: list[DemoPerson] = [
    # Press Information Department
    DemoPerson(
        "tariq.mehmood", "Tariq", "Mehmood", "Principal Information Officer", 22, "ig", "pid"
    ),
    DemoPerson(
        "officer",
        "Bilal",
        "Ahmed",
        "Deputy Principal Information Officer",
        20,
        "ig",
        "pid",
        "tariq.mehmood",
    ),
    DemoPerson(
        "servant",
        "Ayesha",
        "Siddiqui",
        "Information Officer",
        18,
        "ig",
        "pid",
        "officer",
        "tariq.mehmood",
    ),
    DemoPerson(
        "hamza.qureshi",
        "Hamza",
        "Qureshi",
        "Senior Information Officer",
        19,
        "ig",
        "pid",
        "officer",
        "tariq.mehmood",
    ),
    DemoPerson(
        "sana.javed",
        "Sana",
        "Javed",
        "Assistant Information Officer",
        17,
        "ig",
        "pid",
        "hamza.qureshi",
        "officer",
    ),
    DemoPerson(
        "usman.ghani",
        "Usman",
        "Ghani",
        "Assistant Information Officer",
        17,
        "ig",
        "pid",
        "hamza.qureshi",
        "officer",
    ),
    DemoPerson(
        "rabia.nawaz", "Rabia", "Nawaz", "Assistant", 15, "sg", "pid", "sana.javed", "hamza.qureshi"
    ),
    # Directorate of Electronic Media and Publications
    DemoPerson(
        "nadia.hussain", "Nadia", "Hussain", "Director General", 21, "ig", "demp", "tariq.mehmood"
    ),
    DemoPerson("kamran.akmal", "Kamran", "Akmal", "Director", 19, "ig", "demp", "nadia.hussain"),
    DemoPerson(
        "mehwish.ali",
        "Mehwish",
        "Ali",
        "Deputy Director",
        18,
        "ig",
        "demp",
        "kamran.akmal",
        "nadia.hussain",
    ),
    DemoPerson(
        "faisal.raza",
        "Faisal",
        "Raza",
        "Research Officer",
        17,
        "ig",
        "demp",
        "mehwish.ali",
        "kamran.akmal",
    ),
    # Information and Broadcasting Division
    DemoPerson("shahid.latif", "Shahid", "Latif", "Secretary", 22, "pas", "ibd"),
    DemoPerson(
        "amina.farooq", "Amina", "Farooq", "Joint Secretary", 20, "pas", "ibd", "shahid.latif"
    ),
    DemoPerson(
        "imran.butt",
        "Imran",
        "Butt",
        "Deputy Secretary",
        19,
        "omg",
        "ibd",
        "amina.farooq",
        "shahid.latif",
    ),
    DemoPerson(
        "zainab.malik",
        "Zainab",
        "Malik",
        "Section Officer",
        17,
        "omg",
        "ibd",
        "imran.butt",
        "amina.farooq",
    ),
    # Interior
    DemoPerson("khalid.mahmood", "Khalid", "Mahmood", "Secretary", 22, "pas", "interior"),
    DemoPerson(
        "saima.rehman",
        "Saima",
        "Rehman",
        "Additional Secretary",
        21,
        "pas",
        "interior",
        "khalid.mahmood",
    ),
    DemoPerson(
        "asad.iqbal",
        "Asad",
        "Iqbal",
        "Deputy Secretary",
        19,
        "pas",
        "interior",
        "saima.rehman",
        "khalid.mahmood",
    ),
    DemoPerson(
        "hina.aslam",
        "Hina",
        "Aslam",
        "Section Officer",
        17,
        "omg",
        "interior",
        "asad.iqbal",
        "saima.rehman",
    ),
    DemoPerson(
        "waqas.anwar",
        "Waqas",
        "Anwar",
        "Deputy Commissioner",
        20,
        "pas",
        "icta",
        "saima.rehman",
        "khalid.mahmood",
    ),
    DemoPerson(
        "maria.khan",
        "Maria",
        "Khan",
        "Assistant Commissioner",
        17,
        "pas",
        "icta",
        "waqas.anwar",
        "saima.rehman",
    ),
    DemoPerson(
        "adeel.shah",
        "Adeel",
        "Shah",
        "Superintendent of Police",
        18,
        "psp",
        "icta",
        "waqas.anwar",
        "saima.rehman",
    ),
    # Finance
    DemoPerson("naveed.akhtar", "Naveed", "Akhtar", "Secretary", 22, "pas", "finance"),
    DemoPerson(
        "farah.naz", "Farah", "Naz", "Joint Secretary", 20, "paas", "finance", "naveed.akhtar"
    ),
    DemoPerson(
        "omer.saeed",
        "Omer",
        "Saeed",
        "Section Officer",
        17,
        "omg",
        "finance",
        "farah.naz",
        "naveed.akhtar",
    ),
    DemoPerson(
        "ali.haider", "Ali", "Haider", "Member (Inland Revenue)", 21, "irs", "fbr", "naveed.akhtar"
    ),
    DemoPerson(
        "samina.bibi",
        "Samina",
        "Bibi",
        "Commissioner",
        20,
        "irs",
        "fbr",
        "ali.haider",
        "naveed.akhtar",
    ),
    DemoPerson(
        "junaid.iqbal",
        "Junaid",
        "Iqbal",
        "Deputy Commissioner",
        18,
        "irs",
        "fbr",
        "samina.bibi",
        "ali.haider",
    ),
    DemoPerson(
        "noor.fatima",
        "Noor",
        "Fatima",
        "Assistant Commissioner",
        17,
        "irs",
        "fbr",
        "samina.bibi",
        "ali.haider",
    ),
    # Establishment Division
    DemoPerson("ahmed.nadeem", "Ahmed", "Nadeem", "Secretary", 22, "pas", "estab"),
    DemoPerson(
        "auditor",
        "Farhan",
        "Yousaf",
        "Deputy Secretary (Conduct and Discipline)",
        19,
        "pas",
        "estab",
        "ahmed.nadeem",
    ),
    DemoPerson(
        "lubna.shafiq",
        "Lubna",
        "Shafiq",
        "Section Officer (D-II)",
        17,
        "omg",
        "estab",
        "auditor",
        "ahmed.nadeem",
    ),
    # The system administrator is not a servant: no grade, no organisation.
    DemoPerson("admin", "Portal", "Administrator", "System administrator", None, "", None),
]

AUDITORS = {"auditor"}
ADMINS = {"admin"}


@dataclass(frozen=True)
class SeedResult:
    organisations: int
    people: int
    created_people: int
    created_requests: int


@transaction.atomic
def seed() -> SeedResult:
    """Create or bring up to date the demo data. Running it again changes nothing."""
    organisations: dict[str, Organisation] = {}
    for code, name, kind, parent_code in ORGANISATIONS:
        organisations[code], _ = Organisation.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "kind": kind,
                "parent": organisations[parent_code] if parent_code else None,
            },
        )

    auditors = Group.objects.get(name=AUDITORS_GROUP)
    people: dict[str, User] = {}
    created_count = 0
    for person in PEOPLE:
        user, created = User.objects.update_or_create(
            username=person.username,
            defaults={
                "first_name": person.first_name,
                "last_name": person.last_name,
                "email": f"{person.username}@{DEMO_EMAIL_DOMAIN}",
                "designation": person.designation,
                "bps": person.bps,
                "service_group": person.service_group,
                "organisation": organisations[person.organisation] if person.organisation else None,
                "reporting_officer": people[person.reporting] if person.reporting else None,
                "countersigning_officer": (
                    people[person.countersigning] if person.countersigning else None
                ),
                "is_staff": person.username in ADMINS,
                "is_superuser": person.username in ADMINS,
            },
        )
        if created:
            created_count += 1
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        user.full_clean()
        if person.username in AUDITORS:
            user.groups.add(auditors)
        people[person.username] = user
    seed_routing()
    created_requests = seed_requests()
    return SeedResult(
        organisations=len(organisations),
        people=len(people),
        created_people=created_count,
        created_requests=created_requests,
    )


MEDIA_CELL = ["lubna.shafiq", "ahmed.nadeem"]

# The demo's routing: what a fresh install starts with (migration 0018: television, radio
# and press conferences, and official information, to the countersigning officer; press
# conferences also to the media cell), and one rule more to show a rule by grade.
ROUTING_RULES: list[dict[str, Any]] = [
    {
        "name": "Officers of BPS-20 and above: Establishment Division media cell",
        "priority": 40,
        "bps_min": 20,
        "target": RoutingRule.Target.GROUP,
    },
]


@dataclass(frozen=True)
class DemoRequest:
    """One demo request and the workflow steps that bring it to its state."""

    applicant: str
    platform: str
    participation: str
    topic: str
    outlet: str
    summary: str
    days_ago: int  # when it was filed
    event_in_days: int | None = 10  # from the filing day; None for a period
    period_days: int = 90
    account_type: str = ""
    capacity: str = "personal"
    official_information: str = ""
    steps: tuple[tuple[Action, str, int], ...] = ()  # (action, username, days after filing)


DEMO_REQUESTS: list[DemoRequest] = [
    DemoRequest(
        "servant",
        "Newspaper",
        "article",
        "Press accreditation in the digital age",
        "Dawn, op-ed pages",
        "Why accreditation rules written for print need updating for online journalists.",
        days_ago=1,
    ),
    DemoRequest(
        "servant",
        "PTV (state television)",
        "interview",
        "Citizens' access to public information",
        "PTV News, 'Views on News'",
        "How the Press Information Department answers requests for information.",
        days_ago=1,
        capacity="official",
        steps=((Action.SUBMIT, "servant", 0),),
    ),
    DemoRequest(
        "servant",
        "X (Twitter)",
        "post",
        "Sharing official press releases",
        "@ayesha_siddiqui_pid",
        "Reposting the Department's press releases with a one-line summary; no comment.",
        days_ago=20,
        event_in_days=None,
        account_type="personal",
        steps=(
            (Action.SUBMIT, "servant", 0),
            (Action.APPROVE, "officer", 2),
        ),
    ),
    DemoRequest(
        "hamza.qureshi",
        "Private television channel",
        "talk_show",
        "Misinformation during floods",
        "Geo News, 'Capital Talk'",
        "The role of official channels in correcting false reports during emergencies.",
        days_ago=4,
        capacity="official",
        steps=((Action.SUBMIT, "hamza.qureshi", 0), (Action.APPROVE, "officer", 1)),
    ),
    DemoRequest(
        "sana.javed",
        "Facebook",
        "post",
        "Volunteering at a literacy camp",
        "Facebook group 'Islamabad Literacy Volunteers'",
        "Photos and a short account of a weekend literacy camp.",
        days_ago=6,
        event_in_days=12,
        account_type="personal",
        steps=((Action.SUBMIT, "sana.javed", 0), (Action.RETURN, "hamza.qureshi", 2)),
    ),
    DemoRequest(
        "usman.ghani",
        "YouTube",
        "live_stream",
        "Commentary on the federal budget",
        "Personal YouTube channel",
        "A live commentary on the budget speech and its effect on salaried people.",
        days_ago=15,
        steps=((Action.SUBMIT, "usman.ghani", 0), (Action.REJECT, "hamza.qureshi", 3)),
    ),
    DemoRequest(
        "rabia.nawaz",
        "Radio Pakistan",
        "interview",
        "Women in the civil service",
        "Radio Pakistan Islamabad, morning show",
        "Her experience of joining the secretariat as an assistant.",
        days_ago=9,
        steps=((Action.SUBMIT, "rabia.nawaz", 0), (Action.WITHDRAW, "rabia.nawaz", 2)),
    ),
    DemoRequest(
        "mehwish.ali",
        "Podcast",
        "interview",
        "Archiving Pakistan's television heritage",
        "'Screen Memories' podcast",
        "The Directorate's work to digitise old television recordings.",
        days_ago=40,
        capacity="official",
        steps=(
            (Action.SUBMIT, "mehwish.ali", 0),
            (Action.APPROVE, "kamran.akmal", 2),
            (Action.REVOKE, "kamran.akmal", 20),
        ),
    ),
    DemoRequest(
        "faisal.raza",
        "Magazine or journal",
        "article",
        "Audience research for public broadcasting",
        "Journal of Media Studies",
        "A research article on audience surveys, using published data only.",
        days_ago=75,
        event_in_days=5,
        steps=(
            (Action.SUBMIT, "faisal.raza", 0),
            (Action.APPROVE, "mehwish.ali", 1),
            (Action.EXPIRE, "", 50),
        ),
    ),
    DemoRequest(
        "waqas.anwar",
        "Press conference",
        "press_conference",
        "Winter traffic plan for Islamabad",
        "Press conference at the ICT Administration",
        "The traffic diversions during the winter road works, and how citizens can get help.",
        days_ago=3,
        capacity="official",
        steps=(
            (Action.SUBMIT, "waqas.anwar", 0),
            (Action.APPROVE, "saima.rehman", 1),
            (Action.APPROVE, "khalid.mahmood", 2),
        ),
    ),
    DemoRequest(
        "maria.khan",
        "Instagram",
        "post",
        "Cleanliness drive in sector G-9",
        "@ict_g9_cleanliness",
        "Before-and-after photos of the drive, posted from the official account.",
        days_ago=9,
        account_type="official",
        capacity="official",
        steps=((Action.SUBMIT, "maria.khan", 0),),
    ),
    DemoRequest(
        "junaid.iqbal",
        "Newspaper",
        "article",
        "Filing returns online",
        "The News, business pages",
        "A plain-language guide to filing income tax returns online.",
        days_ago=2,
        official_information="The guide quotes the filing statistics for 2025.",
        steps=((Action.SUBMIT, "junaid.iqbal", 0),),
    ),
]


def _platform(name: str) -> Platform:
    return Platform.objects.get(name=name)


def _run_step(request_id: int, action: Action, username: str) -> None:
    from . import workflow

    person = User.objects.get(username=username) if username else None
    if action == Action.SUBMIT:
        workflow.submit(request_id, by=person, declaration=True)  # type: ignore[arg-type]
    elif action == Action.APPROVE:
        workflow.approve(
            request_id,
            by=person,  # type: ignore[arg-type]
            approval=workflow.Approval(
                conditions=["personal_views", "no_designation", "report_afterwards"],
                comment="Approved with the usual conditions.",
            ),
        )
    elif action == Action.RETURN:
        workflow.return_for_clarification(
            request_id,
            by=person,  # type: ignore[arg-type]
            reason="Please say whether the group is public, and attach the text of the post.",
        )
    elif action == Action.REJECT:
        workflow.reject(
            request_id,
            by=person,  # type: ignore[arg-type]
            reason="Commenting on the budget in public would embarrass the Government.",
            rule=ConductRule.objects.get(number="22"),
        )
    elif action == Action.WITHDRAW:
        workflow.withdraw(request_id, by=person, reason="The programme was postponed.")  # type: ignore[arg-type]
    elif action == Action.REVOKE:
        workflow.revoke(
            request_id,
            by=person,  # type: ignore[arg-type]
            reason="The podcast episode was advertised with the Directorate's logo.",
        )
    elif action == Action.EXPIRE:
        workflow.expire(request_id)
    else:  # pragma: no cover - the table above is fixed
        raise ValueError(action)


def seed_routing() -> None:
    from django.apps import apps

    # Put back the defaults, should an administrator have deleted them.
    importlib.import_module("permissions.migrations.0018_default_routing").seed(apps, None)
    media_cell = Group.objects.get(name=MEDIA_CELL_GROUP)
    for username in MEDIA_CELL:
        User.objects.get(username=username).groups.add(media_cell)
    for rule in ROUTING_RULES:
        RoutingRule.objects.update_or_create(
            name=rule["name"],
            defaults={
                **{k: v for k, v in rule.items() if k != "name"},
                "group": media_cell if rule["target"] == RoutingRule.Target.GROUP else None,
            },
        )


def seed_requests() -> int:
    """Demo requests in every state, each taken there through the workflow on the days
    it would have happened, so that its timeline is real. Returns how many were new."""
    import time_machine

    from .services import request_create

    created = 0
    now = timezone.now()
    for demo in DEMO_REQUESTS:
        applicant = User.objects.get(username=demo.applicant)
        if PermissionRequest.objects.filter(applicant=applicant, topic=demo.topic).exists():
            continue
        filed = now - datetime.timedelta(days=demo.days_ago)
        with time_machine.travel(filed, tick=False):
            start = timezone.localdate()
            data: dict[str, Any] = {
                "platform": _platform(demo.platform),
                "participation": demo.participation,
                "topic": demo.topic,
                "outlet": demo.outlet,
                "summary": demo.summary,
                "capacity": demo.capacity,
                "account_type": demo.account_type,
                "official_information": bool(demo.official_information),
                "official_information_justification": demo.official_information,
            }
            if demo.event_in_days is None:
                data.update(
                    timing="period",
                    period_start=start + datetime.timedelta(days=1),
                    period_end=start + datetime.timedelta(days=demo.period_days),
                )
            else:
                data.update(
                    timing="one_off",
                    event_at=timezone.localtime(filed).replace(
                        hour=18, minute=0, second=0, microsecond=0
                    )
                    + datetime.timedelta(days=demo.event_in_days),
                )
            request = request_create(applicant=applicant, data=data)
        for action, username, after_days in demo.steps:
            moment = min(filed + datetime.timedelta(days=after_days, hours=2), now)
            with time_machine.travel(moment, tick=False):
                _run_step(request.pk, action, username)
        created += 1
    return created
