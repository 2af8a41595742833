"""Limits of one model pass, and where they may come from.

A cap is a positive number. The user sets them (command line, environment, the user's
configuration file); the reviewed project's ``[tool.secreview.llm]`` may set caps too, but
only lower ones: a change cannot raise what a run may cost. An option given on the command
line is taken as given.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace


@dataclass(frozen=True)
class Caps:
    max_requests: int = 200
    """HTTP requests to the endpoint per run (retries count)."""
    max_input_tokens: int = 1_000_000
    """Prompt tokens per run (as the endpoint reports them, else estimated at 4 characters a token)."""
    max_output_tokens: int = 200_000
    """Answer tokens per run."""
    max_seconds: int = 1800
    """Wall time of the whole pass; what is not started by then is listed as not reached."""
    concurrency: int = 2
    """Requests in flight at once."""
    timeout: int = 180
    """Seconds one request may take, answer included."""
    max_request_tokens: int = 12_000
    """Prompt tokens of one request: a function whose prompt would be larger is not sent."""
    max_answer_tokens: int = 2_048
    """``max_tokens`` of one request."""


KEYS = {f.name.replace("_", "-"): f.name for f in fields(Caps)}
"""TOML and command-line spelling -> attribute (``max-requests`` -> ``max_requests``)."""

ENDPOINT_KEYS = ("base-url", "base_url", "url", "model", "api-key", "api_key", "key")


class CapsError(ValueError):
    """A cap that is not a positive number, or a key that is not a cap."""


def parse_caps(table: object, where: str, *, allow_endpoint: bool = False) -> dict[str, int]:
    """The caps a TOML table sets, by attribute name. ``where`` names the table in errors.

    Without ``allow_endpoint`` (the reviewed project's table) an endpoint, model or key is an
    error that says where they belong."""
    if not isinstance(table, dict):
        raise CapsError(f"{where}: expected a table")
    out: dict[str, int] = {}
    for key, value in table.items():
        if key in ENDPOINT_KEYS:
            if allow_endpoint:
                continue
            raise CapsError(
                f"{where}: {key!r} cannot be set by the reviewed project (it could send the code, or a "
                "secret, to a server of its choosing); only caps can: "
                f"{', '.join(KEYS)}. Set the endpoint with --llm-base-url / --llm-model, "
                "SECREVIEW_LLM_BASE_URL / SECREVIEW_LLM_MODEL or ~/.config/secreview/config.toml")
        if key not in KEYS:
            raise CapsError(f"{where}: unknown key {key!r}; caps: {', '.join(KEYS)}")
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise CapsError(f"{where}: {key} must be a positive integer, not {value!r}")
        out[KEYS[key]] = value
    return out


def combine(user: dict[str, int], project: dict[str, int], command_line: dict[str, int]) -> Caps:
    """The caps in force: the defaults, then the user's, lowered by the project's, then the
    command line's exactly as given."""
    caps = replace(Caps(), **user)
    lowered = {k: min(v, getattr(caps, k)) for k, v in project.items()}
    return replace(caps, **{**lowered, **command_line})
