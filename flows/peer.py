"""The peer line, pure: weekly shifts (who is on shift at an instant, when the next starts)
and what a text means inside a TALK or a relayed conversation. No Redis, no clock of its own.

A shift is a weekly window in its group's time zone: `day` (0 = Sunday, as meetings) from
`start` to `end`, local wall-clock times. An `end` at or before `start` passes midnight into
the next day (00:00-00:00 is a whole day). Local times are turned into instants with
zoneinfo, so a shift keeps its wall-clock hours across DST changes (and lasts 23 or 25 hours
of real time when it spans one)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flows.model import DAY_NAMES
from flows.render_sms import clock, date_label
from flows.texts import template, text

_CLOCK = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")
_DAY_MINUTES, _WEEK_MINUTES = 24 * 60, 7 * 24 * 60
_LOOKAROUND_DAYS = 8  # a weekly shift starts within any 8 days; one started 8 days ago is over


class ShiftError(ValueError):
    """A day or a time that cannot be a shift's (the message says which and why)."""


def parse_day(raw: str) -> int:
    """'Mon'..'Sun' (any case, or the full name) or '0'..'6' (0 = Sunday) -> 0..6."""
    value = raw.strip()
    if value.isdigit() and int(value) <= 6:
        return int(value)
    for index, name in enumerate(DAY_NAMES):
        if value.lower() in (name.lower(), _full(index)):
            return index
    raise ShiftError(f"day {raw!r}: give Mon..Sun or 0-6 (0 = Sunday)")


def _full(index: int) -> str:
    return ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday")[index]


def parse_clock(raw: str) -> time:
    """'HH:MM' on a 24-hour clock -> time."""
    match = _CLOCK.fullmatch(raw.strip())
    if match is None:
        raise ShiftError(f"time {raw!r}: give HH:MM on a 24-hour clock, like 18:30")
    return time(int(match.group(1)), int(match.group(2)))


