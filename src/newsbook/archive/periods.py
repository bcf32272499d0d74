"""Archive periods: the days, ISO weeks or calendar months between two dates, in order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

EVERY = ("day", "week", "month")


@dataclass(frozen=True, order=True)
class Period:
    """One issue's span of days: [start, end), with a label that names it in files and lists."""

    start: date
    end: date  # the first day after the period
    label: str  # 2026-11-28, 2026-W48, 2026-11

    @property
    def last_day(self) -> date:
        """The period's last day: the date its issue carries."""
        return self.end - timedelta(days=1)

    def as_dict(self) -> dict:
        """The period as JSON-ready data (for the manifest)."""
        return {"label": self.label, "start": self.start.isoformat(),
                "end": self.last_day.isoformat()}


def period_of(day: date, every: str) -> Period:
    """The period of the given kind that contains a day."""
    if every == "day":
        return Period(day, day + timedelta(days=1), day.isoformat())
    if every == "week":
        start = day - timedelta(days=day.weekday())  # ISO weeks start on Monday
        year, week, _ = start.isocalendar()
        return Period(start, start + timedelta(days=7), f"{year}-W{week:02d}")
    if every == "month":
        start = day.replace(day=1)
        end = (start + timedelta(days=32)).replace(day=1)
        return Period(start, end, f"{start.year:04d}-{start.month:02d}")
    raise ValueError(f"unknown period '{every}' (known: {', '.join(EVERY)})")


def periods(first: date, last: date, every: str) -> list[Period]:
    """Every period from the one containing `first` to the one containing `last`, in order."""
    if last < first:
        raise ValueError(f"--to {last} is before --from {first}")
    found = [period_of(first, every)]
    while found[-1].end <= last:
        found.append(period_of(found[-1].end, every))
    return found


def day_of(moment: datetime) -> date:
    """The day an article belongs to: its UTC date when it has a zone, else its own date."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc)
    return moment.date()


def ordinal(origin: Period, period: Period, every: str) -> int:
    """The issue number of a period: 1 for the origin, counting every period since (empty too)."""
    if every == "day":
        return (period.start - origin.start).days + 1
    if every == "week":
        return (period.start - origin.start).days // 7 + 1
    months = (period.start.year - origin.start.year) * 12
    return months + period.start.month - origin.start.month + 1


def parse_label(label: str, every: str) -> Period:
    """The period a label names (as written in a manifest)."""
    if every == "week":
        year, week = label.split("-W")
        return period_of(date.fromisocalendar(int(year), int(week), 1), every)
    if every == "month":
        return period_of(date.fromisoformat(label + "-01"), every)
    return period_of(date.fromisoformat(label), every)
