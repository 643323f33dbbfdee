"""The translation catalogs, shared by the pages (ui/i18n.py) and the e-mails the outbox
worker writes (delivery/messages.py), which must not depend on the UI.

Message ids are English; the catalogs live in `locales/<lang>/LC_MESSAGES/*.po` (one file
per area, merged at load time) and are read straight from the .po files with Babel, so no
compiled file is kept in the repo."""

from __future__ import annotations

import gettext
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALES_DIR = Path(__file__).resolve().parent / "locales"


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
                    merged.add(message.id, message.string, context=message.context)
    buffer = BytesIO()
    write_mo(buffer, merged)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)
