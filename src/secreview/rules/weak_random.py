from secreview.findings.model import Level
from secreview.rules.base import SinkRule


class WeakRandom(SinkRule):
    """Predictable random numbers used where a secret must be unguessable.

    The `random` module (and `uuid.uuid1`, `numpy.random`) is a Mersenne Twister
    seeded from the clock or a small state: after 624 outputs every future value
    can be predicted, and `uuid1` embeds the MAC address and time. Tokens,
    passwords, session or reset ids, nonces, salts, CSRF values and
    remember-me cookies made from it can be guessed.

    Reported when a value derived from these generators is stored under a name
    or key that says it is a secret (`token`, `password`, `nonce`, `salt`,
    `session_id`, `reset`, `csrf`, `api_key`, `remember`...), following the data
    through variables, string building and function calls. Randomness used for
    jitter, back-off, sampling, shuffling or test data is not reported, and
    neither is `random.SystemRandom` or `secrets`.

    **Fix:** use the `secrets` module (`secrets.token_urlsafe(32)`,
    `secrets.token_hex()`, `secrets.randbelow()`) or `random.SystemRandom()`.
    """

    id = "SR202"
    name = "weak-random"
    title = "Predictable random value used as a secret"
    cwe = 330
    severity = Level.MEDIUM
    confidence = Level.HIGH
    bandit = ("B311",)
    tests_relevant = False
    sink_kinds = ("secret",)
    source_kinds = frozenset({"weak-random"})
    danger = ("The generator behind it is predictable (Mersenne Twister or a time-based UUID), so an attacker "
              "who sees a few outputs can compute this secret.")
    fix = ("Generate it with the `secrets` module, e.g. `secrets.token_urlsafe(32)` or `secrets.randbelow(n)`, "
           "or use `random.SystemRandom()`.")
