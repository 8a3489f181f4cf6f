"""When a brand may write first (broadcasts): how many a week per person, and the quiet hours nobody is messaged in.

From `brand/brand.yml`:

    broadcasts:
      per_week: 2                 # at most this many broadcasts per person in any 7 days
      quiet_hours: "21:00-08:00"  # in the person's time zone when known, else the brand's
      timezone: America/Denver    # the brand's time zone

Pure functions of an injected clock, so the rules are tested at any hour without waiting for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml


class PolicyError(ValueError):
    """The brand's broadcast settings cannot be used; the message names the field."""


@dataclass(frozen=True)
class Policy:
    """Caps and quiet hours (see the module docstring)."""

    per_week: int = 2
    quiet_start: time = time(21, 0)
    quiet_end: time = time(8, 0)
    timezone: str = "UTC"

    def zone(self, person_timezone: str | None) -> ZoneInfo:
        """The person's time zone when it is known and valid, else the brand's."""
        if person_timezone:
            try:
                return ZoneInfo(person_timezone)
            except (ZoneInfoNotFoundError, ValueError):
                pass
        return ZoneInfo(self.timezone)

    def quiet_until(self, now: datetime, person_timezone: str | None = None) -> datetime | None:
        """When the person's quiet hours end, if `now` (aware) falls inside them; None if they may be messaged now."""
        zone = self.zone(person_timezone)
        local = now.astimezone(zone)
        clock = local.time()
        if self.quiet_start == self.quiet_end:
            return None
        overnight = self.quiet_start > self.quiet_end
        inside = (
            (clock >= self.quiet_start or clock < self.quiet_end)
            if overnight
            else (self.quiet_start <= clock < self.quiet_end)
        )
        if not inside:
            return None
        end_day = local.date() + timedelta(days=1) if overnight and clock >= self.quiet_start else local.date()
        return datetime.combine(end_day, self.quiet_end, tzinfo=zone)


def _clock(value: object, field: str) -> time:
    try:
        hours, minutes = str(value).split(":")
        return time(int(hours), int(minutes))
    except ValueError:
        raise PolicyError(f"broadcasts.{field}: expected HH:MM, got {value!r}") from None


def load_policy(brand_file: Path) -> Policy:
    """The policy in `brand.yml` (its defaults when the file has no `broadcasts` section).

    Raises:
        PolicyError: a malformed cap, quiet-hours range or time zone.
    """
    raw = (yaml.safe_load(brand_file.read_text(encoding="utf-8")) or {}).get("broadcasts") or {}
    per_week = raw.get("per_week", Policy.per_week)
    if not isinstance(per_week, int) or isinstance(per_week, bool) or per_week < 0:
        raise PolicyError(f"broadcasts.per_week: expected a whole number from 0, got {per_week!r}")
    quiet = str(raw.get("quiet_hours", "21:00-08:00"))
    if "-" not in quiet:
        raise PolicyError(f"broadcasts.quiet_hours: expected HH:MM-HH:MM, got {quiet!r}")
    start, end = quiet.split("-", 1)
    timezone = str(raw.get("timezone", "UTC"))
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise PolicyError(f"broadcasts.timezone: unknown time zone {timezone!r}") from None
    return Policy(per_week, _clock(start, "quiet_hours"), _clock(end, "quiet_hours"), timezone)
