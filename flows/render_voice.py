"""Render replies for the ear: what a call says, in short <Say>-sized pieces, and what it
listens for next. The voice twin of flows.render_sms; the shell turns a Turn into TwiML.

Spanish keeps its accents here (the voice reads them; only SMS folds them)."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time

from num2words import num2words

from flows.keywords import text_language
from flows.model import TYPE_SPANISH, Directory, Group, Language, Meeting
from flows.occurrences import Occurrence
from flows.render_sms import town
from flows.replies import (
    GroupText,
    ListItem,
    MeetingDetails,
    MeetingList,
    Reply,
    Text,
)
from flows.texts import text as shared_text
from flows.texts import voice_en, voice_es, with_contact
from flows.voice import LIST_SIZE, ZIP_DIGITS, Position

# Logging is the standard library's and does no I/O of its own here: the shell configures
# where records go (hrw_sms.base.logs).
log = logging.getLogger(__name__)

MAX_SAY = 400  # characters in one <Say>: every prompt stays short
NAME_LIMIT = 60
PLACE_LIMIT = 60
NOTES_LIMIT = 200

VOICE_TEXTS: dict[str, dict[str, str]] = {"en": voice_en.TEXTS, "es": voice_es.TEXTS}


def say(language: str, key: str, **params: object) -> str:
    """The spoken text `key` in `language` (English when Spanish lacks it), filled in.

    Always formatted: a template missing a parameter raises KeyError rather than speak a
    literal `{name}`; an unknown key raises KeyError too."""
    catalog = VOICE_TEXTS.get(language, voice_en.TEXTS)
    template = catalog.get(key) or voice_en.TEXTS[key]
    return template.format(**params)


def other(language: Language) -> Language:
    """The other of the line's two languages (en <-> es), for the "para español" offer."""
    return "en" if language == "es" else "es"


def language_tag(language: Language) -> str:
    """The BCP 47 tag Twilio's <Say> takes for `language` ("en-US" or "es-US", from the
    voice catalog)."""
    return say(language, "language_tag")


@dataclass(frozen=True)
class Part:
    """A stretch of a <Say> in one language."""

    text: str
    language: Language


@dataclass(frozen=True)
class Speech:
    """One <Say>: `text` in `language`; `parts` splits it where words of another language
    (an English meeting's name read on the Spanish line) are to be read in theirs, for the
    shell to mark with SSML <lang>. Empty parts: all of it in `language`."""

    text: str
    language: Language
    parts: tuple[Part, ...] = ()


# Words of another language inside a sentence travel through pack() between these marks
# (private-use characters, never in a real text), and become Speech.parts.
_FOREIGN = {"en": "\ue001", "es": "\ue002"}
_END = "\ue000"
_MARKS = re.compile("([\ue000\ue001\ue002])")
PROGRAM = "Harm Reduction Works-HRW"  # an English name: said in English on the Spanish line


def foreign(value: str, of: Language | None, speaking: Language) -> str:
    """`value`, written in `of`, marked to be read in that language when `speaking` another."""
    if not value or of is None or of == speaking:
        return value
    return f"{_FOREIGN[of]}{value}{_END}"


def plain(value: str) -> str:
    """`value` without language marks: what the caller hears, as one string."""
    return _MARKS.sub("", value)


def speeches(pieces: Iterable[str], language: Language) -> list[Speech]:
    """Pieces of at most MAX_SAY characters as Speech, with their foreign stretches as parts
    (which, joined, are the text). A stretch that pack() cut between two pieces goes on in
    the second. On the Spanish line the program's English name is an English stretch."""
    result: list[Speech] = []
    current: Language = language
    for piece in pieces:
        parts: list[Part] = []
        for token in _MARKS.split(piece):
            if token == _END:
                current = language
            elif token in _FOREIGN.values():
                current = "en" if token == _FOREIGN["en"] else "es"
            elif token:
                for chunk, of in _program_named(token, current, language):
                    if parts and (parts[-1].language == of or not chunk.strip()):
                        parts[-1] = Part(parts[-1].text + chunk, parts[-1].language)
                    else:
                        parts.append(Part(chunk, of))
        text = plain(piece)
        if not text.strip():
            continue
        mixed = any(p.language != language for p in parts)
        result.append(Speech(text, language, tuple(parts) if mixed else ()))
    return result


