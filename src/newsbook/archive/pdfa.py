"""Archival PDF: the article sources attached to a PDF/A-3u file, and XMP that names them.

WeasyPrint writes the PDF/A-3u document; this step, applied to its bytes, adds what PDF/A-3
allows an archival copy to carry: each article's original file (Markdown, HTML, text, or the
fetched page) as an associated file (catalog /AF, AFRelationship /Source, a MIME subtype and
/Params with /ModDate, /Size and /CheckSum), and XMP metadata with the source URLs and the
dates they were retrieved (in a PDF/A extension schema, as PDF/A requires for custom properties).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime, timezone

# The XMP properties newsbook adds; PDF/A wants each described by an extension schema.
NS = "https://newsbook.invalid/ns/archive/1.0/"
PREFIX = "newsbook"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_DC = "http://purl.org/dc/elements/1.1/"
_XMP = "http://ns.adobe.com/xap/1.0/"
_EXT = "http://www.aiim.org/pdfa/ns/extension/"
_SCHEMA = "http://www.aiim.org/pdfa/ns/schema#"
_PROPERTY = "http://www.aiim.org/pdfa/ns/property#"
_PROPERTIES = (
    ("sourceFiles", "seq Text", "Names of the attached source files, one per article"),
    ("sourceLocations", "seq Text", "Where each source was read: a URL or a project path"),
    ("retrievalDates", "seq Date", "When each source was retrieved (or last modified)"),
    ("articleURLs", "seq Text", "The address of the article each source is for, if known"),
)


@dataclass
class SourceFile:
    """An article's original source, to travel inside the archival PDF."""

    name: str  # the file name inside the PDF, unique within it
    data: bytes
    mime: str  # text/markdown, text/html, text/plain, application/rss+xml, ...
    location: str  # a URL, or a path relative to the project
    modified: datetime | None = None  # the file's own modification time (ModDate)
    retrieved: datetime | None = None  # when it was fetched (web) or last modified (local)
    description: str = ""
    url: str | None = None  # the article's own address (front matter, feed entry, page)


def pdf_date(moment: datetime) -> str:
    """A PDF date string, D:YYYYMMDDHHmmSSZ, in UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("D:%Y%m%d%H%M%SZ")


def xmp_date(moment: datetime) -> str:
    """An XMP date, YYYY-MM-DDThh:mm:ssZ, in UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def archival(pdf_bytes: bytes, sources: list[SourceFile], title: str | None = None) -> bytes:
    """The PDF with every source attached (/AF, /Source) and described in its XMP metadata."""
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        associated = pdf.make_indirect(pikepdf.Array())
        for source in sources:
            spec = pikepdf.AttachedFileSpec(
                pdf, source.data, description=source.description or source.location,
                filename=source.name, mime_type=source.mime,
                mod_date=pdf_date(source.modified) if source.modified else "",
                relationship=pikepdf.Name.Source)
            pdf.attachments[source.name] = spec
            associated.append(spec.obj)
        pdf.Root.AF = associated
        metadata = pdf.Root.get("/Metadata")
        packet = metadata.read_bytes() if metadata is not None else b""
        stream = pdf.make_stream(extend_xmp(packet, sources, title))
        stream.Type = pikepdf.Name.Metadata
        stream.Subtype = pikepdf.Name.XML
        pdf.Root.Metadata = stream
        out = io.BytesIO()
        # A content-derived /ID and no time stamps of pikepdf's own: equal input, equal bytes.
        pdf.save(out, deterministic_id=True, linearize=False, fix_metadata_version=False)
    return out.getvalue()


def extend_xmp(packet: bytes, sources: list[SourceFile], title: str | None) -> bytes:
    """An XMP packet with the sources added (dc:source, dc:relation and newsbook's own schema)."""
    from lxml import etree

    root = None
    if packet.strip():
        parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=True)
        try:
            root = etree.fromstring(packet, parser)
        except etree.XMLSyntaxError:
            root = None  # a damaged packet is replaced rather than patched
    if root is None:
        root = etree.fromstring(b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="'
                                + _RDF.encode() + b'"/></x:xmpmeta>')
    rdf = root.find(f"{{{_RDF}}}RDF") if root.tag != f"{{{_RDF}}}RDF" else root
    nsmap = {"rdf": _RDF, "dc": _DC, PREFIX: NS, "pdfaExtension": _EXT,
             "pdfaSchema": _SCHEMA, "pdfaProperty": _PROPERTY}

    def element(parent, ns: str, name: str, text: str | None = None, **attributes):
        node = etree.SubElement(parent, f"{{{ns}}}{name}", nsmap=nsmap)
        for key, value in attributes.items():
            node.set(key, value)
        if text is not None:
            node.text = text
        return node

    def container(parent, ns: str, name: str, kind: str, values: list[str]):
        holder = element(element(parent, ns, name), _RDF, kind)
        for value in values:
            element(holder, _RDF, "li", value)

    about = {f"{{{_RDF}}}about": ""}
    description = element(rdf, _RDF, "Description", **about)
    if title and rdf.find(f".//{{{_DC}}}title") is None:
        alt = element(element(description, _DC, "title"), _RDF, "Alt")
        element(alt, _RDF, "li", title, **{"{http://www.w3.org/XML/1998/namespace}lang":
                                           "x-default"})
    related = list(dict.fromkeys([s.url for s in sources if s.url]
                                 + [s.location for s in sources]))
    if related:
        container(description, _DC, "relation", "Bag", related)
    container(description, NS, "sourceFiles", "Seq", [s.name for s in sources])
    container(description, NS, "sourceLocations", "Seq", [s.location for s in sources])
    container(description, NS, "retrievalDates", "Seq",
              [xmp_date(s.retrieved or s.modified) if (s.retrieved or s.modified) else ""
               for s in sources])
    container(description, NS, "articleURLs", "Seq", [s.url or "" for s in sources])
    # PDF/A-1..3: custom properties are valid only with an extension schema describing them.
    schemas = element(element(element(rdf, _RDF, "Description", **about), _EXT, "schemas"),
                      _RDF, "Bag")
    schema = element(schemas, _RDF, "li", **{f"{{{_RDF}}}parseType": "Resource"})
    element(schema, _SCHEMA, "schema", "newsbook archive sources")
    element(schema, _SCHEMA, "namespaceURI", NS)
    element(schema, _SCHEMA, "prefix", PREFIX)
    properties = element(element(schema, _SCHEMA, "property"), _RDF, "Seq")
    for name, value_type, text in _PROPERTIES:
        prop = element(properties, _RDF, "li", **{f"{{{_RDF}}}parseType": "Resource"})
        element(prop, _PROPERTY, "name", name)
        element(prop, _PROPERTY, "valueType", value_type)
        element(prop, _PROPERTY, "category", "external")
        element(prop, _PROPERTY, "description", text)
    body = etree.tostring(root, encoding="utf-8")
    return (b'<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>\n' + body
            + b'\n<?xpacket end="r"?>')
