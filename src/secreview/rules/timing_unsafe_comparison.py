"""MAC, signature, token or password compared with `==` or `!=`.

`==` on strings and bytes stops at the first byte that differs, so the time
a failed check takes tells how many leading bytes of a guess were right. An
attacker who can send many guesses and time the answers (over a LAN, from
a neighbouring VM, or with enough samples over the internet) recovers a
valid HMAC or signature for a message of their choice, or the secret token,
one byte at a time, without knowing the key.

Reported for `==` and `!=` between two values that are not constants when
one side is

* a message authentication code or signature: the result of anything from
  the `hmac` module (`hmac.new(key, msg, sha256).hexdigest()`,
  `hmac.digest(...)`), of a function whose name says it computes one
  (`get_hmac(payload, key)`, `compute_signature(...)`, `sign(...)`), or a
  variable, attribute or item named for one (`expected_hmac`, `signature`,
  `headers["X-Signature"]`), also through a local variable assigned from
  such a value in the same function;
* or a token, password or secret (whole name parts: `token`, `auth_token`,
  `admin_token`, `password`, `secret`, `api_key`...) compared with another
  such value or with a configured one (`token == CONF.admin_token`,
  `password == self.secret`).

Not reported: comparisons with a constant, `None` or `len(...)` (also through a local the function only
assigns literals: `default_secret = "simplepassword"`); checksums
and digests of data (`hashlib.md5(data).hexdigest() == etag`: nothing
secret is guessed); a password compared with its confirmation
(`password != confirm_password`, `password != secondPassword`, `password == re_password`,
`new_password == original_password`: both come from the same user); names that only mention a secret or describe a MAC
(`token_type`, `password_expires_at`, `hmac_label`, `hmac_scope`) or
say it is a position in a stream or a page (`stream_token`, `from_token`,
`next_token`, `sync_token`, `after_token`), a cache version (`cache_token`) or a token of
concurrency control, which the holder shows to prove its turn, not who it is (`fencing_token`,
`claim_token`, `consistency_token`, `lease_token`, `lock_token`);
a parameter declared of a type that is not text (`before_token:
StreamToken`, `token: int | None`: an object compared field by field, or a
number); a value compared with what the function itself made of it
(`password = quote(raw_password)` then `password != raw_password`: did the
encoding change it; `spawner.api_token = api_token` then `spawner.api_token
!= api_token`: was the token it gave replaced; `if d["refresh_token"] !=
self.refresh_token: self.refresh_token = d["refresh_token"]`: an update when
it differs; likewise any branch taken when the two differ that keeps one of them where the other was read
(`existing = server.token` then `if existing != data["token"]: server.token = data["token"]`), or begins by
keeping one of them:
`if guest_token != self.headers["x-guest-token"]: self.headers["x-guest-token"] = guest_token`, `if
refresh_token != data.get("refresh_token"): cache_update(key, data["refresh_token"])`), where no client's
guess is compared; a branch taken when the two are equal that begins by discarding the stored one (`if token ==
self._token: self._token = None`: a client drops a token its caller reports bad, it admits nobody); two
values the server holds itself, made only of constants, module-level names, attributes of `self`/`cls`
or of such values and locals assigned only such values, with no parameter, no
call but the object's own methods on such values, and nothing named for a request or a channel
(`self.client.password == self.password`: a cached client's credentials against the configured ones; `token =
self._token or await self._login()` then `token != self._checked_token`: its own sessions with another server);
two entries of one local collection (`devices[0]["token"] ==
devices[1]["token"]`: a duplicate in the configuration); the same field of two versions of one value, whose
names differ only by `new`/`old`, `current`/`previous`, `original`/`updated` (`new_security.get("password") ==
old_security.get("password")`: did the settings change); words cut from texts by `split()` (`for
process_token, judge_token in zip(process_line.split(), judge_line.split())`: a judge comparing outputs word by
word); a currency's token in code that deals in amounts (its names say two of balance, amount, price, fee,
collateral, rate...), named for its role (`fee_token == token`, `quote_token`) or used as a balance's key
(`available_balances[ffc_token]`, `token, amount = collateral`), neither side read from a request: a symbol such
as `"USDT"`, not a secret (a trading bot's fee code); names written as
constants (`ACCOUNT_SCOPE`, `self.MBR_SIGNATURE`); structural equality methods
(`__eq__`, `__ne__`); a side made from the clock (`m_password = datetime.now().strftime("%Y-%m-%d")`: today's
date typed to confirm a destructive command, which anyone knows); code of a command-line command
(`@click.command()`, `@app.cli.command()`), which compares what
whoever typed the command gave once, where no client's guesses are timed; a comparison that is one of three or more
matching two records field by field in one `and` (`send.payment_identifier == received.payment_identifier and
send.token == received.token and send.target == received.target`: are these the same transfer; not a password, which
beside a user name and a realm is a login); code of a fake, stub, mock or decoy (`FakeUser.matches` of a
honeypot's persona), whose credentials are made up; both sides put through one keyed function under one key that
is not a constant (`hmac_sha256(NONCE, x) == hmac_sha256(NONCE, y)`: the double-HMAC comparison, where the digests first
differ says nothing about either value); comparisons written as query expressions, which the
database evaluates (`query.filter(Token.auth_token == token)`, `select(...).where(...)`,
pyDAL's `db(db.oauth2.client_secret == secret)`,
`and_(...)`, or a field read from a class, an ORM model's column, wherever the expression goes:
`filters = [db.ChatBots.webhook_token == token]`); a comparison assigned to a name that says it detects a change
(`changed = position.secret != secret`); a value read from this request's own
session (`state != request.session.pop("oauth2_csrf_token")`, Flask's
`session.get("partial_token")`): the client's guess is compared with what its own
session holds, so timing tells it nothing about anyone else's secret; and test code.

**Confidence:** medium for values that are secrets by their names (judged on
real code: a token or password from the request compared with `==` was kept
as often as not) and for names saying HMAC; high for a computed MAC or digest
compared with `==`; low when only the word "signature" (in the value's name or
the name of the function returning it) says so and nothing on either side is
computed by `hmac` (judged on real code: a tool call's signature, a layout
fingerprint, a captcha challenge, never a MAC); low when one side is read from
the reply to a request the code sent (`mac = response.json()["hmac"]` compared
with the MAC the client computes): a client checking a server's answer, which
only that server could time.

**Fix:** compare in constant time: `hmac.compare_digest(a, b)`, or
`oslo_utils.secretutils.constant_time_compare(a, b)` in OpenStack code
(both sides as `str` or both as `bytes`).
"""

