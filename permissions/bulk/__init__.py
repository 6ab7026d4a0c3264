"""Decisions in bulk: an officer approves several requests from the inbox with common
conditions and validity, or returns them with one question. Each request still goes
through the workflow on its own, with its own lock, transaction, audit event and
notifications; this package only chooses, asks and reports. The core never imports it."""
