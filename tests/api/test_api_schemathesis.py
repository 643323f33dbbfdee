"""Schemathesis against the API's OpenAPI description, with an agent's and a manager's
token, over HTTP against the running app: whatever it generates, no answer is a 5xx and
every answer (status code, content type, body, headers) conforms to the description.

The description is built here from the same code at collection time (schemathesis
parametrizes tests then, before any app runs); a first test checks that it is exactly
what the running app serves at /api/openapi.json."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import schemathesis
from api_support import BRUNO, FABIO, Api
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.app import create_api
from api.rate_limit import ApiRateLimits

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


def published_description() -> dict[str, Any]:
    limits = ApiRateLimits.create("1/second", "1/second")
    return create_api(None, default_locale="pt_BR", rate_limits=limits).openapi()  # type: ignore[arg-type]


DESCRIPTION = published_description()
schema = schemathesis.openapi.from_dict(DESCRIPTION)


@pytest.fixture(scope="module")
def bearers(api: Api) -> dict[str, str]:
    return {who: f"Bearer {api.token(who)}" for who in (BRUNO, FABIO)}


def test_the_description_tested_is_the_one_served(api: Api) -> None:
    served = httpx.get(api.app.base_url + "/api/openapi.json").json()
    assert served.pop("servers") == [{"url": "/api"}]
    assert served == DESCRIPTION


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_keeps_its_published_contract(case: schemathesis.Case, api: Api, bearers: dict[str, str]) -> None:
    """Each generated call is made once as the agent and once as the manager."""
    for who in (BRUNO, FABIO):
        case.call_and_validate(
            base_url=api.app.base_url + "/api",
            headers={"Authorization": bearers[who]},
            checks=CHECKS,
            timeout=30,
        )
