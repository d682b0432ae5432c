"""Spanish that reads right: on a plain phone (no meaning-changing folds, no half-accented
text, templates that agree) and on the voice line (numbers in words, other languages marked).
Also every time's zone abbreviation is the one in force on that occurrence's own date."""

from __future__ import annotations

import re
import string
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime, time
from xml.etree import ElementTree

import pytest
from twilio.twiml.voice_response import VoiceResponse

import flows.render_sms as render_sms
from flows import render_voice as rv
from flows.dispatch import step
from flows.gsm import is_gsm, loses_an_accent, segments, to_gsm
from flows.model import Group, Meeting
from flows.occurrences import next_occurrence, occurrence_on
from flows.render_sms import (
    broadcast_text,
    cancellation_text,
    date_label,
    host_prompt_text,
    host_text,
    reminder_text,
    render,
)
from flows.replies import (
    CancelPreview,
    GroupText,
    ListItem,
    MeetingDetails,
    MeetingList,
    StatusReport,
    Text,
)
from flows.session import BroadcastSummary, Session
from flows.texts import en, es, voice_es
from flows.voice import Position
from hrw_sms.web.voice import say
from tests.flow_world import context, directory

# Words that, folded to GSM-7, change meaning or read as a misspelling: none of them may come
# out of folding a catalog word. (Written without accents: the form a texter would see.)
MEANING_FOLDS = {
    "esta": "está",
    "estan": "están",
    "mas": "más",
    "si": "sí",
    "llego": "llegó",
    "envio": "envió",
    "avisara": "avisará",
    "recibiras": "recibirás",
    "linea": "línea",
    "envia": "envía",
    "reunion": "reunión",
    "numero": "número",
    "codigo": "código",
    "aqui": "aquí",
    "asi": "así",
    "aun": "aún",
    "dia": "día",
    "tu": "tú",
    "el": "él",
    "se": "sé",
    "que": "qué",
    "como": "cómo",
    "cual": "cuál",
    "este": "esté",
    "proximas": "próximas",
    "ultimo": "último",
    "tendria": "tendría",
    "empezo": "empezó",
    "demas": "demás",
    "coordinacion": "coordinación",
}

# The only words of the Spanish SMS catalog allowed á í ó ú, each because no natural word
# does without: they are folded (consistently) when sent.
UNAVOIDABLE = {
    "sáb": "Saturday (sábado), in dates",
}

NOW = datetime.fromisoformat("2026-11-24T08:00:00-05:00")  # a Tuesday morning, Eastern

LONG_NAME = "Círculo de Apoyo Mutuo de Reducción de Daños del Valle de Pioneer en la Biblioteca"
LONG_EN_NAME = "The Very Long Named Tuesday Evening Harm Reduction Works Peer Support Meeting"


def long_directory():
    """Real, long names: a Spanish group with accented names and an English one."""
    common = {
        "address": "12345 Extraordinarily Long Boulevard, Building C, Suite 4500, Holyoke, MA 01040",
        "city": "Holyoke",
        "latitude": 42.2,
        "longitude": -72.6,
        "conference_url": "https://meet.example.org/" + "y" * 60,
        "conference_phone": "+1 413 555 0100,,123456#",
        "end_time": time(20, 30),
    }
    meetings = {
        "circulo": Meeting(
            slug="circulo",
            name=LONG_NAME,
            days=(1, 3, 6),
            time=time(18, 45),
            timezone="America/New_York",
            group="valle",
            types=("C",),
            location="Salón Parroquial de la Iglesia de San José, segundo piso",
            notes="Entrada por la puerta lateral después de las 6. Habrá café y materiales. " * 3,
            **common,
        ),
        "tuesday": Meeting(
            slug="tuesday",
            name=LONG_EN_NAME,
            days=(2,),
            time=time(13, 0),
            timezone="America/New_York",
            group="valley",
            types=("O",),
            location="Community Room",
            notes="Side door after 6. Snacks and supplies. " * 4,
            **common,
        ),
    }
    groups = {
        "valle": Group("valle", "Grupo del Valle de Pioneer", "America/New_York", "focused", "es"),
        "valley": Group("valley", "HRW Pioneer Valley Library Group", "America/New_York", "open"),
    }
    return directory(meetings=meetings, groups=groups)


