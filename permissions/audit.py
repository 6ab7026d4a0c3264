"""The audit chain: the one way an audit event is written, and the way it is checked.

Every event carries the hash of the event before it and its own
``hash = HMAC-SHA256(key, prev_hash + canonical(event))``. The keys live in the
environment, never in the database, so whoever can write the table still cannot write
an event that verifies. Each event names its key (AUDIT_KEY_ID for new events; a retired
key stays in AUDIT_OLD_KEYS under its id), so the key can be changed
(manage.py rotate_audit_key) and older events still verify. Events from before keys had
ids name none: they were made with the key whose id is AUDIT_FIRST_KEY_ID ("1", which
AUDIT_KEY_ID is until the first rotation).

Appends are serialised (a transaction-scoped advisory lock on PostgreSQL; SQLite's write
lock, taken when the transaction begins) so two concurrent actions never both chain onto
the same predecessor. Database triggers refuse UPDATE, DELETE and (PostgreSQL) TRUNCATE
on the events and heads, and any change to a finished verification run (dbtriggers).

`verify` walks the chain in id order and names the first event that does not hold:
its content no longer matches its hash, its key is unknown, its predecessor is missing,
or it is out of order. `record_head` keeps the newest event's hash with the count, daily,
so cutting off the newest events (which leaves a chain that is sound but shorter) shows
too. Each head is sealed with an HMAC under the current key, so a head rewritten to fit a
shortened chain does not verify, and mailed to AUDIT_HEAD_RECIPIENTS, so even a rewrite
of the events and their heads together, with the key, contradicts mail already delivered.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import hmac
import ipaddress
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from django.conf import settings
from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from . import outbox
from .models import AuditEvent, AuditHead, AuditVerification
from .models.notifications import NotificationKind
from .paging import BY_ID, batches
from .states import Action

if TYPE_CHECKING:
    from .models import PermissionRequest, User

logger = logging.getLogger(__name__)

# The serialisation's version, kept in each event: a later version may change it
# without making the events hashed under an earlier one unverifiable.
# 1: the first. 2: the IP address in its exploded form (PostgreSQL and Python write some
# IPv6 addresses differently, so the form read back was not always the form hashed).
# 3: the id of the key that made the hash, so that a key can be retired.
VERSION = 3
GENESIS = "0" * 64
# Any constant shared by every process of the portal: the key of the advisory lock.
_LOCK_KEY = 0x4155_4449_545F  # "AUDIT_"

BATCH_SIZE = 2_000
# How many of a sweep's mismatches a verification run keeps to show (it counts them all).
MISMATCHES_KEPT = 500

_IP_FIELD = AuditEvent._meta.get_field("ip_address")


@dataclass(frozen=True)
class Origin:
    """Where an action came from, for the audit trail."""

    ip_address: str | None = None
    user_agent: str = ""


SYSTEM = Origin(user_agent="system")


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: the connection's, or, where AUDIT_CLIENT_IP_HEADER names a
    header set by the reverse proxy in front of the portal, the last address in it (the
    one that proxy saw; anything before it came from the client and proves nothing)."""
    header = settings.AUDIT_CLIENT_IP_HEADER
    candidates = []
    if header:
        meta_name = "HTTP_" + header.upper().replace("-", "_")
        forwarded = request.META.get(meta_name, "")
        if forwarded:
            candidates.append(forwarded.split(",")[-1].strip())
    candidates.append(request.META.get("REMOTE_ADDR", ""))
    for candidate in candidates:
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            continue
    return None


def origin_of(request: HttpRequest | None) -> Origin:
    """Where an HTTP request came from. Without one (authenticate() called from code, a
    sign-in by the test client's force_login) there is no address to give."""
    if request is None:
        return Origin()
    return Origin(ip_address=client_ip(request), user_agent=request.META.get("HTTP_USER_AGENT", ""))


# --- hashing -----------------------------------------------------------------------------


def _timestamp(moment: datetime.datetime) -> str:
    # The same text as strftime("%Y-%m-%dT%H:%M:%S.%fZ") for every year from 1000 on, in
    # a third of the time: verification writes one per event.
    return (
        moment.astimezone(datetime.UTC).replace(tzinfo=None).isoformat(timespec="microseconds")
        + "Z"
    )


