"""The voice menus: what a key or a spoken word does at each menu of a call.

A call is the participant flow heard instead of read. This module only decides, from the
menu the caller is at and what they pressed or said, what happens next: run a participant
command (flows.dispatch runs it, exactly as for a text), text something, ask
again, or say goodbye. Where a call is (the menu, the language, which meetings were read)
travels in the action URLs as a Position; the participant session is kept by the shell.
Pure: no I/O.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Literal

from flows.keywords import ONLINE_WORDS, SPANISH_WORDS, TODAY_WORDS, TOMORROW_WORDS, normalise
from flows.model import LANGUAGES, Language
from flows.replies import GroupText, MeetingDetails, MeetingList, Reply, Text
from flows.session import Session

Menu = Literal["main", "list", "details", "group", "zip"]
MENUS: tuple[Menu, ...] = ("main", "list", "details", "group", "zip")

LIST_SIZE = 3  # meetings read at a time: keys 1-3, which leaves 4 (text) and 5 (zip) free
ZIP_DIGITS = 5
SILENCES_TO_HANG_UP = 2  # in a row

Intent = Literal[
    "meetings",
    "welcome",
    "agreements",
    "text",
    "language",
    "spanish",
    "english",
    "repeat",
    "menu",
    "more",
    "zip",
    "list",
    "goodbye",
    "talk",
]

# Keys at each menu. In the list, 1 to LIST_SIZE also pick a meeting; at zip, five digits.
KEYS: dict[Menu, dict[str, Intent]] = {
    "main": {
        "1": "meetings",
        "2": "welcome",
        "3": "agreements",
        "4": "text",
        "7": "talk",
        "9": "language",
        "0": "repeat",
        "*": "menu",
    },
    "list": {"4": "text", "5": "zip", "6": "more", "0": "repeat", "*": "menu"},
    "details": {
        "1": "list",
        "2": "welcome",
        "3": "agreements",
        "4": "text",
        "0": "repeat",
        "*": "menu",
    },
    "group": {
        "1": "meetings",
        "2": "welcome",
        "3": "agreements",
        "4": "text",
        "9": "language",
        "0": "repeat",
        "*": "menu",
    },
    "zip": {"*": "menu"},
}

# Spoken words, in either language, whatever the menu.
SPOKEN: dict[str, Intent] = {}
for _intent, _words in {
    "meetings": "MEETINGS MEETING REUNIONES REUNION JUNTAS GRUPOS",
    "welcome": "WELCOME BIENVENIDA",
    "agreements": "AGREEMENTS AGREEMENT ACUERDOS ACUERDO",
    "text": "TEXT TEXTS TEXTING MESSAGE SMS MENSAJE MENSAJES TEXTO",
    "spanish": "SPANISH ESPANOL CASTELLANO",
    "english": "ENGLISH INGLES",
    "repeat": "REPEAT AGAIN REPETIR REPITE REPITA",
    "menu": "MENU MAIN INICIO PRINCIPAL",
    "more": "MORE NEXT MAS SIGUIENTE SIGUIENTES",
    "zip": "ZIP POSTAL CODIGO",
    "list": "LIST LISTA BACK VOLVER REGRESAR",
    "goodbye": "GOODBYE BYE ADIOS",
    "talk": "TALK HABLAR PEER PERSON PERSONA",
}.items():
    for _word in _words.split():
        SPOKEN[_word] = _intent  # type: ignore[assignment]

NUMBER_WORDS = {
    **dict.fromkeys(("ZERO", "OH", "CERO"), "0"),
    **dict.fromkeys(("ONE", "UNO", "UNA", "FIRST", "PRIMERA", "PRIMERO"), "1"),
    **dict.fromkeys(("TWO", "DOS", "SECOND", "SEGUNDA", "SEGUNDO"), "2"),
    **dict.fromkeys(("THREE", "TRES", "THIRD", "TERCERA", "TERCERO"), "3"),
    **dict.fromkeys(("FOUR", "CUATRO"), "4"),
    **dict.fromkeys(("FIVE", "CINCO"), "5"),
    **dict.fromkeys(("SIX", "SEIS"), "6"),
    **dict.fromkeys(("SEVEN", "SIETE"), "7"),
    **dict.fromkeys(("EIGHT", "OCHO"), "8"),
    **dict.fromkeys(("NINE", "NUEVE"), "9"),
}


@dataclass(frozen=True)
class Position:
    """Where a call is: carried in the action URL of each menu."""

    menu: Menu = "main"
    language: Language = "en"
    base: int = 0  # list: meetings listed before the first one read now
    count: int = 0  # list: meetings read now (keys 1..count)
    more: bool = False  # list: whether more meetings would follow
    item: int = 0  # details: the meeting's number on the list
    what: str = ""  # group: "welcome" or "agreements"
    quiet: int = 0  # silences in a row before this prompt

    def with_(self, **changes: object) -> Position:
        """A copy of this position with `changes` applied (dataclasses.replace); TypeError for
        an unknown field."""
        return replace(self, **changes)  # type: ignore[arg-type]

    def params(self) -> dict[str, str]:
        """Query parameters for the action URL (defaults left out)."""
        out = {"lang": self.language}
        for name, value in (
            ("b", self.base),
            ("c", self.count),
            ("more", int(self.more)),
            ("i", self.item),
            ("quiet", self.quiet),
        ):
            if value:
                out[name] = str(value)
        if self.what:
            out["w"] = self.what
        return out

    @classmethod
    def parse(cls, menu: str, params: Mapping[str, str]) -> Position:
        """Read a position back; anything unreadable falls back to a safe default."""

        def number(name: str, high: int) -> int:
            raw = str(params.get(name, "0"))
            return min(int(raw), high) if raw.isdigit() and len(raw) <= 4 else 0

        language = params.get("lang", "en")
        what = params.get("w", "")
        return cls(
            menu=menu if menu in MENUS else "main",  # type: ignore[arg-type]
            language=language if language in LANGUAGES else "en",  # type: ignore[arg-type]
            base=number("b", 200),
            count=number("c", LIST_SIZE),
            more=params.get("more") == "1",
            item=number("i", 200),
            what=what if what in ("welcome", "agreements") else "",
            quiet=number("quiet", SILENCES_TO_HANG_UP),
        )


@dataclass(frozen=True)
class Run:
    """Run a command through the participant flow and read what it replies."""

    command: str
    rewind: int | None = None  # first keep only this many listed meetings (re-read, MORE)


@dataclass(frozen=True)
class TextMe:
    """Text the caller what this participant command replies (the list, or details)."""

    command: str
    what: Literal["list", "details"]
    rewind: int | None = None


@dataclass(frozen=True)
class Ask:
    """Say `lead` (a voice catalog key), if any, then the menu at `position`."""

    position: Position
    lead: str | None = None


@dataclass(frozen=True)
class Goodbye:
    lead: str | None = None


@dataclass(frozen=True)
class Talk:
    """Ring the peer line's volunteers on shift; the caller comes back to `position`."""

    position: Position