def _program_named(token: str, current: Language, language: Language) -> list[tuple[str, Language]]:
    """`token` read in `current`, with the program's name in English where Spanish is said."""
    if language != "es" or current != "es" or PROGRAM not in token:
        return [(token, current)]
    chunks: list[tuple[str, Language]] = []
    for i, chunk in enumerate(token.split(PROGRAM)):
        if i:
            chunks.append((PROGRAM, "en"))
        if chunk:
            chunks.append((chunk, "es"))
    return chunks


def number(language: str, n: int, feminine: bool = False) -> str:
    """A count said as words where the voice would misread digits: "veintiuna" millas.
    English voices read digits well, so English keeps them."""
    if language != "es":
        return str(n)
    words = num2words(n, lang="es")
    if feminine:  # num2words says the masculine: "veintiuno", "doscientos"
        words = re.sub(r"uno$", "una", words)
        words = words.replace("ientos", "ientas")
    return words


@dataclass(frozen=True)
class Listen:
    """A menu waiting for keys or words; its answer goes to `position`."""

    position: Position
    digits: int  # numDigits
    hints: str


@dataclass(frozen=True)
class Turn:
    """One answer to a call: things said, then a menu listened for (None: hang up)."""

    says: tuple[Speech, ...]
    listen: Listen | None


# --- pieces ---------------------------------------------------------------------------


def clip(value: str, limit: int) -> str:
    """`value` with its whitespace collapsed, cut to at most `limit` characters with "..."."""
    value = " ".join(value.split())
    return value if len(value) <= limit else value[: limit - 3].rstrip() + "..."


def _sentences(value: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?:])\s+", " ".join(value.split())) if s]


def pack(sentences: Iterable[str], limit: int = MAX_SAY) -> list[str]:
    """Join sentences into as few pieces as fit in `limit` characters each."""
    pieces: list[str] = []
    current = ""
    for sentence in sentences:
        for part in _split(" ".join(sentence.split()), limit):
            if current and len(current) + 1 + len(part) <= limit:
                current = f"{current} {part}"
            else:
                if current:
                    pieces.append(current)
                current = part
    if current:
        pieces.append(current)
    return pieces


def _split(sentence: str, limit: int) -> list[str]:
    """A sentence too long for one piece, cut between words."""
    parts: list[str] = []
    while len(sentence) > limit:
        cut = sentence.rfind(" ", 0, limit + 1)
        cut = cut if cut > 0 else limit
        parts.append(sentence[:cut].rstrip())
        sentence = sentence[cut:].lstrip()
    return [*parts, sentence] if sentence else parts


def spaced(digits: str) -> str:
    """Digits read one by one: "0 1 0 6 0"."""
    return " ".join(d for d in digits if d.isdigit())


def phone_digits(phone: str) -> tuple[str, str]:
    """A dial-in number read in groups ("4 1 3, 5 5 5, 0 1 0 0"), and any code after it."""
    number = re.split(r"[,;#xXwWpP]", phone, maxsplit=1)[0]
    digits = re.sub(r"\D", "", number)
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) == 10:
        read = ", ".join(spaced(g) for g in (digits[:3], digits[3:6], digits[6:]))
    else:
        read = spaced(digits)
    return read, spaced(phone[len(number) :])


DIAL_NOTES_LIMIT = 160  # characters of the meeting ID / passcode notes read out


