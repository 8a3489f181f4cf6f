"""The brand's broadcast rules at injected moments: quiet hours in the person's zone or the brand's, and the file."""

from __future__ import annotations

from datetime import datetime, time, timezone
from zoneinfo import ZoneInfo

import pytest

from channels.outreach import Policy, PolicyError, load_policy

DENVER = ZoneInfo("America/Denver")
POLICY = Policy(per_week=2, quiet_start=time(21, 0), quiet_end=time(8, 0), timezone="America/Denver")


def at(hour: int, minute: int = 0, zone=DENVER, day: int = 2) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=zone)


@pytest.mark.parametrize(
    ("moment", "until"),
    [
        (at(20, 59), None),
        (at(21, 0), at(8, 0, day=3)),
        (at(23, 30), at(8, 0, day=3)),
        (at(3, 0), at(8, 0)),
        (at(7, 59), at(8, 0)),
        (at(8, 0), None),
        (at(12, 0), None),
    ],
)
def test_quiet_hours_in_the_brands_zone(moment, until):
    assert POLICY.quiet_until(moment.astimezone(timezone.utc)) == until


def test_a_persons_own_zone_wins_when_known_and_valid():
    noon_in_denver = at(12, 0).astimezone(timezone.utc)  # 20:00 in Tokyo the same day... and 04:00 next day
    tokyo = ZoneInfo("Asia/Tokyo")
    assert POLICY.quiet_until(noon_in_denver, "Asia/Tokyo") == datetime(2026, 12, 3, 8, 0, tzinfo=tokyo)
    assert POLICY.quiet_until(noon_in_denver, "Mars/Olympus") is None  # unknown: the brand's zone, where it's noon


def test_daytime_quiet_hours_and_none_at_all():
    lunch = Policy(quiet_start=time(12, 0), quiet_end=time(13, 0), timezone="UTC")
    assert lunch.quiet_until(datetime(2026, 12, 2, 12, 30, tzinfo=timezone.utc)) == datetime(
        2026, 12, 2, 13, 0, tzinfo=ZoneInfo("UTC")
    )
    assert lunch.quiet_until(datetime(2026, 12, 2, 13, 0, tzinfo=timezone.utc)) is None
    never = Policy(quiet_start=time(0, 0), quiet_end=time(0, 0))
    assert never.quiet_until(datetime(2026, 12, 2, 3, 0, tzinfo=timezone.utc)) is None


def test_the_brand_file(tmp_path):
    path = tmp_path / "brand.yml"
    path.write_text("name: X\nbroadcasts:\n  per_week: 1\n  quiet_hours: '22:30-07:15'\n  timezone: Europe/Madrid\n")
    assert load_policy(path) == Policy(1, time(22, 30), time(7, 15), "Europe/Madrid")
    path.write_text("name: X\n")
    assert load_policy(path) == Policy()
    for bad, message in [
        ("per_week: -1", "broadcasts.per_week: expected a whole number from 0, got -1"),
        ("quiet_hours: late", "broadcasts.quiet_hours: expected HH:MM-HH:MM, got 'late'"),
        ("quiet_hours: '25-07:00'", "broadcasts.quiet_hours: expected HH:MM, got '25'"),
        ("timezone: Nowhere/Land", "broadcasts.timezone: unknown time zone 'Nowhere/Land'"),
    ]:
        path.write_text(f"name: X\nbroadcasts:\n  {bad}\n")
        with pytest.raises(PolicyError) as error:
            load_policy(path)
        assert str(error.value) == message
