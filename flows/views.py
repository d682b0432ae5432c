"""What the shell tells a step about a number's roles: the views on `Caller` (flows.session).

Kept apart from the role flows so that the session can name them without importing the
flows that act on them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date


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


@dataclass(frozen=True)
class HostView:
    """What the shell knows about a number that hosts (None on Caller for everyone else)."""

    groups: tuple[str, ...] = ()
    ask: Ask | None = None
    next: tuple[str, date] | None = None  # (slug, local date) of the next meeting they host
