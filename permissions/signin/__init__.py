"""Signing in that holds: lockout after repeated failures (django-axes), wired into the
audit chain. Uses the core; the core never imports it."""
