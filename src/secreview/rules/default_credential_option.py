"""oslo.config option holding a password, token or key, given a constant default value.

An option that holds a credential — declared `secret=True`, or named for a
password, token, secret or key (`admin_token`, `stack_domain_admin_password`,
`auth_encryption_key`) — and ships with a value (`default='ADMIN'`,
`default='simplepassword'`) gives every installation that does not set it the
same, published credential: whoever reads the project's source logs in with
the default password, presents the default admin token or decrypts what was
encrypted with the default key, on every deployment whose operator did not
know the option had to be changed (CWE-1392, use of default credentials).
OpenStack removed such defaults: Keystone's `admin_token` defaulted to
`'ADMIN'` and was compared with the request's token, Octavia's anchor
`password` to `'simplepassword'`.

Reported, outside test code, for `cfg.StrOpt`, `cfg.Opt`, `cfg.URIOpt` and
`cfg.HostAddressOpt`... (any `oslo_config.cfg.*Opt` taking a string) whose
constant default is a non-empty string, when the option is declared
`secret=True` or its name says it holds a secret (the names of the
`secret-config-option` rule: last part `password`, `passwd`, `passphrase`,
`secret`, `token`, `credential(s)`, `kek`, or a `key` that is not a public,
host, access, lookup or TLS/SSH key); for an option that holds a URL (a
connection URL, or a secret option whose default has a `scheme://`), only
when the default URL carries a password (`swift://demo:nomoresecrete@/demo`).

Not reported: no default, `None` or an empty string (the service then
refuses to start or the feature is off until the operator sets it); a
default that refers to another option (`$state_path`) or is a template
(`<password>`, `[Provide password in config file]`, `%(password)s`, `${PASSWORD}`,
`xxxx`, `****`); a URL default
without a password (`sqlite://`, `file://$state_path`,
`redis://127.0.0.1:6379`); a key option whose default or help says it is a
file or path (`/etc/keystone/private.pem`); a `key` option not declared
secret whose default is a lower-case dotted or underscored name, or whose help
says it is the name of a key (`heal_include_block_storage_key =
'tacker_extension_heal_include_block_storage'`: a key to look up in a mapping), or whose
help says it is the key of a mapping to look up (`help="Metadata key used to
retrieve the accelerator type"`, default `'Accelerator:Type'`);
an option whose help says it names
a plugin, driver or module; an option with `choices=` (one of a list of
names, not a credential); options of other types (`BoolOpt`, `IntOpt`);
names that only mention a secret (`password_regex`, `token_provider`,
`key_manager`); and test code. An option whose help says the program presents
it to another system (`help="Password used to authenticate to an
instance."`: tempest's login to the guests it boots), or a URL whose host
is this machine (`rabbit://guest:guest@127.0.0.1:5672/`: the login it
presents to a broker on the same host), is reported with low confidence (not
shown by default): its default opens nothing where it is declared.

**Fix:** give the option no default (`default=None` or none at all) and make
the service refuse to start, or the feature stay off, until the operator sets
it; generate a random value at installation (the deployment tool's job) if
one is needed.
"""

from __future__ import annotations

import re

from secreview.analysis.urls import LOOPBACK_HOST
from secreview.findings.model import Level
from secreview.rules.base import CallRule, Hit
from secreview.rules.secret_config_option import (
    _FILE_WORDS,
    _GIVEN_TO,
    _NOT_A_VALUE,
    _const_str,
    _text,
    names_a_lookup_key,
    option_secret_kind,
)

_OPTS = ("StrOpt", "Opt", "URIOpt", "HostAddressOpt", "HostnameOpt")
_CALLEES = tuple(f"oslo_config.cfg.{o}" for o in _OPTS)
# ``scheme://user:password@host``: the password part of a URL's user information
_URL_PASSWORD = re.compile(r"^[A-Za-z][\w+.-]*://[^/@:\s]*:([^/@\s]+)@")
# another option's value substituted by oslo.config (``$state_path``, ``${state_path}``)
_SUBSTITUTION = re.compile(r"\$\{?[A-Za-z_]")
# the name of a key in a mapping (``tacker_extension_heal_include_block_storage``, ``blazar:project``)
_KEY_NAME = re.compile(r"[a-z][a-z0-9]*(?:[_.:-][a-z0-9]+)+")
_NAME_OF = re.compile(r"(?i)\bname of\b")


# What the published default lets anyone do, by what the option holds (not "log in" with an encryption key)
_USES = {"password": "log in with it", "credentials": "log in with them", "token": "present it as the token",
         "key": "decrypt or forge what it protects", "secret": "use it wherever the service does"}


