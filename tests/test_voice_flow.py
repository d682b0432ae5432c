"""The voice menus and spoken rendering, pure: a frozen clock, no servers."""

from __future__ import annotations

import string
from dataclasses import replace
from datetime import datetime, time

import pytest

from flows import dispatch, voice
from flows import render_voice as rv
from flows.model import Directory, Group
from flows.occurrences import occurrence_on
from flows.replies import MeetingDetails
from flows.session import Session
from flows.texts import voice_en, voice_es
from flows.voice import Ask, Goodbye, Position, Run, TextMe
from tests.flow_world import GROUPS, MEETINGS, context, directory

TUESDAY = datetime.fromisoformat("2026-11-24T15:00:00-05:00")
MONDAY = datetime.fromisoformat("2026-11-23T09:00:00-05:00")

MAIN = Position("main", "en")
LIST = Position("list", "en", base=0, count=3, more=True)
PAGE_TWO = Position("list", "en", base=3, count=2, more=False)
DETAILS = Position("details", "en", base=3, count=2, item=5)
GROUP = Position("group", "es", what="agreements")
ZIP = Position("zip", "en")


# --- choosing -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "position, digits, speech, expected",
    [
        (MAIN, "1", "", Run("MEETINGS")),
        (MAIN, "2", "", Run("WELCOME")),
        (MAIN, "3", "", Run("AGREEMENTS")),
        (MAIN, "4", "", TextMe("MEETINGS", "list")),
        (MAIN, "9", "", Run("ESPANOL")),
        (MAIN.with_(language="es"), "9", "", Run("ENGLISH")),
        (MAIN, "0", "", Run("MENU")),
        (MAIN, "*", "", Run("MENU")),
        (MAIN, "8", "", Ask(MAIN, "not_an_option")),
        (MAIN, "7", "", voice.Talk(MAIN)),
        (LIST, "", "I want to talk to someone", voice.Talk(MAIN)),
        (MAIN, "", "", Ask(MAIN.with_(quiet=1), "silence")),
        (MAIN.with_(quiet=1), "", "", Goodbye()),
        (MAIN.with_(quiet=1), "1", "", Run("MEETINGS")),
        (MAIN, "", "Meetings!", Run("MEETINGS")),
        (MAIN, "", "online meetings today", Run("MEETINGS ONLINE TODAY")),
        (MAIN, "", "reuniones en línea", Run("REUNIONES LINEA")),
        (MAIN, "", "la bienvenida", Run("BIENVENIDA")),
        (MAIN, "", "agreement's", Run("AGREEMENTS")),
        (MAIN, "", "text me the list", TextMe("MEETINGS", "list")),
        (MAIN, "", "in Spanish please", Run("ESPANOL")),
        (MAIN, "", "zip code", Ask(ZIP)),
        (MAIN, "", "zero one zero six zero", Run("01060")),
        (MAIN, "", "goodbye", Goodbye()),
        (MAIN, "", "hmm", Ask(MAIN, "not_understood")),
        (LIST, "2", "", Run("2")),
        (LIST, "4", "", TextMe("MORE", "list", rewind=0)),
        (LIST, "5", "", Ask(ZIP)),
        (LIST, "6", "", Run("MORE", rewind=3)),
        (LIST, "0", "", Run("MORE", rewind=0)),
        (LIST, "", "number three", Run("3")),
        (LIST, "", "more", Run("MORE", rewind=3)),
        (PAGE_TWO, "2", "", Run("5")),
        (PAGE_TWO, "3", "", Ask(PAGE_TWO, "not_an_option")),
        (PAGE_TWO, "0", "", Run("MORE", rewind=3)),
        (PAGE_TWO, "6", "", Run("MORE", rewind=5)),
        (DETAILS, "1", "", Run("MORE", rewind=3)),
        (DETAILS, "2", "", Run("WELCOME")),
        (DETAILS, "4", "", TextMe("5", "details")),
        (DETAILS, "0", "", Run("5")),
        (DETAILS, "6", "", Ask(DETAILS, "not_an_option")),
        (GROUP, "0", "", Run("AGREEMENTS")),
        (GROUP, "1", "", Run("MEETINGS")),
        (ZIP, "01060", "", Run("01060")),
        (ZIP, "0106#", "", Ask(ZIP, "zip_bad")),
        (ZIP, "01*", "", Run("MENU")),
        (ZIP, "", "cero uno cero seis cero", Run("01060")),
        (ZIP, "", "main menu", Run("MENU")),
        (ZIP, "", "", Ask(ZIP.with_(quiet=1), "silence")),
    ],
)
def test_choose(position: Position, digits: str, speech: str, expected: object) -> None:
    assert voice.choose(position, digits, speech) == expected


