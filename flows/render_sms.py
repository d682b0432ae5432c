"""Render replies as one SMS text: GSM-7, at most three segments."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from functools import partial

from flows.gsm import (
    GSM_EXTENDED,
    GSM_PART,
    mostly_dropped,
    segments,
    septets,
    to_gsm,
    without_dropped,
)
from flows.model import Meeting
from flows.occurrences import Occurrence, next_occurrence, zone
from flows.replies import (
    BroadcastPreview,
    CancelPreview,
    GroupText,
    HostText,
    ListItem,
    MeetingDetails,
    MeetingList,
    RemindConfirm,
    Reply,
    StatusReport,
    Text,
)
from flows.texts import text, with_contact

# Every text we send: Twilio's advice for deliverability (README "What people can text").
MAX_SEGMENTS = 3


class DoesNotFit(ValueError):
    """No version of a text fits in MAX_SEGMENTS: a fault in a catalog or a limit table, never
    a text to send over budget (the shell logs it and sends the fallback)."""


def fits(body: str, budget: int = MAX_SEGMENTS) -> bool:
    """True if `body`, as sent (GSM-7 folded), costs at most `budget` segments."""
    return segments(to_gsm(body)) <= budget


def first_fitting(candidates: Iterable[str], budget: int = MAX_SEGMENTS) -> str:
    """The first of `candidates` (tried lazily, longest first) that fits in `budget`
    segments, unchanged. Raises DoesNotFit when none does."""
    for body in candidates:
        if fits(body, budget):
            return body
    raise DoesNotFit(f"no version fits in {budget} segments")


def longest_fitting(build: Callable[[int], str], longest: int, budget: int = MAX_SEGMENTS) -> int:
    """The largest n in [0, longest] for which build(n) fits in `budget` segments (build's
    length grows with n). Raises DoesNotFit when even build(0) does not fit."""
    if not fits(build(0), budget):
        raise DoesNotFit(f"does not fit in {budget} segments even at its shortest")
    low, high = 0, longest
    while low < high:
        mid = (low + high + 1) // 2
        if fits(build(mid), budget):
            low = mid
        else:
            high = mid - 1
    return low


# Tried in turn until a list fits: (meeting name, place) lengths.
LIST_LIMITS = ((42, 24), (34, 20), (26, 16), (20, 14))


def clip(value: str, limit: int) -> str:
    """`value` with its spaces collapsed, at most `limit` characters: cut with "..." when
    longer (and cut short, with no room for "...", when `limit` is under 4)."""
    value = " ".join(value.split())
    if len(value) <= limit:
        return value
    if limit < 4:
        return value[: max(limit, 0)]
    return value[: limit - 3].rstrip() + "..."


def clock(moment: datetime) -> str:
    """6pm, 6:30pm: short and unambiguous on a small screen."""
    hour = moment.hour % 12 or 12
    suffix = "am" if moment.hour < 12 else "pm"
    return f"{hour}{suffix}" if moment.minute == 0 else f"{hour}:{moment.minute:02d}{suffix}"


def day_label(lang: str, occ: Occurrence, now: datetime, relative: bool = True) -> str:
    """Today, Tomorrow, or the day and date; always the day and date unless `relative`."""
    delta = occ.days_away(now)
    if relative and delta == 0:
        return text(lang, "today")
    if relative and delta == 1:
        return text(lang, "tomorrow")
    return date_label(lang, occ.local_start)


def date_label(lang: str, day: datetime) -> str:
    """ "Tue 12/1" in English; day first with the month's name in Spanish, "mar 1 dic"."""
    weekday = text(lang, "days").split()[(day.weekday() + 1) % 7]
    month_name = text(lang, "months").split()[day.month - 1]
    return text(lang, "date", weekday=weekday, day=day.day, month=day.month, month_name=month_name)


