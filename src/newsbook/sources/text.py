"""Reader for scraped plain-text pages: find the article among the site chrome lines."""

from __future__ import annotations

import html
import itertools
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from newsbook.model import Article, article_id
from newsbook.model.errors import SourceError
from newsbook.sources.mojibake import _stoplists, _unmojibake
from newsbook.sources.textnames import _DATE, _name_like, _parse_date, _same_title, _split_names

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
# A sentence may close with emoji or arrows after its full stop ("… on KLOOK! 🙂").
_SENTENCE_END = re.compile(r"[.!?…:;。！？][\"'”’»)\]」』]*"
                           r"(?:\s*[\u2190-\u2bff\u2600-\u27bf\U0001F000-\U0001FAFF\ufe0f~]+)*$")
_TEASER_END = re.compile(r"(\.\.|…)[\"'”’»)\]]*$")  # cut-off link text, not a sentence
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
_BULLET = re.compile(r"^[-*•]\s+")

# Chrome after which the text is sharing, related links or footer, never more of the article.
_TERMINATOR = re.compile(
    r"^(share|tweet|email|print|related|read more|read next|more from|more stories|see also"
    r"|recommended|you (may|might) also like|trending|most (popular|read|viewed)|popular|tags?"
    r"|topics?|filed under|comments?|leave a (comment|reply)|post a comment|reply|about the author"
    r"|sign up|subscribe|newsletter|follow us|back to top|advertise|terms|privacy|copyright)\b"
    r"|^©|\bshare (this|on|via)\b|\ball rights reserved\b|\bnewsletters?\b|\bsubscribe to\b"
    r"|\bsign up for\b|\bclick to (share|email|print)\b|\b\d+ (comments|responses|replies)\b"
    r"|\b(related|recommended|more) (articles?|stories|posts|news)\b", re.I)
# Where the article is surely over: comments follow it, the footer closes the page.
_END = re.compile(
    r"^(comments?|\d+ (comments?|responses?|replies) (to|on)\b.*|leave a (comment|reply)\b.*"
    r"|post a comment|add a comment|join the (discussion|conversation)|(show|view) comments"
    r"|discussion|copyright\b.*|© ?\d{4}.*)$|\ball rights reserved\b", re.I)
# Cookie and consent banners can be long, so they are matched at any length.
_CONSENT = re.compile(
    r"\b(we|this (web)?site|our (web)?site) (also )?uses? cookies\b|\bcookie (policy|settings)\b"
    r"|\b(accept|consent to) (all )?cookies\b|\buse of cookies\b", re.I)
# Chrome that interrupts an article and is dropped wherever it appears.
_CHROME = re.compile(
    r"^-?\s*(advertisement|advertising|sponsored|promoted|ad)\s*-?$|^edit content$"
    r"|^reading:|\b\d[\d,.]*k?\s+(views?|shares?|comments?|likes?)$|\bmin(ute)?s? read$"
    r"|^(skip to|jump to|continue reading|click here|show more|view (all|more)|loading|log ?in with)\b"
    r"|^(menu|search|home|log ?in|log ?out|sign in|close|next|previous|prev|back)\W*$"
    r"|^(photo|image|credit|source):|^(facebook|twitter|linkedin|whatsapp|pinterest|reddit|instagram"
    r"|telegram|e-?mail)$|\bcookies?\b.*\b(use|using|accept|consent|site|website|browsing|experience"
    r"|policy|sito)\b|\ball rights reserved\b|©|\bsays:$"
    r"|^(updated )?\d+\s*(s|m|h|d|sec|mins?|hours?|days?|weeks?)\s+ago\b", re.I)
# An author box after the article: "About Jane Doe", "Über Moritz Bachmann", "À propos de Marie Curie".
_ABOUT = re.compile(r"^(?:about|über|à propos de|sobre|acerca de|over|informazioni su)\s+(.+)$", re.I)
_BYLINE = re.compile(
    r"^(?:(?:written|posted|reported|words|story|text|published)\s+)?(?:by|par|por|von|door)\b[:\s]+(.+)$",
    re.I)
