"""Turn a text into a command: the one place that knows the vocabulary.

parse(text) -> Command. Words are matched case- and accent-insensitively, with emoji and
punctuation around each word ignored. Typos in the longer participant words are forgiven
with rapidfuzz (Damerau-Levenshtein); opt-out words, destructive words (FORGET) and the
coordinators' words are matched exactly, so an ordinary word never becomes one of them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein


def _set(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Whole-message carrier words (contract). The carrier itself confirms these.
OPT_OUT_WORDS = frozenset(
    {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"}
)
# Spanish stop words said alone (contract): the carrier does not know them, so the line
# confirms them itself. Matched with spaces and punctuation squeezed out ("NO MÁS" → NOMAS).
SPANISH_OPT_OUT_WORDS = frozenset({"ALTO", "PARAR", "BAJA", "CANCELAR", "NOMAS"})
OPT_IN_WORDS = frozenset({"START", "UNSTOP", "YES"})
# Words that, inside a longer text nobody could otherwise read, earn the hint on how to stop.
_STOPPISH = OPT_OUT_WORDS | {"UNSUB", "CANCELAR", "PARAR", "BAJA", "OPT-OUT", "OPT"}
# Spanish ways to ask to stop that are not the exact stop words said alone ("ALTO por
# favor", "basta", "ya no", "para"): they earn the stop hint in Spanish, never an opt-out.
# ALTO and PARA are also ordinary words ("Palo Alto", "para hoy"), so they count only in a
# text of nothing but them and the courtesy words below.
_SPANISH_STOPPISH = frozenset({"ALTO", "PARAR", "BAJA", "CANCELAR", "BASTA", "PARA", "PAREN"})
_STOP_COURTESY = _set(
    "POR FAVOR PORFA PORFAVOR YA NO MAS GRACIAS YO QUIERO ME MI MIS MENSAJES TEXTOS ME DE "
    "MANDEN ENVIEN ESCRIBAN MANDAR ENVIAR RECIBIR LOS LAS OK"
)

# First word → command. Spanish words are accepted too, so nobody needs English to start.
_WORDS: dict[str, str] = {}
_SPANISH_BY_COMMAND = {
    "MEETINGS": "REUNIONES REUNION JUNTAS JUNTA GRUPOS HORARIOS",
    "MORE": "MAS SIGUIENTE SIGUIENTES",
    "WELCOME": "BIENVENIDA BIENVENIDO",
    "AGREEMENTS": "ACUERDOS ACUERDO",
    "REMIND": "RECORDAR RECORDATORIO RECORDATORIOS RECUERDAME AVISAME",
    "NOREMIND": "NORECORDAR",
    "HELP": "AYUDA AYUDAME",
    # with the short greeting typos ("ola"): too short for the typo rule
    "MENU": "HOLA BUENAS BUENOS OLA HOLAA HOLI HOLIS HLA HOAL",
    "ESPANOL": "ESPANOL CASTELLANO",
    "ENGLISH": "INGLES",
    "FORGET": "OLVIDAR OLVIDAME BORRAR",
    "YES": "SI",
    "EXERCISE": "EJERCICIO",
    "TALK": "HABLAR",
}
_ENGLISH_BY_COMMAND = {
    "MEETINGS": "MEETINGS MEETING MTGS MTG GROUPS",
    "MORE": "MORE NEXT",
    "WELCOME": "WELCOME",
    "AGREEMENTS": "AGREEMENTS AGREEMENT",
    "REMIND": "REMIND REMINDER REMINDERS",
    "NOREMIND": "NOREMIND NOREMINDER NOREMINDERS",
    "HELP": "HELP INFO",
    "MENU": "MENU HI HELLO HEY HII HIYA HELO HELLOO HEYY",
    "ESPANOL": "SPANISH",
    "ENGLISH": "ENGLISH",
    "FORGET": "FORGET",
    "YES": "YES",
    "NO": "NO NOPE NAH",
    "EXERCISE": "EXERCISE",
    "BROADCAST": "BROADCAST",
    "CANCEL": "CANCEL",
    "STATUS": "STATUS",
    "TALK": "TALK",
}
for _table in (_ENGLISH_BY_COMMAND, _SPANISH_BY_COMMAND):
    for _command, _words in _table.items():
        for _w in _words.split():
            _WORDS[_w] = _command

SPANISH_WORDS = frozenset(w for words in _SPANISH_BY_COMMAND.values() for w in words.split())


def word_for(command: str, language: str) -> str:
    """The word people are told to text for `command` ("MEETINGS") in `language` ("en",
    "es"): the first of its words ("MEETINGS", "REUNIONES"). A Spanish word gets Spanish
    answers. Raises KeyError for a command with no word in that language."""
    by_command = _SPANISH_BY_COMMAND if language == "es" else _ENGLISH_BY_COMMAND
    return by_command[command].split()[0]


# Words in MEETINGS filters ("tonight" is what is left of today).
TODAY_WORDS = frozenset({"TODAY", "TONIGHT", "TONITE", "EVENING", "HOY", "NOCHE"})
# "tonight" is today's meetings from the evening on (flows.search.EVENING).
TONIGHT_WORDS = frozenset({"TONIGHT", "TONITE", "EVENING", "NOCHE"})
TOMORROW_WORDS = frozenset({"TOMORROW", "TMRW", "MANANA"})
ONLINE_WORDS = frozenset({"ONLINE", "VIRTUAL", "VIRTUALES", "ZOOM", "LINEA", "INTERNET"})
_SPANISH_FILTERS = frozenset({"HOY", "NOCHE", "MANANA", "VIRTUALES", "LINEA"})
# The small words of a natural request, dropped wherever they stand ("reuniones para hoy",
# "por zoom", "meetings near me", "remind me 2").
FILLER_WORDS = _set(
    "NEAR IN AT ON FOR ME MY TO BY AROUND THIS ANY SOME ARE IS THERE PLEASE PLS PLZ WEEK "
    "WHAT WHEN WHERE EN CERCA DE A AL PARA POR MI HAY QUE UN UNA UNAS UNOS CON ESTA ESTE "
    "SEMANA FAVOR PORFA PORFAVOR CUALES DONDE CUANDO"
)
# Articles: dropped only when nothing but small words is left ("la de mañana"), since they
# are part of town names ("Los Angeles", "El Paso", "The Dalles").
ARTICLES = _set("THE LA LAS EL LOS DEL AN")
# Words before the command that say nothing ("I want meetings", "quiero reuniones").
_LEAD_WORDS = (
    FILLER_WORDS
    | ARTICLES
    | _set(
        "I WANT NEED CAN GET SHOW SEND GIVE FIND SEE KNOW LOOKING QUIERO NECESITO DAME MANDAME "
        "BUSCO BUSCANDO ESTOY SABER VER NUMBER NUMERO"
    )
)
# Words that mark a text as Spanish, and words that mark it as English, for the language a
# text nobody could read gets its hints in.
_SPANISH_MARKERS = (
    SPANISH_WORDS
    | _SPANISH_FILTERS
    | _set(
        "QUIERO NECESITO DONDE HAY QUE PARA POR LOS LAS DEL EL GRACIAS DIAS TARDES NOCHES "
        "COMO ESTA ESTOY SOY UNA CON PERO SON CUANDO CUAL CUALES AQUI YO TENGO PUEDO SABER "
        "QUISIERA BUSCO CERCA MENSAJES FAVOR PORFA INFORMACION HABLAR PERSONA ALGUIEN ESTAN "
        "MI TU ES DE NADA BIEN"
    )
)
_ENGLISH_MARKERS = _set(
    "THE I YOU WHAT WHERE WHEN IS ARE MEETING MEETINGS PLEASE THANKS THANK HI HELLO HOW "
    "CAN WANT NEED TO AND FOR MY IT THIS THAT WITH DO DONT"
)

# Typos are forgiven only in these: the participant words that ask for something harmless.
_EXACT_ONLY = frozenset(
    {"FORGET", "OLVIDAR", "OLVIDAME", "BORRAR", "BROADCAST", "CANCEL", "STATUS", "YES", "SI"}
)
# English words one letter from a keyword: they mean themselves.
_NOT_TYPOS = _set("RECORDER REWIND SINGLES MOORE")
_FUZZY_WORDS = tuple(w for w in _WORDS if len(w) >= 5 and w not in _EXACT_ONLY)
_FUZZY_FILTERS = tuple(w for w in TODAY_WORDS | TOMORROW_WORDS | ONLINE_WORDS if len(w) >= 6)

ZIP_RE = re.compile(r"^(\d{5})(?:-\d{4})?$")
_EDGE_PUNCT = " \t\r\n.,;:!?¡¿\"'()[]{}*#-_~/\\|<>"
# Around a word: punctuation, symbols (emoji), marks, format and space characters.
_NOT_WORD_EDGE = ("P", "S", "M", "C", "Z")


@dataclass(frozen=True)
class Command:
    word: str  # a command above, or NUMBER, ZIP, OPTOUT, OPTOUT_HINT, NOREMIND_HINT, OPTIN,
    # EMPTY, UNKNOWN
    args: tuple[str, ...] = ()  # normalised words after the command word
    rest: str = ""  # the text after the first word, as typed (for BROADCAST and EXERCISE)
    number: int | None = None
    spanish: bool = False  # the text was Spanish: a hint for a first-time texter
    confirm: bool = False  # OPTOUT the carrier does not confirm: the line confirms it


def _trim(token: str) -> str:
    """A token without punctuation, emoji and the like at either end."""
    start, end = 0, len(token)
    while start < end and unicodedata.category(token[start])[0] in _NOT_WORD_EDGE:
        start += 1
    while end > start and unicodedata.category(token[end - 1])[0] in _NOT_WORD_EDGE:
        end -= 1
    return token[start:end]


def normalise(text: str) -> str:
    """Upper case, no accents, inner spaces collapsed, punctuation and emoji trimmed from
    the ends."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _trim(" ".join(plain.upper().split()).strip(_EDGE_PUNCT))


