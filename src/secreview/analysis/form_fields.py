"""What a WTForms form class declares of its fields, for what ``form.validate()`` guarantees of them.

``form.validate()`` (and Flask-WTF's ``validate_on_submit()``) is true only when every field passed its
validators: the ``validators=[...]`` given to the field, the form's inline ``validate_<field>(self,
field)`` method, and the field's own ``pre_validate`` (a ``SelectField``'s value is one of its choices).
A number, date or boolean field holds no text at all once processed. This module reads the class
declarations (no code runs); the interpreter turns each validator into what it makes the value safe for.
"""

from __future__ import annotations

from dataclasses import dataclass

from secreview.ir import nodes as ir

FORM_BASES = frozenset({
    "wtforms.Form", "wtforms.form.Form", "wtforms.form.BaseForm", "flask_wtf.FlaskForm", "flask_wtf.Form",
    "flask_wtf.form.FlaskForm", "wtforms_alchemy.ModelForm", "starlette_wtf.StarletteForm",
})
"""Form base classes whose ``validate()`` runs every field's validators."""

VALIDATE_METHODS = frozenset({"validate", "validate_on_submit"})

_PACKAGES = ("wtforms.", "flask_wtf.", "wtforms_components.")

_NO_TEXT_FIELDS = frozenset({
    "IntegerField", "DecimalField", "FloatField", "BooleanField", "DateField", "DateTimeField",
    "DateTimeLocalField", "TimeField", "MonthField", "WeekField", "IntegerRangeField", "DecimalRangeField",
})
"""Fields whose ``data`` is a number, a date or a boolean (or None): no text a sink could misread."""

_CHOICE_FIELDS = frozenset({"SelectField", "RadioField", "SelectMultipleField"})
"""Fields whose ``pre_validate`` refuses a value that is not one of ``choices`` (unless
``validate_choice=False``): the server's list of values."""


@dataclass(frozen=True)
class Field:
    """One field a form class declares: ``name = StringField("Name", validators=[...])``."""

    name: str
    kind: str  # "no-text", "choice" or "text"
    validators: tuple  # the expressions in ``validators=[...]``
    inline: str | None  # qualname of the form's ``validate_<name>`` method, when one is defined


def form_classes(program, types) -> list:
    """The classes among ``types`` (qualnames) that derive from a WTForms form base."""
    out = []
    for qualname in sorted(types):
        if qualname in program.classes and any(
                found is None and name in FORM_BASES for name, found in program.lineage(qualname)):
            out.append(qualname)
    return out


def declared_fields(program, class_qualname: str) -> list:
    """The fields ``class_qualname`` and its bases in the reviewed code declare (the nearest wins)."""
    seen: dict = {}
    for _, found in program.lineage(class_qualname):
        if found is None:
            continue
        cls = program.classes[found]
        for name, expr in cls.attributes.items():
            if name in seen or not isinstance(expr, ir.Call):
                continue
            kind = _field_kind(expr)
            if kind is None:
                continue
            listed = expr.argument(1, "validators")
            validators = listed.elts if isinstance(listed, ir.Container) else ()
            inline = next((f"{owner}.validate_{name}" for _, owner in program.lineage(class_qualname)
                           if owner is not None and f"{owner}.validate_{name}" in program.functions), None)
            seen[name] = Field(name, kind, tuple(validators), inline)
    return [seen[name] for name in sorted(seen)]


def _field_kind(expr: ir.Call) -> str | None:
    """``no-text``, ``choice`` or ``text`` for a call of a WTForms field class; None for another call."""
    qualname = expr.qualname or ""
    if not qualname.startswith(_PACKAGES):
        return None
    last = qualname.rpartition(".")[2]
    if not last.endswith("Field"):
        return None
    if last in _NO_TEXT_FIELDS:
        return "no-text"
    if last in _CHOICE_FIELDS:
        unchecked = expr.keyword("validate_choice")
        if not (isinstance(unchecked, ir.Const) and unchecked.value is False):
            return "choice"
    return "text"


def validator_name(expr) -> str:
    """The last part of a WTForms validator's qualified name (``Regexp`` of ``validators.Regexp(...)``),
    or "" for anything else (a function of the reviewed code, a lambda)."""
    if isinstance(expr, ir.Call) and (expr.qualname or "").startswith(_PACKAGES):
        return expr.qualname.rpartition(".")[2]
    return ""