def test_every_key_of_every_menu_leads_somewhere() -> None:
    for menu, keys in voice.KEYS.items():
        position = Position(menu, "en", count=3, item=1, what="welcome")
        for key in keys:
            choice = voice.choose(position, key)
            assert not (isinstance(choice, Ask) and choice.lead), (menu, key)
    lines = [f"{a} --{key}--> {b}" for a, key, b in voice.transitions()]
    assert "main --1--> list" in lines and "list --1-3--> details" in lines
    assert "main --silence x2--> hangup" in lines and "zip --5 digits--> list" in lines


# --- positions --------------------------------------------------------------------------


@pytest.mark.parametrize("position", [MAIN, LIST, PAGE_TWO, DETAILS, GROUP, ZIP])
def test_positions_survive_the_url(position: Position) -> None:
    assert Position.parse(position.menu, position.params()) == position


@pytest.mark.parametrize(
    "menu, params",
    [
        ("nowhere", {}),
        ("list", {"lang": "fr", "b": "-1", "c": "x", "i": "99999", "w": "<script>"}),
        ("details", {"b": "1" * 50, "quiet": "7"}),
    ],
)
def test_garbled_positions_become_safe_defaults(menu: str, params: dict) -> None:
    position = Position.parse(menu, params)
    assert position.menu in voice.MENUS and position.language == "en"
    assert 0 <= position.count <= voice.LIST_SIZE and position.quiet <= 2
    assert position.what == "" and position.base <= 200 and position.item <= 200


# --- settling after the participant flow ------------------------------------------------


def test_a_list_is_read_three_at_a_time_and_more_goes_on_from_the_fourth() -> None:
    ctx = context(TUESDAY)
    result = dispatch.step(Session(), "MEETINGS", ctx)
    assert len(result.session.listed) == 5
    session, position = voice.settle(MAIN, result.session, result.replies)
    assert position == Position("list", "en", 0, 3, True)
    assert session.listed == result.session.listed[:3]
    more = dispatch.step(session, "MORE", ctx)
    assert more.replies[0].items[0].number == 4
    assert more.replies[0].items[0].occurrence.ref == result.session.listed[3]
    session, position = voice.settle(position, more.session, more.replies)
    assert (position.base, position.count) == (3, 3)


def test_details_remember_the_list_they_came_from() -> None:
    ctx = context(TUESDAY)
    listed = dispatch.step(Session(), "MEETINGS", ctx)
    session, position = voice.settle(MAIN, listed.session, listed.replies)
    details = dispatch.step(session, "2", ctx)
    _, position = voice.settle(position, details.session, details.replies)
    assert position == Position("details", "en", 0, 3, True, item=2)


def test_an_answer_with_nothing_to_read_stays_at_the_same_menu() -> None:
    # No meeting anywhere (the nearest ones are listed however far, so none at all).
    ctx = context(TUESDAY, d=directory(meetings={}))
    result = dispatch.step(Session(), "99501", ctx)
    _, position = voice.settle(ZIP.with_(quiet=1), result.session, result.replies)
    assert position == ZIP


# --- spoken times and places ------------------------------------------------------------


@pytest.mark.parametrize(
    "at, en, es",
    [
        (time(18, 0), "6 PM", "las seis de la tarde"),
        (time(18, 30), "6:30 PM", "las seis y media de la tarde"),
        (time(13, 15), "1:15 PM", "la una y cuarto de la tarde"),
        (time(12, 0), "noon", "el mediodía"),
        (time(12, 45), "12:45 PM", "las doce y cuarenta y cinco del mediodía"),
        (time(0, 0), "midnight", "la medianoche"),
        (time(9, 5), "9:05 AM", "las nueve y cinco de la mañana"),
        (time(20, 0), "8 PM", "las ocho de la noche"),
        (time(5, 0), "5 AM", "las cinco de la madrugada"),
    ],
)
def test_clock(at: time, en: str, es: str) -> None:
    assert rv.clock("en", at) == en
    assert rv.clock("es", at) == es


