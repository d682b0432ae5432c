"""SMS encoding: fold text into GSM-7 where we can, and count the segments it costs."""

from __future__ import annotations

import math
import unicodedata
from functools import lru_cache

import gsm0338  # noqa: F401  (registers the "gsm03.38" codec)

GSM_SINGLE = 160
GSM_PART = 153
UCS2_SINGLE = 70
UCS2_PART = 67

# What carriers' "smart encoding" would do, done here so we know the cost before sending.
_FOLDS: dict[str, str] = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201b": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u00ab": '"',
    "\u00bb": '"',
    "\u2013": "-",
    "\u2014": "-",
    "\u2212": "-",
    "\u2010": "-",
    "\u2011": "-",
    "\u2026": "...",
    "\u00a0": " ",
    "\u2009": " ",
    "\u200b": "",
    "\u2022": "-",
    "\u00b4": "'",
    "`": "'",
}


def _alphabet() -> tuple[frozenset[str], frozenset[str]]:
    """GSM 03.38's characters, read once from the codec: (all of them, those that cost two
    septets because they need the escape)."""
    basic = {bytes([i]).decode("gsm03.38", errors="ignore") for i in range(128) if i != 0x1B}
    extended = {bytes([0x1B, i]).decode("gsm03.38", errors="ignore") for i in range(128)}
    basic.discard("")
    extended = {c for c in extended if len(c) == 1 and c not in basic}
    return frozenset(basic | extended), frozenset(extended)


GSM_CHARACTERS, GSM_EXTENDED = _alphabet()


def is_gsm(text: str) -> bool:
    """True if every character of `text` is in the GSM-7 alphabet (basic or extension
    table, 3GPP TS 23.038), so it goes at 160/153 characters a segment."""
    return GSM_CHARACTERS.issuperset(text)


@lru_cache(maxsize=4096)  # one entry per character met outside GSM-7: few, and often again
def _fold_char(ch: str) -> str:
    if is_gsm(ch):
        return ch
    base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    if base and is_gsm(base):
        return base
    return ""  # emoji and the like: dropped rather than turning the text into UCS-2


# Acute accents GSM-7 has (é, É): kept in a text that needs no folding, folded with the rest
# in a text that loses any other accent, so no text is half-accented ("Qué ... linea").


def loses_an_accent(text: str) -> bool:
    """Whether folding `text` drops an accent from a letter (á→a, Ó→O): a letter outside
    GSM-7 whose base letter is in it."""
    return any(ch not in _FOLDS and _fold_char(ch).isalpha() for ch in _outside(text))


def _outside(text: str) -> set[str]:
    """The characters of `text` outside GSM-7 (each once)."""
    return set(text).difference(GSM_CHARACTERS)


def to_gsm(text: str) -> str:
    """Fold to GSM-7: á→a, curly quotes→straight, dashes→-, drop what has no equivalent.

    Consistent, per message: a text that keeps all its accents keeps é; a text that loses
    one (á í ó ú, from a catalog word, a meeting's name or a group's own words) loses every
    acute accent, é included, and reads as plain unaccented Spanish rather than half-accented.
    ñ, ü, ¿ and ¡ are letters and punctuation of GSM-7 and always stay."""
    outside = _outside(text)
    if not outside:  # most texts: nothing to fold
        return text
    if any(ch not in _FOLDS and _fold_char(ch).isalpha() for ch in outside):  # loses an accent
        text = text.replace("é", "e").replace("É", "E")
    # Each character outside GSM-7 becomes GSM-7 (or nothing), never é: the order is free.
    for ch in outside:
        text = text.replace(ch, _FOLDS[ch] if ch in _FOLDS else _fold_char(ch))
    return text


def without_dropped(text: str) -> str:
    """`text` with what to_gsm would drop taken out now (emoji, and the joiners and variation
    selectors around them), so that the spaces they leave can be tidied before sending;
    everything else is left for to_gsm to fold."""
    for ch in _outside(text):
        if ch not in _FOLDS and not _fold_char(ch):
            text = text.replace(ch, "")
    return text


def septets(text: str) -> int:
    """The septets `text` costs in GSM-7: 1 a character, 2 for the extension table's."""
    return len(text) + sum(text.count(c) for c in GSM_EXTENDED)


def segments(text: str) -> int:
    """How many SMS segments `text` costs as sent (GSM-7 if it can be, else UCS-2)."""
    if is_gsm(text):
        n = septets(text)
        return 1 if n <= GSM_SINGLE else math.ceil(n / GSM_PART)
    units = len(text.encode("utf-16-le")) // 2
    return 1 if units <= UCS2_SINGLE else math.ceil(units / UCS2_PART)


def dropped(text: str) -> str:
    """The characters folding drops from `text` (to_gsm: emoji and the like, which GSM-7 has
    no equivalent for), each once, in the order they first appear; "" when none are."""
    gone = [ch for ch in dict.fromkeys(text) if ch not in GSM_CHARACTERS and ch not in _FOLDS]
    # Joiners, variation selectors and combining marks go too, but show nothing on their own.
    shown = (ch for ch in gone if unicodedata.category(ch) not in ("Cf", "Mn", "Me", "Mc"))
    return "".join(ch for ch in shown if not _fold_char(ch))


def mostly_dropped(text: str) -> bool:
    """Whether `text`, folded (to_gsm), would arrive blank or having lost most of what was
    written: more of its non-space characters dropped than kept. A text like that is refused
    where coordinators write (a group's texts, a broadcast) rather than sent nearly empty."""
    written = [ch for ch in text if not ch.isspace() and ch != "\u200b"]
    if not written:
        return False  # nothing was written: the caller's own "empty" check says so
    kept = [ch for ch in written if ch in GSM_CHARACTERS or ch in _FOLDS or _fold_char(ch)]
    return not to_gsm(text).strip() or len(kept) * 2 < len(written)
