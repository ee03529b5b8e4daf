"""Mentions over HTTP: ingest from an external crawler (idempotent) and the filtered feed."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import AwareDatetime, BaseModel, Field, field_validator

from monitor.errors import InputError
from monitor.web.mention_feed import FeedFilter, feed

router = APIRouter(prefix="/api/v1", tags=["mentions"])

STORY_WINDOW = timedelta(hours=72)
Label = Literal["negative", "neutral", "positive"]


class MentionIn(BaseModel):
    brand: str = Field(min_length=1, max_length=200)
    title: str = Field(default="", max_length=2000)
    text: str = Field(default="", max_length=200_000)
    url: str | None = Field(default=None, max_length=4000)
    guid: str | None = Field(default=None, max_length=1000, description="the crawler's stable id")
    author: str | None = Field(default=None, max_length=500)
    published_at: AwareDatetime | None = None
    followers: int | None = Field(default=None, ge=0, le=2**62)
    likes: int | None = Field(default=None, ge=0, le=2**62)
    reposts: int | None = Field(default=None, ge=0, le=2**62)
    label: Label | None = Field(default=None, description="sentiment if the crawler scored it already")
    p_negative: float | None = Field(default=None, ge=0.0, le=1.0)

    @field_validator("url")
    @classmethod
    def _http_only(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("url must start with http:// or https://")
        return value


class MentionCreated(BaseModel):
    id: int
    created: bool
    story_key: str


class MentionOut(BaseModel):
    id: int
    brand: str
    source: str | None
    title: str
    text: str
    url: str | None
    author: str | None
    published_at: str
    label: str | None
    p_negative: float | None
    risk_terms: list[str]
    incident_id: int | None


_INGEST_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "oneOf": [
                        MentionIn.model_json_schema(),
                        {"type": "array", "maxItems": 5000, "items": {"type": "object"}},
                    ]
                }
            }
        },
    }
}


@router.post(
    "/mentions",
    status_code=201,
    openapi_extra=_INGEST_BODY,
    responses={
        200: {"description": "already stored (idempotent), or a batch report"},
        201: {"model": MentionCreated},
        413: {"description": "body over the limit"},
    },
)
async def ingest(request: Request, response: Response) -> Any:
    """One mention (object, brand given) or a batch (list; platform + id, see docs/platforms.md)."""
    from fastapi.concurrency import run_in_threadpool
    from fastapi.exceptions import RequestValidationError
    from pydantic import ValidationError

    from monitor.web.api_ingest import ingest_batch, read_json_capped

    data = await read_json_capped(request)
    if isinstance(data, list):
        response.status_code = 200
        state = request.app.state.web
        actor = request.state.principal.name
        return await run_in_threadpool(ingest_batch, state, actor, data, state.now())
    try:
        body = MentionIn.model_validate(data)
    except ValidationError as exc:
        raise RequestValidationError(exc.errors()) from None
    return await run_in_threadpool(_ingest_one, body, request, response)


def _ingest_one(body: MentionIn, request: Request, response: Response) -> Any:
    from monitor import audit
    from monitor.matching.dedup import MASK64, link_story, new_story_key, simhash, stable_key
    from monitor.storage.mentions_repo import find_by_key, insert_mention, recent_fingerprints

    state = request.app.state.web
    brands = {b.name for b in state.config.brands}
    if brands and body.brand not in brands:
        raise InputError(f"unknown brand {body.brand!r} (configured: {', '.join(sorted(brands))})")
    if not (body.title.strip() or body.text.strip()):
        raise InputError("a mention needs a title or a text")
    now = state.now()
    published = body.published_at
    key = stable_key(body.guid, body.url, body.title, published)
    with state.engine.connect() as conn:
        existing = find_by_key(conn, body.brand, key)
    if existing is not None:
        response.status_code = 200
        return {"id": existing[0], "created": False, "story_key": existing[1]}
    label, p_negative = body.label, body.p_negative
    score = state.scorer()([f"{body.title} {body.text}".strip()])[0]
    if label is None and p_negative is None:
        label, p_negative = score.label, score.p_negative
    fingerprint = simhash(f"{body.title} {body.text}")
    unsigned = fingerprint & MASK64 if fingerprint else None
    with state.engine.begin() as conn:
        recent = recent_fingerprints(conn, body.brand, since=now - STORY_WINDOW)
        story = (link_story(unsigned, recent) if unsigned else None) or new_story_key(fingerprint, key)
        mention_id, created = insert_mention(
            conn,
            {
                "source_id": None,
                "brand": body.brand,
                "dedup_key": key,
                "fingerprint": unsigned,
                "story_key": story,
                "title": body.title,
                "text": body.text,
                "url": body.url,
                "author": body.author,
                "published_at": published or now,
                "published_estimated": published is None,
                "fetched_at": now,
                "followers": body.followers,
                "likes": body.likes,
                "reposts": body.reposts,
                "label": label,
                "p_negative": p_negative,
                "risk_terms": list(score.risk_terms),
                "baseline": False,
                "policy_done": False,
            },
        )
        if created:
            audit.append(
                conn,
                actor=request.state.principal.name,
                kind="mention.ingest",
                subject=f"mention:{mention_id}",
                data={"brand": body.brand, "dedup_key": key},
                now=now,
            )
    if not created:
        response.status_code = 200
    return {"id": mention_id, "created": created, "story_key": story}


@router.get("/mentions", response_model=list[MentionOut])
def list_feed(
    request: Request,
    brand: Annotated[str | None, Query(max_length=200)] = None,
    source: Annotated[str | None, Query(max_length=200)] = None,
    label: Label | None = None,
    since: AwareDatetime | None = None,
    until: AwareDatetime | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> Any:
    rows = feed(
        request.app.state.web.engine,
        FeedFilter(brand=brand, source=source, label=label, since=since, until=until, limit=limit),
    )
    return [_out(r) for r in rows]


def _out(row: dict[str, Any]) -> dict[str, Any]:
    published: datetime = row["published_at"]
    return {**row, "published_at": published.isoformat(), "risk_terms": list(row["risk_terms"] or [])}
