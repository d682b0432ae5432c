"""What a YES (or a number) would answer: the question a conversation is waiting on, as a
tagged union, written to and read from the stored session in one place (`dump`, `load`).

The stored forms are "forget", "broadcast-group", "broadcast:<group slug>" and
"cancel:<meeting slug>|<YYYY-MM-DD>" (flows.model.OccurrenceId); they are kept as
they were, so sessions stored before this module read the same."""

from __future__ import annotations

from dataclasses import dataclass

from flows.model import OccurrenceId


@dataclass(frozen=True)
class ConfirmForget:
    """FORGET asked "are you sure?"."""


@dataclass(frozen=True)
class ChooseBroadcastGroup:
    """A coordinator of several groups was asked which one a broadcast is for (the message
    waits in Session.draft)."""


@dataclass(frozen=True)
class ConfirmBroadcast:
    """A broadcast to `group` (a slug) was previewed; the message waits in Session.draft."""

    group: str


@dataclass(frozen=True)
class ConfirmCancel:
    """Cancelling one occurrence was previewed."""

    occurrence: OccurrenceId


Pending = ConfirmForget | ChooseBroadcastGroup | ConfirmBroadcast | ConfirmCancel
COORDINATOR = (ChooseBroadcastGroup, ConfirmBroadcast, ConfirmCancel)  # asked by a coordinator


def dump(pending: Pending) -> str:
    """The stored form of `pending` (see the module's docstring)."""
    match pending:
        case ConfirmForget():
            return "forget"
        case ChooseBroadcastGroup():
            return "broadcast-group"
        case ConfirmBroadcast(group):
            return f"broadcast:{group}"
        case ConfirmCancel(occurrence):
            return f"cancel:{occurrence}"
    raise TypeError(f"not a pending question: {pending!r}")


def load(stored: str | None) -> Pending | None:
    """The question a stored form names; None for nothing, or for anything unreadable (the
    conversation then simply has nothing pending). Raises nothing."""
    if not stored:
        return None
    if stored == "forget":
        return ConfirmForget()
    if stored == "broadcast-group":
        return ChooseBroadcastGroup()
    kind, sep, rest = stored.partition(":")
    if not sep or not rest:
        return None
    if kind == "broadcast":
        return ConfirmBroadcast(rest)
    if kind == "cancel":
        try:
            return ConfirmCancel(OccurrenceId.parse(rest))
        except ValueError:
            return None
    return None
