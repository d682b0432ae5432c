"""POST /voice end to end: whole calls through signed webhooks, a real Redis, a frozen clock."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import parse_qs, urlsplit
from xml.etree import ElementTree

import pytest
import redis
from flask import Flask

from hrw_sms.app import create_app
from hrw_sms.base.config import ConfigError
from hrw_sms.meetings.directory import DirectoryStore
from hrw_sms.store import keys
from tests.conftest import PUBLIC_URL, TOKEN
from tests.feeds import feed_text
from tests.voice_call import Call
from tests.webhook import Phone, new_sid, sign

NOW = datetime.fromisoformat("2026-11-24T15:00:00-05:00")  # a Tuesday afternoon
NUMBER = "+14135550123"
SPANISH_WELCOME = "Qué alegría verte. Aquí nadie te juzga."


class Outbox:
    """Stands in for the workers' outbound path."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, str, str]] = []

    def __call__(self, to: str, body: str, message_id: str, kind: str) -> None:
        self.sent.append((to, body, message_id, kind))


@pytest.fixture
def outbox() -> Outbox:
    return Outbox()


@pytest.fixture
def app(redis_url: str, outbox: Outbox) -> Flask:
    store = DirectoryStore(redis.Redis.from_url(redis_url))
    store.import_feed(feed_text())
    store.set_group("hrw-en-espanol", welcome=SPANISH_WELCOME)
    app = create_app(
        {
            "REDIS_URL": redis_url,
            "TWILIO_AUTH_TOKEN": TOKEN,
            "HRW_NUMBER_HASH_KEY": "test-number-hash-key",
            "HRW_PUBLIC_URL": PUBLIC_URL,
            "clock": lambda: NOW,
        }
    )
    app.extensions["hrw"].outbox = outbox
    return app


@pytest.fixture
def call(app: Flask) -> Call:
    return Call(app.test_client(), TOKEN, PUBLIC_URL, NUMBER)


def new_call(app: Flask, number: str = NUMBER) -> Call:
    return Call(app.test_client(), TOKEN, PUBLIC_URL, number)


# --- the first answer -----------------------------------------------------------------


def test_first_answer_greets_in_english_and_offers_spanish_in_spanish(call: Call) -> None:
    call.start()
    gather = call.gather
    assert gather.get("action") == PUBLIC_URL + "/voice/main?lang=en"
    assert gather.get("numDigits") == "1" and gather.get("input") == "dtmf speech"
    assert gather.get("language") == "en-US"
    first, menu, offer = call.says()
    assert "Harm Reduction Works-HRW" in (first.text or "")
    assert first.get("language") == "en-US" and first.get("voice") == "Polly.Joanna"
    for word in ("press 1", "press 2", "press 3", "press 4", "press 0"):
        assert word in (menu.text or "")
    assert offer.get("language") == "es-US" and offer.get("voice") == "Polly.Lupe"
    assert "español" in (offer.text or "") and "9" in (offer.text or "")
    assert call.root is not None and call.root.find("Redirect").text == gather.get("action")


# --- a whole call, in English -----------------------------------------------------------


def test_english_call_meetings_details_welcome_agreements(call: Call) -> None:
    call.start()
    listing = call.press("1")
    assert call.menu == "list" and call.params == {"lang": "en", "c": "3", "more": "1"}
    assert "1: today at 6 PM, Eastern time. Tuesday Night at the Library, in Northampton." in (
        listing
    )
    assert "2: today at 6:30 PM, Pacific time. Reunión de Oakland, in Oakland." in listing
    assert "3: tomorrow at noon, Eastern time. Online Lunch Break, online. Open meeting." in (
        listing
    )
    assert "18:00" not in listing and "4:" not in listing
    assert "press 4" in listing and "press 5" in listing and "press 6" in listing

    details = call.press("1")
    assert call.menu == "details" and call.params["i"] == "1"
    assert "Tuesday Night at the Library. Today at 6 PM, until 7:30 PM, Eastern time." in details
    assert "At Community Room, 20 West St" in details and "Side door after 6." in details
    assert "Open meeting: anyone curious" in details

    welcome = call.press("2")
    assert call.menu == "group" and call.params["w"] == "welcome"
    assert welcome.startswith("Welcome to Harm Reduction Works-HRW. This is an open meeting")
    assert "respect" in call.press("3")
    assert call.menu == "group" and call.params["w"] == "agreements"
    assert "respect" in call.press("0")  # hear it again
    call.press("*")
    assert call.menu == "main"


