"""A URL's password runs to the last ``@`` of its authority, as URL parsers read it: the explanation names its
length and first characters, and a password that asks to be replaced (``Ch@ngeTh!s...``) is a placeholder."""

from secreview.rules.hardcoded_crypto_key import is_placeholder
from secreview.rules.hardcoded_secret import _credential_shape, _documentation_url


def test_password_with_at_signs_is_read_whole():
    found = _credential_shape("s3://archive_key:Xk9@q2Lv@store.corp.internal:9000/archive")
    assert found == ("a URL with an embedded password", "Xk9@q2Lv")


def test_host_after_the_last_at_sign():
    assert _documentation_url("s3://key:Pa@ss@localhost:9000")
    assert not _documentation_url("s3://key:local@host@store.corp.internal")


def test_change_me_in_any_spelling_is_a_placeholder():
    assert is_placeholder("Ch@ngeTh!sPa33w0rd")
    assert is_placeholder("CHANGE_ME_PLEASE")
    assert not is_placeholder("s3cr3t-Pr0d")
