"""Images for the book: where they come from (local files, fetched URLs) and what e-readers get."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote, urlsplit

from newsbook.model import Article, Image

MAX_IMAGE_SIDE = 1600
MAX_IMAGE_PIXELS = 50_000_000

Resolver = Callable[[str, Article], bytes]


class ImageRefused(Exception):
    """An image reference that must not or cannot be embedded."""

    reported = False  # True: the build reports it elsewhere, in one line with others like it


class ImageSkipped(ImageRefused):
    """An image not fetched because its host was given up on (reported once per host)."""

    reported = True


def local_resolver(roots: list[Path], reads: list[Path] | None = None) -> Resolver:
    """Resolve relative image paths against the article's own folder, inside the given roots.

    Each file looked for (found or not) is added to `reads`, when given: the build's inputs.
    """
    allowed = [root.resolve() for root in roots]

    def resolve(src: str, article: Article) -> bytes:
        try:
            parts = urlsplit(src)
        except ValueError:
            raise ImageRefused(f"not a usable image reference: {src[:80]}") from None
        if parts.scheme or parts.netloc:
            raise ImageRefused(f"remote image not fetched: {src}")
        base = Path(article.source).resolve().parent
        target = (base / unquote(parts.path)).resolve()
        if not any(target.is_relative_to(root) for root in allowed):
            raise ImageRefused(f"image outside the project: {src}")
        if reads is not None:
            reads.append(target)
        try:
            return target.read_bytes()
        except OSError as exc:
            raise ImageRefused(f"cannot read image {src}: {exc.strerror}") from None

    return resolve


def absolute_image_url(src: str, article: Article) -> str | None:
    """An image reference made absolute against the article's page; None when it is local."""
    from urllib.parse import urljoin

    src = src.strip()
    # Relative references resolve against the page as fetched, not its canonical URL.
    base = article.source if article.source.startswith(("http://", "https://")) else None
    try:
        url = urljoin(base, src) if base else src
    except ValueError:  # "//[x": no URL at all
        return None
    return url if url.startswith(("http://", "https://")) else None


def web_resolver(fetched: dict[str, bytes | Exception], local: Resolver | None) -> Resolver:
    """Images fetched beforehand (by URL), local files through `local` for local articles."""

    def resolve(src: str, article: Article) -> bytes:
        url = absolute_image_url(src, article)
        if url is None:
            if local is None or article.source.startswith(("http://", "https://")):
                raise ImageRefused(f"image not embedded: {src}")
            return local(src, article)
        result = fetched.get(url)
        if result is None:
            raise ImageRefused(f"remote image not fetched: {url}")
        if isinstance(result, Exception):
            if getattr(result, "host", None):  # fetch.HostDown: one note for the whole host
                raise ImageSkipped(f"image {result}")
            raise ImageRefused(f"image {result}")
        return result

    return resolve


def normalize_image(data: bytes, alt: str = "", max_side: int = MAX_IMAGE_SIDE) -> Image:
    """An Image that e-readers show: JPEG or PNG, at most max_side pixels, named by content hash."""
    import warnings

    from PIL import Image as PILImage
    from PIL import UnidentifiedImageError

    try:
        # Pillow warns (on stderr) past its own bomb threshold and raises past twice that; our
        # lower limit is checked from the header, before any pixel is decoded.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PILImage.DecompressionBombWarning)
            img = PILImage.open(io.BytesIO(data))
        with img:
            if img.width * img.height > MAX_IMAGE_PIXELS:
                raise ImageRefused(_too_many_pixels(img.width, img.height))
            keep = (img.format in ("JPEG", "PNG") and max(img.size) <= max_side
                    and img.mode in ("RGB", "RGBA", "L", "LA", "P", "1"))
            if keep:
                fmt = img.format
                out = data
            else:
                img.seek(0)  # animated images: the first frame
                frame = img.convert("RGBA")
                frame.thumbnail((max_side, max_side), PILImage.LANCZOS)
                has_alpha = frame.getextrema()[3][0] < 255
                buffer = io.BytesIO()
                if has_alpha:
                    fmt = "PNG"
                    frame.save(buffer, "PNG", optimize=True)
                else:
                    fmt = "JPEG"
                    frame.convert("RGB").save(buffer, "JPEG", quality=85, optimize=True)
                out = buffer.getvalue()
    except PILImage.DecompressionBombError:
        raise ImageRefused(_too_many_pixels(None, None)) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise ImageRefused(f"not a readable image ({exc.__class__.__name__})") from None
    ext, media_type = ("jpg", "image/jpeg") if fmt == "JPEG" else ("png", "image/png")
    key = f"images/{hashlib.sha256(out).hexdigest()[:16]}.{ext}"
    return Image(key=key, media_type=media_type, data=out, alt=alt)


def fit_image(data: bytes, width: int, height: int) -> bytes:
    """A normalized image (JPEG or PNG) shrunk to fit width × height pixels, in its format.

    For an e-ink screen: pixels beyond it only weigh on the file. Returned as is when it
    fits already or cannot be read (normalize_image has accepted it before).
    """
    from PIL import Image as PILImage
    from PIL import UnidentifiedImageError

    try:
        with PILImage.open(io.BytesIO(data)) as img:
            if img.width <= width and img.height <= height or img.format not in ("JPEG", "PNG"):
                return data
            fmt = img.format
            frame = img.copy()
        frame.thumbnail((width, height), PILImage.LANCZOS)
        buffer = io.BytesIO()
        if fmt == "PNG":
            frame.save(buffer, "PNG", optimize=True)
        else:
            frame.save(buffer, "JPEG", quality=85, optimize=True)
        return buffer.getvalue()
    except (UnidentifiedImageError, OSError, ValueError):
        return data


def _too_many_pixels(width: int | None, height: int | None) -> str:
    size = f"{width}×{height} pixels, " if width is not None else ""
    return (f"image refused: too large ({size}limit {MAX_IMAGE_PIXELS:,} pixels; "
            "a decompression bomb?)")