def words(text: str) -> list[str]:
    """The normalised words of a text; a token of only emoji or punctuation is dropped."""
    return [t for t in (_trim(t) for t in normalise(text).split()) if t]


@lru_cache(maxsize=4096)
def _fuzzy(token: str, choices: tuple[str, ...]) -> str | None:
    """The choice one typo away (two for long words) with the same first letter, if any."""
    if len(token) < 5 or not token.isalpha() or token in _NOT_TYPOS:
        return None
    same_start = [c for c in choices if c[0] == token[0]]
    limit = 2 if len(token) >= 8 else 1
    best = process.extractOne(
        token, same_start, scorer=DamerauLevenshtein.distance, score_cutoff=limit
    )
    return best[0] if best else None


def vocabulary_word(token: str) -> str | None:
    """The vocabulary word a token stands for: itself, or the word a typo was made in."""
    if token in _WORDS:
        return token
    if "-" in token and token.replace("-", "") in _WORDS:  # NO-REMIND, NO-RECORDAR
        return token.replace("-", "")
    return _fuzzy(token, _FUZZY_WORDS)


def filter_of(token: str) -> str | None:
    """'today', 'tonight', 'tomorrow' or 'online' for a MEETINGS filter word (typos
    forgiven)."""
    word = token if token in TODAY_WORDS | TOMORROW_WORDS | ONLINE_WORDS else None
    word = word or _fuzzy(token, _FUZZY_FILTERS)
    if word in TONIGHT_WORDS:
        return "tonight"
    if word in TODAY_WORDS:
        return "today"
    if word in TOMORROW_WORDS:
        return "tomorrow"
    if word in ONLINE_WORDS:
        return "online"
    return None


