"""Replies a step produces: channel-neutral, rendered later as SMS text or voice."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from flows.model import Group, Kind, Meeting
from flows.occurrences import Occurrence


@dataclass(frozen=True)
class Text:
    """A catalog message by key, with its parameters."""

    key: str
    params: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class ListItem:
    number: int
    occurrence: Occurrence
    miles: float | None = None
    subscribed: bool = False


@dataclass(frozen=True)
class MeetingList:
    heading: Text
    items: tuple[ListItem, ...]
    more: bool  # whether MORE would show further meetings
    relative: bool = True  # "today"/"tomorrow" are clear (see relative_days_are_clear)


@dataclass(frozen=True)
class MeetingDetails:
    number: int
    occurrence: Occurrence
    group: Group | None
    kind: Kind
    subscribed: bool = False
    relative: bool = True  # "today"/"tomorrow" are clear (see relative_days_are_clear)


@dataclass(frozen=True)
class GroupText:
    """A welcome or agreements text: the group's own words, or the catalog's for `kind`."""

    which: Literal["welcome", "agreements"]
    own_text: str | None
    kind: Kind | None  # None: the general text
    group_name: str | None = None


@dataclass(frozen=True)
class RemindConfirm:
    """The consent text for REMIND: program, what comes and how often, HELP, STOP."""

    meeting: Meeting
    group: Group | None
    minutes: int


@dataclass(frozen=True)
class HostText:
    """A catalog message about one occurrence a host hosts: {meeting} and {when} filled in."""

    key: str
    occurrence: Occurrence
    params: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class BroadcastPreview:
    """The question before a broadcast, and the broadcast exactly as it will read: sent as
    two texts, so each fits."""

    group_name: str
    audience: int
    final: str


@dataclass(frozen=True)
class CancelPreview:
    occurrence: Occurrence
    audience: int
    already: bool = False  # it is cancelled already: nothing to confirm


@dataclass(frozen=True)
class StatusReport:
    summary: object  # flows.coordinator.BroadcastSummary
    group_name: str


Reply = (
    Text
    | MeetingList
    | MeetingDetails
    | GroupText
    | RemindConfirm
    | BroadcastPreview
    | CancelPreview
    | StatusReport
) | HostText
