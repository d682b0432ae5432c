"""to_gsm folds only the characters outside GSM-7, in one pass per character: it must give
exactly what the plain per-character rule gives (README "Texts": fold, never UCS-2)."""

from __future__ import annotations

import random
import unicodedata

from flows import gsm


def _reference_fold_char(ch: str) -> str:
    if gsm.is_gsm(ch):
        return ch
    base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    return base if base and gsm.is_gsm(base) else ""


def _reference(text: str) -> str:
    """The rule as written in to_gsm's docstring, one character at a time."""
    text = "".join(gsm._FOLDS.get(ch, ch) for ch in text)
    if gsm.is_gsm(text):
        return text
    if any(not gsm.is_gsm(ch) and _reference_fold_char(ch).isalpha() for ch in text):
        text = text.replace("é", "e").replace("É", "E")
    return "".join(_reference_fold_char(ch) for ch in text)


ALPHABET = list("abcABC 019\n€[]{}~^|\\éÉáíóúñÑü¿¡“”‘’—–…😀\u00a0\u200bßçÇøÅ`´êÊ•«»")


def test_to_gsm_agrees_with_the_per_character_rule() -> None:
    rng = random.Random(7)
    for _ in range(20_000):
        text = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 40)))
        assert gsm.to_gsm(text) == _reference(text), repr(text)


def test_septets_count_extension_characters_twice() -> None:
    assert gsm.septets("a€[b") == 6
    assert gsm.septets("") == 0


def test_known_folds() -> None:
    assert gsm.to_gsm("Reunión “abierta” — café…") == 'Reunion "abierta" - cafe...'
    assert gsm.to_gsm("café ñ ¿sí?") == "cafe ñ ¿si?"
    assert gsm.to_gsm("café ñ") == "café ñ"  # nothing else lost: é stays
    assert gsm.to_gsm("hi 😀") == "hi "


def test_a_broadcast_keeps_no_doubled_or_trailing_space_where_an_emoji_was() -> None:
    from flows.render_sms import broadcast_text

    for message, sent in [
        ("Meeting \U0001f389 tonight at 7 \U0001f64f", "Meeting tonight at 7"),
        (
            "Family night \U0001f468\u200d\U0001f469\u200d\U0001f467 \u2764\ufe0f see you",
            "Family night see you",
        ),
        ("\U0001f44b Hello  all", "Hello all"),
        ("Caf\u00e9 \u2615 at 6", "Café at 6"),
    ]:
        first_line = broadcast_text("en", "Springfield Group", message).split("\n")[0]
        assert first_line == f"Springfield Group: {sent}", message


def test_a_groups_own_text_keeps_no_gap_where_an_emoji_was() -> None:
    from flows.render_sms import render
    from flows.replies import GroupText

    reply = GroupText("welcome", "Welcome \U0001f31f to our circle \U0001f64f", "in_person", "Oak")
    said = render((reply,), "en", None, None)  # type: ignore[arg-type]
    assert said.startswith("Oak") and "Welcome to our circle\n" in said, said
