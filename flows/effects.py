"""Effects a step asks the shell to apply: plain data, applied after the state is saved.

`caller_after` is the one description of what each effect does to what the flows know of
the caller (flows.session.Caller): the diagram (flows/graph.py) and the flow cases
(tests/test_flow_cases.py) step on it, and tests/test_effects_meaning.py checks the shell's
handlers (hrw_sms/handlers/effects.py) against it on real Redis."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from flows.model import Language, OccurrenceId
from flows.session import Caller


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
class _OfOccurrence:
    """An effect on one occurrence, named by its meeting's slug and its local date as an ISO
    text (`YYYY-MM-DD`), so effects stay plain JSON-able data."""

    meeting: str
    day: str  # the occurrence's local date, YYYY-MM-DD

    @property
    def occurrence(self) -> OccurrenceId:
        """The occurrence, by its local date. Raises ValueError on a malformed `day`."""
        return OccurrenceId.of(self.meeting, self.day)


@dataclass(frozen=True)
class AnswerHosting(_OfOccurrence):
    """A host's YES or NO moves an occurrence's hosting state to `to`, if its record is still
    at `version`; otherwise the shell replays the step on the fresh state."""

    version: int
    to: str  # confirmed, declined or covered (flows.host)


@dataclass(frozen=True)
class SetExercise(_OfOccurrence):
    """The host's exercise for an occurrence they host."""

    text: str


@dataclass(frozen=True)
class StartBroadcast:
    """A coordinator confirmed a broadcast to a group's subscribers."""

    group: str
    text: str


@dataclass(frozen=True)
class CancelOccurrence(_OfOccurrence):
    """A coordinator confirmed cancelling one occurrence."""


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


def caller_after(caller: Caller, effect: Effect) -> Caller:
    """What the flows will know of the caller once the shell has applied `effect`. Pure.

    - SetLanguage: the saved choice. OptIn: not opted out.
    - OptOut (STOP, or Twilio's 21610): opted out, and every reminder ended.
    - Forget: nothing but the opt-out is left: no language, reminders, or host or
      coordinator role (hrw_sms/handlers/erasure.py).
    - Subscribe / Unsubscribe: the meeting added to or taken from the reminders (all of
      them when Unsubscribe names none).
    - AnswerHosting: the hosting question answered moves to `to`, one version on; the
      answerer covers it when `to` is covered.
    - SetExercise, StartBroadcast, CancelOccurrence: nothing the caller's view shows."""
    match effect:
        case SetLanguage(language):
            return replace(caller, language=language)
        case OptOut():
            return replace(caller, opted_out=True, reminders=frozenset())
        case OptIn():
            return replace(caller, opted_out=False)
        case Forget():
            return Caller(opted_out=caller.opted_out)
        case Subscribe(meeting):
            return replace(caller, reminders=caller.reminders | {meeting})
        case Unsubscribe(meeting):
            kept = caller.reminders - {meeting} if meeting else frozenset()
            return replace(caller, reminders=kept)
        case AnswerHosting(version=version, to=to):
            ask = caller.host.ask if caller.host else None
            if caller.host is None or ask is None or ask.occurrence != effect.occurrence:
                return caller
            moved = replace(ask, state=to, version=version + 1, mine=to == "covered")
            return replace(caller, host=replace(caller.host, ask=moved))
    return caller


def callers_after(caller: Caller, effects: Iterable[Effect]) -> Caller:
    """caller_after for each effect in turn."""
    for effect in effects:
        caller = caller_after(caller, effect)
    return caller