def test_more_goes_on_from_the_fourth_meeting_and_numbers_follow_the_keys(call: Call) -> None:
    call.start()
    call.press("1")
    more = call.press("6")
    assert more.startswith("More meetings. 1: Thursday at noon, Eastern time. Online Lunch")
    assert "2: Thursday at 7 PM, Eastern time. Holyoke Focused Circle, in Holyoke." in more
    assert "Focused meeting." in more
    assert call.params["b"] == "3"
    assert call.press("2").startswith("Holyoke Focused Circle. Thursday at 7 PM")
    again = call.press("1")  # back to the list it came from
    assert again.startswith("More meetings. 1: Thursday at noon")
    assert call.press("0").startswith("More meetings. 1: Thursday at noon")  # the same again


def test_online_meeting_details_read_the_dial_in_and_offer_the_link(call: Call) -> None:
    call.start()
    call.press("1")
    details = call.press("3")
    assert "It meets online." in details
    assert "To join by phone, call 4 1 3, 5 5 5, 0 1 0 0." in details
    assert "we'll text you the link" in details and "https://" not in details


def test_welcome_from_the_main_menu_is_the_general_one(call: Call) -> None:
    call.start()
    assert call.press("2").startswith("Welcome to Harm Reduction Works-HRW: peer meetings")
    assert "Treat everyone with respect" in call.press("3")


# --- speech ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "words, menu, expect",
    [
        ("meetings", "list", "Here are the next meetings."),
        ("Meetings, please.", "list", "Here are the next meetings."),
        ("online meetings", "list", "Online meetings."),
        ("meetings tomorrow", "list", "Meetings tomorrow."),
        ("welcome", "group", "Welcome to Harm Reduction Works-HRW"),
        ("the agreements", "group", "community agreements"),
        ("Español", "main", "Listo, en español."),
        ("reuniones", "list", "Estas son las próximas reuniones."),
        ("bienvenida", "group", "Te damos la bienvenida"),
        ("zip code zero one zero six zero", "list", "Meetings near zip code 0 1 0 6 0."),
        ("blah blah", "main", "Sorry, we didn't catch that."),
    ],
)
def test_speech_works_as_well_as_keys(call: Call, words: str, menu: str, expect: str) -> None:
    call.start()
    heard = call.say(words)
    assert call.menu == menu
    assert expect in heard


def test_spoken_numbers_pick_from_the_list(call: Call) -> None:
    call.start()
    call.say("meetings")
    assert call.say("number two").startswith("Reunión de Oakland.")
    call.say("back to the list")
    assert call.menu == "list"
    assert "Online Lunch Break" in call.say("three")


# --- Spanish --------------------------------------------------------------------------


def test_spanish_call_lists_details_and_the_groups_own_welcome(call: Call, app: Flask) -> None:
    call.start()
    menu = call.press("9")
    assert call.params == {"lang": "es"} and call.gather.get("language") == "es-US"
    assert menu.startswith("Listo, en español. Para las próximas reuniones, oprime 1.")
    *spanish, offer = call.says()
    assert all(s.get("language") == "es-US" and s.get("voice") == "Polly.Lupe" for s in spanish)
    assert offer.get("language") == "en-US" and "For English, press 9" in (offer.text or "")

    listing = call.press("1")
    assert "Uno: hoy a las seis de la tarde, hora del Este. Tuesday Night at the Library" in (
        listing
    )
    assert "Dos: hoy a las seis y media de la tarde, hora del Pacífico. Reunión de Oakland" in (
        listing
    )
    assert "Tres: mañana al mediodía, hora del Este. Online Lunch Break, en línea." in listing
    assert "Puede venir cualquier persona." in listing and "oprime 4" in listing

    details = call.press("2")
    assert details.startswith(
        "Reunión de Oakland. Hoy a las seis y media de la tarde, hasta las siete y media"
    )
    assert "Puede venir cualquier persona con curiosidad" in details
    assert call.press("2").startswith(f"De HRW en Español: {SPANISH_WELCOME}")
    assert "respeto" in call.press("3")

    call.press("*")
    zip_prompt = call.say("código postal")
    assert call.menu == "zip" and "cinco cifras" in zip_prompt
    near = call.press("94607")
    assert near.startswith(
        "Reuniones cerca del código postal 9 4 6 0 7. Uno: hoy a las seis y media"
    )
    assert "a menos de una milla" in near