class Folds:
    """Every text that went through to_gsm while rendering, before and after."""

    def __init__(self) -> None:
        self.pairs: list[tuple[str, str]] = []

    def __call__(self, value: str) -> str:
        folded = to_gsm(value)
        self.pairs.append((value, folded))
        return folded


@pytest.fixture
def folds(monkeypatch: pytest.MonkeyPatch) -> Folds:
    """Watch our own renderer's one fold point (the real to_gsm still does the folding)."""
    spy = Folds()
    monkeypatch.setattr(render_sms, "to_gsm", spy)
    return spy


def every_spanish_sms() -> Iterator[str]:
    """Every Spanish SMS path, with long real names: participant replies, reminders,
    cancellations, hosts' and coordinators' texts, previews, status, broadcasts."""
    d = long_directory()
    ctx = context(NOW, d=d)
    session = Session(language="es")
    for typed in [
        "REUNIONES",
        "1",
        "RECORDAR 1",
        "RECORDAR",
        "NORECORDAR 9",
        "BIENVENIDA",
        "ACUERDOS",
        "MAS",
        "2",
        "REUNIONES HOY",
        "REUNIONES 01060",
        "reuniones ninguna",
        "AYUDA",
        "MENU",
        "OLVIDAR",
        "NO",
        "99",
        "hola",
    ]:
        result = step(session, typed, ctx)
        yield render(result.replies, "es", NOW, "llama a Jordan al 413 555 0199")
        session = result.session or Session(language="es")
    for meeting in d.meetings.values():
        occ = next_occurrence(meeting, NOW)
        assert occ is not None
        yield reminder_text("es", occ, NOW)
        yield cancellation_text("es", replace(occ, cancelled=True), NOW)
        for key in [k for k in es.TEXTS if k.startswith(("host_", "coord_host"))]:
            if "{meeting}" in es.TEXTS[key]:
                yield host_text("es", key, occ, NOW, host="+1******0123")
        for then in ("coord_asking_others", "coord_no_other_hosts"):
            yield host_text("es", "coord_host_declined", occ, NOW, then, host="+1******0123")
        for last in (True, False):
            yield host_prompt_text("es", occ, NOW, "host_reminder", last, "Leemos un artículo.")
        yield render((CancelPreview(occ, 12), CancelPreview(occ, 0, already=True)), "es", NOW)
        details = MeetingDetails(1, replace(occ, cancelled=True), d.group_of(meeting), "open")
        yield render((details,), "es", NOW)
        listing = MeetingList(Text("heading_soonest"), (ListItem(1, occ), ListItem(2, occ)), True)
        yield render((listing,), "es", NOW)
    summary = BroadcastSummary(1, "valle", 40, 3, 30, 25, 2)
    yield render((StatusReport(summary, "Grupo del Valle de Pioneer"),), "es", NOW)
    yield broadcast_text("es", "Grupo del Valle de Pioneer", "Hoy nos vemos en la sala 3.")
    for key, template in es.TEXTS.items():  # the rest, as plain catalog texts
        names = {f for _, f, _, _ in string.Formatter().parse(template) if f}
        if not names:
            yield render((Text(key),), "es", NOW)


def words(value: str) -> list[str]:
    return re.findall(r"\w+", value)


def test_the_spanish_sms_catalog_holds_no_meaning_changing_folds(folds: Folds) -> None:
    sent = list(every_spanish_sms())
    assert all(is_gsm(s) and segments(s) <= 3 for s in sent)
    assert folds.pairs
    for before, after in folds.pairs:
        pairs = list(zip(words(before), words(after), strict=True))
        changed = {(b, a) for b, a in pairs if b != a and a.lower() in MEANING_FOLDS}
        assert not changed, (changed, after)


def test_no_spanish_sms_is_half_accented(folds: Folds) -> None:
    """Half-accented: a message as sent that still has an acute accent (é, the one GSM-7
    has) while folding took an accent off another of its letters (á í ó ú). A message that
    loses none keeps its é: "Qué bueno" stays right where nothing else needs folding."""
    list(every_spanish_sms())
    lost = [(b, a) for b, a in folds.pairs if loses_an_accent(b)]
    kept = [(b, a) for b, a in folds.pairs if not loses_an_accent(b) and "é" in b]
    assert lost and kept  # both kinds were rendered
    for _before, after in lost:
        assert "é" not in after and "É" not in after, after
    for _before, after in kept:
        assert "é" in after, after
    assert "ñ" in "".join(a for _, a in folds.pairs)  # ñ is a letter of GSM-7: never folded


