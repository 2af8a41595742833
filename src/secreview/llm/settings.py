"""Where the model pass's endpoint, model and key come from: the user, never the reviewed tree.

In order of precedence:

1. the command line: ``--llm-base-url URL --llm-model NAME`` (and ``--llm-*`` caps);
2. the environment: ``SECREVIEW_LLM_BASE_URL``, ``SECREVIEW_LLM_MODEL``;
3. the user's configuration file, ``$XDG_CONFIG_HOME/secreview/config.toml`` (by default
   ``~/.config/secreview/config.toml``), its ``[llm]`` table: ``base-url``, ``model`` and caps.

The key comes from ``SECREVIEW_LLM_API_KEY`` only, and is optional (local servers need
none). The reviewed project's ``[tool.secreview.llm]`` can lower caps and nothing else
(``caps.combine``). With no base URL from any of these, the pass is off and nothing is sent.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from secreview.llm.caps import Caps, CapsError, combine, parse_caps

ENV_BASE_URL = "SECREVIEW_LLM_BASE_URL"
ENV_MODEL = "SECREVIEW_LLM_MODEL"
ENV_API_KEY = "SECREVIEW_LLM_API_KEY"


class SettingsError(Exception):
    """The model pass is asked for but cannot run as configured; the message says what to do."""


@dataclass(frozen=True)
class Settings:
    base_url: str = field(repr=False)
    """With the API prefix, e.g. ``http://127.0.0.1:11434/v1`` (not in ``repr``: it may hold credentials)."""
    model: str
    api_key: str | None = field(default=None, repr=False)
    user_caps: Mapping[str, int] = field(default_factory=dict)
    command_line_caps: Mapping[str, int] = field(default_factory=dict)

    def caps(self, project_caps: tuple[tuple[str, int], ...] = ()) -> Caps:
        """The caps in force for a project whose configuration sets ``project_caps``."""
        return combine(dict(self.user_caps), dict(project_caps), dict(self.command_line_caps))

    @property
    def endpoint(self) -> str:
        """The base URL as reports show it: no user name, password, query or fragment."""
        return public_url(self.base_url)


def public_url(url: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def user_config_path(environ: Mapping[str, str]) -> Path:
    xdg = environ.get("XDG_CONFIG_HOME")
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path(environ.get("HOME") or Path.home()) / ".config"
    return base / "secreview" / "config.toml"


def _user_table(path: Path) -> dict:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise SettingsError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        doc = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SettingsError(f"{path}: invalid TOML: {exc}") from None
    table = doc.get("llm", {})
    if not isinstance(table, dict):
        raise SettingsError(f"{path}: [llm] must be a table")
    return table


def resolve(*, base_url: str | None = None, model: str | None = None, command_line_caps: Mapping[str, int] = {},
            environ: Mapping[str, str] | None = None, disabled: bool = False) -> Settings | None:
    """The user's settings, or None when the model pass is off (no base URL anywhere, or
    ``disabled``). Raises ``SettingsError`` when it is asked for but cannot run."""
    env = os.environ if environ is None else environ
    if disabled:
        return None
    path = user_config_path(env)
    table = _user_table(path)
    try:
        user_caps = parse_caps(table, f"{path}: [llm]", allow_endpoint=True)
    except CapsError as exc:
        raise SettingsError(str(exc)) from None
    url = base_url or env.get(ENV_BASE_URL) or _string(table, "base-url", path)
    name = model or env.get(ENV_MODEL) or _string(table, "model", path)
    if not url:
        if model:
            raise SettingsError("--llm-model needs an endpoint: --llm-base-url URL (or SECREVIEW_LLM_BASE_URL)")
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SettingsError(f"the model endpoint must be an http:// or https:// URL, not {public_url(url)!r}")
    if not name:
        raise SettingsError("the model pass needs a model name: --llm-model NAME (or SECREVIEW_LLM_MODEL)")
    try:
        import httpx  # noqa: F401  (the llm extra)
    except ImportError:
        raise SettingsError("the model pass needs the llm extra: pip install 'secreview[llm]'") from None
    key = env.get(ENV_API_KEY) or None
    return Settings(url.rstrip("/") if not parts.query else url, name, key, user_caps, dict(command_line_caps))


def _string(table: dict, key: str, path: Path) -> str | None:
    value = table.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise SettingsError(f"{path}: [llm] {key} must be a string")
    return value
