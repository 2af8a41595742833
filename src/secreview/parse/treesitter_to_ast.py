"""Tree-sitter based fallback parser producing a Python 3.11 ``ast.Module``.

``ast.parse`` of the running interpreter (3.11) rejects files that use newer
syntax (PEP 695 generics / ``type`` aliases, PEP 696 defaults, PEP 701
f-strings, PEP 750 t-strings, PEP 758 ``except A, B:``) as well as genuinely
broken files (Python 2 code, truncated files).  For those files we parse with
tree-sitter-python, which is error tolerant, and convert its concrete syntax
tree into an ``ast.Module`` built only from node classes that exist in the
3.11 ``ast`` module, so that the rest of the pipeline (which consumes ``ast``)
works unchanged.

Positions follow CPython: 1-based lines, 0-based UTF-8 *byte* column offsets,
which is exactly what tree-sitter points are.  For source that ``ast.parse``
accepts the produced tree is (nearly always) identical to CPython's, including
the 3.11 quirks of f-string node positions.

Extra attributes (ignored by ``ast.dump``/``compile``):

* ``JoinedStr.is_template = True`` for PEP 750 t-strings;
* ``FunctionDef/AsyncFunctionDef/ClassDef.type_params_source`` – the source
  text of the PEP 695 type parameter list (``"[T, *Ts]"``), when present;
* ``Assign.is_type_alias = True`` for ``type X[T] = ...`` statements (plus
  ``type_params_source`` when the alias is generic).

Regions that could not be parsed are reported as :class:`SyntaxProblem`; the
converter never raises and salvages every recognisable statement/expression
(in particular calls) found inside error regions:

* statements and non-trivial expressions inside an ERROR node become
  statements (expressions wrapped in ``ast.Expr``); ``foo(a, k=v`` with the
  closing parenthesis missing becomes a call of ``foo`` with the arguments
  seen; an unparsable block body becomes a synthetic ``pass``, or the
  statements salvaged from it;
* Python 2: ``print x, y`` / ``print >>f, x`` become ``print(...)`` calls,
  ``exec code in ns`` an ``exec(...)`` call, backticks ``repr(...)`` calls,
  ``raise E, msg`` a raise of a tuple (all reported as problems);
  ``except A, B:`` follows PEP 758 (a tuple of exception types);
* targets that cannot be assigned to (``f() = 1``) become the name ``_`` and
  the expression is kept as a statement, so that ``compile()`` accepts the tree.

Nesting deeper than :data:`MAX_DEPTH` converted nodes is cut off (a
``"nesting too deep"`` problem).  The interpreter's recursion limit is raised
for the duration of a conversion when it is lower than that needs.  NUL bytes,
a BOM and lone-CR line ends are handled as CPython does.
"""

from __future__ import annotations

import ast
import codecs
import re
import sys
import threading
import unicodedata
import warnings
from dataclasses import dataclass

__all__ = ["MAX_DEPTH", "SyntaxProblem", "parse_with_tree_sitter"]


@dataclass(frozen=True)
class SyntaxProblem:
    line: int  # 1-based first line of the region that could not be parsed
    end_line: int  # 1-based last line
    message: str  # e.g. "invalid syntax" or "unexpected text 'print \"x\"'"


#: Maximum nesting (in converted tree-sitter nodes) before we stop descending.
MAX_DEPTH = 500

# ---------------------------------------------------------------------------
# parser singleton
# ---------------------------------------------------------------------------

_PARSER = None
_PARSER_LOCK = threading.Lock()


def _parse_tree(data: bytes):
    """Parse ``data`` with the shared tree-sitter parser (thread safe)."""
    global _PARSER
    with _PARSER_LOCK:
        if _PARSER is None:
            import tree_sitter
            import tree_sitter_python

            _PARSER = tree_sitter.Parser(tree_sitter.Language(tree_sitter_python.language()))
        return _PARSER.parse(data)


# ---------------------------------------------------------------------------
# constant tables
# ---------------------------------------------------------------------------

_LOAD = ast.Load()
_STORE = ast.Store()
_DEL = ast.Del()

_BINOPS = {
    "+": ast.Add(), "-": ast.Sub(), "*": ast.Mult(), "@": ast.MatMult(), "/": ast.Div(),
    "%": ast.Mod(), "//": ast.FloorDiv(), "**": ast.Pow(), "|": ast.BitOr(), "&": ast.BitAnd(),
    "^": ast.BitXor(), "<<": ast.LShift(), ">>": ast.RShift(),
}
_AUGOPS = {k + "=": v for k, v in _BINOPS.items()}
_UNARYOPS = {"+": ast.UAdd(), "-": ast.USub(), "~": ast.Invert()}
_CMPOPS = {
    "<": ast.Lt(), "<=": ast.LtE(), "==": ast.Eq(), "!=": ast.NotEq(), ">=": ast.GtE(),
    ">": ast.Gt(), "<>": ast.NotEq(), "in": ast.In(), "not in": ast.NotIn(), "is": ast.Is(),
    "is not": ast.IsNot(),
}
_BITAND = _BINOPS["&"]
_BITXOR = _BINOPS["^"]
_AND = ast.And()
_OR = ast.Or()
_NOT = ast.Not()
_USUB = ast.USub()

_EXTRAS = frozenset(("comment", "line_continuation"))
_NOT_IDENTIFIERS = {"True": True, "False": False, "None": None}
#: keywords since Python 3.7 that tree-sitter still reads as names (``async = 1``)
_KEYWORD_NAMES = frozenset(("async", "await"))
#: string prefixes Python 3.8-3.14 accept, lower-cased (``t`` and ``tr``: 3.14, PEP 750)
_STRING_PREFIXES = frozenset(("", "r", "u", "b", "br", "rb", "f", "fr", "rf", "t", "tr", "rt"))

#: tree-sitter node types that become statements
_STMT_TYPES = frozenset((
    "expression_statement", "return_statement", "delete_statement", "raise_statement",
    "pass_statement", "break_statement", "continue_statement", "global_statement",
    "nonlocal_statement", "import_statement", "import_from_statement",
    "future_import_statement", "assert_statement", "print_statement", "exec_statement",
    "type_alias_statement", "if_statement", "for_statement", "while_statement",
    "try_statement", "with_statement", "function_definition", "class_definition",
    "decorated_definition", "match_statement",
))

#: expression node types that can be the callee of a call
_CALLABLE_TYPES = frozenset(("identifier", "attribute", "subscript", "call", "parenthesized_expression"))

#: expression-like node types that are pure noise when salvaged on their own
_TRIVIAL_EXPRS = frozenset((
    "identifier", "integer", "float", "true", "false", "none", "ellipsis",
))

_ESCAPE_RE = re.compile(
    r"\\(\n|[\\'\"abfnrtv]|[0-7]{1,3}|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|N\{[^}\n]*\})"
)
_FSTR_LITERAL_RE = re.compile(
    r"\\(\n|[\\'\"abfnrtv]|[0-7]{1,3}|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|N\{[^}\n]*\})"
    r"|(\{\{)|(\}\})"
)
_SIMPLE_ESCAPES = {
    "\n": "", "\\": "\\", "'": "'", '"': '"', "a": "\a", "b": "\b", "f": "\f",
    "n": "\n", "r": "\r", "t": "\t", "v": "\v",
}


def _unescape_match(m: re.Match) -> str:
    e = m.group(1)
    if e is None:  # '{{' or '}}' in an f-string literal
        return "{" if m.group(2) else "}"
    c = e[0]
    r = _SIMPLE_ESCAPES.get(e)
    if r is not None:
        return r
    try:
        if c == "x" or c == "u" or c == "U":
            return chr(int(e[1:], 16))
        if c == "N":
            return unicodedata.lookup(e[2:-1])
        return chr(int(e, 8))
    except (ValueError, KeyError, OverflowError):
        return m.group(0)


def _decode_str(text: str, raw: bool) -> str:
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if raw or "\\" not in text:
        return text
    return _ESCAPE_RE.sub(_unescape_match, text)


def _decode_fstr_literal(text: str, raw: bool) -> str:
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if raw:
        if "{{" in text or "}}" in text:
            return text.replace("{{", "{").replace("}}", "}")
        return text
    if "\\" not in text and "{{" not in text and "}}" not in text:
        return text
    return _FSTR_LITERAL_RE.sub(_unescape_match, text)


def _decode_bytes(data: bytes, raw: bool) -> bytes:
    if b"\r" in data:
        data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    if raw or b"\\" not in data:
        return data
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return codecs.escape_decode(data)[0]
    except Exception:  # noqa: BLE001 - invalid \x escape etc.
        return data


# ---------------------------------------------------------------------------
# the converter
# ---------------------------------------------------------------------------