from __future__ import annotations

import re

from secreview.analysis.code_text import code_of
from secreview.findings.model import Level
from secreview.ir import nodes as ir
from secreview.ir.nodes import walk as _walk
from secreview.ir.statements import bindings, target_names
from secreview.rules.base import FunctionRule, Hit
from secreview.rules.words import CONCURRENCY_WORDS, POSITION_WORDS, NameScreen, identifier_words, test_double

_MAC_WORDS = frozenset({"hmac", "hmacs", "signature", "signatures"})
# get_hmac(), compute_signature(), sign(); not "mac" (MAC addresses)
_MAC_CALL_WORDS = frozenset({"hmac", "signature", "sign"})
_SECRET_LAST = frozenset({"token", "password", "passwd", "passphrase", "secret", "apikey"})
_SECRET_PAIRS = frozenset({("api", "key"), ("secret", "key"), ("auth", "key"), ("shared", "key")})
_NOT_SECRET = frozenset({"confirm", "confirmation", "confirmed", "repeat", "repeated", "again", "retype", "verify",
                         "second", "re", "reenter", "reentered", "retyped", "twice",
                         "new", "old", "current", "previous", "type", "types", "id", "ids", "name", "expires",
                         "expiry", "expiration", "length", "len", "count", "format", "hash", "hashed", "url",
                         "prefix", "field", "key", "header", "mode", "method", "kind", "version", "status", "original",
                         "label", "scope", "algorithm", "alg", "algo", "size", "digestmod", "provider", "plugin",
                         "driver", "backend", "class", "location", "endpoint", "path", "file", "dir",
                         "cache"}) | POSITION_WORDS | CONCURRENCY_WORDS  # (a cache version, stream or page positions,
# and the tokens of concurrency control: judged false on panels AM, AQ and AR)
_HMAC_CALL = "returned by a function that computes a MAC"
_MAC_NAMED = ("named as a MAC", _HMAC_CALL)
_CONFIG_ROOTS = frozenset({"conf", "config", "configuration", "settings", "cfg"})


def _secret_words(words: tuple[str, ...]) -> bool:
    if not words or any(w in _NOT_SECRET for w in words):
        return False
    if words[-1] in _SECRET_LAST:
        return True
    return len(words) >= 2 and (words[-2], words[-1]) in _SECRET_PAIRS


def _qualifiers(name: str) -> bool:
    """A name that describes a property of a MAC or secret, not its value (``hmac_label``, ``hmac_scope``)."""
    return any(w in _NOT_SECRET for w in identifier_words(name))


def _callee_words(call: ir.Call) -> tuple[str, ...]:
    q = call.qualname or ""
    name = q.rsplit(".", 1)[-1] if q else (call.method or getattr(call.func, "id", "") or "")
    return identifier_words(name)


def _is_const(e) -> bool:
    """A literal, ``len(...)``, or a name written as a constant (``ACCOUNT_SCOPE``, ``self.MBR_SIGNATURE``)."""
    if isinstance(e, ir.Const) or (isinstance(e, ir.Call) and (e.qualname or "") == "builtins.len"):
        return True
    name = e.id if isinstance(e, ir.Name) else e.attr if isinstance(e, ir.Attr) else ""
    return len(name) > 1 and name.isupper()


def _bound_to_literal(e, function, defs) -> bool:
    """A local of the function that it only ever assigns literals (``default_secret = "simplepassword"``, then
    ``if conf['secret'] == default_secret: warn(...)``): a comparison with a constant."""
    if not isinstance(e, ir.Name) or e.kind != ir.NameKind.LOCAL or any(p.name == e.id for p in function.params):
        return False
    values = defs.of(e.id)
    return bool(values) and all(isinstance(v, ir.Const) for v in values)


def _config_value(e) -> bool:
    """``CONF.admin_token``, ``cfg.CONF.group.secret``, ``self.conf.token``, ``settings.SECRET``."""
    if not isinstance(e, ir.Attr):
        return False
    node = e.value
    while isinstance(node, ir.Attr):
        if node.attr.lower() in _CONFIG_ROOTS or (node.qualname or "").startswith("oslo_config."):
            return True
        node = node.value
    if isinstance(node, ir.Name):
        return node.id.lower() in _CONFIG_ROOTS or (node.qualname or "").startswith(("oslo_config.", "django.conf."))
    return False


class _Defs:
    """The expressions assigned to each local name of a function (for ``x = get_hmac(...)``), and to
    each attribute of a name (``spawner.api_token = api_token``), by the attribute chain's text."""

    def __init__(self, fn):
        self.fn = fn
        self._defs = None
        self._attrs = None

    def _collect(self):
        self._defs, self._attrs = {}, {}
        for stmt in self.fn.statements():
            if isinstance(stmt, ir.Assign) and len(stmt.targets) == 1:
                target = stmt.targets[0]
                if isinstance(target, ir.NameTarget):
                    self._defs.setdefault(target.id, []).append(stmt.value)
                elif isinstance(target, ir.AttrTarget):
                    text = ir.dotted_text(target.value)
                    if text is not None:
                        self._attrs.setdefault(f"{text}.{target.attr}", []).append(stmt.value)

    def of(self, name: str) -> list:
        if self._defs is None:
            self._collect()
        return self._defs.get(name, [])

    def assigned(self, e) -> list:
        """What the function assigns to the variable or attribute chain ``e`` reads."""
        if self._defs is None:
            self._collect()
        if isinstance(e, ir.Name):
            return self._defs.get(e.id, []) if e.kind == ir.NameKind.LOCAL else []
        text = ir.dotted_text(e) if isinstance(e, ir.Attr) else None
        return self._attrs.get(text, []) if text is not None else []


