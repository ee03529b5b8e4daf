"""Regenerate versions/0001_initial.py from the current schema.py (development tool, not run at runtime).

Nothing has been released, so the schema is one initial revision. Run from the project root:

    .venv/bin/python monitor/storage/migrations/regenerate_initial.py

then review the diff; tests/monitor/storage/test_migrations.py fails on any drift.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from alembic import command
from sqlalchemy import create_engine

from monitor.storage.migrate import MIGRATIONS_DIR, alembic_config


def main() -> None:
    target = MIGRATIONS_DIR / "versions" / "0001_initial.py"
    target.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        engine = create_engine(f"sqlite:///{Path(tmp) / 'empty.db'}")
        with engine.begin() as conn:
            cfg = alembic_config(conn)
            # Plain op.create_index reads better in the initial revision; batch mode is for later ALTERs.
            cfg.attributes["render_as_batch"] = False
            command.revision(cfg, message="initial", autogenerate=True, rev_id="0001")
        engine.dispose()
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