@dataclass(frozen=True)
class Shift:
    number_id: str
    day: int  # 0 = Sunday
    start: time
    end: time  # at or before start: the shift ends the next day

    def key(self) -> str:
        """How the store names it: '<number_id>|<day>|HH:MM|HH:MM'."""
        return f"{self.number_id}|{self.day}|{self.start:%H:%M}|{self.end:%H:%M}"

    @classmethod
    def from_key(cls, key: str) -> Shift:
        """The shift `key()` wrote ('<number_id>|<day>|HH:MM|HH:MM'). Raises ValueError on any
        other shape."""
        nid, day, start, end = key.split("|")
        return cls(nid, int(day), parse_clock(start), parse_clock(end))

    def describe(self) -> str:
        """'Mon 22:00-02:00 (next day)'."""
        past = " (next day)" if self.end <= self.start else ""
        return f"{DAY_NAMES[self.day]} {self.start:%H:%M}-{self.end:%H:%M}{past}"

    def _span(self) -> tuple[int, int]:
        """(start, length) in minutes of the week from Sunday 00:00, wall-clock time."""
        start = self.day * _DAY_MINUTES + self.start.hour * 60 + self.start.minute
        end = self.end.hour * 60 + self.end.minute
        length = (end - (self.start.hour * 60 + self.start.minute)) % _DAY_MINUTES
        return start, length or _DAY_MINUTES  # 18:00-18:00 is a whole day

    def overlaps(self, other: Shift) -> bool:
        """True when the two weekly windows share a minute (a shift past midnight overlaps
        the next day's early one; Sat night runs into Sun). Wall-clock, ignoring DST."""
        (a, la), (b, lb) = self._span(), other._span()
        return (b - a) % _WEEK_MINUTES < la or (a - b) % _WEEK_MINUTES < lb

    def windows(self, zone: ZoneInfo, around: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Its (start, end) instants, in UTC, for the weeks around `around` (aware)."""
        today = around.astimezone(zone).date()
        for offset in range(-_LOOKAROUND_DAYS, _LOOKAROUND_DAYS + 1):
            day = today + timedelta(days=offset)
            if _weekday(day) != self.day:
                continue
            ends = day + timedelta(days=1) if self.end <= self.start else day
            yield _instant(day, self.start, zone), _instant(ends, self.end, zone)


def _weekday(day: date) -> int:
    return day.isoweekday() % 7  # Monday 1 ... Sunday 0


def _instant(day: date, clock: time, zone: ZoneInfo) -> datetime:
    # A wall time in the spring-forward gap reads as the offset before the change (fold=0),
    # so a shift "from 02:30" starts at 03:30 that night: the hour that does not exist.
    return datetime.combine(day, clock, tzinfo=zone).astimezone(UTC)


def on_shift(shifts: Iterable[Shift], zone: ZoneInfo, now: datetime) -> frozenset[str]:
    """The number_ids on shift at `now` (aware)."""
    return frozenset(
        s.number_id for s in shifts if any(a <= now < b for a, b in s.windows(zone, now))
    )


def next_start(shifts: Iterable[Shift], zone: ZoneInfo, now: datetime) -> datetime | None:
    """The first shift start after `now` (UTC), or None when there are no shifts."""
    starts = [a for s in shifts for a, _ in s.windows(zone, now) if a > now]
    return min(starts, default=None)


def on_shift_anywhere(
    groups: Iterable[tuple[ZoneInfo, Iterable[Shift]]], now: datetime
) -> frozenset[str]:
    """Everyone on shift in any of the groups (each with its zone and shifts)."""
    found: frozenset[str] = frozenset()
    for zone, shifts in groups:
        found |= on_shift(shifts, zone, now)
    return found


def next_start_anywhere(
    groups: Iterable[tuple[ZoneInfo, Iterable[Shift]]], now: datetime
) -> tuple[datetime, ZoneInfo] | None:
    """The next shift start in any group, with that group's zone (to say it in local time)."""
    best: tuple[datetime, ZoneInfo] | None = None
    for zone, shifts in groups:
        start = next_start(shifts, zone, now)
        if start is not None and (best is None or start < best[0]):
            best = (start, zone)
    return best


# --- texts inside the peer line ---
DONE_WORDS = frozenset({"DONE", "LISTO", "TERMINAR", "TERMINE"})
TAKE_WORDS = frozenset({"TAKE", "TOMAR", "TOMO"})
_CODE = re.compile(r"#?(\d{4})")


@dataclass(frozen=True)
class PeerWord:
    """A text read as a peer-line word: DONE or TAKE (with the conversation's code, if
    given), or None when the text is something to relay."""

    word: str | None
    code: str | None = None
    rest: str = ""  # for a text starting with '#1234': what follows the code


def read(text: str) -> PeerWord:
    """'DONE', 'TAKE', 'TAKE #4821', 'done 4821' -> the word; '#4821 hi' -> code and rest;
    anything else -> PeerWord(None, rest=text). Case and edge punctuation are ignored."""
    tokens = text.strip().split()
    if not tokens:
        return PeerWord(None, rest=text)
    first = tokens[0].strip(".!¡?¿,;:").upper()
    code_match = _CODE.fullmatch(tokens[1].strip(".!?,")) if len(tokens) == 2 else None
    if (first in DONE_WORDS or first in TAKE_WORDS) and (len(tokens) == 1 or code_match):
        word = "DONE" if first in DONE_WORDS else "TAKE"
        return PeerWord(word, code_match.group(1) if code_match else None)
    lead = _CODE.fullmatch(tokens[0].rstrip(":"))
    if lead and tokens[0].startswith("#"):
        return PeerWord(None, lead.group(1), text.strip()[len(tokens[0]) :].strip())
    return PeerWord(None, rest=text)


def prefixed(code: str, body: str) -> str:
    """What a volunteer receives from the person in conversation `code`."""
    return f"#{code}: {body}"


# --- the peer line's texts, rendered from the catalogs ---


def safety(language: str, crisis_line: str | None) -> str:
    """Not an emergency service: 911, 988, and the group's own line when configured."""
    said = text(language, "peer_safety")
    if crisis_line:
        said += " " + text(language, "peer_safety_local", line=crisis_line)
    return said


def message(language: str, key: str, crisis_line: str | None = None, **params: object) -> str:
    """A peer-line text from the catalog; `{safety}` is filled in when the text has one."""
    if "{safety}" in template(language, key):
        params["safety"] = safety(language, crisis_line)
    return text(language, key, **params)


def when_label(language: str, moment: datetime, zone: ZoneInfo, now: datetime) -> str:
    """A shift's start for a text: 'today 6pm', 'tomorrow 9:30am', 'Tue 12/1 6pm'."""
    local, today = moment.astimezone(zone), now.astimezone(zone).date()
    if local.date() == today:
        day = text(language, "today").lower()
    elif local.date() == today + timedelta(days=1):
        day = text(language, "tomorrow").lower()
    else:
        day = date_label(language, local)
    return f"{day} {clock(local)}"
