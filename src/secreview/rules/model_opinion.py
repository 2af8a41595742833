"""Rule SR901 model-opinion: the verified claims of the optional language-model pass."""

from secreview.findings.model import Level
from secreview.rules.base import Rule


class ModelOpinion(Rule):
    """A claim of the optional language-model pass that passed verification: a model opinion.

    Only with a model endpoint configured by the user (`--llm-base-url` and
    `--llm-model`, `SECREVIEW_LLM_*`, or the user's own configuration file; see
    `docs/llm.md`). The model is given facts from the engine (the function with
    its line numbers, its callers and callees, the static findings with their
    traces) and asked for defects the analysis cannot decide: missing or
    incorrect authorization (CWE-862, 639, 285, 863), races (CWE-362, 367),
    crashes and unbounded work a request can trigger (CWE-248, 476, 20, 400,
    770), logic errors in security checks. Its claim is reported under this rule
    only when its quote is the file's text at the lines it names, every
    identifier it lists occurs in those lines, the names in its title and
    explanation are in the code sent, the file is reviewed and the CWE is one
    the prompt offered; anything else is dropped and counted, never shown.

    A model opinion is not a fact the analysis established: its confidence is
    never high (the model's own low or medium), its severity is medium (low for
    crashes, unbounded work and input validation), and reports label it "model
    opinion". It carries the CWE the model chose, so the catalog gives none. A
    claim at the lines and CWE of an engine finding confirms that finding
    instead of being reported a second time. Like any finding it makes the exit
    code 1; `ignore = ["model-opinion"]` keeps the model to triage.

    **Fix:** read the cited lines and the model's explanation; the fix it
    proposes is its own suggestion, not checked. When the claim is wrong, the
    model is wrong: nothing in the code needs to change (add the finding to a
    baseline, or suppress it with `# secreview: ignore[SR901] -- reason`).

    """

    id = "SR901"
    name = "model-opinion"
    title = "Defect named by the language-model pass, verified against the code"
    cwe = 0
    severity = Level.MEDIUM
    confidence = Level.LOW
    from_engine = False
