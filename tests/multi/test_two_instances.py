"""Two Aval processes behind one (imagined) proxy, on one PostgreSQL database and one Redis,
sharing nothing on disk: a session opened on instance B is valid on A; an agent working on
instance A requests an action and the manager whose page is open on instance B sees the
"Aprovar Ações (N)" badge rise live; and with both outbox workers running every manager mail
reaches the SMTP server exactly once.

Two more requests are committed by this test process through a unit of work wired to the
PostgreSQL relay exactly as the instances are (a third sender; more mail for the workers)."""

from __future__ import annotations

import email
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.message import Message
from email.utils import parseaddr
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from multi_services import unavailable
from selenium import webdriver
from selenium.common.exceptions import TimeoutException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from domain import approvals
from domain.access import Actor
from domain.model import Channel
from domain.ports import UnitOfWork
from domain.service import Services
from persistence.database import make_engine, make_session_factory
from persistence.event_relay import PostgresEventRelay
from persistence.tables import start_mappers
from persistence.uow import SqlUnitOfWork

pytestmark = [pytest.mark.postgres, pytest.mark.e2e]

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
PASSWORD = "demo1234"
TICKET_1 = (By.XPATH, "//*[normalize-space()='#1']")  # in the manager's ticket list


ThirdSender = tuple[Services, Callable[[int], int]]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class MailSink:
    """An SMTP server that keeps every message it is given."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"

    def keys(self) -> Counter[tuple[str, str]]:
        return Counter((parseaddr(str(message["To"]))[1], str(message["Subject"])) for message in self.messages)


@pytest.fixture
def smtp_sink() -> Iterator[tuple[MailSink, int]]:
    sink = MailSink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield sink, port
    finally:
        controller.stop()


@dataclass
class AppProcess:
    name: str
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""


def _wait_healthy(instances: list[AppProcess], timeout: float = 45.0) -> None:
    deadline = time.monotonic() + timeout
    waiting = list(instances)
    while waiting:
        for instance in list(waiting):
            if instance.process.poll() is not None:
                pytest.fail(f"instance {instance.name} exited early:\n{instance.log_tail()}", pytrace=False)
            try:
                with urllib.request.urlopen(f"{instance.url}/healthz", timeout=2) as response:
                    if response.status == 200 and b"postgresql" in response.read():
                        waiting.remove(instance)
            except OSError:
                pass
        if time.monotonic() > deadline:
            logs = "\n".join(f"--- {i.name}:\n{i.log_tail()}" for i in waiting)
            pytest.fail(f"instances not healthy within {timeout:.0f} s:\n{logs}", pytrace=False)
        time.sleep(0.3)


@pytest.fixture
def two_instances(
    postgres_url: str, redis_store: tuple[str, str], smtp_sink: tuple[MailSink, int], tmp_path: Path
) -> Iterator[tuple[AppProcess, AppProcess]]:
    redis_url, prefix = redis_store
    _sink, smtp_port = smtp_sink
    shared = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("AVAL_", "NICEGUI_", "PYTEST"))},
        "AVAL_DATABASE_URL": postgres_url,
        "AVAL_DEMO": "1",
        "AVAL_LOCALE": "pt_BR",
        "AVAL_STORAGE_SECRET": "two-instances-test-secret-shared-by-both",
        "AVAL_SMTP_HOST": "127.0.0.1",
        "AVAL_SMTP_PORT": str(smtp_port),
        "AVAL_SMTP_TLS": "none",
        "NICEGUI_REDIS_URL": redis_url,
        "NICEGUI_REDIS_KEY_PREFIX": prefix,
    }
    instances: list[AppProcess] = []
    for name in ("A", "B"):
        port = free_port()
        log = tmp_path / f"instance-{name}.log"
        # Nothing shared on disk, as on two machines: not the data dir, not NiceGUI's storage.
        env = {**shared, "AVAL_PORT": str(port), "AVAL_DATA_DIR": str(tmp_path / f"data-{name}"),
               "NICEGUI_STORAGE_PATH": str(tmp_path / f"nicegui-{name}"), "AVAL_BASE_URL": f"http://127.0.0.1:{port}"}
        with log.open("wb") as out:  # both start at once: migrations and the demo seed must happen once
            process = subprocess.Popen([sys.executable, "main.py"], cwd=ROOT, env=env, stdout=out,
                                       stderr=subprocess.STDOUT, start_new_session=True)
        instances.append(AppProcess(name, f"http://127.0.0.1:{port}", process, log))
    try:
        _wait_healthy(instances)
        yield instances[0], instances[1]
    finally:
        for instance in instances:
            if instance.process.poll() is None:
                os.killpg(instance.process.pid, signal.SIGTERM)
        for instance in instances:
            try:
                instance.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(instance.process.pid, signal.SIGKILL)
                instance.process.wait(5)


@pytest.fixture
def browser() -> Iterator[WebDriver]:
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        unavailable("Debian's chromium and chromium-driver are not installed")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1280,900", "--disable-background-networking", "--disable-component-update",
                     "--disable-sync", "--no-first-run", "--disable-default-apps"):
        options.add_argument(argument)
    try:
        driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    except WebDriverException as error:
        unavailable(f"chromium does not start: {error.msg}")
        raise
    try:
        yield driver
    finally:
        driver.quit()


def log_in(driver: WebDriver, base_url: str, area: str, email_address: str) -> None:
    """Through the login form of spec §10 (E-mail, Senha, Entrar) of `area` (agent or portal)."""
    driver.get(f"{base_url}/{area}/login")
    wait = WebDriverWait(driver, 20)
    wait.until(EC.visibility_of_element_located((By.XPATH, "//input[@aria-label='E-mail']"))).send_keys(email_address)
    driver.find_element(By.XPATH, "//input[@aria-label='Senha']").send_keys(PASSWORD)
    driver.find_element(By.XPATH, "//button[normalize-space()='Entrar']").click()
    wait.until(EC.url_to_be(f"{base_url}/{area}"))


def request_refund_in_the_agent_panel(driver: WebDriver, base_url: str, ticket_number: int) -> None:
    """Mais > Solicitar Ação on the ticket page, action Reembolso, sent."""
    wait = WebDriverWait(driver, 20)
    driver.get(f"{base_url}/agent/tickets/{ticket_number}")
    wait.until(EC.element_to_be_clickable((By.XPATH, "//button[.//span[normalize-space()='Mais']]"))).click()
    wait.until(EC.element_to_be_clickable(
        (By.XPATH, "//*[contains(@class,'q-item')][normalize-space()='Solicitar Ação']"))).click()
    dialog = "//div[contains(@class,'q-dialog')]"
    wait.until(EC.element_to_be_clickable((By.XPATH, f"{dialog}//input[@role='combobox']/.."))).click()
    wait.until(EC.element_to_be_clickable((By.XPATH, "//*[@role='option'][normalize-space()='Reembolso']"))).click()
    driver.find_element(By.XPATH, f"{dialog}//button[normalize-space()='Solicitar']").click()
    wait.until(EC.invisibility_of_element_located((By.XPATH, dialog)))


def badge(count: int) -> tuple[str, str]:
    return By.XPATH, f"//a[normalize-space()='Aprovar Ações ({count})']"


@pytest.fixture
def third_sender(two_instances: tuple[AppProcess, AppProcess], postgres_url: str) -> Iterator[ThirdSender]:
    """Services of a third process, whose commits notify the instances as theirs do."""
    start_mappers()
    engine = make_engine(postgres_url)
    session_factory = make_session_factory(engine)
    relay = PostgresEventRelay(postgres_url, lambda _events: None)  # sends only; it never listens
    services = Services(lambda: SqlUnitOfWork(session_factory, None, relay.notify))

    def ids(uow: UnitOfWork) -> tuple[int, int]:
        with uow:
            bruno = uow.agents.by_email("bruno.agente@demo.test")
            refund = next(action for action in uow.catalog.list() if action.name == "Reembolso")
            assert bruno is not None and bruno.id is not None and refund.id is not None
            return bruno.id, refund.id

    bruno_id, refund_id = services.run(ids)  # the instances seeded the demo: they are healthy

    def request(ticket_number: int) -> int:
        return services.run(approvals.request_action, Actor.agent(bruno_id), ticket_number, refund_id, "")

    yield services, request
    engine.dispose()


def _seeded(services: Services) -> tuple[int, int, int]:
    def count(uow: UnitOfWork) -> tuple[int, int, int]:
        with uow:
            return len(uow.agents.list()), len(uow.organizations.list()), len(uow.catalog.list())

    return services.run(count)


def _outbox_status(services: Services) -> Counter[str]:
    def read(uow: UnitOfWork) -> Counter[str]:
        with uow:
            return Counter(str(m.status) for m in uow.outbox.recent(limit=500) if m.channel == Channel.EMAIL)

    return services.run(read)


def test_a_manager_on_instance_b_sees_requests_live_and_each_mail_goes_once(
    two_instances: tuple[AppProcess, AppProcess],
    browser: WebDriver,
    smtp_sink: tuple[MailSink, int],
    third_sender: ThirdSender,
) -> None:
    a, b = two_instances
    sink, _port = smtp_sink
    started = time.monotonic()

    # The session made on B is valid on A too (Redis storage, one storage secret).
    log_in(browser, b.url, "portal", "marcia.gerente@demo.test")
    browser.get(f"{a.url}/portal")
    WebDriverWait(browser, 15).until(EC.any_of(EC.visibility_of_element_located(TICKET_1), EC.url_contains("/login")))
    assert browser.current_url == f"{a.url}/portal", "instance A sent the manager signed in on B back to the login"

    # The manager's page stays open on B; a marker shows it is never reloaded.
    browser.get(f"{b.url}/portal")
    WebDriverWait(browser, 15).until(EC.visibility_of_element_located(TICKET_1))
    assert not browser.find_elements(*badge(1))
    browser.execute_script("window.avalNotReloaded = true;")
    manager_window = browser.current_window_handle

    # Bruno, in another window of his own, works on instance A.
    browser.switch_to.new_window("window")
    log_in(browser, a.url, "agent", "bruno.agente@demo.test")
    request_refund_in_the_agent_panel(browser, a.url, 1)

    browser.switch_to.window(manager_window)
    try:
        WebDriverWait(browser, 15).until(EC.visibility_of_element_located(badge(1)))
    except TimeoutException:
        pytest.fail(f"the badge on B did not rise; A's log:\n{a.log_tail()}\nB's log:\n{b.log_tail()}",
                    pytrace=False)

    services, request = third_sender
    assert _seeded(services) == (3, 2, 4), "the two instances started together and seeded the demo twice"
    request(2)
    request(3)
    WebDriverWait(browser, 15).until(EC.visibility_of_element_located(badge(3)))
    assert browser.execute_script("return window.avalNotReloaded === true;"), "the page was reloaded"
    assert browser.current_url == f"{b.url}/portal"

    # Three requests on tickets of Filial Norte: its manager and Matriz's each get three
    # mails, sent by whichever worker claimed them — never by both.
    deadline = time.monotonic() + 20
    while len(sink.messages) < 6 and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(1.5)  # room for a duplicate to show up
    recipients = Counter(parseaddr(str(message["To"]))[1] for message in sink.messages)
    assert recipients == {"fabio.gerente@demo.test": 3, "marcia.gerente@demo.test": 3}, sink.keys()
    assert max(sink.keys().values()) == 1, f"a mail went twice: {sink.keys()}"
    assert _outbox_status(services) == {"sent": 6}, "every manager mail is marked sent, none pending or failed"
    assert a.process.poll() is None and b.process.poll() is None, "both instances (and workers) ran throughout"
    assert time.monotonic() - started < 60