def dial_notes(notes: str | None) -> str:
    """A dial-in's notes ("Meeting ID: 555 0101 222\nPasscode: 8642") as said: one line,
    every number read digit by digit in its groups ("5 5 5, 0 1 0 1, 2 2 2"), as the
    dial-in number is. Empty when there are none."""
    lines = (" ".join(line.split()).rstrip(",;.") for line in (notes or "").splitlines())
    said = ", ".join(line for line in lines if line)
    said = re.sub(
        r"\d+(?:[ -]\d+)*", lambda m: ", ".join(spaced(g) for g in re.findall(r"\d+", m[0])), said
    )
    return clip(said, DIAL_NOTES_LIMIT)


def clock(language: str, moment: time) -> str:
    """6 PM, 6:30 PM, noon / las seis de la tarde, la una y media de la tarde, el mediodía:
    Spanish in words, as a Spanish voice reads "la 1" badly."""
    hour, minute = moment.hour, moment.minute
    if minute == 0 and hour == 12:
        return say(language, "noon")
    if minute == 0 and hour == 0:
        return say(language, "midnight")
    twelve = hour % 12 or 12
    if language == "es":
        article = "la una" if twelve == 1 else f"las {number('es', twelve)}"
        minutes = {0: "", 15: " y cuarto", 30: " y media"}.get(minute, f" y {number('es', minute)}")
        if hour < 6:
            period = "de la noche" if hour == 0 else "de la madrugada"
        elif hour < 12:
            period = "de la mañana"
        elif hour == 12:
            period = "del mediodía"
        elif hour < 20:
            period = "de la tarde"
        else:
            period = "de la noche"
        return f"{article}{minutes} {period}"
    suffix = "AM" if hour < 12 else "PM"
    return f"{twelve} {suffix}" if minute == 0 else f"{twelve}:{minute:02d} {suffix}"


_ZONES = {"E": "eastern", "C": "central", "M": "mountain", "P": "pacific", "AK": "alaska"}


def zone_name(language: str, occ: Occurrence) -> str:
    """ "Eastern time" / "hora del Este"; "" for a zone without a spoken name."""
    abbreviation = occ.local_start.tzname() or ""
    match = re.fullmatch(r"(AK|HS|[ECMP])[SD]T|(H)[SD]T", abbreviation)
    if not match:
        return ""
    key = "hawaii" if abbreviation.startswith("H") else _ZONES[match.group(1)]
    return say(language, "zone", zone=say(language, f"zone_{key}"))


def day_name(language: str, occ: Occurrence, now: datetime, relative: bool = True) -> str:
    """today, tomorrow, Thursday, next Tuesday (a list never reaches further); the day's
    name, never today or tomorrow, unless `relative`."""
    delta = occ.days_away(now)
    if relative and delta == 0:
        return say(language, "today")
    if relative and delta == 1:
        return say(language, "tomorrow")
    name = say(language, "days").split()[(occ.local_start.weekday() + 1) % 7]
    return say(language, "next_day", day=name) if delta >= 7 else name


def when(language: str, occ: Occurrence, now: datetime, relative: bool = True) -> str:
    """ "Tuesday at 6 PM, Eastern time" / "martes a las 6 de la tarde, hora del Este"."""
    at = clock(language, occ.local_start.time())
    if occ.start <= now:
        moment = say(language, "started_at", time=at)
    else:
        day = day_name(language, occ, now, relative)
        moment = say(language, "on_day_at", day=day, time=at)
    zone = zone_name(language, occ)
    return contract(f"{moment}, {zone}" if zone else moment)


def contract(spoken: str) -> str:
    """Spanish "a el mediodía" is said "al mediodía"."""
    return re.sub(r"\b([Aa]) el\b", r"\1l", spoken)


def _place(occ: Occurrence) -> str:
    m = occ.meeting
    return clip(m.city or town(m.address) or m.location or m.address or "", PLACE_LIMIT)