def test_a_spanish_call_reads_english_names_in_english(call: Call) -> None:
    """SSML <lang> inside <Say> (Polly voices read it): an English meeting's name on the
    Spanish line is said in English; a Spanish one's, and the rest, in Spanish."""
    call.start()
    call.press("9")
    call.press("1")
    xml_lang = "{http://www.w3.org/XML/1998/namespace}lang"
    marked = {(e.get(xml_lang), e.text) for say in call.says() for e in say.iter("lang")}
    assert ("en-US", "Tuesday Night at the Library") in marked
    assert not [text for _, text in marked if "Oakland" in (text or "")]
    first = next(say for say in call.says() if say.find("lang") is not None)
    assert first.get("language") == "es-US" and first.get("voice") == "Polly.Lupe"


def test_a_spanish_call_saves_the_choice_for_texts(call: Call, app: Flask) -> None:
    call.start()
    call.press("9")
    phone = Phone(app.test_client(), NUMBER, TOKEN, PUBLIC_URL)
    assert phone.text("MEETINGS").startswith("Siguientes reuniones:")


def test_english_call_does_not_read_a_spanish_groups_own_welcome(call: Call) -> None:
    call.start()
    call.press("1")
    call.press("2")  # Reunión de Oakland, of HRW en Español
    welcome = call.press("2")
    assert SPANISH_WELCOME not in welcome
    assert welcome.startswith("Welcome to Harm Reduction Works-HRW. This is an open meeting")


def test_english_again_from_the_spanish_menu(call: Call) -> None:
    call.start()
    call.press("9")
    assert call.press("9").startswith("OK, English. For upcoming meetings, press 1.")
    assert call.params == {"lang": "en"}


# --- zip codes ------------------------------------------------------------------------


def test_zip_entry_finds_meetings_near_it(call: Call) -> None:
    call.start()
    call.press("1")
    prompt = call.press("5")
    assert call.menu == "zip" and "5-digit zip code" in prompt
    assert call.gather.get("numDigits") == "5" and call.gather.get("finishOnKey") == "#"
    near = call.press("01060")
    assert near.startswith("Meetings near zip code 0 1 0 6 0. 1: today at 6 PM")
    assert "Tuesday Night at the Library, in Northampton, less than a mile away." in near
    assert (
        "2: Thursday at 7 PM, Eastern time. Holyoke Focused Circle, in Holyoke, about 8 miles away."
        in near
    )
    assert "For a meeting's details, press its number." in near
    assert call.params == {"lang": "en", "c": "2"}
    assert "press 6" not in near  # nothing more near there
    assert call.press("2").startswith("Holyoke Focused Circle.")


def test_bad_zip_entries_ask_again(call: Call) -> None:
    call.start()
    call.press("1")
    call.press("5")
    assert call.press("123").startswith("Sorry, a zip code has 5 digits. Please enter")
    assert call.menu == "zip"
    unknown = call.press("00000")
    assert unknown.startswith("Sorry, we don't know zip code 0 0 0 0 0.")
    assert call.menu == "zip"
    call.press("*")
    assert call.menu == "main"


def test_a_far_zip_hears_the_nearest_meetings_with_their_distance(call: Call) -> None:
    call.start()
    call.press("1")
    call.press("5")
    far = call.press("12901")  # Plattsburgh, NY: every meeting is over 60 miles away
    assert far.startswith("Meetings near zip code 1 2 9 0 1. 1:") and "miles away" in far
    assert call.menu == "list"


# --- bad keys and silence -------------------------------------------------------------


def test_bad_digits_say_so_and_repeat_the_same_menu(call: Call) -> None:
    call.start()
    action = call.action
    assert call.press("8").startswith("Sorry, that's not one of the choices. For upcoming")
    assert call.action == action
    call.press("5")  # 5 is nothing at the main menu
    assert call.menu == "main"
    call.press("1")
    call.press("5")
    call.press("01060")
    assert call.params["c"] == "2"
    assert call.press("3").startswith("Sorry, that's not one of the choices.")  # only 2 read
    assert call.menu == "list"
    assert call.press("#").startswith("Sorry, that's not one of the choices.")


def test_two_silences_in_a_row_end_the_call_politely(call: Call) -> None:
    call.start()
    first = call.wait()
    assert first.startswith("Sorry, we didn't hear anything. For upcoming meetings")
    assert call.params == {"lang": "en", "quiet": "1"}
    goodbye = call.wait()
    assert call.ended and call.root is not None and call.root.find("Gather") is None
    assert "also answers texts" in goodbye and "Goodbye" in goodbye


def test_an_answer_between_silences_starts_the_count_again(call: Call) -> None:
    call.start()
    call.wait()
    call.press("1")
    assert call.params.get("quiet") is None
    assert call.wait().startswith("Sorry, we didn't hear anything. For a meeting's details")
    assert not call.ended and call.menu == "list"
    assert call.wait() and call.ended