def meaningful(tokens: tuple[str, ...] | list[str]) -> list[str]:
    """The words that say something: small words dropped, and articles too when nothing
    else but small words is left."""
    kept = [t for t in tokens if t not in FILLER_WORDS]
    return [] if all(t in ARTICLES for t in kept) else kept


def looks_spanish(tokens: list[str]) -> bool:
    """Whether a text is clearly Spanish: more Spanish marker words than English ones."""
    spanish = sum(t in _SPANISH_MARKERS or vocabulary_word(t) in SPANISH_WORDS for t in tokens)
    english = sum(t in _ENGLISH_MARKERS for t in tokens)
    return spanish > english


# Words of a meeting's name or notes that say which language it is written in, beyond the
# markers above ("Late Night Recovery Circle", "Grupo de Apoyo Mujeres").
_SPANISH_NAME_WORDS = _set(
    "GRUPO GRUPOS REUNION CIRCULO MUJERES HOMBRES APOYO REDUCCION DANOS Y TARDE MANANA "
    "VIDA NUEVA NUEVO CAMINO ESPERANZA JUNTOS JUNTAS SALA IGLESIA CALLE PISO SEGUNDO PRIMER "
    "VIERNES SABADO DOMINGO LUNES MARTES MIERCOLES JUEVES LATINO LATINA HABLA ESPANOL AL LA "
    "LAS LOS SE PUEDE PUERTA ENTRADA TRASERA ESTACIONAMIENTO GRATIS TODOS BIENVENIDOS"
)
_ENGLISH_NAME_WORDS = _set(
    "OF AND AT IN ON NIGHT LATE MORNING EVENING AFTERNOON RECOVERY CIRCLE GROUP WOMEN MEN "
    "SUPPORT HARM REDUCTION NEW LIFE HOPE TOGETHER ROOM CHURCH STREET FLOOR FRIDAY SATURDAY "
    "SUNDAY MONDAY TUESDAY WEDNESDAY THURSDAY PEER PEERS ONLINE DOOR BACK FRONT PARKING FREE "
    "ALL WELCOME OPEN FOCUSED BASEMENT HALL CENTER CENTRE SPEAKS SPANISH ENGLISH YOUNG PEOPLE "
    "QUEER FOLKS FAMILY FRIENDS SAFE SPACE LUNCH BREAKFAST ENTRANCE USE EACH PLEASE"
)
_SPANISH_LETTERS = frozenset("ñÑáéíóúÁÉÍÓÚ¿¡")
_SPANISH_ENDINGS = ("CION", "CIONES", "DAD", "DADES", "MENTE")
_ENGLISH_ENDINGS = ("ING", "TION", "TIONS", "SHIP", "NESS", "WAY")