def when(lang: str, occ: Occurrence, now: datetime, relative: bool = True) -> str:
    """When `occ` starts, in its meeting's local time with the zone's abbreviation: "Today 7pm
    EDT", "Tomorrow 6:30pm EDT" or the date (always the date unless `relative`), or "started
    7pm EDT" once `now` (aware) is past the start."""
    start = occ.local_start
    zone = start.tzname() or ""
    if occ.start <= now:
        return f"{text(lang, 'started')} {clock(start)} {zone}"
    return f"{day_label(lang, occ, now, relative)} {clock(start)} {zone}"


def mid_line(lang: str, said: str) -> str:
    """`said` (a when() or day_label()) for the middle of a line: its relative day word
    ("Mañana", "Today") in lower case; day names ("Tue", "mar") as they are."""
    for key in ("today", "tomorrow", "started"):
        word = text(lang, key)
        if said.startswith(word):
            return word.lower() + said[len(word) :]
    return said


def town(address: str | None) -> str | None:
    """The town in "20 King St, Northampton, MA 01060"."""
    parts = [p.strip() for p in (address or "").split(",")]
    return parts[-2] if len(parts) >= 3 and parts[-2] else None


def moment(lang: str, occ: Occurrence, now: datetime) -> str:
    """ "tomorrow 6pm EST", "wed 11/25 6pm EST"."""
    start = occ.local_start
    label = day_label(lang, occ, now)
    if label in (text(lang, "today"), text(lang, "tomorrow")):
        label = label.lower()  # "today 6pm" mid-sentence; day names keep their capital
    return f"{label} {clock(start)} {start.tzname()}"


def where(lang: str, occ: Occurrence, limit: int = 24) -> str:
    """Where `occ` meets, for a list line: its town (clipped to `limit` characters), or
    "online" in `lang`."""
    m = occ.meeting
    if m.in_person:
        return clip(m.city or town(m.address) or m.location or m.address or "", limit)
    return text(lang, "online")


def _item(lang: str, item: ListItem, now: datetime, limits: tuple[int, int], relative: bool) -> str:
    occ = item.occurrence
    said_when = when(lang, occ, now, relative)
    if occ.cancelled:  # "SE CANCELA mañana 6pm": the day word is mid-line after the mark
        said_when = mid_line(lang, said_when)
    parts = [f"{item.number}.", said_when, clip(occ.meeting.name, limits[0])]
    place = where(lang, occ, limits[1])
    if item.miles is not None and occ.meeting.approximate:
        # Placed at its ZIP code's or town's centre: a whole number, said to be about.
        place = f"{place}, {text(lang, 'miles_about', miles=max(1, round(item.miles)))}"
    elif item.miles is not None:
        place = f"{place}, {text(lang, 'miles', miles=f'{item.miles:.1f}')}"
    parts.append(f"({place})")
    if occ.cancelled:
        parts.insert(1, text(lang, "cancelled"))
    line = " ".join(p for p in parts if p)
    return line + text(lang, "reminder_mark") if item.subscribed else line


def choices(lang: str, numbers: list[int]) -> str:
    """The list numbers one may reply: "1", "1 o 2", "del 1 al 5" (Spanish "7 u 8": "o"
    becomes "u" before a word said with an o, as "ocho" and "once" are)."""
    if not numbers:
        return ""
    first, last = numbers[0], numbers[-1]
    if len(numbers) == 1:
        return str(first)
    if len(numbers) == 2:
        key = "choices_two_u" if str(last).startswith("8") or last == 11 else "choices_two"
        return text(lang, key, first=first, last=last)
    return text(lang, "choices_range", first=first, last=last)


def _heading(lang: str, params: dict) -> str:
    if params.get("continued"):
        return text(lang, "heading_soonest_more")
    if params.get("place"):
        return text(lang, "heading_near", place=params["place"].title())
    if params.get("day"):
        return text(lang, f"heading_{params['day']}")
    if params.get("online"):
        return text(lang, "heading_online")
    return text(lang, "heading_soonest")


