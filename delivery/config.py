"""SMTP settings, read from the AVAL_SMTP_* environment variables (spec §10)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from email.utils import parseaddr

TLS_MODES = ("starttls", "tls", "none")
DEFAULT_MAIL_FROM = "Aval <aval@localhost>"

# When only the mode is given, the port the mode is normally served on avoids a
# confusing timeout against the wrong port (e.g. implicit TLS on 587).
_DEFAULT_PORTS = {"starttls": 587, "tls": 465, "none": 25}


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int = 587
    user: str | None = None
    # Kept out of repr so that logging a config never leaks the secret.
    password: str | None = field(default=None, repr=False)
    tls: str = "starttls"
    mail_from: str = DEFAULT_MAIL_FROM
    timeout: float = 15.0

    def __post_init__(self) -> None:
        if not self.host:
            raise ValueError("SMTP host must not be empty")
        if self.tls not in TLS_MODES:
            raise ValueError(f"SMTP tls mode must be one of {', '.join(TLS_MODES)}, got {self.tls!r}")
        if not 1 <= self.port <= 65535:
            raise ValueError(f"SMTP port must be between 1 and 65535, got {self.port}")
        if "@" not in parseaddr(self.mail_from)[1]:
            raise ValueError(f"mail_from must contain an email address, got {self.mail_from!r}")
        if self.timeout <= 0:
            raise ValueError(f"SMTP timeout must be positive, got {self.timeout}")

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> SmtpConfig | None:
        """Build the config, or None when AVAL_SMTP_HOST is unset (mail stays in the outbox)."""
        host = environ.get("AVAL_SMTP_HOST", "").strip()
        if not host:
            return None

        tls = environ.get("AVAL_SMTP_TLS", "").strip().lower() or "starttls"
        if tls not in TLS_MODES:
            raise ValueError(f"AVAL_SMTP_TLS must be one of {', '.join(TLS_MODES)}, got {environ['AVAL_SMTP_TLS']!r}")

        raw_port = environ.get("AVAL_SMTP_PORT", "").strip()
        if raw_port:
            try:
                port = int(raw_port)
            except ValueError:
                raise ValueError(f"AVAL_SMTP_PORT must be a number, got {raw_port!r}") from None
            if not 1 <= port <= 65535:
                raise ValueError(f"AVAL_SMTP_PORT must be between 1 and 65535, got {port}")
        else:
            port = _DEFAULT_PORTS[tls]

        mail_from = environ.get("AVAL_MAIL_FROM", "").strip() or DEFAULT_MAIL_FROM
        if "@" not in parseaddr(mail_from)[1]:
            raise ValueError(f"AVAL_MAIL_FROM must contain an email address, got {mail_from!r}")

        return cls(
            host=host,
            port=port,
            user=environ.get("AVAL_SMTP_USER") or None,
            password=environ.get("AVAL_SMTP_PASSWORD") or None,
            tls=tls,
            mail_from=mail_from,
        )
