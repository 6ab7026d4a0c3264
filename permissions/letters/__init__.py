"""The permission letter: an approved request as a one-page A4 office letter (PDF)."""