def _text(_module, e) -> str | None:
    """The text of a name, an attribute chain or a constant-key item of one (``d["refresh_token"]``, also read as
    ``d.get("refresh_token")``)."""
    text = ir.dotted_text(e)
    if text is None and isinstance(e, ir.Call) and e.method == "get" and len(e.args) == 1 and not e.keywords \
            and isinstance(e.args[0], ir.Const) and isinstance(e.func, ir.Attr):
        e = ir.Subscript(e.func.value, e.args[0])
    if text is None and isinstance(e, ir.Subscript) and isinstance(e.index, ir.Const) \
            and ir.dotted_text(e.value) is not None:
        text = f"{ir.dotted_text(e.value)}[{e.index.value!r}]"
    return text


def _target_text(target) -> str | None:
    if isinstance(target, ir.NameTarget):
        return target.id
    if isinstance(target, ir.AttrTarget):
        base = ir.dotted_text(target.value)
        return f"{base}.{target.attr}" if base is not None else None
    if isinstance(target, ir.ItemTarget) and isinstance(target.index, ir.Const):
        base = ir.dotted_text(target.value)
        return f"{base}[{target.index.value!r}]" if base is not None else None
    return None


# Calls that keep a new value (``cache_update(key, data["refresh_token"])``, ``cookies.set("gt", token)``)
_KEEPING_WORDS = frozenset({"update", "set", "store", "save", "cache", "put", "persist", "write", "remember"})


def _branch_operands(edge, compare, equal: bool) -> list | None:
    """The texts of ``compare``'s two operands when ``edge`` is the branch taken where they are ``equal`` (or
    differ), and both are variables or attribute chains; else None."""
    op = compare.ops[0]
    if op not in ("==", "!=") or edge.kind not in (ir.EdgeKind.TRUE, ir.EdgeKind.FALSE) \
            or ((op == "==") == (edge.kind == ir.EdgeKind.TRUE)) != equal:
        return None
    texts = [_text(None, compare.left), _text(None, compare.comparators[0])]
    return None if None in texts else texts


def _updated_when_different(function, edge, compare) -> bool:
    """``if token != self.headers["x-guest-token"]: self.headers["x-guest-token"] = token`` and ``if refresh_token
    != data.get("refresh_token"): cache_update(..., data["refresh_token"])``: the branch taken when the two differ
    begins by keeping one of them (assigned where the other is read, or passed to a call that keeps it): the
    comparison asks whether a value changed, it admits nobody."""
    texts = _branch_operands(edge, compare, equal=False)
    if texts is None:
        return False
    read_from = None  # where each operand that is a local was read from (``existing = record.token``)
    for stmt in function.blocks[edge.target].stmts:
        if isinstance(stmt, ir.Assign) and len(stmt.targets) == 1:
            where, value = _target_text(stmt.targets[0]), _text(None, stmt.value)
            if where in texts and value in texts and where != value:
                return True
            # (``Secret.from_plaintext(data["token"]).get_encrypted()``: the new value kept, encrypted)
            kept = value if value in texts else next(
                (t for t in (_text(None, e) for e in _walk(stmt.value) if isinstance(e, _READS)) if t in texts), None)
            if kept is not None and where is not None and where not in texts:
                # ``existing_token = server.token`` ... ``if existing_token != data["token"]: server.token =
                # data["token"]``: the new value replaces the stored one the other operand was read from (letta's
                # MCP server update, panel AS)
                if read_from is None:
                    read_from = _read_from(function, [compare.left, compare.comparators[0]])
                if any(where in places for text, places in read_from.items() if text != kept):
                    return True
        value = getattr(stmt, "value", None)
        if isinstance(value, ir.Call) and _KEEPING_WORDS & set(_callee_words(value)) and any(
                _text(None, a) in texts for a in list(value.args) + [k.value for k in value.keywords]):
            return True
    return False


_READS = (ir.Name, ir.Attr, ir.Subscript)


def _read_from(function, operands) -> dict:
    """For each operand that is a local, the texts of the attribute chains and items its assignments in
    ``function`` read (``existing = record.token`` or ``existing = decrypt(record.token_enc)``: ``record.token``,
    ``record.token_enc``)."""
    out: dict = {}
    for operand in operands:
        if isinstance(operand, ir.Name):
            out[operand.id] = _places_read(function, operand.id, 0)
    return out


def _places_read(function, name: str, depth: int) -> set:
    """``_read_from`` of one local, following the locals its assignments read (``secret = decrypt(record.token_enc)``
    then ``existing = secret.plaintext()``), two deep."""
    places: set = set()
    for stmt in bindings(function, name):
        value = getattr(stmt, "value", None)
        if value is None:
            continue
        for e in _walk(value):
            if isinstance(e, (ir.Attr, ir.Subscript)):
                text = _text(None, e)
                if text is not None:
                    places.add(text)
            elif isinstance(e, ir.Name) and e.kind == ir.NameKind.LOCAL and e.id != name and depth < 2:
                places |= _places_read(function, e.id, depth + 1)
    return places


def _discarded_when_same(function, edge, compare) -> bool:
    """``if token == self._token: self._token = None``: the branch taken when the two are equal begins by
    discarding the stored one (``None``, an empty value, zero): the code drops a credential a caller reports
    bad (hikari's ``invalidate(token)`` after a 401), it admits nobody; a guess that matches only makes the
    code forget its own token."""
    texts = _branch_operands(edge, compare, equal=True)
    if texts is None:
        return False
    for stmt in function.blocks[edge.target].stmts:
        if isinstance(stmt, ir.Assign) and len(stmt.targets) == 1 and _target_text(stmt.targets[0]) in texts \
                and isinstance(stmt.value, ir.Const) and not stmt.value.value:
            return True
    return False


def _made_from(e, other, defs: _Defs) -> bool:
    """Whether the function makes ``e`` from ``other`` (the same variable or attribute chain):
    ``password = quote(raw_password)`` compared with ``raw_password`` (did the encoding change it?),
    ``spawner.api_token = api_token`` compared with ``api_token`` later (did the spawner replace the
    token given to it?). Such a comparison sets a value against what the server itself made of it;
    no guess of a client is compared."""
    text = _text(None, other)
    if text is None:
        return False
    return any(_text(None, x) == text for value in defs.assigned(e) for x in _walk(value)
               if isinstance(x, (ir.Name, ir.Attr, ir.Subscript)))