class _Converter:
    def __init__(self, src: bytes):
        self.src = src
        self.problems: list[SyntaxProblem] = []
        self.depth = 0
        self.pending: list[ast.stmt] = []  # statements salvaged from errors inside expressions
        self._too_deep_reported: set[int] = set()
        self.semi_end: dict[int, tuple] = {}
        self.salvaged: set[tuple[int, int]] = set()  # ERROR nodes already salvaged
        self.backticks: set[int] = set()  # start bytes of Python 2 `x` (patched to "(x)")
        self.synthetic: set[int] = set()  # ids of synthetic ``pass`` statements
        self.paren_span: dict[int, tuple] = {}  # BinOps written in parentheses
        E = self._expr_dispatch = {
            "identifier": self.e_identifier,
            "keyword_identifier": self.e_identifier,
            "string": self.e_string,
            "concatenated_string": self.e_string,
            "integer": self.e_integer,
            "float": self.e_float,
            "true": self.e_true,
            "false": self.e_false,
            "none": self.e_none,
            "ellipsis": self.e_ellipsis,
            "unary_operator": self.e_unary,
            "not_operator": self.e_not,
            "binary_operator": self.e_binary,
            "boolean_operator": self.e_boolean,
            "comparison_operator": self.e_compare,
            "lambda": self.e_lambda,
            "conditional_expression": self.e_conditional,
            "named_expression": self.e_named,
            "await": self.e_await,
            "attribute": self.e_attribute,
            "subscript": self.e_subscript,
            "call": self.e_call,
            "list": self.e_list,
            "set": self.e_set,
            "tuple": self.e_tuple,
            "dictionary": self.e_dict,
            "list_comprehension": self.e_listcomp,
            "set_comprehension": self.e_setcomp,
            "dictionary_comprehension": self.e_dictcomp,
            "generator_expression": self.e_genexp,
            "parenthesized_expression": self.e_paren,
            "list_splat": self.e_starred,
            "list_splat_pattern": self.e_starred,
            "parenthesized_list_splat": self.e_paren,
            "yield": self.e_yield,
            "expression_list": self.e_bare_tuple,
            "pattern_list": self.e_bare_tuple,
            "tuple_pattern": self.e_tuple,
            "list_pattern": self.e_list,
            "type": self.e_type,
            "generic_type": self.e_generic_type,
            "union_type": self.e_union_type,
            "member_type": self.e_member_type,
            "splat_type": self.e_splat_type,
            "constrained_type": self.e_constrained_type,
            "as_pattern": self.e_as_pattern,
            "as_pattern_target": self.e_type,
            "case_pattern": self.e_type,
            "dotted_name": self.e_dotted_name,
            "slice": self.e_slice,
            "ERROR": self.e_error,
        }
        self._expr_types = frozenset(E) - {"ERROR", "case_pattern", "as_pattern_target"}
        self._stmt_dispatch = {
            "expression_statement": self.s_expression_statement,
            "return_statement": self.s_return,
            "delete_statement": self.s_delete,
            "raise_statement": self.s_raise,
            "pass_statement": self.s_pass,
            "break_statement": self.s_break,
            "continue_statement": self.s_continue,
            "global_statement": self.s_global,
            "nonlocal_statement": self.s_nonlocal,
            "import_statement": self.s_import,
            "import_from_statement": self.s_import_from,
            "future_import_statement": self.s_future_import,
            "assert_statement": self.s_assert,
            "print_statement": self.s_print,
            "exec_statement": self.s_exec,
            "type_alias_statement": self.s_type_alias,
            "if_statement": self.s_if,
            "for_statement": self.s_for,
            "while_statement": self.s_while,
            "try_statement": self.s_try,
            "with_statement": self.s_with,
            "function_definition": self.s_function,
            "class_definition": self.s_class,
            "decorated_definition": self.s_decorated,
            "match_statement": self.s_match,
        }

    # ----------------------------------------------------------------- utils

    def text(self, n) -> str:
        return self.src[n.start_byte:n.end_byte].decode("utf-8", "surrogatepass")

    def ident(self, n) -> str:
        """Text of an identifier node usable as an ``ast`` identifier field."""
        name = self.src[n.start_byte:n.end_byte].decode("utf-8", "surrogatepass")
        if not name.isascii():
            name = unicodedata.normalize("NFKC", name)
        if not name or name in _NOT_IDENTIFIERS:
            return "_"
        if name in _KEYWORD_NAMES:
            self.problem(n, f"{name!r} is a keyword")
        return sys.intern(name)  # as CPython's parser: one object per identifier, not per occurrence

    @staticmethod
    def at(a, n):
        s = n.start_point
        e = n.end_point
        a.lineno = s[0] + 1
        a.col_offset = s[1]
        a.end_lineno = e[0] + 1
        a.end_col_offset = e[1]
        return a

    @staticmethod
    def span(a, start, end):
        """Position ``a`` from the start of ts node ``start`` to the end of ts node ``end``."""
        s = start.start_point
        e = end.end_point
        a.lineno = s[0] + 1
        a.col_offset = s[1]
        a.end_lineno = e[0] + 1
        a.end_col_offset = e[1]
        return a

    @staticmethod
    def copy_loc(a, b):
        a.lineno = b.lineno
        a.col_offset = b.col_offset
        a.end_lineno = b.end_lineno
        a.end_col_offset = b.end_col_offset
        return a

    @staticmethod
    def end_at(a, last):
        """Set the end of ast node ``a`` to the end of ast node ``last`` (if that is after its start)."""
        if (last.end_lineno, last.end_col_offset) >= (a.lineno, a.col_offset):
            a.end_lineno = last.end_lineno
            a.end_col_offset = last.end_col_offset
        return a

    @staticmethod
    def named(n):
        return [c for c in n.named_children if c.type not in _EXTRAS]

    def problem(self, n, message: str, end=None) -> None:
        end = end if end is not None else n
        self.problems.append(SyntaxProblem(n.start_point[0] + 1, end.end_point[0] + 1, message))

    def snippet(self, n, limit: int = 60) -> str:
        t = self.src[n.start_byte:min(n.end_byte, n.start_byte + 4 * limit)].decode("utf-8", "replace")
        t = t.strip().split("\n", 1)[0].rstrip()
        if len(t) > limit:
            t = t[:limit] + "..."
        return t

    def placeholder(self, n):
        return self.at(ast.Constant(value=None, kind=None), n)

    def too_deep(self, n):
        key = n.start_byte
        if key not in self._too_deep_reported:
            self._too_deep_reported.add(key)
            self.problem(n, "nesting too deep")

    # ------------------------------------------------------------ dispatch

    def expr(self, n):
        fn = self._expr_dispatch.get(n.type)
        if fn is None:
            return self.e_unknown(n)
        d = self.depth + 1
        if d > MAX_DEPTH:
            self.too_deep(n)
            return self.placeholder(n)
        self.depth = d
        try:
            return fn(n)
        except Exception as exc:  # noqa: BLE001 - must never raise
            self.problem(n, f"could not convert {n.type}: {type(exc).__name__}")
            self.salvage_pending(n)
            return self.placeholder(n)
        finally:
            self.depth = d - 1

    def expr_opt(self, n):
        return None if n is None else self.expr(n)

    def stmt(self, n):
        """Convert a statement node: returns an ast.stmt, a list of them, or None."""
        t = n.type
        fn = self._stmt_dispatch.get(t)
        d = self.depth + 1
        if d > MAX_DEPTH:
            self.too_deep(n)
            return None
        self.depth = d
        try:
            if fn is not None:
                r = fn(n)
                if n.has_error:
                    extra = self.orphan_errors(n)
                    if extra:
                        if r is None:
                            return extra
                        body = getattr(r, "body", None)
                        if type(body) is list and len(body) == 1 and id(body[0]) in self.synthetic:
                            # "if x:" whose body tree-sitter could not parse: keep it inside
                            r.body = extra
                            self.end_at(r, extra[-1])
                            return r
                        return ([r] if type(r) is not list else r) + extra
                return r
            if t == "ERROR":
                out: list = []
                self.salvage(n, out)
                return out
            if t in self._expr_types:
                e = self.expr(n)
                return self.at(ast.Expr(value=e), n)
            if t in _EXTRAS or not n.is_named:
                return None
            self.problem(n, f"unexpected {t}")
            out = []
            self.salvage(n, out)
            return out
        except Exception as exc:  # noqa: BLE001
            self.problem(n, f"could not convert {t}: {type(exc).__name__}")
            out = []
            try:
                self.salvage(n, out)
            except Exception:  # noqa: BLE001, S110 - best effort only
                pass
            return out
        finally:
            self.depth = d - 1

    def body(self, n):
        """Convert the statements of a block / module node."""
        out: list = []
        if n is None:
            return out
        saved = self.pending  # statements salvaged in the enclosing header stay outside
        pending = self.pending = []
        try:
            self._body(n, out, pending)
        finally:
            self.pending = saved
        return out

    def _body(self, n, out, pending):
        for c in n.children:
            t = c.type
            if t in _EXTRAS or not c.is_named:
                if t == ";" and out:
                    # CPython ends a compound statement after a trailing ';' of its block
                    self.semi_end[id(out[-1])] = c.end_point
                continue
            r = self.stmt(c)
            if r is not None:
                if type(r) is list:
                    out.extend(r)
                else:
                    out.append(r)
            if pending:
                out.extend(pending)
                pending.clear()

    def suite(self, owner, n):
        """Body of a compound statement; an unparsable body becomes a synthetic ``pass``."""
        stmts = self.body(n)
        if not stmts:
            if n is None or n.start_byte == n.end_byte or not n.named_children:
                self.problem(owner, "expected an indented block")
            p = self.at(ast.Pass(), n if n is not None else owner)
            self.synthetic.add(id(p))
            stmts = [p]
        return stmts

    def orphan_errors(self, n) -> list:
        """Salvage ERROR nodes below statement ``n`` that its converter did not visit."""
        out: list = []
        stack = [c for c in n.children if c.has_error]
        while stack:
            c = stack.pop()
            t = c.type
            if t == "ERROR":
                if (c.start_byte, c.end_byte) not in self.salvaged:
                    self.salvage(c, out)
                continue
            if t == "block" or t in _STMT_TYPES:
                continue  # converted (and checked) on their own
            stack.extend(x for x in c.children if x.has_error)
        if self.pending:
            out.extend(self.pending)
            self.pending.clear()
        return out

    def salvage(self, n, out: list) -> None:
        """Convert every recognisable statement / expression below ``n`` into ``out``."""
        d = self.depth + 1
        if d > MAX_DEPTH:
            self.too_deep(n)
            return
        self.depth = d
        if n.type == "ERROR":
            self.salvaged.add((n.start_byte, n.end_byte))
        try:
            children = n.children
            count = len(children)
            i = 0
            while i < count:
                c = children[i]
                i += 1
                if not c.is_named:
                    continue
                t = c.type
                if t in _EXTRAS:
                    continue
                if t in _STMT_TYPES:
                    r = self.stmt(c)
                    if r is not None:
                        if type(r) is list:
                            out.extend(r)
                        else:
                            out.append(r)
                elif t in self._expr_types:
                    if t == "call" and i >= 2 and children[i - 2].type in ("def", "class", "identifier") and \
                            self.src[children[i - 2].start_byte:children[i - 2].end_byte] in (b"def", b"class"):
                        continue  # "def f(x):" read as the call "f(x)"
                    if i < count and children[i].type == "(" and t in _CALLABLE_TYPES:
                        # "foo(1, x" with the closing parenthesis missing: keep the call
                        prev = children[i - 2] if i >= 2 else None
                        if prev is not None and prev.type in ("def", "class", "identifier") and \
                                self.src[prev.start_byte:prev.end_byte] in (b"def", b"class"):
                            continue  # a broken definition header, not a call
                        i = self.pseudo_call(c, children, i, out)
                        continue
                    if t in _TRIVIAL_EXPRS:
                        continue
                    if t == "string" and not any(x.type == "interpolation" for x in c.children):
                        continue
                    e = self.expr(c)
                    if not isinstance(e, ast.Constant):
                        out.append(self.at(ast.Expr(value=e), c))
                else:
                    self.salvage(c, out)
                if self.pending:
                    out.extend(self.pending)
                    self.pending.clear()
        finally:
            self.depth = d - 1

    def pseudo_call(self, func_node, children, i, out) -> int:
        """Build a Call for ``func_node`` followed by an unclosed '(' at ``children[i]``.

        Following sibling expressions become arguments (``name = value`` pairs
        keywords) up to a ')' or anything else.  Returns the index to resume at.
        """
        func = self.expr(func_node)
        last = children[i]
        i += 1
        args: list = []
        keywords: list = []
        count = len(children)
        while i < count:
            c = children[i]
            t = c.type
            if t == ")":
                last = c
                i += 1
                break
            if t == "," or t in _EXTRAS:
                i += 1
                continue
            if t == "keyword_argument":
                name = c.child_by_field_name("name")
                val = c.child_by_field_name("value")
                value = self.expr(val) if val is not None else self.placeholder(c)
                arg = self.ident(name) if name is not None else None
                keywords.append(self.at(ast.keyword(arg=arg, value=value), c))
                last = c
                i += 1
                continue
            if t == "list_splat" or t == "dictionary_splat":
                kids = self.named(c)
                v = self.expr(kids[0]) if kids else self.placeholder(c)
                if t == "list_splat":
                    args.append(self.at(ast.Starred(value=v, ctx=_LOAD), c))
                else:
                    keywords.append(self.at(ast.keyword(arg=None, value=v), c))
                last = c
                i += 1
                continue
            if not c.is_named or t not in self._expr_types:
                break
            if i + 1 < count and children[i + 1].type == "(" and t in _CALLABLE_TYPES:
                break  # a nested unclosed call: handled by the caller's loop
            if t == "identifier" and i + 2 < count and children[i + 1].type == "=" and \
                    children[i + 2].is_named and children[i + 2].type in self._expr_types:
                val = children[i + 2]
                keywords.append(self.span(ast.keyword(arg=self.ident(c), value=self.expr(val)), c, val))
                last = val
                i += 3
                continue
            if t == "identifier" and i + 1 < count and children[i + 1].type == "=":
                last = children[i + 1]
                i += 2  # "name=" without a value
                continue
            args.append(self.expr(c))
            last = c
            i += 1
        call = self.span(ast.Call(func=func, args=args, keywords=keywords), func_node, last)
        out.append(self.copy_loc(ast.Expr(value=call), call))
        return i

    def salvage_pending(self, n) -> None:
        out: list = []
        saved = self.pending
        self.pending = []
        try:
            self.salvage(n, out)
        except Exception:  # noqa: BLE001, S110 - best effort only
            pass
        finally:
            out.extend(self.pending)
            self.pending = saved
        saved.extend(out)

    # ------------------------------------------------------------ ctx handling

    def set_ctx(self, e, ctx):
        """Give target ``e`` the context ``ctx``; returns the (possibly replaced) target.

        Expressions that cannot be assigned to (``f() = 1`` in broken code) are
        kept as an expression statement (so that calls in them are not lost)
        and replaced by the name ``_``.
        """
        t = type(e)
        if t is ast.Name or t is ast.Attribute or t is ast.Subscript:
            e.ctx = ctx
        elif t is ast.Tuple or t is ast.List:
            e.ctx = ctx
            elts = e.elts
            for i, x in enumerate(elts):
                elts[i] = self.set_ctx(x, ctx)
        elif t is ast.Starred:
            e.ctx = ctx
            e.value = self.set_ctx(e.value, ctx)
        else:
            if t is not ast.Constant:
                self.pending.append(self.copy_loc(ast.Expr(value=e), e))
            return self.copy_loc(ast.Name(id="_", ctx=ctx), e)
        return e

    def target(self, n):
        return self.set_ctx(self.expr(n), _STORE)

    def single_target(self, e, n, what):
        """Target of an augmented assignment / walrus: must be a name (or attribute/subscript)."""
        t = type(e)
        if t is ast.Name or (what == "augmented" and (t is ast.Attribute or t is ast.Subscript)):
            e.ctx = _STORE
            return e
        self.problem(n, f"invalid {what} target")
        if t is not ast.Constant:
            self.pending.append(self.copy_loc(ast.Expr(value=e), e))
        return self.copy_loc(ast.Name(id="_", ctx=_STORE), e)

    # ------------------------------------------------------------ expressions

    def e_unknown(self, n):
        if n.is_named and n.type not in _EXTRAS:
            self.problem(n, f"unexpected {n.type}")
            self.salvage_pending(n)
        return self.placeholder(n)

    def e_error(self, n):
        self.salvaged.add((n.start_byte, n.end_byte))
        kids = self.named(n)
        if len(kids) == 1 and kids[0].type in self._expr_types:
            has_tokens = any(not c.is_named for c in n.children)
            if not has_tokens:
                return self.expr(kids[0])
        self.salvage_pending(n)
        return self.placeholder(n)

    def e_identifier(self, n):
        if n.start_byte == n.end_byte:  # MISSING identifier
            return self.placeholder(n)
        name = self.src[n.start_byte:n.end_byte].decode("utf-8", "surrogatepass")
        if not name.isascii():
            name = unicodedata.normalize("NFKC", name)
        if name in _NOT_IDENTIFIERS:
            return self.at(ast.Constant(value=_NOT_IDENTIFIERS[name], kind=None), n)
        if name in _KEYWORD_NAMES:
            self.problem(n, f"{name!r} is a keyword")
        return self.at(ast.Name(id=sys.intern(name), ctx=_LOAD), n)

    def e_dotted_name(self, n):
        kids = [c for c in n.children if c.type == "identifier"]
        if not kids:
            return self.placeholder(n)
        e = self.e_identifier(kids[0])
        for k in kids[1:]:
            e = self.span(ast.Attribute(value=e, attr=self.ident(k), ctx=_LOAD), kids[0], k)
        return e

    def e_integer(self, n):
        t = self.src[n.start_byte:n.end_byte].decode("ascii", "replace").replace("_", "")
        last = t[-1:]
        if last in ("j", "J"):
            return self.at(ast.Constant(value=complex(0, float(t[:-1])), kind=None), n)
        if last in ("l", "L"):
            self.problem(n, f"python 2 long literal {t!r}")
            t = t[:-1]
        try:
            v = int(t, 0)
        except ValueError:
            try:
                v = int(t, 8)
                self.problem(n, f"python 2 octal literal {t!r}")
            except ValueError:
                self.problem(n, f"invalid number {t!r}")
                v = 0
        return self.at(ast.Constant(value=v, kind=None), n)

    def e_float(self, n):
        t = self.src[n.start_byte:n.end_byte].decode("ascii", "replace").replace("_", "")
        if t[-1:] in ("j", "J"):
            v = complex(0, float(t[:-1]))
        else:
            v = float(t)
        return self.at(ast.Constant(value=v, kind=None), n)

    def e_true(self, n):
        return self.at(ast.Constant(value=True, kind=None), n)

    def e_false(self, n):
        return self.at(ast.Constant(value=False, kind=None), n)

    def e_none(self, n):
        return self.at(ast.Constant(value=None, kind=None), n)

    def e_ellipsis(self, n):
        return self.at(ast.Constant(value=..., kind=None), n)

    def e_unary(self, n):
        op = _UNARYOPS.get(n.child_by_field_name("operator").type, _USUB)
        return self.at(ast.UnaryOp(op=op, operand=self.expr(n.child_by_field_name("argument"))), n)

    def e_not(self, n):
        arg = n.child_by_field_name("argument")
        return self.at(ast.UnaryOp(op=_NOT, operand=self.expr(arg) if arg is not None else self.placeholder(n)), n)

    def e_binary(self, n):
        op = _BINOPS.get(n.child_by_field_name("operator").type)
        left = self.expr(n.child_by_field_name("left"))
        right = self.expr(n.child_by_field_name("right"))
        if op is None:
            self.problem(n, "unknown binary operator")
            op = _BINOPS["+"]
        node = self.at(ast.BinOp(left=left, op=op, right=right), n)
        if op is _BITAND:
            node = self.fix_xor_and(node)
        # "*a + b" may come out as "(*a) + b": move the star to the top
        parent = None
        cur = node
        while type(cur) is ast.BinOp:
            parent = cur
            cur = cur.left
        if type(cur) is ast.Starred and parent is not None:
            parent.left = cur.value
            p = parent
            while True:  # re-span the left spine
                p.lineno = cur.value.lineno
                p.col_offset = cur.value.col_offset
                if p is node:
                    break
                q = node
                while q.left is not p:
                    q = q.left
                p = q
            cur.value = node
            cur.end_lineno = node.end_lineno
            cur.end_col_offset = node.end_col_offset
            return cur
        return node

    def _start(self, e):
        p = self.paren_span.get(id(e))
        if p is not None:
            return p[0]
        return (e.lineno, e.col_offset)

    def _end(self, e):
        p = self.paren_span.get(id(e))
        if p is not None:
            return p[1]
        return (e.end_lineno, e.end_col_offset)

    def _respan(self, node):
        node.lineno, node.col_offset = self._start(node.left)
        node.end_lineno, node.end_col_offset = self._end(node.right)
        return node

    def _chain(self, e, operands, ops):
        if (type(e) is ast.Starred and not operands and type(e.value) is ast.BinOp
                and id(e.value) not in self.paren_span):
            # "*a ^ b" already hoisted to "*(a ^ b)": push the star back to the operand
            self._chain(e.value, operands, ops)
            first = operands[0]
            e.value = first
            e.end_lineno = first.end_lineno
            e.end_col_offset = first.end_col_offset
            operands[0] = e
            return
        if type(e) is ast.BinOp and (e.op is _BITXOR or e.op is _BITAND) and id(e) not in self.paren_span:
            self._chain(e.left, operands, ops)
            ops.append(e.op)
            self._chain(e.right, operands, ops)
        else:
            operands.append(e)

    def fix_xor_and(self, node):
        """tree-sitter-python gives '^' a higher precedence than '&': rebuild the chain."""
        operands: list = []
        ops: list = []
        self._chain(node, operands, ops)
        if _BITXOR not in ops:
            return node
        # '&' binds tighter than '^'; both are left associative
        terms = []
        cur = operands[0]
        for op, rhs in zip(ops, operands[1:]):
            if op is _BITAND:
                cur = self._respan(ast.BinOp(left=cur, op=_BITAND, right=rhs))
            else:
                terms.append(cur)
                cur = rhs
        terms.append(cur)
        res = terms[0]
        for t in terms[1:]:
            res = self._respan(ast.BinOp(left=res, op=_BITXOR, right=t))
        return res

    def e_boolean(self, n):
        opn = n.child_by_field_name("operator")
        optype = opn.type
        op = _AND if optype == "and" else _OR
        # flatten left-nested chains of the same operator: a and b and c
        rights = []
        cur = n
        while True:
            rights.append(cur.child_by_field_name("right"))
            left = cur.child_by_field_name("left")
            if left.type == "boolean_operator" and left.child_by_field_name("operator").type == optype:
                cur = left
                continue
            break
        values = [self.expr(left)]
        for r in reversed(rights):
            values.append(self.expr(r))
        return self.at(ast.BoolOp(op=op, values=values), n)

    def e_compare(self, n):
        ops = []
        comparators = []
        left = None
        for c in n.children:
            if c.is_named:
                if c.type in _EXTRAS:
                    continue
                if left is None:
                    left = self.expr(c)
                else:
                    comparators.append(self.expr(c))
            else:
                op = _CMPOPS.get(c.type)
                if op is not None:
                    if c.type == "<>":
                        self.problem(c, "python 2 '<>' operator")
                    ops.append(op)
        if left is None:
            left = self.placeholder(n)
        if len(ops) != len(comparators):
            k = min(len(ops), len(comparators))
            for extra in comparators[k:]:
                self.pending.append(self.copy_loc(ast.Expr(value=extra), extra))
            ops = ops[:k]
            comparators = comparators[:k]
            if not ops:
                return left
        return self.at(ast.Compare(left=left, ops=ops, comparators=comparators), n)

    def e_lambda(self, n):
        args = self.parameters(n.child_by_field_name("parameters"))
        body = n.child_by_field_name("body")
        return self.at(ast.Lambda(args=args, body=self.expr(body) if body is not None else self.placeholder(n)), n)

    def e_conditional(self, n):
        kids = self.named(n)
        if len(kids) < 3:
            self.salvage_pending(n)
            return self.placeholder(n)
        return self.at(ast.IfExp(test=self.expr(kids[1]), body=self.expr(kids[0]), orelse=self.expr(kids[2])), n)

    def e_named(self, n):
        nm = n.child_by_field_name("name")
        name = self.single_target(self.expr(nm) if nm is not None else self.placeholder(n), n, "walrus")
        return self.at(ast.NamedExpr(target=name, value=self.expr(n.child_by_field_name("value"))), n)

    def e_await(self, n):
        kids = self.named(n)
        v = self.expr(kids[0]) if kids else self.placeholder(n)
        return self.at(ast.Await(value=v), n)

    @staticmethod
    def hoist_star(node, field):
        """tree-sitter reads ``*a.b()`` as ``(*a).b()`` in some contexts: move the star out."""
        star = getattr(node, field)
        if type(star) is not ast.Starred:
            return node
        inner = star.value
        setattr(node, field, inner)
        node.lineno = inner.lineno
        node.col_offset = inner.col_offset
        star.value = node
        star.end_lineno = node.end_lineno
        star.end_col_offset = node.end_col_offset
        return star

    def e_attribute(self, n):
        obj = self.expr(n.child_by_field_name("object"))
        attr = n.child_by_field_name("attribute")
        name = self.ident(attr) if attr is not None else "_"
        node = self.at(ast.Attribute(value=obj, attr=name, ctx=_LOAD), n)
        if type(obj) is ast.Starred:
            return self.hoist_star(node, "value")
        return node

    def e_subscript(self, n):
        value = self.expr(n.child_by_field_name("value"))
        subs = n.children_by_field_name("subscript")
        sl = self.subscript_slice(n, subs)
        node = self.at(ast.Subscript(value=value, slice=sl, ctx=_LOAD), n)
        if type(value) is ast.Starred:
            return self.hoist_star(node, "value")
        return node

    def subscript_slice(self, n, subs):
        if not subs:
            return self.placeholder(n)
        # trailing comma?  find the token right before ']'
        children = n.children
        last_tok = None
        for c in reversed(children):
            if c.type == "]" or c.type in _EXTRAS or c.is_missing:
                continue
            last_tok = c
            break
        if len(subs) == 1 and (last_tok is None or last_tok.type != ","):
            e = self.expr(subs[0])
            if type(e) is ast.Starred:  # a[*b] is a[(*b,)]
                return self.copy_loc(ast.Tuple(elts=[e], ctx=_LOAD), e)
            return e
        elts = [self.expr(s) for s in subs]
        return self.span(ast.Tuple(elts=elts, ctx=_LOAD), subs[0], last_tok or subs[-1])

    def e_slice(self, n):
        parts: list = [None, None, None]
        i = 0
        for c in n.children:
            if c.type == ":":
                i += 1
            elif c.is_named and c.type not in _EXTRAS and i < 3:
                parts[i] = self.expr(c)
        return self.at(ast.Slice(lower=parts[0], upper=parts[1], step=parts[2]), n)

    def e_call(self, n):
        func = self.expr(n.child_by_field_name("function"))
        a = n.child_by_field_name("arguments")
        if a is None:
            args, keywords = [], []
        elif a.type == "generator_expression":
            args, keywords = [self.expr(a)], []
        else:
            args, keywords = self.arguments(a)
        node = self.at(ast.Call(func=func, args=args, keywords=keywords), n)
        if type(func) is ast.Starred:
            return self.hoist_star(node, "func")
        return node

    def arguments(self, a):
        args = []
        keywords = []
        for c in a.named_children:
            t = c.type
            if t == "keyword_argument":
                name = c.child_by_field_name("name")
                val = c.child_by_field_name("value")
                kw = ast.keyword(arg=self.ident(name) if name is not None else None,
                                 value=self.expr(val) if val is not None else self.placeholder(c))
                keywords.append(self.at(kw, c))
            elif t == "dictionary_splat":
                kids = self.named(c)
                val = self.expr(kids[0]) if kids else self.placeholder(c)
                keywords.append(self.at(ast.keyword(arg=None, value=val), c))
            elif t in _EXTRAS:
                continue
            elif t == "ERROR":
                self.salvage_pending(c)
            else:
                args.append(self.expr(c))
        return args, keywords

    def elements(self, n):
        out = []
        for c in n.named_children:
            t = c.type
            if t in _EXTRAS:
                continue
            if t == "ERROR":
                self.salvage_pending(c)
                continue
            out.append(self.expr(c))
        return out

    def e_list(self, n):
        return self.at(ast.List(elts=self.elements(n), ctx=_LOAD), n)

    def e_set(self, n):
        return self.at(ast.Set(elts=self.elements(n)), n)

    def e_tuple(self, n):
        elts = self.elements(n)
        if len(elts) == 1 and n.type == "tuple_pattern" and not any(c.type == "," for c in n.children):
            return elts[0]  # "(x)" used as a target is just a parenthesised name
        return self.at(ast.Tuple(elts=elts, ctx=_LOAD), n)

    def e_bare_tuple(self, n):
        return self.at(ast.Tuple(elts=self.elements(n), ctx=_LOAD), n)

    def e_dict(self, n):
        keys = []
        values = []
        for c in n.named_children:
            t = c.type
            if t == "pair":
                k = c.child_by_field_name("key")
                v = c.child_by_field_name("value")
                keys.append(self.expr(k) if k is not None else self.placeholder(c))
                values.append(self.expr(v) if v is not None else self.placeholder(c))
            elif t == "dictionary_splat":
                kids = self.named(c)
                keys.append(None)
                values.append(self.expr(kids[0]) if kids else self.placeholder(c))
            elif t == "ERROR":
                self.salvage_pending(c)
            elif t not in _EXTRAS:
                self.problem(c, f"unexpected {t} in dict display")
                self.salvage_pending(c)
        return self.at(ast.Dict(keys=keys, values=values), n)

    def comprehension(self, n):
        gens = []
        for c in n.named_children:
            t = c.type
            if t == "for_in_clause":
                left = c.child_by_field_name("left")
                rights = c.children_by_field_name("right")
                tgt = self.target(left) if left is not None else self.placeholder(c)
                if len(rights) == 1:
                    it = self.expr(rights[0])
                elif rights:
                    it = self.span(ast.Tuple(elts=[self.expr(r) for r in rights], ctx=_LOAD), rights[0], rights[-1])
                else:
                    it = self.placeholder(c)
                is_async = 1 if c.children and c.children[0].type == "async" else 0
                gens.append(ast.comprehension(target=tgt, iter=it, ifs=[], is_async=is_async))
            elif t == "if_clause":
                kids = self.named(c)
                cond = self.expr(kids[0]) if kids else self.placeholder(c)
                if gens:
                    gens[-1].ifs.append(cond)
            elif t == "ERROR":
                self.salvage_pending(c)
        return gens

    def e_listcomp(self, n):
        body = n.child_by_field_name("body")
        return self.at(ast.ListComp(elt=self.expr(body), generators=self.comprehension(n)), n)

    def e_setcomp(self, n):
        body = n.child_by_field_name("body")
        return self.at(ast.SetComp(elt=self.expr(body), generators=self.comprehension(n)), n)

    def e_genexp(self, n):
        body = n.child_by_field_name("body")
        return self.at(ast.GeneratorExp(elt=self.expr(body), generators=self.comprehension(n)), n)

    def e_dictcomp(self, n):
        body = n.child_by_field_name("body")
        k = body.child_by_field_name("key") if body is not None else None
        v = body.child_by_field_name("value") if body is not None else None
        return self.at(ast.DictComp(key=self.expr(k) if k is not None else self.placeholder(n),
                                    value=self.expr(v) if v is not None else self.placeholder(n),
                                    generators=self.comprehension(n)), n)

    def e_paren(self, n):
        kids = self.named(n)
        if self.backticks and n.start_byte in self.backticks:
            self.problem(n, f"python 2 backtick repr {self.snippet(n)!r}")
            arg = self.expr(kids[0]) if len(kids) == 1 else self.placeholder(n)
            s = n.start_point
            func = ast.Name(id="repr", ctx=_LOAD, lineno=s[0] + 1, col_offset=s[1],
                            end_lineno=s[0] + 1, end_col_offset=s[1] + 1)
            return self.at(ast.Call(func=func, args=[arg], keywords=[]), n)
        if len(kids) == 1:
            e = self.expr(kids[0])
            if hasattr(e, "lineno"):
                s = n.start_point
                t = n.end_point
                self.paren_span[id(e)] = ((s[0] + 1, s[1]), (t[0] + 1, t[1]))
            return e
        if not kids:
            return self.placeholder(n)
        # e.g. ERROR + expression inside parentheses
        first = None
        for k in kids:
            if k.type == "ERROR":
                self.salvage_pending(k)
            elif first is None:
                first = self.expr(k)
            else:
                self.pending.append(self.at(ast.Expr(value=self.expr(k)), k))
        return first if first is not None else self.placeholder(n)

    def e_starred(self, n):
        kids = self.named(n)
        v = self.expr(kids[0]) if kids else self.placeholder(n)
        return self.at(ast.Starred(value=v, ctx=_LOAD), n)

    def e_yield(self, n):
        is_from = False
        val = None
        for c in n.children:
            t = c.type
            if t == "from":
                is_from = True
            elif c.is_named and t not in _EXTRAS:
                val = self.expr(c)
        if is_from:
            return self.at(ast.YieldFrom(value=val if val is not None else self.placeholder(n)), n)
        return self.at(ast.Yield(value=val), n)

    def e_type(self, n):
        kids = self.named(n)
        if len(kids) == 1:
            return self.expr(kids[0])
        if not kids:
            return self.placeholder(n)
        self.salvage_pending(n)
        return self.placeholder(n)

    def e_generic_type(self, n):
        kids = self.named(n)
        base = self.expr(kids[0]) if kids else self.placeholder(n)
        tp = None
        for k in kids[1:]:
            if k.type == "type_parameter":
                tp = k
        if tp is None:
            return base
        return self.at(ast.Subscript(value=base, slice=self.type_parameter_slice(tp), ctx=_LOAD), n)

    def type_parameter_slice(self, tp):
        types = [c for c in tp.named_children if c.type not in _EXTRAS]
        last_tok = None
        for c in reversed(tp.children):
            if c.type == "]" or c.type in _EXTRAS or c.is_missing:
                continue
            last_tok = c
            break
        if len(types) == 1 and (last_tok is None or last_tok.type != ","):
            e = self.expr(types[0])
            if type(e) is ast.Starred:
                return self.copy_loc(ast.Tuple(elts=[e], ctx=_LOAD), e)
            return e
        if not types:
            return self.placeholder(tp)
        return self.span(ast.Tuple(elts=[self.expr(t) for t in types], ctx=_LOAD), types[0], last_tok or types[-1])

    def e_union_type(self, n):
        kids = self.named(n)
        if len(kids) != 2:
            return self.e_type(n)
        return self.at(ast.BinOp(left=self.expr(kids[0]), op=_BINOPS["|"], right=self.expr(kids[1])), n)

    def e_member_type(self, n):
        kids = self.named(n)
        if len(kids) != 2:
            return self.e_type(n)
        return self.at(ast.Attribute(value=self.expr(kids[0]), attr=self.ident(kids[1]), ctx=_LOAD), n)

    def e_splat_type(self, n):
        kids = self.named(n)
        v = self.expr(kids[0]) if kids else self.placeholder(n)
        return self.at(ast.Starred(value=v, ctx=_LOAD), n)

    def e_constrained_type(self, n):
        kids = self.named(n)
        return self.expr(kids[0]) if kids else self.placeholder(n)

    def e_as_pattern(self, n):
        # "x as y" outside with/except/case: not valid Python; keep the value
        kids = self.named(n)
        self.problem(n, f"unexpected text {self.snippet(n)!r}")
        if len(kids) >= 2:
            self.pending.append(self.at(ast.Expr(value=self.expr(kids[1])), kids[1]))
        return self.expr(kids[0]) if kids else self.placeholder(n)

    # ------------------------------------------------------------ strings

    def e_string(self, n):
        if n.type == "string":
            pieces = [n]
        else:
            pieces = [c for c in n.children if c.type == "string"]
            if not pieces:
                return self.placeholder(n)
        infos = []
        formatted = False
        template = False
        src = self.src
        for p in pieces:
            ch = p.children
            if not ch or ch[0].type != "string_start":
                infos.append((p, ch, "", p.start_byte, p.end_byte))
                continue
            st = ch[0]
            stxt = src[st.start_byte:st.end_byte]
            i = 0
            while i < len(stxt) and stxt[i] not in (34, 39):  # '"' or "'"
                i += 1
            prefix = stxt[:i].decode("ascii", "replace").lower()
            if prefix not in _STRING_PREFIXES:
                self.problem(p, f"invalid string prefix {stxt[:i].decode('ascii', 'replace')!r}")
            cstart = st.end_byte
            last = ch[-1]
            if last.type == "string_end" and last.end_byte > last.start_byte:
                # tree-sitter may fold trailing backslashes of raw strings into string_end
                cend = max(cstart, p.end_byte - (len(stxt) - i))
            else:
                cend = p.end_byte if last.type != "string_end" else last.start_byte
            if "f" in prefix or "t" in prefix:
                formatted = True
                if "t" in prefix:
                    template = True
            infos.append((p, ch, prefix, cstart, cend))

        if not formatted:
            if "b" in infos[0][2]:
                if not all(src[cs:ce].isascii() for (_, _, _, cs, ce) in infos):
                    self.problem(n, "bytes can only contain ASCII literal characters")
                data = b"".join(_decode_bytes(src[cs:ce], "r" in pf) for (_, _, pf, cs, ce) in infos)
                return self.at(ast.Constant(value=data, kind=None), n)
            value = "".join(
                _decode_str(src[cs:ce].decode("utf-8", "surrogatepass"), "r" in pf)
                for (_, _, pf, cs, ce) in infos
            )
            kind = "u" if "u" in infos[0][2] else None
            return self.at(ast.Constant(value=value, kind=kind), n)

        outer = self.at(ast.JoinedStr(values=[]), n)
        values = outer.values
        buf: list[str] = []
        for p, ch, pf, cs, ce in infos:
            raw = "r" in pf
            if "f" not in pf and "t" not in pf:
                if "b" in pf:
                    buf.append(_decode_bytes(src[cs:ce], raw).decode("latin-1"))
                else:
                    buf.append(_decode_str(src[cs:ce].decode("utf-8", "surrogatepass"), raw))
                continue
            cursor = cs
            for c in ch:
                if c.type != "interpolation":
                    continue
                if c.start_byte > cursor:
                    buf.append(_decode_fstr_literal(src[cursor:c.start_byte].decode("utf-8", "surrogatepass"), raw))
                cursor = c.end_byte
                fv, debug = self.interpolation(c, raw, p, outer)
                if debug:
                    buf.append(debug)
                if buf:
                    s = "".join(buf)
                    buf.clear()
                    if s:
                        values.append(self.copy_loc(ast.Constant(value=s, kind=None), outer))
                values.append(fv)
            if ce > cursor:
                buf.append(_decode_fstr_literal(src[cursor:ce].decode("utf-8", "surrogatepass"), raw))
        if buf:
            s = "".join(buf)
            if s:
                values.append(self.copy_loc(ast.Constant(value=s, kind=None), outer))
        if template:
            outer.is_template = True
        return outer

    def interpolation(self, c, raw, piece, outer):
        """Convert an ``interpolation``/``format_expression`` node to a FormattedValue.

        Returns ``(FormattedValue, debug_text_or_None)``.
        """
        expr_node = c.child_by_field_name("expression")
        conv = -1
        spec = None
        debug = None
        has_eq = False
        after_expr = None  # first token after the expression
        seen_expr = False
        for k in c.children:
            t = k.type
            if (expr_node is not None and k.start_byte == expr_node.start_byte
                    and k.end_byte == expr_node.end_byte and not seen_expr):
                seen_expr = True
                continue
            if seen_expr and after_expr is None and t not in _EXTRAS:
                after_expr = k
            if t == "=":
                has_eq = True
            elif t == "type_conversion":
                txt = self.text(k)
                conv = ord(txt[-1]) if len(txt) >= 2 else -1
            elif t == "format_specifier":
                spec = self.format_spec(k, raw, piece, outer)
            elif t == "ERROR":
                self.salvage_pending(k)
        if expr_node is not None and expr_node.type == "named_expression" and spec is None and conv == -1:
            # "{x:=10}" in an f-string is x with format spec "=10", not a walrus
            nm = expr_node.child_by_field_name("name")
            val = expr_node.child_by_field_name("value")
            colon = nm.end_byte if nm is not None else expr_node.start_byte
            end_b = c.children[-1].start_byte if c.children[-1].type == "}" else c.end_byte
            spec_text = self.src[colon:end_b].decode("utf-8", "surrogatepass")
            spec_text = spec_text.removeprefix(":")
            spec = self.at(ast.JoinedStr(values=[]), piece)
            if val is not None and val.type == "set" and spec_text.startswith("=") and len(self.named(val)) == 1:
                spec.values.append(self.copy_loc(ast.Constant(value="=", kind=None), outer))
                inner = self.expr(self.named(val)[0])
                spec.values.append(self.copy_loc(ast.FormattedValue(value=inner, conversion=-1, format_spec=None),
                                                 outer))
            else:  # (the "value" is format spec text: nothing in it is evaluated)
                spec.values.append(self.copy_loc(ast.Constant(value=spec_text, kind=None), spec))
            expr_node = nm
        if expr_node is None:
            value = self.placeholder(c)
        else:
            value = self.expr(expr_node)
            et = expr_node.type
            if et == "expression_list" or et == "pattern_list":
                # 3.11 parses "{a, b}" as "(a, b)" with the braces as parentheses
                ep = after_expr.start_point if after_expr is not None else c.end_point
                value.lineno = c.start_point[0] + 1
                value.col_offset = c.start_point[1]
                value.end_lineno = ep[0] + 1
                value.end_col_offset = ep[1] + 1
        if has_eq:
            first = c.children[0]
            stop = None
            for k in c.children:
                if k.type in ("type_conversion", "format_specifier", "}"):
                    stop = k
                    break
            end_b = stop.start_byte if stop is not None else c.end_byte
            debug = self.src[first.end_byte:end_b].decode("utf-8", "surrogatepass")
            if conv == -1 and spec is None:
                conv = ord("r")
        fv = self.copy_loc(ast.FormattedValue(value=value, conversion=conv, format_spec=spec), outer)
        return fv, debug

    def format_spec(self, k, raw, piece, outer):
        spec = self.at(ast.JoinedStr(values=[]), piece)
        vals = spec.values
        src = self.src
        cursor = None
        buf: list[str] = []
        for x in k.children:
            if cursor is None:
                cursor = x.end_byte if x.type == ":" else x.start_byte
                if x.type == ":":
                    continue
            t = x.type
            if t == "format_expression" or t == "interpolation":
                if x.start_byte > cursor:
                    buf.append(_decode_fstr_literal(src[cursor:x.start_byte].decode("utf-8", "surrogatepass"), raw))
                cursor = x.end_byte
                fv, debug = self.interpolation(x, raw, piece, outer)
                if debug:
                    buf.append(debug)
                if buf:
                    s = "".join(buf)
                    buf.clear()
                    if s:
                        vals.append(self.copy_loc(ast.Constant(value=s, kind=None), outer))
                vals.append(fv)
        if cursor is None:
            cursor = k.end_byte
        if k.end_byte > cursor:
            buf.append(_decode_fstr_literal(src[cursor:k.end_byte].decode("utf-8", "surrogatepass"), raw))
        if buf:
            s = "".join(buf)
            if s:
                # CPython 3.11 quirk: the trailing literal of a format spec gets the
                # location of the string token, the others that of the whole string
                vals.append(self.copy_loc(ast.Constant(value=s, kind=None), spec))
        return spec

    # ------------------------------------------------------------ parameters

    def make_arg(self, name_node, start, end, annotation=None):
        name = self.ident(name_node)
        return self.span(ast.arg(arg=name, annotation=annotation, type_comment=None), start, end)

    def _splat_name(self, n):
        for c in n.named_children:
            if c.type == "identifier":
                return c
        return None

    def parameters(self, n):
        posonly: list = []
        args: list = []
        defaults: list = []
        kwonly: list = []
        kw_defaults: list = []
        vararg = None
        kwarg = None
        kw_mode = False
        if n is not None:
            for c in n.named_children:
                t = c.type
                a = None
                default = None
                if t == "identifier":
                    a = self.make_arg(c, c, c)
                elif t == "typed_parameter":
                    kids = self.named(c)
                    tnode = c.child_by_field_name("type")
                    ann = self.expr(tnode) if tnode is not None else None
                    first = kids[0] if kids else None
                    if first is None:
                        continue
                    ft = first.type
                    if ft == "list_splat_pattern" or ft == "dictionary_splat_pattern":
                        ident = self._splat_name(first)
                        if ident is None:
                            continue
                        a = self.make_arg(ident, ident, c, ann)
                        if ft == "list_splat_pattern":
                            vararg = a
                            kw_mode = True
                        else:
                            kwarg = a
                        continue
                    a = self.make_arg(first, first, c, ann)
                elif t == "default_parameter":
                    name = c.child_by_field_name("name")
                    val = c.child_by_field_name("value")
                    if name is None:
                        continue
                    if name.type != "identifier":
                        self.problem(c, "python 2 tuple parameter")
                        continue
                    a = self.make_arg(name, name, name)
                    default = self.expr(val) if val is not None else self.placeholder(c)
                elif t == "typed_default_parameter":
                    name = c.child_by_field_name("name")
                    tnode = c.child_by_field_name("type")
                    val = c.child_by_field_name("value")
                    if name is None:
                        continue
                    ann = self.expr(tnode) if tnode is not None else None
                    a = self.make_arg(name, name, tnode if tnode is not None else name, ann)
                    default = self.expr(val) if val is not None else self.placeholder(c)
                elif t == "list_splat_pattern":
                    ident = self._splat_name(c)
                    if ident is not None:
                        vararg = self.make_arg(ident, ident, ident)
                    kw_mode = True
                    continue
                elif t == "dictionary_splat_pattern":
                    ident = self._splat_name(c)
                    if ident is not None:
                        kwarg = self.make_arg(ident, ident, ident)
                    continue
                elif t == "keyword_separator":
                    kw_mode = True
                    continue
                elif t == "positional_separator":
                    posonly.extend(args)
                    args = []
                    continue
                elif t == "tuple_pattern":
                    self.problem(c, "python 2 tuple parameter")
                    continue
                elif t == "ERROR":
                    self.salvage_pending(c)
                    continue
                else:
                    continue
                if kw_mode:
                    kwonly.append(a)
                    kw_defaults.append(default)
                else:
                    args.append(a)
                    if default is not None:
                        defaults.append(default)
        return ast.arguments(posonlyargs=posonly, args=args, vararg=vararg, kwonlyargs=kwonly,
                             kw_defaults=kw_defaults, kwarg=kwarg, defaults=defaults)

    # ------------------------------------------------------------ statements

    def s_expression_statement(self, n):
        kids = self.named(n)
        if len(kids) == 1 and n.children[-1].type != ",":
            k = kids[0]
            t = k.type
            if t == "assignment":
                return self.assignment(k, n)
            if t == "augmented_assignment":
                return self.augmented(k, n)
            return self.at(ast.Expr(value=self.expr(k)), n)
        if not kids:
            return None
        elts = []
        for k in kids:
            if k.type == "ERROR":
                self.salvage_pending(k)
            else:
                elts.append(self.expr(k))
        return self.at(ast.Expr(value=self.at(ast.Tuple(elts=elts, ctx=_LOAD), n)), n)

    def assignment(self, k, stmt_node):
        tnode = k.child_by_field_name("type")
        left = k.child_by_field_name("left")
        right = k.child_by_field_name("right")
        if tnode is not None:
            tgt = self.expr(left) if left is not None else self.placeholder(k)
            if type(tgt) in (ast.Name, ast.Attribute, ast.Subscript):
                tgt.ctx = _STORE
            else:
                self.problem(k, "invalid annotation target")
                if type(tgt) is not ast.Constant:
                    self.pending.append(self.copy_loc(ast.Expr(value=tgt), tgt))
                tgt = self.copy_loc(ast.Name(id="_", ctx=_STORE), tgt)
            simple = 1 if (left is not None and left.type == "identifier" and type(tgt) is ast.Name) else 0
            return self.at(ast.AnnAssign(target=tgt, annotation=self.expr(tnode),
                                         value=self.expr(right) if right is not None else None,
                                         simple=simple), stmt_node)
        targets = []
        if left is not None:
            targets.append(self.target(left))
        while right is not None and right.type == "assignment" and right.child_by_field_name("type") is None:
            l2 = right.child_by_field_name("left")
            if l2 is not None:
                targets.append(self.target(l2))
            right = right.child_by_field_name("right")
        if right is not None and right.type == "augmented_assignment":
            self.problem(right, "invalid assignment")
            value = self.expr(right.child_by_field_name("right"))
        else:
            value = self.expr(right) if right is not None else self.placeholder(k)
        return self.at(ast.Assign(targets=targets, value=value, type_comment=None), stmt_node)

    def augmented(self, k, stmt_node):
        op = _AUGOPS.get(k.child_by_field_name("operator").type, _BINOPS["+"])
        left = k.child_by_field_name("left")
        tgt = self.single_target(self.expr(left) if left is not None else self.placeholder(k), k, "augmented")
        right = k.child_by_field_name("right")
        return self.at(ast.AugAssign(target=tgt, op=op,
                                     value=self.expr(right) if right is not None else self.placeholder(k)), stmt_node)

    def s_return(self, n):
        kids = self.named(n)
        return self.at(ast.Return(value=self.expr(kids[0]) if kids else None), n)

    def s_delete(self, n):
        kids = self.named(n)
        targets = []
        for k in kids:
            if k.type == "expression_list":
                for e in self.named(k):
                    targets.append(self.set_ctx(self.expr(e), _DEL))
            else:
                targets.append(self.set_ctx(self.expr(k), _DEL))
        return self.at(ast.Delete(targets=targets), n)

    def s_raise(self, n):
        cause_node = n.child_by_field_name("cause")
        exc = None
        for k in self.named(n):
            if cause_node is not None and k.start_byte == cause_node.start_byte and k.end_byte == cause_node.end_byte:
                continue
            if k.type == "expression_list":
                self.problem(k, "python 2 raise statement")
            exc = self.expr(k)
            break
        cause = self.expr(cause_node) if cause_node is not None else None
        return self.at(ast.Raise(exc=exc, cause=cause), n)

    def s_pass(self, n):
        return self.at(ast.Pass(), n)

    def s_break(self, n):
        return self.at(ast.Break(), n)

    def s_continue(self, n):
        return self.at(ast.Continue(), n)

    def s_global(self, n):
        return self.at(ast.Global(names=[self.ident(c) for c in n.named_children if c.type == "identifier"]), n)

    def s_nonlocal(self, n):
        return self.at(ast.Nonlocal(names=[self.ident(c) for c in n.named_children if c.type == "identifier"]), n)

    def dotted(self, n) -> str:
        if n.type == "identifier":
            return self.ident(n)
        return ".".join(self.ident(c) for c in n.named_children if c.type == "identifier")

    def import_alias(self, c):
        if c.type == "aliased_import":
            name = c.child_by_field_name("name")
            alias = c.child_by_field_name("alias")
            return self.at(ast.alias(name=self.dotted(name) if name is not None else "",
                                     asname=self.ident(alias) if alias is not None else None), c)
        return self.at(ast.alias(name=self.dotted(c), asname=None), c)

    def s_import(self, n):
        names = [self.import_alias(c) for c in n.children_by_field_name("name")]
        return self.at(ast.Import(names=names), n)

    def s_import_from(self, n):
        mod = n.child_by_field_name("module_name")
        level = 0
        module = None
        if mod is not None:
            if mod.type == "relative_import":
                for c in mod.children:
                    if c.type == "import_prefix":
                        level = c.end_byte - c.start_byte
                    elif c.type == "dotted_name":
                        module = self.dotted(c)
            else:
                module = self.dotted(mod)
        names = []
        for c in n.children:
            if c.type == "wildcard_import":
                names.append(self.at(ast.alias(name="*", asname=None), c))
        fields = n.children_by_field_name("name")
        if mod is not None:
            fields = [c for c in fields if c.start_byte != mod.start_byte]
        names.extend(self.import_alias(c) for c in fields)
        return self.at(ast.ImportFrom(module=module, names=names, level=level), n)

    def s_future_import(self, n):
        names = [self.import_alias(c) for c in n.children_by_field_name("name")]
        return self.at(ast.ImportFrom(module="__future__", names=names, level=0), n)

    def s_assert(self, n):
        kids = self.named(n)
        test = self.expr(kids[0]) if kids else self.placeholder(n)
        msg = self.expr(kids[1]) if len(kids) > 1 else None
        return self.at(ast.Assert(test=test, msg=msg), n)

    def s_print(self, n):
        self.problem(n, f"python 2 print statement {self.snippet(n)!r}")
        func_tok = n.children[0]
        func = self.at(ast.Name(id="print", ctx=_LOAD), func_tok)
        args = []
        keywords = []
        for c in n.named_children:
            t = c.type
            if t == "chevron":
                kids = self.named(c)
                if kids:
                    keywords.append(self.at(ast.keyword(arg="file", value=self.expr(kids[0])), c))
            elif t not in _EXTRAS:
                args.append(self.expr(c))
        call = self.at(ast.Call(func=func, args=args, keywords=keywords), n)
        return self.at(ast.Expr(value=call), n)

    def s_exec(self, n):
        self.problem(n, f"python 2 exec statement {self.snippet(n)!r}")
        func = self.at(ast.Name(id="exec", ctx=_LOAD), n.children[0])
        args = [self.expr(c) for c in self.named(n)]
        call = self.at(ast.Call(func=func, args=args, keywords=[]), n)
        return self.at(ast.Expr(value=call), n)

    def s_type_alias(self, n):
        left = n.child_by_field_name("left")
        right = n.child_by_field_name("right")
        name_node = left
        tparams = None
        while name_node is not None and name_node.type in ("type", "generic_type"):
            kids = self.named(name_node)
            if name_node.type == "generic_type":
                for k in kids:
                    if k.type == "type_parameter":
                        tparams = k
            name_node = kids[0] if kids else None
        if name_node is not None and name_node.type == "identifier":
            tgt = self.set_ctx(self.e_identifier(name_node), _STORE)
        elif name_node is not None:
            tgt = self.target(name_node)
        else:
            tgt = self.set_ctx(self.placeholder(n), _STORE)
        value = self.expr(right) if right is not None else self.placeholder(n)
        node = self.at(ast.Assign(targets=[tgt], value=value, type_comment=None), n)
        node.is_type_alias = True
        if tparams is not None:
            node.type_params_source = self.text(tparams)
        return node

    def else_body(self, n):
        """Statements of an else_clause (or None)."""
        if n is None:
            return []
        b = n.child_by_field_name("body")
        if b is None:
            for c in n.children:
                if c.type == "block":
                    b = c
        return self.suite(n, b)

    def _fix_end(self, node, ts_node, *bodies):
        for b in bodies:
            if b:
                last = b[-1]
                semi = self.semi_end.get(id(last))
                if semi is not None and (semi[0] + 1, semi[1]) > (last.end_lineno, last.end_col_offset) \
                        and (semi[0] + 1, semi[1]) >= (node.lineno, node.col_offset):
                    node.end_lineno = semi[0] + 1
                    node.end_col_offset = semi[1]
                    return node
                return self.end_at(node, last)
        return node

    def s_if(self, n):
        test = self.expr(n.child_by_field_name("condition"))
        body = self.suite(n, n.child_by_field_name("consequence"))
        alts = n.children_by_field_name("alternative")
        orelse: list = []
        for alt in reversed(alts):
            if alt.type == "else_clause":
                orelse = self.else_body(alt)
            elif alt.type == "elif_clause":
                cond = alt.child_by_field_name("condition")
                etest = self.expr(cond) if cond is not None else self.placeholder(alt)
                ebody = self.suite(alt, alt.child_by_field_name("consequence"))
                node = self.at(ast.If(test=etest, body=ebody, orelse=orelse), alt)
                self._fix_end(node, alt, orelse, ebody)
                orelse = [node]
        node = self.at(ast.If(test=test, body=body, orelse=orelse), n)
        return self._fix_end(node, n, orelse, body)

    def s_for(self, n):
        is_async = n.children[0].type == "async"
        left = n.child_by_field_name("left")
        right = n.child_by_field_name("right")
        tgt = self.target(left) if left is not None else self.placeholder(n)
        it = self.expr(right) if right is not None else self.placeholder(n)
        body = self.suite(n, n.child_by_field_name("body"))
        orelse = self.else_body(n.child_by_field_name("alternative"))
        cls = ast.AsyncFor if is_async else ast.For
        node = self.at(cls(target=tgt, iter=it, body=body, orelse=orelse, type_comment=None), n)
        return self._fix_end(node, n, orelse, body)

    def s_while(self, n):
        test = self.expr(n.child_by_field_name("condition"))
        body = self.suite(n, n.child_by_field_name("body"))
        orelse = self.else_body(n.child_by_field_name("alternative"))
        node = self.at(ast.While(test=test, body=body, orelse=orelse), n)
        return self._fix_end(node, n, orelse, body)

    def _clause_block(self, c):
        for k in c.children:
            if k.type == "block":
                return k
        return None

    def s_try(self, n):
        body = self.suite(n, n.child_by_field_name("body"))
        handlers = []
        orelse: list = []
        finalbody: list = []
        star = False
        for c in n.children:
            t = c.type
            if t == "except_clause" or t == "except_group_clause":
                if t == "except_group_clause" or (c.child_count > 1 and c.children[1].type == "*"):
                    star = True
                handlers.append(self.except_handler(c))
            elif t == "else_clause":
                orelse = self.else_body(c)
            elif t == "finally_clause":
                finalbody = self.suite(c, self._clause_block(c))
            elif t == "ERROR":
                self.salvage_pending(c)
        cls = ast.TryStar if star else ast.Try
        if not handlers and orelse:
            body = body + orelse
            orelse = []
        if not handlers and not finalbody:
            self.problem(n, "try without except or finally")
            p = self.at(ast.Pass(), n)
            self.synthetic.add(id(p))
            finalbody = [p]
        node = self.at(cls(body=body, handlers=handlers, orelse=orelse, finalbody=finalbody), n)
        return self._fix_end(node, n, finalbody, orelse, handlers, body)

    def except_handler(self, c):
        values = []
        block = None
        for k in c.children:
            t = k.type
            if t == "block":
                block = k
            elif k.is_named and t not in _EXTRAS:
                values.append(k)
        typ = None
        name = None
        if len(values) == 1:
            v = values[0]
            if v.type == "as_pattern":
                kids = self.named(v)
                alias = v.child_by_field_name("alias")
                typ = self.expr(kids[0]) if kids else None
                if alias is not None:
                    ak = self.named(alias)
                    an = ak[0] if ak else alias
                    name = self.ident(an)
            else:
                typ = self.expr(v)
        elif len(values) > 1:
            if c.type == "except_group_clause":
                # except* E as name  (no as_pattern here)
                typ = self.expr(values[0])
                name = self.ident(values[-1])
            else:
                # PEP 758: "except A, B:" means "except (A, B):"
                typ = self.span(ast.Tuple(elts=[self.expr(v) for v in values], ctx=_LOAD), values[0], values[-1])
        body = self.suite(c, block)
        h = self.at(ast.ExceptHandler(type=typ, name=name, body=body), c)
        return self._fix_end(h, c, body)

    def s_with(self, n):
        is_async = n.children[0].type == "async"
        items = []
        for c in n.children:
            if c.type == "with_clause":
                for it in c.named_children:
                    if it.type == "with_item":
                        items.append(self.with_item(it))
                    elif it.type == "ERROR":
                        self.salvage_pending(it)
        body = self.suite(n, n.child_by_field_name("body"))
        cls = ast.AsyncWith if is_async else ast.With
        node = self.at(cls(items=items, body=body, type_comment=None), n)
        return self._fix_end(node, n, body)

    def with_item(self, it):
        v = it.child_by_field_name("value")
        if v is None:
            return ast.withitem(context_expr=self.placeholder(it), optional_vars=None)
        if v.type == "parenthesized_expression":
            inner = self.named(v)
            if len(inner) == 1 and inner[0].type == "as_pattern":
                v = inner[0]
        if v.type == "as_pattern":
            kids = self.named(v)
            alias = v.child_by_field_name("alias")
            ctx = self.expr(kids[0]) if kids else self.placeholder(v)
            opt = self.target(alias) if alias is not None else None
            return ast.withitem(context_expr=ctx, optional_vars=opt)
        return ast.withitem(context_expr=self.expr(v), optional_vars=None)

    def s_function(self, n, decorators=None):
        is_async = n.children[0].type == "async"
        name = n.child_by_field_name("name")
        params = self.parameters(n.child_by_field_name("parameters"))
        ret = n.child_by_field_name("return_type")
        returns = self.expr(ret) if ret is not None else None
        body = self.suite(n, n.child_by_field_name("body"))
        cls = ast.AsyncFunctionDef if is_async else ast.FunctionDef
        node = self.at(cls(name=self.ident(name) if name is not None else "_", args=params, body=body,
                           decorator_list=decorators or [], returns=returns, type_comment=None), n)
        _no_type_params(node)
        tp = n.child_by_field_name("type_parameters")
        if tp is not None:
            node.type_params_source = self.text(tp)
            self.type_param_errors(tp)
        return self._fix_end(node, n, body)

    def type_param_errors(self, tp):
        """PEP 696 defaults come out as ERROR nodes: keep only calls found in them."""
        for c in tp.children:
            if c.type == "ERROR":
                out: list = []
                self.salvage(c, out)
                for st in out:
                    if any(type(x) is ast.Call for x in ast.walk(st)):
                        self.pending.append(st)

    def s_class(self, n, decorators=None):
        name = n.child_by_field_name("name")
        sup = n.child_by_field_name("superclasses")
        if sup is not None:
            bases, keywords = self.arguments(sup)
        else:
            bases, keywords = [], []
        body = self.suite(n, n.child_by_field_name("body"))
        node = self.at(ast.ClassDef(name=self.ident(name) if name is not None else "_", bases=bases,
                                    keywords=keywords, body=body, decorator_list=decorators or []), n)
        _no_type_params(node)
        tp = n.child_by_field_name("type_parameters")
        if tp is not None:
            node.type_params_source = self.text(tp)
            self.type_param_errors(tp)
        return self._fix_end(node, n, body)

    def s_decorated(self, n):
        decorators = []
        for c in n.children:
            if c.type == "decorator":
                kids = self.named(c)
                if kids:
                    decorators.append(self.expr(kids[0]))
            elif c.type == "ERROR":
                self.salvage_pending(c)
        d = n.child_by_field_name("definition")
        if d is None:
            return None
        if d.type == "class_definition":
            return self.s_class(d, decorators)
        return self.s_function(d, decorators)

    # ------------------------------------------------------------ match

    def s_match(self, n):
        subjects = n.children_by_field_name("subject")
        trailing = False
        for c in n.children:
            if c.type == ":":
                break
            if c.type == "," and subjects and c.start_byte >= subjects[-1].end_byte:
                trailing = True
        if len(subjects) == 1 and not trailing:
            subject = self.expr(subjects[0])
        elif subjects:
            last = subjects[-1]
            end_tok = last
            for c in n.children:
                if c.type == "," and c.start_byte >= last.end_byte:
                    end_tok = c
            subject = self.span(ast.Tuple(elts=[self.expr(s) for s in subjects], ctx=_LOAD), subjects[0], end_tok)
        else:
            subject = self.placeholder(n)
        cases = []
        blk = n.child_by_field_name("body")
        if blk is not None:
            for c in blk.children:
                if c.type == "case_clause":
                    cases.append(self.case_clause(c))
                elif c.type == "ERROR":
                    self.salvage_pending(c)
        if not cases:
            self.problem(n, "match without case blocks")
            return self.at(ast.Expr(value=subject), n)
        node = self.at(ast.Match(subject=subject, cases=cases), n)
        if cases and cases[-1].body:
            self.end_at(node, cases[-1].body[-1])
        return node

    def case_clause(self, c):
        pats = []
        last_comma = None
        guard = None
        for k in c.children:
            t = k.type
            if t == "case_pattern":
                pats.append(k)
            elif t == "," and pats:
                last_comma = k
            elif t == ":":
                break
        g = c.child_by_field_name("guard")
        if g is not None:
            gk = self.named(g)
            guard = self.expr(gk[0]) if gk else None
        if len(pats) == 1 and last_comma is None:
            pattern = self.pattern(pats[0])
        elif pats:
            end = last_comma if last_comma is not None and last_comma.start_byte > pats[-1].start_byte else pats[-1]
            pattern = self.span(ast.MatchSequence(patterns=[self.pattern(p) for p in pats]), pats[0], end)
        else:
            pattern = self.at(ast.MatchAs(pattern=None, name=None), c)
        body = self.suite(c, c.child_by_field_name("consequence"))
        return ast.match_case(pattern=pattern, guard=guard, body=body)

    def pattern(self, n):
        d = self.depth + 1
        if d > MAX_DEPTH:
            self.too_deep(n)
            return self.at(ast.MatchAs(pattern=None, name=None), n)
        self.depth = d
        try:
            return self._pattern(n)
        except Exception as exc:  # noqa: BLE001
            self.problem(n, f"could not convert pattern: {type(exc).__name__}")
            self.salvage_pending(n)
            return self.at(ast.MatchAs(pattern=None, name=None), n)
        finally:
            self.depth = d - 1

    def _pattern(self, n):
        t = n.type
        if t == "case_pattern":
            toks = [c for c in n.children if c.type not in _EXTRAS]
            return self.simple_pattern(toks, n)
        if t == "as_pattern":
            kids = [c for c in n.children if c.type not in _EXTRAS]
            inner = kids[0]
            name = kids[-1]
            return self.at(ast.MatchAs(pattern=self.pattern(inner), name=self.ident(name)), n)
        return self.simple_pattern([n], n)

    def simple_pattern(self, toks, span_node, start=None, end=None):
        """Convert a (flattened) simple pattern given as a list of ts children."""
        def pos(a):
            if start is not None:
                return self.span(a, start, end)
            return self.at(a, span_node)
        if not toks:
            return pos(ast.MatchAs(pattern=None, name=None))
        if len(toks) == 1:
            k = toks[0]
            t = k.type
            if t == "_":
                return self.at(ast.MatchAs(pattern=None, name=None), k)
            if t in ("case_pattern", "as_pattern"):
                return self.pattern(k)
            if t == "dotted_name":
                ids = [c for c in k.children if c.type == "identifier"]
                if len(ids) == 1:
                    nm = self.ident(ids[0])
                    if nm == "_":
                        return self.at(ast.MatchAs(pattern=None, name=None), k)
                    return self.at(ast.MatchAs(pattern=None, name=nm), k)
                return self.at(ast.MatchValue(value=self.e_dotted_name(k)), k)
            if t == "identifier":
                nm = self.ident(k)
                if nm == "_":
                    return self.at(ast.MatchAs(pattern=None, name=None), k)
                return self.at(ast.MatchAs(pattern=None, name=nm), k)
            if t in ("string", "concatenated_string", "integer", "float"):
                return self.at(ast.MatchValue(value=self.expr(k)), k)
            if t in ("true", "false", "none"):
                return self.at(ast.MatchSingleton(value={"true": True, "false": False, "none": None}[t]), k)
            if t == "complex_pattern":
                return self.at(ast.MatchValue(value=self.complex_value(k)), k)
            if t == "class_pattern":
                return self.class_pattern(k)
            if t == "splat_pattern":
                ids = [c for c in k.children if c.type == "identifier"]
                nm = self.ident(ids[0]) if ids else None
                if nm == "_":
                    nm = None
                return self.at(ast.MatchStar(name=nm), k)
            if t == "union_pattern":
                return self.union_pattern(k)
            if t == "list_pattern" or t == "tuple_pattern":
                return self.sequence_pattern(k)
            if t == "dict_pattern":
                return self.mapping_pattern(k)
            if t == "keyword_pattern":
                self.problem(k, "unexpected keyword pattern")
                return self.at(ast.MatchAs(pattern=None, name=None), k)
            if t == "ERROR":
                self.salvage_pending(k)
                return self.at(ast.MatchAs(pattern=None, name=None), k)
            return self.at(ast.MatchValue(value=self.expr(k)), k)
        # "-" number
        if toks[0].type == "-" and len(toks) == 2:
            num = self.expr(toks[1])
            v = self.span(ast.UnaryOp(op=_USUB, operand=num), toks[0], toks[1])
            return self.span(ast.MatchValue(value=v), toks[0], toks[1])
        self.problem(span_node, "unsupported pattern")
        self.salvage_pending(span_node)
        return pos(ast.MatchAs(pattern=None, name=None))

    def complex_value(self, k):
        toks = [c for c in k.children if c.type not in _EXTRAS]
        i = 0
        if toks[0].type == "-":
            left = self.span(ast.UnaryOp(op=_USUB, operand=self.expr(toks[1])), toks[0], toks[1])
            i = 2
        else:
            left = self.expr(toks[0])
            i = 1
        op = _BINOPS[toks[i].type]
        right = self.expr(toks[i + 1])
        return self.at(ast.BinOp(left=left, op=op, right=right), k)

    def _groups(self, n, seps, open_close=True):
        """Split the children of ``n`` into groups separated by ``seps`` tokens."""
        groups: list[list] = [[]]
        for c in n.children:
            t = c.type
            if t in _EXTRAS:
                continue
            if open_close and t in ("(", ")", "[", "]", "{", "}"):
                continue
            if t in seps:
                groups.append([])
            else:
                groups[-1].append(c)
        return [g for g in groups if g]

    def union_pattern(self, k):
        flat = []
        for g in self._groups(k, ("|",), open_close=False):
            p = self.simple_pattern(g, k, g[0], g[-1])
            if len(g) == 1 and g[0].type == "union_pattern" and type(p) is ast.MatchOr:
                flat.extend(p.patterns)  # unparenthesised nesting produced by the grammar
            else:
                flat.append(p)
        return self.at(ast.MatchOr(patterns=flat), k)

    def sequence_pattern(self, k):
        items = [c for c in k.children if c.is_named and c.type not in _EXTRAS]
        has_comma = any(c.type == "," for c in k.children)
        if k.type == "tuple_pattern" and len(items) == 1 and not has_comma:
            return self.pattern(items[0])
        return self.at(ast.MatchSequence(patterns=[self.pattern(c) for c in items]), k)

    def class_pattern(self, k):
        cls = None
        patterns = []
        kwd_attrs = []
        kwd_patterns = []
        for c in k.children:
            t = c.type
            if t == "dotted_name" and cls is None:
                cls = self.e_dotted_name(c)
            elif t == "case_pattern":
                inner = [x for x in c.children if x.type not in _EXTRAS]
                if len(inner) == 1 and inner[0].type == "keyword_pattern":
                    kp = inner[0]
                    kt = [x for x in kp.children if x.type not in _EXTRAS]
                    kwd_attrs.append(self.ident(kt[0]))
                    rest = kt[2:]
                    kwd_patterns.append(self.simple_pattern(rest, kp, rest[0], rest[-1]) if rest else
                                        self.at(ast.MatchAs(pattern=None, name=None), kp))
                else:
                    patterns.append(self.pattern(c))
            elif t == "keyword_pattern":
                kt = [x for x in c.children if x.type not in _EXTRAS]
                kwd_attrs.append(self.ident(kt[0]))
                rest = kt[2:]
                kwd_patterns.append(self.simple_pattern(rest, c, rest[0], rest[-1]) if rest else
                                    self.at(ast.MatchAs(pattern=None, name=None), c))
        if cls is None:
            cls = self.placeholder(k)
        return self.at(ast.MatchClass(cls=cls, patterns=patterns, kwd_attrs=kwd_attrs,
                                      kwd_patterns=kwd_patterns), k)

    def mapping_pattern(self, k):
        keys = []
        patterns = []
        rest = None
        for g in self._groups(k, (",",)):
            if len(g) == 1 and g[0].type == "splat_pattern":
                ids = [c for c in g[0].children if c.type == "identifier"]
                rest = self.ident(ids[0]) if ids else None
                continue
            colon = None
            for i, c in enumerate(g):
                if c.type == ":":
                    colon = i
                    break
            if colon is None:
                continue
            ktoks = g[:colon]
            vtoks = g[colon + 1:]
            if len(ktoks) == 1:
                kt = ktoks[0]
                if kt.type == "dotted_name":
                    key = self.e_dotted_name(kt)
                elif kt.type == "complex_pattern":
                    key = self.complex_value(kt)
                else:
                    key = self.expr(kt)
            elif len(ktoks) == 2 and ktoks[0].type == "-":
                key = self.span(ast.UnaryOp(op=_USUB, operand=self.expr(ktoks[1])), ktoks[0], ktoks[1])
            else:
                key = self.placeholder(g[0])
            keys.append(key)
            if vtoks:
                patterns.append(self.simple_pattern(vtoks, k, vtoks[0], vtoks[-1]))
            else:
                patterns.append(self.at(ast.MatchAs(pattern=None, name=None), g[-1]))
        return self.at(ast.MatchMapping(keys=keys, patterns=patterns, rest=rest), k)


