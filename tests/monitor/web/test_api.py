"""The HTTP API: check (same JSON as the CLI), mention ingest, incidents, audit, metrics, health."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from monitor.audit.query import list_entries
from monitor.cli import main
from tests.monitor.web.conftest import bearer
from tests.monitor.web.seed import Seeded

DRAFT = "新品上市！\n全网第一的扫地机器人，最 好用。联系 13812345678\n"


def test_check_returns_the_cli_json(
    seeded: Seeded,
    client: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    draft = tmp_path / "draft.txt"
    draft.write_text(DRAFT, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["--data-dir", str(tmp_path / "cli"), "check", str(draft), "--format", "json"]) == 1
    cli = json.loads(capsys.readouterr().out)
    response = client.post(
        "/api/v1/check", json={"text": DRAFT, "path": str(draft)}, headers=bearer(seeded, "copywriter")
    )
    assert response.status_code == 200
    assert response.json() == cli
    findings = response.json()["results"][0]["findings"]
    assert findings and all(DRAFT[f["start"] : f["end"]] == f["text"] for f in findings)


def test_check_is_audited_with_the_caller_as_actor(seeded: Seeded, client: Any) -> None:
    client.post("/api/v1/check", json={"text": DRAFT}, headers=bearer(seeded, "copywriter"))
    entries = list_entries(seeded.ctx.engine, kind="check")
    assert [e.actor for e in entries] == ["copywriter1"]
    assert "13812345678" not in json.dumps(entries[0].data, ensure_ascii=False)


def test_check_waiver_needs_a_reason_and_is_reported(seeded: Seeded, client: Any) -> None:
    body = {"text": DRAFT, "waivers": [{"rule": "ad_law.*", "reason": "第三方检测报告 2026-11"}]}
    result = client.post("/api/v1/check", json=body, headers=bearer(seeded, "pr")).json()["results"][0]
    ad_law = [f for f in result["findings"] if f["rule_id"].startswith("ad_law")]
    assert ad_law and all(f["waived"] and f["waiver_reason"] for f in ad_law)
    assert result["summary"]["error"] < len(result["findings"])
    missing = client.post(
        "/api/v1/check",
        json={"text": "x", "waivers": [{"rule": "*", "reason": ""}]},
        headers=bearer(seeded, "pr"),
    )
    assert missing.status_code == 422


def test_mention_ingest_is_idempotent(seeded: Seeded, client: Any) -> None:
    body = {
        "brand": "示例品牌",
        "title": "门店被投诉",
        "text": "顾客投诉",
        "guid": "post-1",
        "url": "https://example.com/p/1",
        "published_at": "2026-11-20T09:00:00+08:00",
        "followers": 10,
    }
    first = client.post("/api/v1/mentions", json=body, headers=bearer(seeded, "pr"))
    second = client.post("/api/v1/mentions", json=body, headers=bearer(seeded, "pr"))
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert (first.json()["created"], second.json()["created"]) == (True, False)
    listed = client.get("/api/v1/mentions", params={"label": "negative"}, headers=bearer(seeded, "auditor"))
    stored = next(m for m in listed.json() if m["id"] == first.json()["id"])
    assert stored["risk_terms"] == ["投诉"]
    assert stored["published_at"].startswith("2026-11-20T01:00:00")


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"brand": "示例品牌"}, 400),  # neither title nor text
        ({"brand": "示例品牌", "title": "t", "url": "file:///etc/passwd"}, 422),
        ({"brand": "示例品牌", "title": "t", "published_at": "2026-11-20T09:00:00"}, 422),  # naive time
        ({"brand": "示例品牌", "title": "t", "p_negative": 2}, 422),
    ],
)
def test_mention_ingest_rejects_bad_input(
    seeded: Seeded, client: Any, body: dict[str, Any], status: int
) -> None:
    response = client.post("/api/v1/mentions", json=body, headers=bearer(seeded, "admin"))
    assert response.status_code == status
    assert "detail" in response.json()


def test_incident_transitions_are_audited_and_conflicts_are_409(seeded: Seeded, client: Any) -> None:
    url = f"/api/v1/incidents/{seeded.incident_id}"
    acked = client.post(f"{url}/acknowledge", headers=bearer(seeded, "pr"))
    assert acked.status_code == 200
    assert acked.json()["acknowledged_by"] == "pr1"
    assert client.post(f"{url}/acknowledge", headers=bearer(seeded, "pr")).status_code == 409
    responded = client.post(
        f"{url}/respond", json={"url": "https://example.com/statement"}, headers=bearer(seeded, "admin")
    )
    assert responded.json()["state"] == "responded"
    assert client.post(f"{url}/respond", json={}, headers=bearer(seeded, "admin")).status_code in (400, 409)
    detail = client.get(url, headers=bearer(seeded, "auditor")).json()
    assert [t["what"] for t in detail["timeline"] if t["type"] == "audit"] == [
        "incident.ack",
        "incident.respond",
    ]
    assert detail["mentions"][0]["title"] == "门店投诉发酵"
    actors = [e.actor for e in list_entries(seeded.ctx.engine, kind="incident")]
    assert actors == ["pr1", "admin1"]


def test_missing_incident_is_404(seeded: Seeded, client: Any) -> None:
    assert client.get("/api/v1/incidents/999", headers=bearer(seeded, "pr")).status_code == 404
    assert client.post("/api/v1/incidents/999/resolve", headers=bearer(seeded, "pr")).status_code == 404


def test_audit_query_verify_and_export(seeded: Seeded, client: Any) -> None:
    headers = bearer(seeded, "auditor")
    entries = client.get("/api/v1/audit", params={"kind": "users"}, headers=headers).json()
    assert entries and {e["kind"] for e in entries} <= {"users.add", "users.token"}
    assert client.get("/api/v1/audit/verify", headers=headers).json()["ok"] is True
    response = client.get("/api/v1/audit/export", params={"format": "csv"}, headers=headers)
    assert response.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert sorted(archive.namelist()) == ["audit.csv", "audit.csv.manifest.json"]
    manifest = json.loads(archive.read("audit.csv.manifest.json"))
    assert manifest["count"] == len(client.get("/api/v1/audit", headers=headers).json())
    assert manifest["exported_by"] == "auditor1"


def test_metrics_are_prometheus_text(seeded: Seeded, client: Any) -> None:
    response = client.get("/metrics", headers=bearer(seeded, "admin"))
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    for name in (
        "brandguard_mentions_total",
        "brandguard_incidents_opened_total",
        "brandguard_deadline_breaches_total",
        "brandguard_source_consecutive_errors",
        "brandguard_fetch_latency_seconds_count",
        'brandguard_fetch_latency_seconds_bucket{le="+Inf"}',
    ):
        assert name in text
    assert 'brandguard_source_consecutive_errors{source="weibo-rss"} 2.0' in text


def test_healthz_and_sources(seeded: Seeded, client: Any) -> None:
    assert client.get("/healthz").json() == {"status": "ok", "database": "ok"}
    sources = client.get("/api/v1/sources", headers=bearer(seeded, "copywriter")).json()
    assert sources[0]["name"] == "weibo-rss" and sources[0]["healthy"] is False


def test_openapi_schema_lists_the_api(seeded: Seeded, client: Any) -> None:
    schema = client.get("/api/v1/openapi.json", headers=bearer(seeded, "auditor")).json()
    assert "/api/v1/check" in schema["paths"]
    assert "/incidents" not in schema["paths"]  # pages are not API
    assert client.get("/api/v1/openapi.json").status_code == 401


def test_long_drafts_are_checked_off_the_event_loop_with_the_same_result(seeded: Seeded, client: Any) -> None:
    from monitor.web.drafts import INLINE_MAX_CHARS

    text = DRAFT + "。" * (INLINE_MAX_CHARS + 1 - len(DRAFT))
    response = client.post("/api/v1/check", json={"text": text}, headers=bearer(seeded, "copywriter"))
    short = client.post("/api/v1/check", json={"text": DRAFT}, headers=bearer(seeded, "copywriter"))
    assert response.status_code == 200
    spans = [(f["rule_id"], f["start"]) for f in response.json()["results"][0]["findings"]]
    assert spans == [(f["rule_id"], f["start"]) for f in short.json()["results"][0]["findings"]]
    assert len(list_entries(seeded.ctx.engine, kind="check")) == 2


def test_no_findings_are_answered_when_the_audit_entry_cannot_be_written(
    seeded: Seeded, client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from monitor.audit import group_commit
    from monitor.errors import StorageError

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise StorageError("database: disk I/O error")

    monkeypatch.setattr(group_commit, "append_prepared", broken)
    response = client.post("/api/v1/check", json={"text": DRAFT}, headers=bearer(seeded, "copywriter"))
    assert response.status_code == 503
    assert response.json() == {"detail": "database: disk I/O error"}
    assert list_entries(seeded.ctx.engine, kind="check") == []


def test_a_lone_check_does_not_wait_for_company_and_the_request_count_balances(
    seeded: Seeded, client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from monitor.audit.group_commit import AsyncGroupCommit

    seen: list[bool] = []
    real = AsyncGroupCommit.append

    async def spy(self: AsyncGroupCommit, **kwargs: Any) -> Any:
        seen.append(kwargs["company_expected"])
        return await real(self, **kwargs)

    monkeypatch.setattr(AsyncGroupCommit, "append", spy)
    state = client.fastapi_app.state.web
    writer = bearer(seeded, "copywriter")
    assert client.post("/api/v1/check", json={"text": DRAFT}, headers=writer).status_code == 200
    assert client.post("/api/v1/check", json={"text": DRAFT}).status_code == 401
    assert client.post("/api/v1/check", json={}, headers=writer).status_code == 422
    assert client.get("/api/v1/incidents/999999", headers=bearer(seeded, "pr")).status_code == 404
    assert seen == [False]
    assert state.in_flight == 0


@pytest.mark.parametrize(
    "body",
    [
        b'{"text": "\\ud800\\u6700\\u597d"}',  # half a UTF-16 pair before 最好
        b'{"text": "ok", "path": "a\\udfff"}',
        b'{"text": "ok", "waivers": [{"rule": "*", "reason": "\\ud83d"}]}',
    ],
)
def test_unpaired_surrogates_are_a_422_not_a_crash(seeded: Seeded, client: Any, body: bytes) -> None:
    headers = {**bearer(seeded, "copywriter"), "content-type": "application/json"}
    response = client.post("/api/v1/check", content=body, headers=headers)
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"].startswith("Input should be a valid string")
    assert list_entries(seeded.ctx.engine, kind="check") == []


def test_validation_errors_do_not_echo_the_rejected_value(seeded: Seeded, client: Any) -> None:
    secret = "x" * 1001 + "s3cret-tail"  # over the password limit
    response = client.post(
        "/api/v1/users",
        json={"name": "new", "role": "pr", "password": secret},
        headers=bearer(seeded, "admin"),
    )
    assert response.status_code == 422
    assert "s3cret-tail" not in response.text
    assert response.json()["detail"][0]["loc"] == ["body", "password"]