# Words of a name or attribute that say it holds what a client sent (``self.request``, ``environ``,
# ``headers``), or a channel it arrives by (``sock``): never a value held by the server itself.
_CLIENT_WORDS = frozenset({"request", "req", "requests", "environ", "headers", "header", "cookies", "cookie", "args",
                           "form", "params", "query", "body", "json", "data", "payload", "message", "msg", "input",
                           "sock", "socket", "conn", "connection", "stream", "websocket", "ws", "get", "post", "meta",
                           "authorization", "auth"})


def _server_side(e, function, defs: _Defs, depth: int = 0) -> bool:
    """``e`` is held by the server itself: made only of constants, module-level names, attributes of
    ``self``/``cls`` or of such values (``self.client.password``, ``CONF.token``, ``SETTINGS["token"]``),
    and locals assigned only such values, with no parameter, no call and nothing named for a request or
    a channel a client writes to. A comparison of two such values compares what the server holds with
    what it holds: no client's guess is timed."""
    if depth > 4:
        return False
    if isinstance(e, ir.Const):
        return True
    if isinstance(e, ir.Name):
        if _CLIENT_WORDS & set(identifier_words(e.id)):
            return False
        if e.kind in (ir.NameKind.GLOBAL, ir.NameKind.IMPORT):
            return True
        if e.kind != ir.NameKind.LOCAL:
            return False
        params = function.params
        if params and function.is_method and e.id == params[0].name and e.id in ("self", "cls"):
            return True
        if any(p.name == e.id for p in params):
            return False
        values = defs.of(e.id)
        return bool(values) and all(_server_side(v, function, defs, depth + 1) for v in values)
    if isinstance(e, ir.Attr):
        return not (_CLIENT_WORDS & set(identifier_words(e.attr))) and _server_side(e.value, function, defs, depth)
    if isinstance(e, ir.Subscript):
        return _server_side(e.value, function, defs, depth) and _server_side(e.index, function, defs, depth)
    if isinstance(e, ir.BoolOp):
        return all(_server_side(v, function, defs, depth + 1) for v in e.values)
    if isinstance(e, ir.Await):
        return _server_side(e.value, function, defs, depth + 1)
    if isinstance(e, ir.Call) and isinstance(e.func, ir.Attr) and not e.keywords \
            and isinstance(e.func.value, ir.Name) and e.func.value.id in ("self", "cls") and function.is_method \
            and function.params and function.params[0].name == e.func.value.id:
        # ``token = self._token or await self._login()``: what the object's own method gives (its session with
        # another server), made from nothing a client sent
        return not (_CLIENT_WORDS & set(identifier_words(e.func.attr))) \
            and all(_server_side(a, function, defs, depth + 1) for a in e.args)
    return False


def _own_session(e, defs: _Defs, depth: int = 0) -> bool:
    """A value read from this request's own session (``request.session["oauth2_csrf_token"]``,
    ``request.session.pop(...)``, Flask's ``session.get(...)``), also through a local assigned one: what the
    client's guess is compared with is kept for that client alone, so timing answers tell it only what its
    own session holds (an OAuth state, a CSRF token, a partial-pipeline token)."""
    if depth > 3:
        return False
    if isinstance(e, ir.Name) and e.kind == ir.NameKind.LOCAL:
        values = defs.assigned(e)
        return bool(values) and all(_own_session(v, defs, depth + 1) for v in values)
    if isinstance(e, ir.Call) and e.method in ("get", "pop") and isinstance(e.func, ir.Attr):
        base = e.func.value
    elif isinstance(e, ir.Subscript):
        base = e.value  # ``session_token["oauth_token"]`` of a local holding a session item too
    else:
        return False
    return _session_object(base) or _own_session(base, defs, depth + 1)


def _session_object(node) -> bool:
    """``request.session``, ``self.request.session``, Flask's ``session``."""
    if isinstance(node, ir.Attr) and node.attr == "session":
        return True
    return isinstance(node, ir.Name) and (node.qualname in ("flask.session", "quart.session")
                                          or (node.id == "session" and node.kind != ir.NameKind.LOCAL))


def _root(e):
    """The variable an attribute or item chain starts from (``repl_device`` of ``repl_device[0]["token"]``)."""
    while isinstance(e, (ir.Attr, ir.Subscript)):
        e = e.value
    return e.id if isinstance(e, ir.Name) and e.kind == ir.NameKind.LOCAL else None


def _same_record(left, right) -> bool:
    """Two entries of one local collection or record compared (``devices[0]["token"] ==
    devices[1]["token"]``: a duplicate in the configuration), not a guess against a secret. ``self`` is
    no such record: a handler's ``self.request`` and ``self.secret`` come from different sides."""
    root = _root(left)
    return root is not None and root not in ("self", "cls") and root == _root(right) \
        and isinstance(left, (ir.Attr, ir.Subscript)) and isinstance(right, (ir.Attr, ir.Subscript))


# Words that name two versions of one value (``new_security`` and ``old_security``): a comparison of them asks
# whether the value changed, as a configuration reload does
_VERSION_PAIRS = (frozenset({"new", "old"}), frozenset({"current", "previous"}), frozenset({"cur", "prev"}),
                  frozenset({"updated", "old"}), frozenset({"new", "existing"}), frozenset({"original", "updated"}))


def _versions_of_one(left, right) -> bool:
    """``new_security.get('password') == old_security.get('password')``, ``old_token == new_token``: the two sides
    read the same thing from two versions of one value (their roots' names differ only by ``new``/``old``,
    ``current``/``previous``...), a check of whether it changed, where no client's guess is compared."""
    (a, read_a), (b, read_b) = _read_path(left), _read_path(right)
    if a is None or b is None or a == b:
        return False
    wa, wb = identifier_words(a), identifier_words(b)
    if len(wa) != len(wb):
        return False
    differ = {(x, y) for x, y in zip(wa, wb) if x != y}
    if len(differ) != 1:
        return False
    x, y = next(iter(differ))
    return frozenset({x, y}) in _VERSION_PAIRS and read_a == read_b


