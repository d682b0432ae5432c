"""Loops and floods: the per-number budget of POST /sms, the loop sign, the line's own
number, channel senders, and the "text me" limit, through signed webhooks on a real Redis
with an injected clock."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest
import redis
from flask import Flask

from flows.gsm import is_gsm, segments
from flows.keywords import parse
from flows.texts import text
from hrw_sms.app import create_app
from hrw_sms.handlers import throttle
from hrw_sms.meetings.directory import DirectoryStore
from hrw_sms.store import coordinators, keys
from tests.conftest import PUBLIC_URL, TOKEN
from tests.feeds import feed_text
from tests.test_voice import Outbox
from tests.voice_call import Call
from tests.webhook import Phone, message_texts
from tests.worker_world import Clock

NOW = datetime.fromisoformat("2026-11-24T15:00:00-05:00")  # a Tuesday afternoon
NUMBER = "+14135550123"
LINE = "+14135550000"  # what tests.webhook.Phone texts (To)
SENDER = "+14135550001"  # TWILIO_FROM_NUMBER
NOTICE_EN = text("en", "throttled")
NOTICE_ES = "Vamos a pausar las respuestas un rato"


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def outbox() -> Outbox:
    return Outbox()


@pytest.fixture
def app(redis_url: str, clock: Clock, outbox: Outbox) -> Flask:
    DirectoryStore(redis.Redis.from_url(redis_url)).import_feed(feed_text())
    app = create_app(
        {
            "REDIS_URL": redis_url,
            "TWILIO_AUTH_TOKEN": TOKEN,
            "HRW_PUBLIC_URL": PUBLIC_URL,
            "TWILIO_FROM_NUMBER": SENDER,
            "HRW_NUMBER_HASH_KEY": "test-number-hash-key",
            "clock": clock,
        }
    )
    app.extensions["hrw"].outbox = outbox
    return app


def phone(app: Flask, number: str = NUMBER) -> Phone:
    return Phone(app.test_client(), number, TOKEN, PUBLIC_URL)


def nid(app: Flask, number: str = NUMBER) -> str:
    return app.extensions["hrw"].number_id(number)


def usage(r: redis.Redis) -> dict[str, int]:
    """The throttle's own counters of the day (the console's counters share the hash)."""
    raw = r.hgetall(keys.usage(NOW.astimezone(UTC).date()))
    return {k.decode(): int(v) for k, v in raw.items() if k.startswith((b"throttle_", b"limit_"))}


def drive(p: Phone, clock: Clock, bodies: list[str], every: float) -> list[str]:
    """Text each body, `every` seconds apart; the replies (empty string for none)."""
    replies = []
    for body in bodies:
        replies.append(p.text(body))
        clock.advance(seconds=every)
    return replies


AWAY = [f"Thanks for your message! I am away until Monday. Ref {i}" for i in range(1, 41)]


# --- the budget ---------------------------------------------------------------------


def test_an_auto_responder_gets_one_notice_then_silence_then_normal_again(
    app: Flask, clock: Clock, r: redis.Redis, caplog: pytest.LogCaptureFixture
) -> None:
    p = phone(app)
    with caplog.at_level(logging.WARNING, logger="hrw_sms.handlers.throttle"):
        replies = drive(p, clock, AWAY, every=1.5)  # 40 texts in a minute
    answered = [x for x in replies if x]
    assert len(answered) <= 21
    # The same text (folded: "Ref 1" is "Ref 2") a fifth time: the notice, then nothing.
    assert all(x and x != NOTICE_EN for x in replies[:4])
    assert replies[4] == NOTICE_EN
    assert replies[5:] == [""] * 35
    assert usage(r) == {"throttle_repeat": 1}
    (line,) = [rec.getMessage() for rec in caplog.records if "throttle" in rec.getMessage()]
    assert "repeat" in line and "+1******0123" in line and "5550123" not in line
    clock.advance(minutes=15)  # the window passes
    assert p.text("MEETINGS").startswith("Coming up:\n1.")
    assert p.text(AWAY[0]).startswith("Sorry, we didn't catch that.")


def test_more_than_twenty_texts_in_five_minutes_trip_the_budget(
    app: Flask, clock: Clock, r: redis.Redis
) -> None:
    p = phone(app)
    words = "apple pear plum fig kiwi lime date sloe yuzu nut bean corn leek kale okra"
    bodies = [f"note {a} {b}" for a in words.split() for b in ("red", "green")][:30]
    replies = drive(p, clock, bodies, every=5)  # varied texts, none answered "at once"
    assert all(x and x != NOTICE_EN for x in replies[:20])
    assert replies[20] == NOTICE_EN
    assert replies[21:] == [""] * 9
    assert usage(r) == {"throttle_budget": 1}
    clock.advance(minutes=15)
    assert p.text("MORE") != ""


def test_a_sender_answering_every_reply_at_once_is_a_loop(
    app: Flask, clock: Clock, r: redis.Redis
) -> None:
    p = phone(app)
    bodies = [f"Automatic reply {chr(65 + i)} {chr(75 + i)}" for i in range(14)]
    replies = drive(p, clock, bodies, every=1)  # each text one second after our reply
    assert all(x and x != NOTICE_EN for x in replies[:10])
    assert replies[10] == NOTICE_EN and replies[11:] == ["", "", ""]
    assert usage(r) == {"throttle_loop": 1}


def test_a_persons_hand_made_session_is_answered_in_full(
    app: Flask, clock: Clock, r: redis.Redis
) -> None:
    p = phone(app)
    session = [
        "hi",
        "MEETINGS",
        "1",
        "MORE",
        "7",
        "WELCOME",
        "AGREEMENTS",
        "MEETINGS",  # again, because a reply was slow
        "MEETINGS",
        "2",
        "thanks",
        "MEETINGS 01060",
        "3",
        "meetings online",
        "HELP",
    ]
    replies = drive(p, clock, session, every=4)  # 15 texts in a minute
    assert all(replies) and NOTICE_EN not in replies
    assert replies[3].startswith("More meetings:") and replies[11].startswith("Near 01060")
    assert usage(r) == {}


def test_ten_minutes_of_browsing_at_three_texts_a_minute_is_answered_in_full(
    app: Flask, clock: Clock, r: redis.Redis
) -> None:
    p = phone(app)
    browsing = ["MEETINGS", "2", "MORE", "8", "MEETINGS TODAY", "1", "ok", "WELCOME", "thanks"]
    replies = drive(p, clock, browsing * 3 + ["MENU", "AGREEMENTS", "cool"], every=20)
    assert all(replies) and NOTICE_EN not in replies
    assert usage(r) == {}


def test_stop_from_a_throttled_number_is_recorded_and_help_answered_once(
    app: Flask, clock: Clock, r: redis.Redis
) -> None:
    p = phone(app)
    drive(p, clock, AWAY[:6], every=1)
    assert p.text(AWAY[6]) == ""  # throttled
    help_text = p.text("HELP")
    assert help_text.startswith("Harm Reduction Works-HRW meeting line.")
    assert p.text("HELP") == "" and p.text("MEETINGS") == ""
    response = p.post("STOP")
    assert response.status_code == 200 and message_texts(response.data) == []
    assert r.sismember(keys.OPTED_OUT, nid(app))
    clock.advance(minutes=16)
    assert p.text("MEETINGS") == ""  # opted out: nothing, as ever
    assert "Welcome back" in p.text("START")


def test_forty_helps_get_at_most_twenty_one_replies(app: Flask, clock: Clock) -> None:
    # The HELP that trips the budget gets the notice (which names HELP): that is the
    # window's HELP answer, so the next HELP is silent too.
    replies = drive(phone(app), clock, ["HELP"] * 40, every=1)
    answered = [x for x in replies if x]
    assert len(answered) == 21 and answered[-1] == NOTICE_EN


@pytest.mark.parametrize("body", ["thanks", "Thank you!", "ok gracias", "OK", "Gracias 🙏"])
def test_a_repeated_thanks_is_not_a_machine(app: Flask, clock: Clock, body: str) -> None:
    replies = drive(phone(app), clock, [body] * 6, every=60)  # six in six minutes
    assert all(x and x != NOTICE_EN for x in replies)


def test_an_away_message_that_starts_with_thanks_still_trips_at_five(
    app: Flask, clock: Clock
) -> None:
    replies = drive(phone(app), clock, ["Thanks! I am away until Monday."] * 6, every=60)
    assert replies[4] == NOTICE_EN and replies[5] == ""


def test_start_is_honoured_inside_the_window(app: Flask, clock: Clock, r: redis.Redis) -> None:
    p = phone(app)
    p.text("STOP")
    assert p.text("START") != ""
    drive(p, clock, AWAY[:5], every=1)
    assert p.text("STOP") == "" and r.sismember(keys.OPTED_OUT, nid(app))
    p.text("START")
    assert not r.sismember(keys.OPTED_OUT, nid(app))


def test_an_opted_out_number_never_gets_the_notice(app: Flask, clock: Clock) -> None:
    p = phone(app)
    p.text("STOP")
    assert drive(p, clock, AWAY, every=1) == [""] * 40


def test_the_notice_is_in_the_numbers_language(app: Flask, clock: Clock) -> None:
    p = phone(app)
    p.text("ESPANOL")
    replies = drive(
        p, clock, [f"Estoy fuera de la oficina hasta el lunes. Ref {i}" for i in range(6)], every=3
    )
    assert replies[4].startswith(NOTICE_ES) and replies[5] == ""
    assert NOTICE_ES in text("es", "throttled")


def test_the_notice_follows_a_spanish_conversation_without_a_saved_choice(
    app: Flask, clock: Clock, r: redis.Redis
) -> None:
    p = phone(app)
    assert p.text("REUNIONES").startswith("Siguientes reuniones")
    assert not r.hget(keys.prefs(nid(app)), "language")
    replies = drive(p, clock, [f"Gracias por tu mensaje. Ref {i}" for i in range(6)], every=3)
    assert replies[4].startswith(NOTICE_ES)


def test_budget_state_is_per_number_expiring_and_holds_no_body(
    app: Flask, clock: Clock, r: redis.Redis
) -> None:
    p, other = phone(app), phone(app, "+14135550124")
    drive(p, clock, AWAY[:3], every=3)
    assert other.text(AWAY[0]).startswith("Sorry")  # another number has its own budget
    drive(p, clock, AWAY[3:6], every=3)
    assert other.text(AWAY[1]).startswith("Sorry")
    throttle_keys = [k for k in r.keys("hrw:throttle:*")]
    assert throttle_keys and all(0 < r.pttl(k) <= 15 * 60 * 1000 for k in throttle_keys)
    dump = b" ".join(k + b" " + repr(r.dump(k)).encode() for k in r.keys("*"))
    assert b"5550123" not in dump and b"away" not in dump.lower() and b"AWAY" not in dump
    # FORGET erases the budget state with the rest.
    clock.advance(minutes=16)
    other.text("FORGET")
    other.text("YES")
    assert not r.exists(*keys.throttle_per_number_keys(nid(app, "+14135550124")))


def test_a_retried_delivery_counts_once(app: Flask, clock: Clock) -> None:
    p = phone(app)
    for _ in range(10):
        p.post(AWAY[0], sid="SM" + "7" * 32)  # Twilio's retries of one message
    assert p.text(AWAY[1]).startswith("Sorry")


# --- the line's own number -------------------------------------------------------------


@pytest.mark.parametrize("sender", [LINE, SENDER, "whatsapp:" + LINE, "(413) 555-0000"])
def test_a_text_from_the_lines_own_number_gets_an_empty_answer(
    app: Flask, r: redis.Redis, sender: str
) -> None:
    response = phone(app, sender).post("MEETINGS")
    assert response.status_code == 200
    assert message_texts(response.data) == [] and b"<Response" in response.data
    assert not r.keys("hrw:session:*") and not r.keys("hrw:throttle:*")


# --- channels --------------------------------------------------------------------------

COORD = "+14135550900"


def test_a_whatsapp_sender_is_told_to_use_ordinary_texts_and_inherits_nothing(
    app: Flask, r: redis.Redis
) -> None:
    services = app.extensions["hrw"]
    coordinators.add(r, nid(app, COORD), COORD, "hrw-northampton")
    plain = phone(app, COORD)
    assert plain.text("MEETINGS").startswith("Coming up:")
    before = {k: r.dump(k) for k in r.keys("*")}
    channel = phone(app, "whatsapp:" + COORD)
    for body in ("BROADCAST We moved to room 3", "YES", "MEETINGS", "REMIND 1", "1", "STATUS"):
        reply = channel.text(body)
        assert reply.startswith(text("en", "channel_only")), reply
        assert "solo funciona por mensaje de texto normal" in reply
        assert is_gsm(reply) and segments(reply) <= 3
        assert "This goes to" not in reply and "Last broadcast" not in reply
    # Nothing stored or changed: not the plain number's session, roles or subscriptions,
    # and nothing of its own but the throttle's expiring counts.
    channel_id = services.number_id("whatsapp:" + COORD)
    after = {k: r.dump(k) for k in r.keys("*") if channel_id not in k.decode()}
    assert after == before
    assert set(r.keys(f"*{channel_id}*")) == {
        k.encode() for k in (keys.throttle(channel_id), keys.throttle_log(channel_id))
    }
    assert all(r.pttl(k) > 0 for k in r.keys(f"*{channel_id}*"))
    assert not r.keys(keys.session(channel_id)) and not r.keys(keys.reminders(channel_id))
    assert plain.text("2").startswith(("Valley", "Online", "Tuesday", "Reunion", "Monday"))


def test_a_channel_stop_gets_no_answer_and_opts_nobody_out(app: Flask, r: redis.Redis) -> None:
    channel = phone(app, "WhatsApp:" + NUMBER)
    response = channel.post("STOP")
    assert response.status_code == 200 and message_texts(response.data) == []
    assert r.scard(keys.OPTED_OUT) == 0
    assert phone(app, NUMBER).text("MEETINGS").startswith("Coming up:")


@pytest.mark.parametrize("sender", ["messenger:1234567890123", "whatsapp:", "rcs:agent@x"])
def test_any_channel_prefix_gets_the_channel_answer(app: Flask, sender: str) -> None:
    reply = phone(app, sender).text("hi")
    assert reply.startswith(text("en", "channel_only"))


def test_a_looping_channel_sender_is_throttled_too(app: Flask, clock: Clock) -> None:
    channel = phone(app, "whatsapp:" + NUMBER)
    replies = drive(channel, clock, AWAY, every=1.5)
    assert 0 < len([x for x in replies if x]) <= 4


# --- "text me" on a call -----------------------------------------------------------------


def text_me_from_a_new_call(app: Flask, number: str = NUMBER) -> str:
    call = Call(app.test_client(), TOKEN, PUBLIC_URL, number)
    call.start()
    return call.press("4")  # text me the meetings list, from the main menu


def test_text_me_has_a_per_number_limit(
    app: Flask, clock: Clock, outbox: Outbox, r: redis.Redis
) -> None:
    limit = throttle.ACTION_LIMITS["text_me"]
    for _ in range(limit.count):
        assert text_me_from_a_new_call(app).startswith("OK, we're texting you the list now.")
    said = text_me_from_a_new_call(app)
    assert said.startswith("We've already texted your number several times this hour")
    assert len(outbox.sent) == limit.count
    assert usage(r) == {"limit_text_me": 1}
    assert text_me_from_a_new_call(app, "+14135550124").startswith("OK")  # another number
    clock.advance(seconds=limit.window)
    assert text_me_from_a_new_call(app).startswith("OK, we're texting you the list now.")


def test_text_me_asked_again_in_one_call_counts_once(app: Flask, outbox: Outbox) -> None:
    call = Call(app.test_client(), TOKEN, PUBLIC_URL, NUMBER)
    call.start()
    for _ in range(throttle.ACTION_LIMITS["text_me"].count + 3):
        assert call.press("4").startswith("OK, we're texting you the list now.")
    assert len({message_id for _, _, message_id, _ in outbox.sent}) == 1


def test_every_throttled_action_has_a_limit_and_a_key() -> None:
    assert set(throttle.ACTION_LIMITS) == {"text_me", "talk", "sign_in_code"}
    assert set(throttle.ACTION_LIMITS) == set(keys.THROTTLED_ACTIONS)  # FORGET deletes each
    assert all(limit.count > 0 and limit.window > 0 for limit in throttle.ACTION_LIMITS.values())


# --- the pure parts ----------------------------------------------------------------------


def test_fold_drops_case_accents_digits_spaces_and_punctuation() -> None:
    assert throttle.fold("Thanks! Ref 1") == throttle.fold("thanks ref 22.") == "THANKSREF"
    assert throttle.fold("¿Qué tal?") == "QUETAL"
    assert throttle.fold("1") == throttle.fold("2") == throttle.fold("👍") == ""


@pytest.mark.parametrize(
    "body, kind",
    [
        ("STOP", "carrier"),
        ("stop all", "carrier"),
        ("START", "carrier"),
        ("HELP", "help"),
        ("ayuda", "help"),
        ("MEETINGS", "word"),
        ("meetings near san luis obispo", "word"),
        ("2", "word"),
        ("MORE", "word"),
        ("BROADCAST We moved to room 3 tonight, see you all there friends", "word"),
        ("Thanks for your message! I am away until Monday. Ref 1", "other"),
        ("Hi! I am away until Monday, back soon", "other"),
        ("I want to stop drinking", "other"),
        ("", "other"),
        ("where is it?", "other"),
    ],
)
def test_kind_of_uses_the_lines_own_words(body: str, kind: str) -> None:
    assert throttle.kind_of(parse(body)).value == kind


def test_the_limits_are_the_contracts() -> None:
    assert (throttle.BUDGET_TEXTS, throttle.BUDGET_WINDOW) == (20, 300)
    assert (throttle.REPEATS, throttle.REPEAT_WINDOW, throttle.QUIET) == (5, 600, 900)
    assert timedelta(seconds=throttle.QUIET) == timedelta(minutes=15)


# --- the real web process ------------------------------------------------------------------


def test_an_auto_responder_against_the_real_web_process(tmp_path) -> None:
    """`hrw-sms demo` in a subprocess, texted over HTTP; its demo clock passes the window."""
    from tests.test_demo import Demo, call_json

    demo = Demo(tmp_path, HRW_QUIET_HOURS="off")
    try:
        replies = [demo.text(body) for body in AWAY]  # 40 texts, well within a minute
        answered = [x for x in replies if x]
        assert len(answered) <= 21 and answered.count(NOTICE_EN) == 1
        assert replies[-10:] == [""] * 10  # silence for the window
        assert demo.text("MEETINGS") == ""
        # The line's own number, as Twilio posts it (with To).
        from urllib.request import urlopen

        form = urlencode({"From": LINE, "To": LINE, "Body": "MEETINGS"}).encode()
        with urlopen(f"http://127.0.0.1:{demo.port}/sms", data=form, timeout=5) as answer:
            assert message_texts(answer.read()) == []
        call_json(demo, "/demo/clock", {"advance_minutes": 16})
        assert demo.text("MEETINGS").startswith("Coming up:\n1. ")  # normal again
        demo.wait_for("tripped the repeat limit")
        assert (
            "+1******0123" in demo.output
            and "5550123"
            not in demo.output.replace("Body=MEETINGS", "").split("Ctrl-C stops", 1)[1]
        )
        assert demo.stop() == 0
    finally:
        if demo.process.poll() is None:
            demo.stop()


def test_a_fast_script_of_the_lines_words_and_emoji_is_answered_in_full(
    app: Flask, clock: Clock, r: redis.Redis
) -> None:
    # A person testing the line (or a tester's script) sends words at once, not in a loop;
    # emoji and blank texts all fold to nothing and are not one text sent again.
    p = phone(app)
    script = ["MEETINGS", "1", "MORE", "2", "WELCOME", "AGREEMENTS", "HELP", "MENU", "👍"]
    script += ["😀", "🙏", "", "?", "MEETINGS TODAY", "1", "MEETINGS ONLINE", "NOREMIND", "hi"]
    replies = drive(p, clock, script, every=1)  # 18 texts, each a second after the reply
    assert all(replies) and NOTICE_EN not in replies
    assert usage(r) == {}


@pytest.mark.parametrize(
    "sender",
    [
        "whatsapp+" + COORD[1:],  # a prefix with no colon
        "ｗｈａｔｓａｐｐ:" + COORD,  # full-width letters
        "whats\u200bapp:" + COORD,  # a zero-width space inside the prefix
        "\u202ewhatsapp:" + COORD,  # a bidi override before it
        "+1413555\u200b0900",  # a zero-width space inside the number itself
        "tel" + COORD,
    ],
)
def test_only_a_plain_number_is_served_as_that_number(
    app: Flask, r: redis.Redis, sender: str
) -> None:
    coordinators.add(r, nid(app, COORD), COORD, "hrw-northampton")
    before = r.scard(keys.OPTED_OUT)
    for body in ("STATUS", "MEETINGS"):
        reply = phone(app, sender).text(body)
        assert reply.startswith(text("en", "channel_only")), reply
        assert "Last broadcast" not in reply
    assert not r.keys("hrw:session:*")
    assert phone(app, sender).post("STOP").status_code == 200
    assert r.scard(keys.OPTED_OUT) == before  # nobody opted out on the plain number's behalf


def test_a_caller_id_with_look_alike_digits_is_not_a_textable_number() -> None:
    from hrw_sms.handlers.calls import textable

    assert textable("(413) 555-0900") == COORD
    assert textable("(４１３) ５５５-０９００") is None  # full-width digits
    assert textable("+1413555\u200b0900") is None
