"""The peer line by voice, as Twilio runs it: 7 in the main menu answers with a <Dial> of a
<Number url=whisper> per volunteer on shift; each volunteer's leg fetches the whisper, and
only a 1 pressed by the first volunteer is put through. Signed webhooks, real Redis, the
app on a frozen clock."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from urllib.parse import urlsplit
from xml.etree import ElementTree

import pytest
import redis as redis_lib

from hrw_sms.app import create_app
from hrw_sms.store import prefs
from tests.conftest import PUBLIC_URL, TOKEN
from tests.peer_world import TUESDAY_EVENING, USAGE, V1, V2, V3, on_shift
from tests.voice_call import ACCOUNT, Call
from tests.webhook import new_sid, sign
from tests.worker_world import SENDER, World, world_at


@pytest.fixture
def world(redis_url: str) -> Iterator[World]:
    with world_at(redis_url, TUESDAY_EVENING) as w:
        yield w


def post(world: World, url: str, form: dict[str, str]) -> ElementTree.Element:
    """A signed request to `url` (absolute, under the public URL) as Twilio makes it."""
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    headers = {"X-Twilio-Signature": sign(TOKEN, PUBLIC_URL + path, form)}
    response = world.app.test_client().post(path, data=form, headers=headers)
    assert response.status_code == 200, response.data
    assert response.mimetype == "text/xml"
    return ElementTree.fromstring(response.data)


class Leg:
    """One volunteer's phone rung by the <Dial>: Twilio fetches the <Number url> when they
    answer, then the <Gather> action with what they pressed."""

    def __init__(self, world: World, call: Call, number: ElementTree.Element) -> None:
        self.world, self.parent = world, call.sid
        self.to, self.url = (number.text or "").strip(), number.get("url") or ""
        self.sid = new_sid("CA")

    def form(self, **extra: str) -> dict[str, str]:
        return {
            "CallSid": self.sid, "ParentCallSid": self.parent, "AccountSid": ACCOUNT,
            "From": SENDER, "To": self.to, "CallStatus": "in-progress",
            "Direction": "outbound-dial", **extra,
        }  # fmt: skip

    def answer(self) -> ElementTree.Element:
        whisper = post(self.world, self.url, self.form())
        assert [c.tag for c in whisper] == ["Gather", "Hangup"]  # silence: their leg ends
        gather = whisper.find("Gather")
        assert gather is not None and gather.get("numDigits") == "1"
        assert gather.get("input") == "dtmf"
        heard = " ".join("".join(s.itertext()) for s in whisper.iter("Say"))
        assert "a call from the H R W peer line" in heard and "Press 1" in heard
        self.action = gather.get("action") or ""
        return whisper

    def press(self, digits: str) -> ElementTree.Element:
        return post(self.world, self.action, self.form(Digits=digits))


def ring(world: World) -> tuple[Call, ElementTree.Element]:
    call = Call(world.app.test_client(), TOKEN, PUBLIC_URL, number="+14135550301")
    call.start()
    heard = call.press("7")
    assert "Calling a peer for you now" in heard and "not an emergency service" in heard
    assert call.root is not None
    dial = call.root.find("Dial")
    assert dial is not None
    return call, dial


def test_seven_rings_every_volunteer_on_shift_screened_by_a_whisper(world: World) -> None:
    on_shift(world, V1, V2)
    on_shift(world, V3, day="Wed")
    call, dial = ring(world)
    assert dial.get("callerId") == "+14135550000"  # the line's own number (the call's To)
    assert 20 <= int(dial.get("timeout") or 0) <= 30
    assert (dial.get("action") or "").startswith(PUBLIC_URL + "/voice/peer/after")
    numbers = dial.findall("Number")
    assert sorted((n.text or "").strip() for n in numbers) == [V1, V2]
    assert all((n.get("url") or "").startswith(PUBLIC_URL + "/voice/peer/whisper") for n in numbers)

    # V1's voicemail answers: the greeting presses nothing, so the leg hangs up (the
    # <Hangup/> after the <Gather>); a wrong key hangs up too.
    voicemail, wrong = Leg(world, call, numbers[0]), Leg(world, call, numbers[0])
    voicemail.answer()
    wrong.answer()
    assert [c.tag for c in wrong.press("5")] == ["Hangup"]

    # Both volunteers press 1 at the same moment: one is put through, the other told.
    legs = [Leg(world, call, n) for n in numbers]
    for leg in legs:
        leg.answer()
    answers: dict[str, ElementTree.Element] = {}
    barrier = threading.Barrier(2)

    def press(leg: Leg) -> None:
        barrier.wait()
        answers[leg.to] = leg.press("1")

    threads = [threading.Thread(target=press, args=(leg,)) for leg in legs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    shapes = sorted(tuple(c.tag for c in root) for root in answers.values())
    assert shapes == [("Say",), ("Say", "Hangup")], shapes  # connects; hears it was taken
    taken = next(r for r in answers.values() if r.find("Hangup") is not None)
    assert "Someone else already took this call" in "".join(taken.itertext())

    # The bridged call ends: the Dial's action counts it and the call is over.
    after = post(world, dial.get("action") or "", {
        "CallSid": call.sid, "AccountSid": ACCOUNT, "From": call.number, "To": SENDER,
        "DialCallStatus": "completed", "DialCallDuration": "300",
    })  # fmt: skip
    assert [c.tag for c in after] == ["Hangup"]
    assert world.redis.hget(USAGE, "peer_calls_connected") == b"1"


def after_dial(world: World, call: Call, dial: ElementTree.Element, status: str) -> str:
    after = post(world, dial.get("action") or "", {
        "CallSid": call.sid, "AccountSid": ACCOUNT, "From": call.number, "To": SENDER,
        "DialCallStatus": status,
    })  # fmt: skip
    assert [c.tag for c in after] == ["Gather", "Redirect"]  # back to the main menu
    return " ".join("".join(s.itertext()) for s in after.iter("Say"))


def test_nobody_picks_up_while_on_shift_the_caller_hears_try_again_soon(world: World) -> None:
    """Volunteers are on shift but none took it: try again in a few minutes or text TALK,
    not a next shift hours away."""
    on_shift(world, V1)
    on_shift(world, V2, day="Wed")
    for status in ("no-answer", "busy", "failed"):
        call, dial = ring(world)
        heard = after_dial(world, call, dial, status)
        assert "no one could pick up just now" in heard, heard
        assert "try again in a few minutes" in heard and "text TALK" in heard
        assert "next shift" not in heard and "9 1 1" in heard
    spanish = Call(world.app.test_client(), TOKEN, PUBLIC_URL, number="+14135550302")
    spanish.start()
    spanish.press("9")
    spanish.say("hablar")
    assert spanish.root is not None
    dial = spanish.root.find("Dial")
    assert dial is not None
    heard = after_dial(world, spanish, dial, "no-answer")
    assert "nadie pudo contestar ahora" in heard and "próximo turno" not in heard


def test_nobody_takes_it_and_the_caller_hears_the_next_shift_and_the_menu(world: World) -> None:
    on_shift(world, V1)
    call, dial = ring(world)
    world.clock.advance(hours=3, minutes=1)  # the shift (to 22:00) ended while it rang
    after = post(world, dial.get("action") or "", {
        "CallSid": call.sid, "AccountSid": ACCOUNT, "From": call.number, "To": SENDER,
        "DialCallStatus": "no-answer",
    })  # fmt: skip
    heard = " ".join("".join(s.itertext()) for s in after.iter("Say"))
    assert "no peer could take the call just now" in heard
    assert "next shift starts Tuesday at 6 PM" in heard  # next week's
    assert "text TALK to this number" in heard and "9 1 1" in heard
    assert [c.tag for c in after] == ["Gather", "Redirect"]  # back to the main menu
    assert world.redis.hget(USAGE, "peer_calls_no_one") == b"1"


def test_nobody_on_shift_the_caller_hears_when_in_their_language(world: World) -> None:
    on_shift(world, V1, day="Thu")
    call = Call(world.app.test_client(), TOKEN, PUBLIC_URL)
    call.start()
    heard = call.press("7")
    assert "No peer is free right now. The next shift starts Thursday at 6 PM." in heard
    assert call.menu == "main" and "988" not in heard.replace("9 8 8", "")
    spanish = Call(world.app.test_client(), TOKEN, PUBLIC_URL, number="+14135550302")
    spanish.start()
    spanish.press("9")
    heard = spanish.say("quiero hablar")
    assert "El próximo turno empieza jueves a las seis de la tarde" in heard
    assert "HABLAR" in heard and spanish.menu == "main"


def test_redis_down_the_caller_hears_the_fallback(redis_url: str) -> None:
    from tests.fake_twilio import FakeTwilio
    from tests.worker_world import env

    with FakeTwilio() as fake:
        app = create_app(
            {**env(redis_url, fake), "redis": redis_lib.Redis(port=1, socket_connect_timeout=0.2)}
        )
        call = Call(app.test_client(), TOKEN, PUBLIC_URL)
        call.start()
        heard = call.press("7")
        assert "having trouble" in heard and call.ended


def test_each_volunteer_hears_the_whisper_in_their_language(world: World) -> None:
    on_shift(world, V1, V2)
    prefs.set_language(world.redis, world.app.extensions["hrw"].number_id(V2), "es")
    call, dial = ring(world)
    urls = {(n.text or "").strip(): n.get("url") or "" for n in dial.findall("Number")}
    assert urls[V1].endswith("lang=en") and urls[V2].endswith("lang=es")
    whisper = post(world, urls[V2], Leg(world, call, dial.findall("Number")[1]).form())
    assert "Oprime 1" in "".join(whisper.itertext())


def test_hablar_from_the_english_menu_goes_on_in_spanish(world: World) -> None:
    """A Spanish word switches the call to Spanish, as elsewhere in the voice menu."""
    on_shift(world, V1)
    call = Call(world.app.test_client(), TOKEN, PUBLIC_URL, number="+14135550303")
    call.start()
    heard = call.say("hablar")
    assert "Estamos llamando a un par" in heard and "9 1 1" in heard
    assert call.root is not None
    dial = call.root.find("Dial")
    assert dial is not None and "lang=es" in (dial.get("action") or "")
    heard = after_dial(world, call, dial, "no-answer")
    assert "nadie pudo contestar" in heard
    # "talk" keeps the call in English.
    english = Call(world.app.test_client(), TOKEN, PUBLIC_URL, number="+14135550304")
    english.start()
    assert "Calling a peer for you now" in english.say("talk")