@functools.lru_cache(maxsize=4096)
def _exploded(address: str) -> str:
    # Few addresses sign in many times: parse each once.
    return ipaddress.ip_address(address).exploded


def _ip(event: Hashed) -> str | None:
    if event.version >= 2 and event.ip_address:
        return _exploded(event.ip_address)
    return event.ip_address


class StoredEvent(NamedTuple):
    """What the chain covers of an event, read as a row rather than a model instance:
    verification reads millions, and building each instance cost more than hashing it."""

    pk: int
    version: int
    created_at: datetime.datetime
    request_id: int | None
    actor_id: int | None
    acting_for_id: int | None
    action: str
    from_status: str
    to_status: str
    comment: str
    data: Any
    ip_address: str | None
    user_agent: str
    key_id: str
    prev_hash: str
    hash: str


Hashed = AuditEvent | StoredEvent
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical(event: Hashed) -> bytes:
    """The event's fields as bytes that every database and Python version agree on.

    The id is left out (it is only known after the insert, and the chain itself fixes
    each event's place); everything an auditor reads is in."""
    fields: dict[str, Any] = {
        "v": event.version,
        "at": _timestamp(event.created_at),
        "request": event.request_id,
        "actor": event.actor_id,
        "acting_for": event.acting_for_id,
        "action": event.action,
        "from": event.from_status,
        "to": event.to_status,
        "comment": event.comment,
        "data": event.data,
        "ip": _ip(event),
        "ua": event.user_agent,
    }
    if event.version >= 3:
        fields["key"] = event.key_id
    return _CANONICAL.encode(fields).encode()


class UnknownKey(LookupError):
    """An event or head names a key that is neither AUDIT_KEY_ID nor in AUDIT_OLD_KEYS."""

    def __init__(self, key_id: str):
        super().__init__(key_id)
        self.key_id = key_id

    def __str__(self) -> str:
        return (
            f"made with the audit key {self.key_id!r}, which is neither AUDIT_KEY_ID nor "
            f"one of AUDIT_OLD_KEYS"
        )


def keyring() -> dict[str, str]:
    """Every audit key this portal knows, by id: the retired ones and the current one."""
    return {**settings.AUDIT_OLD_KEYS, settings.AUDIT_KEY_ID: settings.AUDIT_KEY}


def key_for(key_id: str, keys: dict[str, str] | None = None) -> str:
    """The secret of the key `key_id` names; no id means the first key (module docstring)."""
    wanted = key_id or settings.AUDIT_FIRST_KEY_ID
    try:
        return (keys if keys is not None else keyring())[wanted]
    except KeyError:
        raise UnknownKey(wanted) from None


def compute_hash(event: Hashed, key: str | None = None) -> str:
    """The event's HMAC under `key`, or under the key it names. Raises UnknownKey."""
    # Migration 0006 hashes rows of a model that had no key_id yet.
    secret = key if key is not None else key_for(getattr(event, "key_id", ""))
    message = event.prev_hash.encode() + canonical(event)
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def head_message(recorded: AuditHead) -> bytes:
    """What a head's seal covers. JSON, so it never reads as an event's message (those
    begin with 64 hex digits)."""
    fields = {
        "event": recorded.event_id,
        "hash": recorded.hash,
        "count": recorded.count,
        "at": _timestamp(recorded.recorded_at),
        "key": recorded.key_id,
    }
    return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()


def seal(recorded: AuditHead, key: str | None = None) -> str:
    """The head's HMAC under `key`, or under the key it names. Raises UnknownKey."""
    secret = key if key is not None else key_for(recorded.key_id)
    return hmac.new(secret.encode(), head_message(recorded), hashlib.sha256).hexdigest()


# --- appending ---------------------------------------------------------------------------


