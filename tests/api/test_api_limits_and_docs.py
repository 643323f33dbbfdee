"""The API's rate limits (429 with Retry-After, per token and per client address) and its
documentation: /api/openapi.json, and Swagger UI at /api/docs served from the app itself,
rendering in a real browser under a script-src 'self' policy."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from api_support import BRUNO, FABIO, Api, app_process
from security_process import chrome, eventually


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    data_dir = tmp_path_factory.mktemp("limited") / "data"
    with app_process(data_dir, AVAL_API_RATE_LIMIT="3/minute", AVAL_API_RATE_LIMIT_PER_ADDRESS="8/minute") as app:
        yield Api.on(app)


def test_a_token_past_its_limit_gets_429_with_retry_after_and_others_go_on(limited: Api) -> None:
    with limited.client(BRUNO, language="pt-BR") as http:
        assert [http.get("/me").status_code for _ in range(3)] == [200, 200, 200]
        answer = http.get("/me")
    assert answer.status_code == 429
    assert 1 <= int(answer.headers["Retry-After"]) <= 60
    assert answer.json()["error"] == "rate_limited"
    assert answer.json()["message"].startswith("Muitas requisições")
    with limited.client(FABIO) as http:  # another token: its own count
        assert http.get("/me").status_code == 200


def test_an_address_past_its_limit_gets_429_whatever_the_token(limited: Api) -> None:
    statuses = []
    for _ in range(10):
        with httpx.Client(base_url=limited.app.base_url) as http:
            statuses.append(http.get("/api/v1/me", headers={"Authorization": "Bearer aval_pat_guess"}).status_code)
    assert statuses[-1] == 429 and 401 in statuses


def test_the_openapi_description_and_the_docs_are_served_by_the_app(api: Api, tmp_path: Path) -> None:
    with httpx.Client(base_url=api.app.base_url) as http:
        schema = http.get("/api/openapi.json").json()
        assert schema["servers"] == [{"url": "/api"}]
        assert "/v1/requests/{request_id}/approve" in schema["paths"]
        docs = http.get("/api/docs")
        assert "script-src 'self'" in docs.headers["Content-Security-Policy"]
        assert "cdn" not in docs.text and "<script>" not in docs.text
    browser = chrome()
    try:
        browser.get(api.app.base_url + "/api/docs")
        titles = eventually(
            lambda: browser.execute_script(
                "return [...document.querySelectorAll('.opblock-summary-path')].map(e => e.innerText)"
            ),
            "Swagger UI to list the operations",
        )
        assert "/v1/requests/{request_id}/approve" in " ".join(titles).replace("\u200b", "")
        errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
        assert errors == [], errors
    finally:
        browser.quit()