def occurrence(slug: str, day: str) -> object:
    return occurrence_on(MEETINGS[slug], datetime.fromisoformat(day).date())


def test_days_and_zones_are_said_naturally() -> None:
    tuesday = occurrence("forbes-tuesday", "2026-11-24")
    assert rv.when("en", tuesday, MONDAY) == "tomorrow at 6 PM, Eastern time"
    assert rv.when("en", tuesday, TUESDAY) == "today at 6 PM, Eastern time"
    assert rv.when("en", tuesday, datetime.fromisoformat("2026-11-22T09:00:00-05:00")) == (
        "Tuesday at 6 PM, Eastern time"
    )
    assert rv.when("es", tuesday, datetime.fromisoformat("2026-11-22T09:00:00-05:00")) == (
        "martes a las seis de la tarde, hora del Este"
    )
    next_week = occurrence("forbes-tuesday", "2026-12-01")
    assert rv.when("en", next_week, TUESDAY) == "next Tuesday at 6 PM, Eastern time"
    assert (
        rv.when("es", next_week, TUESDAY)
        == "el próximo martes a las seis de la tarde, hora del Este"
    )
    oakland = occurrence("oakland-espanol", "2026-11-25")
    assert rv.when("es", oakland, TUESDAY) == (
        "mañana a las seis y media de la tarde, hora del Pacífico"
    )
    lunch = occurrence("online-daily", "2026-11-24")
    assert rv.when("en", lunch, datetime.fromisoformat("2026-11-24T12:10:00-05:00")) == (
        "started at noon, Eastern time"
    )
    assert rv.where("en", lunch, None) == "online"
    assert rv.where("es", tuesday, 0.3) == "en Northampton, a menos de una milla"
    assert rv.where("en", tuesday, 7.6) == "in Northampton, about 8 miles away"


def test_a_list_across_zones_names_the_days_just_after_midnight_in_the_east() -> None:
    """At 1:30 AM Eastern it is still Tuesday in Oakland: "tomorrow" would mean two days."""
    late = datetime.fromisoformat("2026-11-25T01:30:00-05:00")
    result = dispatch.step(Session(), "MEETINGS", context(late))
    said = " ".join(rv.content(result.replies, "en", late, directory(), None, list_size=5))
    assert "today" not in said.lower() and "tomorrow" not in said.lower()
    assert "Wednesday at noon, Eastern time" in said
    assert "Wednesday at 6:30 PM, Pacific time" in said
    evening = dispatch.step(Session(), "MEETINGS", context(TUESDAY))  # one date everywhere
    said = " ".join(rv.content(evening.replies, "en", TUESDAY, directory(), None, list_size=5))
    assert "today at 6 PM, Eastern time" in said


def test_a_zone_without_a_spoken_name_is_left_out() -> None:
    berlin = replace(MEETINGS["forbes-tuesday"], timezone="Europe/Berlin")
    occ = occurrence_on(berlin, datetime(2026, 11, 24).date())
    assert rv.when("en", occ, MONDAY) == "tomorrow at 6 PM"
    details = rv.content([MeetingDetails(1, occ, None, "open")], "en", MONDAY, directory())
    assert "Tomorrow at 6 PM, until 7:30 PM." in details[0]


def test_dial_in_numbers_are_read_in_groups() -> None:
    assert rv.phone_digits("+1 413 555 0100") == ("4 1 3, 5 5 5, 0 1 0 0", "")
    assert rv.phone_digits("+1 413 555 0100,,123456#") == ("4 1 3, 5 5 5, 0 1 0 0", "1 2 3 4 5 6")
    assert rv.phone_digits("+44 20 7946 0000")[0] == "4 4 2 0 7 9 4 6 0 0 0 0"


# --- length budget ----------------------------------------------------------------------