# Wire and staff credits stand where a byline would, but name no person.
_CREDIT = re.compile(r"\b(associated press|press association|reuters|afp|ap|wire services?|news services?"
                     r"|staff|correspondents?|contributors?)\b", re.I)
# What follows a name on a byline line: reading time, views, a date.
_NAME_TAIL = re.compile(
    r"\s*(?:[|•·,–—-]\s*|\s)(?:\d[\d,.]*k?\s*(?:min(?:ute)?s?\s+read|views?|comments?|shares?)"
    r"|(?:updated|published|posted)\b.*|on\s+\w+\.? \d.*)$|\s*[|•·,–—-]\s*\d.*$", re.I)
_PUBLISH = re.compile(r"\b(published|posted|released)\b", re.I)
_PUBLISH_LINE = re.compile(r"^(published|updated|posted|last updated|first published)\b", re.I)


# Chrome between two runs of text that adds up to this much, with a terminator in it, is a page section
# break (related links, then a footer blurb), not an inline ad or photo gallery.
_DEEP_GAP = 50.0


@dataclass
class _Line:
    """One non-blank line of the file with the features its score comes from."""

    text: str
    words: int
    stop: float  # share of words in the page language's stop list
    caps: float  # share of words that start with a capital
    sentence: bool  # ends like a sentence
    repeated: bool  # the same text occurs elsewhere in the file
    terminator: bool
    chrome: bool
    end: bool  # comments or footer start here
    score: float = 0.0


def _stoplist(lines: list[str]) -> frozenset[str]:
    """The stop list of the language the longer lines are written in (jusText's own lists)."""
    found = [_WORD.findall(line.lower()) for line in lines]
    words = [w for line_words in found if len(line_words) >= 6 for w in line_words]
    if len(words) < 20:
        words = [w for line_words in found for w in line_words]
    words = words[:5000]  # plenty to tell languages apart, and big files stay fast
    ratios = ((sum(w in stops for w in words) / max(1, len(words)), stops) for stops in _stoplists().values())
    ratio, best = max(ratios, key=lambda pair: pair[0], default=(0.0, frozenset()))
    return best if ratio >= 0.15 else frozenset()


def _unwrap(rows: list[str]) -> list[str]:
    """The non-blank rows; in a hard-wrapped file, each paragraph joined into one line."""
    groups: list[list[str]] = [[]]
    for row in rows:
        if row:
            groups[-1].append(row)
        elif groups[-1]:
            groups.append([])
    groups = [g for g in groups if g]
    lines = [row for g in groups for row in g]
    # Wrapped text: blank lines between paragraphs, each spanning several nearly full, short lines.
    wrapped = len(groups) >= 2 and max(map(len, groups)) <= 40 and len(groups) < len(lines) \
        and max(map(len, lines)) <= 100 and sum(len(row) >= 60 for row in lines) >= len(lines) / 2
    return [" ".join(g) for g in groups] if wrapped else lines


