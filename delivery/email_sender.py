"""Blocking SMTP sender; the caller runs ``send`` in a worker thread."""

from __future__ import annotations

import smtplib
import socket
import ssl
from dataclasses import dataclass
from email.message import EmailMessage as MimeMessage
from email.utils import formatdate, make_msgid, parseaddr

from delivery.config import SmtpConfig
from delivery.errors import DeliveryError
from domain.outbox import DeliveryFailure


@dataclass(frozen=True)
class EmailMessage:
    to: str
    subject: str
    text: str
    html: str | None
    # The same for every attempt at one outbox message: a copy sent again after a crash
    # (sent, but not yet marked sent) is recognisable as the same message.
    message_id: str | None = None


class SmtpEmailSender:
    def __init__(self, config: SmtpConfig) -> None:
        self._config = config
        self._envelope_from = parseaddr(config.mail_from)[1]
        # make_msgid() would otherwise call socket.getfqdn(), which can stall on hosts
        # with broken reverse DNS; our own sending domain is also the honest choice.
        self._msgid_domain = self._envelope_from.rpartition("@")[2] or "localhost"

    def send(self, message: EmailMessage) -> None:
        """Deliver one message or raise DeliveryError saying whether a retry can help."""
        mime = self._build(message)
        recipient = parseaddr(message.to)[1] or message.to
        try:
            smtp = self._connect()
            try:
                if self._config.user is not None:
                    smtp.login(self._config.user, self._config.password or "")
                smtp.send_message(mime, from_addr=self._envelope_from, to_addrs=[recipient])
            finally:
                _quit_quietly(smtp)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            detail = "; ".join(f"{rcpt}: {code} {_text(msg)}" for rcpt, (code, msg) in exc.recipients.items())
            raise DeliveryError(
                f"recipient refused: {detail}", permanent=_all_5xx(codes), kind=DeliveryFailure.RECIPIENT_REFUSED
            ) from exc
        except smtplib.SMTPDataError as exc:
            # A 5xx after DATA is a verdict on this very message (size, content policy).
            raise DeliveryError(
                f"message refused: {exc.smtp_code} {_text(exc.smtp_error)}",
                permanent=_all_5xx([exc.smtp_code]),
                kind=DeliveryFailure.MESSAGE_REFUSED,
            ) from exc
        except smtplib.SMTPResponseException as exc:
            # Sender refused, AUTH failed, HELO rejected...: our configuration or the server
            # is at fault, not the message, so it must survive until that is fixed.
            auth = isinstance(exc, smtplib.SMTPAuthenticationError)
            raise DeliveryError(
                f"SMTP server refused: {exc.smtp_code} {_text(exc.smtp_error)}",
                permanent=False,
                kind=DeliveryFailure.AUTH_FAILED if auth else DeliveryFailure.SERVER_REFUSED,
            ) from exc
        except (smtplib.SMTPException, OSError) as exc:
            # OSError covers refused connections, timeouts, DNS and TLS failures.
            raise DeliveryError(
                f"cannot talk to SMTP server {self._config.host}:{self._config.port}: {exc!r}",
                permanent=False,
                kind=_connection_failure(exc),
            ) from exc

    def _connect(self) -> smtplib.SMTP:
        cfg = self._config
        # An explicit default context: smtplib's own fallback does not verify certificates.
        if cfg.tls == "tls":
            return smtplib.SMTP_SSL(cfg.host, cfg.port, timeout=cfg.timeout, context=ssl.create_default_context())
        smtp = smtplib.SMTP(cfg.host, cfg.port, timeout=cfg.timeout)
        if cfg.tls == "starttls":
            try:
                # Raises SMTPNotSupportedError rather than silently sending in clear text.
                smtp.starttls(context=ssl.create_default_context())
            except BaseException:
                smtp.close()
                raise
        return smtp

    def _build(self, message: EmailMessage) -> MimeMessage:
        mime = MimeMessage()
        mime["From"] = self._config.mail_from
        mime["To"] = message.to
        # Subjects come from user-typed ticket titles; a stray newline would make the
        # header invalid and the message undeliverable forever.
        mime["Subject"] = " ".join(message.subject.split())
        mime["Date"] = formatdate(localtime=True)
        if message.message_id:
            mime["Message-ID"] = f"<{message.message_id}@{self._msgid_domain}>"
        else:
            mime["Message-ID"] = make_msgid(domain=self._msgid_domain)
        mime.set_content(message.text)
        if message.html is not None:
            mime.add_alternative(message.html, subtype="html")
        return mime


def _quit_quietly(smtp: smtplib.SMTP) -> None:
    # Once the message is accepted, a failed QUIT must not turn into an error: the
    # caller would retry and the recipient would get the email twice.
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()


def _connection_failure(exc: BaseException) -> DeliveryFailure:
    # smtplib wraps a socket's error (a timeout while waiting for the greeting, say) in
    # SMTPServerDisconnected: what happened is in the chain.
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLError | ssl.CertificateError | smtplib.SMTPNotSupportedError):
            return DeliveryFailure.TLS  # no STARTTLS offered, a bad certificate, a TLS handshake
        if isinstance(seen, ConnectionRefusedError):
            return DeliveryFailure.CONNECTION_REFUSED
        if isinstance(seen, TimeoutError):
            return DeliveryFailure.TIMEOUT
        if isinstance(seen, socket.gaierror):
            return DeliveryFailure.HOST_NOT_FOUND
        seen = seen.__cause__ or seen.__context__
    return DeliveryFailure.UNREACHABLE


def _all_5xx(codes: list[int]) -> bool:
    return bool(codes) and all(500 <= code < 600 for code in codes)


def _text(raw: bytes | str) -> str:
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
