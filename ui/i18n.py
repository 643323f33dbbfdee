"""gettext for pt-BR (default) and English. Message ids are English; the catalogs live
in `locales/<lang>/LC_MESSAGES/*.po` (one file per area, merged at load time) and are
read straight from the .po files with Babel, so no compiled file is kept in the repo."""

from __future__ import annotations

import gettext
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DEFAULT_LOCALE = "pt_BR"
LANGUAGE_NAMES = {"pt_BR": "Português (Brasil)", "en": "English"}

_default_locale = DEFAULT_LOCALE


def set_default_locale(locale: str) -> None:
    global _default_locale
    _default_locale = locale


def default_locale() -> str:
    return _default_locale


@cache
def translations(locale: str) -> gettext.NullTranslations:
    folder = LOCALES_DIR / locale / "LC_MESSAGES"
    if not folder.is_dir():
        return gettext.NullTranslations()
    merged = Catalog(locale=locale)
    for po_file in sorted(folder.glob("*.po")):
        with po_file.open("rb") as handle:
            for message in read_po(handle, locale=locale):
                if message.id and message.string:
                    merged.add(message.id, message.string)
    buffer = BytesIO()
    write_mo(buffer, merged)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def current_locale() -> str:
    """The signed-in person's choice, else the installation's default."""
    try:
        from nicegui import app

        return str(app.storage.user.get("locale") or _default_locale)
    except (RuntimeError, AssertionError, KeyError):
        return _default_locale


def translate(message: str, locale: str | None = None) -> str:
    return translations(locale or current_locale()).gettext(message)


_ = translate


def translate_error(message: str, params: dict[str, Any], locale: str | None = None) -> str:
    """A domain error's msgid, translated, with its values put in (values that are msgids
    themselves, like a field label, are translated too)."""
    text = translate(message, locale)
    values = {key: translate(value, locale) if isinstance(value, str) else value for key, value in params.items()}
    try:
        return text.format(**values)
    except (KeyError, IndexError, ValueError):
        return text