def _read_path(e) -> tuple[str | None, tuple]:
    """The variable ``e`` reads from through attributes, items and ``.get(KEY)``, and what it reads, as text:
    ``("new_security", ("'password'",))`` of ``new_security.get('password')``, ``("old", (".token",))`` of
    ``old.token`` (a key that is not a constant reads as ``[?]``); the root is None when it is no name."""
    parts: list = []
    while True:
        if isinstance(e, ir.Attr):
            parts.append("." + e.attr)
            e = e.value
        elif isinstance(e, ir.Subscript):
            parts.append(repr(e.index.value) if isinstance(e.index, ir.Const) else "[?]")
            e = e.value
        elif isinstance(e, ir.Call) and e.method == "get" and isinstance(e.func, ir.Attr):
            parts.append(repr(e.args[0].value) if e.args and isinstance(e.args[0], ir.Const) else "[?]")
            e = e.func.value
        else:
            return (e.id if isinstance(e, ir.Name) else None), tuple(reversed(parts))


def _split_word(e, function, depth: int = 0) -> bool:
    """A word cut from a text by ``split()`` (``for process_token, judge_token in zip(process_line.split(),
    judge_line.split())``, a judge comparing a program's output word by word): a lexical token, not a secret."""
    if depth > 3 or not (isinstance(e, ir.Name) and e.kind == ir.NameKind.LOCAL):
        return False
    bound = _bindings(function, e.id)
    return bool(bound) and all(isinstance(v, ir.IterElement) and _words(v.iterable, function, depth + 1)
                               or isinstance(v, ir.Subscript) and _words(v.value, function, depth + 1)
                               for v in bound)


def _words(e, function, depth: int) -> bool:
    """``e`` holds the words of split texts: ``x.split()``, a local bound only to such, ``zip()`` of such."""
    if depth > 3:
        return False
    if isinstance(e, ir.Call) and e.method == "split":
        return True
    if isinstance(e, ir.Call) and isinstance(e.func, ir.Name) and e.func.id in ("zip", "reversed", "list") and e.args:
        return all(_words(a, function, depth + 1) for a in e.args)
    if isinstance(e, ir.Name) and e.kind == ir.NameKind.LOCAL:
        bound = _bindings(function, e.id)
        return bool(bound) and all(_words(v, function, depth + 1) for v in bound)
    return False


def _bindings(function, name: str) -> list:
    """The values the function assigns to the local ``name``, directly or by unpacking (``a, b = ...``, ``for a,
    b in ...``: the value unpacked)."""
    return [stmt.value for stmt in bindings(function, name)]


# Annotations of text: a value of any other declared type is an object compared field by field
# (``before_token: StreamToken``, a position in a stream) or a number, not a string compared byte by byte.
_TEXT_TYPES = frozenset({"str", "bytes", "Text", "AnyStr", "Any", "object", "SecretStr", "SecretBytes", "bytearray"})


def _annotation_types(a, out: list) -> bool:
    """The names of the types an annotation allows, into ``out``; False when it cannot say."""
    if isinstance(a, ir.Const):
        if a.value is None:
            return True
        if isinstance(a.value, str) and a.value.replace(".", "").replace("_", "").isalnum():
            out.append(a.value.rsplit(".", 1)[-1])
            return True
        return False
    if isinstance(a, ir.BinOp) and a.op == "|":
        return _annotation_types(a.left, out) and _annotation_types(a.right, out)
    if isinstance(a, ir.Subscript) and ir.dotted_text(a.value) in ("Optional", "typing.Optional"):
        return _annotation_types(a.index, out)
    if isinstance(a, (ir.Name, ir.Attr)):
        out.append(a.id if isinstance(a, ir.Name) else a.attr)
        return True
    return False


def _not_text(e, function) -> bool:
    """``e`` is a parameter declared of a type that is not text (``before_token: StreamToken``,
    ``token: int | None``)."""
    if not isinstance(e, ir.Name):
        return False
    for p in function.params:
        if p.name == e.id and p.annotation is not None:
            types: list = []
            if _annotation_types(p.annotation, types) and types:
                return all(t not in _TEXT_TYPES and t != "None" for t in types)
    return False


def _mac(e, defs: _Defs, depth: int = 0) -> tuple | None:
    """How ``e`` is known to be a MAC or signature, and the expression assigned to it that shows it (None:
    ``e`` itself), or None."""
    if depth > 3 or e is None:
        return None
    if isinstance(e, ir.Call):
        node = e
        while isinstance(node, ir.Call):  # hmac.new(...).hexdigest(), get_hmac(...).decode()
            q = node.qualname or ""
            if q.startswith("hmac."):
                return f"computed by `{q}`", None
            words = _callee_words(node)
            if words and words[0] in _MAC_CALL_WORDS | {"get", "compute", "calculate", "calc", "make", "create",
                                                        "generate", "_"} \
                    and any(w in _MAC_CALL_WORDS for w in words) and not any(w in ("verify", "check", "is")
                                                                            for w in words):
                if "hmac" in words:
                    return _HMAC_CALL, None
                return "returned by a function that computes a MAC or signature", None
            func = node.func
            node = func.value if isinstance(func, ir.Attr) else None
    name = ir.read_name(e)
    if name is not None and any(w in _MAC_WORDS for w in identifier_words(name)) and not _qualifiers(name):
        if any(w in ("hmac", "hmacs") for w in identifier_words(name)):
            return "named as a MAC", None
        return "named as a MAC or signature", None
    if isinstance(e, ir.Name) and e.kind == ir.NameKind.LOCAL:
        for value in defs.of(e.id):
            found = _mac(value, defs, depth + 1)
            if found:
                return found[0], found[1] or value
    return None


_REPLY_WORDS = frozenset({"response", "resp", "reply"})


def _reply(e, defs: _Defs, depth: int = 0) -> bool:
    """``e`` is read from the reply to a request this code sent: a local named for it (``response``,
    ``response_json``, ``resp``), an item, attribute or parse of one (``response.json()["results"]["hmac"]``,
    ``json.loads(resp.text)``, ``_jsonify_response(response)``), or a local assigned only such values (and
    constants)."""
    if depth > 4 or e is None:
        return False
    if isinstance(e, ir.Name):
        if e.kind != ir.NameKind.LOCAL:
            return False
        if _REPLY_WORDS & set(identifier_words(e.id)):
            return True
        # (a constant it starts as, ``mac = ""`` before the request, is no one's guess either)
        values = [v for v in defs.of(e.id) if not isinstance(v, ir.Const)]
        return bool(values) and all(_reply(v, defs, depth + 1) for v in values)
    if isinstance(e, (ir.Subscript, ir.Attr)):
        return _reply(e.value, defs, depth + 1)
    if isinstance(e, ir.Call):
        func = e.func
        if isinstance(func, ir.Attr) and _reply(func.value, defs, depth + 1):
            return True
        return len(e.args) >= 1 and _reply(e.args[0], defs, depth + 1)
    return False


