"""What a regular expression match says of the value it matched (``analysis.interpreter``): whether
every string it matches whole is a number ``int()`` (or ``float()``) reads, whether it matches only
whole strings. The rule fixtures (unhandled-input-conversion/regex_checks.py, path-traversal/
regex_validators.py) hold the cases in code."""

from __future__ import annotations

import pytest

from secreview.analysis.interpreter import regex_anchored, regex_number


@pytest.mark.parametrize("pattern, how, expected", [
    (r"\d+", "fullmatch", True), (r"[0-9]{4}", "fullmatch", True), (r"^\d{1,6}$", "match", True),
    (r"^-?\d+$", "match", True), (r"[+-]?[0-9]+", "fullmatch", True), (r"\A\d+\Z", "search", True),
    (r"[01]+", "fullmatch", True),
    (r"\d+", "match", False),  # "12abc"
    (r"^\d+", "search", False), (r"\d+$", "search", False), (r"\d*", "fullmatch", False),  # "" too
    (r"-?", "fullmatch", False), (r"-?\d*", "fullmatch", False), (r"[-\d]+", "fullmatch", False),
    (r"\d+(\.\d+)?", "fullmatch", False), (r"[a-z0-9]+", "fullmatch", False), (r"\d+|x", "fullmatch", False),
    (r".+", "fullmatch", False), ("(", "fullmatch", False),
])
def test_a_number_pattern(pattern, how, expected):
    assert regex_number(pattern, how) is expected


def test_a_decimal_pattern_for_float():
    assert regex_number(r"\d+(\.\d+)?", "fullmatch", decimal=True)
    assert not regex_number(r"[\d.a-f]+", "fullmatch", decimal=True)


@pytest.mark.parametrize("pattern, how, expected", [
    (r"[a-f0-9-]{36}", "fullmatch", True), (r"^[a-z]+$", "match", True), (r"[a-z]+$", "match", True),
    (r"^[a-z]+$", "search", True), (r"[a-z]+", "match", False), (r"^[a-z]+", "search", False),
    (r"[a-z]+$", "search", False),
])
def test_an_anchored_pattern(pattern, how, expected):
    assert regex_anchored(pattern, how) is expected
