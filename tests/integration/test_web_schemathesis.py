"""Property-based run of the whole API from its own OpenAPI schema (schemathesis, bounded): whatever
the input, the server answers 2xx/4xx, never 5xx. Every role's token is tried, so refusals are covered."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.integration

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is not installed (dev extra)")
from hypothesis import HealthCheck, settings  # noqa: E402  (after the importorskip on purpose)

from monitor.web import accounts as users  # noqa: E402
from monitor.web.app import create_app  # noqa: E402
from tests.monitor.web.conftest import FAST_ARGON2  # noqa: E402
from tests.monitor.web.live_server import serve_in_thread  # noqa: E402
from tests.monitor.web.seed import Seeded, fake_scorer, seed  # noqa: E402

MAX_EXAMPLES = 15  # per operation: ~20 operations x 15 cases keeps the run to seconds


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Seeded]]:
    saved = dict(users.PASSWORD_HASHER_PARAMS)
    users.PASSWORD_HASHER_PARAMS.update(FAST_ARGON2)
    data = seed(Path(tmp_path_factory.mktemp("schemathesis")))
    app = create_app(data.ctx, secure_cookies=False, scorer_factory=fake_scorer)
    with serve_in_thread(app) as base:
        yield base, data
    data.ctx.close()
    users.PASSWORD_HASHER_PARAMS.clear()
    users.PASSWORD_HASHER_PARAMS.update(saved)


def _schema() -> Any:
    import tempfile

    from monitor.context import Context

    # The schema does not depend on the data: build it from an app over a throw-away directory.
    with tempfile.TemporaryDirectory() as tmp:
        ctx = Context(config_path=None, data_dir=Path(tmp))
        document = create_app(ctx, secure_cookies=False).openapi()
        ctx.close()
    return schemathesis.openapi.from_dict(document)


with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    schema = _schema()


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors(case: Any, live: tuple[str, Seeded]) -> None:
    from schemathesis.checks import not_a_server_error

    base, data = live
    for role in ("admin", "auditor"):
        case.call_and_validate(
            base_url=base,
            headers={"Authorization": f"Bearer {data.tokens[role]}"},
            checks=[not_a_server_error],
        )