Choice = Run | TextMe | Ask | Goodbye | Talk


@dataclass(frozen=True)
class Heard:
    intent: Intent
    word: str  # the word as recognised, normalised ("REUNIONES")
    filters: tuple[str, ...] = ()  # TODAY, ONLINE, a zip: words that narrow MEETINGS


def _tokens(speech: str) -> list[str]:
    return [t for t in normalise(speech or "")[:200].replace(",", " ").split() if t]


def _word_intent(token: str) -> Intent | None:
    if token in SPOKEN:
        return SPOKEN[token]
    if len(token) >= 5:  # recognisers mangle words too: "AGREEMENT'S", "REUNIONS"
        close = difflib.get_close_matches(token, SPOKEN.keys(), n=1, cutoff=0.8)
        if close:
            return SPOKEN[close[0]]
    return None


def hear(speech: str) -> Heard | None:
    """The first menu word in what the caller said, with any MEETINGS filters."""
    tokens = _tokens(speech)
    for token in tokens:
        intent = _word_intent(token)
        if intent is not None:
            filters = tuple(
                t
                for t in tokens
                if t in TODAY_WORDS
                or t in TOMORROW_WORDS
                or t in ONLINE_WORDS
                or (t.isdigit() and len(t) == ZIP_DIGITS)
            )
            return Heard(intent, token, filters)
    return None


def spoken_digits(speech: str) -> str:
    """Digits in what was said: "2", "two", "zero one zero six zero", "01060"."""
    out = []
    for token in _tokens(speech):
        token = token.strip(".#")
        if token.isdigit():
            out.append(token)
        elif token in NUMBER_WORDS:
            out.append(NUMBER_WORDS[token])
    return "".join(out)


def choose(position: Position, digits: str = "", speech: str = "") -> Choice:
    """What to do with one answer to the menu at `position`."""
    pressed = "".join(c for c in digits or "" if c in "0123456789*#")
    if not pressed and not _tokens(speech):
        return _silence(position)
    here = position.with_(quiet=0)
    if here.menu == "zip":
        return _zip(here, pressed, speech)
    heard = None
    if not pressed:
        if len(spoken_digits(speech)) == ZIP_DIGITS:  # "zip code zero one zero six zero"
            return Run(spoken_digits(speech))
        heard = hear(speech)
        if heard is None or (here.menu == "list" and spoken_digits(speech)):
            pressed, heard = spoken_digits(speech)[:1], None
            if not pressed:
                return Ask(here, "not_understood")
    if heard is not None:
        return _act(here, heard.intent, heard.word, heard.filters)
    if here.menu == "list" and pressed.isdigit() and 1 <= int(pressed) <= LIST_SIZE:
        if int(pressed) > here.count:
            return Ask(here, "not_an_option")
        return Run(str(here.base + int(pressed)))
    intent = KEYS[here.menu].get(pressed)
    if intent is None:
        return Ask(here, "not_an_option")
    return _act(here, intent)


