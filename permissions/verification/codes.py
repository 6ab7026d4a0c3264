"""The two secrets of a letter, drawn and read back.

The token goes into the QR code's URL: 24 random bytes (192 bits), far past guessing.
The short code is for paper: 12 characters of Crockford's base32 (60 bits), printed in
groups of four. Sixty bits are not enough against an unlimited search, but the code form
answers an address 30 times a minute (RATELIMIT_VERIFY): with a million letters issued,
one guess in about 10^12 finds one, some 70,000 years of guessing from one address.
"""

from __future__ import annotations

import re
import secrets

TOKEN_BYTES = 24
CODE_LENGTH = 12
CODE_GROUP = 4
# Crockford's base32: digits and capitals without I, L, O and U, which are misread for
# 1, 1, 0 and V (and U avoids accidental words).
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
# What a person may type for a character of the alphabet, as Crockford decodes it.
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
# Spaces and dashes (of any kind) people put between the groups, or copy with them.
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212]+")
_WELL_FORMED = re.compile(rf"^[{ALPHABET}]{{{CODE_LENGTH}}}$")


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def new_short_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalised(typed: str) -> str | None:
    """The code as stored, from what a person typed: any case, with or without spaces
    and dashes, O for 0 and I or L for 1. None if it cannot be a code at all."""
    code = _SEPARATORS.sub("", typed).upper().translate(_READ_AS)
    return code if _WELL_FORMED.match(code) else None


def printed(code: str) -> str:
    """ABCDEFGHJKMN as ABCD-EFGH-JKMN."""
    return "-".join(code[start : start + CODE_GROUP] for start in range(0, len(code), CODE_GROUP))