def where(language: str, occ: Occurrence, miles: float | None) -> str:
    """Where `occ` meets, as spoken: the place, "online", or both, then how far away when
    `miles` (statute miles from the caller's ZIP code) is given."""
    m = occ.meeting
    place = _place(occ) if m.in_person else ""
    if place and m.online:
        spoken = say(language, "in_place_and_online", place=place)
    elif place:
        spoken = say(language, "in_place", place=place)
    else:
        spoken = say(language, "online")
    if miles is None:
        return spoken
    if miles < 0.95 and not m.approximate:  # placed by ZIP code: never "less than a mile"
        distance = say(language, "under_a_mile")
    elif round(miles) <= 1:
        distance = say(language, "mile")
    else:
        distance = say(language, "miles", miles=number(language, round(miles), feminine=True))
    return f"{spoken}, {distance}"


def _language_of(group: Group | None, meeting: Meeting | None = None) -> Language | None:
    """The language a meeting's name and notes, or a group's own texts, are written in: a
    Spanish-speaking meeting's (Meeting Guide type S) is Spanish, else its group's language
    (an import gives a group with such meetings Spanish); None when nothing says."""
    if meeting is not None and TYPE_SPANISH in meeting.types:
        return "es"
    return group.language if group is not None else None


def written_in(value: str, fallback: Language | None) -> Language | None:
    """The language `value` (a name, a room, notes) is written in: judged from its own words
    (flows.keywords.text_language), else `fallback` (its meeting's or group's language), so an
    English name in a Spanish group is read in English, and a Spanish one in Spanish."""
    judged = text_language(value)
    return judged if judged in ("en", "es") else fallback  # type: ignore[return-value]


def kind_of(occ: Occurrence, directory: Directory) -> str:
    """The kind of `occ` ("focused" or "open"), read from the directory's copy of its meeting."""
    meeting = directory.meetings.get(occ.meeting.slug, occ.meeting)
    return meeting.kind(directory.group_of(meeting))


def spoken_place(language: str, place: str) -> str:
    """A ZIP code as spaced digits ("0 1 0 6 0") so it is read digit by digit, any
    other place in title case."""
    if place.isdigit() and len(place) == ZIP_DIGITS:
        return say(language, "zip_code", digits=spaced(place))
    return place.title()


# --- replies --------------------------------------------------------------------------


def _heading(language: str, params: dict) -> str:
    if params.get("continued"):
        return say(language, "heading_soonest_more")
    if params.get("place"):
        return say(language, "heading_near", place=spoken_place(language, params["place"]))
    if params.get("day"):
        return say(language, f"heading_{params['day']}")
    if params.get("online"):
        return say(language, "heading_online")
    return say(language, "heading_soonest")


def _item(
    language: str, item: ListItem, n: int, now: datetime, directory: Directory, relative: bool
) -> str:
    occ = item.occurrence
    meeting = directory.meetings.get(occ.meeting.slug, occ.meeting)
    written = written_in(occ.meeting.name, _language_of(directory.group_of(meeting), meeting))
    name = foreign(clip(occ.meeting.name, NAME_LIMIT), written, language)
    spoken_when = when(language, occ, now, relative)
    said_n = number(language, n).capitalize()  # "Uno: hoy a las seis de la tarde ..."
    if occ.cancelled:
        return say(language, "item_cancelled", n=said_n, when=spoken_when, name=name)
    kind = shared_text(language, f"kind_{kind_of(occ, directory)}_short")
    line = say(
        language,
        "item",
        n=said_n,
        when=spoken_when,
        name=name,
        where=where(language, occ, item.miles),
    )
    return f"{line} {kind}"


def _list(
    language: str, reply: MeetingList, count: int, now: datetime, directory: Directory
) -> list[str]:
    """The heading and the first `count` meetings, numbered from 1 as the keys go."""
    items = reply.items[:count]
    base = items[0].number - 1 if items else 0
    lines = [_heading(language, dict(reply.heading.params))]
    lines += [
        _item(language, item, item.number - base, now, directory, reply.relative) for item in items
    ]
    return [piece for line in lines for piece in pack([line])]


