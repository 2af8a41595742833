"""One client for the OpenAI-compatible chat-completions API (Ollama, vLLM, llama.cpp's
server, LM Studio, OpenAI, Azure's v1 API), on httpx.

``Client.complete`` sends one request and returns the answer's text and token counts, or
raises ``ModelError`` with a short ``kind`` (``timeout``, ``http-429``, ``http-503``,
``too-large``, ``not-json``, ``truncated``...). It never follows redirects (the key goes to
the configured server only), reads at most ``MAX_ANSWER_BYTES`` of an answer, and stops at
its deadline however slowly the server sends. Retrying is the caller's decision.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

MAX_ANSWER_BYTES = 1_000_000
"""An HTTP answer body larger than this is refused (``too-large``) without reading further."""
USER_AGENT = "secreview-llm"


class ModelError(Exception):
    """A request that gave no usable answer. ``kind`` is short and fixed, for counting."""

    def __init__(self, kind: str, message: str = "", *, retry_after: float | None = None,
                 rejects_json_mode: bool = False):
        super().__init__(message or kind)
        self.kind = kind
        self.retry_after = retry_after
        self.rejects_json_mode = rejects_json_mode


@dataclass(frozen=True)
class Reply:
    text: str
    input_tokens: int | None
    output_tokens: int | None
    finish_reason: str | None


def completions_url(base_url: str) -> str:
    """``base_url`` + ``/chat/completions``, keeping a query such as Azure's ``api-version``."""
    parts = urlsplit(base_url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/") + "/chat/completions", parts.query, ""))


class Client:
    def __init__(self, base_url: str, model: str, api_key: str | None = None):
        import httpx

        self.url = completions_url(base_url)
        self.model = model
        headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
            host = urlsplit(base_url).hostname or ""
            if host.endswith(".azure.com"):  # Azure OpenAI reads its key from this header
                headers["api-key"] = api_key
        self._http = httpx.Client(headers=headers, follow_redirects=False)
        self._httpx = httpx

    def close(self) -> None:
        self._http.close()

    def complete(self, messages: list[dict], *, max_tokens: int, timeout: float, json_mode: bool = True) -> Reply:
        """One chat completion at temperature 0. Raises ``ModelError``."""
        httpx = self._httpx
        body = {"model": self.model, "messages": messages, "temperature": 0, "max_tokens": max_tokens,
                "stream": False}
        if json_mode:
            body["response_format"] = {"type": "json_object"}
        deadline = time.monotonic() + timeout
        try:
            with self._http.stream("POST", self.url, json=body, timeout=httpx.Timeout(timeout)) as response:
                data = self._read(response, deadline)
                status = response.status_code
                retry_after = _retry_after(response.headers.get("retry-after"))
        except httpx.TimeoutException:
            raise ModelError("timeout", f"no answer within {timeout:g} s") from None
        except httpx.HTTPError as exc:
            raise ModelError("connection", f"{type(exc).__name__}: {exc}") from None
        if status != 200:
            text = data[:300].decode("utf-8", "replace")
            rejects = json_mode and status in (400, 422) and "response_format" in text
            raise ModelError(f"http-{status}", f"HTTP {status}: {' '.join(text.split())}"[:200],
                             retry_after=retry_after, rejects_json_mode=rejects)
        return _reply(data)

    def _read(self, response, deadline: float) -> bytes:
        declared = response.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > MAX_ANSWER_BYTES:
            raise ModelError("too-large", f"answer of {int(declared):,} bytes")
        chunks, size = [], 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > MAX_ANSWER_BYTES:
                raise ModelError("too-large", f"answer over {MAX_ANSWER_BYTES:,} bytes")
            if time.monotonic() > deadline:
                raise ModelError("timeout", "answer not complete by the deadline")
            chunks.append(chunk)
        return b"".join(chunks)


def _retry_after(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def _reply(data: bytes) -> Reply:
    try:
        doc = json.loads(data)
        choice = doc["choices"][0]
        text = choice["message"]["content"]
        if not isinstance(text, str):
            raise TypeError("content is not a string")
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise ModelError("bad-response", f"not a chat-completions answer ({type(exc).__name__})") from None
    usage = doc.get("usage") if isinstance(doc.get("usage"), dict) else {}
    return Reply(text, _count(usage.get("prompt_tokens")), _count(usage.get("completion_tokens")),
                 choice.get("finish_reason") if isinstance(choice.get("finish_reason"), str) else None)


def _count(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None