def test_to_gsm_folds_a_message_consistently() -> None:
    assert to_gsm("Qué bueno tenerte de vuelta, ¡hola! ¿mañana?") == (
        "Qué bueno tenerte de vuelta, ¡hola! ¿mañana?"
    )
    assert to_gsm("Qué bueno: reducción de daños, ¿mañana?") == (
        "Que bueno: reduccion de daños, ¿mañana?"
    )
    assert to_gsm("Después, en el Café 🎉") == "Después, en el Café "  # an emoji is no accent


def test_the_spanish_sms_catalog_needs_no_costly_accents_but_the_unavoidable() -> None:
    for key, template in es.TEXTS.items():
        for word in words(template):
            if re.search(r"[áíóúÁÍÓÚ]", word):
                assert word.lower() in UNAVOIDABLE, (key, word)


def test_every_spanish_text_stays_in_tu_and_names_the_host_one_way() -> None:
    forbidden = re.compile(
        r"\b(su|sus|usted|ustedes|facilitador\w*|coordinaci\w+|esperando un s[ií]|"
        r"cubiert[oa]|cancelad[oa]|facilitarla|cubrirla|tomarla|mantenerla)\b",
        re.IGNORECASE,
    )
    for key, template in es.TEXTS.items():
        assert not forbidden.search(template), (key, forbidden.search(template))
    for key in ("default_contact", "help"):
        assert "quien facilita" in es.TEXTS[key] or "{contact}" in es.TEXTS[key], key


@pytest.mark.parametrize("catalog", [en.TEXTS, es.TEXTS])
def test_no_article_or_preposition_before_a_day_that_may_be_today(catalog) -> None:
    """{when} may be "hoy 6pm" / "today 6pm": "del hoy", "el mañana", "on today" break."""
    for key, template in catalog.items():
        assert not re.search(r"\b(el|del|al|la|on|at)\s+\{when\}", template, re.I), key


def test_spanish_dates_are_day_first_with_the_month_name() -> None:
    tuesday = datetime(2026, 12, 1, 18, 0)
    assert date_label("es", tuesday) == "mar 1 dic"
    assert date_label("en", tuesday) == "Tue 12/1"
    occ = next_occurrence(
        long_directory().meetings["circulo"], datetime.fromisoformat("2026-11-30T09:00:00-05:00")
    )
    assert occ is not None
    text = cancellation_text("es", occ, datetime.fromisoformat("2026-11-28T09:00:00-05:00"))
    assert "se cancela" in text and ", lun 30 nov 6:45pm EST." in text


def test_the_list_footer_names_the_numbers_to_reply() -> None:
    assert render_sms.choices("es", [1]) == "1"
    assert render_sms.choices("es", [6, 7]) == "6 o 7"
    assert render_sms.choices("es", [7, 8]) == "7 u 8"  # "u" before "ocho"
    assert render_sms.choices("es", [10, 11]) == "10 u 11"  # and before "once"
    assert render_sms.choices("es", [1, 2, 3, 4, 5]) == "del 1 al 5"


@pytest.mark.parametrize(
    "typed",
    ["REUNIONES", "REUNIONES HOY", "REUNIONES VIRTUALES", "REUNIONES 01060", "SIGUIENTE"],
)
def test_what_the_spanish_texts_tell_people_to_type_works(typed: str) -> None:
    for template in es.TEXTS.values():
        if typed in template:
            break
    else:
        pytest.fail(f"no Spanish text mentions {typed}")
    ctx = context(NOW)
    listed = step(Session(language="es"), "REUNIONES", ctx).session
    result = step(listed if typed == "SIGUIENTE" else Session(language="es"), typed, ctx)
    assert any(isinstance(r, MeetingList) for r in result.replies), (typed, result.replies)


# --- welcome and agreements end with a next step ------------------------------------


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize(
    "reply",
    [
        GroupText("welcome", None, None),
        GroupText("welcome", None, "open"),
        GroupText("welcome", None, "focused"),
        GroupText("agreements", None, None),
        GroupText("welcome", "Glad you found us.", "open", "HRW Northampton"),
        GroupText("agreements", "Respeto. " * 44, "open", "A Group With A Very Long Name Indeed"),
    ],
)
def test_welcome_and_agreements_end_with_a_next_step(language: str, reply: GroupText) -> None:
    sent = render((reply,), language, NOW)
    assert sent.endswith(
        to_gsm(en.TEXTS["next_step"] if language == "en" else es.TEXTS["next_step"])
    )
    assert segments(sent) <= 3


