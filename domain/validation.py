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


def _has_forbidden_characters(value: str, multiline: bool) -> bool:
    allowed = {"\n", "\t"} if multiline else set()
    for char in value:
        if char in allowed:
            continue
        category = unicodedata.category(char)
        # Cc: control characters; Cs: lone surrogates; Co/Cn: private or unassigned.
        if category in ("Cc", "Cs", "Cn"):
            return True
    return False


def clean_text(
    value: str | None, *, label: str, max_len: int, required: bool = False, multiline: bool = False
) -> str:
    text = unicodedata.normalize("NFC", value or "").strip()
    if multiline:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if required and not text:
        raise InvalidInput(N_("{field} is required."), field=label)
    if len(text) > max_len:
        raise InvalidInput(N_("{field} is too long (at most {max} characters)."), field=label, max=max_len)
    if _has_forbidden_characters(text, multiline):
        raise InvalidInput(N_("{field} contains characters that are not allowed."), field=label)
    return text


def clean_email(value: str | None) -> str:
    email = clean_text(value, label=N_("E-mail"), max_len=EMAIL_MAX, required=True).lower()
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
