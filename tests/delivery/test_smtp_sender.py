"""SmtpEmailSender against real aiosmtpd servers on loopback."""

from __future__ import annotations

import datetime
import email
import ipaddress
import socket
import ssl
from collections.abc import Iterator
from email.message import EmailMessage as MimeMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from delivery.config import SmtpConfig
from delivery.email_sender import EmailMessage, SmtpEmailSender
from delivery.errors import DeliveryError
from domain.outbox import DeliveryFailure

HOST = "127.0.0.1"
SUBJECT = "Ação aguardando aprovação: chamado #42"
MESSAGE = EmailMessage(
    to="Márcia Gerente <marcia.gerente@demo.test>",
    subject=SUBJECT,
    text="Olá Márcia,\nhá uma ação aguardando sua aprovação.\n",
    html="<p>Olá Márcia, há uma <b>ação</b> aguardando sua aprovação.</p>",
)


class RecordingHandler:
    """Accepts everything except the recipients it was told to refuse."""

    def __init__(self, refuse: dict[str, str] | None = None) -> None:
        self.refuse = refuse or {}
        self.received: list[Envelope] = []
        self.sessions: list[Session] = []

    async def handle_RCPT(
        self, server: Any, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Session, envelope: Envelope) -> str:
        self.received.append(envelope)
        self.sessions.append(session)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


@pytest.fixture
def run_server() -> Iterator[Any]:
    """Starts aiosmtpd controllers on free ports and stops them after the test."""
    started: list[Controller] = []

    def start(handler: RecordingHandler, **kwargs: Any) -> int:
        port = free_port()
        controller = Controller(handler, hostname=HOST, port=port, ready_timeout=5, **kwargs)
        controller.start()
        started.append(controller)
        return port

    yield start
    for controller in started:
        controller.stop()


@pytest.fixture
def tls_context(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ssl.SSLContext:
    """A server context with a self-signed cert for 127.0.0.1 that the client is made to trust.

    SSL_CERT_FILE is read by ssl.create_default_context(), so the sender keeps verifying
    certificates exactly as in production (and as an operator with a private CA would).
    """
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "aval test smtp")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(HOST))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    monkeypatch.setenv("SSL_CERT_FILE", str(cert_path))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_path, key_path)
    return context


def sender(port: int, **overrides: Any) -> SmtpEmailSender:
    settings: dict[str, Any] = {"host": HOST, "port": port, "tls": "none", "timeout": 5.0}
    settings.update(overrides)
    return SmtpEmailSender(SmtpConfig(**settings))


def parse(envelope: Envelope) -> MimeMessage:
    assert isinstance(envelope.content, bytes)
    message = email.message_from_bytes(envelope.content, policy=default_policy)
    assert isinstance(message, MimeMessage)
    return message


def test_delivers_text_and_html_with_headers(run_server: Any) -> None:
    handler = RecordingHandler()
    port = run_server(handler)

    sender(port, mail_from="Aval Help Desk <aval@demo.test>").send(MESSAGE)

    [envelope] = handler.received
    assert envelope.mail_from == "aval@demo.test"
    assert envelope.rcpt_tos == ["marcia.gerente@demo.test"]
    message = parse(envelope)
    assert message["From"] == "Aval Help Desk <aval@demo.test>"
    assert message["To"] == MESSAGE.to
    assert message["Subject"] == SUBJECT
    assert message["Message-ID"].endswith("@demo.test>")
    assert message["Date"]
    assert message.get_content_type() == "multipart/alternative"
    plain = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert plain is not None and html is not None
    # SMTP carries CRLF line ends; the text itself must arrive intact.
    assert plain.get_content().replace("\r\n", "\n") == MESSAGE.text
    assert html.get_content().strip() == MESSAGE.html


def test_text_only_message_and_subject_newlines(run_server: Any) -> None:
    handler = RecordingHandler()
    port = run_server(handler)

    sender(port).send(EmailMessage(to="bruno.agente@demo.test", subject="Aprovada\r\nBcc: x@y", text="ok", html=None))

    message = parse(handler.received[0])
    assert message.get_content_type() == "text/plain"
    assert message["Subject"] == "Aprovada Bcc: x@y"
    assert message["Bcc"] is None


