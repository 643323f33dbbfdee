"""Webhooks to a real HTTPS receiver on 127.0.0.1 whose certificate the test makes
(`trustme`): a receiver whose CA the sender is given (AVAL_WEBHOOK_CA_FILE) gets each
delivery signed; one with an untrusted certificate, or a certificate for another name,
gets nothing, and the delivery log says why in the admin's words and tries again.

The receiver is on loopback, so the sender runs with `allow_insecure` to let that address
through; that setting never turns the certificate check off, which is what these tests
show. The URL names `hooks.example.test`, which only the test's resolver knows: the
connection goes to the address checked, and TLS still checks the certificate against the
name (SNI)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme
from outbox_support import ANA, BRUNO, Desk, open_desk, running, wait_until
from standardwebhooks.webhooks import Webhook
from webhook_receiver import Receiver, resolving, server_context

from config import Config
from delivery.errors import DeliveryError
from delivery.webhook_sender import WebhookSender
from domain import outbox, webhooks
from domain.model import Channel, OutboxMessage, OutboxStatus
from domain.outbox import DeliveryFailure

NAME = "hooks.example.test"


@pytest.fixture
def ca() -> trustme.CA:
    return trustme.CA(organization_name="Aval test CA")


@pytest.fixture
def ca_file(ca: trustme.CA, tmp_path: Path) -> Path:
    path = tmp_path / "receivers-ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return path


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    desk = open_desk(f"sqlite:///{tmp_path / 'webhooks-tls.sqlite3'}")
    yield desk
    desk.close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver(host_name=NAME)
    yield receiver
    receiver.stop()


def sender(ca_file: Path | None) -> WebhookSender:
    return WebhookSender(allow_insecure=True, resolver=resolving({NAME: ["127.0.0.1"]}), ca_file=ca_file,
                         timeout=2, connect_timeout=2)


def the_delivery(desk: Desk) -> OutboxMessage:
    [delivery] = [m for m in desk.outbox() if m.channel == Channel.WEBHOOK]
    return delivery


def test_a_receiver_with_a_certificate_of_the_given_ca_gets_the_delivery_signed(
    desk: Desk, receiver: Receiver, ca: trustme.CA, ca_file: Path
) -> None:
    receiver.tls = server_context(ca, NAME)
    receiver.start()
    made = desk.run(webhooks.create_endpoint, desk.agent(ANA), receiver.url, ["request.created"])
    assert made.endpoint.url.startswith("https://")  # accepted without the insecure setting
    request_id = desk.request(BRUNO, 1)
    with running(desk.worker(None, webhook_sender=sender(ca_file))):
        wait_until(lambda: the_delivery(desk).status == OutboxStatus.SENT, what="the delivery over TLS")
    [got] = receiver.all()
    body = Webhook(made.secret).verify(got.body, got.headers)
    assert (body["type"], body["data"]["request_id"]) == ("request.created", request_id)
    assert got.headers["host"] == f"{NAME}:{receiver.port}"
    assert receiver.server_names == [NAME]  # SNI carried the name, though the address was dialled
    assert the_delivery(desk).attempts == 1


def test_an_untrusted_certificate_fails_with_a_tls_note_and_is_retried_until_it_is_fixed(
    desk: Desk, receiver: Receiver, ca: trustme.CA, ca_file: Path
) -> None:
    receiver.tls = server_context(trustme.CA(organization_name="Nobody trusts this"), NAME)
    receiver.start()
    made = desk.run(webhooks.create_endpoint, desk.agent(ANA), receiver.url, ["request.created"])
    request_id = desk.request(BRUNO, 1)
    with running(desk.worker(None, webhook_sender=sender(ca_file))):
        wait_until(lambda: the_delivery(desk).attempts >= 2, what="two failed attempts")
        failing = the_delivery(desk)
        assert failing.status == OutboxStatus.PENDING  # retried, not given up
        kind, detail = outbox.read_note(failing.last_error)
        assert kind == DeliveryFailure.TLS and "CERTIFICATE_VERIFY_FAILED" in detail
        assert "Traceback" not in failing.last_error
        assert receiver.all() == []
        # The receiver installs a certificate of the CA the help desk trusts: the next retry goes through.
        receiver.stop()
        receiver.tls = server_context(ca, NAME)
        receiver.start()
        wait_until(lambda: the_delivery(desk).status == OutboxStatus.SENT, what="the retry after the fix")
    assert [Webhook(made.secret).verify(r.body, r.headers)["data"]["request_id"] for r in receiver.all()] == [
        request_id
    ]


def test_a_certificate_for_another_name_is_refused(receiver: Receiver, ca: trustme.CA, ca_file: Path) -> None:
    """The address is dialled, but the certificate must still be the name's."""
    receiver.tls = server_context(ca, "other.example.test", "127.0.0.1")
    receiver.start()
    with pytest.raises(DeliveryError) as failed:
        sender(ca_file).send(receiver.url, webhooks.new_secret(), "msg_1", "{}")
    assert failed.value.kind == DeliveryFailure.TLS and not failed.value.permanent
    assert "hostname" in failed.value.message.lower() or "mismatch" in failed.value.message.lower()
    assert receiver.all() == []


def test_without_the_ca_the_public_cas_alone_do_not_trust_a_test_certificate(
    receiver: Receiver, ca: trustme.CA
) -> None:
    receiver.tls = server_context(ca, NAME)
    receiver.start()
    with pytest.raises(DeliveryError) as failed:
        sender(None).send(receiver.url, webhooks.new_secret(), "msg_1", "{}")
    assert failed.value.kind == DeliveryFailure.TLS
    assert receiver.all() == []


def test_the_ca_file_setting_is_read_and_a_wrong_path_stops_the_start(tmp_path: Path, ca_file: Path) -> None:
    env = {"AVAL_DATA_DIR": str(tmp_path / "data")}
    assert Config.from_env(env).webhook_ca_file is None
    assert Config.from_env({**env, "AVAL_WEBHOOK_CA_FILE": str(ca_file)}).webhook_ca_file == ca_file
    with pytest.raises(ValueError, match="AVAL_WEBHOOK_CA_FILE"):
        Config.from_env({**env, "AVAL_WEBHOOK_CA_FILE": str(tmp_path / "missing.pem")})