def _details(language: str, reply: MeetingDetails, now: datetime) -> list[str]:
    occ, m = reply.occurrence, reply.occurrence.meeting
    start = clock(language, occ.local_start.time())
    end = clock(language, occ.local_end.time())
    day = day_name(language, occ, now, reply.relative)
    zone = zone_name(language, occ)
    timing = contract(say(language, "details_when", day=day, start=start, end=end, zone=zone))
    if not zone:
        timing = timing.replace(", .", ".")
    written = _language_of(reply.group, m)
    name = clip(m.name, NAME_LIMIT * 2).rstrip(".!?")
    name = foreign(name, written_in(name, written), language)
    sentences = [f"{name}.", timing[:1].upper() + timing[1:]]
    if occ.cancelled:
        sentences.append(say(language, "details_cancelled"))
    if m.in_person:
        # The room in its group's language; the street address as a US address is said (a
        # Spanish voice reads "20 West St, MA 01060" as Spanish numbers and words).
        limit = PLACE_LIMIT * 2
        location = clip(m.location or "", limit)
        address = clip(m.address or "", max(limit - len(location) - 2, 10))
        parts = [
            foreign(location, written_in(location, written), language),
            foreign(address, "en", language),
        ]
        place = ", ".join(p for p in parts if p)
        sentences.append(say(language, "details_at", place=place))
        if m.location_notes:  # "Side door, wheelchair accessible": how to find the room
            room = clip(" ".join(m.location_notes.split()), NOTES_LIMIT).rstrip(".")
            room = foreign(room, written_in(room, written), language)
            sentences.append(say(language, "details_place_notes", notes=room))
    if m.online:
        sentences.append(say(language, "details_also_online" if m.in_person else "details_online"))
    if m.conference_phone:
        digits, code = phone_digits(m.conference_phone)
        if digits:
            sentences.append(say(language, "details_dial", digits=digits))
            if code:
                sentences.append(say(language, "details_code", digits=code))
            notes = dial_notes(m.conference_phone_notes)
            if notes:
                notes = foreign(notes, written_in(notes, "en"), language)
                sentences.append(say(language, "details_dial_notes", notes=notes))
    if m.conference_url:
        sentences.append(say(language, "details_link"))
    sentences.append(shared_text(language, f"kind_{reply.kind}"))
    if m.notes:
        notes = clip(m.notes, NOTES_LIMIT)
        notes = foreign(notes, written_in(notes, written), language)
        sentences.append(say(language, "details_notes", notes=notes))
    return pack(sentences)


def _group_text(language: Language, reply: GroupText, directory: Directory) -> list[str]:
    if reply.own_text:
        # The flow gives a group's own words only in the caller's language (Group.own_text);
        # its name is in the group's own.
        group = next((g for g in directory.groups.values() if g.name == reply.group_name), None)
        written = written_in(reply.own_text, language)
        group_name = clip(reply.group_name or "", NAME_LIMIT)
        name = foreign(group_name, written_in(group_name, _language_of(group) or written), language)
        lead = [say(language, "group_says", group=name)] if name else []
        return pack([*lead, *(foreign(s, written, language) for s in _sentences(reply.own_text))])
    if reply.which == "welcome":
        key = f"welcome_{reply.kind}" if reply.kind else "welcome_general"
    else:
        key = "agreements_general"
    return pack(_sentences(shared_text(language, key)))


