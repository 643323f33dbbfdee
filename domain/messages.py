"""Marks user-facing texts for translation without translating them here.

The domain does not know the reader's language; the UI translates the msgid with
gettext at render time. `N_` only lets Babel's extractor find the strings.
"""


def N_(message: str) -> str:
    return message
