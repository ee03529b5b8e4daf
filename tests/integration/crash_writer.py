"""Child process for the kill -9 test: writes forever, each transaction a mention plus a counter bump.

Run as ``python -m tests.integration.crash_writer URL``; the test kills it with SIGKILL mid-write.
"""

from __future__ import annotations

import sys
import uuid

from sqlalchemy import select, update

from monitor.storage.engine import open_database
from monitor.storage.mentions_repo import insert_mention
from monitor.storage.schema import daemon_state
from tests.integration.storage_workers import mention_values

# ~200 KB per row so that a good share of kills land inside a transaction's writes.
BIG_TEXT = "舆情" * 100_000


def main(url: str) -> None:
    engine = open_database(url)
    while True:
        with engine.begin() as conn:
            insert_mention(conn, mention_values(uuid.uuid4().hex, text=BIG_TEXT))
            value = conn.execute(
                select(daemon_state.c.value).where(daemon_state.c.key == "written")
            ).scalar_one()
            conn.execute(
                update(daemon_state)
                .where(daemon_state.c.key == "written")
                .values(value={"n": value["n"] + 1})
            )


if __name__ == "__main__":
    main(sys.argv[1])
