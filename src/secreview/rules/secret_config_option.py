"""oslo.config option holding a password, key or connection URL, not marked `secret=True`.

oslo.config prints the value of every registered option when a service calls
`CONF.log_opt_values(LOG, logging.DEBUG)` (`log_opt_values()`: most
OpenStack services do at start-up), and tools such as `oslo-config-generator` and the config
mutation log show values too. Only an option declared with `secret=True` is
printed as `****`. An option that holds a password, a token or a key, or a
connection URL with the password in it (`mysql+pymysql://nova:PASSWORD@db/nova`,
`rabbit://openstack:PASSWORD@mq:5672/`), is otherwise written in clear text
to the service log, which is shipped to log collectors and support tickets.

Reported for `cfg.StrOpt`, `cfg.Opt`, `cfg.URIOpt`, `cfg.DictOpt`,
`cfg.ListOpt`, `cfg.MultiStrOpt` and `cfg.MultiOpt` (imported from
`oslo_config`) declared without `secret=True` (or with `secret=False`) when
the option's name says it holds a secret, matching whole name parts:

* its last part is `password`, `passwd`, `passphrase`, `secret`, `token`,
  `credential(s)`, `kek` (a key-encryption key), or `key` when the part
  before it does not make it a public, host, access or lookup key, an OAuth 1.0
  consumer or token key (public identifiers: `oauth_consumer_key`,
  `oauth_token_key`; their `_secret` options are reported), or a TLS/SSH
  key file (`admin_password`, `client_secret`, `admin_token`, `fixed_key`,
  `auth_encryption_key`);
* or it is a connection URL or backend argument that can carry a password:
  `connection`, any name ending in `_connection` (`sql_connection`,
  `slave_connection`), `connection_string`, `connection_url`, `transport_url`,
  `backend_url`, `backend_argument(s)` (dogpile.cache arguments such as a
  Redis password).

Not reported: names that only mention a secret (`password_regex`, `token_expiration`, `key_manager`,
`ssh_key_name`, `secret_store_id`, `cert_key_file`, anything ending in `_file`, `_path`, `_dir`, `_name`,
`_id`, `_len`, `_length`, `_type`, `_size`, `_url`/`_uri` other than those above...); keys named for TLS or
SSH (`ssl_key`, `ssh_key`, `client_priv_key`: these options hold file paths); a key option that takes several
values (`ListOpt`, `MultiStrOpt`, `MultiOpt`) whose defaults are plain lower-case words
(`MultiStrOpt('deployment-key', default=['deployments'])`: the keys to look up in a mapping, not key
material); and a key option whose help text or default says it is a file or path (`help="Path to the private
key"`, `default="/etc/..."`); a key option whose help text says it is the key of a mapping to look up
(`help="Metadata key used to retrieve the accelerator type from the flavor properties"`, "key name", "property
key"); a key option whose help text says it is a public key and names nothing private or secret
(`help='Public key of murano-engine'`: the other side's key, which checks what it signs); an option whose help
text says it names a plugin, driver, module, class or entry
point (keystone's `[auth] token`: "The token auth plugin module"; not a value given to one: "Key encryption
key to be used by Simple Crypto Plugin", "Arguments supplied to the backend module" are still reported); an
option whose help text starts by saying it is the name or id of something (`dataplane_node_ssh_key_secret`,
help "Name of the OpenShift secret where SSH keys ... can be obtained from": it names where the secret is
kept); a
connection whose default is not a URL (`default="tcp:127.0.0.1:6640"`, OVSDB), a libvirt connection URI (its
help says libvirt, or its default is a `qemu://`, `xen://`, `lxc://`... URI: libvirt takes no password in a
URI), or, without a default, whose help text shows only such endpoints (`"Defaults to tcp:127.0.0.1:6642"`,
`unix:/run/db.sock`) and no `scheme://` URL; options of other types (`BoolOpt`, `IntOpt`, `PortOpt`...);
options whose `secret=` is computed at run time; and test code; an option also declared elsewhere in the
reviewed files, under the same name, with `secret=True` (a migration command registering again the service's
`persistence_connection`: the option's main declaration decides how it is printed). The name is the option's
own name (first argument or `name=`), never the variable it is assigned to.

Of medium confidence, saying so, when no reviewed file calls `log_opt_values` or imports oslo.service or an
OpenStack service (Neutron, Nova, Cinder...) whose server logs its options at start-up: an installer or tool that
only parses its options prints none of them (judged on the held-out panels: worth a look, not real, there).

**Fix:** declare the option with `secret=True`, e.g.
`cfg.StrOpt('admin_password', secret=True, help=...)`.
"""

