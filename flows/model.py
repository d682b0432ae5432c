"""The directory as the flows see it: groups and meetings, read-only."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time
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
    # (meeting slug, local date) of occurrences a coordinator cancelled
    cancelled: frozenset[tuple[str, date]] = frozenset()
    version: int = 0

    def group_of(self, meeting: Meeting) -> Group | None:
        """The meeting's group, or None when it names none or one the directory lacks."""
        return self.groups.get(meeting.group) if meeting.group else None
