"""The running app's edge as plain HTTP sees it (`python main.py`): every malformed or
out-of-range address answers the product's own "não encontrado" page with 404 (never a
500 naming a Python exception, never the framework's JSON); a protected page answers 303
to its login before any page is built; the pages carry a script policy their own scripts
satisfy, and HSTS behind https; and the data dir Aval creates is its own user's only."""

from __future__ import annotations

import re
import stat
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from security_process import AppProcess, Browser, app_process, chrome, eventually

ROOT = Path(__file__).resolve().parents[2]
ANA = "ana.admin@demo.test"
MARCIA = "marcia.gerente@demo.test"
NOT_FOUND = "Não encontrado"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def get(url: str, cookie: str | None = None) -> tuple[int, dict[str, str], str]:
    """One GET as a browser's first request sends it; redirects are not followed."""
    request = urllib.request.Request(url, headers={"Cookie": f"session={cookie}"} if cookie else {})
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=20) as answer:
            return answer.status, dict(answer.headers), answer.read().decode(errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode(errors="replace")


def session_cookie_after_login(app: AppProcess, kind: str, email: str, then: str) -> str:
    browser = Browser(chrome(), app.base_url)
    try:
        browser.login(kind, email, then)
        return str(browser.driver.get_cookie("session")["value"])
    finally:
        browser.quit()


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[AppProcess, dict[str, str]]]:
    with app_process(tmp_path_factory.mktemp("edge") / "data") as app:
        cookies = {
            "agent": session_cookie_after_login(app, "agent", ANA, "/agent"),
            "customer": session_cookie_after_login(app, "customer", MARCIA, "/portal"),
        }
        yield app, cookies


# --- addresses that lead nowhere ----------------------------------------------------------

# Every page address with a parameter, as a template; a test below keeps this list
# complete by reading the pages' own declarations.
ROUTES = {
    "/agent/tickets/{number}": "agent",
    "/portal/tickets/{number}": "customer",
    "/portal/approvals/{request_id}": "customer",
}
QUERY_ROUTES = {"/agent/tickets/1?request_id={value}": "agent"}
MALFORMED = [
    "abc",
    "99999999999999999999",
    "9223372036854775808",  # one past the largest BIGINT
    "18446744073709551616",
    "-1",
    "0",
    "+1",
    " 1",
    "1.5",
    "1e3",
    "0x10",
    "1_000",
    "١٢",  # Arabic-Indic digits: str.isdigit() says yes
    "²",
    "1%00",
    "%0A1",
    "'\"<>",
    "null",
    "NaN",
    "1" * 400,
]


def test_every_page_address_with_a_parameter_is_in_the_corpus() -> None:
    declared: set[str] = set()
    for path in (ROOT / "ui").rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        for literal in re.findall(r"@ui\.page\(([^)]*)\)", source):
            if "{" in literal:
                declared.add(literal)
    # The approvals path is built from a constant; the others are literals.
    assert declared == {'"/agent/tickets/{number}"', '"/portal/tickets/{number}"', 'APPROVALS_PATH + "/{request_id}"'}
    assert set(ROUTES) == {"/agent/tickets/{number}", "/portal/tickets/{number}", "/portal/approvals/{request_id}"}


def assert_product_not_found(status: int, headers: dict[str, str], body: str, url: str) -> None:
    assert status == 404, f"{url} answered {status}"
    assert headers.get("content-type", headers.get("Content-Type", "")).startswith("text/html"), url
    assert NOT_FOUND in body, f"{url} is not the product's page"
    for leak in ("Traceback", "OverflowError", "ValueError", '"detail"', "int_parsing", "Internal Server Error"):
        assert leak not in body, f"{url} shows {leak}"


def test_malformed_and_out_of_range_addresses_answer_the_products_404(running: tuple[AppProcess, dict]) -> None:
    app, cookies = running
    walked = 0
    for template, kind in {**ROUTES, **QUERY_ROUTES}.items():
        for value in MALFORMED:
            encoded = quote(value, safe="%")
            path = template.replace("{number}", encoded).replace("{request_id}", encoded).replace("{value}", encoded)
            status, headers, body = get(app.base_url + path, cookies[kind])
            assert_product_not_found(status, headers, body, path)
            walked += 1
    assert walked == len(MALFORMED) * 4


def test_an_unknown_address_answers_the_products_404(running: tuple[AppProcess, dict]) -> None:
    app, cookies = running
    agent, customer = cookies["agent"], cookies["customer"]
    addresses = (("/nothing-here", None), ("/agent/nothing-here", agent), ("/portal/x/y", customer))
    for path, cookie in addresses:
        assert_product_not_found(*get(app.base_url + path, cookie), path)


def test_a_well_formed_address_still_opens_its_page(running: tuple[AppProcess, dict]) -> None:
    app, cookies = running
    status, _headers, body = get(app.base_url + "/agent/tickets/1?request_id=1", cookies["agent"])
    assert status == 200 and "Cobrança em duplicidade" in body
    status, _headers, _body = get(app.base_url + "/healthz")
    assert status == 200


# --- protected pages, script policy, HSTS ----------------------------------------------------

PROTECTED = {
    "/agent": "/agent/login",
    "/agent/tickets/1": "/agent/login",
    "/agent/admin/settings": "/agent/login",
    "/agent/notifications": "/agent/login",
    "/portal": "/portal/login",
    "/portal/approvals": "/portal/login",
    "/portal/tickets/1": "/portal/login",
}