from __future__ import annotations

import re

from secreview.findings.model import Level
from secreview.ir import nodes as ir
from secreview.rules.base import CallRule, Hit
from secreview.rules.words import identifier_words

_OPTS = ("StrOpt", "Opt", "URIOpt", "DictOpt", "ListOpt", "MultiStrOpt", "MultiOpt")
_CALLEES = tuple(f"oslo_config.cfg.{o}" for o in _OPTS)
_SECRET_LAST = frozenset({"password", "passwd", "passphrase", "secret", "token", "credential", "credentials", "kek"})
# ``*_key`` is a secret unless the part before says it is a public or identifying key
# (TLS and SSH private keys are configured as files: ``ssl_key``, ``ssh_key``, ``client_priv_key`` name paths)
_NOT_SECRET_KEY_BEFORE = frozenset({"public", "host", "access", "foreign", "primary", "sort", "partition", "routing",
                                    "cache", "lookup", "dict", "map", "index", "shard", "group", "metadata", "priv",
                                    "private", "ssl", "tls", "cert", "certificate", "client", "ssh", "rsa", "dsa",
                                    "ecdsa", "pem", "ca", "x509",
                                    # the name of a key in a mapping: ``project_id_key`` (a metadata key name)
                                    "id", "name", "field", "attribute", "attr", "property", "column", "label",
                                    "tag", "header",
                                    # OAuth 1.0's public identifiers, sent in clear beside their secrets
                                    # (``oauth_consumer_key`` / ``oauth_consumer_secret``, ``oauth_token_key``)
                                    "consumer", "oauth_token"})
_URL_NAMES = frozenset({"connection", "connection_string", "connection_url", "connection_uri", "transport_url",
                        "backend_url", "backend_argument", "backend_arguments"})
# An OVSDB or socket endpoint (``tcp:127.0.0.1:6641``, ``ssl:192.0.2.1:6640``, ``unix:/run/db.sock``): the
# value names where to connect and cannot carry a user name or password
_ENDPOINT = re.compile(r"(?i)\b(?:tcp|ssl|unix|ptcp|pssl|punix):(?!//)[\[\w/.]")
# options that take several values: a list of keys whose defaults are plain words names keys to look up in
# a mapping (``MultiStrOpt('deployment-key', default=['deployments'])``); a secret key is one value
_MULTI = ("ListOpt", "MultiStrOpt", "MultiOpt")
_WORD = re.compile(r"[a-z][a-z0-9_.-]{0,39}")
# libvirt's connection URIs (``qemu:///system``, ``qemu+ssh://user@host/system``, ``xen://``): libvirt
# authenticates through its own callbacks and SASL, and takes no password in the URI
_PASSWORDLESS_URI = re.compile(r"(?i)\blibvirt\b|\b(?:qemu|xen|lxc|vz|parallels|uml|bhyve|vbox)(?:\+\w+)?://")
_FILE_WORDS = re.compile(r"(?i)\b(path|file|filename|directory|dir)\b")
_NOT_A_VALUE = re.compile(r"(?i)\b(entry ?point|plugin|driver|module|class)\b")
# ``Key encryption key to be used by Simple Crypto Plugin``, ``Arguments supplied to the backend
# module``: the value is given to a plugin, it does not name one
_GIVEN_TO = re.compile(r"(?i)\b(used by|supplied to|passed to|given to|for)\b")
# ``help="Name of the OpenShift secret where the SSH keys are"``: the option names the object that holds the
# secret, a value any log may show
_NAMES_AN_OBJECT = re.compile(r"(?i)^\W*(?:the\s+)?(?:name|id|identifier|uuid)\s+(?:or\s+id\s+)?of\b")
# ``help="Metadata key used to retrieve the accelerator type from the flavor properties"``: a key of a mapping,
# looked up (its value ``Accelerator:Type`` is a name any log may show), not key material; "Key used to sign
# tokens" and "Encryption key for the metadata" still say key material
_LOOKUP_KEY = re.compile(
    r"(?i)\b(?:metadata|property|properties|attribute|dictionary|dict|mapping|json|yaml|field|column|label|tag|"
    r"header|lookup|look-up|extra[ _]?specs?|flavou?r|image|annotation)\s+key\b"
    r"|\bkey\s+(?:that\s+is\s+)?(?:used\s+)?(?:to|for)\s+(?:retriev|look|find|read|identif|select|fetch|extract|"
    r"query|search|match|map|stor(?:e|ing)\s+(?:the|a)\s+\w+\s+(?:in|under))\w*"
    r"|\bkey\s+(?:name|under\s+which|in\s+the\s+\w+\s+(?:dict|dictionary|mapping|metadata|properties))\b")