def _text(language: str, reply: Text, contact: str | None) -> list[str]:
    params = dict(reply.params)
    key = reply.key
    if key == "menu":
        return []  # the main menu follows as the menu of the next turn
    if key == "no_results":
        what = ""
        if params.get("place"):
            what = say(language, "what_near", place=spoken_place(language, params["place"]))
        elif params.get("day"):
            what = say(language, f"what_{params['day']}")
        online = params.get("online") and not params.get("place")
        return pack([say(language, "no_results_online" if online else "no_results", what=what)])
    if key == "place_unknown":
        place = spoken_place(language, str(params.get("place", "")))
        return pack([say(language, "place_unknown", place=place)])
    params = with_contact(language, params, contact)  # HELP and the apology name a person
    try:
        if key in VOICE_TEXTS.get(language, voice_en.TEXTS):
            return pack([say(language, key, **params)])
        # A reply with no spoken wording of its own: the text's words.
        return pack(_sentences(shared_text(language, key, **params)))
    except (KeyError, IndexError, ValueError):
        # A fault in a catalog or in the flow's parameters, not the caller's: say something
        # useful, and leave a trace (the key and the parameter names; never their values).
        log.error(
            "voice text %r (%s) could not be rendered with %s",
            key, language, sorted(params), exc_info=True,
        )  # fmt: skip
        return pack([say(language, "not_understood")])


def content(
    replies: Iterable[Reply],
    language: Language,
    now: datetime,
    directory: Directory,
    contact: str | None = None,
    list_size: int = LIST_SIZE,
) -> list[str]:
    """Everything the replies say, in pieces of at most MAX_SAY characters."""
    return [plain(p) for p in _content(replies, language, now, directory, contact, list_size)]


def _content(
    replies: Iterable[Reply],
    language: Language,
    now: datetime,
    directory: Directory,
    contact: str | None = None,
    list_size: int = LIST_SIZE,
) -> list[str]:
    """content(), with words of another language marked (see foreign())."""
    pieces: list[str] = []
    for reply in replies:
        if isinstance(reply, MeetingList):
            pieces += _list(language, reply, list_size, now, directory)
        elif isinstance(reply, MeetingDetails):
            pieces += _details(language, reply, now)
        elif isinstance(reply, GroupText):
            pieces += _group_text(language, reply, directory)
        elif isinstance(reply, Text):
            pieces += _text(language, reply, contact)
        # Nothing else is said on a call: reminders and the roles' replies are texts' business.
    return pieces


# --- menus and turns --------------------------------------------------------------------


def menu(position: Position) -> list[Speech]:
    """What the menu at `position` offers."""
    lang = position.language
    if position.menu == "main":
        return [
            *speeches(pack([say(lang, "main_menu"), say(lang, "peer_menu")]), lang),
            *speeches([say(other(lang), "offer")], other(lang)),
        ]
    if position.menu == "list":
        pick = say(lang, "list_menu_one" if position.count == 1 else "list_menu_many")
        more = say(lang, "list_menu_more") if position.more else ""
        sentences = [pick, say(lang, "list_menu"), more, say(lang, "list_menu_end")]
        return speeches(pack(s for s in sentences if s), lang)
    key = {"details": "details_menu", "group": "group_menu", "zip": "zip_prompt"}[position.menu]
    return speeches(pack([say(lang, key)]), lang)


def listen(position: Position) -> Listen:
    """What to gather at `position`: five digits on the ZIP menu, one elsewhere, with the
    speech hints Twilio's <Gather> takes (the peer words on the main menu)."""
    digits = ZIP_DIGITS if position.menu == "zip" else 1
    hints = say(position.language, "hints")
    if position.menu == "main":
        hints += ", " + say(position.language, "peer_hints")
    return Listen(position, digits, hints)


def turn(
    position: Position,
    replies: Iterable[Reply] = (),
    *,
    now: datetime,
    directory: Directory,
    lead: str | None = None,
    contact: str | None = None,
) -> Turn:
    """Say the lead and the replies, then the menu at `position`, and listen."""
    lang = position.language
    says = speeches(pack([say(lang, lead)]), lang) if lead else []
    count = position.count if position.menu == "list" else LIST_SIZE
    says += speeches(_content(replies, lang, now, directory, contact, list_size=count), lang)
    return Turn((*says, *menu(position)), listen(position))


