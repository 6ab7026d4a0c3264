"""A servant's reporting chain: never themselves, never a loop; BPS 1 to 22."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from permissions.models import Organisation, User
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def error_messages(exc: ValidationError, field: str) -> str:
    return " ".join(exc.message_dict[field])


def test_a_servant_with_a_proper_chain_is_valid(servant: User) -> None:
    servant.full_clean()


def test_own_reporting_officer_is_refused(servant: User) -> None:
    servant.reporting_officer = servant
    with pytest.raises(ValidationError) as caught:
        servant.full_clean()
    assert "cannot be their own reporting officer" in error_messages(
        caught.value, "reporting_officer"
    )


def test_own_countersigning_officer_is_refused(servant: User) -> None:
    servant.countersigning_officer = servant
    with pytest.raises(ValidationError) as caught:
        servant.full_clean()
    assert "own countersigning officer" in error_messages(caught.value, "countersigning_officer")


def test_countersigning_officer_must_differ_from_reporting_officer(servant: User) -> None:
    servant.countersigning_officer = servant.reporting_officer
    with pytest.raises(ValidationError) as caught:
        servant.full_clean()
    assert "must differ" in error_messages(caught.value, "countersigning_officer")


def test_a_two_person_loop_is_refused(servant: User, reporting_officer: User) -> None:
    reporting_officer.reporting_officer = servant
    with pytest.raises(ValidationError) as caught:
        reporting_officer.full_clean()
    assert "loop in the reporting chain" in error_messages(caught.value, "reporting_officer")


def test_a_long_loop_is_refused() -> None:
    top = UserFactory(username="top")
    chain = [top]
    for level in range(6):
        chain.append(UserFactory(username=f"level{level}", reporting_officer=chain[-1]))
    top.reporting_officer = chain[-1]
    with pytest.raises(ValidationError) as caught:
        top.full_clean()
    assert "loop in the reporting chain" in error_messages(caught.value, "reporting_officer")


def test_reporting_to_someone_in_another_branch_is_fine(servant: User, other_officer: User) -> None:
    servant.reporting_officer = other_officer
    servant.full_clean()


def test_the_database_refuses_self_reporting_even_without_validation(servant: User) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=servant.pk).update(reporting_officer=servant.pk)


@pytest.mark.parametrize("grade", [1, 17, 22])
def test_bps_within_1_to_22_is_accepted(servant: User, grade: int) -> None:
    servant.bps = grade
    servant.full_clean()


@pytest.mark.parametrize("grade", [0, 23, 99])
def test_bps_outside_1_to_22_is_refused(servant: User, grade: int) -> None:
    servant.bps = grade
    with pytest.raises(ValidationError) as caught:
        servant.full_clean()
    assert "bps" in caught.value.message_dict


@pytest.mark.parametrize("grade", [0, 23])
def test_the_database_refuses_bps_outside_range(servant: User, grade: int) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=servant.pk).update(bps=grade)


def test_organisation_cannot_be_part_of_its_own_part(
    ministry: Organisation, division: Organisation
) -> None:
    office = OrganisationFactory(code="office", kind="office", parent=division)
    ministry.parent = office
    with pytest.raises(ValidationError) as caught:
        ministry.full_clean()
    assert "part of itself" in error_messages(caught.value, "parent")


def test_email_addresses_are_unique_ignoring_case(servant: User) -> None:
    duplicate = User(username="someone-else", email=servant.email.upper())
    with pytest.raises(ValidationError) as caught:
        duplicate.validate_constraints()
    assert "already uses this e-mail" in str(caught.value)
