"""HTML builder: the issue as one self-contained page (styles and images inline) for web or mail."""

from __future__ import annotations

import base64
import mimetypes
from dataclasses import replace

from markupsafe import Markup

from newsbook import __version__
from newsbook.model import Image, Issue
from newsbook.model.errors import BuildError
from newsbook.render.environment import Theme

TEMPLATE = "web.html"
STYLESHEET = "screen.css"
# Elements that have no end tag in HTML: XHTML's <br/> is fine for them, but an empty
# <td/> or <a/> is not, since an HTML parser reads it as an open tag.
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}
# Attributes that make a browser load something, as opposed to links a reader follows.
_RESOURCE_ATTRIBUTES = ("src", "srcset", "poster", "data", "background", "manifest", "icon",
                        "xlink:href", "ping")
_NAVIGATION = ("a", "area")  # the only elements whose href a reader follows; elsewhere
# (link, base, SVG's image and use) an href is loaded


def data_uri(data: bytes, media_type: str) -> str:
    """A data: URL carrying `data`."""
    return f"data:{media_type};base64,{base64.b64encode(data).decode('ascii')}"


def image_uri(image: Image) -> str:
    """An issue image as a data: URL."""
    return data_uri(image.data, image.media_type)


def build(issue: Issue, theme: Theme) -> bytes:
    """The HTML file for an issue: UTF-8, with no reference to anything outside itself."""
    uris = {image.key: image_uri(image) for image in issue.images}
    sections = [replace(section, articles=[replace(a, body=web_body(a.body, uris))
                                           for a in section.articles])
                for section in issue.sections]
    page = replace(issue, sections=sections)
    css = inline_css(theme.resource(STYLESHEET).decode("utf-8"), theme, STYLESHEET)
    html = theme.render(TEMPLATE, page, data_uri=image_uri, generator=f"newsbook {__version__}",
                        # "</" would end the <style> element early; "<\/" means the same in CSS.
                        stylesheet=Markup(css.replace("</", "<\\/")))
    outside = external_resources(html)
    if outside:
        raise BuildError(f"{TEMPLATE}: the page must be self-contained, but it loads "
                         f"{_shorten(outside[0])}" + (f" (and {len(outside) - 1} more)"
                                                      if len(outside) > 1 else ""))
    return html.encode("utf-8")


def web_body(body: str, uris: dict[str, str]) -> str:
    """An article's XHTML body as HTML: images inline, headings one level down, no <td/>."""
    from lxml import etree
    from lxml import html as lxml_html

    try:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
        root = etree.fromstring(f"<div>{body}</div>", parser)
    except etree.XMLSyntaxError:  # not from clean.py: read it as the HTML it claims to be
        root = lxml_html.fragment_fromstring(body, create_parent="div")
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue  # comments and processing instructions
        if element.tag == "img" and element.get("src") in uris:
            element.set("src", uris[element.get("src")])
        elif element.tag in ("h2", "h3", "h4", "h5"):
            # The article title is an h2 under its section's h1 here.
            element.tag = f"h{int(element.tag[1]) + 1}"
        elif element.tag == "h1":
            element.tag = "h3"
        if element.tag not in VOID and element.text is None and len(element) == 0:
            element.text = ""  # serialized as <td></td>, not <td/>
        if element.tag == "pre" and (element.text or "").startswith("\n"):
            element.text = "\n" + element.text  # an HTML parser drops a <pre>'s first newline
    text = (root.text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text + "".join(etree.tostring(child, encoding="unicode", method="xml")
                          for child in root)


def inline_css(css: str, theme: Theme, name: str) -> str:
    """A stylesheet with every url() to a theme file (fonts, images) made a data: URL.

    @import and references to anything but the theme's own files are refused: the page
    must not load a stylesheet or font from the web or the disk.
    """
    import tinycss2
    from tinycss2.ast import AtRule, URLToken

    def url_of(token) -> str | None:
        if token.type == "url":
            return token.value
        if token.type == "function" and token.lower_name in ("url", "src"):
            strings = [t for t in token.arguments if t.type == "string"]
            return strings[0].value if strings else ""
        return None

    def resolve(url: str, token) -> URLToken:
        if url.startswith("data:") or url.startswith("#"):
            return token
        if url.startswith("/") or ":" in url.split("/")[0] or ".." in url.split("/"):
            raise BuildError(f"{name}: the page must be self-contained, but it loads "
                             f"{_shorten(url)} (use a file of the theme)")
        path = url.split("#")[0].split("?")[0]
        media_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
        # a theme file: inline it (fonts, background images)
        uri = data_uri(theme.resource(path), media_type)
        return URLToken(token.source_line, token.source_column, uri, f"url({uri})")

    def walk(tokens):
        if not tokens:
            return tokens
        out = []
        for token in tokens:
            url = url_of(token)
            if url is not None:
                out.append(resolve(url, token))
                continue
            for attribute in ("prelude", "content", "arguments"):
                value = getattr(token, attribute, None)
                if isinstance(value, list):
                    setattr(token, attribute, walk(value))
            out.append(token)
        return out

    rules = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=False)
    for rule in rules:
        if isinstance(rule, AtRule) and rule.lower_at_keyword == "import":
            raise BuildError(f"{name}: @import is not allowed in a self-contained page "
                             "(put the rules in the stylesheet itself)")
    return tinycss2.serialize(walk(rules))