# Words of a function that deals in amounts of currencies (a trading bot's fee and balance code), where a "token"
# is a currency's symbol (``"USDT"``), and the words that name a currency's role in a token's own name
_AMOUNT_WORDS = frozenset({"balance", "balances", "amount", "amounts", "price", "prices", "fee", "fees", "collateral",
                           "collaterals", "rate", "rates", "gas", "wallet", "usd", "liquidity", "swap", "trade",
                           "trades", "trading"})
_REQUEST_WORDS = frozenset({"request", "req", "environ", "headers", "header", "cookies", "cookie", "args", "form",
                            "params", "query", "body", "json", "payload", "authorization", "auth", "session"})
_CURRENCY_ROLES = frozenset({"fee", "quote", "base", "native", "collateral", "gas", "reward", "stake", "staked",
                             "wrapped", "erc20", "spl", "pair", "universal"})


def _currency_tokens(function, left, right) -> bool:
    """``fee_token == token`` in a function that also speaks of amounts (its names say two of balance, amount,
    price, fee, collateral, rate...): currency symbols (``"USDT"``), not secrets, when neither side is read from a
    client (a request, a header) and one side is named for a currency's role (``fee_token``, ``quote_token``,
    ``self.order_collateral.token``) or is used as the key of a lookup in the function
    (``available_balances[ffc_token]``, ``current_balances.get(token, 0)``) or unpacked beside an amount
    (``token, amount = self.percent_fee_collateral``)."""
    words = {w for name in function.names if isinstance(name, str) and len(name) <= 80
             for w in identifier_words(name)} & _AMOUNT_WORDS
    if len({w.rstrip("s") for w in words}) < 2:
        return False
    texts = [ir.dotted_text(side) or "" for side in (left, right)]
    if not all(texts) or any(_REQUEST_WORDS & set(identifier_words(t)) for t in texts):
        return False
    if any(_CURRENCY_ROLES & set(identifier_words(t)) for t in texts):
        return True
    return any(isinstance(side, ir.Name) and side.kind == ir.NameKind.LOCAL and _keys_amounts(function, side.id)
               for side in (left, right))


def _keys_amounts(function, name: str) -> bool:
    """The local ``name`` is the key of a lookup in ``function`` (``balances[name]``, ``balances.get(name, 0)``) or
    is unpacked from a pair beside another name (``name, amount = ...``)."""
    for stmt in function.statements():
        if isinstance(stmt, ir.Assign) and any(isinstance(t, ir.UnpackTarget) and len(t.elts) == 2
                                               and any(name in target_names(e) for e in t.elts) for t in stmt.targets):
            return True
        for e in ir.walk(stmt.value) if isinstance(stmt, (ir.Assign, ir.Evaluate, ir.Return)) \
                and stmt.value is not None else ():
            if isinstance(e, ir.Subscript) and isinstance(e.index, ir.Name) and e.index.id == name:
                return True
            if isinstance(e, ir.Call) and e.method == "get" and e.args and isinstance(e.args[0], ir.Name) \
                    and e.args[0].id == name:
                return True
    return False


def _secret(e) -> bool:
    name = ir.read_name(e)
    return name is not None and _secret_words(identifier_words(name))


