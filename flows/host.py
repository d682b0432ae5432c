"""The host flow: answers to hosting prompts (YES/NO), cover requests and EXERCISE.

step(session, command, ctx) returns a Step when the text is a host's business, else None
and the participant flow handles it.

An occurrence's hosting state, and what a host's answer does to it:

    assigned   --YES--> confirmed     --NO--> declined   (others are asked to cover)
    assigned   --NO---> declined      (the deadline, unanswered: uncovered)
    declined, uncovered --the assigned host's YES--> confirmed  (took it back in time)
    declined, uncovered --another host's YES-------> covered    (the first YES wins)

The step decides the transition from the state it was shown (HostView.ask) and asks the
shell to apply it with the version it saw: if someone else changed the record meanwhile,
the shell replays the step on fresh state, so the reply always tells what really happened.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flows import effects as fx
from flows.keywords import Command
from flows.occurrences import occurrence_on
from flows.replies import HostText, Text
from flows.session import Ask, HostView, Session
from flows.step import Step

if TYPE_CHECKING:
    from flows.context import Context

ASSIGNED, CONFIRMED, DECLINED, UNCOVERED, COVERED = (
    "assigned",
    "confirmed",
    "declined",
    "uncovered",
    "covered",
)
STATES = (ASSIGNED, CONFIRMED, DECLINED, UNCOVERED, COVERED)
OPEN = frozenset({DECLINED, UNCOVERED})  # a cover is being sought
MAX_EXERCISE = 280  # with the last prompt around it, still within three segments


def step(session: Session, command: Command, ctx: Context) -> Step | None:
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
    occ = occurrence_on(meeting, ask.day, (ask.meeting, ask.day) in ctx.directory.cancelled)
    if occ.cancelled:
        return Step(session, (HostText("host_cancelled", occ),))
    key, to = _cover(yes, ask) if ask.cover else _confirm(yes, ask)
    effects = (fx.AnswerHosting(ask.meeting, ask.day.isoformat(), ask.version, to),) if to else ()
    return Step(session, (HostText(key, occ),), effects)


def _confirm(yes: bool, ask: Ask) -> tuple[str, str | None]:
    """The assigned host's answer: (reply key, new state or None)."""
    if ask.state == COVERED:
        return "host_covered_by_other", None
    if yes:
        if ask.state == CONFIRMED:
            return "host_already_confirmed", None
        return ("host_confirmed_back" if ask.state in OPEN else "host_confirmed"), CONFIRMED
    if ask.state == DECLINED:
        return "host_already_declined", None
    return "host_declined", DECLINED


def _cover(yes: bool, ask: Ask) -> tuple[str, str | None]:
    """Another host's answer to a cover request."""
    if ask.state == COVERED and ask.mine:
        return "host_cover_already_yours", None
    if not yes:
        return "host_cover_no", None
    if ask.state in OPEN:
        return "host_cover_taken", COVERED
    return "host_cover_not_needed", None


def _exercise(session: Session, command: Command, ctx: Context, view: HostView) -> Step:
    words = " ".join(command.rest.split())
    meeting = ctx.directory.meetings.get(view.next[0]) if view.next else None
    if view.next is None or meeting is None:
        return Step(session, (Text("host_exercise_none"),))
    if not words:
        return Step(session, (Text("host_exercise_empty"),))
    if len(words) > MAX_EXERCISE:
        params = {"max": MAX_EXERCISE, "n": len(words)}
        return Step(session, (Text("host_exercise_too_long", params),))
    slug, day = view.next
    occ = occurrence_on(meeting, day, (slug, day) in ctx.directory.cancelled)
    effect = fx.SetExercise(slug, day.isoformat(), words)
    return Step(session, (HostText("host_exercise_saved", occ),), (effect,))
