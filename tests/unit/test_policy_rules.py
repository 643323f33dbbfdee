"""Spec §3–§4 as pure functions: `domain.policy` and `domain.routing.agents_concerned`,
on plain entities, without a database."""

from __future__ import annotations

import pytest

from domain import policy, routing
from domain.model import ActionRequest, Agent, AgentRole, Customer, Organization, Ticket

MATRIZ = Organization("Matriz Ltda", id=1)
FILIAL = Organization("Filial Norte", parent_id=1, id=2)
OUTRA = Organization("Outra Empresa", id=3)


def manager(organization: Organization, *, active: bool = True, in_trash: bool = False, flag: bool = True) -> Customer:
    return Customer(
        "Gerente", "g@x.test", "h", organization.id, is_manager=flag, active=active, in_trash=in_trash, id=50
    )


def agent(agent_id: int, *, admin: bool = False, active: bool = True) -> Agent:
    role = AgentRole.ADMIN if admin else AgentRole.AGENT
    return Agent("A", f"a{agent_id}@x.test", "h", role=role, active=active, id=agent_id)


def ticket(assigned: int | None = 2) -> Ticket:
    return Ticket(number=1, subject="s", description="", customer_id=9, assigned_agent_id=assigned, id=1)


def request(requested_by: int = 3) -> ActionRequest:
    return ActionRequest(
        ticket_id=1, action_id=1, action_name="Reembolso", action_description="", requested_by_agent_id=requested_by
    )


def test_scope_of_a_child_organization_is_itself_and_its_parent() -> None:
    assert policy.organizations_in_scope(FILIAL) == [2, 1]


def test_scope_of_a_top_organization_is_itself() -> None:
    assert policy.organizations_in_scope(MATRIZ) == [1]


def test_no_organization_has_no_scope() -> None:
    assert policy.organizations_in_scope(None) == []


def test_manager_of_organization_manages_its_tickets() -> None:
    assert policy.manages(manager(FILIAL), FILIAL)


def test_manager_of_parent_manages_child_tickets() -> None:
    assert policy.manages(manager(MATRIZ), FILIAL)


def test_manager_of_child_does_not_manage_parent_tickets() -> None:
    assert not policy.manages(manager(FILIAL), MATRIZ)


def test_manager_of_other_organization_manages_nothing_here() -> None:
    assert not policy.manages(manager(OUTRA), FILIAL)


@pytest.mark.parametrize(
    "who",
    [
        pytest.param({"active": False}, id="deactivated"),
        pytest.param({"in_trash": True}, id="trashed"),
        pytest.param({"flag": False}, id="not flagged"),
    ],
)
def test_only_an_active_manager_manages(who: dict[str, bool]) -> None:
    person = manager(FILIAL, **who)
    assert not policy.manages(person, FILIAL)
    assert not policy.may_evaluate(person, FILIAL)
    assert not policy.may_cancel_as_customer(person, FILIAL)
    assert not policy.may_see_request(person, FILIAL)


def test_customer_without_organization_manages_nothing() -> None:
    person = Customer("Lívia", "l@x.test", "h", None, is_manager=True, id=8)
    assert not policy.manages(person, FILIAL)
    assert policy.managed_organizations(person, []) == []


def test_any_active_agent_may_request() -> None:
    assert policy.may_request(agent(7))
    assert not policy.may_request(agent(7, active=False))


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        pytest.param(agent(2), True, id="assigned agent"),
        pytest.param(agent(3), True, id="requesting agent"),
        pytest.param(agent(7, admin=True), True, id="admin"),
        pytest.param(agent(7), False, id="other agent"),
        pytest.param(agent(2, active=False), False, id="deactivated assigned agent"),
    ],
)
def test_who_may_cancel_as_agent(who: Agent, allowed: bool) -> None:
    assert policy.may_cancel_as_agent(who, ticket(assigned=2), request(requested_by=3)) is allowed


def test_unassigned_ticket_still_lets_the_requester_cancel() -> None:
    assert policy.may_cancel_as_agent(agent(3), ticket(assigned=None), request(requested_by=3))
    assert not policy.may_cancel_as_agent(agent(4), ticket(assigned=None), request(requested_by=3))


def test_only_an_active_admin_administers() -> None:
    assert policy.may_administer(agent(1, admin=True))
    assert not policy.may_administer(agent(1))
    assert not policy.may_administer(agent(1, admin=True, active=False))


def test_managed_organizations_are_own_plus_children() -> None:
    assert policy.managed_organizations(manager(MATRIZ), [2, 4]) == [1, 2, 4]
    assert policy.managed_organizations(manager(MATRIZ, active=False), [2]) == []


def test_agents_concerned_are_assigned_and_requester() -> None:
    assert routing.agents_concerned(ticket(assigned=2), request(requested_by=3)) == [2, 3]


def test_agents_concerned_once_when_the_same_person() -> None:
    assert routing.agents_concerned(ticket(assigned=2), request(requested_by=2)) == [2]


def test_agents_concerned_without_assigned_agent_is_the_requester() -> None:
    assert routing.agents_concerned(ticket(assigned=None), request(requested_by=3)) == [3]


def test_audience_reaches_managers_agents_and_the_ticket_customer() -> None:
    audience = routing.audience([manager(FILIAL)], ticket(assigned=2), request(requested_by=3))
    assert (audience.manager_ids, audience.agent_ids, audience.customer_ids) == ({50}, {2, 3}, {9})


# --- §13: the stand-in row ---------------------------------------------------------------


def customer_of(organization: Organization | None, customer_id: int = 60, *, active: bool = True) -> Customer:
    organization_id = organization.id if organization else None
    return Customer("Substituto", "s@x.test", "h", organization_id, active=active, id=customer_id)


def test_a_stand_in_answers_as_the_absent_manager_only_for_that_manager_s_scope() -> None:
    fabio = manager(FILIAL)
    joao = customer_of(FILIAL)
    assert policy.answers_as(joao, FILIAL, [fabio]) is fabio
    assert policy.may_evaluate(joao, FILIAL, [fabio]) and policy.may_see_request(joao, FILIAL, [fabio])
    assert policy.may_cancel_as_customer(joao, FILIAL, [fabio])
    assert not policy.may_evaluate(joao, MATRIZ, [fabio])  # Fábio does not manage the parent's tickets
    assert not policy.may_evaluate(joao, OUTRA, [fabio])
    assert not policy.may_evaluate(joao, FILIAL)  # no running absence: no right at all
    assert not policy.may_evaluate(customer_of(FILIAL, active=False), FILIAL, [fabio])


def test_a_manager_in_scope_answers_in_their_own_place_first() -> None:
    marcia = manager(MATRIZ)
    assert policy.answers_as(marcia, FILIAL, [manager(FILIAL)]) is marcia


def test_who_may_stand_in_for_a_manager() -> None:
    fabio = manager(FILIAL)
    assert policy.may_stand_in(fabio, FILIAL, customer_of(FILIAL))  # same organization
    assert policy.may_stand_in(fabio, FILIAL, customer_of(MATRIZ))  # its parent
    assert not policy.may_stand_in(fabio, FILIAL, customer_of(OUTRA))
    assert not policy.may_stand_in(fabio, FILIAL, customer_of(None))
    assert not policy.may_stand_in(fabio, FILIAL, customer_of(FILIAL, active=False))
    assert not policy.may_stand_in(fabio, FILIAL, fabio)  # not themselves
    assert not policy.may_stand_in(manager(MATRIZ), MATRIZ, customer_of(FILIAL))  # a child is not the parent
