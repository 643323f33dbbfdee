"""Finding the demo's people and catalog actions by what a tester knows (e-mail, name).
Run them as use cases: `services.run(agent_id, uow_email)`, usually in a worker thread."""

from __future__ import annotations

from domain.ports import UnitOfWork


def agent_id(uow: UnitOfWork, email: str) -> int:
    with uow:
        agent = uow.agents.by_email(email)
        assert agent is not None and agent.id is not None
        return agent.id


def customer_id(uow: UnitOfWork, email: str) -> int:
    with uow:
        customer = uow.customers.by_email(email)
        assert customer is not None and customer.id is not None
        return customer.id


def action_id(uow: UnitOfWork, name: str) -> int:
    with uow:
        action = next(a for a in uow.catalog.list() if a.name == name)
        assert action.id is not None
        return action.id


def request_state(uow: UnitOfWork, request_id: int) -> str:
    with uow:
        request = uow.requests.get(request_id)
        assert request is not None
        return str(request.state)
