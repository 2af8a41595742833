"""What the authorization rules read as a check (``secreview.rules.authz``)."""

import pytest

from secreview.rules.authz import guard_name


@pytest.mark.parametrize("name", [
    "check_policy", "enforce", "enforce_call", "authorize", "_authorize", "authorize_project_context",
    "wrap_check_policy", "require_admin_context", "_ensure_write_access", "extension_authorizer", "check_access",
    "swift.authorize",
])
def test_checks(name):
    assert guard_name(name)


@pytest.mark.parametrize("name", [
    "enforce_quota", "_get_ports_with_policy", "validate_policy_for_port", "_parse_policy_groups",
    "get_snapshot", "require_context", "check_size", "", None,
])
def test_not_checks(name):
    assert not guard_name(name)


def test_policy_alone_needs_a_constant_action():
    assert guard_name("validate_policy", constant_action=True)
    assert not guard_name("validate_policy", constant_action=False)