def test_silence_in_spanish_ends_in_spanish(call: Call) -> None:
    call.start()
    call.press("9")
    call.wait()
    goodbye = call.wait()
    assert call.ended and "Gracias por llamar" in goodbye and "mensajes de texto" in goodbye
    assert {s.get("language") for s in call.says()} == {"es-US"}


def test_an_empty_gather_answer_counts_as_silence(call: Call) -> None:
    call.start()
    call.post(call.action, Digits="")
    assert call.params.get("quiet") == "1"


# --- text me --------------------------------------------------------------------------


def test_text_me_the_list_goes_to_the_outbound_path(call: Call, outbox: Outbox, app: Flask) -> None:
    call.start()
    call.press("1")
    said = call.press("4")
    assert said.startswith("OK, we're texting you the list now.")
    assert call.menu == "list"  # still at the list
    ((to, body, message_id, kind),) = outbox.sent
    assert to == NUMBER and kind == "reply"
    assert body.startswith("Coming up:\n1. Today 6pm EST Tuesday Night at the Library")
    assert "5. " in body  # the whole first page, as a text shows it
    assert message_id.startswith("voice:") and ":list:" in message_id
    assert NUMBER[-4:] not in message_id and call.sid not in message_id
    call.press("4")  # again: the same logical message, which the outbound path sends once
    assert outbox.sent[1][2] == message_id
    # The text works like one the number asked for: replying 2 picks from it.
    phone = Phone(app.test_client(), NUMBER, TOKEN, PUBLIC_URL)
    assert phone.text("2").startswith("Reunion de Oakland")


def test_text_me_from_the_main_menu_and_from_details(call: Call, outbox: Outbox) -> None:
    call.start()
    assert call.press("4").startswith("OK, we're texting you the list now.")
    assert call.menu == "main"
    call.press("1")
    call.press("3")
    assert call.press("4").startswith("OK, we're texting you the details now.")
    assert call.menu == "details"
    details = outbox.sent[-1][1]
    assert details.startswith("Online Lunch Break") and "https://meet.example.org/lunch" in details
    assert ":details:" in outbox.sent[-1][2]


def test_text_me_in_spanish_sends_the_spanish_list(call: Call, outbox: Outbox) -> None:
    call.start()
    call.press("9")
    assert call.say("mensaje").startswith("Listo, te enviamos la lista")
    assert outbox.sent[-1][1].startswith("Siguientes reuniones:")  # GSM-7 for SMS


def test_text_me_when_texts_are_off(call: Call, outbox: Outbox, app: Flask) -> None:
    Phone(app.test_client(), NUMBER, TOKEN, PUBLIC_URL).post("STOP")
    call.start()
    call.press("1")  # the call still works
    said = call.press("4")
    assert said.startswith("Texts to your number are turned off") and "START" in said
    assert outbox.sent == []


@pytest.mark.parametrize(
    "caller", ["anonymous", "Anonymous", "+266696687", "Restricted", "", "client:alice"]
)
def test_a_withheld_number_is_told_it_cannot_be_texted(
    app: Flask, outbox: Outbox, caller: str
) -> None:
    call = new_call(app, caller)
    call.start()
    assert "Tuesday Night at the Library" in call.press("1")  # everything else works
    said = call.press("4")
    assert said.startswith("Sorry, we can't text you: this call's number is hidden.")
    assert outbox.sent == []
    assert call.press("1").startswith("Tuesday Night at the Library.")


def test_text_me_without_an_outbound_path(call: Call, app: Flask) -> None:
    app.extensions["hrw"].outbox = None
    call.start()
    assert call.press("4").startswith("Sorry, we can't send texts right now.")


# --- state, privacy, faults --------------------------------------------------------------


def test_calls_keep_their_own_state_and_leave_a_texting_conversation_alone(
    app: Flask, r: redis.Redis
) -> None:
    phone = Phone(app.test_client(), NUMBER, TOKEN, PUBLIC_URL)
    phone.text("MEETINGS 94607")
    first, second = new_call(app), new_call(app)
    first.start()
    second.start()
    first.press("1")
    first.press("6")
    second.press("1")
    assert first.press("1").startswith("Online Lunch Break. Thursday")
    assert second.press("1").startswith("Tuesday Night at the Library.")
    assert phone.text("1").startswith("Reunion de Oakland")  # the text conversation's list


