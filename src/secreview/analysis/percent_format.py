"""The placeholders of a ``%``-format (``"%s"``, ``"%(name)d"``, ``"%-5.2f"``), as Python's ``str % args``
and ``logging`` read them: what the string building, SQL text and logging checks each need to know of
which argument a placeholder writes, and how."""

import re

PERCENT_SPEC = re.compile(
    r"%(?P<key>\([^)]*\))?[-#0 +]*(?P<width>\*|\d+)?(?:\.(?P<precision>\*|\d+))?[hlL]?(?P<conversion>[a-zA-Z%])")
"""One placeholder: its mapping key with the parentheses (``(name)``), width, precision and conversion
letter (``%%`` is the conversion ``%``: a literal percent sign, no argument)."""

NUMERIC_CONVERSIONS = frozenset("diouxXeEfFgG")
"""Conversions that write a number: their argument must be one (text makes them raise)."""
