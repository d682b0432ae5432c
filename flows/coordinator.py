"""The coordinator flow: BROADCAST, CANCEL and STATUS, each change confirmed with YES.

step(session, command, ctx) returns a Step when the text is a coordinator's business, else
None and the participant flow handles it (others never learn these words exist)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from flows import effects as fx
from flows.keywords import Command, first_number
from flows.model import Directory, Meeting, OccurrenceId
from flows.occurrences import (
    Occurrence,
    meeting_day_to_weekday,
    next_occurrence,
    occurrence_on,
)
from flows.pending import (
    COORDINATOR,
    ChooseBroadcastGroup,
    ConfirmBroadcast,
    ConfirmCancel,
    Pending,
)
from flows.render_sms import broadcast_refusal, broadcast_text
from flows.replies import BroadcastPreview, CancelPreview, Reply, StatusReport, Text
from flows.session import CoordinatorView, Session
from flows.step import Step

if TYPE_CHECKING:
    from flows.context import Context

CONFIRM_WINDOW = timedelta(minutes=10)  # a YES later than this confirms nothing


class CancelRefusal(StrEnum):
    """Why an occurrence cannot be cancelled (the one owner of these rules: the SMS flow, its
    YES and the CLI's `hrw-sms cancel` all ask `cancellable`)."""

    NOT_A_MEETING_DAY = "not_a_meeting_day"  # the meeting does not meet on that date
    OVER = "over"  # that occurrence has ended
    NONE_COMING = "none_coming"  # no date given and no coming occurrence
    ALREADY = "already"  # cancelled before (by another coordinator, or the CLI)


@dataclass(frozen=True)
class CancelCheck:
    """`cancellable`'s answer: the occurrence meant (None only for NONE_COMING and
    NOT_A_MEETING_DAY) and, when it cannot be cancelled, why."""

    occurrence: Occurrence | None
    refusal: CancelRefusal | None = None


def cancellable(
    meeting: Meeting, day: date | None, now: datetime, directory: Directory
) -> CancelCheck:
    """Which occurrence of `meeting` a cancellation means and whether it may be cancelled.

    `day` is the occurrence's local date (None: the next one from `now`, aware UTC);
    `directory.cancelled` says what is cancelled already. Pure: raises nothing."""
    if day is None:
        occ = next_occurrence(meeting, now, directory)
        if occ is None:
            return CancelCheck(None, CancelRefusal.NONE_COMING)
    else:
        if day.weekday() not in {meeting_day_to_weekday(d) for d in meeting.days}:
            return CancelCheck(None, CancelRefusal.NOT_A_MEETING_DAY)
        occ = occurrence_on(meeting, day, OccurrenceId(meeting.slug, day) in directory.cancelled)
        if occ.end <= now:
            return CancelCheck(occ, CancelRefusal.OVER)
    if occ.cancelled:
        return CancelCheck(occ, CancelRefusal.ALREADY)
    return CancelCheck(occ)


def step(session: Session, command: Command, ctx: Context) -> Step | None:
    """A coordinator's BROADCAST, CANCEL, STATUS, or an answer to their pending question;
    None for anyone else's text or any other word (the participant flow answers it)."""
    view = ctx.caller.coordinator
    if view is None or not view.groups:
        return None
    if isinstance(session.pending, COORDINATOR):
        answered = _answer(session, command, ctx, view)
        if answered is not None:
            return answered
    handler = {"BROADCAST": _broadcast, "CANCEL": _cancel, "STATUS": _status}.get(command.word)
    if handler is None:
        return None
    return handler(_clear(session), command, ctx, view)


def _clear(session: Session) -> Session:
    return session.with_(pending=None, draft=None, asked_at=None)


def _ask(session: Session, pending: Pending, ctx: Context, draft: str | None = None) -> Session:
    return session.with_(pending=pending, draft=draft, asked_at=ctx.now.isoformat())


def _expired(session: Session, now: datetime) -> bool:
    try:
        asked = datetime.fromisoformat(session.asked_at or "")
    except ValueError:
        return True
    return now - asked > CONFIRM_WINDOW


def _answer(session: Session, command: Command, ctx: Context, view: CoordinatorView) -> Step | None:
    """A reply to our last question; None when the text is about something else."""
    pending = session.pending
    if isinstance(pending, ChooseBroadcastGroup) and command.word == "NUMBER":
        n = command.number or 0
        if 1 <= n <= len(view.groups) and session.draft:
            return _preview(_clear(session), ctx, view, view.groups[n - 1], session.draft)
        return Step(session, (Text("broadcast_which_again", {"count": len(view.groups)}),))
    cancelling = isinstance(pending, ConfirmCancel)
    if command.word == "NO":
        return Step(_clear(session), (Text("cancel_kept" if cancelling else "broadcast_dropped"),))
    if command.word != "YES":
        return None
    if _expired(session, ctx.now):
        return Step(
            _clear(session), (Text("cancel_expired" if cancelling else "broadcast_expired"),)
        )
    match pending:
        case ConfirmBroadcast(group) if group in view.groups and session.draft:
            count = view.audiences.get(group, 0)
            effect = fx.StartBroadcast(group, session.draft)
            return Step(_clear(session), (Text("broadcast_sending", {"count": count}),), (effect,))
        case ConfirmCancel(occurrence):
            meeting = ctx.directory.meetings.get(occurrence.meeting)
            if meeting and meeting.group in view.groups:
                return _confirm_cancel(_clear(session), ctx, view, meeting, occurrence.day)
    return Step(_clear(session), (Text("nothing_pending"),))


def _confirm_cancel(
    session: Session, ctx: Context, view: CoordinatorView, meeting: Meeting, day: date
) -> Step:
    """YES to a cancellation: checked again on the directory as it is now, so a second
    coordinator (or a CLI cancel) that got there first is answered "already cancelled"."""
    check = cancellable(meeting, day, ctx.now, ctx.directory)
    refused = _cancel_refused(check, meeting)
    if refused is not None:
        return Step(session, (refused,))
    count = view.audiences.get(meeting.group or "", 0)
    effect = fx.CancelOccurrence(meeting.slug, day.isoformat())
    return Step(session, (Text("cancel_done", {"count": count}),), (effect,))


def _cancel_refused(check: CancelCheck, meeting: Meeting) -> Reply | None:
    """The reply to a cancellation `cancellable` refused; None when it may go ahead."""
    if check.refusal is None:
        return None
    if check.refusal is CancelRefusal.ALREADY and check.occurrence is not None:
        return CancelPreview(check.occurrence, 0, already=True)
    if check.refusal is CancelRefusal.NONE_COMING:
        return Text("meeting_gone")
    return Text("cancel_bad_date", {"meeting": meeting.name})


def _broadcast(session: Session, command: Command, ctx: Context, view: CoordinatorView) -> Step:
    message = " ".join(command.rest.split())
    if not message:
        return Step(session, (Text("broadcast_how"),))
    if len(view.groups) == 1:
        return _preview(session, ctx, view, view.groups[0], message)
    names = [ctx.directory.groups[s].name if s in ctx.directory.groups else s for s in view.groups]
    choices = "\n".join(f"{i}. {name}" for i, name in enumerate(names, start=1))
    question = Text("broadcast_which", {"choices": choices})
    return Step(_ask(session, ChooseBroadcastGroup(), ctx, draft=message), (question,))


def _preview(
    session: Session, ctx: Context, view: CoordinatorView, slug: str, message: str
) -> Step:
    group = ctx.directory.groups.get(slug)
    if group is None:
        return Step(session, (Text("broadcast_nobody", {"group": slug}),))
    refusal = broadcast_refusal(group.language, group.name, message)
    if refusal is not None:
        return Step(session, (refusal,))
    final = broadcast_text(group.language, group.name, message)
    audience = view.audiences.get(slug, 0)
    if audience == 0:
        return Step(session, (Text("broadcast_nobody", {"group": group.name}),))
    preview = BroadcastPreview(group.name, audience, final)
    return Step(_ask(session, ConfirmBroadcast(slug), ctx, draft=message), (preview,))


def _parse_day(args: tuple[str, ...]) -> date | str | None:
    """The optional date after CANCEL n: None if absent, "bad" if unreadable."""
    if len(args) < 2:
        return None
    try:
        return date.fromisoformat(args[1])
    except ValueError:
        return "bad"


def _cancel(session: Session, command: Command, ctx: Context, view: CoordinatorView) -> Step:
    n = first_number(command.args)
    if n is None or not 1 <= n <= len(session.listed):
        return Step(session, (Text("cancel_how"),))
    slug = session.listed[n - 1].meeting
    meeting = ctx.directory.meetings.get(slug)
    if meeting is None:
        return Step(session, (Text("meeting_gone"),))
    if meeting.group not in view.groups:
        return Step(session, (Text("cancel_not_yours"),))
    day = _parse_day(command.args)
    if day == "bad":
        return Step(session, (Text("cancel_bad_date", {"meeting": meeting.name}),))
    check = cancellable(meeting, day if isinstance(day, date) else None, ctx.now, ctx.directory)
    refused = _cancel_refused(check, meeting)
    if refused is not None or check.occurrence is None:
        return Step(session, (refused or Text("meeting_gone"),))
    occ = check.occurrence
    audience = view.audiences.get(meeting.group or "", 0)
    asked = _ask(session, ConfirmCancel(occ.id), ctx)
    return Step(asked, (CancelPreview(occ, audience),))


def _status(session: Session, command: Command, ctx: Context, view: CoordinatorView) -> Step:
    summary = view.last_broadcast
    if summary is None:
        return Step(session, (Text("status_none"),))
    group = ctx.directory.groups.get(summary.group)
    return Step(session, (StatusReport(summary, group.name if group else summary.group),))