def text_language(value: str) -> str | None:
    """The language a short text (a meeting's name or notes) is written in, judged from the
    text alone: "en", "es", or None when it gives no sign (a place name, a number). Signs:
    Spanish letters (ñ, accents, ¿ ¡), common words of each language, and word endings
    (-ción, -dad against -ing, -tion). Pure; never raises."""
    tokens = words(value[:500])
    spanish = 2 * sum(ch in _SPANISH_LETTERS for ch in value[:500])
    english = 0
    for token in tokens:
        if token in _SPANISH_NAME_WORDS or token in _SPANISH_MARKERS:
            spanish += 1
        elif token in _ENGLISH_NAME_WORDS or token in _ENGLISH_MARKERS:
            english += 1
        elif len(token) > 4 and token.endswith(_SPANISH_ENDINGS):
            spanish += 1
        elif len(token) > 4 and token.endswith(_ENGLISH_ENDINGS):
            english += 1
    if spanish == english:
        return None
    return "es" if spanish > english else "en"


def _spanish_stop_request(tokens: list[str]) -> bool:
    """Whether a text asks, in Spanish, to stop: a Spanish stop word with nothing but
    courtesy words around it ("ALTO por favor", "basta ya", "para"), or "ya no" alone or
    with them ("ya no quiero mensajes")."""
    if any(t in _SPANISH_STOPPISH for t in tokens):
        return all(t in _SPANISH_STOPPISH or t in _STOP_COURTESY for t in tokens)
    saying_no_more = any(a == "YA" and b == "NO" for a, b in pairwise(tokens))
    return saying_no_more and all(t in _STOP_COURTESY for t in tokens)


def _after(text: str, word: str) -> str:
    """The text as typed after the first token that reads as `word` (for BROADCAST and
    EXERCISE); empty when there is none."""
    raw = text.strip().split()
    for i, token in enumerate(raw):
        if _trim(normalise(token)) == word:
            parts = text.strip().split(None, i + 1)
            return parts[i + 1].strip() if len(parts) > i + 1 else ""
    return ""


def _merge_pairs(tokens: list[str]) -> list[str]:
    """Two-word forms of one word: NO RECORDAR, NO REMIND."""
    merged: list[str] = []
    for token in tokens:
        if merged and merged[-1] == "NO" and "NO" + token in _WORDS:
            merged[-1] = "NO" + token
        else:
            merged.append(token)
    return merged