def _list(lang: str, reply: MeetingList, now: datetime, before: str = "") -> str:
    """The list with names as long as the segment budget allows, after `before` (text already
    in the same message, not repeated in the result) when it fits there, else on its own.
    Raises DoesNotFit."""
    reserve = before + "\n" if before else ""

    def build(limits: tuple[int, int]) -> str:
        lines = [_heading(lang, dict(reply.heading.params))]
        lines += [_item(lang, item, now, limits, reply.relative) for item in reply.items]
        if any(item.subscribed for item in reply.items):
            lines.append(text(lang, "reminder_legend"))
        numbers = [item.number for item in reply.items]
        footer = "footer_more" if reply.more else "footer_end"
        lines.append(text(lang, footer, choices=choices(lang, numbers)))
        return reserve + "\n".join(lines)

    try:
        return first_fitting(build(limits) for limits in LIST_LIMITS).removeprefix(reserve)
    except DoesNotFit:
        if not before:
            raise
        return _list(lang, reply, now)  # a text of its own (render_messages splits them)


# Tried in turn until details fit: (name, place) lengths and the long or short kind sentence.
DETAIL_LIMITS = ((80, 110, True), (50, 70, True), (40, 50, False), (30, 30, False))


def _details(lang: str, reply: MeetingDetails, now: datetime, before: str = "") -> str:
    """A meeting's details: the roomiest (name, place, kind) clipping that fits without the
    feed's notes, then as much of those notes as still fits, the least needed trimmed first;
    after `before` (text already in the same message, not repeated in the result) when it
    fits there, else on its own. Raises DoesNotFit."""
    m = reply.occurrence.meeting
    # The feed's own notes, most needed first: the link's password, how to find the room,
    # then the meeting's notes. When they do not all fit, the least needed is trimmed first.
    extras = {
        "url": one_line(m.conference_url_notes) if m.conference_url else "",
        "place": one_line(m.location_notes) if m.in_person else "",
        "notes": one_line(m.notes),
    }
    tail = [
        text(lang, "details_footer")
        if reply.subscribed
        else text(lang, "details_footer_remind", n=reply.number)
    ]
    lead = [before] if before else []

    def build(limits: tuple[int, int, bool], kept: dict[str, str]) -> str:
        head = _detail_lines(lang, reply, now, *limits, kept)
        notes = [kept["notes"]] if kept["notes"] else []
        return to_gsm("\n".join(lead + head + notes + tail))

    bare = dict.fromkeys(extras, "")
    limits = next((x for x in DETAIL_LIMITS if fits(build(x, bare))), None)
    if limits is None:
        if before:
            return _details(lang, reply, now)  # a text of its own (render_messages splits them)
        raise DoesNotFit(f"a meeting's details do not fit in {MAX_SEGMENTS} segments")
    fitted = fit_extras(partial(build, limits), extras)
    return fitted.removeprefix(to_gsm(before) + "\n" if before else "")


def one_line(value: str | None) -> str:
    """`value` on one line, runs of white space as one space ("" for None)."""
    return " ".join((value or "").split())


def fit_extras(build: Callable[[dict[str, str]], str], extras: dict[str, str]) -> str:
    """`build(kept)` with as much of each extra as fits the segment budget, trimming the last
    extra (the least needed) first: each is clipped to the longest that fits, or dropped
    when under 11 characters would be left. Raises DoesNotFit when even without any extra
    the text does not fit."""
    kept = dict(extras)
    for key in reversed(extras):
        if fits(build(kept)):
            break
        value = kept[key]

        def clipped(n: int, key: str = key, value: str = value) -> str:
            return build({**kept, key: clip(value, n) if n else ""})

        try:
            low = longest_fitting(clipped, len(value))
        except DoesNotFit:  # not even without it: the next extra must go too
            low = 0
        kept[key] = clip(value, low) if low > 10 else ""
    return first_fitting([build(kept)])