# ---------------------------------------------------------------------------
# problems
# ---------------------------------------------------------------------------


def _last_line(n) -> int:
    s = n.start_point[0]
    e, col = n.end_point
    if col == 0 and e > s:  # region ends with its newline
        e -= 1
    return e + 1


def _collect_tree_problems(root, conv: _Converter, hidden: list[SyntaxProblem]) -> list[SyntaxProblem]:
    """One problem per ERROR region / MISSING token of the tree-sitter tree.

    An ERROR node that still contains whole statements (tree-sitter often
    wraps a large region, e.g. a class whose header it lost) is reported only
    for its parts that are not statements; the statements are searched for
    nested errors like any other node. A token tree-sitter made up but lists no node for goes to
    ``hidden`` (where a more precise problem of the same line is preferred).
    """
    out: list[SyntaxProblem] = []
    if not root.has_error:
        return out
    stack = [(root, None)]
    while stack:
        n, parent = stack.pop()
        if n.is_missing:
            p = n.start_point[0] + 1
            out.append(SyntaxProblem(p, p, f"missing {n.type!r}"))
            continue
        if n.type == "ERROR":
            if parent is not None and parent.type == "type_parameter" and any(c.type == "=" for c in n.children):
                continue  # PEP 696 type parameter default (valid 3.13 syntax tree-sitter does not know)
            children = n.children
            if not any(c.type in _STMT_TYPES for c in children):
                if n.end_byte > n.start_byte:
                    out.append(SyntaxProblem(n.start_point[0] + 1, _last_line(n),
                                             f"unexpected text {conv.snippet(n)!r}"))
                else:
                    p = n.start_point[0] + 1
                    out.append(SyntaxProblem(p, p, "invalid syntax"))
                continue
            run: list = []
            for c in children + [None]:
                if c is None or c.type in _STMT_TYPES:
                    if run:
                        first, last = run[0], run[-1]
                        out.append(SyntaxProblem(first.start_point[0] + 1, max(first.start_point[0] + 1,
                                                                               _last_line(last)),
                                                 f"unexpected text {conv.snippet(first)!r}"))
                        run = []
                    if c is not None and c.has_error:
                        stack.append((c, n))
                elif c.type not in _EXTRAS:
                    run.append(c)
            continue
        erroneous = [c for c in n.children if c.has_error]
        if erroneous:
            stack.extend((c, n) for c in erroneous)
        else:  # the error is a token tree-sitter inserted but lists no node for (a newline, an indent)
            hidden.append(_hidden_missing(n))
    return out


