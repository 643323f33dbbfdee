"""gettext for pt-BR (default) and English. Message ids are English; the catalogs live
in `locales/<lang>/LC_MESSAGES/*.po` (one file per area, merged at load time) and are
read straight from the .po files with Babel, so no compiled file is kept in the repo."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import i18n_time
from domain import clock

# The catalog loading is shared with the e-mails of the outbox worker (no UI there).
from i18n_catalog import LOCALES_DIR as LOCALES_DIR
from i18n_catalog import translations as translations

DEFAULT_LOCALE = "pt_BR"
LANGUAGE_NAMES = {"pt_BR": "Português (Brasil)", "en": "English"}

_default_locale = DEFAULT_LOCALE


def set_default_locale(locale: str) -> None:
    global _default_locale
    _default_locale = locale


def default_locale() -> str:
    return _default_locale


def current_locale() -> str:
    """The signed-in person's choice, else the installation's default."""
    try:
        from nicegui import app

        return str(app.storage.user.get("locale") or _default_locale)
    except (RuntimeError, AssertionError, KeyError):
        return _default_locale


def current_zone() -> str:
    """The signed-in person's time zone, else the installation's default."""
    try:
        from nicegui import app

        return str(app.storage.user.get("timezone") or i18n_time.default_zone())
    except (RuntimeError, AssertionError, KeyError):
        return i18n_time.default_zone()


def format_when(value: datetime | None) -> str:
    """An instant in the reader's language and time zone."""
    return i18n_time.format_when(value, current_locale(), current_zone())


def format_relative(moment: datetime) -> str:
    """'em 3 horas', 'há 10 minutos': how far an instant is from now, for the reader."""
    return i18n_time.format_relative(moment, clock.now(), current_locale())


def translate(message: str, locale: str | None = None) -> str:
    return translations(locale or current_locale()).gettext(message)


_ = translate


def translate_in(context: str, message: str, locale: str | None = None) -> str:
    """gettext with a msgctxt: one English word may need two Portuguese ones (a ticket is
    "Cancelado", an action "Cancelada")."""
    return translations(locale or current_locale()).pgettext(context, message)


def translate_error(
    message: str, params: dict[str, Any], locale: str | None = None, zone: str | None = None
) -> str:
    """A domain error's msgid, translated, with its values put in (values that are msgids
    themselves, like a field label, are translated too; instants are written in the
    reader's language and zone)."""
    locale = locale or current_locale()
    text = translate(message, locale)
    values = {key: _error_value(value, locale, zone) for key, value in params.items()}
    try:
        return text.format(**values)
    except (KeyError, IndexError, ValueError):
        return text


def _error_value(value: Any, locale: str, zone: str | None) -> Any:
    if isinstance(value, datetime):
        return i18n_time.format_when(value, locale, zone or current_zone())
    if isinstance(value, str):
        return translate(value, locale)
    return value