class TimingUnsafeComparison(FunctionRule):
    __doc__ = __doc__

    id = "SR208"
    name = "timing-unsafe-comparison"
    title = "Secret compared in non-constant time"
    cwe = 208
    severity = Level.MEDIUM
    confidence = Level.MEDIUM
    tests_relevant = False

    def __init__(self):
        self._screen = NameScreen(lambda name: isinstance(name, str) and len(name) <= 80 and _relevant_name(name))

    def relevant(self, function) -> bool:
        """Only functions mentioning a MAC, a signature or a secret by name (answers kept per name)."""
        return self._screen.any(function.names)

    def check_function(self, module, function):
        if function.name in ("__eq__", "__ne__", "__hash__", "__lt__", "__gt__"):
            return  # structural equality of an object holding a token, not a check of one
        if test_double(function.qualname):
            return  # a fake, stub or decoy (a honeypot's ``FakeUser.matches``): its credentials are made up
        if _in_command(function):
            return  # no one sends it guesses over a network to time
        defs = _Defs(function)
        seen = set()
        for compare in _compares(function):
            if id(compare) in seen or len(compare.ops) != 1 or compare.ops[0] not in ("==", "!="):
                continue
            seen.add(id(compare))
            left, right = compare.left, compare.comparators[0]
            if _is_const(left) or _is_const(right) or _double_keyed(module, left, right) \
                    or _bound_to_literal(left, function, defs) or _bound_to_literal(right, function, defs) \
                    or _from_clock(left, defs) or _from_clock(right, defs):
                continue
            hit = self._judge(module, function, compare, left, right, defs)
            if hit is not None:
                yield hit

    def _judge(self, module, function, compare, left, right, defs):
        code = _code(module, compare)
        found = [(a, b, how, via) for a, b in ((left, right), (right, left))
                 for how, via in (_mac(a, defs) or (None, None),) if how]
        # the strongest evidence first: a MAC computed by ``hmac``, then a name saying MAC, then the word
        # "signature" in a name (judged on real code mostly a function signature or a change fingerprint)
        found.sort(key=lambda f: 0 if f[2].startswith("computed") else 1 if f[2] in _MAC_NAMED else 2)
        mac = found[0] if found else None
        if mac is not None and (mac[2].startswith("computed") or mac[2] in _MAC_NAMED):
            reply = next((side for side in (left, right) if _reply(side, defs)), None)
            if reply is not None:
                # a client checking the MAC a server sent back: judged on real code not a timing oracle
                # (keylime's tenant, panel AA): the party that could time it is the server it asked
                hit = self._mac_hit(module, compare, code, *mac, confidence=Level.LOW)
                hit.explanation += (f" `{_code(module, reply)}` is read from the reply to a request this code "
                                    f"sent, so the party that could time the comparison is the server it asked.")
                return hit
            return self._mac_hit(module, compare, code, *mac)
        if (_secret(left) and (_secret(right) or _config_value(right))
                or _secret(right) and _config_value(left)) \
                and not (_not_text(left, function) or _not_text(right, function)
                         or _made_from(left, right, defs) or _made_from(right, left, defs)
                         or _same_record(left, right) or _own_session(left, defs) or _own_session(right, defs)
                         or _versions_of_one(left, right) or _class_field(left) or _class_field(right)
                         or _split_word(left, function) or _split_word(right, function)
                         or _currency_tokens(function, left, right)
                         or (_server_side(left, function, defs) and _server_side(right, function, defs))):
            return Hit(
                node=compare,
                explanation=(f"`{code}` compares values named as secrets (`{_code(module, left)}`, "
                             f"`{_code(module, right)}`) with `{compare.ops[0]}`, which returns as soon as one "
                             f"character differs: where one side is a guess a client sends, timing repeated "
                             f"guesses recovers the other side character by character."),
                fix=(f"Use `hmac.compare_digest({_code(module, left)}, {_code(module, right)})` (or "
                     f"`secretutils.constant_time_compare(...)` from oslo.utils)."),
                # by names alone: judged on real code over four panels 7 real, 4 worth a look, 14 false
                # (docs/precision.md, sixth session): shown
                confidence=Level.MEDIUM,
            )
        if mac is not None:
            # "signature" by a name alone (of the value or of the function returning it), nothing computed by
            # hmac on either side: judged on real code 0 real of 5 (a tool call's signature, a layout
            # fingerprint, a captcha challenge; docs/precision.md, eighth session): low
            return self._mac_hit(module, compare, code, *mac, confidence=Level.LOW)
        return None

    @staticmethod
    def _mac_hit(module, compare, code, a, b, how, via, confidence=None):
        left, right = compare.left, compare.comparators[0]
        notes = ((via, f"`{_code(module, a)}` is assigned `{_code(module, via)}`"),) if via is not None else ()
        return Hit(
            notes=notes,
            node=compare,
            explanation=(f"`{code}` compares `{_code(module, a)}` ({how}) with `{_code(module, b)}` using "
                         f"`{compare.ops[0]}`, which returns as soon as one byte differs: where an attacker "
                         f"submits the value to check and times the answer, repeated attempts find a valid "
                         f"value byte by byte without the key."),
            # (said of where the attacker submits the value: an offline check of a file's MAC gives no one an
            # answer to time; "by timing repeated attempts an attacker can find" was judged untrue of pypykatz's
            # DPAPI master-key check on panel AU)
            fix=(f"Use `hmac.compare_digest({_code(module, left)}, {_code(module, right)})` (or "
                 f"`secretutils.constant_time_compare(...)` from oslo.utils)."),
            confidence=confidence or (Level.HIGH if how.startswith("computed") else Level.MEDIUM),
        )


_CLOCK = frozenset({"datetime.datetime.now", "datetime.datetime.today", "datetime.datetime.utcnow",
                    "datetime.date.today", "time.time", "time.localtime", "time.gmtime", "time.strftime",
                    "time.ctime", "time.asctime"})


def _from_clock(e, defs, depth: int = 0) -> bool:
    """``e`` is made from the clock: a call of it, or of a method on what it gives (``datetime.datetime.now()
    .strftime("%Y-%m-%d")``), or a local assigned only such values (``m_password`` as today's date, a guard
    against a careless command, not a secret): what anyone can read off a calendar leaks nothing when timed."""
    if depth > 3:
        return False
    if isinstance(e, ir.Name) and e.kind == ir.NameKind.LOCAL:
        values = defs.of(e.id)
        return bool(values) and all(_from_clock(v, defs, depth + 1) for v in values)
    while isinstance(e, ir.Call) and e.qualname not in _CLOCK and isinstance(e.func, ir.Attr):
        e = e.func.value
    return isinstance(e, ir.Call) and e.qualname in _CLOCK


_DIGEST_METHODS = frozenset({"digest", "hexdigest"})


def _double_keyed(module, left, right) -> bool:
    """``hmac_sha256(NONCE, x) == hmac_sha256(NONCE, y)`` (``hmac.new(k, x, sha256).digest() == hmac.new(k, y,
    sha256).digest()``): both sides put through one keyed function under one key, the double-HMAC way to
    compare in effect in constant time: with a key the attacker does not know, where the two digests first
    differ tells nothing about either value."""
    def keyed(node):
        if isinstance(node, ir.Call) and isinstance(node.func, ir.Attr) and node.func.attr in _DIGEST_METHODS \
                and not node.args and isinstance(node.func.value, ir.Call):
            node = node.func.value
        if not isinstance(node, ir.Call) or len(node.args) < 2 or node.keywords \
                or any(isinstance(a, ir.Starred) for a in node.args):
            return None
        return node
    a, b = keyed(left), keyed(right)
    if a is None or b is None or len(a.args) != len(b.args) or _code(module, a.func) != _code(module, b.func):
        return False
    key = _code(module, a.args[0])
    return key == _code(module, b.args[0]) and not isinstance(a.args[0], ir.Const) \
        and all(_code(module, x) == _code(module, y) for x, y in zip(a.args[2:], b.args[2:], strict=True))


_RELEVANT_PARTS = re.compile("hmac|sign|token|passw|passphrase|secret|key")
"""Text that every relevant name holds in lower case: each of its words is a part of the lower-cased name."""


def _relevant_name(name: str) -> bool:
    if _RELEVANT_PARTS.search(name.lower()) is None:
        return False  # (most names: words not made)
    words = identifier_words(name)
    return any(w in _MAC_WORDS or w in _MAC_CALL_WORDS or w in _SECRET_LAST for w in words) \
        or (len(words) >= 2 and (words[-2], words[-1]) in _SECRET_PAIRS)


