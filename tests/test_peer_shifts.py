"""Who is on shift at an instant (flows/peer.py): pure, with frozen clocks across DST changes
and midnight; and the words read inside the peer line."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from flows.peer import (
    PeerWord,
    Shift,
    ShiftError,
    next_start,
    on_shift,
    parse_clock,
    parse_day,
    read,
    when_label,
)

NY = ZoneInfo("America/New_York")


def at(*parts: int) -> datetime:
    """A New York wall-clock moment as an aware UTC instant."""
    return datetime(*parts, tzinfo=NY).astimezone(UTC)


def test_days_and_times_are_read_in_either_form() -> None:
    assert parse_day("Sun") == parse_day("0") == parse_day("sunday") == 0
    assert parse_day("mon") == parse_day("1") == 1
    assert parse_day(" Sat ") == 6
    assert parse_clock("9:05") == time(9, 5) and parse_clock("23:59") == time(23, 59)
    for bad in ("7", "Moonday", "", "-1", "Mo"):
        with pytest.raises(ShiftError, match="day"):
            parse_day(bad)
    for bad in ("24:00", "9", "9:5", "noon", "18:60"):
        with pytest.raises(ShiftError, match="time"):
            parse_clock(bad)


def test_a_shift_is_on_within_its_hours_only() -> None:
    tuesday_evening = Shift("v1", 2, time(18), time(21))
    assert on_shift([tuesday_evening], NY, at(2026, 12, 1, 18, 0)) == {"v1"}  # Tue 1 Dec
    assert on_shift([tuesday_evening], NY, at(2026, 12, 1, 20, 59)) == {"v1"}
    assert on_shift([tuesday_evening], NY, at(2026, 12, 1, 21, 0)) == frozenset()
    assert on_shift([tuesday_evening], NY, at(2026, 12, 1, 17, 59)) == frozenset()
    assert on_shift([tuesday_evening], NY, at(2026, 12, 2, 19, 0)) == frozenset()  # Wednesday


def test_a_shift_may_pass_midnight() -> None:
    late = Shift("v1", 5, time(22), time(2))  # Friday 22:00 to Saturday 02:00
    assert on_shift([late], NY, at(2026, 12, 4, 23, 30)) == {"v1"}  # Friday
    assert on_shift([late], NY, at(2026, 12, 5, 1, 59)) == {"v1"}  # Saturday, after midnight
    assert on_shift([late], NY, at(2026, 12, 5, 2, 0)) == frozenset()
    assert on_shift([late], NY, at(2026, 12, 5, 23, 0)) == frozenset()  # Saturday night: no
    whole_day = Shift("v2", 0, time(0), time(0))
    assert on_shift([whole_day], NY, at(2026, 12, 6, 0, 0)) == {"v2"}
    assert on_shift([whole_day], NY, at(2026, 12, 6, 23, 59)) == {"v2"}
    assert on_shift([whole_day], NY, at(2026, 12, 7, 0, 0)) == frozenset()


def test_shifts_keep_their_wall_clock_hours_across_dst() -> None:
    # Clocks go back at 2am on Sunday 1 Nov 2026: a Saturday 22:00-06:00 shift lasts 9 hours.
    night = Shift("v1", 6, time(22), time(6))
    assert on_shift([night], NY, at(2026, 10, 31, 22, 0)) == {"v1"}
    ends = datetime(2026, 11, 1, 6, 0, tzinfo=NY).astimezone(UTC)
    assert on_shift([night], NY, ends - timedelta(seconds=1)) == {"v1"}
    assert on_shift([night], NY, ends) == frozenset()
    assert (ends - at(2026, 10, 31, 22, 0)).total_seconds() == 9 * 3600
    # A Monday 09:00 shift starts at 13:00 UTC in summer (EDT) and 14:00 UTC in winter (EST).
    monday = Shift("v2", 1, time(9), time(10))
    assert on_shift([monday], NY, datetime(2026, 10, 26, 13, 30, tzinfo=UTC)) == {"v2"}
    assert on_shift([monday], NY, datetime(2026, 11, 2, 13, 30, tzinfo=UTC)) == frozenset()
    assert on_shift([monday], NY, datetime(2026, 11, 2, 14, 30, tzinfo=UTC)) == {"v2"}
    # Spring forward (Sunday 8 Mar 2026, 2am -> 3am): a Saturday 23:00-03:00 shift is 3 hours.
    spring = Shift("v3", 6, time(23), time(3))
    assert on_shift([spring], NY, at(2026, 3, 8, 1, 59)) == {"v3"}
    assert on_shift([spring], NY, at(2026, 3, 8, 3, 0)) == frozenset()


def test_the_next_shift_start_is_found_across_the_week_and_dst() -> None:
    shifts = [Shift("v1", 2, time(18), time(21)), Shift("v2", 4, time(9), time(12))]
    now = at(2026, 12, 2, 12, 0)  # Wednesday noon
    assert next_start(shifts, NY, now) == at(2026, 12, 3, 9, 0)  # Thursday 9am
    assert next_start(shifts, NY, at(2026, 12, 3, 9, 30)) == at(2026, 12, 8, 18, 0)
    assert next_start([], NY, now) is None
    # Saturday before the autumn change: Monday's 9am is 14:00 UTC (EST), not 13:00.
    monday = [Shift("v2", 1, time(9), time(10))]
    assert next_start(monday, NY, at(2026, 10, 31, 12, 0)) == datetime(
        2026, 11, 2, 14, 0, tzinfo=UTC
    )
    assert when_label("en", at(2026, 12, 3, 9, 0), NY, now) == "tomorrow 9am"
    assert when_label("es", at(2026, 12, 3, 9, 0), NY, now) == "mañana 9am"
    assert when_label("en", at(2026, 12, 8, 18, 30), NY, now) == "Tue 12/8 6:30pm"


def test_the_peer_lines_words() -> None:
    assert read("DONE") == PeerWord("DONE") == read(" done. ") == read("Listo!")
    assert read("TAKE") == PeerWord("TAKE") == read("take")
    assert read("TAKE #4821") == PeerWord("TAKE", "4821") == read("take 4821")
    assert read("done #4821") == PeerWord("DONE", "4821")
    assert read("#4821 are you ok?") == PeerWord(None, "4821", "are you ok?")
    assert read("I'm done with all this") == PeerWord(None, rest="I'm done with all this")
    assert read("take care") == PeerWord(None, rest="take care")


def test_overlap_of_weekly_shifts() -> None:
    def s(day: int, start: str, end: str) -> Shift:
        return Shift("n", day, parse_clock(start), parse_clock(end))

    assert s(2, "18:00", "22:00").overlaps(s(2, "21:59", "23:00"))
    assert not s(2, "18:00", "22:00").overlaps(s(2, "22:00", "23:00"))  # touching
    assert s(2, "22:00", "02:00").overlaps(s(3, "01:00", "03:00"))  # past midnight
    assert s(6, "23:00", "01:00").overlaps(s(0, "00:30", "02:00"))  # Sat night into Sun
    assert not s(6, "23:00", "01:00").overlaps(s(0, "01:00", "02:00"))
    assert s(1, "09:00", "09:00").overlaps(s(2, "08:00", "08:30"))  # a whole day
    assert not s(1, "09:00", "17:00").overlaps(s(2, "09:00", "17:00"))
