"""Choose the issue's articles: date window, tags, duplicates, what earlier issues carried, limits."""

from __future__ import annotations

import functools
import hashlib
import heapq
import re
import sys
from array import array
from dataclasses import dataclass, field
from datetime import datetime, timezone
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from newsbook.model import Article
from newsbook.model.plaintext import plain_text

# Query parameters that only track where a click came from.
_TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid|yclid|_hs\w+"
                       r"|ref|ref_src|ref_url|cmpid|ocid|smid|sr_share|at_\w+|ito|s_cid|cid)$", re.I)
_WORD = re.compile(r"\w+", re.UNICODE)
NEAR_DUPLICATE = 0.8  # Jaccard similarity of word 5-gram sets above which two texts are one story


@dataclass
class Rules:
    """What the issue may contain."""

    since: datetime | None = None
    until: datetime | None = None
    undated: str = "include"  # include | exclude: articles without a date, when a window is set
    include_tags: list[str] = field(default_factory=list)
    exclude_tags: list[str] = field(default_factory=list)
    max_articles: int | None = None  # in the whole issue
    seen: frozenset[str] = frozenset()  # keys of articles earlier issues carried
    seen_signatures: tuple[tuple[int, ...], ...] = ()  # their text signatures (see signature())


@dataclass
class Decision:
    """Why an article was left out."""

    article: Article
    reason: str


def canonical_url(url: str) -> str:
    """One spelling per page: lower-case scheme and host, no tracking, fragment, AMP or final slash."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if host.startswith(("www.", "amp.", "m.")):
        host = host.split(".", 1)[1]
    port = parts.port
    if port and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    path = re.sub(r"/amp(?=/|$)|\.amp(?=\.html?$|$)", "", parts.path) or "/"
    path = re.sub(r"/+$", "", path) or "/"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not _TRACKING.match(k) and not (k.lower() in ("amp", "outputtype") and v in
                                                ("1", "amp", ""))]
    # http and https name the same story; the key ignores the scheme.
    return urlunsplit(("https" if scheme in ("http", "https") else scheme, host, path,
                       urlencode(sorted(query)), ""))


def post_anchor(url: str | None, guid: str | None) -> str | None:
    """The fragment of a feed entry's link when it names one post among others on a page.

    Blogs and microblogs link every post as page.html#post-id: with a guid of its own, such
    an entry is a post of its own. Without a guid, with a guid that names the page itself, or
    with a tracking fragment ("#xtor=RSS-3"), the fragment is a place in the same story.
    """
    if not url or not guid:
        return None
    try:
        fragment = urlsplit(url).fragment
        names_page = urlsplit(guid.strip()).fragment == "" and \
            canonical_url(guid) == canonical_url(url)
    except ValueError:  # "http://[x": not a URL
        return None
    if not fragment.strip() or "=" in fragment or names_page:
        return None
    return fragment


def article_key(article: Article, text: str | None = None) -> str:
    """What identifies a story across builds and issues: its canonical URL, else its text.

    A feed entry linking into a page of posts keeps its link's fragment (see post_anchor):
    the key is stable across issues and feeds, and posts of one page stay apart.
    `text` is the article's plain_text() when the caller has it already.
    """
    if article.url and article.url.startswith(("http://", "https://")):
        anchor = post_anchor(article.url, article.guid)
        return canonical_url(article.url) + (f"#{anchor}" if anchor else "")
    text = " ".join((plain_text(article.body) if text is None else text).split()).lower()
    return "sha256:" + hashlib.sha256(f"{article.title}\n{text}".encode()).hexdigest()


def _shingles(article: Article, text: str | None = None) -> frozenset[int]:
    """Stable 64-bit hashes of the word 5-grams of an article's text."""
    words = _WORD.findall((plain_text(article.body) if text is None else text).lower())
    if len(words) < 5:
        return frozenset()
    # A keyed hash per distinct word, then CPython's hash of each 5-tuple of those integers,
    # all in C: five times faster than a digest per 5-gram. Integers, unlike strings, hash
    # without a per-process salt, so the values are the same in every run (a test pins them).
    ids = list(map(_word_hash, words))
    return frozenset(map(_UNSIGNED.__and__, map(hash, zip(ids, ids[1:], ids[2:], ids[3:],
                                                          ids[4:]))))


_UNSIGNED = (1 << 64) - 1


@functools.lru_cache(maxsize=1 << 16)
def _word_hash(word: str) -> int:
    return int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "big")


# XOR with a fixed mask permutes 64-bit hashes: the minimum under each mask is one MinHash.
_MASKS = tuple(int.from_bytes(hashlib.blake2b(b"newsbook-minhash-%d" % i, digest_size=8)
                              .digest(), "big") for i in range(32))


def signature(shingles: frozenset[int]) -> tuple[int, ...]:
    """A MinHash signature: texts agreeing in a share p of positions have Jaccard ≈ p."""
    if not shingles:
        return ()
    return tuple(min(h ^ mask for h in shingles) for mask in _MASKS)


