"""The customer-care team's opening hours, and what to tell a customer who waits for a person.

From `brand/brand.yml` (read by the callers; this module is pure, so the rules are tested at any hour by passing
the moment in):

    care_hours:
      timezone: America/Denver
      zone_name: Mountain Time      # how replies name the zone
      mon: "08:00-20:00"            # one range per day; `closed` (or no entry) for a day off
      ...
      sun: closed

The action server tells a customer handed to a person when someone will answer ("we're back at 8am Mountain Time,
in about 5 hours"), and the console's inbox shows the same for the conversations waiting.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class HoursError(ValueError):
    """Opening hours that cannot be used as written; the message names the field."""


@dataclass(frozen=True)
class Availability:
    """Whether the team is in now, and if not, when it is back and how long that is from now."""

    open_now: bool
    back_at: datetime | None = None
    wait: timedelta | None = None


def _clock(value: str, field: str) -> time:
    try:
        hours, minutes = value.strip().split(":")
        return time(int(hours), int(minutes))
    except ValueError:
        raise HoursError(f"care_hours.{field}: expected HH:MM-HH:MM or closed, got {value!r}") from None


@dataclass(frozen=True)
class CareHours:
    """Opening hours per weekday (Monday first; None for a day off) in one time zone."""

    timezone: str = "UTC"
    zone_name: str = "UTC"
    week: tuple[tuple[time, time] | None, ...] = ((time(8), time(20)),) * 7

    @classmethod
    def parse(cls, raw: Mapping[str, Any] | None) -> CareHours:
        """Hours from the brand file's `care_hours` mapping (every day 8:00-20:00 UTC when absent).

        Raises:
            HoursError: an unknown time zone, a malformed range, or a range that ends before it starts.
        """
        if not raw:
            return cls()
        zone = str(raw.get("timezone", "UTC"))
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise HoursError(f"care_hours.timezone: unknown time zone {zone!r}") from None
        week: list[tuple[time, time] | None] = []
        for day in DAYS:
            value = raw.get(day)
            if value is None or str(value).strip().lower() == "closed":
                week.append(None)
                continue
            if "-" not in str(value):
                raise HoursError(f"care_hours.{day}: expected HH:MM-HH:MM or closed, got {value!r}")
            start, end = (_clock(part, day) for part in str(value).split("-", 1))
            if end <= start:
                raise HoursError(f"care_hours.{day}: {value!r} ends before it starts")
            week.append((start, end))
        if not any(week):
            raise HoursError("care_hours: closed every day; nobody would ever answer")
        return cls(zone, str(raw.get("zone_name") or zone), tuple(week))

    def availability(self, now: datetime) -> Availability:
        """Whether the team is in at `now` (aware), else when it is next in."""
        zone = ZoneInfo(self.timezone)
        local = now.astimezone(zone)
        for offset in range(8):
            day = local.date() + timedelta(days=offset)
            hours = self.week[day.weekday()]
            if hours is None:
                continue
            opens = datetime.combine(day, hours[0], tzinfo=zone)
            closes = datetime.combine(day, hours[1], tzinfo=zone)
            if offset == 0 and opens <= local < closes:
                return Availability(True)
            if local < opens:
                return Availability(False, opens, opens - local)
        raise AssertionError("a week with opening hours always opens within eight days")  # parse() ensures it

    def back_phrase(self, now: datetime) -> str | None:
        """When the team is back, in words that follow "back"; None when it is in now.

        "at 8am Mountain Time, in about 5 hours", "tomorrow at 8am ...", "on Monday at 8am ...".
        """
        found = self.availability(now)
        if found.open_now or found.back_at is None or found.wait is None:
            return None
        local_now = now.astimezone(ZoneInfo(self.timezone))
        days = (found.back_at.date() - local_now.date()).days
        clock = _time_words(found.back_at.time())
        when = f"at {clock}"
        if days == 1:
            when = f"tomorrow at {clock}"
        elif days > 1:
            when = f"on {found.back_at.strftime('%A')} at {clock}"
        return f"{when} {self.zone_name}, in {_duration_words(found.wait)}"


def _time_words(moment: time) -> str:
    """8am, 8:30pm, 12pm."""
    hour = moment.hour % 12 or 12
    suffix = "am" if moment.hour < 12 else "pm"
    return f"{hour}{suffix}" if moment.minute == 0 else f"{hour}:{moment.minute:02d}{suffix}"


def _duration_words(wait: timedelta) -> str:
    """About how long: minutes under an hour, hours under two days (rounded up), then days."""
    minutes = wait.total_seconds() / 60
    if minutes < 60:
        rounded = max(5, 5 * math.ceil(minutes / 5))
        return "about an hour" if rounded >= 60 else f"about {rounded} minutes"
    hours = math.ceil(minutes / 60)
    if hours < 48:
        return "about an hour" if hours == 1 else f"about {hours} hours"
    return f"about {round(hours / 24)} days"