def _detail_lines(
    lang: str,
    reply: MeetingDetails,
    now: datetime,
    name_limit: int,
    place_limit: int,
    long_kind: bool,
    extras: dict[str, str] | None = None,
) -> list[str]:
    occ, m = reply.occurrence, reply.occurrence.meeting
    start, end = occ.local_start, occ.local_end
    day = day_label(lang, occ, now, reply.relative)
    span = f"{clock(start)}-{clock(end)} {start.tzname()}"
    if end.tzname() != start.tzname():  # the clocks change during the meeting
        span = f"{clock(start)} {start.tzname()}-{clock(end)} {end.tzname()}"
    lines = [clip(m.name, name_limit), f"{day}, {span}"]
    if occ.cancelled:
        lines.append(text(lang, "details_cancelled"))
    lines += _place_lines(lang, occ, place_limit, extras or {})
    lines.append(text(lang, f"kind_{reply.kind}" if long_kind else f"kind_{reply.kind}_short"))
    return lines


def lead(lang: str, minutes: int) -> str:
    """How long before a meeting a reminder comes, in words: "1 hour", "2 hours" or "30
    min" (`minutes` is the lead time in minutes)."""
    if minutes % 60 == 0:
        hours = minutes // 60
        return text(lang, "lead_hour") if hours == 1 else text(lang, "lead_hours", n=hours)
    return text(lang, "lead_minutes", n=minutes)


def weekly_when(lang: str, meeting: Meeting, now: datetime) -> str:
    """ "Tue, Thu 6pm EST": the days and time of a weekly meeting. The zone's abbreviation is
    the one in force at its next occurrence (the day before a clock change names the new
    one), never today's."""
    names = text(lang, "days").split()
    days = ", ".join(names[d % 7] for d in sorted(meeting.days))
    occ = next_occurrence(meeting, now)
    if occ is not None:
        at = occ.local_start
    else:  # not weekly (inactive): today's zone is the best there is
        local = now.astimezone(zone(meeting.timezone))
        at = local.replace(hour=meeting.time.hour, minute=meeting.time.minute)
    return f"{days} {clock(at)} {at.tzname()}"


def _remind_confirm(lang: str, reply: RemindConfirm, now: datetime) -> str:
    count = len(reply.meeting.days)
    texts = text(lang, "texts_one") if count == 1 else text(lang, "texts_many", n=count)
    return text(
        lang,
        "remind_confirm",
        lead=lead(lang, reply.minutes),
        meeting=clip(reply.meeting.name, 50),
        when=weekly_when(lang, reply.meeting, now),
        group=clip(reply.group.name if reply.group else reply.meeting.name, 40),
        count=texts,
    )


def _group_text(lang: str, reply: GroupText) -> str:
    """A welcome or agreements text, and what to do next (a question answered is no dead
    end): the group's own words under its name, else the catalog's."""
    after = text(lang, "next_step")
    if reply.own_text:
        # Group texts are at most 400 characters (hrw_sms.meetings.directory), so the text and the
        # next step fit; the group's name goes first when it fits as well.
        name = clip(reply.group_name or "", 40)
        body = " ".join(without_dropped(reply.own_text).split())  # no gap where an emoji was
        named = [f"{text(lang, 'group_says', group=name)} {body}\n{after}"] if name else []
        return first_fitting([*named, f"{body}\n{after}"])
    if reply.which == "welcome":
        body = text(lang, f"welcome_{reply.kind}" if reply.kind else "welcome_general")
    else:
        body = text(lang, "agreements_general")
    return f"{body}\n{after}"


def _text(lang: str, reply: Text, contact: str | None) -> str:
    params = dict(reply.params)
    if reply.key in ("no_results",):
        what = ""
        if params.get("place"):
            what = text(lang, "what_near", place=params["place"].title())
        if params.get("day"):  # "Holyoke tonight": both, or the day would be lost
            what += text(lang, f"what_{params['day']}")
        key = (
            "no_results_online"
            if params.get("online") and not params.get("place")
            else "no_results"
        )
        return text(lang, key, what=what)
    if reply.key == "place_unknown":
        return text(lang, "place_unknown", place=str(params.get("place", "")).title())
    return text(lang, reply.key, **with_contact(lang, params, contact))


