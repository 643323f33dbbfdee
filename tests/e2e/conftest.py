"""Fixtures of the end-to-end tests: per test module, one Aval process with its SMTP sink,
and one Chromium window per person, signed in once and reused by the module's steps."""

from __future__ import annotations

import re
from collections.abc import Generator, Iterator
from pathlib import Path

import pytest
from e2e_support import Aval, People, running_app, smtp_sink


@pytest.fixture(scope="module")
def aval(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Aval]:
    with smtp_sink() as (sink, smtp_port), running_app(tmp_path_factory.mktemp("aval") / "data", smtp_port) as app:
        yield Aval(app, sink)


@pytest.fixture(scope="module")
def people(aval: Aval) -> Iterator[People]:
    people = People(aval.base_url)
    yield people
    people.quit()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, object, object]:
    report = yield
    setattr(item, f"e2e_rep_{call.when}", report)
    return report


@pytest.fixture(autouse=True)
def evidence_on_failure(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """A failed step leaves a screenshot of every window and the app's log behind."""
    yield
    report = getattr(request.node, "e2e_rep_call", None)
    if report is None or not report.failed or "people" not in request.fixturenames:
        return
    people: People = request.getfixturevalue("people")
    aval: Aval = request.getfixturevalue("aval")
    folder = Path(tmp_path_factory.mktemp(re.sub(r"[^\w.-]+", "-", f"failed-{request.node.name}")[:60]))
    for address, browser in people.browsers.items():
        browser.screenshot(folder / f"{address}.png")
    (folder / "app.log").write_text(aval.app.log())
    print(f"e2e evidence of {request.node.name}: {folder}")
