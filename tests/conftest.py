"""Shared fixtures: the named people of STYLE.md, signed-in browsers, and access to
real services. Plain helpers live in tests/helpers.py."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from hypothesis import settings as hypothesis_settings

from permissions.models import Organisation, RoutingRule, User

from .factories import OrganisationFactory, UserFactory, make_auditor
from .helpers import need_service, pass_second_factor, sign_in

# Property tests try a few dozen examples on every run; HYPOTHESIS_PROFILE=deep searches
# far longer (bench/workflow_properties.py runs it and prints what it tried).
hypothesis_settings.register_profile("default", max_examples=25)
hypothesis_settings.register_profile("deep", max_examples=1_000)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> None:
    """Each test states the routing it needs. The rules a fresh install starts with
    (migration 0018) are taken out of each test database once it is made, and out of
    what transactional tests restore it to; the tests about them put them back
    (`default_routing`)."""
    from django.db import connections

    with django_db_blocker.unblock():
        RoutingRule.objects.all().delete()
        for alias in connections:
            made = connections[alias]
            if getattr(made, "_test_serialized_contents", None) is not None:
                made._test_serialized_contents = made.creation.serialize_db_to_string()


@pytest.fixture
def default_routing(db: None) -> list[RoutingRule]:
    """The routing rules as migration 0018 writes them on a fresh install."""
    import importlib

    from django.apps import apps

    importlib.import_module("permissions.migrations.0018_default_routing").seed(apps, None)
    return list(RoutingRule.objects.order_by("priority"))


@pytest.fixture(autouse=True, scope="session")
def flush_past_the_audit_triggers() -> Iterator[None]:
    """Let the test run's own flush (between transactional tests) empty the audit
    tables: in the same transaction as the flush, lift the append-only triggers, then
    put them back. Nothing else in the tests gets past them."""
    from django.db.backends.base.operations import BaseDatabaseOperations

    from permissions import dbtriggers

    original = BaseDatabaseOperations.execute_sql_flush

    def execute_sql_flush(self: BaseDatabaseOperations, sql_list: list[str]) -> None:
        vendor = self.connection.vendor
        original(
            self,
            [
                *dbtriggers.remove_sql(vendor),
                *sql_list,
                *dbtriggers.install_sql(vendor),
            ],
        )

    BaseDatabaseOperations.execute_sql_flush = execute_sql_flush  # type: ignore[method-assign]
    yield
    BaseDatabaseOperations.execute_sql_flush = original  # type: ignore[method-assign]


@pytest.fixture
def threads_run_eager_tasks() -> Iterator[None]:
    """For tests whose threads run Celery tasks eagerly: Celery keeps "a task is running,
    do not wait on results" in one process-wide flag that each eager task sets and then
    puts back as it found it, so two threads interleaving can leave it set for good and
    break a later test's `result.get()`. Put it back to what it was."""
    from celery import _state

    before = _state.task_join_will_block()
    yield
    _state._set_task_join_will_block(before)


@pytest.fixture
def on_postgres() -> None:
    if connection.vendor != "postgresql":
        need_service("PostgreSQL", "DATABASE_URL does not point at PostgreSQL")


@pytest.fixture
def ministry() -> Organisation:
    return OrganisationFactory(name="Ministry of Information", code="moi-test", kind="ministry")


@pytest.fixture
def division(ministry: Organisation) -> Organisation:
    return OrganisationFactory(
        name="Information Division", code="info-div", kind="division", parent=ministry
    )


@pytest.fixture
def countersigning_officer(division: Organisation) -> User:
    return UserFactory(
        username="countersigning",
        designation="Joint Secretary",
        bps=20,
        organisation=division,
    )


@pytest.fixture
def reporting_officer(division: Organisation, countersigning_officer: User) -> User:
    return UserFactory(
        username="reporting",
        designation="Deputy Secretary",
        bps=19,
        organisation=division,
        reporting_officer=countersigning_officer,
    )


@pytest.fixture
def servant(division: Organisation, reporting_officer: User, countersigning_officer: User) -> User:
    return UserFactory(
        username="servant",
        designation="Section Officer",
        bps=17,
        organisation=division,
        reporting_officer=reporting_officer,
        countersigning_officer=countersigning_officer,
    )


@pytest.fixture
def television_countersigning() -> RoutingRule:
    """Television appearances also need the countersigning officer: a chain of two."""
    return RoutingRule.objects.create(
        name="Television appearances",
        target=RoutingRule.Target.COUNTERSIGNING_OFFICER,
        platform_categories=["television"],
    )


@pytest.fixture
def other_officer() -> User:
    """An officer with people of their own, unrelated to `servant`."""
    officer = UserFactory(username="other-officer", designation="Director", bps=19)
    UserFactory(username="other-subordinate", reporting_officer=officer)
    return officer


@pytest.fixture
def outsider() -> User:
    """A servant unrelated to anyone above."""
    return UserFactory(username="outsider", designation="Assistant", bps=15)


@pytest.fixture
def auditor() -> User:
    return make_auditor(
        UserFactory(username="auditor", designation="Deputy Secretary (C&D)", bps=19)
    )


@pytest.fixture
def superuser() -> User:
    return UserFactory(
        username="root", is_staff=True, is_superuser=True, bps=None, organisation=None
    )


@pytest.fixture
def admin_client_logged_in(client: Client, superuser: User) -> Client:
    client.force_login(superuser)
    return pass_second_factor(client, superuser)


@pytest.fixture
def login(client: Client):  # type: ignore[no-untyped-def]
    """Sign a person in through the login form, as a browser would, and past the second
    factor if they need one."""

    def _login(user: User) -> Client:
        return sign_in(client, user)

    return _login


@pytest.fixture
def browser() -> Callable[[User], Client]:
    """A separate signed-in browser for each person, so several can act in one test."""

    def _open(user: User) -> Client:
        return sign_in(Client(), user)

    return _open


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):  # type: ignore[no-untyped-def]
    # Argon2 is deliberately slow; tests hash dozens of passwords. The production
    # order is asserted in tests/settings/test_environment.py.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def own_cache(settings, request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """A cache of each test's own, in memory: the per-address rate limits count from
    zero in every test (all of them sign in from 127.0.0.1), and no test empties a Redis
    that the broker or another run shares."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"test-{request.node.nodeid}",
        }
    }


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    """Uploaded files go to a fresh directory per test, never into var/."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = str(root)
    return root


@pytest.fixture
def reference_data(transactional_db: None) -> None:
    """The rows the data migrations seed (rules, platforms, groups, the memorandum's
    grounds), present again after an earlier transactional test flushed them: a live
    server needs committed rows."""
    import importlib

    from django.apps import apps

    for name in (
        "0002_auditors_group",
        "0004_rules_platforms_media_cell",
        "0019_grounds",
        "0022_urdu_reference_data",
    ):
        migration = importlib.import_module(f"permissions.migrations.{name}")
        seed = getattr(migration, "seed", None) or migration.create_group
        seed(apps, None)
    importlib.import_module("permissions.screening.migrations.0002_seed_phrases").seed(apps, None)
