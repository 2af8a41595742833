"""Model answers kept in the review cache, by content, so an unchanged function is not sent twice.

Key: the prompt version, the base URL, the model, ``max_tokens`` and the messages sent (the
system prompt and the facts: the code and everything else). Only answers that parsed as the
answer format are kept; a failed request or an unusable answer never is. Layout, beside the
engine's entries (``engine.cache``)::

    llm-v1/<first two hex digits>/<sha256>.json     {"text": ..., "input_tokens": ..., "output_tokens": ...}

Writes go to a temporary file renamed into place; an entry that cannot be read is a miss.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

from secreview.llm.prompt import PROMPT_VERSION

FOLDER = "llm-v1"


def answer_key(base_url: str, model: str, max_tokens: int, messages: list[dict]) -> str:
    data = json.dumps({"prompt_version": PROMPT_VERSION, "base_url": base_url, "model": model,
                       "max_tokens": max_tokens, "messages": messages}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(data.encode("utf-8", "surrogatepass")).hexdigest()


class AnswerStore:
    def __init__(self, cache_dir: Path | None):
        self.root = Path(cache_dir) / FOLDER if cache_dir is not None else None

    def _path(self, key: str) -> Path:
        assert self.root is not None
        return self.root / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict | None:
        if self.root is None:
            return None
        try:
            entry = json.loads(self._path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return entry if isinstance(entry, dict) and isinstance(entry.get("text"), str) else None

    def put(self, key: str, text: str, input_tokens: int | None, output_tokens: int | None) -> None:
        if self.root is None:
            return
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump({"text": text, "input_tokens": input_tokens, "output_tokens": output_tokens}, out,
                          ensure_ascii=False)
            os.replace(tmp, path)
        except OSError:
            pass  # a cache that cannot be written is no cache, never an error
