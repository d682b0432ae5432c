"""Effects a step asks the shell to apply: plain data, applied after the state is saved."""

from __future__ import annotations

from dataclasses import dataclass

from flows.model import Language


@dataclass(frozen=True)
class SetLanguage:
    language: Language


@dataclass(frozen=True)
class OptOut:
    """The person said STOP: never text them again until they opt back in."""


@dataclass(frozen=True)
class OptIn:
    pass


@dataclass(frozen=True)
class Forget:
    """Erase the number everywhere, keeping only the keyed hash that honours an opt-out."""


@dataclass(frozen=True)
class Subscribe:
    """Reminders for a meeting, and so its group's updates."""

    meeting: str


@dataclass(frozen=True)
class Unsubscribe:
    """End reminders for one meeting, or for all when `meeting` is None."""

    meeting: str | None = None


@dataclass(frozen=True)
class AnswerHosting:
    """A host's YES or NO moves an occurrence's hosting state to `to`, if its record is still
    at `version`; otherwise the shell replays the step on the fresh state."""

    meeting: str
    day: str  # the occurrence's local date, YYYY-MM-DD
    version: int
    to: str  # confirmed, declined or covered (flows.host)


@dataclass(frozen=True)
class SetExercise:
    """The host's exercise for an occurrence they host."""

    meeting: str
    day: str  # YYYY-MM-DD
    text: str


@dataclass(frozen=True)
class StartBroadcast:
    """A coordinator confirmed a broadcast to a group's subscribers."""

    group: str
    text: str


@dataclass(frozen=True)
class CancelOccurrence:
    """A coordinator confirmed cancelling one occurrence (`day`: its local date, ISO)."""

    meeting: str
    day: str


Effect = (
    SetLanguage
    | OptOut
    | OptIn
    | Forget
    | Subscribe
    | Unsubscribe
    | AnswerHosting
    | SetExercise
    | StartBroadcast
    | CancelOccurrence
)