def external_resources(html: str) -> list[str]:
    """Everything a page would load from outside itself: anything but data: and #fragments.

    Links a reader follows (<a href>) are not resources and are not listed.
    """
    from lxml import html as lxml_html

    # huge_tree: a data: URL of a large image is longer than libxml2's default limit.
    document = lxml_html.document_fromstring(html, parser=lxml_html.HTMLParser(huge_tree=True))
    found: list[str] = []

    def check(value: str) -> None:
        value = value.strip()
        if value and not value.startswith(("data:", "#")):
            found.append(value)

    for element in document.iter():
        if not isinstance(element.tag, str):
            continue
        for attribute in _RESOURCE_ATTRIBUTES:
            value = element.get(attribute)
            if value is None:
                continue
            if attribute == "srcset":
                for candidate in value.split(","):
                    check(candidate.strip().split(" ")[0])
            else:
                check(value)
        if element.tag not in _NAVIGATION and element.get("href") is not None:
            check(element.get("href"))
        if element.tag == "meta" and (element.get("http-equiv") or "").lower() == "refresh":
            found.append(element.get("content") or "refresh")
        if element.tag == "style":
            found.extend(_css_references(element.text or ""))
        if element.get("style"):
            found.extend(_css_references(element.get("style"), declarations=True))
    return found


def page_problems(text: str) -> tuple[list[str], dict]:
    """What keeps an HTML page from being one well-formed, self-contained file (HTML5 parse
    errors, anything it loads from elsewhere), and its title and language (`newsbook check`)."""
    import html5lib
    from html5lib.constants import E

    parser = html5lib.HTMLParser(namespaceHTMLElements=False)
    document = parser.parse(text)
    problems = [f"not well-formed HTML: {E.get(code, code) % (values or {})} "
                f"(line {line}, column {column})"
                for (line, column), code, values in parser.errors]
    problems += [f"not self-contained: it loads {_shorten(value)}"
                 for value in external_resources(text)]
    title = " ".join("".join(document.find("head/title").itertext()).split()) \
        if document.find("head/title") is not None else None
    return problems, {"title": title or None, "language": document.get("lang")}


def _css_references(css: str, declarations: bool = False) -> list[str]:
    """url()s other than data: and @imports in a stylesheet or a style attribute."""
    import tinycss2

    found: list[str] = []

    def walk(tokens) -> None:
        for token in tokens or ():
            if token.type == "url" and not token.value.startswith(("data:", "#")):
                found.append(token.value)
            elif token.type == "function" and token.lower_name in ("url", "src"):
                for argument in token.arguments:
                    if argument.type == "string" and not argument.value.startswith(("data:", "#")):
                        found.append(argument.value)
            elif token.type == "at-rule" and token.lower_at_keyword == "import":
                found.append("@import")
            # a declaration's tokens are its value; a rule's, its prelude and content
            for attribute in ("prelude", "content", "arguments", "value"):
                value = getattr(token, attribute, None)
                if isinstance(value, list):
                    walk(value)

    walk(tinycss2.parse_blocks_contents(css) if declarations
         else tinycss2.parse_stylesheet(css))
    return found


def _shorten(value: str, limit: int = 80) -> str:
    return value if len(value) <= limit else value[:limit - 1] + "…"

