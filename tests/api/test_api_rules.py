"""Spec §4 and §5 through the API, over HTTP against the running app: every cell of the
table of who may do what, each refusal answered with the UI's message as a JSON error and
changing nothing; 409 for a second decision and a second request; and tokens that no
longer act (expired, revoked, of a deactivated person) answered 401."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from typing import Any

import pytest
from api_support import ANA, BRUNO, CARLA, FABIO, JOAO, MARCIA, Api

from domain import clock, tokens

OTHER_MANAGER = "gerente.de.outra@example.test"
GONE_MANAGER = "gerente.desligada@example.test"


@pytest.fixture(scope="module")
def scene(api: Api) -> Api:
    from domain import admin

    admin_actor = api.actor(ANA)
    api.run(admin.create_organization, admin_actor, "Outra Ltda", None)
    assert api.new_customer("Gerente de Outra", "Outra Ltda", manager=True) == OTHER_MANAGER
    assert api.new_customer("Gerente Desligada", "Filial Norte", manager=True) == GONE_MANAGER
    api.token(GONE_MANAGER)  # made while active; the person is deactivated below
    api.set_active(GONE_MANAGER, False)
    return api


def snapshot(api: Api, number: int) -> tuple[Any, ...]:
    """What a refusal must leave as it was: the ticket's requests and history, as the
    admin reads them through the API."""
    with api.client(ANA) as http:
        ticket = http.get(f"/tickets/{number}").json()
    return tuple((r["id"], r["state"]) for r in ticket["requests"]), len(ticket["history"])


def ask(api: Api, number: int, who: str = BRUNO, note: str = "via API") -> int:
    with api.client(who) as http:
        answer = http.post(f"/tickets/{number}/requests", json={"action_id": api.action_id(), "note": note})
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["state"] == "awaiting_approval" and body["note"] == note and body["ticket_number"] == number
    return int(body["id"])


def refused(api: Api, number: int, who: str | None, method: str, path: str, status: int, **kwargs: Any) -> str:
    before = snapshot(api, number)
    with api.client(who) as http:
        answer = http.request(method, path, **kwargs)
    assert answer.status_code == status, (who, path, answer.text)
    body = answer.json()
    assert set(body) == {"error", "message"} and body["message"], body
    assert snapshot(api, number) == before, f"{who} {path} changed something"
    return str(body["message"])


# --- request -----------------------------------------------------------------------------


@pytest.mark.parametrize("agent", [BRUNO, CARLA, ANA], ids=["assigned", "other-agent", "admin"])
def test_every_agent_may_request_an_action(scene: Api, agent: str) -> None:
    number = scene.new_ticket()
    request_id = ask(scene, number, agent)
    with scene.client(BRUNO) as http:
        ticket = http.get(f"/tickets/{number}").json()
    assert [(r["id"], r["state"]) for r in ticket["requests"]] == [(request_id, "awaiting_approval")]
    assert ticket["history"][-1]["kind"] == "action_requested"
    assert ticket["can_request_action"] is False


@pytest.mark.parametrize("agent", [BRUNO, CARLA, ANA], ids=["assigned", "other-agent", "admin"])
def test_every_agent_sees_the_request_in_the_ticket_history(scene: Api, agent: str) -> None:
    number = scene.new_ticket()
    request_id = ask(scene, number, BRUNO, note="Conferir fatura")
    with scene.client(agent) as http:
        answer = http.get(f"/tickets/{number}/history")
    assert answer.status_code == 200 and "app;dur=" in answer.headers["Server-Timing"]
    entry = answer.json()[-1]
    assert (entry["kind"], entry["request_id"], entry["body"]) == ("action_requested", request_id, "Conferir fatura")


@pytest.mark.parametrize(
    ("who", "status"),
    [(FABIO, 403), (MARCIA, 403), (OTHER_MANAGER, 403), (JOAO, 403), (GONE_MANAGER, 401), (None, 401)],
    ids=["manager", "parent-manager", "other-org-manager", "customer", "deactivated-manager", "anonymous"],
)
def test_nobody_else_may_request(scene: Api, who: str | None, status: int) -> None:
    number = scene.new_ticket()
    action_id = scene.action_id()
    refused(scene, number, who, "POST", f"/tickets/{number}/requests", status, json={"action_id": action_id})


def test_a_second_request_on_the_same_ticket_is_a_conflict(scene: Api) -> None:
    number = scene.new_ticket()
    ask(scene, number)
    message = refused(
        scene, number, CARLA, "POST", f"/tickets/{number}/requests", 409, json={"action_id": scene.action_id()}
    )
    assert message == "This ticket already has an action awaiting approval."


def test_a_ticket_that_is_not_eligible_is_refused_with_the_reason(scene: Api) -> None:
    from api_support import LIVIA

    number = scene.new_ticket(customer=LIVIA)
    message = refused(
        scene, number, BRUNO, "POST", f"/tickets/{number}/requests", 403, json={"action_id": scene.action_id()}
    )
    assert message == "The ticket's customer belongs to no organization."


def test_bad_input_is_a_422_in_the_callers_language_and_changes_nothing(scene: Api) -> None:
    number = scene.new_ticket()
    assert refused(scene, number, BRUNO, "POST", f"/tickets/{number}/requests", 422, json={"note": "x"})
    inactive = next(a for a in scene.run(_catalog, scene) if not a.active).id
    english = refused(scene, number, BRUNO, "POST", f"/tickets/{number}/requests", 422, json={"action_id": inactive})
    assert english == "Choose an active action from the catalog."
    before = snapshot(scene, number)
    with scene.client(BRUNO, language="pt-BR,pt;q=0.9") as http:
        answer = http.post(f"/tickets/{number}/requests", json={"action_id": inactive})
    assert answer.status_code == 422 and answer.json()["message"] == "Escolha uma ação ativa do catálogo."
    assert snapshot(scene, number) == before


def _catalog(uow: Any, api: Api) -> list[Any]:
    with uow:
        return uow.catalog.list()


# --- approve / reject --------------------------------------------------------------------


@pytest.mark.parametrize("manager", [FABIO, MARCIA], ids=["manager", "parent-manager"])
def test_managers_in_scope_see_and_approve(scene: Api, manager: str) -> None:
    number = scene.new_ticket()
    request_id = ask(scene, number)
    with scene.client(manager) as http:
        pending = http.get("/approvals", params={"per_page": 100}).json()
        assert request_id in [r["id"] for r in pending["items"]]
        one = http.get(f"/approvals/{request_id}")
        assert one.status_code == 200 and one.json()["ticket_number"] == number
        answer = http.post(f"/requests/{request_id}/approve")
    assert answer.status_code == 200 and answer.json() == {"request_id": request_id, "state": "approved"}
    requests, _history = snapshot(scene, number)
    assert requests == ((request_id, "approved"),)


def test_a_manager_rejects_with_a_reason_the_agents_read(scene: Api) -> None:
    number = scene.new_ticket()
    request_id = ask(scene, number)
    with scene.client(FABIO) as http:
        answer = http.post(f"/requests/{request_id}/reject", json={"reason": "Fora do contrato"})
    assert answer.status_code == 200 and answer.json()["state"] == "rejected"
    with scene.client(BRUNO) as http:
        ticket = http.get(f"/tickets/{number}").json()
    assert ticket["requests"][0]["reason"] == "Fora do contrato"
    assert ticket["history"][-1]["kind"] == "action_rejected" and ticket["history"][-1]["body"] == "Fora do contrato"


@pytest.mark.parametrize(
    ("who", "status"),
    [(BRUNO, 403), (ANA, 403), (OTHER_MANAGER, 404), (JOAO, 404), (GONE_MANAGER, 401), (None, 401)],
    ids=["agent", "admin", "other-org-manager", "customer", "deactivated-manager", "anonymous"],
)
@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_nobody_else_may_evaluate(scene: Api, who: str | None, status: int, decision: str) -> None:
    number = scene.new_ticket()
    request_id = ask(scene, number)
    refused(scene, number, who, "POST", f"/requests/{request_id}/{decision}", status)


@pytest.mark.parametrize("who", [OTHER_MANAGER, JOAO], ids=["other-org-manager", "customer"])
def test_people_out_of_scope_see_nothing(scene: Api, who: str) -> None:
    number = scene.new_ticket()
    request_id = ask(scene, number)
    with scene.client(who) as http:
        assert request_id not in [r["id"] for r in http.get("/approvals").json()["items"]]
        assert http.get(f"/approvals/{request_id}").status_code == 404
        ticket = http.get(f"/tickets/{number}")
        # Joao sees his own ticket as the portal shows it: without any action request.
        if ticket.status_code == 200:
            assert ticket.json()["requests"] is None
            assert all(not h["kind"].startswith("action_") for h in ticket.json()["history"])
        else:
            assert ticket.status_code == 404


def test_a_second_decision_is_a_conflict_that_says_who_won(scene: Api) -> None:
    number = scene.new_ticket()
    request_id = ask(scene, number)
    with scene.client(FABIO) as http:
        assert http.post(f"/requests/{request_id}/approve").status_code == 200
    message = refused(scene, number, MARCIA, "POST", f"/requests/{request_id}/reject", 409)
    assert message.startswith("This action was already approved by Fábio")
    assert re.search(r" at \d{1,2}/\d{1,2}/\d{2}, \d{1,2}:\d{2}\s?[AP]M", message), message  # local time, in English
    refused(scene, number, FABIO, "POST", f"/requests/{request_id}/approve", 409)
    refused(scene, number, BRUNO, "POST", f"/requests/{request_id}/cancel", 409)


# --- cancel ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("requester", "canceller"),
    [(CARLA, BRUNO), (CARLA, CARLA), (BRUNO, ANA), (BRUNO, FABIO), (BRUNO, MARCIA)],
    ids=["assigned-agent", "requesting-agent", "admin", "manager", "parent-manager"],
)
def test_who_may_cancel(scene: Api, requester: str, canceller: str) -> None:
    number = scene.new_ticket()
    request_id = ask(scene, number, requester)
    with scene.client(canceller) as http:
        answer = http.post(f"/requests/{request_id}/cancel")
    assert answer.status_code == 200 and answer.json()["state"] == "cancelled"
    assert snapshot(scene, number)[0] == ((request_id, "cancelled"),)


@pytest.mark.parametrize(
    ("who", "status"),
    [(CARLA, 403), (OTHER_MANAGER, 404), (JOAO, 404), (GONE_MANAGER, 401), (None, 401)],
    ids=["other-agent", "other-org-manager", "customer", "deactivated-manager", "anonymous"],
)
def test_nobody_else_may_cancel(scene: Api, who: str | None, status: int) -> None:
    number = scene.new_ticket()
    request_id = ask(scene, number, BRUNO)
    refused(scene, number, who, "POST", f"/requests/{request_id}/cancel", status)


# --- tokens ------------------------------------------------------------------------------


def test_an_expired_token_is_401(scene: Api) -> None:
    secret = scene.token(FABIO, expires_at=clock.now() + timedelta(seconds=1), name="short")
    with scene.client(secret) as http:
        assert http.get("/me").status_code == 200
        time.sleep(1.5)
        answer = http.get("/me")
    assert answer.status_code == 401 and answer.headers["WWW-Authenticate"] == "Bearer"
    assert answer.json()["message"] == "The access token is invalid, expired or revoked."


def test_a_revoked_token_is_401(scene: Api) -> None:
    secret = scene.token(BRUNO, name="to revoke")
    token_id = next(t.id for t in scene.run(tokens.my_tokens, scene.actor(BRUNO)) if t.name == "to revoke")
    with scene.client(secret) as http:
        assert http.get("/tickets").status_code == 200
        scene.run(tokens.revoke_token, scene.actor(BRUNO), token_id)
        assert http.get("/tickets").status_code == 401


def test_a_token_of_a_person_deactivated_after_it_was_made_is_401(scene: Api) -> None:
    email = scene.new_customer("Gerente Temporaria", "Matriz Ltda", manager=True)
    secret = scene.token(email)
    number = scene.new_ticket()
    request_id = ask(scene, number)
    with scene.client(secret) as http:
        assert http.get(f"/approvals/{request_id}").status_code == 200
        scene.set_active(email, False)
    refused(scene, number, secret, "POST", f"/requests/{request_id}/approve", 401)


def test_a_malformed_authorization_is_401_in_portuguese_by_default(scene: Api) -> None:
    with scene.client(None, language="") as http:
        answer = http.get("/me", headers={"Authorization": "Bearer not-a-token"})
    assert answer.status_code == 401
    assert answer.json()["message"] == "O token de acesso é inválido, expirou ou foi revogado."



@pytest.mark.parametrize(
    ("decision", "kind", "text"),
    [
        ("approve", "action_approved", "aprovou a ação “Reembolso” pela API"),
        ("reject", "action_rejected", "reprovou a ação “Reembolso” pela API"),
    ],
)
def test_the_history_says_a_decision_came_through_the_api(scene: Api, decision: str, kind: str, text: str) -> None:
    from domain import tickets
    from ui.labels import history_text

    number = scene.new_ticket()
    request_id = ask(scene, number)
    with scene.client(FABIO) as http:
        assert http.post(f"/requests/{request_id}/{decision}").status_code == 200
    with scene.client(BRUNO) as http:
        last = http.get(f"/tickets/{number}").json()["history"][-1]
    assert last["kind"] == kind and last["via"] == "api"
    [entry] = [h for h in scene.run(tickets.ticket_view, scene.actor(BRUNO), number).history if h.kind == kind]
    assert history_text(entry) == text  # what the agent's ticket page shows, in pt-BR


# --- §13: a stand-in, before, during and after the period --------------------------------


def stand_in_for_fabio(api: Api, name: str, starts: timedelta, ends: timedelta, *, end_now: bool = False) -> str:
    """A new customer of Filial Norte named Fábio's stand-in for a period around now."""
    from domain import standins

    email = api.new_customer(name, "Filial Norte", manager=False)
    now = clock.now()
    absence_id = api.run(standins.add_absence, api.actor(FABIO), api.actor(email).id, now + starts, now + ends)
    if end_now:
        api.run(standins.end_absence, api.actor(FABIO), absence_id)
    return email