def render_messages(
    replies: tuple[Reply, ...], language: str, now: datetime, contact: str | None = None
) -> list[str]:
    """The SMS texts for the replies of a step: usually one, each within three segments."""
    messages: list[list[str]] = [[]]
    for reply in replies:
        if isinstance(reply, BroadcastPreview):
            intro = text(
                language, "broadcast_preview", count=reply.audience, group=reply.group_name
            )
            messages[-1].append(intro)
            messages += [[reply.final], []]  # the broadcast exactly as it will read, on its own
        else:
            before = "\n".join(messages[-1])
            body = _render_one(reply, language, now, contact, before)
            if before and segments(to_gsm(before + "\n" + body)) > MAX_SEGMENTS:
                messages.append([])  # too long together: it goes as a text of its own
            messages[-1].append(body)
    return [to_gsm("\n".join(parts)) for parts in messages if parts]


def render(
    replies: tuple[Reply, ...], language: str, now: datetime, contact: str | None = None
) -> str:
    """All the replies of a step as one text ("" when there is nothing to say)."""
    return "\n".join(render_messages(replies, language, now, contact))


def _render_one(
    reply: Reply, language: str, now: datetime, contact: str | None, before: str = ""
) -> str:
    if isinstance(reply, MeetingList):
        return _list(language, reply, now, before)
    if isinstance(reply, MeetingDetails):
        return _details(language, reply, now, before)
    if isinstance(reply, GroupText):
        return _group_text(language, reply)
    if isinstance(reply, RemindConfirm):
        return _remind_confirm(language, reply, now)
    if isinstance(reply, HostText):
        return _host_reply(language, reply, now)
    if isinstance(reply, CancelPreview):
        occ = reply.occurrence
        params = {"meeting": clip(occ.meeting.name, 60), "when": moment(language, occ, now)}
        if reply.already:
            return text(language, "cancel_already", **params)
        return text(language, "cancel_preview", count=reply.audience, **params)
    if isinstance(reply, StatusReport):
        s = reply.summary
        return text(
            language, "status", group=clip(reply.group_name, 40), total=s.total,  # type: ignore[attr-defined]
            queued=s.queued, sent=s.sent, delivered=s.delivered, failed=s.failed,  # type: ignore[attr-defined]
        )  # fmt: skip
    return _text(language, reply, contact)


def _place_lines(
    lang: str, occ: Occurrence, place_limit: int, extras: Mapping[str, str] | None = None
) -> list[str]:
    """Where and how to join; `extras` may add the room's notes ("place") under the address
    and the link's notes ("url", say its password) to the join line."""
    m, extras = occ.meeting, extras or {}
    lines = []
    place = ", ".join(x for x in (m.location, m.address) if x)
    if m.in_person and place:
        lines.append(clip(place, place_limit))
    if m.in_person and extras.get("place"):
        lines.append(extras["place"])
    if m.conference_url:
        join = text(lang, "details_join", url=m.conference_url)
        lines.append(f"{join} ({extras['url']})" if extras.get("url") else join)
    if m.conference_phone:
        lines.append(text(lang, "details_dial", phone=m.dial_in))
    return lines


def _fitted(build: Callable[[int, int], str]) -> str:
    """The first (name, place) clipping that fits in the segment budget, in GSM-7.
    Raises DoesNotFit."""
    limits = ((80, 110), (50, 60), (30, 30), (20, 16))
    return first_fitting(to_gsm(build(name, place)) for name, place in limits)


def reminder_text(lang: str, occ: Occurrence, now: datetime) -> str:
    """The text a subscriber gets before a meeting."""

    url_notes = one_line(occ.meeting.conference_url_notes)

    def build(name_limit: int, place_limit: int) -> str:
        # The link's password when it fits whole (a clipped password helps nobody).
        extras = {"url": url_notes} if len(url_notes) <= place_limit else {}
        return text(
            lang,
            "reminder",
            meeting=clip(occ.meeting.name, name_limit),
            when=moment(lang, occ, now),
            where="\n".join(_place_lines(lang, occ, place_limit, extras)),
        )

    return _fitted(build)


