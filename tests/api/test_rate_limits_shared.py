"""Several instances share the API's rate limits through Redis (NICEGUI_REDIS_URL): what one
process counted, the next one sees. (Redis at 127.0.0.1:6379, as the suite's other
several-instances tests use.)"""

from __future__ import annotations

import uuid

import pytest

from api.errors import RateLimited
from api.rate_limit import ApiRateLimits

REDIS_URL = "redis://127.0.0.1:6379/0"


def test_two_instances_count_one_token_together() -> None:
    first = ApiRateLimits.create("3/minute", "100/minute", REDIS_URL)
    second = ApiRateLimits.create("3/minute", "100/minute", REDIS_URL)
    token = uuid.uuid4().hex
    first.check_token(token)
    second.check_token(token)
    first.check_token(token)
    with pytest.raises(RateLimited) as limited:
        second.check_token(token)
    assert 1 <= limited.value.retry_after <= 60
    second.check_token(uuid.uuid4().hex)  # another token has its own count


def test_without_redis_each_process_counts_alone() -> None:
    first = ApiRateLimits.create("1/minute", "100/minute")
    second = ApiRateLimits.create("1/minute", "100/minute")
    first.check_token("t")
    second.check_token("t")
    with pytest.raises(RateLimited):
        first.check_token("t")