def test_pack_keeps_every_word_within_the_budget() -> None:
    words = [f"word{i}" for i in range(300)]
    sentences = [" ".join(words[:150]) + ".", "Short one.", " ".join(words[150:])]
    pieces = rv.pack(sentences, 100)
    assert all(len(p) <= 100 for p in pieces)
    assert " ".join(pieces).split() == " ".join(sentences).split()


LONG = {
    "contact": "call or text Jordan at +1 413 555 0199 any weekday between 9am and 5pm",
    "place": "zip code 0 1 0 6 0",
    "n": 3,
    "what": " within 60 miles of zip code 0 1 0 6 0",
    "group": "HRW Northampton Downtown Library Group",
    "digits": "4 1 3, 5 5 5, 0 1 0 0",
    "notes": "x" * rv.NOTES_LIMIT,
    "when": "el próximo miércoles a las 12 y 45 de la madrugada, hora de la Montaña",
    "name": "n" * rv.NAME_LIMIT,
    "where": "en " + "p" * rv.PLACE_LIMIT + " y en línea, a unas cincuenta y nueve millas",
    "day": "el próximo miércoles",
    "time": "las doce y cuarenta y cinco del mediodía",
    "start": "las doce y cuarenta y cinco del mediodía",
    "end": "las doce y cuarenta y cinco del mediodía",
    "zone": "hora de la Montaña",
    "miles": "cincuenta y nueve",
    "line": "1 8 0 0, 5 5 5, 0 1 0 0, the Valley's own overdose prevention and crisis line",
}


def fill(template: str) -> str:
    names = {f for _, f, _, _ in string.Formatter().parse(template) if f}
    return template.format(**{k: LONG[k] for k in names})


@pytest.mark.parametrize("catalog", [voice_en.TEXTS, voice_es.TEXTS])
def test_every_voice_text_fits_one_say(catalog: dict[str, str]) -> None:
    for key, template in catalog.items():
        assert len(fill(template)) <= rv.MAX_SAY, key


def test_voice_catalogs_have_the_same_keys_and_placeholders() -> None:
    assert set(voice_en.TEXTS) == set(voice_es.TEXTS)
    for key, template in voice_en.TEXTS.items():
        names = {f for _, f, _, _ in string.Formatter().parse(template) if f}
        spanish = {f for _, f, _, _ in string.Formatter().parse(voice_es.TEXTS[key]) if f}
        assert names == spanish, key


def long_world() -> object:
    """A directory where everything that can be long is as long as it may be."""
    long_group = Group(
        "northampton",
        "HRW Northampton " + "Downtown " * 12,
        "America/New_York",
        "open",
        "en",
        welcome=("Welcome, friend. " * 30)[:400],
        agreements=("Respect everyone here and always " * 20)[:400],
    )
    long_meeting = replace(
        MEETINGS["forbes-tuesday"],
        name="The Very Long Named Tuesday Evening Harm Reduction Peer Meeting " * 4,
        location="Community Room " * 20,
        address="20 West St, Northampton, MA 01060 " * 8,
        city="Northampton " * 10,
        conference_url="https://meet.example.org/" + "x" * 300,
        conference_phone="+1 413 555 0100,,123456789#",
        notes="Side door after 6. " * 100,
    )
    return directory(
        groups={**GROUPS, "northampton": long_group},
        meetings={**MEETINGS, "forbes-tuesday": long_meeting},
    )


def drive(language: str, presses: list[str]) -> list[rv.Turn]:
    """A call walked through the pure parts, as the shell does it."""
    ctx = context(TUESDAY, d=long_world())
    session, position, turns = Session(language=language), Position("main", language), []
    for pressed in presses:
        choice = voice.choose(position, pressed)
        if isinstance(choice, Run):
            result = dispatch.step(voice.rewind(session, choice.rewind), choice.command, ctx)
            session, position = voice.settle(position, result.session, result.replies)
            turns.append(rv.turn(position, result.replies, now=ctx.now, directory=ctx.directory))
        elif isinstance(choice, Ask):
            position = choice.position
            turns.append(rv.turn(position, now=ctx.now, directory=ctx.directory, lead=choice.lead))
        elif isinstance(choice, TextMe):
            turns.append(rv.turn(position, now=ctx.now, directory=ctx.directory, lead="sent_list"))
        else:
            turns.append(rv.goodbye(position.language))
    return turns


