"""The running app's HTTP answers (`python main.py`), as a browser receives them: the
session cookie HttpOnly (no page script reads it), SameSite=Lax (other sites' forms and
frames do not carry it), for this site only and Secure once served on https; and headers
that forbid other sites to frame a page."""

from __future__ import annotations

import urllib.request
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
from security_process import app_process


def session_cookie(base_url: str, path: str = "/agent/login") -> tuple[str, dict[str, str]]:
    with urllib.request.urlopen(base_url + path, timeout=10) as answer:
        headers = answer.headers.get_all("Set-Cookie") or []
    raw = next(h for h in headers if h.startswith("session="))
    parsed = SimpleCookie()
    parsed.load(raw)
    morsel = parsed["session"]
    flags = {part.strip().split("=")[0].lower() for part in raw.split(";")[1:]}
    return raw, {"httponly": str("httponly" in flags), "secure": str("secure" in flags),
                 "samesite": morsel["samesite"].lower(), "path": morsel["path"], "domain": morsel["domain"]}


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_the_session_cookie_is_httponly_lax_and_secure_behind_https(tmp_path: Path, scheme: str) -> None:
    extra = {"AVAL_BASE_URL": "https://aval.example"} if scheme == "https" else {}
    with app_process(tmp_path / "data", **extra) as app:
        raw, cookie = session_cookie(app.base_url)
        assert cookie["httponly"] == "True", raw
        assert cookie["samesite"] == "lax", raw
        assert cookie["path"] == "/", raw
        assert cookie["domain"] == "", raw
        assert cookie["secure"] == str(scheme == "https"), raw
        # The portal's pages hand out the same kind of cookie.
        assert "httponly" in session_cookie(app.base_url, "/portal/login")[0].lower()


def test_no_other_site_may_frame_a_page_or_sniff_a_file(tmp_path: Path) -> None:
    with app_process(tmp_path / "data") as app:
        for path in ("/agent/login", "/portal/approvals/1", "/healthz"):
            with urllib.request.urlopen(app.base_url + path, timeout=10) as answer:
                headers = answer.headers
            assert headers["X-Frame-Options"] == "DENY", path
            assert "frame-ancestors 'none'" in headers["Content-Security-Policy"], path
            assert headers["X-Content-Type-Options"] == "nosniff", path
            assert headers["Referrer-Policy"] == "same-origin", path
