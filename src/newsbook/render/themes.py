"""The built-in themes and the fonts they ship: names, defaults, and options resolved for templates."""

from __future__ import annotations

import re
from dataclasses import dataclass

from markupsafe import Markup

from newsbook.model import ThemeOptions


@dataclass(frozen=True)
class FontFile:
    """One face of a shipped font family: a file under the theme's fonts/ folder."""

    file: str
    weight: int = 400
    style: str = "normal"


@dataclass(frozen=True)
class Family:
    """A shipped font family, with the generic family readers fall back to."""

    generic: str  # serif | sans-serif
    faces: tuple[FontFile, ...]


# Every family here ships in templates/fonts/ under the SIL Open Font License (see SOURCES.md).
FAMILIES: dict[str, Family] = {
    "Source Serif Pro": Family("serif", (
        FontFile("SourceSerifPro-Regular.ttf"), FontFile("SourceSerifPro-It.ttf", style="italic"),
        FontFile("SourceSerifPro-Bold.ttf", 700),
        FontFile("SourceSerifPro-BoldIt.ttf", 700, "italic"))),
    "Source Sans Pro": Family("sans-serif", (
        FontFile("SourceSansPro-Regular.ttf"), FontFile("SourceSansPro-Bold.ttf", 700))),
    "Old Standard TT": Family("serif", (
        FontFile("OldStandard-Regular.ttf"), FontFile("OldStandard-Italic.ttf", style="italic"),
        FontFile("OldStandard-Bold.ttf", 700))),
    "Blankenburg": Family("serif", (FontFile("Blankenburg_UNZ1A.ttf"),)),
}
# Font option values that embed nothing: the reader's (EPUB) or the system's (PDF) own font.
GENERIC_FAMILIES = ("serif", "sans-serif")
FONT_CHOICES = (*FAMILIES, *GENERIC_FAMILIES)

MEDIA_TYPES = {".ttf": "font/ttf", ".otf": "font/otf", ".woff": "font/woff", ".woff2": "font/woff2"}
_FORMATS = {".ttf": "truetype", ".otf": "opentype", ".woff": "woff", ".woff2": "woff2"}


@dataclass(frozen=True)
class ThemeDefaults:
    """A built-in theme: its folder under templates/themes/ (None: the base) and its defaults."""

    folder: str | None
    body_font: str
    heading_font: str
    title_font: str
    margins: str
    columns: int


THEMES: dict[str, ThemeDefaults] = {
    # Single column, a book serif with sans-serif headings: today's templates/ themselves.
    "modern": ThemeDefaults(None, "Source Serif Pro", "Source Sans Pro", "Source Serif Pro",
                            "22mm 20mm 24mm", 1),
    # A newspaper: blackletter masthead, old-style serif, two ruled columns in the PDF.
    "classic": ThemeDefaults("classic", "Old Standard TT", "Old Standard TT", "Blankenburg",
                             "16mm 14mm 18mm", 2),
}
DEFAULT_THEME = "modern"
MAX_COLUMNS = 3


@dataclass(frozen=True)
class PageProfile:
    """A device or paper the PDF is shaped for: page size, margins, type, image pixels."""

    size: str  # a CSS page size: a name ("A4") or two lengths
    margins: str | None = None  # None: the theme's own
    type_scale: float = 1.0  # the stylesheets' type sizes are multiplied by it
    columns: int | None = None  # None: the theme's own
    pixels: tuple[int, int] | None = None  # the screen's width and height, for e-ink devices


# E-ink tablets: the page is the screen (pixels at the device's dpi, 25.4 mm an inch), margins
# small since the device has its own bezel, type larger since the page is about A5 and read
# at arm's length, one column, and images no larger than the screen.
PROFILES: dict[str, PageProfile] = {
    "a4": PageProfile("A4"),
    "a5": PageProfile("A5", margins="15mm 13mm 17mm"),
    "letter": PageProfile("letter"),
    # reMarkable 2: 1404 × 1872 px at 226 dpi.
    "remarkable2": PageProfile("157.8mm 210.4mm", margins="7mm 6mm 9mm", type_scale=1.2,
                               columns=1, pixels=(1404, 1872)),
    # Kindle Scribe: 1860 × 2480 px at 300 dpi.
    "kindle-scribe": PageProfile("157.5mm 210mm", margins="7mm 6mm 9mm", type_scale=1.2,
                                 columns=1, pixels=(1860, 2480)),
}
ARTICLE_BREAKS = ("auto", "page")