def greeting() -> Turn:
    """The first answer to a call: always English first, with Spanish offered in Spanish."""
    start = Position("main", "en")
    return Turn((*speeches([say("en", "greeting")], "en"), *menu(start)), listen(start))


def goodbye(language: Language, lead: str | None = None) -> Turn:
    """The last turn of a call: the `lead` sentence (a catalog key) if given, then goodbye, and
    no gather, so the call hangs up."""
    sentences = [say(language, lead)] if lead else []
    sentences.append(say(language, "goodbye"))
    return Turn(tuple(speeches(pack(sentences), language)), None)


def apology(language: Language, contact: str | None) -> Turn:
    """Said when something broke: a short apology, how to reach a person, and goodbye."""
    who = contact or shared_text(language, "default_contact")
    return Turn(tuple(speeches(pack([say(language, "apology", contact=who)]), language)), None)


# --- the peer line ----------------------------------------------------------------------


@dataclass(frozen=True)
class Ring:
    """Ring `numbers` (E.164, the volunteers on shift) at once, after saying `says`; the
    caller comes back to `position` if nobody takes the call."""

    says: tuple[Speech, ...]
    numbers: tuple[str, ...]
    position: Position
    whispers: tuple[Language, ...] = ()  # each volunteer's language (default English)


def _safety(language: Language, crisis_line: str | None) -> list[str]:
    said = [say(language, "peer_safety")]
    if crisis_line:
        said.append(say(language, "peer_crisis_line", line=crisis_line))
    return said


def peer_when(language: Language, moment: datetime, now: datetime) -> str:
    """A shift's start, said: "today at 6 PM", "Thursday at 9 AM" (both local to the shift)."""
    days = (moment.date() - now.date()).days
    if days == 0:
        day = say(language, "today")
    elif days == 1:
        day = say(language, "tomorrow")
    else:
        day = say(language, "days").split()[(moment.weekday() + 1) % 7]
    return say(language, "on_day_at", day=day, time=clock(language, moment.time()))


def ring(
    position: Position,
    numbers: tuple[str, ...],
    crisis_line: str | None = None,
    whispers: tuple[Language, ...] = (),
) -> Ring:
    """What the caller hears while the volunteers on shift are rung (`whispers`: each
    volunteer's language, for what they hear on answering)."""
    lang = position.language
    sentences = [say(lang, "peer_connecting"), *_safety(lang, crisis_line)]
    return Ring(tuple(speeches(pack(sentences), lang)), numbers, position, whispers)


def peer_missed(
    position: Position,
    when: str | None,
    tried: bool,
    crisis_line: str | None = None,
    busy: bool = False,
) -> Turn:
    """Nobody on shift (`tried` False) or nobody took the call: when the next shift starts
    (or, `busy`: someone is on shift but couldn't pick up, so try again in a few minutes),
    the safety words, the text route, then the menu at `position` again."""
    lang = position.language
    if busy:
        lead = say(lang, "peer_busy")
    elif when is None:
        lead = say(lang, "peer_none_ever")
    else:
        lead = say(lang, "peer_nobody_took" if tried else "peer_none", when=when)
    sentences = [lead, *_safety(lang, crisis_line), say(lang, "peer_text_route")]
    says = speeches(pack(sentences), lang)
    return Turn((*says, *menu(position)), listen(position))


def whisper(language: Language) -> list[Speech]:
    """What a volunteer hears on answering: the line's name, and press 1 to take it."""
    return speeches([say(language, "peer_whisper")], language)


def peer_taken(language: Language) -> list[Speech]:
    """What a volunteer who pressed 1 hears when another volunteer already took the call."""
    return speeches([say(language, "peer_taken")], language)


def peer_connect(language: Language) -> list[Speech]:
    """What the volunteer who won the call hears just before the caller is put through."""
    return speeches([say(language, "peer_connect")], language)
