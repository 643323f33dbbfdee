"""Rate limits of the API, per token and per client address, with the `limits` library:
counted in this process's memory, or in Redis when several instances serve the account
(NICEGUI_REDIS_URL), so that the limit holds across them."""

from __future__ import annotations

from dataclasses import dataclass

from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from .errors import RateLimited

DEFAULT_PER_TOKEN = "300/minute"
DEFAULT_PER_ADDRESS = "600/minute"


@dataclass
class ApiRateLimits:
    limiter: MovingWindowRateLimiter
    per_token: RateLimitItem
    per_address: RateLimitItem

    @classmethod
    def create(cls, per_token: str, per_address: str, redis_url: str | None = None) -> ApiRateLimits:
        # The redis storage of `limits` takes redis:// addresses as NiceGUI does.
        storage = storage_from_string(redis_url or "memory://")
        return cls(MovingWindowRateLimiter(storage), parse(per_token), parse(per_address))

    def _hit(self, item: RateLimitItem, *identifiers: str) -> None:
        if not self.limiter.hit(item, "aval-api", *identifiers):
            stats = self.limiter.get_window_stats(item, "aval-api", *identifiers)
            raise RateLimited(stats.reset_time)

    def check_address(self, address: str) -> None:
        """Every call counts here, with or without a valid token (guessing tokens too)."""
        self._hit(self.per_address, "address", address)

    def check_token(self, token_key: str) -> None:
        self._hit(self.per_token, "token", token_key)
