"""The API tests' harness: Aval as its own process (the security tests' `app_process`),
the use cases run from the test process on the same database to set the scene (tokens,
people, tickets), and HTTP clients holding one person's token each."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "security"))

from security_process import AppProcess, app_process, direct_services, sqlite_url

from domain import admin, tickets, tokens
from domain.access import Actor
from domain.admin import CustomerFields, PasswordHasher
from domain.service import Services

__all__ = ["Api", "AppProcess", "app_process", "sqlite_url"]
P = ParamSpec("P")
R = TypeVar("R")

ANA = "ana.admin@demo.test"
BRUNO = "bruno.agente@demo.test"
CARLA = "carla.agente@demo.test"
MARCIA = "marcia.gerente@demo.test"
FABIO = "fabio.gerente@demo.test"
JOAO = "joao.cliente@demo.test"
LIVIA = "livia.avulsa@demo.test"
AGENTS = {ANA, BRUNO, CARLA}


class PlainHasher(PasswordHasher):
    """The people made here never sign in with a password."""

    def hash(self, password: str) -> str:
        return "plain$" + password

    def verify(self, password: str, password_hash: str) -> bool:
        return password_hash == "plain$" + password


@dataclass
class Api:
    app: AppProcess
    services: Services
    actors: dict[str, Actor] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict)

    @classmethod
    def on(cls, app: AppProcess) -> Api:
        return cls(app, direct_services(sqlite_url(app.data_dir)))

    def run(self, use_case: Callable[Concatenate[Any, P], R], *args: P.args, **kwargs: P.kwargs) -> R:
        return self.services.run(use_case, *args, **kwargs)

    def actor(self, email: str) -> Actor:
        if email not in self.actors:
            def find(uow: Any) -> Actor:
                with uow:
                    if email in AGENTS or email.startswith("agent."):
                        person = uow.agents.by_email(email)
                        return Actor.agent(person.id)
                    person = uow.customers.by_email(email)
                    return Actor.customer(person.id)

            self.actors[email] = self.run(find)
        return self.actors[email]

    def token(self, email: str, expires_at: datetime | None = None, name: str = "tests") -> str:
        """A fresh token of this person (the first one is kept for `client`)."""
        secret = self.run(tokens.create_token, self.actor(email), name, expires_at).secret
        self.secrets.setdefault(email, secret)
        return secret

    def client(self, who: str | None, language: str = "en") -> httpx.Client:
        """A client with the token of `who` (an e-mail, or a raw secret), or none."""
        headers = {"Accept-Language": language}
        if who is not None:
            secret = who if who.startswith("aval_pat_") or "@" not in who else (
                self.secrets.get(who) or self.token(who)
            )
            headers["Authorization"] = f"Bearer {secret}"
        return httpx.Client(base_url=self.app.base_url + "/api/v1", headers=headers, timeout=20)

    # --- the scene ------------------------------------------------------------------------

    def organization_id(self, name: str) -> int:
        return next(o.id for o in self.run(admin.list_organizations, self.actor(ANA)) if o.name == name)

    def new_customer(self, name: str, organization: str | None, *, manager: bool) -> str:
        email = name.lower().replace(" ", ".") + "@example.test"
        org_id = self.organization_id(organization) if organization else None
        fields = CustomerFields(name, email, org_id, manager, True, password="secret-123")
        self.run(admin.create_customer, self.actor(ANA), PlainHasher(), fields)
        return email

    def set_active(self, email: str, active: bool) -> None:
        actor = self.actor(email)

        def read(uow: Any) -> Any:
            with uow:
                return uow.customers.get(actor.id)

        c = self.run(read)
        fields = CustomerFields(c.name, c.email, c.organization_id, c.is_manager, active)
        self.run(admin.update_customer, self.actor(ANA), PlainHasher(), actor.id, fields)

    def new_ticket(self, customer: str = JOAO, assigned: str = BRUNO, subject: str = "API") -> int:
        return self.run(
            tickets.create_ticket, self.actor(BRUNO), subject, "Detalhes.", self.actor(customer).id,
            self.actor(assigned).id,
        )

    def action_id(self, name: str = "Reembolso") -> int:
        with self.client(BRUNO) as http:
            return next(a["id"] for a in http.get("/catalog").json() if a["name"] == name)