def text_signature(article: Article) -> tuple[int, ...]:
    """The signature the state file keeps, so later issues can spot a re-published story."""
    return signature(_shingles(article))


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def identity(article: Article) -> tuple[str, frozenset[int]]:
    """An article's key and shingles, what select() compares (cached with the article)."""
    text = plain_text(article.body)
    return article_key(article, text), _shingles(article, text)


def pack_shingles(shingles: frozenset[int]) -> bytes:
    """Shingles as big-endian 64-bit bytes, for storing; unpack_shingles() reverses it."""
    packed = array("Q", shingles)  # in C: sorting or struct.pack cost ten times more
    if sys.byteorder == "little":
        packed.byteswap()
    return packed.tobytes()


def unpack_shingles(data: bytes) -> frozenset[int]:
    """The shingles pack_shingles() stored."""
    packed = array("Q")
    packed.frombytes(data[:len(data) // 8 * 8])
    if sys.byteorder == "little":
        packed.byteswap()
    return frozenset(packed)


def select(articles: list[Article], rules: Rules,
           known: list[tuple[str, frozenset[int]] | None] | None = None,
           ) -> tuple[list[Article], list[Decision]]:
    """The articles that go in, in their order, and the ones left out with the reason.

    `known` holds, by position, each article's identity() where it was computed before.
    """
    kept: list[Article] = []
    out: list[Decision] = []
    keys: set[str] = set()
    texts: list[tuple[frozenset[int], Article]] = []
    # Candidate indexes, so that n articles cost about n comparisons rather than n²:
    # texts by their smallest shingle hashes, earlier issues' signatures by bands.
    by_hash: dict[int, list[int]] = {}
    seen_bands = _band_index(rules.seen_signatures)
    include = {t.casefold() for t in rules.include_tags}
    exclude = {t.casefold() for t in rules.exclude_tags}
    for position, article in enumerate(articles):
        tags = {t.casefold() for t in article.tags}
        reason = None
        if article.published is None:
            if (rules.since or rules.until) and rules.undated == "exclude":
                reason = "no date, and undated articles are excluded"
        elif rules.since and _aware(article.published) < rules.since:
            reason = f"published before {rules.since.date().isoformat()}"
        elif rules.until and _aware(article.published) >= rules.until:
            reason = f"published on or after {rules.until.date().isoformat()}"
        if reason is None and include and not tags & include:
            reason = f"none of the tags {sorted(rules.include_tags)}"
        if reason is None and tags & exclude:
            reason = f"tagged {sorted(tags & exclude)[0]}"
        ready = known[position] if known else None
        text = None if ready else plain_text(article.body)
        key = ready[0] if ready else article_key(article, text)
        if reason is None and key in rules.seen:
            reason = "already in an earlier issue"
        if reason is None and key in keys:
            reason = "the same URL as an article before it"
        if reason is not None:
            shingles = frozenset()
        else:
            shingles = ready[1] if ready else _shingles(article, text)
        if reason is None and shingles and rules.seen_signatures:
            mine = signature(shingles)
            candidates = {i for key in _bands(mine) for i in seen_bands.get(key, ())}
            for i in sorted(candidates):
                earlier = rules.seen_signatures[i]
                if len(earlier) == len(mine) and sum(
                        a == b for a, b in zip(mine, earlier)) >= NEAR_DUPLICATE * len(mine):
                    reason = "the same story as one in an earlier issue"
                    break
        smallest = heapq.nsmallest(_BOTTOM_K, shingles) if reason is None else []
        if reason is None:
            for i in sorted({i for h in smallest for i in by_hash.get(h, ())}):
                other_shingles, other = texts[i]
                if _similar(shingles, other_shingles):
                    reason = f"the same story as \"{other.title}\""
                    break
        if reason is None and rules.max_articles is not None and len(kept) >= rules.max_articles:
            reason = f"over the limit of {rules.max_articles} articles"
        if reason is not None:
            out.append(Decision(article, reason))
            continue
        kept.append(article)
        keys.add(key)
        for h in smallest:
            by_hash.setdefault(h, []).append(len(texts))
        texts.append((shingles, article))
    return kept, out


# Two texts with Jaccard J share the smallest hash of their union with probability J; among
# the 6 smallest, a shared one is missed with probability about (1 - J)**6 (< 1e-4 at 0.8).
_BOTTOM_K = 6
_BAND = 2  # 16 bands of 2 positions: a pair at J = 0.8 escapes all with probability ~1e-7


def _bands(sig: tuple[int, ...]) -> list[tuple]:
    return [(i, sig[i:i + _BAND]) for i in range(0, len(sig), _BAND)]


def _band_index(signatures: tuple[tuple[int, ...], ...]) -> dict[tuple, list[int]]:
    """Signature positions by band, for finding near-duplicates without comparing all pairs."""
    index: dict[tuple, list[int]] = {}
    for number, sig in enumerate(signatures):
        for key in _bands(sig):
            index.setdefault(key, []).append(number)
    return index


def _similar(a: frozenset[int], b: frozenset[int]) -> bool:
    """Jaccard similarity over NEAR_DUPLICATE; cheap length check first."""
    if not a or not b:
        return False
    small, large = sorted((len(a), len(b)))
    if small < NEAR_DUPLICATE * large:
        return False
    return len(a & b) >= NEAR_DUPLICATE * len(a | b)