def _hidden_missing(n) -> SyntaxProblem:
    """The MISSING hidden token (``_newline``, ``_indent``...) among the children of ``n``, which
    has an error that none of its children has: tree-sitter gives no node for such a token (``1abc``
    after a statement is read as ``1`` and ``abc`` with a newline it made up between them), only
    the S-expression shows it, after the named child it follows."""
    sexp = str(n)
    depth = named = 0
    i, end = 0, len(sexp)
    found = None
    while i < end:
        ch = sexp[i]
        if ch == '"':  # an anonymous token's name, e.g. (MISSING ")")
            i += 1
            while i < end and sexp[i] != '"':
                i += 2 if sexp[i] == "\\" else 1
        elif ch == "(":
            depth += 1
            if depth == 2:
                if sexp.startswith("(MISSING", i):
                    found = sexp[i + 8:sexp.find(")", i)].strip().strip('"').lstrip("_") or "token"
                    break
                named += 1
        elif ch == ")":
            depth -= 1
        i += 1
    kids = n.named_children
    if found is not None and 0 < named <= len(kids):
        line = kids[named - 1].end_point[0] + 1
    else:
        line = n.start_point[0] + 1
    return SyntaxProblem(line, line, f"missing {found or 'token'}")


# Python's number literals, exactly (the language reference's grammar). Tree-sitter's are looser
# (``1_000_``, ``0777``, ``1L``), and it reads ``1abc`` as two tokens where CPython's tokenizer
# rejects the lot; a number that this pattern does not match in full, or that an identifier
# character follows, is code no Python 3 accepts.
_DIGITS = rb"[0-9](?:_?[0-9])*"
_EXPONENT = rb"[eE][+-]?" + _DIGITS
_POINT_FLOAT = rb"(?:" + _DIGITS + rb")?\." + _DIGITS + rb"|" + _DIGITS + rb"\."
_FLOAT = rb"(?:" + _POINT_FLOAT + rb"|" + _DIGITS + rb")" + _EXPONENT + rb"|" + _POINT_FLOAT
_NUMBER = (rb"(?:" + _FLOAT + rb"|" + _DIGITS + rb")[jJ]|" + _FLOAT
           + rb"|0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+"
           + rb"|[1-9](?:_?[0-9])*|0(?:_?0)*")
