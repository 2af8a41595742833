"""The optional language-model pass: the engine supplies the facts, the model may only cite them.

Off unless the *user* configures an endpoint (``--llm-base-url`` and ``--llm-model``,
``SECREVIEW_LLM_BASE_URL`` / ``SECREVIEW_LLM_MODEL``, or ``[llm]`` in the user's own
``~/.config/secreview/config.toml``); the reviewed tree can only lower the caps. It runs
after the engine's review, on the ``ReviewResult`` and the texts the review read, and
never inside the analysis: nothing below ``cli`` imports this package.

Modules, one job each:

``caps``      limits per run (requests, tokens, wall time, concurrency) and their sources
``settings``  where the endpoint, model and key come from (never the reviewed tree)
``client``    one OpenAI-compatible chat-completions client (httpx), bounded and fail-closed
``prompt``    the fixed, versioned prompt (``PROMPT_VERSION``) and the CWE list offered
``answer``    the answer's JSON schema (version 1) and its parsing
``context``   what is sent: functions with line numbers, callers and callees from the IR,
              the static findings with their traces, the change's message
``verify``    every claim checked against the files; what fails is dropped and counted
``merge``     verified claims into the result: triage, model findings, confirmations
``store``     answers cached by content in the review cache
``run``       the pass itself: severity order, caps, one retry, never failing the review

``docs/llm.md`` is the user's documentation.
"""
