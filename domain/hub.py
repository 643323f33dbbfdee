"""The agent's notification hub (the bell)."""

from __future__ import annotations

from . import clock
from .access import Actor, require_agent
from .errors import NotFound
from .messages import N_
from .model import AgentNotification
from .ports import UnitOfWork
from .service import read_only


@read_only
def notifications(uow: UnitOfWork, actor: Actor, limit: int = 50) -> list[AgentNotification]:
    with uow:
        agent = require_agent(uow, actor)
        assert agent.id is not None
        return uow.notifications.of_agent(agent.id, limit)


@read_only
def unread_count(uow: UnitOfWork, actor: Actor) -> int:
    with uow:
        agent = require_agent(uow, actor)
        assert agent.id is not None
        return uow.notifications.unread_count(agent.id)


def mark_read(uow: UnitOfWork, actor: Actor, notification_id: int) -> None:
    with uow:
        agent = require_agent(uow, actor)
        notification = uow.notifications.get(notification_id)
        if notification is None or notification.agent_id != agent.id:
            raise NotFound(N_("Notification not found."))
        if notification.read_at is None:
            notification.read_at = clock.now()
            uow.commit()


def mark_all_read(uow: UnitOfWork, actor: Actor) -> int:
    with uow:
        agent = require_agent(uow, actor)
        assert agent.id is not None
        count = uow.notifications.mark_all_read(agent.id, clock.now())
        uow.commit()
        return count