def _features(text: str) -> tuple[list[_Line], frozenset[str]]:
    """The non-blank lines of the text, with their features and scores, and the page's stop list."""
    raw = _unwrap([" ".join(_unmojibake(line).split()) for line in text.split("\n")])
    stops = _stoplist(raw)
    counts: dict[str, int] = {}
    for line in raw:
        counts[line.lower()] = counts.get(line.lower(), 0) + 1
    lines = []
    for line in raw:
        words = _WORD.findall(line)
        # Chinese and Japanese put no spaces between words: count two characters as one.
        cjk_words = sum(bool(_CJK.search(w)) for w in words)
        n = max(len(words), len(words) - cjk_words + len(_CJK.findall(line)) // 2)
        about = n <= 6 and (match := _ABOUT.match(line)) is not None and _name_like(match.group(1), strict=True)
        lines.append(_Line(
            text=line, words=n,
            stop=sum(w.lower() in stops for w in words) / len(words) if words and stops else 0.0,
            caps=sum(w[0].isupper() for w in words) / len(words) if words else 1.0,
            sentence=bool(_SENTENCE_END.search(line)) and not (n < 20 and _TEASER_END.search(line)),
            repeated=counts[line.lower()] > 1,
            terminator=about or n <= 12 and not re.search(r"[.!?]$", line) and bool(_TERMINATOR.search(line)),
            chrome=n <= 40 and bool(_CHROME.search(line)) or (n <= 16 and _parse_date(line) is not None)
            or n <= 150 and bool(_CONSENT.search(line)),
            end=about or n <= 12 and bool(_END.search(line)),
        ))
    for line in lines:
        line.score = _score(line, bool(stops))
    return lines, stops


def _score(line: _Line, has_stops: bool) -> float:
    """How much a line looks like article text (positive) or site chrome (negative)."""
    if line.terminator:
        return -25.0
    if line.chrome:
        return -8.0
    n = line.words
    if line.repeated:
        # Menus and teaser blocks are printed twice per page; article paragraphs are not.
        return -6.0 if n < 15 else -2.0
    weight = 1.0
    if has_stops and line.stop < 0.15:
        weight *= 0.4  # link text and lists of names, not prose
    if line.caps > 0.6:
        weight *= 0.4  # Headlines In Title Case
    if line.sentence and n >= 8:
        return n * weight
    if n >= 15 and (line.stop >= 0.2 or not has_stops):
        return 0.5 * n * weight  # long and wordy but unpunctuated: prose more often than not
    return 1.0 if n >= 4 and line.sentence else -3.0


def _best_window(lines: list[_Line]) -> tuple[int, int, float]:
    """The contiguous run of lines with the largest total score (Kadane)."""
    best = (0, -1, 0.0)
    start, total = 0, 0.0
    for i, line in enumerate(lines):
        if total <= 0:
            start, total = i, 0.0
        total += line.score
        if total > best[2]:
            best = (start, i, total)
    return best


def _split_window(lines: list[_Line], start: int, end: int, total: float) -> tuple[int, int, float]:
    """The best part of a window that bridges a deep gap of chrome (related links, a footer blurb after it)."""
    parts: list[tuple[int, int, float]] = []
    pos = start
    while pos <= end:
        if lines[pos].score > 0:
            first, part = pos, 0.0
            while pos <= end and (lines[pos].score > 0 or not _deep_gap(lines, pos, end)):
                part += lines[pos].score
                pos += 1
            parts.append((first, pos - 1, part))
        pos += 1
    return max(parts, key=lambda part: part[2]) if parts else (start, end, total)


def _deep_gap(lines: list[_Line], pos: int, end: int) -> bool:
    """Whether the chrome from pos on ends the article: a terminator (related links, newsletter) and much else."""
    run = list(itertools.takewhile(lambda line: line.score <= 0, (lines[i] for i in range(pos, end + 1))))
    return sum(line.score for line in run) <= -_DEEP_GAP and any(line.terminator for line in run)


def _article_window(lines: list[_Line]) -> tuple[int, int, float]:
    """The best window before the comments or footer, once some article text has ended near them."""
    for pos, line in enumerate(lines):
        if line.end:
            start, end, total = _best_window(lines[:pos])
            # A marker far below the text before it is a link in the page header, not the end of the article.
            if total >= 40 and pos - end <= 15:
                return _split_window(lines, start, end, total)
    return _split_window(lines, *_best_window(lines))


def _is_heading(line: _Line) -> bool:
    """A short line without closing punctuation, like a title or sub-heading."""
    return 1 <= line.words <= 20 and not re.search(r"[.,;:]$", line.text) and not line.chrome \
        and not line.terminator and not _BULLET.match(line.text)


def _body(lines: list[_Line], start: int, end: int) -> list[tuple[str, str]]:
    """The (tag, text) blocks kept from the window: chrome dropped, sub-headings and lists marked."""
    window = lines[start:end + 1]
    kept: list[tuple[str, str]] = []
    seen: set[str] = set()
    for pos, line in enumerate(window):
        if line.chrome or line.terminator or line.text.lower() in seen:
            continue
        seen.add(line.text.lower())
        nxt = window[pos + 1] if pos + 1 < len(window) else None
        if line.score > 0 or (line.sentence and line.words >= 2 and not line.repeated):
            kept.append(("p", line.text))
        elif _BULLET.match(line.text) and line.words >= 2:
            kept.append(("li", _BULLET.sub("", line.text)))
        elif _is_heading(line) and not line.repeated and 2 <= line.words <= 12 and line.caps < 1.0 \
                and nxt is not None and nxt.score > 0 and kept and kept[-1][0] == "p":
            kept.append(("h2", line.text))
        elif line.words >= 1 and not line.repeated and not line.text.isupper() and 0 < pos < len(window) - 1:
            kept.append(("p", line.text))  # a credit, caption or table cell between paragraphs
    # A list the last paragraph announces ("The dates:") runs on past the window, up to the next chrome.
    if window[-1].text.endswith(":"):
        for line in lines[end + 1:end + 101]:
            if line.chrome or line.terminator or line.end or line.repeated or line.words > 40:
                break
            kept.append(("li", _BULLET.sub("", line.text)))
    while kept and kept[-1][0] == "h2":
        kept.pop()
    return kept


def _render(blocks: list[tuple[str, str]]) -> str:
    """The blocks as an HTML fragment, consecutive list items in one <ul>."""
    out: list[str] = []
    for pos, (tag, text) in enumerate(blocks):
        if tag == "li" and (pos == 0 or blocks[pos - 1][0] != "li"):
            out.append("<ul>")
        out.append(f"<{tag}>{html.escape(text)}</{tag}>")
        if tag == "li" and (pos + 1 == len(blocks) or blocks[pos + 1][0] != "li"):
            out.append("</ul>")
    return "\n".join(out)


def _byline(line: _Line) -> tuple[int, list[str]]:
    """How sure a line is a byline (2 "By X", 1 "X 10 Views", 0 a bare name) and the names it gives."""
    if line.words > 14:
        return 0, []
    text = " ".join(re.sub(r"@\w+", " ", _DATE.sub(" ", line.text)).split()).strip(" |•·,")
    match = _BYLINE.match(text) or re.search(r"(?:^|\s)(?:by|par|por|von)[:\s]+([A-Z].*)$", text, re.I)
    if match and len(text[:match.start()].split()) <= 3:
        return (2, names) if (names := _split_names(_NAME_TAIL.sub("", match.group(1)))) else (0, [])
    stripped = _NAME_TAIL.sub("", text).strip(" |•·,")
    if stripped != text and (names := _split_names(stripped, cut=False)):
        return 1, names
    if line.words <= 4 and not line.chrome and (names := _split_names(text, cut=False)):
        return 0, names
    return 0, []


def _title(head: list[_Line], meta: set[int], bare: set[int], every: list[str]) -> int | None:
    """Where the most title-like heading line before the body is."""
    candidates = []
    for pos, line in enumerate(head):
        one_token = len(line.text.split()) < 2 and not _CJK.search(line.text)  # "example.com"
        if not _is_heading(line) or line.words < 2 or one_token or pos in meta or pos in bare \
                or re.search(r"\s[>»/]\s", line.text) or _DATE.search(line.text):  # breadcrumbs, datelines
            continue
        score = min(line.words, 15) * 0.4 - (len(head) - pos) * 0.3
        # Sites print the title twice (header, breadcrumbs, "Section|Title"); menus print lines more often.
        copies = sum(_same_title(line.text.lower(), other) for other in every)
        score += 4 if copies == 2 and line.words >= 4 else -2 if copies > 1 else 0  # short twice: a menu entry
        following = [p for p in range(pos + 1, min(pos + 5, len(head)))
                     if head[p].words > 1 or p in meta or p in bare]
        if next((p for p in following if p not in bare), None) in meta:
            score += 5  # the byline or date right under it (after the author's bare name, if any)
        elif following and following[0] in bare:
            score += 2  # maybe the author's name, maybe a tag
        if line.caps == 1.0 and line.words < 4:
            score -= 2  # Menu Items In Title Case
        candidates.append((score, pos))
    return max(candidates)[1] if candidates else None


def _header(lines: list[_Line], start: int, body: str, month_first: bool = True) -> tuple[str | None, list[str], datetime | None]:
    """Title, authors and date from the lines before the article body."""
    head = [line for line in lines[max(0, start - 30):start] if not line.terminator]
    title = next((line.text.split(":", 1)[1].strip() for line in lines
                  if line.text.lower().startswith("reading:") and line.words > 1), None)
    dates: list[tuple[bool, int, datetime]] = []
    bylines: list[tuple[int, int, list[str]]] = []
    credits: set[int] = set()
    for pos, line in enumerate(head):
        level, names = _byline(line)
        value = _parse_date(line.text, True, month_first) if line.words <= 16 else None
        if value is None and level and (found := _DATE.search(line.text)):
            value = _parse_date(found.group(1), False, month_first)  # "Posted by Jane Doe on 2024-05-02"
        if value:
            dates.append((bool(_PUBLISH.search(line.text)), pos, value))
        if names:
            bylines.append((level, pos, names))
        elif line.words <= 8 and (_CREDIT.search(line.text) or _PUBLISH_LINE.match(line.text)):
            credits.add(pos)
    meta = {pos for _, pos, _ in dates} | {pos for level, pos, _ in bylines if level} | credits
    bare = {pos for level, pos, _ in bylines if not level}
    every = [line.text.lower() for line in lines]
    if title is None:
        title_at = _title(head, meta, bare, every)
        if title_at is None:  # only name-like lines: "Harbour News" is a title after all
            title_at = _title(head, meta, set(), every)
        title = head[title_at].text if title_at is not None else None
    else:
        title_at = next((pos for pos, line in enumerate(head) if line.text == title), None)
    authors: list[str] = []
    best = max((level for level, _, _ in bylines), default=0)
    for level, pos, names in bylines:
        if not level and any(name in body for name in names):
            continue  # a bare "name" the article itself talks about is its topic tag ("South Korea")
        # A bare name counts only right under the title (or, with no title line, right above the body).
        near = 0 < pos - title_at <= 3 if title_at is not None else len(head) - pos <= 3
        if pos != title_at and (level == best > 0 or level == best == 0 and near):
            authors += [n for n in names if n not in authors]
    published = next((d for pub, _, d in dates if pub), dates[0][2] if dates else None)
    return title, authors, published


def read(path: Path, text: str) -> Article:
    """Read a scraped plain-text article: the body among the chrome, then title, byline and date."""
    lines, stops = _features(text)
    start, end, total = _article_window(lines)
    while start < end and (not lines[start].sentence or lines[start].score <= 1):
        start += 1  # a headline, standfirst or caption above the first paragraph belongs to the header
    blocks = _body(lines, start, end) if total > 0 else []
    if not any(tag == "p" for tag, _ in blocks):
        raise SourceError(f"{path}: no article text found")
    # "05/10/2018" is the 10th of May in most languages, but the 5th of October in American English.
    month_first = not stops or stops == _stoplists().get("English")
    title, authors, published = _header(lines, start, " ".join(text for _, text in blocks), month_first)
    if not title:
        title = re.sub(r"[-_.\s]+", " ", path.stem).strip().capitalize() or path.name
    return Article(id=article_id(str(path), text), title=title, body=_render(blocks), source=str(path),
                   authors=authors, published=published)
