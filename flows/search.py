"""Find upcoming meetings: soonest first, or nearest first around a zip code or town."""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from itertools import islice
from typing import Literal, Protocol, TypeVar

from haversine import Unit, haversine
from haversine.haversine import get_avg_earth_radius

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
    """Keep `value` under `key` with the timetable (at most REACH_MEMO answers) and return it.
    When full, the older half goes (a dict keeps insertion order), not everything."""
    memo = timetable.memo
    if len(memo) >= REACH_MEMO:
        for old in list(islice(memo, REACH_MEMO // 2)):
            del memo[old]
    memo[key] = value
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


EARTH_MILES = get_avg_earth_radius(Unit.MILES)  # the haversine library's own radius


def reach_box(point: Point, miles: float) -> tuple[float, float]:
    """(degrees of latitude, degrees of longitude, east or west) outside which no place is
    within `miles` of `point` by the haversine distance, so a scan can skip those places.

    From the haversine formula, hav(d/R) = hav(dlat) + cos(lat1) cos(lat2) hav(dlon): a place
    within d has |dlat| <= d/R, so |lat2| <= |lat1| + d/R, and then
    hav(dlon) <= hav(d/R) / (cos(lat1) cos(|lat1| + d/R)), with R the library's own radius.
    The bound is widened by a millionth so that rounding can never put a place at the limit
    outside it; a box that cannot bound longitude (near a pole) is 180 degrees wide."""
    lat = point[0]
    angle = miles / EARTH_MILES * (1 + 1e-6)
    lat_reach = math.degrees(angle)
    highest = min(90.0, abs(lat) + lat_reach)
    bound = math.cos(math.radians(lat)) * math.cos(math.radians(highest))
    hav = math.sin(angle / 2) ** 2
    if bound <= hav:
        return lat_reach, 180.0
    return lat_reach, math.degrees(2 * math.asin(min(1.0, math.sqrt(hav / bound))))


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
    towns are asked again and again, and the distances change only with the timetable.
    Only the meetings inside the limit's reach_box are measured."""
    memo = timetable.memo
    found = memo.get((point, box))
    if found is not None:
        return found
    lat, lon = point
    limit = NEAR_MILES if box else FAR_MILES
    lat_reach, lon_reach = reach_box(point, limit)
    latitudes, rows = timetable.located_by_latitude
    band = rows[bisect_left(latitudes, lat - lat_reach) : bisect_right(latitudes, lat + lat_reach)]
    wrap = 360.0 - lon_reach  # a gap this wide the other way round is within reach
    near = sorted(
        (position, slug, miles)
        for a, b, position, slug in band
        if not lon_reach < abs(b - lon) < wrap  # longitudes in [-180, 180]: across 180 too
        for miles in (haversine(point, (a, b), unit=Unit.MILES),)
        if miles <= limit
    )  # in the timetable's own order, which breaks ties between meetings at one place
    found = {slug: miles for _, slug, miles in near}
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
