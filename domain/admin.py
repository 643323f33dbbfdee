"""The account manager's use cases: the approvals switch, the action catalog, people and
organizations (spec §2, §9). Every one refuses non-admins on the server."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from . import answers, standins
from .access import Actor, require_admin, require_agent
from .deadlines import checked_default_hours
from .errors import Conflict, InvalidInput, NotFound
from .events import Audience, PendingVisibilityChanged
from .messages import N_
from .model import Agent, AgentRole, ApprovalRule, CatalogAction, Customer, Organization, fold
from .ports import UnitOfWork
from .reminders import checked_settings
from .service import read_only
from .validation import NAME_MAX, SHORT_TEXT_MAX, clean_email, clean_password, clean_text


class PasswordHasher:
    """Port: the composition root passes an argon2 implementation."""

    def hash(self, password: str) -> str:
        raise NotImplementedError

    def verify(self, password: str, password_hash: str) -> bool:
        raise NotImplementedError


def approvals_enabled(uow: UnitOfWork, actor: Actor) -> bool:
    with uow:
        require_agent(uow, actor)
        return uow.settings.get().approvals_enabled


def set_approvals_enabled(uow: UnitOfWork, actor: Actor, enabled: bool) -> None:
    """Turning it off hides the menu; existing requests keep their state (spec §2)."""
    with uow:
        require_admin(uow, actor)
        uow.settings.get().approvals_enabled = bool(enabled)
        uow.commit()


@read_only
def reminder_settings(uow: UnitOfWork, actor: Actor) -> tuple[int | None, int]:
    """*Lembretes*: (every N hours or None when off, at most M times)."""
    with uow:
        require_admin(uow, actor)
        settings = uow.settings.get()
        return settings.reminder_every_hours, settings.reminder_max


def set_reminders(uow: UnitOfWork, actor: Actor, every_hours: int | None, times: int = 0) -> None:
    """Turns reminders on (every N hours, at most M times) or off (None). Requests made
    from now on get them; turning them off stops those already scheduled."""
    every_hours, times = checked_settings(every_hours, times)
    with uow:
        require_admin(uow, actor)
        settings = uow.settings.get()
        settings.reminder_every_hours, settings.reminder_max = every_hours, times
        uow.commit()


def list_catalog(uow: UnitOfWork, actor: Actor) -> list[CatalogAction]:
    with uow:
        require_admin(uow, actor)
        return uow.catalog.list()


def _catalog_fields(uow: UnitOfWork, name: str, description: str, action_id: int | None) -> tuple[str, str]:
    name = clean_text(name, label=N_("Name"), max_len=NAME_MAX, required=True)
    description = clean_text(description, label=N_("Description"), max_len=SHORT_TEXT_MAX, multiline=True)
    if len(fold(name)) > NAME_MAX:  # the unique key must fit its column too ("ﷺ" folds to 18 characters)
        raise InvalidInput(N_("{field} is too long (at most {max} characters)."), field=N_("Name"), max=NAME_MAX)
    same = uow.catalog.by_name_key(fold(name))
    if same is not None and same.id != action_id:
        raise InvalidInput(N_("An action named “{name}” already exists."), name=same.name)
    return name, description


def create_action(
    uow: UnitOfWork,
    actor: Actor,
    name: str,
    description: str = "",
    active: bool = True,
    deadline_hours: int | None = None,
    rule: ApprovalRule | str = ApprovalRule.ANY,
    rule_count: int | None = None,
) -> int:
    """A catalog action; `deadline_hours` is its *Prazo para aprovação* (None: none),
    `rule` its *Regra de aprovação* (`rule_count`: the N of *Pelo menos N*)."""
    deadline_hours = checked_default_hours(deadline_hours)
    rule, rule_count = answers.checked_rule(rule, rule_count)
    with uow:
        require_admin(uow, actor)
        name, description = _catalog_fields(uow, name, description, None)
        action = CatalogAction(
            name=name,
            description=description,
            active=bool(active),
            deadline_hours=deadline_hours,
            rule=rule,
            rule_count=rule_count,
        )
        uow.catalog.add(action)
        uow.commit()
        assert action.id is not None
        return action.id


def update_action(
    uow: UnitOfWork,
    actor: Actor,
    action_id: int,
    name: str,
    description: str,
    active: bool,
    deadline_hours: int | Literal["keep"] | None = "keep",
    rule: ApprovalRule | str | Literal["keep"] = "keep",
    rule_count: int | None = None,
) -> None:
    """Edits never rewrite history: requests keep their own snapshot of name and text, the
    deadline they got, and the rule and approvers fixed when they were made."""
    if deadline_hours != "keep":
        deadline_hours = checked_default_hours(deadline_hours)
    checked = answers.checked_rule(rule, rule_count) if rule != "keep" else None
    with uow:
        require_admin(uow, actor)
        action = uow.catalog.get(action_id)
        if action is None:
            raise NotFound(N_("Action not found."))
        action.name, action.description = _catalog_fields(uow, name, description, action_id)
        action.name_key = fold(action.name)
        action.active = bool(active)
        if deadline_hours != "keep":
            action.deadline_hours = deadline_hours
        if checked is not None:
            action.rule, action.rule_count = checked
        uow.commit()


def set_action_active(uow: UnitOfWork, actor: Actor, action_id: int, active: bool) -> None:
    with uow:
        require_admin(uow, actor)
        action = uow.catalog.get(action_id)
        if action is None:
            raise NotFound(N_("Action not found."))
        action.active = bool(active)
        uow.commit()


# --- people and organizations ---------------------------------------------------------


@read_only
def list_agents(uow: UnitOfWork, actor: Actor) -> list[Agent]:
    """Any agent may see colleagues (to assign tickets)."""
    with uow:
        require_agent(uow, actor)
        return uow.agents.list()


def _email_free(uow: UnitOfWork, email: str, *, agent_id: int | None = None, customer_id: int | None = None) -> None:
    agent = uow.agents.by_email(email)
    customer = uow.customers.by_email(email)
    if (agent is not None and agent.id != agent_id) or (customer is not None and customer.id != customer_id):
        raise InvalidInput(N_("This e-mail is already in use."))


def create_agent(
    uow: UnitOfWork,
    actor: Actor,
    hasher: PasswordHasher,
    name: str,
    email: str,
    password: str,
    role: AgentRole = AgentRole.AGENT,
) -> int:
    name = clean_text(name, label=N_("Name"), max_len=NAME_MAX, required=True)
    email = clean_email(email)
    password_hash = hasher.hash(clean_password(password))
    with uow:
        require_admin(uow, actor)
        _email_free(uow, email)
        agent = Agent(name=name, email=email, password_hash=password_hash, role=AgentRole(role))
        uow.agents.add(agent)
        uow.commit()
        assert agent.id is not None
        return agent.id


@dataclass(frozen=True)
class AgentChanges:
    name: str
    email: str
    role: AgentRole
    active: bool
    password: str = ""


def update_agent(
    uow: UnitOfWork, actor: Actor, hasher: PasswordHasher, agent_id: int, changes: AgentChanges
) -> None:
    name = clean_text(changes.name, label=N_("Name"), max_len=NAME_MAX, required=True)
    email = clean_email(changes.email)
    password_hash = hasher.hash(clean_password(changes.password)) if changes.password else None
    with uow:
        admin = require_admin(uow, actor)
        agent = uow.agents.get(agent_id)
        if agent is None:
            raise NotFound(N_("Agent not found."))
        if agent.id == admin.id and (not changes.active or changes.role != AgentRole.ADMIN):
            raise Conflict(N_("You cannot remove your own access as account manager."))
        _email_free(uow, email, agent_id=agent_id)
        agent.name, agent.email, agent.role, agent.active = name, email, AgentRole(changes.role), changes.active
        if password_hash:
            agent.password_hash = password_hash
        uow.commit()


def list_organizations(uow: UnitOfWork, actor: Actor) -> list[Organization]:
    with uow:
        require_agent(uow, actor)
        return uow.organizations.list()


def _check_parent(uow: UnitOfWork, organization_id: int | None, parent_id: int | None) -> None:
    """Parents are one level up, no deeper: the approval scope reaches exactly one level."""
    if parent_id is None:
        return
    parent = uow.organizations.get(parent_id)
    if parent is None:
        raise InvalidInput(N_("Choose an existing parent organization."))
    if parent_id == organization_id:
        raise InvalidInput(N_("An organization cannot be its own parent."))
    if parent.parent_id is not None:
        raise InvalidInput(N_("The parent organization cannot itself have a parent."))
    if organization_id is not None and uow.organizations.children_ids(organization_id):
        raise InvalidInput(N_("An organization with child organizations cannot have a parent."))


def create_organization(uow: UnitOfWork, actor: Actor, name: str, parent_id: int | None = None) -> int:
    with uow:
        require_admin(uow, actor)
        name = clean_text(name, label=N_("Name"), max_len=NAME_MAX, required=True)
        _check_parent(uow, None, parent_id)
        organization = Organization(name=name, parent_id=parent_id)
        uow.organizations.add(organization)
        uow.commit()
        assert organization.id is not None
        return organization.id


def update_organization(
    uow: UnitOfWork, actor: Actor, organization_id: int, name: str, parent_id: int | None
) -> None:
    with uow:
        require_admin(uow, actor)
        organization = uow.organizations.get(organization_id)
        if organization is None:
            raise NotFound(N_("Organization not found."))
        organization.name = clean_text(name, label=N_("Name"), max_len=NAME_MAX, required=True)
        _check_parent(uow, organization_id, parent_id)
        old_scope = [organization_id, *([organization.parent_id] if organization.parent_id else [])]
        affected = _managers_touching(uow, old_scope)
        organization.parent_id = parent_id
        affected |= _managers_touching(uow, [organization_id, *([parent_id] if parent_id else [])])
        if affected:
            uow.record(PendingVisibilityChanged(audience=Audience(manager_ids=frozenset(affected))))
        uow.commit()


def _managers_touching(uow: UnitOfWork, organization_ids: list[int]) -> set[int]:
    return {m.id for m in uow.customers.active_managers_of(organization_ids) if m.id is not None}


def list_customers(uow: UnitOfWork, actor: Actor, search: str = "") -> list[Customer]:
    with uow:
        require_agent(uow, actor)
        return uow.customers.list(search=search)


@dataclass(frozen=True)
class CustomerFields:
    name: str
    email: str
    organization_id: int | None = None
    is_manager: bool = False
    active: bool = True
    password: str = ""


def _customer_fields(uow: UnitOfWork, fields: CustomerFields) -> tuple[str, str]:
    name = clean_text(fields.name, label=N_("Name"), max_len=NAME_MAX, required=True)
    email = clean_email(fields.email)
    if fields.organization_id is not None and uow.organizations.get(fields.organization_id) is None:
        raise InvalidInput(N_("Choose an existing organization."))
    if fields.is_manager and fields.organization_id is None:
        raise InvalidInput(N_("A manager must belong to an organization."))
    return name, email


def create_customer(uow: UnitOfWork, actor: Actor, hasher: PasswordHasher, fields: CustomerFields) -> int:
    password_hash = hasher.hash(clean_password(fields.password))
    with uow:
        require_admin(uow, actor)
        name, email = _customer_fields(uow, fields)
        _email_free(uow, email)
        customer = Customer(
            name=name,
            email=email,
            password_hash=password_hash,
            organization_id=fields.organization_id,
            is_manager=fields.is_manager,
            active=fields.active,
        )
        uow.customers.add(customer)
        uow.commit()
        assert customer.id is not None
        return customer.id


def update_customer(
    uow: UnitOfWork, actor: Actor, hasher: PasswordHasher, customer_id: int, fields: CustomerFields
) -> None:
    """A manager's flag or state change moves pending requests in or out of their tab."""
    password_hash = hasher.hash(clean_password(fields.password)) if fields.password else None
    with uow:
        require_admin(uow, actor)
        customer = uow.customers.get(customer_id)
        if customer is None or customer.in_trash:
            raise NotFound(N_("Customer not found."))
        name, email = _customer_fields(uow, fields)
        _email_free(uow, email, customer_id=customer_id)
        was_manager = customer.is_active_manager
        customer.name, customer.email = name, email
        customer.organization_id, customer.is_manager, customer.active = (
            fields.organization_id,
            fields.is_manager,
            fields.active,
        )
        if password_hash:
            customer.password_hash = password_hash
        concerned = standins.concerned_by(uow, customer, was_manager=was_manager or customer.is_active_manager)
        if concerned:
            uow.record(PendingVisibilityChanged(audience=Audience(manager_ids=concerned)))
        uow.commit()