def test_a_stand_in_during_the_period_sees_and_decides_for_the_absent_manager(scene: Api) -> None:
    standin = stand_in_for_fabio(scene, "Substituto Durante", -timedelta(hours=1), timedelta(hours=1))
    number = scene.new_ticket()
    request_id = ask(scene, number)
    with scene.client(standin) as http:
        assert request_id in [r["id"] for r in http.get("/approvals", params={"per_page": 100}).json()["items"]]
        answer = http.post(f"/requests/{request_id}/approve")
    assert answer.status_code == 200 and answer.json()["state"] == "approved"
    with scene.client(ANA) as http:
        decided = http.get(f"/tickets/{number}").json()["history"][-1]
    assert (decided["actor_name"], decided["on_behalf_of_name"]) == ("Substituto Durante", "Fábio Gerente")


@pytest.mark.parametrize("period", ["before", "after"])
@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_a_stand_in_outside_the_period_may_not_evaluate(scene: Api, period: str, decision: str) -> None:
    hours = timedelta(hours=1)
    if period == "before":
        standin = stand_in_for_fabio(scene, f"Substituto Antes {decision}", 2 * hours, 3 * hours)
    else:
        standin = stand_in_for_fabio(scene, f"Substituto Depois {decision}", -hours, hours, end_now=True)
    number = scene.new_ticket()
    request_id = ask(scene, number)
    refused(scene, number, standin, "POST", f"/requests/{request_id}/{decision}", 404)
    with scene.client(standin) as http:
        assert http.get("/approvals").json()["items"] == []