# --- zone abbreviations: the one in force on the occurrence's own date ---------------

# US clocks go back on Sun Nov 1 2026 and forward on Sun Mar 14 2027.
CHANGES = [
    ("2026-10-31T10:00:00-04:00", "EST", "EDT"),  # Saturday before the fall change
    ("2027-03-13T10:00:00-05:00", "EDT", "EST"),  # Saturday before the spring change
]
SUNDAY = Meeting(
    slug="sunday",
    name="Sunday Evening",
    days=(0,),
    time=time(18, 0),
    timezone="America/New_York",
    group="northampton",
    types=("O",),
    city="Northampton",
    latitude=42.32,
    longitude=-72.63,
)


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("now, right, wrong", CHANGES)
def test_a_text_the_day_before_a_clock_change_names_the_new_zone(
    language: str, now: str, right: str, wrong: str
) -> None:
    at = datetime.fromisoformat(now)
    d = directory(meetings={"sunday": SUNDAY})
    ctx = context(at, d=d)
    occ = next_occurrence(SUNDAY, at)
    assert occ is not None and (occ.local_date - at.date()).days == 1
    session = Session(language=language)
    listed = step(session, "MEETINGS", ctx)
    confirm = step(listed.session, "REMIND 1", ctx)
    texts = [
        render(listed.replies, language, at),
        render(confirm.replies, language, at),
        render(step(listed.session, "1", ctx).replies, language, at),
        reminder_text(language, occ, at),
        cancellation_text(language, occ, at),
        host_text(language, "host_ask", occ, at),
        host_prompt_text(language, occ, at, "host_reminder", True, None),
        render((CancelPreview(occ, 3),), language, at),
    ]
    for sent in texts:
        assert re.search(rf"6pm(-\S+)? {right}\b", sent) and wrong not in sent, sent


def test_a_meeting_across_the_clock_change_names_both_zones() -> None:
    night = replace(SUNDAY, time=time(0, 30), end_time=time(2, 30))
    occ = occurrence_on(night, date(2026, 11, 1))
    shown = render(
        (MeetingDetails(1, occ, None, "open"),),
        "en",
        datetime(2026, 10, 31, 20, 0, tzinfo=occ.start.tzinfo),
    )
    assert "12:30am EDT-2:30am EST" in shown


# --- the voice line in Spanish -------------------------------------------------------

# Digits a Spanish voice reads well: a key to press, and numbers read digit by digit (a zip
# code, a dial-in number). Anything else is said in words.
SAFE_DIGITS = re.compile(r"\b(?:oprime|marca) \d\b|\b\d(?:[ ,]+\d)+\b", re.IGNORECASE)


def spanish_stretches(speech: rv.Speech) -> list[str]:
    """What a Spanish voice reads in Spanish (stretches marked English are read in English)."""
    if not getattr(speech, "parts", ()):
        return [speech.text] if speech.language == "es" else []
    return [p.text for p in speech.parts if p.language == "es"]


def spanish_voice_turns() -> Iterator[rv.Turn]:
    d = directory()
    times = [time(13, 0), time(12, 0), time(21, 0), time(0, 0), time(1, 45), time(12, 20)]
    for i, at in enumerate(times):
        meeting = replace(d.meetings["forbes-tuesday"], time=at, end_time=time(23, 30))
        occ = occurrence_on(meeting, date(2026, 11, 24) if i % 2 else date(2026, 12, 3))
        items = tuple(ListItem(n, occ, miles) for n, miles in ((1, 21.2), (2, 1.1), (3, 0.4)))
        listing = MeetingList(Text("heading_near", {"place": "01060"}), items, True)
        position = Position.parse("list", {"lang": "es", "c": "3"})
        yield rv.turn(position, (listing,), now=NOW, directory=d)
        details = MeetingDetails(1, occ, d.group_of(meeting), "focused")
        yield rv.turn(Position.parse("details", {"lang": "es"}), (details,), now=NOW, directory=d)
    for menu in ("main", "zip", "group"):
        yield rv.turn(Position.parse(menu, {"lang": "es"}), now=NOW, directory=d)
    yield rv.turn(
        Position.parse("main", {"lang": "es"}),
        (Text("no_results", {"place": "01060"}), Text("no_results", {"day": "today"})),
        now=NOW,
        directory=d,
    )
    yield rv.goodbye("es")