# Where a number may start: a digit, or a point before a digit, not inside a name or after a point
# (a pattern that starts with a character set is fast to search for).
_NUMBER_START_RE = re.compile(rb"[0-9.](?<![\w.\x80-\xff][0-9.])")
# A number (matched atomically: the tokenizer takes the longest, it never backs off to a shorter
# one) right before an identifier character, or a base prefix without a digit. CPython reads a
# keyword after a number as the next token (``1if x else y``, ``[1for x in y]``: valid, with a
# warning since 3.12).
_NUMBER_RE = re.compile(rb"(?>" + _NUMBER + rb")")
_BAD_NUMBER_RE = re.compile(
    rb"(?>" + _NUMBER + rb")(?!and|else|for|if|in|is|not|or)[\w\x80-\xff]|0[xXoObB](?![0-9a-fA-F_])")
_IDENT_TAIL_RE = re.compile(rb"[\w.\x80-\xff]*")
# Where a number is only text: strings and comments.
_TEXT_NODES = frozenset(("string_content", "string", "string_start", "string_end", "escape_sequence",
                         "escape_interpolation", "format_specifier", "comment", "line_continuation"))


def _number_problems(data: bytes, root) -> list[SyntaxProblem]:
    """Number literals no Python 3 accepts, outside strings and comments."""
    out = []
    bad = _BAD_NUMBER_RE.match
    number = _NUMBER_RE.match
    after = 0  # where the last number read ends: ``06`` of ``1e-06`` starts no number
    for m in _NUMBER_START_RE.finditer(data):
        start = m.start()
        if start < after:
            continue
        whole = number(data, start)
        if whole is not None:
            after = whole.end()
        if bad(data, start) is None:
            continue
        node = root.descendant_for_byte_range(start, start + 1)
        if node is not None and node.type in _TEXT_NODES:
            continue
        end = _IDENT_TAIL_RE.match(data, start).end()
        text = data[start:min(end, start + 40)].decode("utf-8", "replace")
        line = data.count(b"\n", 0, start) + 1
        out.append(SyntaxProblem(line, line, f"invalid number literal {text!r}"))
    return out


