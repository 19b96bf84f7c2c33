"""The outermost layer of the app (pure ASGI): body-size limits while the body streams, security headers on every
response (errors included), and one log line without a traceback for an unexpected error.

Request bodies are counted as they arrive, so a chunked upload without a
Content-Length is refused at the limit instead of being buffered whole. The
upload routes (files, the new-request form, FHIR $submit) get the upload
limit; every other route 1 MB, far more than any form or JSON body it takes.
"""

from __future__ import annotations

import json
import logging
import os
import re
from typing import Callable

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("priorauth.service")
SMALL_BODY = 1024 * 1024
_UPLOAD = re.compile(r"^(/api/requests/[^/]+/files|/requests/new|/fhir/Claim/\$submit)$")


class BodyTooLarge(HTTPException):
    """Raised from `receive` at the limit; an HTTPException so FastAPI's body reading passes it on as a 413."""

    def __init__(self, limit: int):
        super().__init__(413, _too_large(limit))


def where(e: BaseException) -> str:
    """file:line of the innermost frame: enough to find a bug, without the message (which may quote a note)."""
    tb = e.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return f"{os.path.basename(tb.tb_frame.f_code.co_filename)}:{tb.tb_lineno}" if tb is not None else "?"


class Guard:
    def __init__(self, app: ASGIApp, headers: dict[str, str], upload_limit: Callable[[], int]):
        self.app = app
        self.headers = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
        self.upload_limit = upload_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        limit = self.upload_limit() if _UPLOAD.match(path) else SMALL_BODY
        started = False
        static = path.startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers", []))
                if not static:  # pages and API answers quote notes: never cached
                    headers = [h for h in headers if h[0].lower() != b"cache-control"] + [(b"cache-control", b"no-store")]
                have = {k.lower() for k, _ in headers}
                message = {**message, "headers": headers + [(k, v) for k, v in self.headers if k not in have]}
            await send(message)

        for k, v in scope.get("headers", []):
            if k == b"content-length":
                try:
                    too_big = int(v) > limit
                except ValueError:
                    too_big = True
                if too_big:
                    await self._answer(send_with_headers, 413, _too_large(limit))
                    return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(limit)
            return message

        try:
            await self.app(scope, counted, send_with_headers)
        except BodyTooLarge:
            if not started:
                await self._answer(send_with_headers, 413, _too_large(limit))
        except Exception as e:  # noqa: BLE001 - one sentence to the client, one line to the log, no traceback
            log.error("%s %s failed: %s at %s", scope.get("method"), path, type(e).__name__, where(e))
            if not started:
                full = "disk is full" in str(e) or "No space left" in str(e)
                await self._answer(send_with_headers, 507 if full else 500,
                                   "the service has no room left to store this; nothing was stored, try again later"
                                   if full else "the service failed on this request; it has been logged (without its content)")

    @staticmethod
    async def _answer(send: Send, status: int, detail: str) -> None:
        body = json.dumps({"detail": detail}).encode()
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


def _too_large(limit: int) -> str:
    return f"the request body is larger than the service accepts here ({limit / 1048576:.0f} MB)"
