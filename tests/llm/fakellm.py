"""A fake OpenAI-compatible chat-completions server on 127.0.0.1, for tests: no model, no network.

``FakeLLM`` serves ``POST <prefix>/chat/completions`` from a thread. Each request is answered by
``script(request)`` (a function of the request's JSON body returning a ``Reply``), or by the next
entry of a list of replies. Every request is recorded (body and headers).
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict = field(default_factory=dict)
    delay: float = 0.0


def completion(content: str, *, prompt_tokens: int = 100, completion_tokens: int = 20,
               finish_reason: str = "stop") -> Reply:
    doc = {"id": "chatcmpl-fake", "object": "chat.completion", "model": "fake",
           "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                        "finish_reason": finish_reason}],
           "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                     "total_tokens": prompt_tokens + completion_tokens}}
    return Reply(200, json.dumps(doc).encode(), {"Content-Type": "application/json"})


def answer(findings=(), triage=()) -> Reply:
    return completion(json.dumps({"findings": list(findings), "triage": list(triage)}))


def status(code: int, retry_after: str | None = None) -> Reply:
    headers = {"Content-Type": "application/json"}
    if retry_after is not None:
        headers["Retry-After"] = retry_after
    return Reply(code, json.dumps({"error": {"message": f"fake {code}"}}).encode(), headers)


def user_message(request: dict) -> str:
    return "\n".join(m["content"] for m in request["messages"] if m["role"] == "user")


class FakeLLM:
    def __init__(self, script=None):
        self.script = script if script is not None else (lambda request: answer())
        self.requests: list[dict] = []
        self.headers: list[dict] = []
        self.paths: list[str] = []
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                with fake.lock:
                    fake.requests.append(body)
                    fake.headers.append(dict(self.headers))
                    fake.paths.append(self.path)
                    script = fake.script
                    reply = script.pop(0) if isinstance(script, list) else script(body)
                if reply.delay:
                    time.sleep(reply.delay)
                try:
                    self.send_response(reply.status)
                    for key, value in reply.headers.items():
                        self.send_header(key, value)
                    self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    self.wfile.write(reply.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def __enter__(self) -> FakeLLM:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
