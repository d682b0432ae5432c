"""The coordinator flow: BROADCAST, CANCEL and STATUS, each change confirmed with YES.

step(session, command, ctx) returns a Step when the text is a coordinator's business, else
None and the participant flow handles it (others never learn these words exist)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from flows import effects as fx
from flows.gsm import segments
from flows.keywords import Command, first_number
from flows.occurrences import meeting_day_to_weekday, next_occurrence, occurrence_on
from flows.render_sms import MAX_SEGMENTS, broadcast_text, max_broadcast_chars
from flows.replies import BroadcastPreview, CancelPreview, StatusReport, Text
from flows.session import CoordinatorView, Session
from flows.step import Step

if TYPE_CHECKING:
    from flows.context import Context

CONFIRM_WINDOW = timedelta(minutes=10)  # a YES later than this confirms nothing


def step(session: Session, command: Command, ctx: Context) -> Step | None:
    view = ctx.caller.coordinator
    if view is None or not view.groups:
        return None
    if session.pending and session.pending.startswith(("broadcast", "cancel")):
        answered = _answer(session, command, ctx, view)
        if answered is not None:
            return answered
    handler = {"BROADCAST": _broadcast, "CANCEL": _cancel, "STATUS": _status}.get(command.word)
    if handler is None:
        return None
    return handler(_clear(session), command, ctx, view)


def _clear(session: Session) -> Session:
    return session.with_(pending=None, draft=None, asked_at=None)


def _ask(session: Session, pending: str, ctx: Context, draft: str | None = None) -> Session:
    return session.with_(pending=pending, draft=draft, asked_at=ctx.now.isoformat())


def _expired(session: Session, now: datetime) -> bool:
    try:
        asked = datetime.fromisoformat(session.asked_at or "")
    except ValueError:
        return True
    return now - asked > CONFIRM_WINDOW


def _answer(session: Session, command: Command, ctx: Context, view: CoordinatorView) -> Step | None:
    """A reply to our last question; None when the text is about something else."""
    pending = session.pending or ""
    if pending == "broadcast-group" and command.word == "NUMBER":
        n = command.number or 0
        if 1 <= n <= len(view.groups) and session.draft:
            return _preview(_clear(session), ctx, view, view.groups[n - 1], session.draft)
        return Step(session, (Text("broadcast_which_again", {"count": len(view.groups)}),))
    if command.word == "NO":
        key = "cancel_kept" if pending.startswith("cancel") else "broadcast_dropped"
        return Step(_clear(session), (Text(key),))
    if command.word != "YES":
        return None
    if _expired(session, ctx.now):
        key = "cancel_expired" if pending.startswith("cancel") else "broadcast_expired"
        return Step(_clear(session), (Text(key),))
    kind, _, target = pending.partition(":")
    if kind == "broadcast" and target in view.groups and session.draft:
        count = view.audiences.get(target, 0)
        effect = fx.StartBroadcast(target, session.draft)
        return Step(_clear(session), (Text("broadcast_sending", {"count": count}),), (effect,))
    if kind == "cancel":
        slug, _, day = target.partition("|")
        meeting = ctx.directory.meetings.get(slug)
        if meeting and meeting.group in view.groups:
            count = view.audiences.get(meeting.group, 0)
            effect = fx.CancelOccurrence(slug, day)
            return Step(_clear(session), (Text("cancel_done", {"count": count}),), (effect,))
    return Step(_clear(session), (Text("nothing_pending"),))


def _broadcast(session: Session, command: Command, ctx: Context, view: CoordinatorView) -> Step:
    message = " ".join(command.rest.split())
    if not message:
        return Step(session, (Text("broadcast_how"),))
    if len(view.groups) == 1:
        return _preview(session, ctx, view, view.groups[0], message)
    names = [ctx.directory.groups[s].name if s in ctx.directory.groups else s for s in view.groups]
    choices = "\n".join(f"{i}. {name}" for i, name in enumerate(names, start=1))
    question = Text("broadcast_which", {"choices": choices})
    return Step(_ask(session, "broadcast-group", ctx, draft=message), (question,))


def _preview(
    session: Session, ctx: Context, view: CoordinatorView, slug: str, message: str
) -> Step:
    group = ctx.directory.groups.get(slug)
    if group is None:
        return Step(session, (Text("broadcast_nobody", {"group": slug}),))
    final = broadcast_text(group.language, group.name, message)
    cost = segments(final)
    if cost > MAX_SEGMENTS:
        cut = max(1, len(message) - max_broadcast_chars(group.language, group.name))
        params = {"length": len(final), "segments": cost, "limit": MAX_SEGMENTS * 153, "cut": cut}
        return Step(session, (Text("broadcast_too_long", params),))
    audience = view.audiences.get(slug, 0)
    if audience == 0:
        return Step(session, (Text("broadcast_nobody", {"group": group.name}),))
    preview = BroadcastPreview(group.name, audience, final)
    return Step(_ask(session, f"broadcast:{slug}", ctx, draft=message), (preview,))


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
    slug = session.listed[n - 1].partition("@")[0]
    meeting = ctx.directory.meetings.get(slug)
    if meeting is None:
        return Step(session, (Text("meeting_gone"),))
    if meeting.group not in view.groups:
        return Step(session, (Text("cancel_not_yours"),))
    day = _parse_day(command.args)
    if day == "bad" or (
        isinstance(day, date)
        and day.weekday() not in {meeting_day_to_weekday(d) for d in meeting.days}
    ):
        return Step(session, (Text("cancel_bad_date", {"meeting": meeting.name}),))
    if isinstance(day, date):
        occ = occurrence_on(meeting, day, (slug, day) in ctx.directory.cancelled)
        if occ.end <= ctx.now:
            return Step(session, (Text("cancel_bad_date", {"meeting": meeting.name}),))
    else:
        occ = next_occurrence(meeting, ctx.now, ctx.directory)
        if occ is None:
            return Step(session, (Text("meeting_gone"),))
    if occ.cancelled:
        return Step(session, (CancelPreview(occ, 0, already=True),))
    audience = view.audiences.get(meeting.group or "", 0)
    asked = _ask(session, f"cancel:{slug}|{occ.local_date.isoformat()}", ctx)
    return Step(asked, (CancelPreview(occ, audience),))


def _status(session: Session, command: Command, ctx: Context, view: CoordinatorView) -> Step:
    summary = view.last_broadcast
    if summary is None:
        return Step(session, (Text("status_none"),))
    group = ctx.directory.groups.get(summary.group)
    return Step(session, (StatusReport(summary, group.name if group else summary.group),))