def parse(text: str) -> Command:
    """The command a text asks for (README, "What people can text"): a `Command` whose word is a
    menu word or NUMBER, ZIP, OPTOUT, OPTOUT_HINT, NOREMIND_HINT, OPTIN, EMPTY or UNKNOWN.

    Reads at most the first 2000 characters; never raises. Opt-out words follow Twilio's
    default keywords ("Twilio support for opt-out keywords"); a spelling the carrier does not
    confirm itself gets `confirm=True`."""
    tokens = words(text[:2000])
    if not tokens:
        return Command("EMPTY")
    squeezed = "".join(c for c in "".join(tokens) if c.isalnum())
    if squeezed in OPT_OUT_WORDS:
        # The carrier confirms its own words as typed; a spelling it does not know
        # ("stop all", "opt-out") is confirmed by the line, so nobody opts out in silence.
        exact = text.strip().strip(".!").upper() in OPT_OUT_WORDS
        return Command("OPTOUT", confirm=not exact)
    if squeezed in SPANISH_OPT_OUT_WORDS:
        return Command("OPTOUT", spanish=True, confirm=True)
    if squeezed in OPT_IN_WORDS - {"YES"}:
        return Command("OPTIN")
    if _spanish_stop_request(tokens):
        return Command("OPTOUT_HINT", tuple(meaningful(tokens)), spanish=True)
    tokens = _merge_pairs(tokens)
    spanish_text = looks_spanish(tokens)
    lead = 0
    while lead < len(tokens) - 1 and tokens[lead] in _LEAD_WORDS:
        lead += 1
    first, args = tokens[lead], tuple(tokens[lead + 1 :])
    said = tuple(meaningful(args))
    no_mas = any(a == "NO" and b == "MAS" for a, b in pairwise(tokens))
    if no_mas and first == "NO":  # "no más mensajes": a sentence about stopping
        return Command("OPTOUT_HINT", said, spanish=True)
    hint = _english_stop_hint(first, tokens[lead + 1 :])
    if hint is not None:
        return Command(hint, said)
    if first.lstrip("#").isdigit() and not said:
        digits = first.lstrip("#")
        if ZIP_RE.match(digits):
            return Command("ZIP", (digits,), spanish=spanish_text)
        if len(digits) <= 3:
            return Command("NUMBER", number=int(digits), spanish=spanish_text)
    if ZIP_RE.match(first) and not said:
        return Command("ZIP", (first[:5],), spanish=spanish_text)
    vocab = vocabulary_word(first)
    if vocab is not None:
        spanish = vocab in SPANISH_WORDS or (vocab == "NO" and spanish_text)
        return Command(_WORDS[vocab], args, _after(text, first), None, spanish)
    content = meaningful(tokens)
    filters = [t for t in content if t not in ARTICLES]
    if filters and all(filter_of(t) or ZIP_RE.match(t) for t in filters):
        # Said alone, TODAY, ONLINE or a zip code mean MEETINGS with them.
        spanish = spanish_text or any(t in _SPANISH_FILTERS for t in content)
        return Command("MEETINGS", tuple(filters), spanish=spanish)
    if no_mas or any(t in _STOPPISH for t in tokens):
        return Command("OPTOUT_HINT", tuple(content), spanish=spanish_text)
    return Command("UNKNOWN", tuple(content), spanish=spanish_text)


_REMINDER_WORDS = frozenset({"REMIND", "REMINDER", "REMINDERS", "REMINDS"})
_ENDING_WORDS = frozenset({"CANCEL", "STOP", "END", "QUIT", "UNSUBSCRIBE", "UNSUB"})


def _english_stop_hint(first: str, rest: list[str]) -> str | None:
    """English sentences about stopping that are not a carrier word: "no more (texts)"
    earns the stop hint (OPTOUT_HINT), "cancel my reminders" the NOREMIND one
    (NOREMIND_HINT); None for anything else."""
    if first == "NO" and rest[:1] == ["MORE"]:
        return "OPTOUT_HINT"
    if first in _ENDING_WORDS and any(t in _REMINDER_WORDS for t in rest):
        return "NOREMIND_HINT"
    return None


def first_number(args: tuple[str, ...]) -> int | None:
    """The list number in REMIND 2, NOREMIND #2, CANCEL 2, RECORDAR LA 2."""
    said = meaningful(args) or list(args)
    if said and said[0].lstrip("#").isdigit() and len(said[0].lstrip("#")) <= 3:
        return int(said[0].lstrip("#"))
    return None
