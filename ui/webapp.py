"""The customer portal as an installable web app (spec §16): a web app manifest and its
icons, linked from every portal page. On iPhones Web Push reaches only a web app added to
the home screen, so this is what lets managers get their push notifications there.

The service worker (/sw.js, ui/portal/web_push.py) is served at the site's root with the
scope "/", which covers the manifest's scope and start address. The static files of the
pages (icons, small scripts) are served under /static from ui/static."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.responses import JSONResponse
from nicegui import app, ui

from .frame import BRAND
from .i18n import default_locale, translate

STATIC_DIR = Path(__file__).resolve().parent / "static"
STATIC_PATH = "/static"
ICONS_DIR = STATIC_DIR / "icons"
ICON_SIZES = (180, 192, 512)  # 180: Apple's home-screen size
MANIFEST_PATH = "/portal/manifest.webmanifest"
START_PATH = "/portal/approvals"
SCOPE = "/portal"
THEME_COLOR = BRAND["primary"]
APPLE_TOUCH_ICON = f"{STATIC_PATH}/icons/icon-180.png"
# Shared by every page's head (a file, not inline code: a Content-Security-Policy may
# forbid inline scripts).
A11Y_SCRIPT_TAG = f'<script src="{STATIC_PATH}/a11y.js" defer></script>'

# The head of a portal page: its manifest, the bar colour, and what iOS reads instead of
# the manifest for a page added to the home screen.
PORTAL_HEAD = f"""
<link rel="manifest" href="{MANIFEST_PATH}">
<meta name="theme-color" content="{THEME_COLOR}">
<meta name="mobile-web-app-capable" content="yes">
<meta name="apple-mobile-web-app-capable" content="yes">
<meta name="apple-mobile-web-app-title" content="Aval">
<link rel="apple-touch-icon" href="{APPLE_TOUCH_ICON}">
"""


def manifest() -> dict[str, Any]:
    """In the installation's language: an installed app has no session to choose one."""
    locale = default_locale()
    return {
        "id": START_PATH,
        "name": f"Aval · {translate('Customer portal', locale)}",
        "short_name": "Aval",
        "description": translate("Approve the actions the help desk asks for on your organization's tickets.", locale),
        "lang": locale.replace("_", "-"),
        "start_url": START_PATH,
        "scope": SCOPE,
        "display": "standalone",
        "theme_color": THEME_COLOR,
        "background_color": "#ffffff",
        "icons": [
            {"src": f"{STATIC_PATH}/icons/icon-{size}.png", "sizes": f"{size}x{size}", "type": "image/png",
             "purpose": "any"}
            for size in ICON_SIZES
            if size != 180
        ]
        + [
            {"src": f"{STATIC_PATH}/icons/icon-512.png", "sizes": "512x512", "type": "image/png",
             "purpose": "maskable"}
        ],
    }


def register_static() -> None:
    """Once at start: the static files and the portal's manifest."""
    app.add_static_files(STATIC_PATH, STATIC_DIR)

    @app.get(MANIFEST_PATH, include_in_schema=False)
    def web_manifest() -> JSONResponse:
        return JSONResponse(manifest(), media_type="application/manifest+json")


def portal_head() -> None:
    """In a portal page (and the portal's sign-in form): what makes it installable."""
    ui.add_head_html(PORTAL_HEAD)
