"""A scriptable OpenAI-compatible chat-completions server on 127.0.0.1 for tests (no internet).

Each request takes the next scripted behaviour; when the script is empty the
`default` behaviour answers. Requests are recorded so tests can count them and
read what the client sent.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Optional, Union

Behaviour = Union[dict, Callable[[dict], dict]]


def completion(content: Optional[str], finish: str = "stop", refusal: Optional[str] = None) -> dict:
    return {"id": "cmpl-test", "object": "chat.completion", "created": 0, "model": "test-model",
            "choices": [{"index": 0, "finish_reason": finish, "logprobs": None,
                         "message": {"role": "assistant", "content": content, "refusal": refusal}}],
            "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120}}


def answer(findings: list[dict], therapy: Optional[list[dict]] = None) -> dict:
    return {"content": json.dumps({"findings": findings, "conservative_therapy": therapy or []})}


class FakeOpenAI:
    def __init__(self, default: Optional[Behaviour] = None):
        self.script: list[Behaviour] = []
        self.default = default or answer([])
        self.requests: list[dict] = []
        self._lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep test output quiet
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("content-length", 0))) or b"{}")
                with owner._lock:
                    owner.requests.append(body)
                    behaviour = owner.script.pop(0) if owner.script else owner.default
                if callable(behaviour):
                    behaviour = behaviour(body)
                if "hang" in behaviour:
                    time.sleep(behaviour["hang"])
                    return
                status = behaviour.get("status", 200)
                if status != 200:
                    payload = json.dumps({"error": {"message": "scripted failure", "type": "server_error"}}).encode()
                    self.send_response(status)
                    if "retry_after" in behaviour:
                        self.send_header("retry-after", str(behaviour["retry_after"]))
                else:
                    payload = json.dumps(completion(behaviour.get("content"), behaviour.get("finish", "stop"),
                                                    behaviour.get("refusal"))).encode()
                    self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                try:
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def __enter__(self) -> "FakeOpenAI":
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()
