"""The vocabulary's edges: ordinary English never becomes a command or Spanish, and the
words people type in either language are read as meant."""

from __future__ import annotations

import pytest

from flows.keywords import parse, text_language

ORDINARY_ENGLISH = (
    "ok", "okay", "thanks", "thank you", "cool", "great", "sure", "maybe", "later", "lol",
    "who is this", "wrong number", "record", "cancer", "forgot", "singles", "remember",
    "agree", "states", "stopped", "ending", "quitting", "meet", "sorry", "good morning",
    "what time is it", "where", "nothing", "noted", "statue", "broad", "cancelled", "endless",
    "stoplight", "rewind", "alto sax", "bajar", "recorder", "forget it all",
)  # fmt: skip
HARMLESS = {"UNKNOWN", "MENU", "OPTOUT_HINT"}


@pytest.mark.parametrize("text", ORDINARY_ENGLISH)
def test_ordinary_english_is_never_a_command_nor_spanish(text: str) -> None:
    command = parse(text)
    if text == "forget it all":  # FORGET only asks; it never acts without a YES
        assert command.word == "FORGET"
    else:
        assert command.word in HARMLESS, command
    assert not command.spanish and not command.confirm


@pytest.mark.parametrize(
    ("text", "word", "args"),
    [
        ("hi", "MENU", ()),
        ("MEETINGS!!", "MEETINGS", ()),
        ("¿reuniones?", "MEETINGS", ()),
        ("reunines", "MEETINGS", ()),
        ("ayudame", "HELP", ()),
        ("bienbenida", "WELCOME", ()),
        ("reuniones para hoy", "MEETINGS", ("PARA", "HOY")),
        ("por zoom", "MEETINGS", ("ZOOM",)),
        ("la de mañana", "MEETINGS", ("MANANA",)),
        ("esta noche", "MEETINGS", ("NOCHE",)),
        ("NO RECORDAR", "NOREMIND", ()),
        ("no recordar 2", "NOREMIND", ("2",)),
        ("CANCEL 2", "CANCEL", ("2",)),
        ("CANCEL 2 2026-12-01", "CANCEL", ("2", "2026-12-01")),
        ("I want to stop drinking", "OPTOUT_HINT", ("I", "WANT", "STOP", "DRINKING")),
    ],
)
def test_words_people_type(text: str, word: str, args: tuple[str, ...]) -> None:
    command = parse(text)
    assert (command.word, command.args) == (word, args)


def test_broadcast_keeps_the_text_as_typed_after_the_word() -> None:
    assert parse("please BROADCAST  Room 3, 6pm!").rest == "Room 3, 6pm!"
    assert parse("BROADCAST We moved 🎉").rest == "We moved 🎉"
    assert parse("👉 BROADCAST  We moved").rest == "We moved"
    assert parse("EXERCISE").rest == ""


@pytest.mark.parametrize("text", ["STOP", "stop", " Stop. ", "CANCEL", "END", "quit", "OPTOUT"])
def test_carrier_words_are_left_to_the_carrier_to_confirm(text: str) -> None:
    assert parse(text) == parse("STOP")
    assert not parse(text).confirm


@pytest.mark.parametrize("text", ["stop all", "opt-out", "Un-Subscribe", "STOP 🛑"])
def test_other_spellings_opt_out_and_are_confirmed_by_the_line(text: str) -> None:
    command = parse(text)
    assert command.word == "OPTOUT" and command.confirm and not command.spanish


@pytest.mark.parametrize("text", ["ALTO", "parar", "Baja!", "CANCELAR", "no más", "NO MAS"])
def test_spanish_stop_words_opt_out_and_are_confirmed_in_spanish(text: str) -> None:
    command = parse(text)
    assert command.word == "OPTOUT" and command.confirm and command.spanish


@pytest.mark.parametrize(
    "text",
    ["ALTO por favor", "basta", "Basta ya!", "ya no", "ya no quiero mensajes", "para", "Para!"],
)
def test_spanish_requests_to_stop_in_a_sentence_get_the_spanish_hint(text: str) -> None:
    command = parse(text)
    assert command.word == "OPTOUT_HINT" and command.spanish


@pytest.mark.parametrize("text", ["Palo Alto", "para hoy", "ya no hay reuniones en Holyoke?"])
def test_ordinary_words_that_can_mean_stop_stay_ordinary(text: str) -> None:
    assert parse(text).word != "OPTOUT_HINT"


@pytest.mark.parametrize("text", ["ola", "Ola!", "holi", "hii", "helo"])
def test_short_greeting_typos_are_greetings(text: str) -> None:
    assert parse(text).word == "MENU"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Late Night Recovery Circle", "en"),
        ("Harm Reduction Works Peer Meeting", "en"),
        ("Room 3, upstairs; use the back door", "en"),
        ("Grupo de Apoyo Mujeres", "es"),
        ("Círculo de la Esperanza", "es"),
        ("Reunión de reducción de daños", "es"),
        ("Sala 3, segundo piso", "es"),
        ("Northampton", None),
        ("Zoom 123 456", None),
    ],
)
def test_text_language_judges_a_name_from_its_own_words(text: str, language: str | None) -> None:
    assert text_language(text) == language
