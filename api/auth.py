"""Who is calling: the bearer token turned into the domain's Actor, with the rate limits
checked on the way (per client address first, then per token)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from domain import tokens
from domain.access import Actor
from domain.errors import Forbidden, NotAuthenticated
from domain.messages import N_
from domain.service import Services

from .rate_limit import ApiRateLimits

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="PersonalAccessToken",
    description="A personal access token (aval_pat_…) made on your profile page.",
)
AGENTS_ONLY = N_("Only agents may do this.")
CUSTOMERS_ONLY = N_("Only customers may do this.")


# The trivial dependencies are `async`: a plain `def` would cost each call a hop to the
# thread pool and back (only `caller` and the endpoints do blocking work).
async def services(request: Request) -> Services:
    return request.app.state.services  # type: ignore[no-any-return]


def caller(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Actor:
    limits: ApiRateLimits = request.app.state.rate_limits
    limits.check_address(request.client.host if request.client else "unknown")
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise NotAuthenticated(tokens.INVALID_TOKEN)
    secret = credentials.credentials.strip()
    # Counted before the database is asked, by the token's hash (its secret stays here).
    limits.check_token(tokens.hash_secret(secret)[:32])
    runner: Services = request.app.state.services
    return runner.run(tokens.authenticate, secret)


async def agent_caller(actor: Annotated[Actor, Depends(caller)]) -> Actor:
    if actor.kind != "agent":
        raise Forbidden(AGENTS_ONLY)
    return actor


async def customer_caller(actor: Annotated[Actor, Depends(caller)]) -> Actor:
    if actor.kind != "customer":
        raise Forbidden(CUSTOMERS_ONLY)
    return actor


Caller = Annotated[Actor, Depends(caller)]
AgentCaller = Annotated[Actor, Depends(agent_caller)]
CustomerCaller = Annotated[Actor, Depends(customer_caller)]
ServicesDep = Annotated[Services, Depends(services)]