@pytest.mark.parametrize("language", ["en", "es"])
def test_every_say_of_a_long_call_is_within_the_budget(language: str) -> None:
    presses = ["1", "1", "2", "0", "3", "1", "1", "1", "4", "0", "6", "1", "1", "0", "5"]
    presses += ["01060", "1", "2", "*", "2", "3", "9", "1", "5", "123", "*", "7", "", ""]
    turns = drive(language, presses)
    said = [speech for turn in turns for speech in turn.says]
    assert said and all(0 < len(s.text) <= rv.MAX_SAY for s in said)
    assert turns[-1].listen is None
    assert any("Side door after 6." in s.text for s in said)
    assert any("Welcome, friend." in s.text for s in said) or language == "es"


def test_the_greeting_is_english_with_spanish_offered_in_spanish() -> None:
    turn = rv.greeting()
    assert [s.language for s in turn.says] == ["en", "en", "es"]
    hints = voice_en.TEXTS["hints"] + ", " + voice_en.TEXTS["peer_hints"]
    assert turn.listen == rv.Listen(Position("main", "en"), 1, hints)


def test_spanish_keeps_its_accents_when_spoken() -> None:
    turns = drive("es", ["2", "3"])
    said = " ".join(s.text for t in turns for s in t.says)
    assert "Te damos la bienvenida" in said and "próximas reuniones" in said
    assert "reducir daños" in said and "también" in said


# --- names read in their own language -----------------------------------------------------


def _named(name: str, group: str, **extra: object) -> tuple[Directory, MeetingDetails]:
    meeting = replace(MEETINGS["oakland-espanol"], name=name, group=group, types=("O",), **extra)
    world = Directory(GROUPS, {**MEETINGS, meeting.slug: meeting})
    occ = occurrence_on(meeting, TUESDAY.date().replace(day=25))
    assert occ is not None
    return world, MeetingDetails(1, occ, GROUPS[group], "open")


def _foreign_parts(language: str, world: Directory, reply: MeetingDetails) -> list[rv.Part]:
    pieces = rv._content([reply], language, TUESDAY, world)
    return [p for s in rv.speeches(pieces, language) for p in s.parts if p.language != language]


def test_an_english_name_in_a_spanish_group_is_read_in_english() -> None:
    world, reply = _named("Late Night Recovery Circle", "hrw-en-espanol")
    spanish_line = _foreign_parts("es", world, reply)
    assert [(p.text, p.language) for p in spanish_line][:1] == [
        ("Late Night Recovery Circle", "en")
    ]
    assert not any("Late Night" in p.text for p in _foreign_parts("en", world, reply))


def test_a_spanish_name_in_an_english_group_is_read_in_spanish() -> None:
    world, reply = _named("Círculo de la Esperanza", "northampton")
    english_line = _foreign_parts("en", world, reply)
    assert ("Círculo de la Esperanza", "es") in [(p.text, p.language) for p in english_line]
    assert not any("Esperanza" in p.text for p in _foreign_parts("es", world, reply))


def test_a_name_that_gives_no_sign_follows_its_group() -> None:
    world, reply = _named("Oakland", "hrw-en-espanol")
    assert ("Oakland", "es") in [(p.text, p.language) for p in _foreign_parts("en", world, reply)]


@pytest.mark.parametrize("language", ["en", "es"])
def test_details_say_the_dial_ins_meeting_id_and_passcode_digit_by_digit(language: str) -> None:
    world, reply = _named(
        "Online Lunch Break",
        "northampton",
        conference_phone="+1 413 555 0100",
        conference_phone_notes="Meeting ID: 555 0101 222\nPasscode: 8642",
    )
    said = " ".join(rv.content([reply], language, TUESDAY, world))
    assert "4 1 3, 5 5 5, 0 1 0 0" in said
    assert "Meeting ID: 5 5 5, 0 1 0 1, 2 2 2, Passcode: 8 6 4 2." in said
    assert "555" not in said


def test_dial_notes_are_one_line_with_numbers_in_their_groups() -> None:
    assert rv.dial_notes(None) == ""
    assert rv.dial_notes("ID 987-654-321;\n\nPIN 12") == "ID 9 8 7, 6 5 4, 3 2 1, PIN 1 2"