def test_nothing_stored_names_the_caller_or_keeps_what_was_said(call: Call, r: redis.Redis) -> None:
    call.start()
    call.say("my secret words about my life")
    call.say("meetings")
    call.press("1")
    dump = b" ".join(k + b" " + repr(r.dump(k)).encode() for k in r.keys("*"))
    assert b"5550123" not in dump and b"secret words" not in dump and b"SECRET" not in dump
    assert call.sid.encode() not in dump
    (key,) = r.keys(keys.voice_session("*"))
    assert 3500 <= r.ttl(key) <= 3600


def test_an_internal_fault_still_answers_with_an_apology(
    call: Call, app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    call.start()

    def broken() -> None:
        raise RuntimeError("directory unavailable")

    monkeypatch.setattr(app.extensions["hrw"].directory, "load", broken)
    said = call.press("1")
    assert call.ended and said.startswith("Sorry, our line is having trouble right now.")
    assert "talk with the host at any meeting" in said


def test_the_store_going_away_mid_call_still_gets_valid_twiml(
    call: Call, app: Flask, tmp_path: object
) -> None:
    call.start()
    services = app.extensions["hrw"]
    dead = redis.Redis(unix_socket_path=f"{tmp_path}/nothing.sock", socket_timeout=0.5)
    services.redis, services.directory = dead, DirectoryStore(dead)
    assert call.press("1").startswith("Sorry, our line is having trouble right now.")
    assert call.ended
    assert "Hi, this is the Harm Reduction Works-HRW" in new_call(app).start()  # no store needed


def test_voices_are_configurable(redis_url: str) -> None:
    app = create_app(
        {
            "REDIS_URL": redis_url,
            "HRW_VOICE_EN": "Polly.Matthew-Neural",
            "HRW_VOICE_ES": "Polly.Miguel",
            "clock": lambda: NOW,
        }
    )
    call = Call(app.test_client(), None, "http://localhost")
    call.start()
    assert {s.get("voice") for s in call.says()} == {"Polly.Matthew-Neural", "Polly.Miguel"}
    with pytest.raises(ConfigError, match="HRW_VOICE_ES"):
        create_app({"REDIS_URL": redis_url, "HRW_VOICE_ES": "Polly Lupe<>"})


def test_without_a_public_url_actions_are_paths(redis_url: str) -> None:
    app = create_app({"REDIS_URL": redis_url, "clock": lambda: NOW})
    call = Call(app.test_client(), None, "http://localhost")
    call.start()
    assert call.action == "/voice/main?lang=en"
    # An empty directory: said plainly, and the same menu again.
    assert call.press("1").startswith("We found no meetings in the coming week.")
    assert call.action == "/voice/main?lang=en"


# --- refused requests -----------------------------------------------------------------


@pytest.mark.parametrize(
    "change, status",
    [
        ({"signature": "bad"}, 403),
        ({"signature": None}, 403),
        ({"url": "http://localhost/voice/main?lang=en"}, 403),
        ({"url": PUBLIC_URL + "/voice/main?lang=es"}, 403),  # the query is signed too
        ({"content_type": "application/json"}, 400),
        ({"drop": "CallSid"}, 400),
        ({"CallSid": "CA../../etc"}, 400),
    ],
)
def test_malformed_or_unsigned_requests_are_refused(app: Flask, change: dict, status: int) -> None:
    params = {"CallSid": new_sid("CA"), "From": NUMBER, "Digits": "1"}
    if "drop" in change:
        params.pop(change["drop"])
    if "CallSid" in change:
        params["CallSid"] = change["CallSid"]
    path = "/voice/main?lang=en"
    signature = sign(TOKEN, change.get("url", PUBLIC_URL + path), params)
    headers = (
        {}
        if change.get("signature", "") is None
        else {"X-Twilio-Signature": change.get("signature") or signature}
    )
    client = app.test_client()
    if "content_type" in change:
        response = client.post(path, json=params, headers=headers)
    else:
        response = client.post(path, data=params, headers=headers)
    assert response.status_code == status


def test_unknown_menus_and_garbled_positions_fall_back_to_the_main_menu(call: Call) -> None:
    call.sid = new_sid("CA")
    root = call.post(PUBLIC_URL + "/voice/nowhere?lang=xx&b=abc&c=99&i=-1", Digits="0")
    gather = root.find("Gather")
    assert gather is not None and gather.get("action") == PUBLIC_URL + "/voice/main?lang=en"
    query = parse_qs(urlsplit(gather.get("action") or "").query)
    assert query == {"lang": ["en"]}
    assert ElementTree.tostring(root).count(b"<Say") == 2
