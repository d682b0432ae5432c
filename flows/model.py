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


@dataclass(frozen=True)
class Group:
    slug: str
    name: str
    timezone: str
    kind: Kind = "open"
    language: Language = "en"
    welcome: str | None = None
    agreements: str | None = None


@dataclass(frozen=True)
class Meeting:
    slug: str
    name: str
    days: tuple[int, ...]  # 0 = Sunday, as in Meeting Guide
    time: time
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
    conference_url: str | None = None
    conference_phone: str | None = None
    notes: str | None = None

    @property
    def online(self) -> bool:
        return bool(self.conference_url or self.conference_phone)

    @property
    def temporarily_closed(self) -> bool:
        return TYPE_TEMP_CLOSED in self.types

    @property
    def active(self) -> bool:
        """A temporarily closed meeting still counts when it meets online."""
        return not self.temporarily_closed or self.online

    @property
    def in_person(self) -> bool:
        return not self.temporarily_closed and bool(
            self.address or self.location or self.latitude is not None
        )

    @property
    def located(self) -> bool:
        return self.in_person and self.latitude is not None and self.longitude is not None

    def kind(self, group: Group | None = None) -> Kind:
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
        return self.groups.get(meeting.group) if meeting.group else None
