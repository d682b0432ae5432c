"""Per-number conversation state, and what the shell knows about the number."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date

from flows import pending as pending_
from flows.model import LANGUAGES, Language, OccurrenceId

LISTED_KEPT = 200  # occurrences a stored conversation keeps listed, at most


@dataclass(frozen=True)
class Session:
    """What a conversation remembers between texts. Expires about an hour after the last one."""

    language: Language = "en"
    listed: tuple[OccurrenceId, ...] = ()  # occurrences shown so far (pinned), from 1
    query: str = ""  # the search behind `listed`, for MORE
    viewed: str | None = None  # slug of the meeting last viewed, for WELCOME/AGREEMENTS
    pending: pending_.Pending | None = None  # what a YES would confirm
    # A coordinator's unconfirmed broadcast, held only until YES (at most CONFIRM_WINDOW).
    draft: str | None = None
    asked_at: str | None = None  # ISO time the pending question was asked

    def to_json(self) -> str:
        """Compact: empty fields are left out. Occurrences and the pending question in their
        stored forms (OccurrenceId, flows.pending)."""
        data: dict[str, object] = {f.name: getattr(self, f.name) for f in fields(self)}
        data["listed"] = [str(name) for name in self.listed]
        data["pending"] = pending_.dump(self.pending) if self.pending is not None else None
        data = {k: v for k, v in data.items() if k == "language" or v not in (None, [], "")}
        return json.dumps(data, separators=(",", ":"))

    @classmethod
    def from_json(cls, raw: str | bytes | None, default_language: Language = "en") -> Session:
        """Read stored state; anything unreadable starts a fresh conversation."""
        if not raw:
            return cls(language=default_language)
        try:
            data = json.loads(raw)
            language = data.get("language")
            return cls(
                language=language if language in LANGUAGES else default_language,
                listed=_occurrences(data.get("listed", ())),
                query=str(data.get("query", "")),
                viewed=data.get("viewed") if isinstance(data.get("viewed"), str) else None,
                pending=pending_.load(_str_or_none(data.get("pending"))),
                draft=_str_or_none(data.get("draft")),
                asked_at=_str_or_none(data.get("asked_at")),
            )
        except (ValueError, TypeError, AttributeError):
            return cls(language=default_language)

    def with_(self, **changes: object) -> Session:
        """A copy with `changes` (field names of Session). Raises TypeError for others."""
        return replace(self, **changes)


def _occurrences(stored: object) -> tuple[OccurrenceId, ...]:
    """Listed occurrences from their stored forms (at most LISTED_KEPT). Raises ValueError or
    TypeError on anything unreadable."""
    return tuple(OccurrenceId.parse(str(x)) for x in list(stored)[:LISTED_KEPT])  # type: ignore[call-overload]


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None


# What the shell tells a step about a number's roles (the views on Caller): kept here, not in
# the role flows, so that the session never imports the flows that act on it.


@dataclass(frozen=True)
class BroadcastSummary:
    broadcast_id: int
    group: str  # slug
    total: int
    queued: int
    sent: int
    delivered: int
    failed: int


@dataclass(frozen=True)
class CoordinatorView:
    """What the shell knows about a number that coordinates (None on Caller otherwise)."""

    groups: tuple[str, ...] = ()  # slugs
    audiences: Mapping[str, int] = field(default_factory=dict)  # slug -> subscribers
    last_broadcast: BroadcastSummary | None = None  # loaded when the text is STATUS


@dataclass(frozen=True)
class Ask:
    """The hosting question a YES or NO answers now: the newest one asked, not yet started."""

    meeting: str  # slug
    day: date  # the occurrence's local date
    cover: bool  # asked to cover for another host (else to confirm their own)
    state: str  # the occurrence's hosting state when loaded
    version: int  # the record's version then: the shell applies a change only at this one
    mine: bool = False  # this number covers it

    @property
    def occurrence(self) -> OccurrenceId:
        """The occurrence asked about, by its local date."""
        return OccurrenceId(self.meeting, self.day)


@dataclass(frozen=True)
class HostView:
    """What the shell knows about a number that hosts (None on Caller for everyone else)."""

    groups: tuple[str, ...] = ()
    ask: Ask | None = None
    next: OccurrenceId | None = None  # by local date: the next meeting they host


@dataclass(frozen=True)
class Caller:
    """What the shell knows about the number beyond the conversation."""

    opted_out: bool = False
    language: Language | None = None  # a saved choice
    reminders: frozenset[str] = field(default_factory=frozenset)  # meeting slugs
    host: HostView | None = None
    coordinator: CoordinatorView | None = None