def test_spanish_voice_says_numbers_in_words() -> None:
    heard = []
    for turn in spanish_voice_turns():
        for speech in turn.says:
            for stretch in spanish_stretches(speech):
                assert not re.search(r"\d", SAFE_DIGITS.sub("", stretch)), stretch
                heard.append(stretch)
    said = " ".join(heard)
    for expected in [
        "a la una de la tarde",
        "al mediodía",
        "a las nueve de la noche",
        "a la medianoche",
        "a la una y cuarenta y cinco de la madrugada",
        "a las doce y veinte del mediodía",
        "a unas veintiuna millas",
        "hasta las once y media de la noche",
        "Uno:",
        "cinco cifras",
        "trescientas millas",
    ]:
        assert expected in said, expected


def test_words_of_another_language_are_marked_for_the_voice() -> None:
    d = directory()
    occ = next_occurrence(d.meetings["forbes-tuesday"], NOW)
    assert occ is not None
    details = MeetingDetails(1, occ, d.group_of(occ.meeting), "open")
    spanish = rv.turn(Position.parse("details", {"lang": "es"}), (details,), now=NOW, directory=d)
    english_parts = {p.text for s in spanish.says for p in s.parts if p.language == "en"}
    assert "Tuesday Night at the Library" in english_parts
    assert "Side door after 6. Snacks and supplies." in english_parts
    assert "20 West St, Northampton, MA 01060" in english_parts
    assert "Harm Reduction Works-HRW" in {
        p.text for s in rv.goodbye("es").says for p in s.parts if p.language == "en"
    }

    oakland = next_occurrence(d.meetings["oakland-espanol"], NOW)
    assert oakland is not None
    listing = MeetingList(Text("heading_soonest"), (ListItem(1, oakland),), False)
    english = rv.turn(
        Position.parse("list", {"lang": "en", "c": "1"}), (listing,), now=NOW, directory=d
    )
    assert "Reunión de Oakland" in {
        p.text for s in english.says for p in s.parts if p.language == "es"
    }

    # A Spanish-speaking meeting (Meeting Guide type S) is Spanish, whatever its group says.
    in_english_group = replace(oakland.meeting, group="northampton")
    occ_s = replace(oakland, meeting=in_english_group)
    mixed = directory(meetings={**d.meetings, "oakland-espanol": in_english_group})
    listing = MeetingList(Text("heading_soonest"), (ListItem(1, occ_s),), False)
    spanish_list = rv.turn(
        Position.parse("list", {"lang": "es", "c": "1"}), (listing,), now=NOW, directory=mixed
    )
    assert not [
        p for s in spanish_list.says for p in s.parts if "Oakland" in p.text and p.language == "en"
    ]

    # As TwiML, through the twilio library's SSML builder: <lang> inside <Say>.
    response = VoiceResponse()
    for speech in spanish.says:
        say(response, speech, "Polly.Lupe")
    root = ElementTree.fromstring(str(response))
    langs = [
        (e.get("{http://www.w3.org/XML/1998/namespace}lang") or e.get("xml:lang"), e.text)
        for e in root.iter("lang")
    ]
    assert ("en-US", "Tuesday Night at the Library") in langs
    first = next(s for s in root.iter("Say") if s.find("lang") is not None)
    assert first.get("language") == "es-US"
    assert "Tuesday Night at the Library. Hoy a las seis de la tarde" in "".join(first.itertext())

    # A voice that reads no SSML (Twilio's basic ones) gets the plain text.
    plain = VoiceResponse()
    for speech in spanish.says:
        say(plain, speech, "woman")
    assert "<lang" not in str(plain) and "Tuesday Night at the Library" in str(plain)


def test_voice_catalog_keeps_every_accent() -> None:
    assert "línea" in voice_es.TEXTS["greeting"]
    assert "también" in rv.content([GroupText("welcome", None, None)], "es", NOW, directory())[0]


