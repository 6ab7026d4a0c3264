"""The Establishment Division's audit console: read-only over every request of every
organisation, the audit log, exports, a dashboard and the audit chain's verification.

Auditors only; anyone else gets a 404, as for anything they may not know exists.
"""