_LENGTH = r"(?:0|\d{1,3}(?:\.\d{1,3})?(?:mm|cm|in|pt|pc))"
_MARGINS = re.compile(rf"{_LENGTH}(?: {_LENGTH}){{0,3}}")


def valid_margins(value: str) -> bool:
    """One to four CSS lengths in print units ("20mm", "1in 0.8in"), as CSS margin takes them."""
    return bool(_MARGINS.fullmatch(value))


@dataclass(frozen=True)
class FontFace:
    """An @font-face rule: a family, one of its files (relative to the stylesheet), its face."""

    family: str
    name: str  # fonts/<file>
    weight: int
    style: str
    format: str
    media_type: str


@dataclass(frozen=True)
class ThemeSettings:
    """A theme's options with its defaults filled in: what templates and stylesheets get as `theme`."""

    name: str
    body_font: str
    heading_font: str
    title_font: str
    margins: str
    columns: int
    page_size: str | None = None  # the profile's; None: [build] page_size, in issue.html
    type_scale: float = 1.0
    pixels: tuple[int, int] | None = None  # the e-ink screen images are fitted to
    article_break: str = "auto"  # "page": every article starts a new page

    def pt(self, size: float) -> Markup:
        """A type size in points, scaled for the profile's device ("10.5pt" on paper)."""
        return Markup(f"{round(size * self.type_scale, 2):g}pt")

    @property
    def body_stack(self) -> Markup:
        """The CSS font-family value for body text (names come from the closed catalogue)."""
        return _stack(self.body_font)

    @property
    def heading_stack(self) -> Markup:
        """The CSS font-family value for headings."""
        return _stack(self.heading_font)

    @property
    def title_stack(self) -> Markup:
        """The CSS font-family value for the masthead's title."""
        return _stack(self.title_font)

    @property
    def font_faces(self) -> list[FontFace]:
        """The @font-face rules of the families in use, each family once."""
        faces: list[FontFace] = []
        for family in dict.fromkeys((self.body_font, self.heading_font, self.title_font)):
            if family in FAMILIES:
                for face in FAMILIES[family].faces:
                    suffix = face.file[face.file.rfind("."):].lower()
                    faces.append(FontFace(family, f"fonts/{face.file}", face.weight, face.style,
                                          _FORMATS[suffix], MEDIA_TYPES[suffix]))
        return faces


def _stack(family: str) -> Markup:
    if family in GENERIC_FAMILIES:
        return Markup(family)
    # Only catalogue names reach here (config.py validates): safe to write into CSS as is.
    return Markup('"{}", {}').format(family, FAMILIES[family].generic)


def resolve(options: ThemeOptions | None) -> ThemeSettings:
    """The chosen theme's settings: each option the project set, else the theme's default."""
    options = options or ThemeOptions()
    if options.name not in THEMES:
        raise ValueError(f"unknown theme '{options.name}' (known: {', '.join(THEMES)})")
    defaults = THEMES[options.name]
    if options.profile is not None and options.profile not in PROFILES:
        raise ValueError(f"unknown PDF profile '{options.profile}' "
                         f"(known: {', '.join(PROFILES)})")
    # Without a profile the page size stays [build] page_size's (issue.html writes it).
    profile = PROFILES[options.profile] if options.profile else None
    return ThemeSettings(
        name=options.name,
        body_font=options.body_font or defaults.body_font,
        heading_font=options.heading_font or defaults.heading_font,
        title_font=options.title_font or defaults.title_font,
        margins=options.margins or (profile and profile.margins) or defaults.margins,
        columns=options.columns or (profile and profile.columns) or defaults.columns,
        page_size=profile.size if profile else None,
        type_scale=profile.type_scale if profile else 1.0,
        pixels=profile.pixels if profile else None,
        article_break=options.article_break,
    )


def face_file(family: str, bold: bool = False) -> str | None:
    """The file of a shipped family's upright face (bold when it has one), None for generic ones."""
    if family not in FAMILIES:
        return None
    upright = [face for face in FAMILIES[family].faces if face.style == "normal"]
    chosen = [face for face in upright if (face.weight >= 600) == bold] or upright
    return chosen[0].file