def _compares(function):
    """Every ``==``/``!=`` comparison of a function: in its statements and its branch conditions; not those that
    ask whether a value changed (``_updated_when_different``, ``_discarded_when_same``) nor those matching two
    records field by field (``_records_matched``)."""
    roots = []
    updates = set()  # the comparisons whose branch for "different" keeps the new value
    for block in function.blocks:
        for stmt in block.stmts:
            if _change_detection(stmt):
                continue
            for attr in ("value", "test"):
                node = getattr(stmt, attr, None)
                if isinstance(node, ir.Expr):
                    roots.append(node)
        for edge in block.succs:
            if edge.cond is not None:
                if isinstance(edge.cond, ir.Compare) and len(edge.cond.ops) == 1 \
                        and (_updated_when_different(function, edge, edge.cond)
                             or _discarded_when_same(function, edge, edge.cond)):
                    updates.add((edge.cond.line, edge.cond.col))
                elif isinstance(edge.cond, ir.BoolOp) and edge.cond.op == "or" and edge.kind == ir.EdgeKind.TRUE:
                    # ``if not token or token == self._token:``: the branch is taken whenever the operand is
                    updates.update((c.line, c.col) for c in edge.cond.values
                                   if isinstance(c, ir.Compare) and tuple(c.ops) == ("==",)
                                   and _discarded_when_same(function, edge, c))
                roots.append(edge.cond)
    matched = _records_matched(roots)
    for root in roots:
        for compare in _python_compares(root):
            if (compare.line, compare.col) not in updates and id(compare) not in matched:
                yield compare


_COMMAND_LIBRARIES = ("click.", "typer.", "rich_click.", "asyncclick.", "cloup.")


def _in_command(function) -> bool:
    """``function`` (or a function it is nested in) is a command-line command: decorated ``@click.command()``,
    ``@cli.command()`` of a group, Flask's ``@app.cli.command()``, or with ``@click.option``/``@click.argument``.
    Its comparisons run once for whoever typed the command, never for guesses a client sends and times."""
    while function is not None:
        for d in function.decorators:
            func = d.func if isinstance(d, ir.Call) else d
            if (getattr(func, "qualname", None) or "").startswith(_COMMAND_LIBRARIES):
                return True
            if isinstance(func, ir.Attr) and func.attr in ("command", "group") and (
                    ir.dotted_text(func.value) or "").rsplit(".", 1)[-1] in ("cli", "click", "typer", "app_cli"):
                return True
        function = function.parent if function.parent is not None and function.parent.parent is not None else None
    return False


def _records_matched(roots) -> set:
    """The ids of the ``==`` comparisons that match two records field by field: operands of one ``and`` with at
    least two other ``==`` comparisons of the same two variables, each reading the same field of both
    (``send.payment_identifier == received.payment_identifier and send.token == received.token and
    send.lock.expiration == received.lock.expiration``: are these the same transfer). A field named like a
    secret among them is one of the fields compared, as in ``__eq__``: no client's guess is timed."""
    out: set = set()
    for root in roots:
        for e in _walk(root):
            if not (isinstance(e, ir.BoolOp) and e.op == "and"):
                continue
            groups: dict = {}  # the two variables -> [(comparison, the field it reads of both)]
            for operand in e.values:
                if isinstance(operand, ir.Compare) and tuple(operand.ops) == ("==",):
                    (a, read_a), (b, read_b) = _read_path(operand.left), _read_path(operand.comparators[0])
                    if a is not None and b is not None and a != b and read_a and read_a == read_b:
                        groups.setdefault(frozenset({a, b}), []).append((operand, read_a[-1]))
            for group in groups.values():
                if len(group) >= 3:
                    # (not a password: matched with a user name and a realm, it is a login)
                    out.update(id(c) for c, field in group
                               if not _PASSWORD_WORDS & set(identifier_words(field.strip(".'\""))))
    return out


_PASSWORD_WORDS = frozenset({"password", "passwd", "passphrase", "pwd", "pass"})


_CHANGE_WORDS = frozenset({"changed", "modified", "dirty", "different", "differs", "updated", "same", "unchanged"})


def _change_detection(stmt) -> bool:
    """``changed = position.secret != secret``: a comparison kept to know whether a value changed, not a
    check that admits anyone."""
    return isinstance(stmt, ir.Assign) and isinstance(stmt.value, ir.Compare) and any(
        isinstance(t, ir.NameTarget) and _CHANGE_WORDS & set(identifier_words(t.id)) for t in stmt.targets)


# Calls whose arguments are query expressions: ``Model.token == token`` there builds SQL, the database
# compares (SQLAlchemy ``filter``/``where``/``and_``, Peewee, Django ``Q``...), not Python.
_QUERY_BUILDERS = frozenset({"filter", "filter_by", "where", "having", "join", "outerjoin", "and_", "or_", "not_",
                             "exclude", "select", "Q", "case", "on", "find", "find_one", "get_or_none"})


def _class_field(e) -> bool:
    """``db.ChatBots.webhook_token``, ``Token.auth_token``: a field read from a class (a CapWords name), not from
    an object: an ORM model's column, whose ``==`` builds a query expression the database evaluates, wherever
    the expression goes (``filters = [Model.token == token]``, passed to ``filter(*filters)`` later)."""
    if not isinstance(e, ir.Attr) or e.attr.isupper():
        return False
    base = e.value
    name = base.attr if isinstance(base, ir.Attr) else base.id if isinstance(base, ir.Name) else ""
    return name[:1].isupper() and not name.isupper()


def _root_name(e) -> str | None:
    while isinstance(e, ir.Attr):
        e = e.value
    return e.id if isinstance(e, ir.Name) else None


def _python_compares(e):
    if isinstance(e, ir.Compare):
        yield e
    if isinstance(e, ir.Call):
        name = e.method or (e.qualname or getattr(e.func, "id", None) or "").rpartition(".")[2]
        if name in _QUERY_BUILDERS:
            yield from _python_compares(e.func)
            return
        called = e.func.id if isinstance(e.func, ir.Name) else None
        if called is not None and e.args and all(
                isinstance(a, ir.Compare) and any(isinstance(o, ir.Attr) and _root_name(o) == called
                                                  for o in (a.left, *a.comparators)) for a in e.args):
            return  # pyDAL's ``db(db.client.secret == secret)``: a query of that database object on its own fields
    for child in e.children():
        yield from _python_compares(child)


def _code(module, node) -> str:
    return code_of(module, node, 80)
