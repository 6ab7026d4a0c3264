"""factory_boy factories for the portal's models."""

from __future__ import annotations

import datetime

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from permissions.models import AUDITORS_GROUP, Organisation, PermissionRequest, Platform, User

PASSWORD = "correct-horse-battery"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"Division {n}")
    code = factory.Sequence(lambda n: f"org-{n}")
    kind = Organisation.Kind.DIVISION


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@conduct-portal.test")
    designation = "Section Officer"
    bps = 17
    service_group = "omg"
    organisation = factory.SubFactory(OrganisationFactory)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj: User, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            obj.save(update_fields=["password"])


def make_auditor(user: User) -> User:
    user.groups.add(Group.objects.get(name=AUDITORS_GROUP))
    return user


def platform(category: str = "television") -> Platform:
    """One of the platforms the migrations seed, by category."""
    return Platform.objects.filter(category=category).order_by(
        "sort_key"
    ).first() or Platform.objects.create(name=f"Test {category}", category=category)


def complete_request_data(**overrides: object) -> dict[str, object]:
    """Everything a request needs to be submitted: a TV interview next week."""
    data: dict[str, object] = {
        "platform": platform("television"),
        "participation": "interview",
        "outlet": "PTV News, 'Policy Matters'",
        "outlet_url": "",
        "topic": "Digital services for citizens",
        "summary": "How the new online services reduce visits to offices.",
        "capacity": "official",
        "account_type": "",
        "administers_group": False,
        "timing": "one_off",
        "event_at": timezone.now() + datetime.timedelta(days=7),
        "official_information": False,
        "official_information_justification": "",
        "honorarium": False,
        "honorarium_amount": None,
    }
    data.update(overrides)
    return data


def draft_request(applicant: User, **overrides: object) -> PermissionRequest:
    from permissions.services import request_create

    return request_create(applicant=applicant, data=complete_request_data(**overrides))


def submitted_request(applicant: User, **overrides: object) -> PermissionRequest:
    from permissions import workflow

    draft = draft_request(applicant, **overrides)
    return workflow.submit(draft.pk, by=applicant, declaration=True)
