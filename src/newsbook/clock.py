"""The build's notion of now: SOURCE_DATE_EPOCH when set, so reproducible builds agree."""

from __future__ import annotations

import os
from datetime import date, datetime, timezone

_EARLIEST_ZIP_TIME = 315532800  # 1980-01-01: zip entries cannot be dated earlier


def source_date_epoch() -> int | None:
    """SOURCE_DATE_EPOCH as an integer, or None when unset or not a number."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return int(value) if value.isdigit() else None


def build_time() -> datetime:
    """Now in UTC to the second, or the moment SOURCE_DATE_EPOCH names (never before 1980)."""
    epoch = source_date_epoch()
    if epoch is not None:
        return datetime.fromtimestamp(max(epoch, _EARLIEST_ZIP_TIME), tz=timezone.utc)
    return datetime.now(timezone.utc).replace(microsecond=0)


def build_date() -> date:
    """Today where the user is, or the UTC day SOURCE_DATE_EPOCH names."""
    epoch = source_date_epoch()
    if epoch is not None:
        return datetime.fromtimestamp(epoch, tz=timezone.utc).date()
    return date.today()
