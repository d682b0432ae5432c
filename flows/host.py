"""The host flow: answers to hosting prompts (YES/NO), cover requests and EXERCISE.

step(session, command, ctx) returns a Step when the text is a host's business, else None
and the participant flow handles it.

An occurrence's hosting state moves only as `next_state` says (the one owner of these rules;
the shell's hosting store applies its answers, and `hrw-sms flows` draws them):

    assigned   --YES--> confirmed     --NO--> declined   (others are asked to cover)
    assigned   --NO---> declined
    assigned   --the deadline, unanswered--> uncovered   (others are asked to cover)
    declined, uncovered --the assigned host's YES--> confirmed  (took it back in time)
    declined, uncovered --another host's YES-------> covered    (the first YES wins)
    covered    --the covering host removed (un-cover)--> uncovered
    any state  --a coordinator clears the host--> no host (off the roster, as before anyone
               was assigned; nobody is asked to cover). `told_when_cleared` says whether
               whoever had it is texted that they need not host it.

The step decides the transition from the state it was shown (HostView.ask) and asks the
shell to apply it with the version it saw: if someone else changed the record meanwhile,
the shell replays the step on fresh state, so the reply always tells what really happened.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from flows import effects as fx
from flows.keywords import Command
from flows.occurrences import occurrence_on
from flows.replies import HostText, Text
from flows.session import Ask, HostView, Session
from flows.step import Step

if TYPE_CHECKING:
    from flows.context import Context


class HostingState(StrEnum):
    """An occurrence's hosting state (stored as its value in the hosting record)."""

    ASSIGNED = "assigned"  # on the roster, not yet answered
    CONFIRMED = "confirmed"  # the assigned host said YES
    DECLINED = "declined"  # the assigned host said NO: a cover is sought
    UNCOVERED = "uncovered"  # no answer by the deadline, or the cover left: a cover is sought
    COVERED = "covered"  # another host took it


class Actor(StrEnum):
    """Who moves a hosting record."""

    ASSIGNED_HOST = "assigned host"
    COVERING_HOST = "covering host"  # any other host of the group
    CLOCK = "clock"  # the deadline job (workers/hosts.py)
    ROSTER = "roster"  # the CLI removing a host, FORGET, or a coordinator clearing the host


class Event(StrEnum):
    """What happened."""

    YES = "YES"
    NO = "NO"
    DEADLINE = "deadline"  # halfway from the first prompt to the start (workers.hosts)
    UNCOVER = "un-cover"  # the covering host left the group or erased their number
    CLEAR = "clear"  # a coordinator cleared the host (console Roster, `hrw-sms host clear`)


@dataclass(frozen=True)
class Move:
    """A change of hosting state; `new_round` when it starts a new search for a cover."""

    to: HostingState
    new_round: bool = False


ASSIGNED, CONFIRMED, DECLINED, UNCOVERED, COVERED = tuple(HostingState)
STATES = tuple(HostingState)
OPEN = frozenset({DECLINED, UNCOVERED})  # a cover is being sought


def next_state(state: HostingState | str, actor: Actor, event: Event) -> Move | None:
    """The move `event` by `actor` makes from `state` (a record's state), or None when it
    changes nothing (an answer repeated, a cover offered where none is needed). Pure; raises
    ValueError for a state that is not a HostingState."""
    state = HostingState(state)
    match actor, event:
        case Actor.ASSIGNED_HOST, Event.YES if state not in (CONFIRMED, COVERED):
            return Move(CONFIRMED)
        case Actor.ASSIGNED_HOST, Event.NO if state not in (DECLINED, COVERED):
            return Move(DECLINED, new_round=state not in OPEN)
        case Actor.COVERING_HOST, Event.YES if state in OPEN:
            return Move(COVERED)
        case Actor.CLOCK, Event.DEADLINE if state == ASSIGNED:
            return Move(UNCOVERED, new_round=True)
        case Actor.ROSTER, Event.UNCOVER if state == COVERED:
            return Move(UNCOVERED, new_round=True)  # the cover left: seek another
    return None