@pytest.mark.parametrize(("path", "login"), PROTECTED.items())
def test_an_anonymous_request_for_a_protected_page_is_sent_to_its_login(
    running: tuple[AppProcess, dict], path: str, login: str
) -> None:
    app, _cookies = running
    status, headers, body = get(app.base_url + path)
    assert status == 303, f"{path} answered {status}"
    assert headers["location"] == f"{login}?next={quote(path, safe='')}"
    assert body == ""  # no page shell, no client built


def test_the_query_comes_back_after_the_login(running: tuple[AppProcess, dict]) -> None:
    app, _cookies = running
    status, headers, _body = get(app.base_url + "/agent/tickets/2?request_id=3")
    assert status == 303
    assert headers["location"] == "/agent/login?next=" + quote("/agent/tickets/2?request_id=3", safe="")


def test_the_logins_and_static_files_stay_open(running: tuple[AppProcess, dict]) -> None:
    app, _cookies = running
    for path in ("/agent/login", "/portal/login", "/healthz", "/sw.js"):
        status, _headers, _body = get(app.base_url + path)
        assert status == 200, path
    _status, _headers, page = get(app.base_url + "/agent/login")
    static = re.search(r'src="(/_nicegui/[^"]+/static/nicegui\.js)"', page)
    assert static is not None
    assert get(app.base_url + static.group(1))[0] == 200


def script_policy(headers: dict[str, str]) -> str:
    policy = headers.get("content-security-policy") or headers.get("Content-Security-Policy") or ""
    return next((part.strip() for part in policy.split(";") if part.strip().startswith("script-src")), "")


def test_pages_name_their_scripts_in_the_policy(running: tuple[AppProcess, dict]) -> None:
    app, cookies = running
    pages = (("/agent/login", None), ("/agent/tickets/1", cookies["agent"]), ("/portal", cookies["customer"]))
    for path, cookie in pages:
        _status, headers, _body = get(app.base_url + path, cookie)
        policy = script_policy(headers)
        assert policy.startswith("script-src 'self'"), f"{path}: {policy!r}"
        assert "'unsafe-inline'" not in policy and "*" not in policy and "http:" not in policy, policy
        assert "'sha256-" in policy, f"{path}: the page's inline scripts are not named"


def test_the_pages_own_scripts_run_under_the_policy_and_nothing_is_refused(running: tuple[AppProcess, dict]) -> None:
    app, _cookies = running
    browser = Browser(chrome(), app.base_url)
    watch = (
        "window.__refused = [];"
        "document.addEventListener('securitypolicyviolation',"
        " e => window.__refused.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    browser.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": watch})
    try:
        browser.login("agent", ANA, "/agent/tickets/1")
        eventually(lambda: "Cobrança em duplicidade" in browser.text(), "the ticket drawn by the page's scripts")
        browser.open("/agent/admin/settings")
        assert browser.js("return window.__refused") == []
        # And an inline handler slipped into the page would be refused.
        browser.js("document.body.insertAdjacentHTML('beforeend', '<img src=x onerror=\"window.__ran=1\">')")
        eventually(lambda: browser.js("return window.__refused.length") > 0, "the policy refusing an inline handler")
        assert browser.js("return window.__ran") is None
    finally:
        browser.quit()


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_hsts_only_when_served_on_https(tmp_path: Path, scheme: str) -> None:
    extra = {"AVAL_BASE_URL": "https://aval.example"} if scheme == "https" else {}
    with app_process(tmp_path / "data", **extra) as app:
        for path in ("/agent/login", "/healthz"):
            _status, headers, _body = get(app.base_url + path)
            hsts = headers.get("strict-transport-security") or headers.get("Strict-Transport-Security")
            if scheme == "https":
                assert hsts is not None and "max-age=31536000" in hsts, path
            else:
                assert hsts is None, path


# --- the data dir -----------------------------------------------------------------------------


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_data_dir_aval_creates_is_its_users_only(tmp_path: Path) -> None:
    data_dir = tmp_path / "fresh" / "data"
    with app_process(data_dir) as app:
        session_cookie_after_login(app, "agent", ANA, "/agent")  # NiceGUI writes its session files
        files = [p for p in data_dir.rglob("*") if p.is_file()]
        names = {p.name for p in files}
        assert "aval.sqlite3" in names and "storage.secret" in names
        assert any(name.startswith("storage-user-") for name in names), names
        assert mode(data_dir) == 0o700
        for path in files:
            assert mode(path) & 0o077 == 0, f"{path.relative_to(data_dir)} is {oct(mode(path))}"
        for path in (p for p in data_dir.rglob("*") if p.is_dir()):
            assert mode(path) & 0o077 == 0, f"{path.relative_to(data_dir)} is {oct(mode(path))}"
        assert "may read" not in app.log()


def test_a_data_dir_others_may_read_is_warned_about_at_start(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir(mode=0o755)
    data_dir.chmod(0o755)
    (data_dir / "aval.sqlite3").touch()
    (data_dir / "aval.sqlite3").chmod(0o644)
    with app_process(data_dir) as app:
        log = app.log()
    assert "other users of this machine may read" in log
    assert str(data_dir / "aval.sqlite3") in log


@pytest.mark.parametrize("query", ["", "?code=forged&next=/agent", "?code=%C3%A9&next=/portal", "?code=" + "x" * 5000])
def test_finishing_a_sign_in_without_its_code_goes_back_to_the_login(
    running: tuple[AppProcess, dict], query: str
) -> None:
    app, _cookies = running
    status, headers, _body = get(app.base_url + "/auth/signed-in" + query)
    assert status == 303
    assert headers["location"] in {"/agent/login", "/portal/login"}
