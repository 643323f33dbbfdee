"""A small in-process limiter: at most `limit` strikes per client address within
`window` seconds. Kept in memory, per app process: enough to slow down someone guessing
one-decision links (spec §11) from one address; several instances each count their own.
(The team's shared, database-backed throttling can replace it where it lands.)"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable


class StrikeLimiter:
    def __init__(
        self,
        limit: int = 20,
        window: float = 600.0,
        max_addresses: int = 10_000,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.window = window
        self.max_addresses = max_addresses
        self._now = now
        self._strikes: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()  # FastAPI runs sync routes in several threads

    def _recent(self, address: str, now: float) -> deque[float] | None:
        strikes = self._strikes.get(address)
        if strikes is None:
            return None
        while strikes and strikes[0] <= now - self.window:
            strikes.popleft()
        if not strikes:
            del self._strikes[address]
            return None
        return strikes

    def blocked(self, address: str) -> bool:
        with self._lock:
            strikes = self._recent(address, self._now())
            return strikes is not None and len(strikes) >= self.limit

    def strike(self, address: str) -> None:
        with self._lock:
            now = self._now()
            strikes = self._recent(address, now)
            if strikes is None:
                strikes = self._strikes[address] = deque()
            strikes.append(now)
            self._strikes.move_to_end(address)
            while len(self._strikes) > self.max_addresses:  # memory stays bounded
                self._strikes.popitem(last=False)