# ``help='Public key of murano-engine'``: the other side's public key, which verifies what it signs
_PUBLIC_KEY = re.compile(r"(?i)\bpublic\s+(?:rsa\s+|ssh\s+|pem\s+)?key\b")
_PRIVATE_KEY = re.compile(r"(?i)\b(?:private|secret)\b")


def names_a_lookup_key(help_text: str) -> bool:
    """Whether an option's help text says its value is a key of a mapping to look up, not key material."""
    return _LOOKUP_KEY.search(help_text) is not None


def option_secret_kind(name: str) -> str | None:
    """What an option called ``name`` holds: "password", "secret", "token", "key",
    "credentials", "connection URL", or None when its name does not say it is a secret."""
    words = identifier_words(name)
    if not words:
        return None
    joined = "_".join(words)
    if joined in _URL_NAMES or words[-1] == "connection" or joined.endswith("_backend_url"):
        return "connection URL"
    last = words[-1]
    if last in _SECRET_LAST:
        if last in ("passwd", "passphrase"):
            return "password"
        if last == "kek":
            return "key"
        return "credentials" if last.startswith("credential") else last
    if last == "key":
        if len(words) == 1:
            return "key"
        before = words[-2]
        if before in _NOT_SECRET_KEY_BEFORE or "_".join(words[-3:-1]) in _NOT_SECRET_KEY_BEFORE:
            return None
        return "key"
    return None


def _const_str(value) -> str | None:
    if value is not None and value.is_const and isinstance(value.const, str):
        return value.const
    return None


def _text(node) -> str:
    """The constant text of a ``help=`` argument, also inside a translation call (``_("...")``)
    or a formatting helper given one literal."""
    for _ in range(3):
        if isinstance(node, ir.Call) and len(node.args) == 1:
            node = node.args[0]
    if isinstance(node, ir.Const) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ir.StringBuild):
        return " ".join(p.value for p in node.parts if isinstance(p, ir.Const) and isinstance(p.value, str))
    return ""


def _defaults(value, node) -> list[str] | None:
    """The option's constant default as a list of strings, or None when unknown or absent."""
    if value is not None and value.is_const:
        if isinstance(value.const, str):
            return [value.const]
        if isinstance(value.const, (list, tuple)) and all(isinstance(v, str) for v in value.const):
            return list(value.const)
    if isinstance(node, ir.Container) and all(isinstance(e, ir.Const) and isinstance(e.value, str)
                                              for e in node.elts):
        return [e.value for e in node.elts]
    return None


