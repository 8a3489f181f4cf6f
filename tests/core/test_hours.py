"""Opening hours at injected moments: open, closed tonight, closed for the weekend, and the brand file's errors."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from core.hours import CareHours, HoursError

DENVER = ZoneInfo("America/Denver")
WEEKDAYS = {
    "timezone": "America/Denver",
    "zone_name": "Mountain Time",
    **{day: "08:00-20:00" for day in ("mon", "tue", "wed", "thu", "fri")},
    "sat": "10:00-14:30",
    "sun": "closed",
}
HOURS = CareHours.parse(WEEKDAYS)


def denver(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=DENVER).astimezone(timezone.utc)  # Dec 2 2026: a Wednesday


@pytest.mark.parametrize(
    ("moment", "phrase"),
    [
        (denver(2, 8, 0), None),
        (denver(2, 19, 59), None),
        (denver(2, 20, 0), "tomorrow at 8am Mountain Time, in about 12 hours"),
        (denver(3, 3, 0), "at 8am Mountain Time, in about 5 hours"),
        (denver(3, 7, 40), "at 8am Mountain Time, in about 20 minutes"),
        (denver(4, 21, 0), "tomorrow at 10am Mountain Time, in about 13 hours"),  # Friday night: Saturday's hours
        (denver(5, 15, 0), "on Monday at 8am Mountain Time, in about 41 hours"),  # Saturday after 14:30
        (denver(5, 14, 0), None),
    ],
)
def test_when_the_team_is_back(moment, phrase):
    assert HOURS.back_phrase(moment) == phrase


@pytest.mark.parametrize(
    ("moment", "language", "phrase"),
    [
        (denver(3, 3, 0), "es", "a las 8:00 (hora Mountain Time), dentro de unas 5 horas"),
        (denver(2, 20, 0), "es", "mañana a las 8:00 (hora Mountain Time), dentro de unas 12 horas"),
        (denver(5, 15, 0), "es", "el lunes a las 8:00 (hora Mountain Time), dentro de unas 41 horas"),
        (denver(3, 7, 40), "fr", "à 8h (heure Mountain Time), dans environ 20 minutes"),
        (denver(4, 21, 0), "fr", "demain à 10h (heure Mountain Time), dans environ 13 heures"),
        (denver(3, 3, 0), "de", "at 8am Mountain Time, in about 5 hours"),  # no German words: English
    ],
)
def test_when_the_team_is_back_in_the_customers_language(moment, language, phrase):
    assert HOURS.back_phrase(moment, language) == phrase


def test_availability_is_exact():
    found = HOURS.availability(denver(3, 3, 0))
    assert (found.open_now, found.back_at, found.wait) == (
        False,
        datetime(2026, 12, 3, 8, 0, tzinfo=DENVER),
        timedelta(hours=5),
    )
    assert HOURS.week[5] == (time(10, 0), time(14, 30)) and HOURS.week[6] is None


def test_defaults_and_errors():
    assert CareHours.parse(None).back_phrase(datetime(2026, 12, 2, 12, tzinfo=timezone.utc)) is None
    for raw, message in [
        ({"timezone": "Atlantis/Capital"}, "care_hours.timezone: unknown time zone 'Atlantis/Capital'"),
        ({"mon": "9 to 5"}, "care_hours.mon: expected HH:MM-HH:MM or closed, got '9 to 5'"),
        ({"tue": "18:00-09:00"}, "care_hours.tue: '18:00-09:00' ends before it starts"),
        ({"timezone": "UTC"}, "care_hours: closed every day; nobody would ever answer"),
    ]:
        with pytest.raises(HoursError) as error:
            CareHours.parse(raw)
        assert str(error.value) == message
