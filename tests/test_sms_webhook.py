"""POST /sms end to end: signed like Twilio, a real Redis, a frozen clock."""

from __future__ import annotations

import time
from datetime import datetime

import pytest
import redis
from flask import Flask

from hrw_sms.app import create_app
from hrw_sms.base.config import ConfigError
from hrw_sms.meetings.directory import DirectoryStore
from hrw_sms.store import keys
from tests.conftest import PUBLIC_URL, TOKEN
from tests.webhook import Phone, line_app, message_texts, new_sid, sign

NOW = datetime.fromisoformat("2026-11-24T15:00:00-05:00")  # a Tuesday afternoon
NUMBER = "+14135550123"


@pytest.fixture
def app(redis_url: str) -> Flask:
    return line_app(redis_url, NOW)


@pytest.fixture
def phone(app: Flask) -> Phone:
    return Phone(app.test_client(), NUMBER, TOKEN, PUBLIC_URL)


def test_newcomer_finds_a_meeting_its_welcome_and_agreements(phone: Phone) -> None:
    menu = phone.text("hi")
    assert "Harm Reduction Works-HRW" in menu and "MEETINGS" in menu
    listing = phone.text("MEETINGS")
    assert "1. Today 6pm EST Tuesday Night at the Library (Northampton)" in listing
    details = phone.text("1")
    assert "Community Room, 20 West St" in details and "Open meeting" in details
    assert "Side door after 6." in details
    assert phone.text("WELCOME").startswith("Welcome to Harm Reduction Works-HRW. This is an open")
    assert "respect" in phone.text("AGREEMENTS")


def test_spanish_choice_stays_with_the_number(phone: Phone, r: redis.Redis) -> None:
    assert "español" in phone.text("ESPANOL")
    r.delete(*r.keys(keys.session("*")))  # the conversation expires; the choice does not
    listing = phone.text("REUNIONES 94607")
    assert listing.startswith("Cerca de 94607:") and "Reunion de Oakland" in listing
    assert "Puede venir cualquier persona" in phone.text("1")  # an open meeting
    assert phone.text("BIENVENIDA").startswith("Te damos la bienvenida a Harm Reduction Works-HRW")
    assert "respeto" in phone.text("ACUERDOS")


def test_stop_silences_until_start(phone: Phone) -> None:
    phone.text("MEETINGS")
    response = phone.post("STOP")
    assert response.status_code == 200 and message_texts(response.data) == []
    assert phone.text("MEETINGS") == "" and phone.text("HELP") == ""
    assert "Welcome back" in phone.text("START")
    assert "Coming up:" in phone.text("MEETINGS")


def test_duplicate_delivery_is_acted_on_once(phone: Phone) -> None:
    sid = new_sid()
    assert phone.text("MEETINGS", sid=sid).startswith("Coming up:\n1.")
    assert phone.text("MORE").startswith("More meetings:\n6.")
    assert phone.text("MEETINGS", sid=sid) == ""  # Twilio's retry of the first message
    assert phone.text("MORE").startswith("That's the whole list")  # the list was not restarted


def test_forget_erases_the_number_but_keeps_an_opt_out(phone: Phone, r: redis.Redis) -> None:
    phone.text("ESPANOL")
    phone.text("REUNIONES")
    assert "SI" in phone.text("OLVIDAR")
    phone.text("SI")
    assert [
        k
        for k in r.keys("hrw:*")
        if not k.startswith((b"hrw:dir:", b"hrw:secret:", b"hrw:sid:", b"hrw:usage:"))
    ] == []  # the day's usage counters name nobody
    phone.text("STOP")
    phone.text("FORGET")  # ignored while opted out
    assert r.scard(keys.OPTED_OUT) == 1
    assert phone.text("MEETINGS") == ""


def test_nothing_stored_names_the_number_or_keeps_a_body(phone: Phone, r: redis.Redis) -> None:
    phone.text("my secret words about my life")
    phone.text("MEETINGS 01060")
    phone.text("STOP")
    dump = b" ".join(k + b" " + repr(r.dump(k)).encode() for k in r.keys("*"))
    assert b"5550123" not in dump and b"secret words" not in dump


def test_session_expires_after_about_an_hour(phone: Phone, r: redis.Redis) -> None:
    phone.text("MEETINGS")
    (key,) = r.keys(keys.session("*"))
    assert 3500 <= r.ttl(key) <= 3600


@pytest.mark.parametrize(
    "change, status",
    [
        ({"signature": "bad"}, 403),
        ({"signature": None}, 403),
        ({"url": "http://localhost/sms"}, 403),  # signed for the wrong URL behind a proxy
        ({"content_type": "application/json"}, 400),
        ({"drop": "From"}, 400),
        ({"From": "not a number"}, 400),
    ],
)
def test_malformed_or_unsigned_requests_are_refused(app: Flask, change: dict, status: int) -> None:
    params = {"From": NUMBER, "Body": "MEETINGS", "MessageSid": new_sid()}
    if "drop" in change:
        params.pop(change["drop"])
    if "From" in change:
        params["From"] = change["From"]
    signature = sign(TOKEN, change.get("url", PUBLIC_URL + "/sms"), params)
    headers = (
        {}
        if change.get("signature", "") is None
        else {"X-Twilio-Signature": change.get("signature") or signature}
    )
    if "content_type" in change:
        response = app.test_client().post("/sms", json=params, headers=headers)
    else:
        response = app.test_client().post("/sms", data=params, headers=headers)
    assert response.status_code == status


