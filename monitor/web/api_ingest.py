"""Batch ingest over HTTP: ``POST /api/v1/mentions`` with a JSON list (a vendor or the team's crawler).

The body is read here with a hard size cap (``MAX_BODY_BYTES``, checked on the declared length and again
while streaming, so a chunked upload cannot grow past it), then handed to ``monitor.crawl.ingest``: each
row validated on its own, matched, de-duplicated, scored and stored like crawled mentions, idempotent per
platform + id, so a vendor may simply retry a batch that timed out.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from fastapi import HTTPException, Request

MAX_BODY_BYTES = 8 * 1024 * 1024
MAX_ROWS = 5_000


async def read_json_capped(request: Request, limit: int = MAX_BODY_BYTES) -> Any:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise HTTPException(413, f"request body over {limit} bytes: send smaller batches")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise HTTPException(413, f"request body over {limit} bytes: send smaller batches")
    try:
        return json.loads(bytes(body))
    except ValueError as exc:
        raise HTTPException(400, f"body is not JSON: {exc}") from None


def ingest_batch(state: Any, actor: str, rows: list[Any], now: datetime) -> dict[str, Any]:
    """Store a list of mention objects; bad rows come back in ``errors`` with their 1-based index."""
    from monitor.crawl.ingest import Ingestor

    if len(rows) > MAX_ROWS:
        raise HTTPException(413, f"{len(rows)} rows in one request; at most {MAX_ROWS}")
    ingestor = Ingestor(state.engine, state.config, state.scorer(), actor=actor)
    # The alert policy is not run here: the daemon's next poll tick hands the new mentions to it, as it
    # does for crawled ones, so a vendor's request stays fast however much the policy has to do.
    return ingestor.ingest_objects(enumerate(rows, start=1), now).as_json()
