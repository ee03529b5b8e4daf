"""POST /api/v1/check: a draft in, the same JSON as ``brandguard check --format json`` out."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from monitor.web.drafts import MAX_DRAFT_CHARS, check_draft, check_json

router = APIRouter(prefix="/api/v1", tags=["check"])


class WaiverIn(BaseModel):
    rule: str = Field(min_length=1, max_length=200, description="rule id, prefix.* or *")
    reason: str = Field(min_length=1, max_length=2000, description="why the finding is accepted")
    text: str | None = Field(default=None, max_length=2000, description="only findings with this text")


class CheckIn(BaseModel):
    text: str = Field(max_length=MAX_DRAFT_CHARS)
    path: str = Field(default="api", max_length=500, description="name recorded in the audit log")
    waivers: list[WaiverIn] = Field(default_factory=list, max_length=100)


class FindingOut(BaseModel):
    rule_id: str
    category: str
    severity: str
    start: int
    end: int
    line: int
    column: int
    text: str
    message: str
    law: str
    article: str
    suggestions: list[str]
    waived: bool = False
    waiver_reason: str | None = None


class ResultOut(BaseModel):
    path: str
    findings: list[FindingOut]
    summary: dict[str, int]
    text_sha256: str
    rule_versions: dict[str, str]
    encoding: str


class CheckOut(BaseModel):
    version: int
    results: list[ResultOut]


@router.post("/check", response_model=CheckOut)
def check(body: CheckIn, request: Request) -> Any:
    state = request.app.state.web
    result = check_draft(
        state.engine,
        body.text,
        path=body.path,
        waivers=[(w.rule, w.reason, w.text) for w in body.waivers],
        actor=request.state.principal.name,
        now=state.now(),
    )
    return check_json(result)