def serialise_appends() -> None:
    """Make concurrent appenders queue until this transaction ends."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
    # SQLite: the portal opens every transaction IMMEDIATE (settings.DATABASES), so this
    # transaction already holds the database's only write lock.


def head() -> AuditEvent | None:
    return AuditEvent.objects.order_by("-pk").first()


def _text(value: str) -> str:
    """Text as every database stores it: PostgreSQL refuses NUL, and a lone surrogate
    cannot be encoded at all."""
    return value.replace("\x00", "\ufffd").encode("utf-8", "replace").decode("utf-8")


def _plain(value: Any) -> Any:
    """JSON that reads back from either database exactly as written: text keys, and
    floats as text (PostgreSQL's jsonb gives 1e16 back as an integer, -0.0 as 0.0)."""
    if isinstance(value, dict):
        return {_text(str(key)): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, bool) or value is None or isinstance(value, int):
        return value
    return _text(str(value))  # floats, decimals, dates, anything else


def _normalise(data: dict[str, Any] | None) -> dict[str, Any]:
    """The data as it will read back from the JSON column, so the hash computed now is
    the hash computed from the stored row later."""
    return json.loads(json.dumps(_plain(data or {}), sort_keys=True))


def record(
    action: Action,
    *,
    actor: User | None = None,
    request: PermissionRequest | None = None,
    acting_for: User | None = None,
    from_status: str = "",
    to_status: str = "",
    comment: str = "",
    data: dict[str, Any] | None = None,
    origin: Origin = SYSTEM,
) -> AuditEvent:
    """Append one event to the chain, inside the caller's transaction (or its own).

    Call it as late as possible in a transaction: appenders queue from here until the
    transaction commits."""
    with transaction.atomic():
        serialise_appends()
        previous = head()
        event = AuditEvent(
            version=VERSION,
            request=request,
            actor=actor,
            acting_for=acting_for,
            action=Action(action).value,
            from_status=from_status,
            to_status=to_status,
            comment=_text(comment),
            data=_normalise(data),
            # As the column will give it back (IPv6 written the way Django stores it).
            ip_address=_IP_FIELD.get_prep_value(origin.ip_address) or None,
            user_agent=_text(origin.user_agent)[:300],
            # Whole microseconds in UTC: what every database stores and returns.
            created_at=timezone.now().astimezone(datetime.UTC),
            prev_hash=previous.hash if previous is not None else GENESIS,
            key_id=settings.AUDIT_KEY_ID,
        )
        event.hash = compute_hash(event)
        event.save(force_insert=True)
    return event


# --- verifying ---------------------------------------------------------------------------


@dataclass
class Report:
    checked: int = 0
    head_id: int | None = None
    head_hash: str = GENESIS
    problem: str = ""
    bad_event_id: int | None = None
    heads_checked: int = 0
    # Heads recorded before heads were sealed: still checked against the chain, but
    # nothing proves they are as recorded.
    heads_unsealed: int = 0

    @property
    def ok(self) -> bool:
        return not self.problem


def _events(batch_size: int) -> Iterator[StoredEvent]:
    rows = AuditEvent.objects.values_list(*StoredEvent._fields)
    for batch in batches(rows, sort=BY_ID, size=batch_size, key=(0, 0)):
        yield from map(StoredEvent._make, batch)


def _named(recorded: AuditHead) -> str:
    return f"recorded head #{recorded.pk} of {_timestamp(recorded.recorded_at)}"


def _seal_problem(recorded: AuditHead, keys: dict[str, str], event: StoredEvent | None) -> str:
    """Why a head's seal does not hold, or "" if it does (or the head predates seals)."""
    if not recorded.mac:
        # The portal seals every head it records since events took version 3: a head of
        # such an event without a seal had it removed.
        if event is not None and event.version >= 3:
            return (
                f"{_named(recorded)} has no seal, though every head of an event of "
                f"version 3 or later was sealed: its seal was removed"
            )
        return ""
    try:
        expected = seal(recorded, key=key_for(recorded.key_id, keys))
    except UnknownKey as unknown:
        return f"{_named(recorded)} was sealed with a key it does not have: {unknown}"
    if not hmac.compare_digest(expected, recorded.mac):
        return (
            f"{_named(recorded)} does not match its seal: its event, hash, count, time or "
            f"key was changed after it was recorded"
        )
    return ""


def verify(*, batch_size: int = BATCH_SIZE, since_head: bool = False) -> Report:
    """Walk the whole chain in id order, in batches (constant memory but for the
    recorded heads); stop at the first event that does not hold.

    With `since_head`, also check every recorded head (record_head) on the way: its seal
    must hold, and it must still be in the chain, with the same hash and as many events
    up to it as when it was recorded (ids only grow: appends are serialised). Heads
    recorded before heads were sealed have no seal to check (Report.heads_unsealed)."""
    report = Report()
    keys = keyring()
    heads: dict[int | None, list[AuditHead]] = {}
    if since_head:
        for recorded in AuditHead.objects.order_by("pk").iterator():
            report.heads_checked += 1
            if not recorded.mac:
                report.heads_unsealed += 1
            heads.setdefault(recorded.event_id, []).append(recorded)
    expected_prev = GENESIS
    for event in _events(batch_size):
        report.checked += 1
        try:
            intact = compute_hash(event, key=key_for(event.key_id, keys)) == event.hash
        except UnknownKey as unknown:
            report.problem = f"unknown key: the event was {unknown}"
            report.bad_event_id = event.pk
            return report
        if not intact:
            report.problem = "hash mismatch: the event's content is not what was recorded"
            report.bad_event_id = event.pk
            return report
        if event.prev_hash != expected_prev:
            report.bad_event_id = event.pk
            predecessor = (
                AuditEvent.objects.filter(hash=event.prev_hash).values_list("pk", flat=True).first()
            )
            if predecessor is not None:
                report.problem = (
                    f"reordered: its predecessor is event #{predecessor}, not the event before it"
                )
            elif event.prev_hash == GENESIS:
                report.problem = "reordered: it claims to be the first event"
            else:
                report.problem = "missing predecessor: the event before it was removed"
            return report
        for recorded in heads.pop(event.pk, []):
            report.problem = _seal_problem(recorded, keys, event)
            if not report.problem and (
                recorded.hash != event.hash or recorded.count != report.checked
            ):
                report.problem = (
                    f"{_named(recorded)} counted {recorded.count} events up to event "
                    f"#{event.pk} with hash {recorded.hash[:16]}…; the chain now has "
                    f"{report.checked} with hash {event.hash[:16]}…"
                )
            if report.problem:
                report.bad_event_id = event.pk
                return report
        expected_prev = event.hash
        report.head_id = event.pk
        report.head_hash = event.hash
    # What is left: heads of an empty chain, and heads whose event has gone.
    for recorded in sorted((head for group in heads.values() for head in group), key=_pk):
        report.problem = _seal_problem(recorded, keys, None)
        if not report.problem and recorded.event_id is not None:
            report.problem = (
                f"{_named(recorded)} (event #{recorded.event_id}) is no longer in the "
                f"chain: events were removed"
            )
        if report.problem:
            report.bad_event_id = recorded.event_id
            return report
    return report


def _pk(recorded: AuditHead) -> int:
    return recorded.pk


def record_head() -> AuditHead:
    """Keep the chain's newest event with the count of events up to it (the daily job),
    sealed under the current key.

    Kept in its own append-only table, written to the log, and mailed (in the same
    transaction, through the outbox) to each of AUDIT_HEAD_RECIPIENTS: copies outside
    the database, beyond the reach of whoever can rewrite it."""
    with transaction.atomic():
        serialise_appends()
        newest = head()
        recorded = AuditHead(
            event_id=newest.pk if newest else None,
            hash=newest.hash if newest else GENESIS,
            count=AuditEvent.objects.count(),
            # Whole microseconds in UTC, as the column gives them back to verify.
            recorded_at=timezone.now().astimezone(datetime.UTC),
            key_id=settings.AUDIT_KEY_ID,
        )
        recorded.mac = seal(recorded)
        recorded.save(force_insert=True)
        outbox.notify_addresses(
            addresses=settings.AUDIT_HEAD_RECIPIENTS,
            kind=NotificationKind.AUDIT_HEAD,
            key=f"audit-head:{recorded.pk}",
            # The moment exactly as the seal covers it, to recompute the seal from.
            context={"head": recorded, "sealed_moment": _timestamp(recorded.recorded_at)},
        )
    logger.info(
        "audit head: event #%s, %s events, hash %s, key %s, seal %s",
        recorded.event_id,
        recorded.count,
        recorded.hash,
        recorded.key_id,
        recorded.mac,
    )
    return recorded


# --- changing the key ---------------------------------------------------------------------


class KeyRotationError(Exception):
    """The change of key cannot be recorded as things stand; the message says what to fix."""


@dataclass(frozen=True)
class Rotation:
    retired_id: str
    current_id: str
    event: AuditEvent  # the audit.key_rotated event
    already_recorded: bool


def record_key_rotation() -> Rotation | None:
    """Put a change of audit key on the chain, once the new key is in use everywhere
    (manage.py rotate_audit_key --record). None when every event was made with the
    current key: nothing changed.

    First it proves the switch was made right: the retired key must be in AUDIT_OLD_KEYS
    and verify the last event made with it, and AUDIT_KEY must be a new secret. Recording
    the same change again returns the event already recorded."""
    current_id = settings.AUDIT_KEY_ID
    others = AuditEvent.objects.exclude(key_id=current_id)
    if current_id == settings.AUDIT_FIRST_KEY_ID:
        others = others.exclude(key_id="")
    # Newest first: after a change of key the last event of the retired key is recent.
    last_of_retired = others.order_by("-pk").first()
    if last_of_retired is None:
        return None
    retired_id = last_of_retired.key_id or settings.AUDIT_FIRST_KEY_ID
    recorded = AuditEvent.objects.filter(
        action=Action.AUDIT_KEY_ROTATED, pk__gt=last_of_retired.pk
    ).first()
    if recorded is not None:
        return Rotation(retired_id, current_id, recorded, already_recorded=True)
    keys = keyring()
    if retired_id not in keys:
        raise KeyRotationError(
            f"Event #{last_of_retired.pk}, the last made with the key {retired_id!r}, cannot "
            f"be verified: AUDIT_OLD_KEYS has no key {retired_id!r}. Add {retired_id}:<its "
            f"secret> to it in the environment of web, worker and beat, and restart them."
        )
    if keys[retired_id] == settings.AUDIT_KEY:
        raise KeyRotationError(
            f"AUDIT_KEY is still the secret of the retired key {retired_id!r}: set AUDIT_KEY "
            f"to the new secret as well."
        )
    if compute_hash(last_of_retired) != last_of_retired.hash:
        raise KeyRotationError(
            f"AUDIT_OLD_KEYS' key {retired_id!r} does not verify event #{last_of_retired.pk}, "
            f"the last made with it: that is not the secret that was retired. Correct it "
            f"(the secret was AUDIT_KEY before the change) and restart."
        )
    event = record(Action.AUDIT_KEY_ROTATED, data={"from": retired_id, "to": current_id})
    return Rotation(retired_id, current_id, event, already_recorded=False)


def start_verification(*, by: User | None = None) -> AuditVerification:
    """A verification run, recorded as started (by someone, or by the schedule)."""
    return AuditVerification.objects.create(by=by)


def finish_verification(
    run: AuditVerification,
    *,
    since_head: bool = True,
    batch_size: int = BATCH_SIZE,
    content: bool = False,
) -> AuditVerification:
    """Verify the chain for a started run and keep the result on it for the console;
    with `content`, also sweep every request's row and every file against the digests
    the chain recorded (integrity.sweep). The run is saved once, finished: a finished
    run is never changed."""
    report = verify(batch_size=batch_size, since_head=since_head)
    if content:
        from .integrity import sweep

        swept = sweep(batch_size=batch_size)
        run.content_ok = swept.ok
        run.requests_checked = swept.requests_checked
        run.files_checked = swept.files_checked
        run.mismatches = [mismatch.as_dict() for mismatch in swept.mismatches[:MISMATCHES_KEPT]]
        run.mismatches_found = len(swept.mismatches)
    run.finished_at = timezone.now()
    run.ok = report.ok
    run.checked = report.checked
    run.heads_checked = report.heads_checked
    run.head_event_id = report.head_id
    run.head_hash = report.head_hash
    run.bad_event_id = report.bad_event_id
    run.problem = report.problem
    run.save()
    if report.ok:
        logger.info("audit chain intact: %s events, head %s", report.checked, report.head_hash)
    else:
        logger.error("audit chain broken at event #%s: %s", report.bad_event_id, report.problem)
    return run


def run_verification(
    *,
    by: User | None = None,
    since_head: bool = True,
    batch_size: int = BATCH_SIZE,
    content: bool = False,
) -> AuditVerification:
    """Verify the chain now and keep the result for the auditor console."""
    return finish_verification(
        start_verification(by=by), since_head=since_head, batch_size=batch_size, content=content
    )
