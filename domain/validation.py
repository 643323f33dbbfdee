"""Input rules shared by every use case: trimmed, normalised, bounded text."""

from __future__ import annotations

import re
import unicodedata

from .errors import InvalidInput
from .messages import N_

NAME_MAX = 120
EMAIL_MAX = 254
SUBJECT_MAX = 200
LONG_TEXT_MAX = 10_000
SHORT_TEXT_MAX = 500
NOTE_MAX = 2_000
PASSWORD_MIN = 8
PASSWORD_MAX = 256

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


# Bidi embeddings, overrides and isolates: in a one-line field (a name, a subject) they
# would reverse the text shown after them in the same line ("Fulano approved … #12"), a
# way to spoof what a notification says. Long texts keep them (their own block).
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# What renders as nothing: a name made only of these looks blank.
_INVISIBLE = frozenset({"Cc", "Cf", "Cs", "Cn", "Co", "Mn", "Me", "Zs", "Zl", "Zp"})


def _has_forbidden_characters(value: str, multiline: bool) -> bool:
    allowed = {"\n", "\t"} if multiline else set()
    for char in value:
        if char in allowed:
            continue
        category = unicodedata.category(char)
        # Cc: control characters; Cs: lone surrogates; Co/Cn: private or unassigned.
        if category in ("Cc", "Cs", "Cn"):
            return True
        if not multiline and char in _BIDI_CONTROLS:
            return True
    return False


def _looks_blank(text: str) -> bool:
    return all(unicodedata.category(char) in _INVISIBLE for char in text)


def clean_text(
    value: str | None, *, label: str, max_len: int, required: bool = False, multiline: bool = False
) -> str:
    text = unicodedata.normalize("NFC", value or "").strip()
    if multiline:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if required and _looks_blank(text):  # zero-width spaces alone are no name either
        raise InvalidInput(N_("{field} is required."), field=label)
    if len(text) > max_len:
        raise InvalidInput(N_("{field} is too long (at most {max} characters)."), field=label, max=max_len)
    if _has_forbidden_characters(text, multiline):
        raise InvalidInput(N_("{field} contains characters that are not allowed."), field=label)
    return text


def clean_email(value: str | None) -> str:
    email = clean_text(value, label=N_("E-mail"), max_len=EMAIL_MAX, required=True).lower()
    if len(email) > EMAIL_MAX:  # lowercasing may lengthen it ("İ" becomes two characters)
        raise InvalidInput(N_("{field} is too long (at most {max} characters)."), field=N_("E-mail"), max=EMAIL_MAX)
    if not _EMAIL.match(email):
        raise InvalidInput(N_("Enter a valid e-mail address."))
    return email


def clean_password(value: str | None) -> str:
    password = value or ""
    if len(password) < PASSWORD_MIN:
        raise InvalidInput(N_("The password needs at least {min} characters."), min=PASSWORD_MIN)
    if len(password) > PASSWORD_MAX:
        raise InvalidInput(N_("The password is too long."))
    return password