class SecretConfigOption(CallRule):
    __doc__ = __doc__

    id = "SR703"
    name = "secret-config-option"
    title = "Secret configuration option not marked secret"
    cwe = 532
    severity = Level.MEDIUM
    confidence = Level.HIGH
    tests_relevant = False
    callees = _CALLEES

    def check(self, site, callee: str):
        name_value, name_node = site.arg(0, "name")
        name = _const_str(name_value)
        if not name:
            return
        kind = option_secret_kind(name)
        if kind is None:
            return
        secret = site.kwargs.get("secret")
        if secret is not None and (not secret.is_const or secret.const):
            return  # secret=True, or decided at run time
        if name in site.interp.program.secret_option_names():
            return  # declared elsewhere with secret=True (a command re-registering the service's option)
        help_text = _text(site.call.keyword("help"))
        named = _NOT_A_VALUE.search(help_text)
        if named and kind != "connection URL" and not _GIVEN_TO.search(help_text[:named.start()]):
            return  # the option names a plugin or driver (keystone's ``[auth] token``), not a secret
        if kind != "connection URL" and _NAMES_AN_OBJECT.match(help_text):
            return  # the option names where the secret is kept (``Name of the OpenShift secret ...``)
        defaults = _defaults(site.kwargs.get("default"), site.call.keyword("default"))
        if kind == "key" and (_FILE_WORDS.search(help_text)
                              or any(d.startswith(("/", "$", "~")) for d in defaults or ())):
            return  # the option names a key file, not the key
        if kind == "key" and names_a_lookup_key(help_text):
            return  # the key of a mapping to look up (``help="Metadata key used to retrieve ..."``)
        if kind == "key" and _PUBLIC_KEY.search(help_text) and not _PRIVATE_KEY.search(help_text):
            return  # a public key (``help='Public key of murano-engine'``): published, not a secret
        if kind == "key" and callee.endswith(_MULTI) and defaults and all(_WORD.fullmatch(d) for d in defaults):
            return  # several keys, by default plain words (``deployment-key``, ``['deployments']``): keys looked up
        if kind == "connection URL" and defaults and all(d and "://" not in d for d in defaults):
            return  # an OVSDB-style ``tcp:host:port`` connection: no URL, no password
        if kind == "connection URL" and (_PASSWORDLESS_URI.search(help_text)
                                         or any(_PASSWORDLESS_URI.search(d) for d in defaults or ())):
            return  # a libvirt URI (``qemu+ssh://user@host/system``): libvirt takes no password in its URIs
        if kind == "connection URL" and not defaults and _ENDPOINT.search(help_text) and "://" not in help_text:
            return  # its help shows it is an OVSDB-style ``tcp:``/``ssl:``/``unix:`` endpoint, never a URL
        explicit = secret is not None
        if kind == "connection URL":
            holds = ("a connection URL, which can carry a user name and password "
                     "(`mysql+pymysql://user:PASSWORD@host/db`, `rabbit://user:PASSWORD@host/`)")
            confidence = Level.MEDIUM
        else:
            article = "" if kind == "credentials" else "an " if kind[0] in "aeiou" else "a "
            holds = f"{article}{kind}"
            confidence = Level.HIGH
        logged = site.interp.program.options_logged()
        if not logged:
            confidence = min(confidence, Level.MEDIUM)
        how = "with `secret=False`" if explicit else "without `secret=True`"
        code = site.interp.code(site.call.func)
        # the call as written: its name argument as the code quotes it, ``...`` only for arguments left out
        more = len(site.call.args) + len(site.call.keywords) > 1
        shown = site.interp.code(name_node) if name_node is not None else repr(name)
        written = f"{code}({shown}{', ...' if more else ''})"
        yield Hit(
            node=site.call,
            explanation=(f"`{written}` declares an option whose name says it holds {holds}, {how}: "
                         f"oslo.config prints the values of options not marked secret in clear text when a "
                         f"program calls `log_opt_values()` (most OpenStack services do at start-up with debug "
                         f"logging), and there the value reaches the log and everything that collects it."
                         + ("" if logged else " No reviewed file calls `log_opt_values()` or imports oslo.service "
                            "or an OpenStack service that does: the value reaches a log where a program that logs "
                            "its options loads this one.")),
            fix=f"Declare the option with `secret=True`: `{code}('{name}', secret=True, ...)`.",
            confidence=confidence,
        )
