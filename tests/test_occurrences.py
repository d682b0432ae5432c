"""Weekly meetings to dated occurrences, across daylight-saving changes and time zones."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from flows.model import Directory, Meeting, OccurrenceId
from flows.occurrences import (
    Timetable,
    find,
    next_occurrence,
    occurrence_on,
    occurrences_between,
)

NY, LA = "America/New_York", "America/Los_Angeles"


def weekly(slug: str, day: int, at: time, tz: str = NY, **extra: object) -> Meeting:
    return Meeting(slug=slug, name=slug, days=(day,), time=at, timezone=tz, **extra)  # type: ignore[arg-type]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_sunday_meeting_keeps_local_time_when_clocks_spring_forward() -> None:
    m = weekly("sunday", 0, time(10, 0))
    assert occurrence_on(m, date(2026, 3, 1)).start == utc(2026, 3, 1, 15, 0)  # EST, UTC-5
    assert occurrence_on(m, date(2026, 3, 8)).start == utc(2026, 3, 8, 14, 0)  # EDT, UTC-4


def test_sunday_meeting_keeps_local_time_when_clocks_fall_back() -> None:
    m = weekly("sunday", 0, time(18, 0))
    assert occurrence_on(m, date(2026, 10, 25)).start == utc(2026, 10, 25, 22, 0)
    assert occurrence_on(m, date(2026, 11, 1)).start == utc(2026, 11, 1, 23, 0)


def test_midnight_meeting_on_the_change_days() -> None:
    m = weekly("midnight", 0, time(0, 0))
    assert occurrence_on(m, date(2026, 3, 8)).start == utc(2026, 3, 8, 5, 0)
    assert occurrence_on(m, date(2026, 11, 1)).start == utc(2026, 11, 1, 4, 0)
    assert occurrence_on(m, date(2026, 11, 8)).start == utc(2026, 11, 8, 5, 0)


def test_time_in_the_spring_gap_moves_forward_an_hour() -> None:
    occ = occurrence_on(weekly("gap", 0, time(2, 30)), date(2026, 3, 8))
    assert occ.start == utc(2026, 3, 8, 7, 30)
    assert occ.local_start.hour == 3 and occ.local_start.minute == 30


def test_time_in_the_repeated_autumn_hour_is_the_first_one() -> None:
    occ = occurrence_on(weekly("repeat", 0, time(1, 30)), date(2026, 11, 1))
    assert occ.start == utc(2026, 11, 1, 5, 30)  # 1:30 EDT, not 1:30 EST


def test_two_time_zones_same_wall_clock() -> None:
    ny, la = weekly("ny", 3, time(18, 30)), weekly("la", 3, time(18, 30), LA)
    day = date(2026, 11, 25)
    assert occurrence_on(la, day).start - occurrence_on(ny, day).start == timedelta(hours=3)


def test_end_time_past_midnight_ends_next_day() -> None:
    m = weekly("late", 6, time(23, 0), end_time=time(0, 30))
    occ = occurrence_on(m, date(2026, 11, 28))
    assert occ.end - occ.start == timedelta(minutes=90)


def test_no_end_time_means_one_hour_as_the_spec_says() -> None:
    occ = occurrence_on(weekly("open-ended", 6, time(19, 0)), date(2026, 11, 28))
    assert occ.end - occ.start == timedelta(hours=1)


def test_weekly_series_across_fall_back_in_order() -> None:
    m = weekly("tue", 2, time(18, 0))
    got = [o.start for o in occurrences_between(m, utc(2026, 10, 20), utc(2026, 11, 11))]
    assert got == [
        utc(2026, 10, 20, 22),
        utc(2026, 10, 27, 22),
        utc(2026, 11, 3, 23),
        utc(2026, 11, 10, 23),
    ]


def test_temporarily_closed_without_link_is_inactive_but_online_counts() -> None:
    closed = weekly("tc", 2, time(18, 0), types=("TC",), address="1 Main St")
    online = weekly(
        "tc-online", 2, time(18, 0), types=("TC",), conference_url="https://x.example.org"
    )
    window = (utc(2026, 11, 23), utc(2026, 12, 1))
    assert list(occurrences_between(closed, *window)) == []
    assert len(list(occurrences_between(online, *window))) == 1
    assert not online.in_person and online.online


def test_meeting_started_a_few_minutes_ago_is_still_next() -> None:
    m = weekly("tue", 2, time(18, 0))
    now = utc(2026, 11, 24, 23, 10)  # 6:10 PM EST
    occ = next_occurrence(m, now)
    assert occ is not None and occ.start == utc(2026, 11, 24, 23, 0)
    later = next_occurrence(m, now + timedelta(minutes=30))
    assert later is not None and later.start == utc(2026, 12, 1, 23, 0)


def test_timetable_upcoming_and_find_by_ref() -> None:
    a, b = weekly("a", 2, time(18, 0)), weekly("b", 2, time(19, 0), LA)
    d = Directory(
        meetings={"a": a, "b": b}, cancelled=frozenset({OccurrenceId("b", date(2026, 11, 24))})
    )
    table = Timetable.build(d, utc(2026, 11, 24), utc(2026, 12, 3))
    upcoming = list(table.upcoming(utc(2026, 11, 24, 12)))
    assert [o.meeting.slug for o in upcoming] == ["a", "b", "a", "b"]
    assert upcoming[1].cancelled and not upcoming[3].cancelled
    assert table.find(upcoming[2].ref) == upcoming[2]
    assert table.find(upcoming[2].id) == upcoming[2]  # by local date too
    assert table.find(OccurrenceId("a", start=utc(2026, 11, 24, 23, 30))) is None
    assert table.find(OccurrenceId("nope", date(2026, 11, 24))) is None


# What earlier versions wrote (sessions, Redis members, RQ job arguments) reads the same.
STORED = [
    ("forbes-tuesday|2026-11-24", OccurrenceId("forbes-tuesday", date(2026, 11, 24))),
    ("forbes-tuesday@20261124T2300Z", OccurrenceId("forbes-tuesday", start=utc(2026, 11, 24, 23))),
    ("a|b|2026-01-02", OccurrenceId("a|b", date(2026, 1, 2))),  # never a slug, but parse copes
    ("a@b@20260102T0905Z", OccurrenceId("a@b", start=utc(2026, 1, 2, 9, 5))),
]


@pytest.mark.parametrize(("text", "name"), STORED)
def test_an_occurrence_id_reads_and_writes_each_stored_form(text: str, name: OccurrenceId) -> None:
    assert OccurrenceId.parse(text) == name
    assert str(name) == text


@pytest.mark.parametrize(
    "bad",
    ["", "slug", "|2026-01-02", "slug|2026-13-01", "slug|20260102", "a@garbage",
     "a@20261124T2300", "@20261124T2300Z", "a@20261124T2500Z", "a|2026-01-02 "],
)  # fmt: skip
def test_anything_else_is_not_an_occurrence_id(bad: str) -> None:
    with pytest.raises(ValueError):
        OccurrenceId.parse(bad)


def test_an_occurrence_id_names_a_day_or_a_start() -> None:
    with pytest.raises(ValueError):
        OccurrenceId("a")
    with pytest.raises(ValueError):
        OccurrenceId("a", date(2026, 1, 2), start=utc(2026, 1, 2))
    with pytest.raises(ValueError):
        OccurrenceId("a", start=datetime(2026, 1, 2, 9))  # naive
    eastern = datetime(2026, 11, 24, 18, tzinfo=ZoneInfo(NY))
    assert str(OccurrenceId("a", start=eastern)) == "a@20261124T2300Z"  # always UTC
    assert OccurrenceId.of("a", "2026-11-24") == OccurrenceId("a", date(2026, 11, 24))


def test_an_occurrence_knows_both_its_names() -> None:
    occ = occurrence_on(weekly("a", 2, time(18, 0)), date(2026, 11, 24))
    assert str(occ.id) == "a|2026-11-24" and str(occ.ref) == "a@20261124T2300Z"
    assert occ.id != occ.ref  # two names of one occurrence, resolved alike
    d = Directory(meetings={"a": occ.meeting})
    assert find(d, occ.id) == occ == find(d, occ.ref)


def test_find_resolves_a_name_against_the_directory_as_it_is_now() -> None:
    a = weekly("a", 2, time(18, 0))  # Tuesdays 6 PM Eastern: 23:00 UTC in November
    occ = occurrence_on(a, date(2026, 11, 24))
    d = Directory(meetings={"a": a}, cancelled=frozenset({occ.id}))
    assert find(d, occ.ref) == replace(occ, cancelled=True)
    late = weekly("late", 2, time(21, 30), LA)  # Tuesday 9:30 PM Pacific: Wednesday in UTC
    late_occ = occurrence_on(late, date(2026, 11, 24))
    assert late_occ.start.date() == date(2026, 11, 25)
    assert find(Directory(meetings={"late": late}), late_occ.ref) == late_occ
    moved = Directory(meetings={"a": replace(a, time=time(19, 0))})
    assert find(moved, occ.ref) is None  # pinned: the meeting moved
    assert find(moved, occ.id) is not None  # by date: the same day, at its new time
    assert find(Directory(meetings={"a": replace(a, days=(3,))}), occ.id) is None
    assert find(Directory(meetings={"a": replace(a, types=("TC",))}), occ.ref) is None
    assert find(Directory(), occ.id) is None
