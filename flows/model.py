"""The directory as the flows see it: groups and meetings, read-only."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from functools import lru_cache
from typing import Literal

Kind = Literal["open", "focused"]
Language = Literal["en", "es"]
LANGUAGES: tuple[Language, ...] = ("en", "es")

# Meeting Guide type codes we give meaning to.
TYPE_OPEN = "O"
TYPE_FOCUSED = "C"  # "closed" in Meeting Guide terms; our focused meetings
TYPE_TEMP_CLOSED = "TC"
TYPE_SPANISH = "S"

# Meeting Guide's `attendance_option` values (as TSML and tsml-ui publish them).
Attendance = Literal["in_person", "hybrid", "online", "inactive"]
ATTENDANCE_OPTIONS: tuple[Attendance, ...] = ("in_person", "hybrid", "online", "inactive")
DIAL_NOTES_LIMIT = 70  # characters of conference_phone_notes shown beside a dial-in number
DAY_NAMES = ("Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat")  # a meeting's or shift's day, 0..6


@dataclass(frozen=True)
class Group:
    slug: str
    name: str
    timezone: str
    kind: Kind = "open"
    language: Language = "en"
    welcome: str | None = None  # in `language`, as are the agreements
    agreements: str | None = None
    # The group's own words in its other language, for people who chose that language
    # (ESPANOL / ENGLISH). Kept by language, so changing `language` never relabels them; the
    # one named for `language` itself is unused (`welcome` and `agreements` hold those).
    welcome_en: str | None = None
    agreements_en: str | None = None
    welcome_es: str | None = None
    agreements_es: str | None = None

    @property
    def other_language(self) -> Language:
        """The one language of LANGUAGES that is not the group's own."""
        return "es" if self.language == "en" else "en"

    def own_text(self, which: Literal["welcome", "agreements"], language: str) -> str | None:
        """The group's own welcome or agreements (`which`) for a person reading `language`:
        `welcome`/`agreements` in the group's language, else the text kept for that language;
        None when the group wrote none in it (the line's shared text is sent instead)."""
        if language == self.language:
            return getattr(self, which)
        if language not in LANGUAGES:
            return None
        return getattr(self, f"{which}_{language}")


@dataclass(frozen=True)
class Meeting:
    slug: str
    name: str
    days: tuple[int, ...]  # 0 = Sunday, as in Meeting Guide; () = "by appointment"
    time: time | None  # None only for a meeting by appointment
    timezone: str
    end_time: time | None = None
    types: tuple[str, ...] = ()
    group: str | None = None  # group slug
    location: str | None = None
    address: str | None = None  # formatted address
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    # True: latitude/longitude were placed by us at the ZIP code's (or town's) centre because
    # the feed published none; distances are then "about", and the export leaves them out.
    approximate: bool = False
    conference_url: str | None = None
    conference_phone: str | None = None
    notes: str | None = None
    # Meeting Guide fields kept as published (plain text); None when the feed gave none.
    attendance: Attendance | None = None  # `attendance_option`
    conference_url_notes: str | None = None
    conference_phone_notes: str | None = None
    location_notes: str | None = None
    regions: tuple[str, ...] = ()
    source: str | None = None  # the feed URL that owns this meeting; None: the CLI

    @property
    def by_appointment(self) -> bool:
        """No weekly day and time: kept and exported, never listed as a weekly meeting."""
        return not self.days or self.time is None

    @property
    def online(self) -> bool:
        """True when people can join from afar: a conference URL or phone, and not marked
        in-person-only or inactive (Meeting Guide spec, `attendance_option`)."""
        if self.attendance in ("in_person", "inactive"):
            return False
        return bool(self.conference_url or self.conference_phone)

    @property
    def dial_in(self) -> str | None:
        """The dial-in number with its meeting ID / passcode notes: "+1 646 555 0100 (ID 1)"."""
        if not self.conference_phone:
            return None
        lines = (
            " ".join(line.split()) for line in (self.conference_phone_notes or "").splitlines()
        )
        notes = ", ".join(line.rstrip(",;") for line in lines if line)
        if len(notes) > DIAL_NOTES_LIMIT:
            notes = notes[: DIAL_NOTES_LIMIT - 1].rstrip() + "…"
        return f"{self.conference_phone} ({notes})" if notes else self.conference_phone

    @property
    def temporarily_closed(self) -> bool:
        """True when the feed marks it TC, temporarily closed (Meeting Guide spec, types)."""
        return TYPE_TEMP_CLOSED in self.types

    @property
    def active(self) -> bool:
        """A temporarily closed meeting still counts when it meets online."""
        if self.attendance == "inactive":
            return False
        return not self.temporarily_closed or self.online

    @property
    def listable(self) -> bool:
        """Shown in lists: active, with a weekly day and time (not by appointment)."""
        return self.active and not self.by_appointment

    @property
    def in_person(self) -> bool:
        """Met in a room: said so by `attendance_option`, else a place and no TC type.
        A meeting with only a town (no link) is in person, as Meeting Guide apps show it."""
        if self.attendance is not None:
            return self.attendance in ("in_person", "hybrid")
        return not self.temporarily_closed and bool(
            self.address or self.location or self.latitude is not None or self.city
        )

    @property
    def located(self) -> bool:
        """True when it meets in person with both coordinates (degrees): distance can rank it."""
        return self.in_person and self.latitude is not None and self.longitude is not None

    def kind(self, group: Group | None = None) -> Kind:
        """The meeting's kind, "focused" or "open": its own type if the feed gives one (C or O,
        Meeting Guide spec), else its group's kind, else "open"."""
        if TYPE_FOCUSED in self.types:
            return "focused"
        if TYPE_OPEN in self.types:
            return "open"
        return group.kind if group else "open"


