"""Aval's configuration, read from the environment (spec §10)."""

from __future__ import annotations

import ipaddress
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from domain.auth import SUPPORTED_LOCALES
from i18n_time import DEFAULT_ZONE


def _trusted_proxies(raw: str) -> tuple[str, ...]:
    proxies = tuple(part.strip() for part in raw.split(",") if part.strip())
    for proxy in proxies:
        try:
            ipaddress.ip_network(proxy, strict=False)
        except ValueError:
            raise ValueError(f"AVAL_TRUSTED_PROXIES: {proxy!r} is not an IP address or CIDR range") from None
    return proxies


def _ca_file(raw: str) -> Path | None:
    """Checked at start-up: a wrong path would otherwise only show as failed deliveries."""
    if not raw:
        return None
    path = Path(raw).expanduser().resolve()
    if not path.is_file():
        raise ValueError(f"AVAL_WEBHOOK_CA_FILE: {raw!r} is not a file (a PEM file of CA certificates)")
    return path


@dataclass(frozen=True)
class Config:
    port: int
    host: str
    data_dir: Path
    database_url: str
    base_url: str
    locale: str
    demo: bool
    admin_email: str | None
    admin_password: str | None
    redis_url: str | None
    # Signs the session cookie; instances behind one proxy must share it (AVAL_STORAGE_SECRET
    # or a shared data dir), or a session from one is refused by the next.
    storage_secret: str | None = field(default=None, repr=False)
    # Test push services run on plain http at 127.0.0.1; real ones are public https.
    push_allow_insecure: bool = False
    # How long a manager's Aprovar / Reprovar links of a request mail stay good (spec §11).
    email_link_days: int = 7
    # Local test receivers are plain http on 127.0.0.1; real webhook endpoints are public https.
    webhook_allow_insecure: bool = False
    # A PEM file of CAs trusted for webhook receivers besides the public ones (a company's
    # own CA, a test CA); certificates are checked in any case.
    webhook_ca_file: Path | None = None
    # API rate limits in the `limits` notation ("300/minute", "10/second;1000/hour").
    api_rate_limit: str = "300/minute"
    api_rate_limit_per_address: str = "600/minute"
    # Proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (addresses or CIDR
    # ranges). None by default: a forwarded header from anyone else changes nothing, so
    # the login throttle keys on the address that really connected.
    trusted_proxies: tuple[str, ...] = ()
    # The time zone of people who did not pick their own (AVAL_TIMEZONE).
    timezone: str = DEFAULT_ZONE

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Config:
        env = os.environ if environ is None else environ
        port = int(env.get("AVAL_PORT") or 8080)
        data_dir = Path(env.get("AVAL_DATA_DIR") or "./data").resolve()
        locale = env.get("AVAL_LOCALE") or "pt_BR"
        if locale not in SUPPORTED_LOCALES:
            raise ValueError(f"AVAL_LOCALE must be one of {', '.join(SUPPORTED_LOCALES)}, not {locale!r}")
        link_days = int(env.get("AVAL_EMAIL_LINK_DAYS") or 7)
        if link_days < 1:
            raise ValueError(f"AVAL_EMAIL_LINK_DAYS must be a whole number of days ≥ 1, not {link_days}")
        timezone = env.get("AVAL_TIMEZONE") or DEFAULT_ZONE
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"AVAL_TIMEZONE must be a zone name like America/Sao_Paulo, not {timezone!r}") from None
        return cls(
            port=port,
            host=env.get("AVAL_HOST") or "127.0.0.1",
            data_dir=data_dir,
            database_url=env.get("AVAL_DATABASE_URL") or f"sqlite:///{data_dir / 'aval.sqlite3'}",
            base_url=(env.get("AVAL_BASE_URL") or f"http://localhost:{port}").rstrip("/"),
            locale=locale,
            demo=(env.get("AVAL_DEMO") or "1") != "0",
            admin_email=env.get("AVAL_ADMIN_EMAIL") or None,
            admin_password=env.get("AVAL_ADMIN_PASSWORD") or None,
            redis_url=env.get("NICEGUI_REDIS_URL") or None,
            storage_secret=env.get("AVAL_STORAGE_SECRET") or None,
            push_allow_insecure=env.get("AVAL_PUSH_ALLOW_INSECURE") == "1",
            email_link_days=link_days,
            webhook_allow_insecure=env.get("AVAL_WEBHOOK_ALLOW_INSECURE") == "1",
            webhook_ca_file=_ca_file(env.get("AVAL_WEBHOOK_CA_FILE") or ""),
            api_rate_limit=env.get("AVAL_API_RATE_LIMIT") or "300/minute",
            api_rate_limit_per_address=env.get("AVAL_API_RATE_LIMIT_PER_ADDRESS") or "600/minute",
            trusted_proxies=_trusted_proxies(env.get("AVAL_TRUSTED_PROXIES") or ""),
            timezone=timezone,
        )

    def prepare_data_dir(self) -> list[Path]:
        """Makes the data dir owner-only (0700) when Aval creates it, and lists what in it
        other users of the machine may read: the database holds every password hash and
        ticket, the secrets sign the sessions, NiceGUI's files say who is signed in."""
        if not self.data_dir.exists():
            self.data_dir.mkdir(parents=True, mode=0o700)
            self.data_dir.chmod(0o700)  # mkdir's mode passes through the umask
        exposed = [self.data_dir] if self.data_dir.stat().st_mode & 0o077 else []
        for path in sorted(self.data_dir.rglob("*")):
            if path.is_file() and not path.is_symlink() and path.stat().st_mode & 0o077:
                exposed.append(path)
        return exposed

    def secret(self, name: str) -> str:
        """A random secret made once into the data dir and kept there (never in the code);
        the storage secret may come from AVAL_STORAGE_SECRET instead."""
        if name == "storage" and self.storage_secret:
            return self.storage_secret
        path = self.data_dir / f"{name}.secret"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()
