"""Weekly meetings become dated occurrences: the one place that owns time zones."""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cached_property, lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flows.model import Directory, Meeting, OccurrenceId

# A meeting that began this recently is still worth walking into.
STARTED_GRACE = timedelta(minutes=15)
# No end_time: the spec says a meeting ends one hour after it starts.
DEFAULT_LENGTH = timedelta(hours=1)


@lru_cache(maxsize=256)
def zone(name: str) -> ZoneInfo:
    """The ZoneInfo for an IANA name (cached). Raises ZoneInfoNotFoundError or ValueError."""
    return ZoneInfo(name)


def is_timezone(name: str) -> bool:
    """True if `name` is an IANA time zone this machine knows."""
    try:
        zone(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


# A located meeting for a distance scan: latitude, longitude, its position, its slug.
LocatedRow = tuple[float, float, int, str]


@dataclass(frozen=True)
class Occurrence:
    meeting: Meeting
    start: datetime  # aware, UTC
    end: datetime  # aware, UTC
    cancelled: bool = False

    # Occurrences live in a timetable reused for an hour: compute these once each.
    @cached_property
    def local_start(self) -> datetime:
        """The start in the meeting's own time zone."""
        return self.start.astimezone(zone(self.meeting.timezone))

    @property
    def local_end(self) -> datetime:
        """The end in the meeting's own time zone."""
        return self.end.astimezone(zone(self.meeting.timezone))

    @cached_property
    def local_date(self) -> date:
        """The start's date in the meeting's own time zone."""
        return self.local_start.date()

    def days_away(self, now: datetime) -> int:
        """0 today, 1 tomorrow, ...: counted in the meeting's own time zone."""
        return (self.local_date - now.astimezone(self.local_start.tzinfo).date()).days

    @cached_property
    def id(self) -> OccurrenceId:
        """Its name by local date (`slug|YYYY-MM-DD`: what Redis keeps of it)."""
        return OccurrenceId(self.meeting.slug, self.local_date)

    @cached_property
    def ref(self) -> OccurrenceId:
        """Its name pinned to its start (`slug@YYYYMMDDTHHMMZ`: a listed one, a reminder)."""
        return OccurrenceId(self.meeting.slug, start=self.start)


def relative_days_are_clear(
    occurrences: Iterable[Occurrence], now: datetime, every_zone: Iterable[str]
) -> bool:
    """Whether "today" and "tomorrow" mean one thing to whoever may read about these.

    Each day word is counted in its meeting's own time zone. That is clear while it is the
    same date in every zone that matters: the zones of these meetings and, when one is
    online, every zone we have meetings in (anyone may join from anywhere). Otherwise name
    the day: just after midnight in the East, a list said "Tomorrow 11am PST" above
    "Today 4pm EST", and "Today 8pm EST" meant tomorrow to someone in California."""
    found = tuple(occurrences)
    zones = {o.meeting.timezone for o in found}
    if any(o.meeting.online for o in found):
        zones.update(every_zone)
    return len({now.astimezone(zone(z)).date() for z in zones}) <= 1


def meeting_day_to_weekday(day: int) -> int:
    """Meeting Guide counts from Sunday = 0; Python from Monday = 0."""
    return (day - 1) % 7


def occurrence_on(meeting: Meeting, local_day: date, cancelled: bool = False) -> Occurrence:
    """The occurrence on a local date. Wall-clock times in a DST gap move forward an hour;
    in the repeated hour the first (daylight) instant is used."""
    tz = zone(meeting.timezone)
    start_local = datetime.combine(local_day, meeting.time, tzinfo=tz)
    start = start_local.astimezone(UTC)
    if meeting.end_time is not None:
        end_day = local_day if meeting.end_time > meeting.time else local_day + timedelta(days=1)
        end = datetime.combine(end_day, meeting.end_time, tzinfo=tz).astimezone(UTC)
    else:
        end = start + DEFAULT_LENGTH
    return Occurrence(meeting, start, end, cancelled)


def find(directory: Directory, name: OccurrenceId) -> Occurrence | None:
    """The occurrence `name` names, as `directory` has it now (marked cancelled from it);
    None when its meeting is gone or no longer listed (inactive, by appointment), or no longer
    meets then: not on that weekday, or (a pinned name) not at that time."""
    meeting = directory.meetings.get(name.meeting)
    if meeting is None or not meeting.listable:
        return None
    weekdays = {meeting_day_to_weekday(d) for d in meeting.days}
    if name.start is None:
        days: tuple[date, ...] = (name.day,)  # type: ignore[assignment]
    else:  # the local date may differ from the UTC date by one
        days = tuple(name.start.date() + timedelta(days=shift) for shift in (-1, 0, 1))
    for day in days:
        if day.weekday() not in weekdays:
            continue
        occ = occurrence_on(meeting, day, OccurrenceId(meeting.slug, day) in directory.cancelled)
        if name.start is None or occ.start == name.start:
            return occ
    return None


def occurrences_between(
    meeting: Meeting, start: datetime, end: datetime, directory: Directory | None = None
) -> Iterator[Occurrence]:
    """Occurrences whose start falls in [start, end), in order (none by appointment)."""
    if not meeting.listable:
        return
    tz = zone(meeting.timezone)
    weekdays = {meeting_day_to_weekday(d) for d in meeting.days}
    day = start.astimezone(tz).date() - timedelta(days=1)
    last = end.astimezone(tz).date() + timedelta(days=1)
    cancelled = directory.cancelled if directory else frozenset()
    while day <= last:
        if day.weekday() in weekdays:
            occ = occurrence_on(meeting, day, OccurrenceId(meeting.slug, day) in cancelled)
            if start <= occ.start < end:
                yield occ
        day += timedelta(days=1)


def next_occurrence(
    meeting: Meeting, now: datetime, directory: Directory | None = None
) -> Occurrence | None:
    """The first occurrence starting after `now` - STARTED_GRACE (aware), within
    8 days, marked cancelled from `directory`; None for an inactive or by-appointment one."""
    return next(
        occurrences_between(meeting, now - STARTED_GRACE, now + timedelta(days=8), directory), None
    )


@dataclass(frozen=True)
class Timetable:
    """Every occurrence in a window, sorted by start: built once, searched many times."""

    start: datetime
    end: datetime
    occurrences: tuple[Occurrence, ...]
    _starts: tuple[datetime, ...]

    @classmethod
    def build(cls, directory: Directory, start: datetime, end: datetime) -> Timetable:
        """Every occurrence of the directory's meetings starting in [start, end) (aware), sorted."""
        found = [
            occ
            for meeting in directory.meetings.values()
            for occ in occurrences_between(meeting, start, end, directory)
        ]
        found.sort(key=lambda o: (o.start, o.meeting.slug))
        return cls(start, end, tuple(found), tuple(o.start for o in found))

    @cached_property
    def located(self) -> dict[str, tuple[float, float]]:
        """Where each in-person meeting of the window is, by slug."""
        return {
            o.meeting.slug: (o.meeting.latitude, o.meeting.longitude)  # type: ignore[misc]
            for o in self.occurrences
            if o.meeting.located
        }

    @cached_property
    def memo(self) -> dict:
        """Answers worked out from this timetable and kept with it (flows.search: distances
        from places, and which of a town's namesakes is nearest our meetings): pure functions
        of the timetable, dropped with it."""
        return {}

    @cached_property
    def located_by_latitude(self) -> tuple[tuple[float, ...], tuple[LocatedRow, ...]]:
        """The in-person meetings sorted by latitude, for a distance scan to bisect:
        (latitudes, rows of (latitude, longitude, position in `located`, slug))."""
        rows = sorted(
            (lat, lon, position, slug)
            for position, (slug, (lat, lon)) in enumerate(self.located.items())
        )
        return tuple(row[0] for row in rows), tuple(rows)

    @cached_property
    def located_points(self) -> frozenset[tuple[float, float]]:
        """The distinct (lat, lon) points of in-person meetings."""
        return frozenset(self.located.values())

    @cached_property
    def zones(self) -> frozenset[str]:
        """The time zones of the window's meetings."""
        return frozenset(o.meeting.timezone for o in self.occurrences)

    @cached_property
    def by_meeting(self) -> dict[str, tuple[Occurrence, ...]]:
        """Each meeting's occurrences of the window, soonest first."""
        grouped: dict[str, list[Occurrence]] = {}
        for occ in self.occurrences:
            grouped.setdefault(occ.meeting.slug, []).append(occ)
        return {slug: tuple(found) for slug, found in grouped.items()}

    def covers(self, start: datetime, end: datetime) -> bool:
        """True if [start, end) lies inside this timetable's window."""
        return self.start <= start and end <= self.end

    def upcoming(self, now: datetime) -> Iterator[Occurrence]:
        """Occurrences still worth going to, soonest first."""
        i = bisect.bisect_left(self._starts, now - STARTED_GRACE)
        for occ in self.occurrences[i:]:
            if occ.end > now:
                yield occ

    def upcoming_of(self, slug: str, now: datetime) -> Iterator[Occurrence]:
        """One meeting's occurrences still worth going to (as `upcoming`), soonest first."""
        for occ in self.by_meeting.get(slug, ()):
            if occ.start >= now - STARTED_GRACE and occ.end > now:
                yield occ

    def find(self, name: OccurrenceId) -> Occurrence | None:
        """The occurrence of the window `name` names (either form); None when the timetable
        has no such one."""
        if name.start is None:
            found = self.by_meeting.get(name.meeting, ())
            return next((o for o in found if o.local_date == name.day), None)
        i = bisect.bisect_left(self._starts, name.start)
        while i < len(self.occurrences) and self._starts[i] == name.start:
            if self.occurrences[i].meeting.slug == name.meeting:
                return self.occurrences[i]
            i += 1
        return None


TIMETABLE_DAYS = 8


def timetable_window(now: datetime) -> tuple[datetime, datetime]:
    """The window a timetable built at `now` should cover (hour-aligned, so caches last)."""
    hour = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    return hour - timedelta(hours=3), hour + timedelta(days=TIMETABLE_DAYS)