#: nodes that start a logical line, and the nodes whose children may
_LINE_NODES = _STMT_TYPES | frozenset(("elif_clause", "else_clause", "except_clause", "except_group_clause",
                                       "finally_clause", "case_clause", "decorator"))
_LINE_CONTAINERS = frozenset((
    "module", "block", "if_statement", "for_statement", "while_statement", "try_statement", "with_statement",
    "function_definition", "class_definition", "decorated_definition", "match_statement", "elif_clause",
    "else_clause", "except_clause", "except_group_clause", "finally_clause", "case_clause",
))


def _indentation_problems(data: bytes, root) -> list[SyntaxProblem]:
    """What CPython's tokenizer says of the indentation of logical lines, which tree-sitter does
    not check: a dedent to a column no enclosing block starts at, or tabs and spaces mixed so
    that the blocks differ with a tab of 8 columns and of 1 (``TabError``)."""
    starts = set()
    stack = [root]
    while stack:
        n = stack.pop()
        for c in n.children:
            t = c.type
            if t in _LINE_NODES:
                starts.add(c.start_byte)
            if t in _LINE_CONTAINERS:
                stack.append(c)
    out = []
    cols, altcols = [0], [0]
    last_line_start = -1
    for pos in sorted(starts):
        line_start = data.rfind(b"\n", 0, pos) + 1
        if line_start == last_line_start:
            continue  # a second statement on the line (after ';' or ':')
        last_line_start = line_start
        col = altcol = 0
        for b in data[line_start:pos]:
            if b == 0x20:
                col += 1
                altcol += 1
            elif b == 0x09:
                col = (col // 8 + 1) * 8
                altcol += 1
            elif b == 0x0C:
                col = altcol = 0
            else:
                break
        else:
            message = None
            if col == cols[-1]:
                if altcol != altcols[-1]:
                    message = "inconsistent use of tabs and spaces in indentation"
            elif col > cols[-1]:
                if altcol <= altcols[-1]:
                    message = "inconsistent use of tabs and spaces in indentation"
                cols.append(col)
                altcols.append(altcol)
            else:
                while len(cols) > 1 and col < cols[-1]:
                    cols.pop()
                    altcols.pop()
                if col != cols[-1]:
                    message = "unindent does not match any outer indentation level"
                    cols.append(col)  # go on from here, as if it were a block of its own
                    altcols.append(altcol)
                elif altcol != altcols[-1]:
                    message = "inconsistent use of tabs and spaces in indentation"
            if message is not None:
                line = data.count(b"\n", 0, pos) + 1
                out.append(SyntaxProblem(line, line, message))
    return out


def _merge_problems(problems: list[SyntaxProblem]) -> list[SyntaxProblem]:
    if not problems:
        return []
    items = sorted(problems, key=lambda p: (p.line, p.end_line))
    merged = [items[0]]
    for p in items[1:]:
        cur = merged[-1]
        if p.line <= cur.end_line + 1:
            if p.end_line > cur.end_line:
                merged[-1] = SyntaxProblem(cur.line, p.end_line, cur.message)
        else:
            merged.append(p)
    return merged


# ---------------------------------------------------------------------------
# public entry point
# ---------------------------------------------------------------------------


_LONE_CR_RE = re.compile(rb"\r(?!\n)")
_TYPE_CANDIDATE_RE = re.compile(rb"\btype[ \t]*[(.\[]")


def _fix_misparses(data: bytes, tree):
    """Re-parse with same-length patches where tree-sitter misreads the source.

    * ``type(x).attr = v`` is read as a ``type`` alias statement: the keyword
      is replaced by the identifier ``typ_`` (the converter reads identifier
      text from the original bytes, so the name stays ``type``).
    * Python 2 backticks are read as a string: they are replaced by
      parentheses; the converter turns those into ``repr(...)`` calls.

    Returns ``(tree, backtick_starts)``; positions are unchanged.
    """
    root = tree.root_node
    patches: list[tuple[int, bytes]] = []
    backticks: set[int] = set()
    if b"type" in data:
        for m in _TYPE_CANDIDATE_RE.finditer(data):
            s = m.start()
            node = root.descendant_for_byte_range(s, s + 4)
            if node is None or node.is_named or node.type != "type":
                continue
            parent = node.parent
            if parent is None or parent.type != "type_alias_statement":
                continue
            left = parent.child_by_field_name("left")
            inner = left.named_children[0] if left is not None and left.named_children else None
            if inner is not None and inner.type in ("identifier", "generic_type"):
                continue
            patches.append((s, b"typ_"))
    if b"`" in data:
        pos = data.find(b"`")
        while pos != -1:
            node = root.descendant_for_byte_range(pos, pos + 1)
            nxt = pos + 1
            if node is not None and node.type == "string_start" and node.start_byte == pos:
                string = node.parent
                if (string is not None and string.end_byte - pos >= 3
                        and data[string.end_byte - 1:string.end_byte] == b"`"):
                    patches.append((pos, b"("))
                    patches.append((string.end_byte - 1, b")"))
                    backticks.add(pos)
                    nxt = string.end_byte
            pos = data.find(b"`", nxt)
    if not patches:
        return tree, backticks
    buf = bytearray(data)
    for s, repl in patches:
        buf[s:s + len(repl)] = repl
    return _parse_tree(bytes(buf)), backticks


_NODE_INFO: dict[type, tuple[bool, tuple[str, ...]]] = {}


def _fix_missing_locations(root: ast.AST) -> None:
    """Iterative ``ast.fix_missing_locations`` (same rules, about twice as fast).

    Gives every node without a position the position of its parent; it is a
    safety net for synthetic nodes (the converter positions all it creates),
    and being iterative it is safe for arbitrarily deep trees.
    """
    info_cache = _NODE_INFO
    AST = ast.AST
    stack = [(root, 1, 0, 1, 0)]
    pop = stack.pop
    push = stack.append
    while stack:
        node, lineno, col, end_lineno, end_col = pop()
        cls = type(node)
        info = info_cache.get(cls)
        if info is None:
            info = info_cache[cls] = ("lineno" in cls._attributes, cls._fields)
        if info[0]:
            d = node.__dict__
            if "lineno" in d:
                lineno = d["lineno"]
            else:
                node.lineno = lineno
            if "col_offset" in d:
                col = d["col_offset"]
            else:
                node.col_offset = col
            v = d.get("end_lineno")
            if v is None:
                node.end_lineno = end_lineno
            else:
                end_lineno = v
            v = d.get("end_col_offset")
            if v is None:
                node.end_col_offset = end_col
            else:
                end_col = v
        for name in info[1]:
            v = getattr(node, name, None)
            if type(v) is list:
                for x in v:
                    if isinstance(x, AST):
                        push((x, lineno, col, end_lineno, end_col))
            elif isinstance(v, AST):
                push((v, lineno, col, end_lineno, end_col))


def parse_with_tree_sitter(source: str) -> tuple[ast.Module, list[SyntaxProblem]]:
    """Parse ``source`` with tree-sitter and convert it to a 3.11 ``ast.Module``.

    Never raises for any ``str`` input.  Returns the module and the list of
    merged syntax problems (empty for well-formed code).
    """
    if isinstance(source, bytes):  # be lenient
        source = source.decode("utf-8", "replace")
    source = source.removeprefix("\ufeff")  # CPython positions are relative to the text after a BOM
    data = source.encode("utf-8", "surrogatepass")
    if b"\r" in data:  # old Mac line ends: CPython reads a lone CR as a newline (same length)
        data = _LONE_CR_RE.sub(b"\n", data)
    try:
        # tree-sitter's scanner stops strings at NUL bytes: parse with blanks in
        # their place (same length, so positions hold); text is read from ``data``
        pdata = data.replace(b"\x00", b" ") if b"\x00" in data else data
        tree = _parse_tree(pdata)
    except Exception as exc:  # noqa: BLE001
        mod = ast.Module(body=[], type_ignores=[])
        lines = max(1, data.count(b"\n") + 1)
        return mod, [SyntaxProblem(1, lines, f"tree-sitter failed: {type(exc).__name__}")]

    backticks: set[int] = set()
    try:
        tree, backticks = _fix_misparses(pdata, tree)
    except Exception:  # noqa: BLE001, S110 - keep the first tree
        pass
    conv = _Converter(data)
    conv.backticks = backticks
    root = tree.root_node
    old_limit = sys.getrecursionlimit()
    needed = MAX_DEPTH * 8 + 2000
    if old_limit < needed:
        sys.setrecursionlimit(needed)
    try:
        try:
            if root.type == "ERROR":  # tree-sitter could not even find a module
                body = []
                conv.salvage(root, body)
                body.extend(conv.pending)
                conv.pending.clear()
            else:
                body = conv.body(root)
        except Exception as exc:  # noqa: BLE001 - last resort
            conv.problem(root, f"conversion failed: {type(exc).__name__}")
            body = []
        mod = ast.Module(body=body, type_ignores=[])
        try:
            _fix_missing_locations(mod)
        except Exception:  # noqa: BLE001, S110 - positions are a nicety
            pass
        hidden: list[SyntaxProblem] = []
        try:
            problems = _collect_tree_problems(root, conv, hidden)
            # tree-sitter accepts tokens CPython's tokenizer rejects, and does not check indentation
            lexical = _number_problems(pdata, root) + _indentation_problems(pdata, root)
        except Exception as exc:  # noqa: BLE001
            problems = [SyntaxProblem(1, root.end_point[0] + 1, f"error scan failed: {type(exc).__name__}")]
            lexical = []
    finally:
        if old_limit < needed:
            sys.setrecursionlimit(old_limit)
    return mod, _merge_problems(problems + conv.problems + lexical + hidden)


def _no_type_params(node) -> None:
    """Python 3.12+ ``FunctionDef``/``ClassDef`` have a ``type_params`` list, which 3.12 does not
    default when omitted (3.13 does): set it empty, as ``ast.parse`` does for non-generic code
    (the generic parameters themselves are kept as ``type_params_source``)."""
    if "type_params" in node._fields and not hasattr(node, "type_params"):
        node.type_params = []
