"""A process that does nothing but request, decide, cancel and close, as fast as it can,
on the database given as argv[1] — until the crash test SIGKILLs it, wherever it is
(most likely inside a transaction). argv[2] is JSON: {"agents": [...], "managers": [...],
"tickets": [...], "actions": [...]} (ids and numbers)."""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from domain import approvals, tickets
from domain.access import Actor
from domain.errors import DomainError
from domain.model import TicketStatus
from domain.service import Services
from persistence.database import make_engine, make_session_factory
from persistence.tables import start_mappers
from persistence.uow import SqlUnitOfWork


def main() -> None:
    url, people = sys.argv[1], json.loads(sys.argv[2])
    engine = make_engine(url)
    start_mappers()
    factory = make_session_factory(engine)
    services = Services(lambda: SqlUnitOfWork(factory))
    agents = [Actor.agent(i) for i in people["agents"]]
    managers = [Actor.customer(i) for i in people["managers"]]
    rounds = 0
    while True:  # ended by SIGKILL only
        number = random.choice(people["tickets"])
        try:
            request_id = services.run(
                approvals.request_action, random.choice(agents), number, random.choice(people["actions"]), "loop"
            )
            step = random.randrange(4)
            if step == 0:
                services.run(approvals.approve, random.choice(managers), request_id)
            elif step == 1:
                services.run(approvals.reject, random.choice(managers), request_id, "no")
            elif step == 2:
                services.run(approvals.cancel, random.choice(agents[:1]), request_id)
            else:
                services.run(tickets.set_status, agents[0], number, TicketStatus.CLOSED)
                services.run(tickets.set_status, agents[0], number, TicketStatus.OPEN)
        except DomainError:
            pass
        rounds += 1
        if rounds == 3:
            print("looping", flush=True)


if __name__ == "__main__":
    main()
