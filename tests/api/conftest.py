"""One Aval process per test module, with generous rate limits (the limits have their own
test), and the demo's people with a token each."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from api_support import Api, app_process


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    data_dir = tmp_path_factory.mktemp("api") / "data"
    limits = {"AVAL_API_RATE_LIMIT": "10000/minute", "AVAL_API_RATE_LIMIT_PER_ADDRESS": "10000/minute"}
    with app_process(data_dir, **limits) as app:
        yield Api.on(app)
