"""factory_boy factories for the portal's models."""

from __future__ import annotations

import factory
from django.contrib.auth.models import Group

from permissions.models import AUDITORS_GROUP, Organisation, User

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