# aiosmtpd warns that AUTH without TLS is unsafe: true, and beside the point here.
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_login_against_server_requiring_auth(run_server: Any) -> None:
    logins: list[tuple[str, bytes]] = []

    def authenticator(server: Any, session: Session, envelope: Envelope, mechanism: str, data: Any) -> AuthResult:
        assert isinstance(data, LoginPassword)
        logins.append((mechanism, data.login))
        # handled=False: aiosmtpd then answers 535 itself instead of leaving the client hanging.
        return AuthResult(success=data.login == b"aval" and data.password == b"s3cret", handled=False)

    handler = RecordingHandler()
    port = run_server(handler, authenticator=authenticator, auth_required=True, auth_require_tls=False)

    sender(port, user="aval", password="s3cret").send(MESSAGE)
    assert len(handler.received) == 1
    assert logins and logins[0][1] == b"aval"

    # Bad credentials are a configuration problem: keep the message for a retry.
    with pytest.raises(DeliveryError) as wrong:
        sender(port, user="aval", password="wrong").send(MESSAGE)
    assert not wrong.value.permanent
    assert wrong.value.kind == DeliveryFailure.AUTH_FAILED
    with pytest.raises(DeliveryError) as anonymous:
        sender(port).send(MESSAGE)
    assert not anonymous.value.permanent
    assert len(handler.received) == 1


def test_starttls_with_verified_certificate(run_server: Any, tls_context: ssl.SSLContext) -> None:
    handler = RecordingHandler()
    port = run_server(handler, tls_context=tls_context, require_starttls=True)

    sender(port, tls="starttls").send(MESSAGE)

    assert len(handler.received) == 1
    assert handler.sessions[0].ssl is not None


def test_implicit_tls(run_server: Any, tls_context: ssl.SSLContext) -> None:
    handler = RecordingHandler()
    port = run_server(handler, ssl_context=tls_context)

    sender(port, tls="tls").send(MESSAGE)

    assert len(handler.received) == 1


def test_untrusted_certificate_is_refused(
    run_server: Any, tls_context: ssl.SSLContext, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    handler = RecordingHandler()
    port = run_server(handler, tls_context=tls_context)
    empty_bundle = tmp_path / "no-cas.pem"
    empty_bundle.write_text("")
    monkeypatch.setenv("SSL_CERT_FILE", str(empty_bundle))
    monkeypatch.setenv("SSL_CERT_DIR", str(tmp_path))

    with pytest.raises(DeliveryError) as caught:
        sender(port, tls="starttls").send(MESSAGE)

    assert not caught.value.permanent
    assert "CERTIFICATE_VERIFY_FAILED" in str(caught.value)
    assert caught.value.kind == DeliveryFailure.TLS
    assert handler.received == []


def test_starttls_missing_on_server_never_falls_back_to_clear_text(run_server: Any) -> None:
    handler = RecordingHandler()
    port = run_server(handler)

    with pytest.raises(DeliveryError) as caught:
        sender(port, tls="starttls").send(MESSAGE)

    assert not caught.value.permanent
    assert "STARTTLS" in str(caught.value)
    assert caught.value.kind == DeliveryFailure.TLS
    assert handler.received == []


def test_connection_refused_is_temporary() -> None:
    with pytest.raises(DeliveryError) as caught:
        sender(free_port()).send(MESSAGE)
    assert not caught.value.permanent
    assert caught.value.kind == DeliveryFailure.CONNECTION_REFUSED


def test_silent_server_times_out_as_temporary() -> None:
    with socket.socket() as listener:
        listener.bind((HOST, 0))
        listener.listen()
        port = listener.getsockname()[1]  # accepts (backlog) but never greets

        with pytest.raises(DeliveryError) as caught:
            sender(port, timeout=0.3).send(MESSAGE)

    assert not caught.value.permanent
    assert caught.value.kind == DeliveryFailure.TIMEOUT


def test_unknown_recipient_is_permanent(run_server: Any) -> None:
    handler = RecordingHandler(refuse={"marcia.gerente@demo.test": "550 no such user"})
    port = run_server(handler)

    with pytest.raises(DeliveryError) as caught:
        sender(port).send(MESSAGE)

    assert caught.value.permanent
    assert "550" in str(caught.value)
    assert caught.value.kind == DeliveryFailure.RECIPIENT_REFUSED
    assert handler.received == []


def test_busy_mailbox_is_temporary(run_server: Any) -> None:
    handler = RecordingHandler(refuse={"marcia.gerente@demo.test": "450 mailbox busy, try later"})
    port = run_server(handler)

    with pytest.raises(DeliveryError) as caught:
        sender(port).send(MESSAGE)

    assert not caught.value.permanent