def told_when_cleared(state: HostingState | str, asked: bool) -> bool:
    """Whether whoever hosts an occurrence now is texted when a coordinator clears its host
    (Event.CLEAR: the record leaves the roster). Told: a host who said YES (confirmed, or
    covering), and one who was asked (`asked`: their first prompt went out) and has not said
    NO (assigned, or uncovered: no answer by the deadline), so nobody turns up to host a
    meeting someone else now has. Not told: one never asked (no text ever reached them
    about it) or one who said NO (declined: they are not coming anyway). Pure; raises
    ValueError for a state that is not a HostingState."""
    state = HostingState(state)
    if state in (CONFIRMED, COVERED):
        return True
    return asked and state in (ASSIGNED, UNCOVERED)


TRANSITIONS = (  # every (actor, event) next_state knows, for the diagram
    (Actor.ASSIGNED_HOST, Event.YES),
    (Actor.ASSIGNED_HOST, Event.NO),
    (Actor.COVERING_HOST, Event.YES),
    (Actor.COVERING_HOST, Event.NO),
    (Actor.CLOCK, Event.DEADLINE),
    (Actor.ROSTER, Event.UNCOVER),
)
MAX_EXERCISE = 280  # with the last prompt around it, still within three segments


def step(session: Session, command: Command, ctx: Context) -> Step | None:
    """A host's YES or NO to their newest hosting question, or EXERCISE; None when the text
    is not a host's business (the participant flow answers it)."""
    view = ctx.caller.host
    if view is None:
        return None
    if command.word == "EXERCISE":
        return _exercise(session, command, ctx, view)
    if command.word in ("YES", "NO") and view.ask is not None and session.pending is None:
        return _answer(session, command.word == "YES", ctx, view.ask)
    return None  # a host with nothing pending gets the ordinary answer


def _answer(session: Session, yes: bool, ctx: Context, ask: Ask) -> Step:
    meeting = ctx.directory.meetings.get(ask.meeting)
    if meeting is None:
        return Step(session, (Text("host_meeting_gone"),))
    occ = occurrence_on(meeting, ask.day, ask.occurrence in ctx.directory.cancelled)
    if occ.cancelled:
        return Step(session, (HostText("host_cancelled", occ),))
    key, to = _cover(yes, ask) if ask.cover else _confirm(yes, ask)
    effects = (fx.AnswerHosting(ask.meeting, ask.day.isoformat(), ask.version, to),) if to else ()
    return Step(session, (HostText(key, occ),), effects)


def _confirm(yes: bool, ask: Ask) -> tuple[str, str | None]:
    """The assigned host's answer: (reply key, new state or None); the move is next_state's."""
    if ask.state == COVERED:
        return "host_covered_by_other", None
    move = next_state(ask.state, Actor.ASSIGNED_HOST, Event.YES if yes else Event.NO)
    if yes:
        if move is None:
            return "host_already_confirmed", None
        return ("host_confirmed_back" if ask.state in OPEN else "host_confirmed"), move.to
    if move is None:
        return "host_already_declined", None
    return "host_declined", move.to


def _cover(yes: bool, ask: Ask) -> tuple[str, str | None]:
    """Another host's answer to a cover request: (reply key, new state or None)."""
    if ask.state == COVERED and ask.mine:
        return "host_cover_already_yours", None
    if not yes:
        return "host_cover_no", None
    move = next_state(ask.state, Actor.COVERING_HOST, Event.YES)
    return ("host_cover_taken", move.to) if move else ("host_cover_not_needed", None)


def _exercise(session: Session, command: Command, ctx: Context, view: HostView) -> Step:
    words = " ".join(command.rest.split())
    meeting = ctx.directory.meetings.get(view.next.meeting) if view.next else None
    if view.next is None or view.next.day is None or meeting is None:
        return Step(session, (Text("host_exercise_none"),))
    if not words:
        return Step(session, (Text("host_exercise_empty"),))
    if len(words) > MAX_EXERCISE:
        params = {"max": MAX_EXERCISE, "n": len(words)}
        return Step(session, (Text("host_exercise_too_long", params),))
    day = view.next.day
    occ = occurrence_on(meeting, day, view.next in ctx.directory.cancelled)
    effect = fx.SetExercise(meeting.slug, day.isoformat(), words)
    return Step(session, (HostText("host_exercise_saved", occ),), (effect,))
