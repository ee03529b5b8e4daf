"""Static files shipped in the package (monitor/web/static): the console's scripts and vendored ECharts.

Only files that exist in the package are served (a fixed map built at import), so no path from the URL
ever reaches the file system. Long cache lifetime: the files change only with a new release.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import Response

STATIC_DIR = Path(__file__).parent / "static"
SERVED = {".js", ".css"}
FILES = {p.relative_to(STATIC_DIR).as_posix(): p for p in STATIC_DIR.rglob("*") if p.suffix in SERVED}

router = APIRouter()


@router.get("/static/{path:path}")
def static_file(path: str) -> Response:
    file = FILES.get(path)
    if file is None:
        raise HTTPException(404, "not found")
    media = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
    if media == "text/javascript" or file.suffix == ".js":
        media = "text/javascript; charset=utf-8"
    return Response(file.read_bytes(), media_type=media, headers={"Cache-Control": "public, max-age=86400"})