def test_a_stretch_in_another_language_survives_being_cut_between_two_says() -> None:
    english = rv.foreign("Welcome to the group, friend. More words here and more.", "en", "es")
    said = rv.speeches(rv.pack(["Hola. " * 65 + english + " Gracias."]), "es")
    assert len(said) == 2
    assert [p.language for p in said[0].parts] == ["es", "en"]
    assert [p.language for p in said[1].parts] == ["en", "es"]
    assert all("".join(p.text for p in s.parts) == s.text for s in said)
    program = rv.speeches(["Gracias por llamar a Harm Reduction Works-HRW. Adiós."], "es")[0]
    assert [(p.text, p.language) for p in program.parts][1] == ("Harm Reduction Works-HRW", "en")


def test_an_open_meetings_spanish_sms_keeps_the_e_of_its_own_words() -> None:
    """Nothing of the catalog forces folding on an open meeting's details or welcome, so the
    é of a place ("Iglesia San José") and of the catalog ("también") is sent as written."""
    d = directory()
    meeting = replace(
        d.meetings["oakland-espanol"], name="Grupo de Oakland", location="Iglesia San José, café"
    )
    occ = next_occurrence(meeting, NOW)
    assert occ is not None
    details = render((MeetingDetails(1, occ, d.group_of(meeting), "open"),), "es", NOW)
    assert "San José, café" in details and "reducir daños" in details
    welcome_open = render((GroupText("welcome", None, "open"),), "es", NOW)
    assert "reducir daños" in welcome_open and "reduccion" not in welcome_open
    welcome = render((GroupText("welcome", None, None),), "es", NOW)
    assert "también" in welcome and "reducir daños" in welcome


@pytest.mark.parametrize(
    ("language", "expect"), [("es", "SE CANCELA mañana"), ("en", "CANCELLED tomorrow")]
)
def test_a_cancelled_items_day_word_is_lower_case_after_the_mark(
    language: str, expect: str
) -> None:
    d = directory()
    occ = next_occurrence(d.meetings["oakland-espanol"], NOW)  # Wednesday: tomorrow
    assert occ is not None
    listing = MeetingList(
        Text("heading_soonest"), (ListItem(1, replace(occ, cancelled=True)),), False
    )
    assert f"1. {expect} " in render((listing,), language, NOW)


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_cancelled_item_is_said_with_one_colon(language: str) -> None:
    d = directory()
    occ = next_occurrence(d.meetings["oakland-espanol"], NOW)
    assert occ is not None
    listing = MeetingList(
        Text("heading_soonest"), (ListItem(1, replace(occ, cancelled=True)),), False
    )
    (_, item) = rv.content([listing], language, NOW, d)[:2]
    assert item.startswith(("1, cancelled: tomorrow", "Uno, cancelada: mañana")), item
    assert not re.search(r": \w+: ", item), item  # not "Uno: cancelada: ..."


def test_a_group_keeps_its_own_words_in_its_other_language_for_bienvenida() -> None:
    d = directory()
    bienvenida = "Que bueno que llegaste. Hay cafe en la mesa del fondo."
    northampton = replace(d.groups["northampton"], welcome_es=bienvenida)
    d = directory(groups={**d.groups, "northampton": northampton})
    ctx = context(NOW, d=d)
    replies = {}
    for language, words in (("es", ("REUNIONES", "BIENVENIDA")), ("en", ("MEETINGS", "WELCOME"))):
        session = Session(language=language)
        listed = step(session, words[0], ctx)
        number = next(i.number for r in listed.replies if isinstance(r, MeetingList)
                      for i in r.items if i.occurrence.meeting.slug == "forbes-tuesday")  # fmt: skip
        viewed = step(listed.session or session, str(number), ctx)
        result = step(viewed.session or session, words[1], ctx)
        (reply,) = [r for r in result.replies if isinstance(r, GroupText)]
        replies[language] = reply
        assert reply.own_text == northampton.own_text("welcome", language)
    assert replies["es"].own_text == bienvenida
    assert replies["en"].own_text == "Glad you found us. Coffee is on the back table."
    sms = render((replies["es"],), "es", NOW)
    assert sms.startswith(f"HRW Northampton: {bienvenida}\nEscribe REUNIONES")
    # By voice, the Spanish words are read in Spanish (not marked as another language).
    said = rv.turn(Position.parse("main", {"lang": "es"}), (replies["es"],), now=NOW, directory=d)
    parts = [p for s in said.says for p in s.parts if "cafe en la mesa" in p.text]
    assert parts and all(p.language != "en" for p in parts)
    # No agreements of its own in Spanish: the line's shared Spanish text.
    assert northampton.own_text("agreements", "es") is None
