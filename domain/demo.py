"""The demo account of spec §10, seeded into an empty database, and the first admin of a
non-demo installation."""

from __future__ import annotations

from .admin import PasswordHasher
from .model import (
    Agent,
    AgentRole,
    ApprovalRule,
    CatalogAction,
    Customer,
    HistoryKind,
    Organization,
    Ticket,
    TicketStatus,
)
from .ports import UnitOfWork

DEMO_PASSWORD = "demo1234"


def is_empty(uow: UnitOfWork) -> bool:
    with uow:
        return not uow.agents.list()


def seed_admin(uow: UnitOfWork, hasher: PasswordHasher, email: str, password: str, name: str = "Admin") -> None:
    with uow:
        uow.settings.get()
        uow.agents.add(Agent(name=name, email=email.strip().lower(), password_hash=hasher.hash(password),
                             role=AgentRole.ADMIN))
        uow.commit()


def seed_demo(uow: UnitOfWork, hasher: PasswordHasher) -> None:
    password_hash = hasher.hash(DEMO_PASSWORD)  # one hash for all: argon2 is slow on purpose
    with uow:
        settings = uow.settings.get()
        settings.approvals_enabled = True
        ana = Agent("Ana Admin", "ana.admin@demo.test", password_hash, AgentRole.ADMIN)
        bruno = Agent("Bruno Agente", "bruno.agente@demo.test", password_hash)
        carla = Agent("Carla Agente", "carla.agente@demo.test", password_hash)
        for agent in (ana, bruno, carla):
            uow.agents.add(agent)
        matriz = Organization("Matriz Ltda")
        uow.organizations.add(matriz)
        uow.flush()
        filial = Organization("Filial Norte", parent_id=matriz.id)
        uow.organizations.add(filial)
        uow.flush()
        marcia = Customer("Márcia Gerente", "marcia.gerente@demo.test", password_hash, matriz.id, is_manager=True)
        fabio = Customer("Fábio Gerente", "fabio.gerente@demo.test", password_hash, filial.id, is_manager=True)
        joao = Customer("João Cliente", "joao.cliente@demo.test", password_hash, filial.id)
        livia = Customer("Lívia Avulsa", "livia.avulsa@demo.test", password_hash)
        for customer in (marcia, fabio, joao, livia):
            uow.customers.add(customer)
        uow.catalog.add(CatalogAction("Reembolso", "Devolver o valor cobrado ao cliente."))
        uow.catalog.add(CatalogAction("Reiniciar produção", "Reiniciar o servidor de produção do cliente."))
        uow.catalog.add(CatalogAction("Horas extras", "Faturar horas além do contrato.", active=False))
        # Last, so that the three above keep their ids; sorted by name it comes after them too.
        uow.catalog.add(CatalogAction("Rescindir contrato", "Encerrar o contrato do cliente antes do prazo.",
                                      rule=ApprovalRule.ALL))
        uow.flush()
        tickets = [
            (joao, "Cobrança em duplicidade na fatura de outubro", "Fui cobrado duas vezes este mês."),
            (joao, "Servidor de produção lento", "O sistema está lento desde ontem à tarde."),
            (joao, "Acesso ao relatório financeiro", "Preciso de acesso ao relatório mensal."),
            (livia, "Dúvida sobre o plano", "Quero saber o que muda no plano anual."),
            (livia, "Alterar e-mail de cobrança", "Meu e-mail de cobrança mudou."),
        ]
        for customer, subject, description in tickets:
            assert customer.id is not None
            ticket = Ticket(
                number=uow.settings.next_ticket_number(),
                subject=subject,
                description=description,
                customer_id=customer.id,
                assigned_agent_id=bruno.id,
                status=TicketStatus.OPEN,
            )
            uow.tickets.add(ticket)
            uow.flush()
            assert ticket.id is not None
            uow.history.add(ticket.entry(kind=HistoryKind.CREATED, actor_name=customer.name))
        uow.commit()