@dataclass(frozen=True)
class Directory:
    groups: Mapping[str, Group] = field(default_factory=dict)
    meetings: Mapping[str, Meeting] = field(default_factory=dict)
    cancelled: frozenset[OccurrenceId] = frozenset()  # by local date: what coordinators cancelled
    version: int = 0

    def group_of(self, meeting: Meeting) -> Group | None:
        """The meeting's group, or None when it names none or one the directory lacks."""
        return self.groups.get(meeting.group) if meeting.group else None


_BY_DAY = re.compile(r"(.+)\|(\d{4})-(\d\d)-(\d\d)")
_PINNED = re.compile(r"(.+)@(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)Z")


@dataclass(frozen=True)
class OccurrenceId:
    """The name of one occurrence of a meeting, and the only code that writes or reads one.

    Two forms, each written by `str()` and read by `parse`, kept exactly as earlier versions
    wrote them, so what Redis and RQ already hold reads the same:

    - by its local date, `slug|YYYY-MM-DD` (`day` set): cancelled occurrences
      (Directory.cancelled, keys.CANCELLED), hosting records and the hosts' lists of them,
      a pending cancellation (flows.pending), a cancellation's notices job, effects and
      hosting jobs (as a slug and an ISO date: `of`);
    - pinned to its start, `slug@YYYYMMDDTHHMMZ` (`start` set: aware, written in UTC to the
      minute): a listed occurrence (Session.listed), a reminder's job, the ids of its texts
      and of hosting prompts. It names the occurrence at that time only: once the meeting
      moves, it names none.

    The two names of one occurrence are not equal; flows.occurrences.find (against a
    directory) and Timetable.find resolve either. Raises ValueError unless exactly one of
    `day` and `start` is given, and `start` is aware."""

    meeting: str  # slug
    day: date | None = None  # local date, in the meeting's time zone
    start: datetime | None = None  # aware

    def __post_init__(self) -> None:
        if (self.day is None) == (self.start is None):
            raise ValueError("an OccurrenceId names a day or a start, exactly one of them")
        if self.start is not None and self.start.utcoffset() is None:
            raise ValueError("an OccurrenceId's start must be aware")

    def __str__(self) -> str:
        if self.start is not None:  # `%Y%m%dT%H%MZ`, without strftime's cost on every save
            at = self.start.astimezone(UTC)
            return (
                f"{self.meeting}@{at.year:04}{at.month:02}{at.day:02}T{at.hour:02}{at.minute:02}Z"
            )
        return f"{self.meeting}|{self.day.isoformat()}"  # type: ignore[union-attr]

    @classmethod
    def parse(cls, text: str) -> OccurrenceId:
        """Read either form (see the class). Raises ValueError on anything else."""
        return _parse(text)

    @classmethod
    def of(cls, meeting: str, day: str) -> OccurrenceId:
        """The name by local date from a slug and an ISO date (`YYYY-MM-DD`), as effects and
        hosting jobs carry them. Raises ValueError on a malformed date."""
        return cls.parse(f"{meeting}|{day}")


@lru_cache(maxsize=4096)  # names are immutable; a conversation reads the same ones each text
def _parse(text: str) -> OccurrenceId:
    found = _BY_DAY.fullmatch(text)
    if found is not None:
        slug, *ymd = found.groups()
        return OccurrenceId(slug, date(*map(int, ymd)))
    found = _PINNED.fullmatch(text)
    if found is None:
        raise ValueError(f"not an occurrence id: {text!r}")
    slug, *stamp = found.groups()
    return OccurrenceId(slug, start=datetime(*map(int, stamp), tzinfo=UTC))