def cancellation_text(lang: str, occ: Occurrence, now: datetime) -> str:
    """The text a subscriber gets instead of a reminder when a meeting is cancelled."""

    def build(name_limit: int, place_limit: int) -> str:
        meeting = clip(occ.meeting.name, name_limit)
        return text(lang, "cancelled_notice", meeting=meeting, when=moment(lang, occ, now))

    return _fitted(build)


def broadcast_text(lang: str, group_name: str, message: str) -> str:
    """A broadcast as its subscribers get it: the group's name first, the STOP line last.
    Not clipped: a broadcast that does not fit is refused, with its length. What GSM-7
    cannot carry (emoji) is taken out before the spaces are tidied, so none are left doubled
    or trailing where it was."""
    message = " ".join(without_dropped(message).split())
    return to_gsm(text(lang, "broadcast", group=group_name, text=message))


def broadcast_refusal(lang: str, group_name: str, message: str) -> Text | None:
    """Why a broadcast of `message` cannot go, as a catalog Text, or None when it can: the
    one rule for the text command, the console and `hrw-sms broadcast`.

    Refused when folding (flows.gsm.to_gsm) leaves it blank or drops most of it (emoji and
    the like: "broadcast_all_dropped", "broadcast_most_dropped"), or when it costs more than
    MAX_SEGMENTS texts as sent ("broadcast_too_long"). Lengths there are GSM-7 septets, as
    carriers and the console's live counter count them (a character of the extension table,
    like { or €, counts as 2, and the text says which ones the broadcast has)."""
    if mostly_dropped(message):
        blank = not to_gsm(" ".join(message.split())).strip()
        return Text("broadcast_all_dropped" if blank else "broadcast_most_dropped")
    final = broadcast_text(lang, group_name, message)
    cost = segments(final)
    if cost <= MAX_SEGMENTS:
        return None
    limit = MAX_SEGMENTS * GSM_PART
    doubles = "".join(dict.fromkeys(c for c in final if c in GSM_EXTENDED))
    double = text(lang, "broadcast_counts_double", chars=" ".join(doubles)) if doubles else ""
    params = {"length": septets(final), "segments": cost, "limit": limit,
              "count": septets(final) - limit, "double": double}  # fmt: skip
    return Text("broadcast_too_long", params)


# --- hosts and coordinators ---

HOST_NAME_LIMITS = (60, 40, 28, 20)  # meeting name lengths tried until a host text fits


def host_text(
    lang: str, key: str, occ: Occurrence, now: datetime, then: str | None = None, **params: object
) -> str:
    """A host's or coordinator's text about one occurrence ({meeting} and {when} filled in),
    with the catalog text `then` after it; GSM-7. Raises DoesNotFit."""

    def build(limit: int) -> str:
        body = text(
            lang, key, meeting=clip(occ.meeting.name, limit), when=moment(lang, occ, now), **params
        )
        return to_gsm(f"{body} {text(lang, then)}" if then else body)

    return first_fitting(build(limit) for limit in HOST_NAME_LIMITS)


def _host_reply(lang: str, reply: HostText, now: datetime) -> str:
    return host_text(lang, reply.key, reply.occurrence, now, **dict(reply.params))


def host_prompt_text(
    lang: str, occ: Occurrence, now: datetime, key: str, last: bool, exercise: str | None
) -> str:
    """A prompt before a meeting someone hosts. The last one carries the exercise (clipped
    only if nothing else makes it fit), or invites one."""

    def build(name_limit: int, exercise_limit: int) -> str:
        name = clip(occ.meeting.name, name_limit)
        lines = [text(lang, key, meeting=name, when=moment(lang, occ, now))]
        if last and exercise:
            lines.append(text(lang, "host_exercise_line", exercise=clip(exercise, exercise_limit)))
        elif last:
            lines.append(text(lang, "host_exercise_invite"))
        return to_gsm("\n".join(lines))

    full = len(exercise or "")
    try:
        return first_fitting(build(limit, full) for limit in HOST_NAME_LIMITS)
    except DoesNotFit:  # the longest clipped exercise that fits beside the shortest name
        shortest = HOST_NAME_LIMITS[-1]
        return build(shortest, longest_fitting(lambda n: build(shortest, n), full))