def _silence(position: Position) -> Choice:
    quiet = position.quiet + 1
    if quiet >= SILENCES_TO_HANG_UP:
        return Goodbye()
    return Ask(position.with_(quiet=quiet), "silence")


def _zip(here: Position, pressed: str, speech: str) -> Choice:
    heard = None if pressed else hear(speech)
    if "*" in pressed or (heard is not None and heard.intent == "menu"):
        return Run("MENU")
    entered = pressed.replace("#", "") if pressed else spoken_digits(speech)
    if len(entered) == ZIP_DIGITS and entered.isdigit():
        return Run(entered)  # the participant flow reads five digits as a zip code
    return Ask(here, "zip_bad")


def _act(
    here: Position, intent: Intent, word: str | None = None, filters: tuple[str, ...] = ()
) -> Choice:
    menu = here.menu
    # A Spanish word goes to the participant flow as said: a first one answers in Spanish.
    said = word if word in SPANISH_WORDS else None
    if intent == "meetings":
        return Run(" ".join((said or "MEETINGS", *filters)))
    if intent in ("welcome", "agreements"):
        return Run(said or intent.upper())
    if intent == "text":
        if menu == "list":
            return TextMe("MORE", "list", rewind=0)
        if menu == "details":
            return TextMe(str(here.item), "details")
        return TextMe("MEETINGS", "list")
    if intent == "language":
        return Run("ENGLISH" if here.language == "es" else "ESPANOL")
    if intent in ("spanish", "english"):
        return Run("ESPANOL" if intent == "spanish" else "ENGLISH")
    if intent == "repeat":
        return _repeat(here)
    if intent == "more" and menu == "list":
        return Run("MORE", rewind=here.base + here.count)
    if intent == "zip":
        return Ask(Position("zip", here.language))
    if intent == "list":
        if menu in ("list", "details"):
            return Run("MORE", rewind=here.base)
        return Run("MEETINGS")
    if intent == "goodbye":
        return Goodbye()
    if intent == "talk":  # "hablar" from the English menu: the call goes on in Spanish
        return Talk(Position("main", "es" if said else here.language))
    if intent == "menu":
        return Run("MENU")
    return Ask(here, "not_understood")


def _repeat(here: Position) -> Choice:
    if here.menu == "list":
        return Run("MORE", rewind=here.base)  # the same meetings again, from the same search
    if here.menu == "details" and here.item:
        return Run(str(here.item))
    if here.menu == "group" and here.what:
        return Run(here.what.upper())
    return Run("MENU")


def rewind(session: Session, keep: int | None) -> Session:
    """The session as if only the first `keep` listed meetings had been read."""
    if keep is None:
        return session
    return session.with_(listed=session.listed[:keep])


def settle(
    position: Position, session: Session, replies: tuple[Reply, ...]
) -> tuple[Session, Position]:
    """The call's session and position after the participant flow replied.

    A list is read LIST_SIZE meetings at a time, so the session keeps only the meetings
    read: MORE then goes on from the next one, and numbers mean what the caller heard."""
    language = session.language
    for reply in replies:
        if isinstance(reply, MeetingList) and reply.items:
            base = reply.items[0].number - 1
            count = min(LIST_SIZE, len(reply.items))
            more = reply.more or len(reply.items) > count
            read = session.with_(listed=session.listed[: base + count])
            return read, Position("list", language, base, count, more)
        if isinstance(reply, MeetingDetails):
            return session, position.with_(
                menu="details", language=language, item=reply.number, what="", quiet=0
            )
        if isinstance(reply, GroupText):
            return session, Position("group", language, what=reply.which)
        if isinstance(reply, Text) and reply.key == "menu":
            return session, Position("main", language)
    # Anything else (nothing found, no such number): the same menu again.
    return session, position.with_(language=language, quiet=0)


def transitions() -> Iterator[tuple[str, str, str]]:
    """(menu, key, where it leads): the voice menus as a diagram."""
    leads = {
        "meetings": "list",
        "welcome": "group",
        "agreements": "group",
        "language": "main",
        "spanish": "main",
        "english": "main",
        "menu": "main",
        "more": "list",
        "zip": "zip",
        "list": "list",
        "goodbye": "hangup",
        "talk": "peer line (Dial)",
    }
    for menu in MENUS:
        if menu == "list":
            yield menu, f"1-{LIST_SIZE}", "details"
        if menu == "zip":
            yield menu, f"{ZIP_DIGITS} digits", "list"
        for key, intent in KEYS[menu].items():
            if intent == "text":
                yield menu, key, f"{menu} (texted)"
            elif intent == "repeat":
                yield menu, key, menu
            else:
                yield menu, key, leads[intent]
        yield menu, "silence x2", "hangup"