def _template(text: str) -> bool:
    """No value: a template, a mask or a reference to another option."""
    t = text.strip()
    if not t or _SUBSTITUTION.search(t):
        return True
    if len(set(t.lower())) == 1 and t[0].lower() in "x*.-_#?0":
        return True
    return (t.startswith("<") and t.endswith(">")) or (t.startswith("%(") and t.endswith(")s")) \
        or (t.startswith("{") and t.endswith("}")) or (t.startswith("[") and t.endswith("]"))


# the host of a URL with user information (``scheme://user:password@HOST:port/...``), and a loopback host
_URL_HOST = re.compile(r"^[A-Za-z][\w+.-]*://[^/@\s]*@(\[[^\]]*\]|[^/:?#\s]*)")
_LOOPBACK = re.compile("(?i)" + LOOPBACK_HOST)
# help text saying the program presents the credential elsewhere: "used to authenticate to an instance",
# "to connect to the broker", "to log in to the device", "when connecting to"
_OUTBOUND = re.compile(r"(?i)\b(to|when)\s+(authenticate|authenticating|connect|connecting|log\s*in|logging\s+in|"
                       r"login|ssh|sshing)\s+(to|into|with|on)\b")


class DefaultCredentialOption(CallRule):
    __doc__ = __doc__

    id = "SR705"
    name = "default-credential-option"
    title = "Credential option with a constant default"
    cwe = 1392
    severity = Level.HIGH
    confidence = Level.HIGH
    tests_relevant = False
    callees = _CALLEES

    def check(self, site, callee: str):
        name_value, _ = site.arg(0, "name")
        name, value = _const_str(name_value), _const_str(site.kwargs.get("default"))
        if name is None or value is None or _template(value) or "choices" in site.kwargs:
            return
        secret = site.kwargs.get("secret")
        declared = secret is not None and secret.is_const and secret.const is True
        kind = option_secret_kind(name)
        if kind is None and not declared:
            return
        help_text = _text(site.call.keyword("help"))
        named = _NOT_A_VALUE.search(help_text)
        if named and kind != "connection URL" and not _GIVEN_TO.search(help_text[:named.start()]):
            return  # the option names a plugin or a driver, not a credential
        if kind == "connection URL" or "://" in value:
            password = _URL_PASSWORD.match(value.strip())
            if password is None or _template(password.group(1)):
                return  # a URL without a password (``sqlite://``, ``file://$state_path``)
            holds = "a URL with a password in it"
        elif value.startswith(("/", "~", "./")) or (kind == "key" and _FILE_WORDS.search(help_text)):
            return  # the option names a key file, not the key
        elif kind == "key" and not declared and (_KEY_NAME.fullmatch(value) or _NAME_OF.search(help_text)
                                                  or names_a_lookup_key(help_text)):
            return  # the name of a key to look up (``..._key = 'tacker_extension_heal'``), not key material
        else:
            holds = {None: "a value declared secret", "credentials": "credentials"}.get(
                kind, f"{'an' if (kind or 'x')[0] in 'aeiou' else 'a'} {kind}")
        code = site.interp.code(site.call.func)
        why = "is declared `secret=True`" if kind is None and "://" not in value else "holds " + holds
        use = "log in with it" if "://" in value else _USES.get(kind, "use it wherever the service does")
        host = _URL_HOST.match(value.strip()) if "://" in value else None
        if host is not None and _LOOPBACK.fullmatch(host.group(1)):
            # ``rabbit://guest:guest@127.0.0.1:5672/`` (k2hr3's ``transport_url``): the login this program presents
            # to a broker or database on its own machine (judged false on panel BB)
            harm = (f"; its host, `{host.group(1)}`, is this machine: the URL is what this program presents to a "
                    "service on the same host, so the default works only where that service was set up there with "
                    "the same published value.")
            confidence = Level.LOW
        elif _OUTBOUND.search(help_text):
            # ``help="Password used to authenticate to an instance."`` (tempest): the credential this program
            # presents elsewhere; its default opens nothing here (judged false on real code: panels N and O)
            harm = ("; its help says this program presents it to another system, so the default works only where "
                    "that system was set up with the same published value.")
            confidence = Level.LOW
        else:
            harm = (f": every installation whose operator does not set it uses the same credential, published with "
                    f"the source code, so wherever an account or a peer was set up to match that default, anyone "
                    f"can {use} there.")
            confidence = None  # the rule's
        yield Hit(
            node=site.call,
            explanation=f"`{code}('{name}', ...)` {why} and defaults to a constant{harm}",
            fix=(f"Give `{name}` no default (or `default=None`) and refuse to start, or keep the feature off, until "
                 f"the operator sets it; generate a random value at installation if one is needed."),
            confidence=confidence,
        )
