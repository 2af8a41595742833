from secreview.analysis.values import CONSTRUCTION_NAME_OR_STEP, CONSTRUCTION_STEPS
from secreview.findings.model import Level
from secreview.rules.base import SinkRule


class XpathInjection(SinkRule):
    """XPath expression built from untrusted data.

    A value pasted into an XPath expression (`"//user[@name='" + name + "']"`)
    is parsed as XPath: a quote in it closes the string and `or '1'='1` makes the
    predicate always true, exposing nodes the query was meant to hide (other
    users' records, password hashes).

    Reported when data traced to untrusted input reaches the expression of
    lxml `.xpath()`, `etree.XPath()`/`ETXPath()`, or any `.xpath(expr)` call
    (parsel/Scrapy selectors). Not reported: values passed as XPath variables
    (`root.xpath("//user[@name=$name]", name=value)`), values checked against an
    allow-list or converted to numbers, and expressions that are merely not
    constant. Shell quoting or HTML escaping does not count.

    An expression built from a parameter of the function that builds it, with no
    untrusted source traced, is reported with low confidence (withheld by
    default): inside a quoted value or a comparison (`"//user[@name='%s']" %
    name`) the query helper's caller chooses the value, and where every such part
    is a location step, a tag name or a whole expression (`f".//{tag}"`, `"." +
    xpath`) the function takes a selector from its caller (a scraping library's
    extraction schema). Judged on real code (panels O and P), such findings were
    0 real, 1 worth a look, 5 false: a SAML library's entity id and binding
    arguments, an extraction schema's selectors, each over a document the caller
    supplied. A value traced from outside data is reported at the sink all the
    same.

    **Fix:** keep the expression constant and pass values as XPath variables:
    `tree.xpath("//user[@name=$name]", name=name)` (or `etree.XPath("...$name")`
    called with `name=...`).
    """

    id = "SR110"
    name = "xpath-injection"
    title = "XPath injection"
    cwe = 643
    severity = Level.MEDIUM
    confidence = Level.HIGH
    sink_kinds = ("xpath",)
    untainted = None
    constructions = ("xpath",)
    construction_confidence = Level.LOW
    names_confidence = Level.LOW
    names_origins = frozenset({CONSTRUCTION_STEPS, CONSTRUCTION_NAME_OR_STEP})
    names_where = ("it is spliced in where XPath takes a location step or an expression, not inside a quoted "
                   "value: the function takes a selector from its caller")
    danger = ("It is parsed as XPath, so a quote and `or '1'='1'` in it rewrite the predicate and select nodes "
              "the query was meant to keep hidden.")
    fix = ("Keep the XPath expression constant and pass the value as a variable: "
           "`root.xpath(\"//user[@name=$name]\", name=value)`.")
