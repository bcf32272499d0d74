"""newsbook: turn article sources into a periodical issue, as EPUB 3 and PDF."""

__version__ = "0.1.0"