def test_query_string_is_part_of_the_signed_url(app: Flask) -> None:
    params = {"From": NUMBER, "Body": "HELP", "MessageSid": new_sid()}
    good = sign(TOKEN, PUBLIC_URL + "/sms?src=a", params)
    client = app.test_client()
    assert (
        client.post("/sms?src=a", data=params, headers={"X-Twilio-Signature": good}).status_code
        == 200
    )
    assert (
        client.post("/sms?src=b", data=params, headers={"X-Twilio-Signature": good}).status_code
        == 403
    )


def test_without_a_token_signatures_are_not_required(redis_url: str) -> None:
    app = create_app({"REDIS_URL": redis_url, "clock": lambda: NOW})
    phone = Phone(app.test_client(), NUMBER, None, "http://localhost")
    assert "MEETINGS" in phone.text("HELP")


def test_redis_down_still_answers_fast_with_the_fallback(tmp_path) -> None:
    app = create_app(
        {
            "REDIS_URL": f"unix://{tmp_path}/nothing.sock",
            "TWILIO_AUTH_TOKEN": TOKEN,
            "HRW_NUMBER_HASH_KEY": "test-number-hash-key",
            "HRW_PUBLIC_URL": PUBLIC_URL,
            "clock": lambda: NOW,
        }
    )
    phone = Phone(app.test_client(), NUMBER, TOKEN, PUBLIC_URL)
    started = time.monotonic()
    reply = phone.text("MEETINGS")
    assert time.monotonic() - started < 1.0
    assert "trouble" in reply and "MEETINGS" in reply and "To reach a person" in reply
    health = app.test_client().get("/healthz")
    assert health.status_code == 503 and health.json["status"] == "unavailable"
    # Someone asking for a person still reads where emergency help is, in their language.
    talk = phone.text("TALK")
    assert "trouble" in talk and "911" in talk and "988" in talk
    hablar = phone.text("HABLAR")
    assert "911" in hablar and "988" in hablar and "emergencia" in hablar
    assert "911" not in reply


def test_healthz_and_meetings_json(app: Flask) -> None:
    client = app.test_client()
    assert client.get("/healthz").json == {"status": "ok", "redis": "ok"}
    feed = client.get("/meetings.json").json
    assert {m["slug"] for m in feed} == {
        "forbes-tuesday",
        "holyoke-focused",
        "online-lunch",
        "oakland-espanol",
    }
    espanol = next(m for m in feed if m["slug"] == "oakland-espanol")
    assert espanol["group"] == "HRW en Español" and espanol["timezone"] == "America/Los_Angeles"


def test_bad_configuration_fails_with_one_line(redis_url: str) -> None:
    with pytest.raises(ConfigError) as raised:
        create_app({"REDIS_URL": redis_url, "HRW_REMINDER_MINUTES": "0"})
    assert "HRW_REMINDER_MINUTES" in str(raised.value.code) and "\n" not in str(raised.value.code)


def test_remind_subscribes_and_stop_or_forget_ends_it(phone: Phone, r: redis.Redis) -> None:
    from hrw_sms.store import subscriptions

    phone.text("MEETINGS")
    confirm = phone.text("REMIND 1")
    assert "1 hour before Tuesday Night at the Library" in confirm and "STOP" in confirm
    assert "HELP" in confirm and "HRW Northampton" in confirm
    directory = DirectoryStore(r).load()
    assert len(subscriptions.group_subscribers(r, directory, "hrw-northampton")) == 1
    assert "Tuesday Night at the Library (Northampton)*" in phone.text("MEETINGS")
    phone.text("STOP")
    assert subscriptions.group_subscribers(r, directory, "hrw-northampton") == set()
    assert r.smembers(keys.meeting_subscribers("forbes-tuesday")) == set()
    phone.text("START")
    phone.text("MEETINGS")
    phone.text("REMIND 1")
    phone.text("FORGET")
    phone.text("YES")
    assert r.smembers(keys.meeting_subscribers("forbes-tuesday")) == set()
    assert [k for k in r.keys("hrw:subs:*") if k != keys.SUBSCRIBED_MEETINGS.encode()] == []


def test_texts_from_one_number_at_the_same_moment_never_lose_the_session(app: Flask) -> None:
    import threading

    Phone(app.test_client(), NUMBER, TOKEN, PUBLIC_URL).text("MEETINGS")
    replies: list[str] = []
    barrier = threading.Barrier(3)

    def more() -> None:
        phone = Phone(app.test_client(), NUMBER, TOKEN, PUBLIC_URL)
        barrier.wait()
        replies.append(phone.text("MORE"))

    threads = [threading.Thread(target=more) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r.startswith("More meetings:\n6.") for r in replies) == 1, replies
    assert sum(r.startswith("That's the whole list") for r in replies) == 2, replies
