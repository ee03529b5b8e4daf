"""Owner, notes, merge and split over HTTP; roles; the board rows and the static script."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tests.monitor.web.conftest import bearer
from tests.monitor.web.seed import Seeded, add_incident


def test_assign_note_merge_split_over_the_api(seeded: Seeded, client: Any) -> None:
    first = seeded.incident_id
    url = f"/api/v1/incidents/{first}"
    assigned = client.post(f"{url}/assign", json={"owner": "王五"}, headers=bearer(seeded, "pr"))
    assert assigned.status_code == 200 and assigned.json()["owner"] == "王五"
    note = client.post(f"{url}/notes", json={"text": "已联系门店"}, headers=bearer(seeded, "pr"))
    assert note.status_code == 200 and note.json()["incident_id"] == first
    assert client.post(f"{url}/notes", json={"text": ""}, headers=bearer(seeded, "pr")).status_code == 422
    # Auditors read, never change.
    refused = client.post(f"{url}/assign", json={"owner": "x"}, headers=bearer(seeded, "auditor"))
    assert refused.status_code == 403
    second = add_incident(seeded.ctx.engine, title="同一事件另一说法", opened_at=datetime.now(UTC))
    merged = client.post(
        f"/api/v1/incidents/{second}/merge", json={"into": first}, headers=bearer(seeded, "pr")
    )
    assert merged.status_code == 200 and merged.json()["mention_count"] == 2
    dup = client.get(f"/api/v1/incidents/{second}", headers=bearer(seeded, "auditor")).json()
    assert dup["state"] == "duplicate" and dup["merged_into"] == first
    again = client.post(
        f"/api/v1/incidents/{second}/merge", json={"into": first}, headers=bearer(seeded, "pr")
    )
    assert again.status_code == 409
    detail = client.get(url, headers=bearer(seeded, "auditor")).json()
    moved = [m["id"] for m in detail["mentions"]][:1]
    split = client.post(f"{url}/split", json={"mentions": moved}, headers=bearer(seeded, "pr"))
    assert split.status_code == 200 and split.json()["mention_count"] == 1
    kinds = [t["what"] for t in detail["timeline"] if t["type"] in ("audit", "note")]
    assert "incident.assign" in kinds and "incident.merged_in" in kinds and "pr1" in kinds
    assert client.get("/api/v1/oncall", headers=bearer(seeded, "auditor")).json() == []


def test_board_rows_and_script_need_a_login(seeded: Seeded, client: Any) -> None:
    assert client.get("/board/rows", follow_redirects=False).status_code in (303, 307)
    rows = client.get("/board/rows", headers=bearer(seeded, "auditor"))
    assert rows.status_code == 200 and f'data-incident="{seeded.incident_id}"' in rows.text
    script = client.get("/static/board.js", headers=bearer(seeded, "auditor"))
    assert script.status_code == 200 and "setInterval(refresh" in script.text
    assert client.get("/static/app.py", headers=bearer(seeded, "auditor")).status_code == 404
