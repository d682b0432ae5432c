"""The participant flow: one pure step per inbound text.

What anyone may text, answered for a number that no role's flow claims the text for
(flows.dispatch composes this flow with the coordinator and host flows). No I/O happens
here; the shell saves the session, applies the effects, then renders the replies.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from flows import effects as fx
from flows.context import Context
from flows.keywords import Command, first_number, normalise
from flows.model import Meeting
from flows.occurrences import Occurrence, relative_days_are_clear
from flows.pending import ConfirmForget
from flows.replies import (
    GroupText,
    ListItem,
    MeetingDetails,
    MeetingList,
    RemindConfirm,
    Text,
)
from flows.search import Query, page, search
from flows.session import Session
from flows.step import Step

Handler = Callable[[Session, Command, Context], Step]


def answer(session: Session, command: Command, ctx: Context) -> Step:
    """Everyone's words (MEETINGS, a zip, a number from a list, HELP...), once no role's
    flow has taken the text (flows.dispatch decides that)."""
    # Anything else drops an unanswered question, and a coordinator's unconfirmed draft.
    cleared = session.with_(pending=None, draft=None, asked_at=None)
    return HANDLERS.get(command.word, _menu)(cleared, command, ctx)


def forget_kept(command: Command, answered: Step) -> Step:
    """Anything but YES after FORGET keeps everything, and says so ("anything else to keep
    it"); a real command is then answered as usual, after that line. A reply we could not
    read, or NO, gets only that line."""
    kept = Text("forget_kept")
    replies = answered.replies
    if command.word in ("NO", "EMPTY") or not replies or replies[0] == Text("not_understood"):
        return Step(answered.session, (kept,), answered.effects)
    if replies[0] == Text("forget_confirm") or replies[0] == Text("forget_confirm_roles"):
        return answered  # FORGET again: the question again
    return Step(answered.session, (kept, *replies), answered.effects)


def while_opted_out(session: Session, command: Command) -> Step:
    """Silence, except for the words that opt back in."""
    if command.word == "OPTIN" or (command.word == "YES" and not command.args):
        return Step(session.with_(pending=None), (Text("opted_in"),), (fx.OptIn(),))
    return Step(session)


def opt_out(session: Session, command: Command) -> Step:
    """Opted out. The carrier confirms its own words; for the others (Spanish words, "stop
    all", "opt-out") the line says so itself, in Spanish after a Spanish word."""
    language = "es" if command.spanish else session.language
    replies = (Text("optout_confirm"),) if command.confirm else ()
    return Step(Session(language=language), replies, (fx.OptOut(),))


def _menu(session: Session, command: Command, ctx: Context) -> Step:
    # NO with no question waiting is understood, just not a question's answer.
    lead = () if command.word in ("MENU", "EMPTY", "NO") else (Text("not_understood"),)
    return Step(session, (*lead, Text("menu")))


def _unknown(session: Session, command: Command, ctx: Context) -> Step:
    """A town the line has meetings in, said alone, means MEETINGS there; else the menu."""
    query = Query.from_words(command.args)
    if query.town and not query.day and not query.online and _known_town(query, ctx):
        return _list(session, query, ctx, ())
    return _menu(session, command, ctx)


def _known_town(query: Query, ctx: Context) -> bool:
    """A town some listed meeting is in, or any town the places know when a state is given
    ("Springfield MA"): a lone word like "Hope" or "Cool" is a town somewhere, so a bare
    name counts only where the line has meetings."""
    town = query.town or ""
    if query.state:
        return query.state in ctx.places.town_points(town)
    return town in _cities(ctx.directory.meetings)


_CITIES: list[tuple[object, frozenset[str]]] = []  # one slot: (the meetings mapping, cities)


def _cities(meetings: Mapping[str, Meeting]) -> frozenset[str]:
    """The normalised cities of the listed meetings, worked out once per directory."""
    if _CITIES and _CITIES[0][0] is meetings:
        return _CITIES[0][1]
    cities = frozenset(normalise(m.city) for m in meetings.values() if m.city)
    _CITIES[:] = [(meetings, cities)]
    return cities


def _help(session: Session, command: Command, ctx: Context) -> Step:
    # How to reach a person now (the peer line), and that it is no emergency service.
    return Step(session, (Text("help"), Text("help_peer")))


def _opt_in(session: Session, command: Command, ctx: Context) -> Step:
    return Step(session, (Text("opted_in"),), (fx.OptIn(),))


def _opt_out_hint(session: Session, command: Command, ctx: Context) -> Step:
    return Step(session, (Text("opt_out_hint"),))


def _noremind_hint(session: Session, command: Command, ctx: Context) -> Step:
    """ "cancel my reminders": how NOREMIND ends one or all (not STOP, which ends every text)."""
    return Step(session, (Text("noremind_which"),))


def _nothing_pending(session: Session, command: Command, ctx: Context) -> Step:
    return Step(session, (Text("nothing_pending"), Text("menu")))


def _language(language: str) -> Handler:
    def handler(session: Session, command: Command, ctx: Context) -> Step:
        changed = session.with_(language=language)
        return Step(changed, (Text("language_set"), Text("menu")), (fx.SetLanguage(language),))

    return handler


def _forget(session: Session, command: Command, ctx: Context) -> Step:
    # A host's or coordinator's role is erased too (hrw_sms.erasure): they are told so first.
    has_role = ctx.caller.host is not None or ctx.caller.coordinator is not None
    prompt = "forget_confirm_roles" if has_role else "forget_confirm"
    return Step(session.with_(pending=ConfirmForget()), (Text(prompt),))


def _relative(occurrences: Iterable[Occurrence], ctx: Context) -> bool:
    return relative_days_are_clear(occurrences, ctx.now, ctx.timetable.zones)


def _list(session: Session, query: Query, ctx: Context, already: tuple[str, ...]) -> Step:
    result = search(query, ctx.timetable, ctx.now, ctx.places)
    shown, more = page(result, already)
    if not shown:
        if already:
            return Step(session, (Text("no_more"),))
        key = "place_unknown" if not result.place_known else "no_results"
        params = {"place": query.place or "", "day": query.day or "", "online": query.online}
        return Step(session.with_(listed=(), query=query.encode()), (Text(key, params),))
    items = tuple(
        ListItem(
            len(already) + i,
            found.occurrence,
            found.miles,
            found.occurrence.meeting.slug in ctx.caller.reminders,
        )
        for i, found in enumerate(shown, start=1)
    )
    heading = Text(
        "list_heading",
        {
            "place": query.place or "",
            "day": query.day or "",
            "online": query.online,
            "continued": bool(already),
        },
    )
    listed = already + tuple(f.occurrence.ref for f in shown)
    return Step(
        session.with_(listed=listed, query=query.encode()),
        (MeetingList(heading, items, more, _relative((i.occurrence for i in items), ctx)),),
    )


def _meetings(session: Session, command: Command, ctx: Context) -> Step:
    return _list(session, Query.from_words(command.args), ctx, ())


def _zip(session: Session, command: Command, ctx: Context) -> Step:
    return _list(session, Query(zip_code=command.args[0][:5]), ctx, ())


def _more(session: Session, command: Command, ctx: Context) -> Step:
    if not session.listed and not session.query:
        return _list(session, Query(), ctx, ())
    return _list(session, Query.decode(session.query), ctx, session.listed)


def _details(session: Session, command: Command, ctx: Context) -> Step:
    n = command.number or 0
    if not session.listed:
        return Step(session, (Text("no_list"),))
    if not 1 <= n <= len(session.listed):
        return Step(session, (Text("no_such_number", {"n": n, "count": len(session.listed)}),))
    occurrence = ctx.timetable.find(session.listed[n - 1])
    if occurrence is None or occurrence.meeting.slug not in ctx.directory.meetings:
        return Step(session, (Text("meeting_gone"),))
    meeting = ctx.directory.meetings[occurrence.meeting.slug]
    group = ctx.directory.group_of(meeting)
    details = MeetingDetails(
        n,
        occurrence,
        group,
        meeting.kind(group),
        meeting.slug in ctx.caller.reminders,
        _relative((occurrence,), ctx),
    )
    return Step(session.with_(viewed=meeting.slug), (details,))


def _group_text(which: str) -> Handler:
    def handler(session: Session, command: Command, ctx: Context) -> Step:
        meeting = ctx.directory.meetings.get(session.viewed or "")
        if meeting is None:
            return Step(session, (GroupText(which, None, None),))  # type: ignore[arg-type]
        group = ctx.directory.group_of(meeting)
        # The group's own words in the caller's language, else the shared text in it.
        own = group.own_text(which, session.language) if group else None  # type: ignore[arg-type]
        name = group.name if group else None
        return Step(session, (GroupText(which, own, meeting.kind(group), name),))  # type: ignore[arg-type]

    return handler


def _remind(session: Session, command: Command, ctx: Context) -> Step:
    n = first_number(command.args)
    if n is None:
        if session.viewed in ctx.directory.meetings and not command.args:
            return _subscribe(session, ctx, session.viewed)  # type: ignore[arg-type]
        return Step(session, (Text("remind_which"),))
    if not session.listed:
        return Step(session, (Text("remind_which"),))
    if not 1 <= n <= len(session.listed):
        return Step(session, (Text("no_such_number", {"n": n, "count": len(session.listed)}),))
    slug = session.listed[n - 1].partition("@")[0]
    if slug not in ctx.directory.meetings:
        return Step(session, (Text("meeting_gone"),))
    return _subscribe(session.with_(viewed=slug), ctx, slug)


def _subscribe(session: Session, ctx: Context, slug: str) -> Step:
    meeting = ctx.directory.meetings[slug]
    group = ctx.directory.group_of(meeting)
    reply = RemindConfirm(meeting, group, ctx.reminder_minutes)
    return Step(session, (reply,), (fx.Subscribe(slug),))


def _noremind(session: Session, command: Command, ctx: Context) -> Step:
    if not ctx.caller.reminders:
        return Step(session, (Text("noremind_none"),))
    n = first_number(command.args)
    if n is None:
        return Step(session, (Text("noremind_all"),), (fx.Unsubscribe(None),))
    slug = session.listed[n - 1].partition("@")[0] if 1 <= n <= len(session.listed) else None
    if slug is None or slug not in ctx.caller.reminders:
        return Step(session, (Text("noremind_which"),))
    name = ctx.directory.meetings[slug].name if slug in ctx.directory.meetings else slug
    return Step(session, (Text("noremind_one", {"meeting": name}),), (fx.Unsubscribe(slug),))


HANDLERS: dict[str, Handler] = {
    "MEETINGS": _meetings,
    "ZIP": _zip,
    "MORE": _more,
    "NUMBER": _details,
    "WELCOME": _group_text("welcome"),
    "AGREEMENTS": _group_text("agreements"),
    "HELP": _help,
    "MENU": _menu,
    "EMPTY": _menu,
    "UNKNOWN": _unknown,
    "NO": _menu,
    "CANCEL": _opt_out_hint,  # CANCEL <n> is a coordinator's word; others mean to stop
    "ESPANOL": _language("es"),
    "ENGLISH": _language("en"),
    "FORGET": _forget,
    "OPTIN": _opt_in,
    "OPTOUT_HINT": _opt_out_hint,
    "NOREMIND_HINT": _noremind_hint,
    "YES": _nothing_pending,
    "REMIND": _remind,
    "NOREMIND": _noremind,
}
