"""Draft checker page: paste or upload, findings highlighted in place, waive with a reason."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response

from monitor.web.drafts import MAX_DRAFT_CHARS, MAX_RETURNED_FINDINGS, check_and_record
from monitor.web.templating import render

router = APIRouter()
MAX_UPLOAD_BYTES = 4 * MAX_DRAFT_CHARS


def segments(text: str, findings: list[Any]) -> list[tuple[str, int | None]]:
    """The text cut into plain runs and finding runs (index into ``findings``); overlaps go to the first."""
    out: list[tuple[str, int | None]] = []
    pos = 0
    for index, f in enumerate(findings):
        if f.start < pos:
            continue
        if f.start > pos:
            out.append((text[pos : f.start], None))
        out.append((text[f.start : f.end], index))
        pos = f.end
    if pos < len(text):
        out.append((text[pos:], None))
    return out


@router.get("/check")
def check_page(request: Request) -> Response:
    return render(request, "check.html", {"text": "", "result": None, "error": None})


@router.post("/check")
async def check_submit(
    request: Request,
    text: Annotated[str, Form(max_length=MAX_DRAFT_CHARS)] = "",
    upload: Annotated[UploadFile | None, File()] = None,
    waive_rule: Annotated[list[str] | None, Form()] = None,
    waive_text: Annotated[list[str] | None, Form()] = None,
    waive_reason: Annotated[list[str] | None, Form()] = None,
) -> Response:
    from rules.decode import decode_draft
    from rules.errors import DraftDecodeError

    path = "web"
    # Browsers submit form text with CRLF line breaks; the draft's offsets are counted with LF.
    text = text.replace("\r\n", "\n")
    if upload is not None and upload.filename:
        data = await upload.read(MAX_UPLOAD_BYTES + 1)
        if len(data) > MAX_UPLOAD_BYTES:
            return render(
                request, "check.html", {"text": "", "result": None, "error": "文件过大"}, status_code=400
            )
        try:
            text, _encoding = decode_draft(data)
        except DraftDecodeError as exc:
            return render(
                request, "check.html", {"text": "", "result": None, "error": str(exc)}, status_code=400
            )
        path = f"web:{upload.filename[:200]}"
    waivers = [
        (rule, reason.strip(), exact or None)
        for rule, exact, reason in zip(waive_rule or [], waive_text or [], waive_reason or [], strict=False)
        if rule and reason.strip()
    ]
    state = request.app.state.web
    result = await check_and_record(
        text,
        path=path,
        waivers=waivers,
        actor=request.state.principal.name,
        now=state.now(),
        audit=state.audit_log,
        others_in_progress=state.in_flight > 1,
        pool_slot=state.check_slots,
    )
    findings = list(result.report.findings[:MAX_RETURNED_FINDINGS])  # the summary still counts all
    return render(
        request,
        "check.html",
        {
            "text": text,
            "result": result,
            "findings": findings,
            "segments": segments(text, findings),
            "error": None,
        },
    )
