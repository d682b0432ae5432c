"""Turn a text into a command: the one place that knows the vocabulary."""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass

# Whole-message carrier words (contract).
OPT_OUT_WORDS = frozenset(
    {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"}
)
OPT_IN_WORDS = frozenset({"START", "UNSTOP", "YES"})

# First word → command. Spanish words are accepted too, so nobody needs English to start.
_WORDS: dict[str, str] = {}
for command, words in {
    "MEETINGS": "MEETINGS MEETING MTGS MTG REUNIONES REUNION JUNTAS GRUPOS",
    "MORE": "MORE NEXT MAS SIGUIENTE",
    "WELCOME": "WELCOME BIENVENIDA",
    "AGREEMENTS": "AGREEMENTS AGREEMENT ACUERDOS",
    "REMIND": "REMIND REMINDER RECORDAR RECORDATORIO",
    "NOREMIND": "NOREMIND NORECORDAR",
    "HELP": "HELP INFO AYUDA",
    "MENU": "MENU HI HELLO HEY HOLA",
    "ESPANOL": "ESPANOL SPANISH CASTELLANO",
    "ENGLISH": "ENGLISH INGLES",
    "FORGET": "FORGET OLVIDAR BORRAR",
    "YES": "YES SI",
    "NO": "NO",
    "EXERCISE": "EXERCISE EJERCICIO",
    "BROADCAST": "BROADCAST",
    "CANCEL": "CANCEL",
    "STATUS": "STATUS",
}.items():
    for word in words.split():
        _WORDS[word] = command

SPANISH_WORDS = frozenset(
    [
        "REUNIONES",
        "REUNION",
        "JUNTAS",
        "GRUPOS",
        "MAS",
        "SIGUIENTE",
        "BIENVENIDA",
        "ACUERDOS",
        "RECORDAR",
        "RECORDATORIO",
        "NORECORDAR",
        "AYUDA",
        "HOLA",
        "ESPANOL",
        "CASTELLANO",
        "OLVIDAR",
        "BORRAR",
        "SI",
        "EJERCICIO",
    ]
)

# Words in MEETINGS filters.
TODAY_WORDS = frozenset({"TODAY", "TONIGHT", "HOY"})
TOMORROW_WORDS = frozenset({"TOMORROW", "MANANA"})
ONLINE_WORDS = frozenset({"ONLINE", "VIRTUAL", "VIRTUALES", "ZOOM", "LINEA", "INTERNET"})
FILLER_WORDS = frozenset({"NEAR", "IN", "EN", "CERCA", "DE", "AT", "ME"})

_EDGE_PUNCT = " \t\r\n.,;:!?¡¿\"'()[]{}*#-_~/\\|<>"
ZIP_RE = re.compile(r"^(\d{5})(?:-\d{4})?$")


@dataclass(frozen=True)
class Command:
    word: str  # a command above, or NUMBER, ZIP, OPTOUT, OPTOUT_HINT, OPTIN, EMPTY, UNKNOWN
    args: tuple[str, ...] = ()  # normalised words after the first
    rest: str = ""  # the text after the first word, as typed (for BROADCAST and EXERCISE)
    number: int | None = None
    spanish: bool = False  # the command word was Spanish: a hint for a first-time texter


def normalise(text: str) -> str:
    """Upper case, no accents, inner spaces collapsed, punctuation trimmed from the ends."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.upper().split()).strip(_EDGE_PUNCT)


def _word(token: str) -> str | None:
    if token in _WORDS:
        return _WORDS[token]
    if len(token) >= 5:  # forgive a typo in a longer word: "MEETNGS", "AGREMENTS"
        close = difflib.get_close_matches(token, _WORDS.keys(), n=1, cutoff=0.8)
        if close:
            return _WORDS[close[0]]
    return None


def parse(text: str) -> Command:
    whole = normalise(text[:2000])
    if not whole:
        return Command("EMPTY")
    squeezed = whole.replace(" ", "")
    if squeezed in OPT_OUT_WORDS:
        return Command("OPTOUT")
    if squeezed in OPT_IN_WORDS - {"YES"}:
        return Command("OPTIN")
    tokens = [t.strip(_EDGE_PUNCT) for t in whole.split()]
    tokens = [t for t in tokens if t]
    if not tokens:
        return Command("EMPTY")
    first, args = tokens[0], tuple(tokens[1:])
    if first.isdigit() and not args:
        if ZIP_RE.match(first):
            return Command("ZIP", (first,))
        if len(first) <= 3:
            return Command("NUMBER", number=int(first))
    if ZIP_RE.match(first) and not args:
        return Command("ZIP", (first,))
    word = _word(first)
    if word is None:
        if first in OPT_OUT_WORDS:
            return Command("OPTOUT_HINT", args)
        return Command("UNKNOWN")
    rest = text.strip().split(None, 1)
    return Command(
        word, args, rest[1].strip() if len(rest) > 1 else "", spanish=first in SPANISH_WORDS
    )


def first_number(args: tuple[str, ...]) -> int | None:
    """The list number in REMIND 2, NOREMIND 2, CANCEL 2."""
    if args and args[0].lstrip("#").isdigit() and len(args[0].lstrip("#")) <= 3:
        return int(args[0].lstrip("#"))
    return None
