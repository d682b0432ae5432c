"""Find upcoming meetings: soonest first, or nearest first around a zip code or town."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from itertools import islice
from typing import Literal, Protocol, TypeVar

from haversine import Unit, haversine

from flows.keywords import ZIP_RE, filter_of, meaningful, normalise
from flows.model import OccurrenceId
from flows.occurrences import Occurrence, Timetable

PAGE_SIZE = 5
HORIZON = timedelta(days=7)
EVENING = time(17, 0)  # "tonight": today's meetings starting from 5 PM local
NEAR_MILES = 60.0  # looked at first (a quick box); farther ones only when too few are close
# Past this, nobody gets there for a weekly meeting: a place with nothing nearer is told that
# there is nothing near it (and the online meetings), not shown a meeting states away.
FAR_MILES = 300.0
CLOSE_MILES = 10.0  # meetings this close are listed soonest first...
CLOSE_ENOUGH = 3  # ...when there are at least this many; else the nearest ones

Point = tuple[float, float]


class Places(Protocol):
    """Offline place look-ups the shell provides (the person's location never leaves us)."""

    def zip_point(self, zip_code: str) -> Point | None:
        """The (latitude, longitude) in degrees of a 5-digit US ZIP code, or None if unknown."""

    def town_points(self, town: str) -> Mapping[str, Point]:
        """Every known place called `town` (any case): "Town, ST" to its (latitude, longitude)."""


@dataclass(frozen=True)
class Query:
    day: Literal["today", "tonight", "tomorrow"] | None = None
    online: bool = False
    zip_code: str | None = None
    town: str | None = None  # as typed, normalised
    state: str | None = None

    def encode(self) -> str:
        """A compact form kept in the session for MORE."""
        return "|".join(
            [
                self.day or "",
                "online" if self.online else "",
                self.zip_code or "",
                self.town or "",
                self.state or "",
            ]
        )

    @classmethod
    def decode(cls, raw: str) -> Query:
        """The query `encode()` wrote ('day|online|zip|town|state'); missing or unknown fields
        become None, so an old or damaged session value never raises."""
        parts = (raw.split("|") + [""] * 5)[:5]
        day = parts[0] if parts[0] in ("today", "tonight", "tomorrow") else None
        return cls(day, parts[1] == "online", parts[2] or None, parts[3] or None, parts[4] or None)

    @classmethod
    def from_words(cls, words: tuple[str, ...]) -> Query:
        """A query from a command's words (MEETINGS and the like, or a town said alone): a day
        word (today, tonight, tomorrow), "online", a ZIP code, and the rest read as a town (a
        trailing two-letter word is its state; the town is cut to 40 characters)."""
        day: Literal["today", "tonight", "tomorrow"] | None = None
        online = False
        zip_code = None
        rest: list[str] = []
        for word in meaningful(words):
            found = filter_of(word)
            if found == "tonight" or (found in ("today", "tomorrow") and day != "tonight"):
                day = found  # "hoy en la noche" is tonight
            elif found == "online":
                online = True
            elif ZIP_RE.match(word):
                zip_code = word[:5]
            else:
                rest.append(word)
        rest = meaningful(rest)  # "la de mañana": the article alone is no town
        state = None
        if len(rest) >= 2 and len(rest[-1]) == 2 and rest[-1].isalpha():
            state = rest.pop()
        town = " ".join(rest) or None
        if town and len(town) > 40:
            town = town[:40]
        return cls(day, online, zip_code, town, state)

    @property
    def place(self) -> str | None:
        """The place asked for: the ZIP code if any, else the town, else None."""
        return self.zip_code or self.town


@dataclass(frozen=True)
class Found:
    occurrence: Occurrence
    miles: float | None = None


@dataclass(frozen=True)
class Result:
    found: Iterable[Found]  # read once
    place_known: bool = True  # False: a zip or town we could not place


def _filter(query: Query, now: datetime) -> Callable[[Occurrence], bool]:
    """Whether an upcoming occurrence matches the horizon, day and online filters."""
    limit = now + HORIZON
    wanted: dict[str, object] = {}  # time zone -> the local date asked for

    def keep(occ: Occurrence) -> bool:
        if occ.start >= limit or (query.online and not occ.meeting.online):
            return False
        if query.day is not None:
            tz = occ.meeting.timezone
            if tz not in wanted:
                today = now.astimezone(occ.local_start.tzinfo).date()
                wanted[tz] = today if query.day != "tomorrow" else today + timedelta(days=1)
            if occ.local_date != wanted[tz]:
                return False
            # tonight: from the evening on (upcoming() already starts from now when later)
            return query.day != "tonight" or occ.local_start.time() >= EVENING
        return True

    return keep


def _candidates(query: Query, timetable: Timetable, now: datetime) -> Iterator[Occurrence]:
    """Occurrences matching the day and online filters, soonest first, lazily."""
    keep, limit = _filter(query, now), now + HORIZON
    for occ in timetable.upcoming(now):
        if occ.start >= limit:
            return
        if keep(occ):
            yield occ


def _matches_town(occ: Occurrence, town: str) -> bool:
    m = occ.meeting
    haystack = normalise(" ".join(x for x in (m.city, m.address, m.location) if x))
    return town in haystack


# Answers a timetable keeps (it is rebuilt every hour): a place's distances to the meetings
# within FAR_MILES (about 100 of the bench's 1,000, 241 at most: about 5 MB for 512 places),
# and which of a town's namesakes is nearest our meetings.
REACH_MEMO = 512


T = TypeVar("T")


def _remember(timetable: Timetable, key: object, value: T) -> T:
    """Keep `value` under `key` with the timetable (at most REACH_MEMO answers) and return it."""
    if len(timetable.memo) >= REACH_MEMO:
        timetable.memo.clear()
    timetable.memo[key] = value
    return value


def _town_point(query: Query, timetable: Timetable, places: Places) -> Point | None:
    """Place a town; a name found in several states means the one nearest our meetings."""
    points = places.town_points(query.town or "")
    if query.state:
        return points.get(query.state)
    if len(points) <= 1:
        return next(iter(points.values()), None)
    located = timetable.located_points
    if not located:
        return None
    # Kept with the timetable by the candidates' places (geometry, never the words typed).
    key = ("town", tuple(sorted(points.values())))
    if key in timetable.memo:
        return timetable.memo[key]

    def gap(point: Point) -> float:
        # Equirectangular distance squared: plenty to rank towns hundreds of miles apart.
        lat, lon = point
        shrink = math.cos(math.radians(lat)) ** 2
        return min((lat - a) ** 2 + shrink * (lon - b) ** 2 for a, b in located)

    return _remember(timetable, key, min(points.values(), key=gap))


# A degree of latitude is about 69 miles; longitude shrinks with latitude, so the box for
# longitude is widened generously (enough up to Alaska's latitudes).
_LAT_BOX = NEAR_MILES / 69.0
_LON_BOX = NEAR_MILES / 20.0


def search(query: Query, timetable: Timetable, now: datetime, places: Places) -> Result:
    """Matches within the horizon in the order to show them. Soonest-first results are a
    lazy stream: a page stops reading after the few it shows. Around a place: the meetings
    within CLOSE_MILES soonest first when there are CLOSE_ENOUGH of them, else the nearest
    ones up to FAR_MILES, nearest first (so a rural zip still gets an answer)."""
    if not query.place:
        return Result(_found(_candidates(query, timetable, now)))
    point = (
        places.zip_point(query.zip_code)
        if query.zip_code
        else _town_point(query, timetable, places)
    )
    if point is None:
        if query.town:  # a town we cannot place may still be named in an address
            town = query.town
            found = tuple(
                Found(o) for o in _candidates(query, timetable, now) if _matches_town(o, town)
            )
            # Known when any meeting is there, even if none matches the day asked for
            # ("Holyoke tonight" after its meeting: none tonight, not "couldn't find").
            anyday = replace(query, day=None, online=False)
            known = bool(found) or any(
                _matches_town(o, town) for o in _candidates(anyday, timetable, now)
            )
            return Result(found, place_known=known)
        return Result((), place_known=False)
    return Result(_nearest(point, query, timetable, now))


def _found(occurrences: Iterator[Occurrence]) -> Iterator[Found]:
    return (Found(o) for o in occurrences)


def _reach(timetable: Timetable, point: Point, box: bool) -> dict[str, float]:
    """Miles from `point` to each in-person meeting of the timetable: within NEAR_MILES
    (`box`), else within FAR_MILES. Kept on the timetable per place: the same zip codes and
    towns are asked again and again, and the distances change only with the timetable."""
    memo = timetable.memo
    found = memo.get((point, box))
    if found is not None:
        return found
    lat, lon = point
    limit = NEAR_MILES if box else FAR_MILES
    found = {
        slug: miles
        for slug, where in timetable.located.items()
        if not box or (abs(where[0] - lat) <= _LAT_BOX and abs(where[1] - lon) <= _LON_BOX)
        for miles in (haversine(point, where, unit=Unit.MILES),)
        if miles <= limit
    }
    return _remember(timetable, (point, box), found)


def _nearest(point: Point, query: Query, timetable: Timetable, now: datetime) -> tuple[Found, ...]:
    """Each meeting within reach once (its soonest matching occurrence): soonest first when
    enough are close, else nearest first."""
    keep = _filter(query, now)

    def within(box: bool) -> list[Found]:
        return [
            Found(occ, miles)
            for slug, miles in _reach(timetable, point, box).items()
            for occ in islice((o for o in timetable.upcoming_of(slug, now) if keep(o)), 1)
        ]

    found = within(box=True)
    close = [f for f in found if round(f.miles or 0, 1) <= CLOSE_MILES]
    if len(close) >= CLOSE_ENOUGH:
        return tuple(sorted(close, key=lambda f: (f.occurrence.start, f.miles or 0)))
    if not found:  # a rural place: the nearest ones within FAR_MILES, each with its distance
        found = [f for f in within(box=False) if (f.miles or 0) <= FAR_MILES]
    return tuple(sorted(found, key=lambda f: (round(f.miles or 0, 1), f.occurrence.start)))


def page(result: Result, already: tuple[OccurrenceId, ...]) -> tuple[tuple[Found, ...], bool]:
    """The next page after what was already listed, and whether more would follow."""
    seen = set(already)
    fresh = islice((f for f in result.found if f.occurrence.ref not in seen), PAGE_SIZE + 1)
    shown = tuple(fresh)
    return shown[:PAGE_SIZE], len(shown) > PAGE_SIZE
