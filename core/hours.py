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

    def back_phrase(self, now: datetime, language: str = "en") -> str | None:
        """When the team is back, in words that follow "back" in `language` (en, es or fr); None when it is in.

        "at 8am Mountain Time, in about 5 hours", "tomorrow at 8am ...", "on Monday at 8am ..."; in Spanish
        "a las 8:00 (hora Mountain Time), dentro de unas 5 horas", in French "à 8h (heure Mountain Time), dans
        environ 5 heures". Another language gets English.
        """
        found = self.availability(now)
        if found.open_now or found.back_at is None or found.wait is None:
            return None
        words = _WORDS.get(language, _WORDS["en"])
        days = (found.back_at.date() - now.astimezone(ZoneInfo(self.timezone)).date()).days
        clock = words.clock(found.back_at.time())
        when = words.today.format(clock=clock)
        if days == 1:
            when = words.tomorrow.format(clock=clock)
        elif days > 1:
            when = words.weekday.format(day=words.days[found.back_at.weekday()], clock=clock)
        return words.phrase.format(when=when, zone=self.zone_name, wait=_duration_words(found.wait, words))


def _clock_en(moment: time) -> str:
    """8am, 8:30pm, 12pm."""
    hour = moment.hour % 12 or 12
    suffix = "am" if moment.hour < 12 else "pm"
    return f"{hour}{suffix}" if moment.minute == 0 else f"{hour}:{moment.minute:02d}{suffix}"


@dataclass(frozen=True)
class _Words:
    """How one language says when the team is back."""

    clock: Any
    today: str
    tomorrow: str
    weekday: str
    phrase: str
    days: tuple[str, ...]
    minutes: str
    an_hour: str
    hours: str
    days_wait: str


_WORDS = {
    "en": _Words(
        _clock_en,
        "at {clock}",
        "tomorrow at {clock}",
        "on {day} at {clock}",
        "{when} {zone}, in {wait}",
        ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
        "about {n} minutes",
        "about an hour",
        "about {n} hours",
        "about {n} days",
    ),
    "es": _Words(
        lambda moment: f"{moment.hour}:{moment.minute:02d}",
        "a las {clock}",
        "mañana a las {clock}",
        "el {day} a las {clock}",
        "{when} (hora {zone}), dentro de {wait}",
        ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"),
        "unos {n} minutos",
        "una hora",
        "unas {n} horas",
        "unos {n} días",
    ),
    "fr": _Words(
        lambda moment: f"{moment.hour}h" if moment.minute == 0 else f"{moment.hour}h{moment.minute:02d}",
        "à {clock}",
        "demain à {clock}",
        "{day} à {clock}",
        "{when} (heure {zone}), dans {wait}",
        ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
        "environ {n} minutes",
        "environ une heure",
        "environ {n} heures",
        "environ {n} jours",
    ),
}


def _duration_words(wait: timedelta, words: _Words = _WORDS["en"]) -> str:
    """About how long: minutes under an hour, hours under two days (rounded up), then days."""
    minutes = wait.total_seconds() / 60
    if minutes < 60:
        rounded = max(5, 5 * math.ceil(minutes / 5))
        return words.an_hour if rounded >= 60 else words.minutes.format(n=rounded)
    hours = math.ceil(minutes / 60)
    if hours < 48:
        return words.an_hour if hours == 1 else words.hours.format(n=hours)
    return words.days_wait.format(n=round(hours / 24))
