"""How fast the audit chain is appended to and verified.

    python bench/audit_chain.py --events 100000

Appends `--events` events one at a time through `permissions.audit.record` (each in a
transaction of its own, as the portal's actions do: take the append lock, read the
head, insert), then walks the chain with `permissions.audit.verify` and prints the
events per second of each, with the queries the walk spent. The database is
DATABASE_URL if set (it must hold no audit events yet) or a temporary SQLite file.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from common import start_django


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--events", type=int, default=100_000, help="events to append")
    parser.add_argument("--batch-size", type=int, default=2_000, help="events per read")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="audit-chain-") as tmp:
        start_django(Path(tmp))
        from django.db import connection

        from permissions import audit
        from permissions.models import AuditEvent
        from permissions.states import Action
        from tests.helpers import counted_statements

        if AuditEvent.objects.exists():
            raise SystemExit("The database already holds audit events: give it a fresh one.")

        origin = audit.Origin(ip_address="10.0.0.1", user_agent="bench/1.0")
        started = time.perf_counter()
        for number in range(args.events):
            audit.record(
                Action.LOGIN, comment=f"bench event {number}", data={"n": number}, origin=origin
            )
        appended_in = time.perf_counter() - started

        with counted_statements(lambda sql: "all") as counts:
            started = time.perf_counter()
            report = audit.verify(batch_size=args.batch_size)
            verified_in = time.perf_counter() - started

        print(f"database        {connection.vendor}")
        print(f"events          {args.events}")
        print(f"append          {appended_in:.1f} s, {args.events / appended_in:.0f} events/s")
        print(f"verify          {verified_in:.1f} s, {report.checked / verified_in:.0f} events/s")
        print(f"verify queries  {counts['all']} (batches of {args.batch_size})")
        print(f"chain intact    {report.ok} {report.problem}")
        connection.close()


if __name__ == "__main__":
    main()
