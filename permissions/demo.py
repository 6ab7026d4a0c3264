"""Demo organisations and people for the embedded default (``manage.py seed_demo``).

Every demo person signs in with ``DEMO_PASSWORD``. Names and posts are invented.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.db import transaction

from .models import AUDITORS_GROUP, Organisation, User

DEMO_PASSWORD = "portal-demo-2026"  # noqa: S105 - printed for people to sign in with
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
    return SeedResult(
        organisations=len(organisations), people=len(people), created_people=created_count
    )
