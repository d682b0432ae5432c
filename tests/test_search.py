"""Nearest-first search against a brute-force reference, over many random directories."""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta

import pytest
from haversine import Unit, haversine

from flows.model import Directory, Meeting
from flows.occurrences import Timetable, timetable_window
from flows.search import Found, Query, _candidates, search

ZONES = ("America/New_York", "America/Chicago", "America/Los_Angeles")
CENTRE = (42.32, -72.63)  # Northampton, MA


class Points:
    def zip_point(self, zip_code: str) -> tuple[float, float] | None:
        return CENTRE

    def town_points(self, town: str) -> dict[str, tuple[float, float]]:
        return {}


def random_directory(rng: random.Random) -> Directory:
    meetings = {}
    spread = rng.choice((0.12, 1.2))  # dense (many within 10 miles) or spread over a region
    for i in range(rng.randint(0, 40)):
        located = rng.random() < 0.8
        days = tuple(sorted(rng.sample(range(7), rng.choice((1, 1, 1, 2, 7)))))
        meetings[f"m{i}"] = Meeting(
            slug=f"m{i}",
            name=f"Meeting {i}",
            days=days,
            time=time(rng.randrange(24), rng.choice((0, 15, 30, 45))),
            timezone=rng.choice(ZONES),
            latitude=CENTRE[0] + rng.uniform(-spread, spread) if located else None,
            longitude=CENTRE[1] + rng.uniform(-spread, spread) * 1.25 if located else None,
            address="1 Main St, Somewhere, MA 01060" if located else None,
            conference_url="https://meet.example.org/x"
            if not located or rng.random() < 0.2
            else None,
        )
    return Directory(groups={}, meetings=meetings)


def timetable_meetings(timetable: Timetable) -> dict[str, Meeting]:
    return {o.meeting.slug: o.meeting for o in timetable.occurrences}


def reference(query: Query, timetable: Timetable, now: datetime) -> list[Found]:
    """Scan every matching occurrence soonest first; keep each nearby meeting's first.
    Three or more within 10 miles: those, soonest first; else all within 60 miles, nearest
    first, or when there are none, all of them, nearest first."""
    nearby = {
        slug: haversine(CENTRE, (m.latitude, m.longitude), unit=Unit.MILES)
        for slug, m in timetable_meetings(timetable).items()
        if m.latitude is not None and m.longitude is not None
    }
    everywhere = nearby
    nearby = {slug: miles for slug, miles in nearby.items() if miles <= 60}
    first: dict[str, Found] = {}
    for reach in (nearby, everywhere):  # none within 60 miles: the nearest, however far
        for occ in _candidates(query, timetable, now):
            slug = occ.meeting.slug
            if slug in reach and slug not in first:
                first[slug] = Found(occ, reach[slug])
        if first:
            break
    close = [f for f in first.values() if round(f.miles or 0, 1) <= 10]
    if len(close) >= 3:
        return sorted(close, key=lambda f: (f.occurrence.start, f.miles or 0))
    return sorted(first.values(), key=lambda f: (round(f.miles or 0, 1), f.occurrence.start))


@pytest.mark.parametrize("seed", range(60))
def test_near_search_finds_each_nearby_meetings_soonest_matching_occurrence(seed: int) -> None:
    rng = random.Random(seed)
    directory = random_directory(rng)
    now = datetime(2026, 3, 1, tzinfo=UTC) + timedelta(minutes=rng.randrange(60 * 24 * 300))
    timetable = Timetable.build(directory, *timetable_window(now))
    for query in (
        Query(zip_code="01060"),
        Query(zip_code="01060", day="today"),
        Query(zip_code="01060", day="tomorrow"),
        Query(zip_code="01060", online=True),
    ):
        got = list(search(query, timetable, now, Points()).found)
        assert got == reference(query, timetable, now)
        assert all(f.miles is not None for f in got)
        if any(f.miles <= 60 for f in got):  # type: ignore[operator]
            assert all(f.miles <= 60 for f in got)  # type: ignore[operator]


def _at(slug: str, day: int, hour: int, miles_north: float) -> Meeting:
    """A weekly meeting `miles_north` miles due north of CENTRE (a degree is ~69.1 miles)."""
    return Meeting(
        slug=slug,
        name=slug,
        days=(day,),
        time=time(hour, 0),
        timezone="America/New_York",
        latitude=CENTRE[0] + miles_north / 69.09,
        longitude=CENTRE[1],
        address="1 Main St, Somewhere, MA 01060",
    )


def _near(meetings: list[Meeting]) -> list[tuple[str, float]]:
    now = datetime(2026, 11, 22, 12, tzinfo=UTC)  # a Sunday
    directory = Directory(groups={}, meetings={m.slug: m for m in meetings})
    timetable = Timetable.build(directory, *timetable_window(now))
    found = search(Query(zip_code="01060"), timetable, now, Points()).found
    return [(f.occurrence.meeting.slug, round(f.miles or 0)) for f in found]


def test_three_meetings_within_ten_miles_are_listed_soonest_first_without_farther_ones() -> None:
    got = _near(
        [_at("near-late", 5, 19, 1), _at("mid-soon", 1, 19, 6), _at("edge-sooner", 1, 12, 9.9),
         _at("far-soonest", 1, 9, 30)]
    )  # fmt: skip
    assert got == [("edge-sooner", 10), ("mid-soon", 6), ("near-late", 1)]


def test_fewer_than_three_close_falls_back_to_the_nearest_ones() -> None:
    got = _near([_at("near-late", 5, 19, 1), _at("far-soon", 1, 19, 25), _at("rural", 1, 9, 55)])
    assert got == [("near-late", 1), ("far-soon", 25), ("rural", 55)]
