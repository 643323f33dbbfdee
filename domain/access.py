"""Who is calling: the identity a page holds, turned into the person as stored now."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from . import policy
from .errors import Forbidden, NotAuthenticated
from .messages import N_
from .model import Agent, Customer
from .ports import UnitOfWork


@dataclass(frozen=True)
class Actor:
    kind: Literal["agent", "customer"]
    id: int

    @classmethod
    def agent(cls, agent_id: int) -> Actor:
        return cls("agent", agent_id)

    @classmethod
    def customer(cls, customer_id: int) -> Actor:
        return cls("customer", customer_id)


SIGNED_OUT = N_("Your session has ended. Please sign in again.")


def require_agent(uow: UnitOfWork, actor: Actor | None) -> Agent:
    if actor is None or actor.kind != "agent":
        raise NotAuthenticated(SIGNED_OUT)
    agent = uow.agents.get(actor.id)
    if agent is None or not agent.active:
        raise NotAuthenticated(SIGNED_OUT)
    return agent


def require_admin(uow: UnitOfWork, actor: Actor | None) -> Agent:
    agent = require_agent(uow, actor)
    if not policy.may_administer(agent):
        raise Forbidden(N_("Only the account manager may do this."))
    return agent


def require_customer(uow: UnitOfWork, actor: Actor | None) -> Customer:
    if actor is None or actor.kind != "customer":
        raise NotAuthenticated(SIGNED_OUT)
    customer = uow.customers.get(actor.id)
    if customer is None or not customer.active or customer.in_trash:
        raise NotAuthenticated(SIGNED_OUT)
    return customer
