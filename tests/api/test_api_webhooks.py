"""The whole path in the running app: an agent requests an action through the API, a
manager approves it through the API, and a receiver registered as a webhook gets
request.created then request.approved, each once, signed (standardwebhooks verifies)."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from api_support import ANA, BRUNO, FABIO, Api, app_process

from domain import webhooks

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "delivery"))

from standardwebhooks.webhooks import Webhook
from webhook_receiver import Receiver


@pytest.fixture(scope="module")
def insecure_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    data_dir = tmp_path_factory.mktemp("webhooks") / "data"
    with app_process(data_dir, AVAL_WEBHOOK_ALLOW_INSECURE="1") as app:
        yield Api.on(app)


def test_api_decisions_reach_a_webhook_once_each(insecure_api: Api) -> None:
    api = insecure_api
    receiver = Receiver()
    receiver.start()
    try:
        made = api.run(
            webhooks.create_endpoint, api.actor(ANA), receiver.url, ["request.created", "request.approved"],
            allow_insecure=True,
        )
        number = api.new_ticket()
        with api.client(BRUNO) as http:
            answer = http.post(f"/tickets/{number}/requests", json={"action_id": api.action_id()})
            assert answer.status_code == 201
            request_id = answer.json()["id"]
        with api.client(FABIO) as http:
            assert http.post(f"/requests/{request_id}/approve").status_code == 200
        deadline = time.monotonic() + 30
        while len(receiver.all()) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(1)  # a duplicate would arrive now
        bodies = [Webhook(made.secret).verify(r.body, r.headers) for r in receiver.all()]
        assert [(b["type"], b["data"]["request_id"]) for b in bodies] == [
            ("request.created", request_id),
            ("request.approved", request_id),
        ]
    finally:
        receiver.stop()
