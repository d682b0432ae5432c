"""The peer line by text, end to end: signed webhooks, the real app, real RQ workers and the
fake Twilio API over HTTP. TALK reaches the volunteers on shift, the first TAKE connects,
texts go both ways from the line's number, and nothing of what was said stays anywhere."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator

import pytest

from hrw_sms.store import keys
from tests.conftest import PUBLIC_URL, TOKEN
from tests.peer_world import GROUP, TUESDAY_EVENING, USAGE, V1, V2, V3, on_shift
from tests.webhook import Phone
from tests.worker_world import SENDER, World, world_at

PERSON, PERSON2 = "+14135550301", "+14135550302"


@pytest.fixture
def world(redis_url: str) -> Iterator[World]:
    with world_at(redis_url, TUESDAY_EVENING, HRW_QUIET_HOURS="off") as w:
        yield w


def texts(world: World, number: str) -> list[str]:
    world.work()
    return world.texts_to(number)


def code_in(offer: str) -> str:
    return offer.split("#", 1)[1][:4]


def connect(world: World, person: str, volunteer: str) -> str:
    """person asks, volunteer takes: the conversation's code."""
    assert "finding a peer" in world.phone(person).text("TALK")
    code = code_in(texts(world, volunteer)[-1])
    assert "connected" in world.phone(volunteer).text("TAKE")
    assert texts(world, person)[-1].startswith("A peer is here")
    return code


def test_talk_reaches_those_on_shift_and_the_first_take_connects(world: World) -> None:
    on_shift(world, V1, V2)
    on_shift(world, V3, day="Wed")  # not on shift now
    reply = world.phone(PERSON).text("talk")
    assert "finding a peer" in reply
    assert "not an emergency service" in reply and "911" in reply and "988" in reply
    world.work()
    for volunteer in (V1, V2):
        (offer,) = world.texts_to(volunteer)
        assert "someone would like to talk" in offer and "TAKE" in offer
        assert "0301" not in offer  # never the person's number
    assert world.texts_to(V3) == []
    code = code_in(world.texts_to(V1)[0])

    # Both volunteers answer TAKE at the same moment: exactly one is connected.
    answers: dict[str, str] = {}
    barrier = threading.Barrier(2)

    def take(number: str) -> None:
        phone = Phone(world.app.test_client(), number, TOKEN, PUBLIC_URL)
        barrier.wait()
        answers[number] = phone.text("TAKE")

    threads = [threading.Thread(target=take, args=(v,)) for v in (V1, V2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    won = [v for v, a in answers.items() if "You're connected" in a]
    lost = [v for v, a in answers.items() if "already took" in a]
    assert len(won) == 1 and len(lost) == 1, answers
    winner, loser = won[0], lost[0]
    assert f"#{code}" in answers[loser]
    assert world.phone(loser).text("TAKE").startswith("Thanks! Someone else already took")
    (connected,) = texts(world, PERSON)
    assert connected.startswith("A peer is here") and "911" in connected

    # From now on each side's texts reach the other, from the line's number.
    assert world.phone(PERSON).text("hello is anyone there") == ""
    assert texts(world, winner)[-1] == f"#{code}: hello is anyone there"
    assert world.phone(winner).text("I'm here, glad you texted") == ""
    assert texts(world, PERSON)[-1] == "I'm here, glad you texted"
    assert {r.from_ for r in world.fake.sends()} == {SENDER}
    assert texts(world, loser) == world.texts_to(loser)[:1]  # the loser hears nothing more

    assert world.phone(PERSON).text("DONE").startswith("The conversation has ended")
    assert texts(world, winner)[-1] == f"Conversation #{code} has ended. Thank you."
    # After DONE, texts are the line's ordinary business again.
    assert "MEETINGS" in world.phone(PERSON).text("hello")
    assert world.redis.hget(USAGE, "peer_text_conversations") == b"1"


def test_a_volunteer_holding_two_conversations_picks_by_code(world: World) -> None:
    on_shift(world, V1)
    first = connect(world, PERSON, V1)
    second = connect(world, PERSON2, V1)
    assert first != second
    assert "start your text with its code" in world.phone(V1).text("hi there")
    assert world.phone(V1).text(f"#{first} this is for the first") == ""
    assert world.phone(V1).text(f"#{second} and this for the second") == ""
    assert texts(world, PERSON)[-1] == "this is for the first"
    assert world.texts_to(PERSON2)[-1] == "and this for the second"
    assert world.phone(PERSON2).text("thanks") == ""
    assert texts(world, V1)[-1] == f"#{second}: thanks"
    assert world.phone(V1).text(f"DONE {first}").startswith(f"Conversation #{first} has ended")
    assert texts(world, PERSON)[-1].startswith("The conversation has ended")
    # One left: no code needed any more.
    assert world.phone(V1).text("still here?") == ""
    assert texts(world, PERSON2)[-1] == "still here?"


def test_an_hour_of_silence_ends_it_and_both_are_told(world: World) -> None:
    on_shift(world, V1)
    code = connect(world, PERSON, V1)
    world.clock.advance(minutes=40)
    assert world.phone(PERSON).text("are you there") == ""
    world.clock.advance(minutes=40)  # 80 minutes after TAKE, 40 after the last text: alive
    world.work()
    assert world.texts_to(PERSON)[-1].startswith("A peer is here")
    world.clock.advance(minutes=21)
    world.work()
    assert world.texts_to(PERSON)[-1].startswith("The conversation ended after an hour")
    assert world.texts_to(V1)[-1] == f"Conversation #{code} has ended. Thank you."
    minutes = world.redis.hget(USAGE, "peer_text_minutes")
    assert int(minutes) == 101


def test_nobody_on_shift_hears_when_the_next_shift_starts(world: World) -> None:
    on_shift(world, V1, day="Thu")
    reply = world.phone(PERSON).text("TALK")
    assert "The next shift starts Thu 12/3 6pm" in reply and "988" in reply
    reply = world.phone("+14135550309").text("HABLAR")
    assert "El siguiente turno empieza jue 3 dic 6pm" in reply
    assert "988" in reply
    world.work()
    assert world.texts_to(V1) == []
    assert world.redis.hget(USAGE, "peer_text_no_one") == b"2"


def test_an_ask_nobody_takes_ends_and_the_person_is_told(world: World) -> None:
    on_shift(world, V1)
    world.phone(PERSON).text("TALK")
    assert "still looking" in world.phone(PERSON).text("TALK")
    world.clock.advance(minutes=11)
    world.work()
    assert world.texts_to(PERSON)[-1].startswith("Sorry, no peer could take it")
    assert "No one is waiting" in world.phone(V1).text("TAKE")


def test_stop_from_the_person_ends_it_and_opts_out(world: World) -> None:
    on_shift(world, V1)
    code = connect(world, PERSON, V1)
    assert world.phone(PERSON).text("STOP") == ""
    assert texts(world, V1)[-1] == f"Conversation #{code} has ended. Thank you."
    sent_to_person = len(texts(world, PERSON))
    assert "MEETINGS" in world.phone(V1).text("are you ok?")  # the line's own answer now
    assert world.phone(PERSON).text("TALK") == ""  # opted out: silence
    assert len(texts(world, PERSON)) == sent_to_person


def test_a_volunteer_removed_mid_conversation_ends_it(world: World) -> None:
    on_shift(world, V1)
    code = connect(world, PERSON, V1)
    removed = world.cli("volunteer", "remove", V1, "--group", GROUP)
    assert removed.exit_code == 0 and "1 conversation(s) ended" in removed.output
    assert texts(world, PERSON)[-1].startswith("The conversation has ended")
    assert world.texts_to(V1)[-1] == f"Conversation #{code} has ended. Thank you."


def test_a_coordinator_volunteers_role_words_work_outside_a_relay_only(world: World) -> None:
    on_shift(world, V1)
    assert world.cli("coordinator", "add", V1, "--group", GROUP).exit_code == 0
    assert "broadcast" in world.phone(V1).text("STATUS").lower()
    code = connect(world, PERSON, V1)
    assert world.phone(V1).text("STATUS") == ""  # inside a relay: relayed
    assert texts(world, PERSON)[-1] == "STATUS"
    assert world.phone(V1).text("DONE").startswith(f"Conversation #{code}")
    assert "broadcast" in world.phone(V1).text("STATUS").lower()


def test_nothing_of_a_relay_is_logged_or_left_in_redis(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    on_shift(world, V1)
    connect(world, PERSON, V1)
    secrets = ("Zanzibarquill", "Ottolenghimoss")
    world.phone(PERSON).text(f"{secrets[0]} is what I wanted to say")
    world.phone(V1).text(f"Thank you, {secrets[1]} to you")
    world.work()
    assert any(secrets[0] in t for t in world.texts_to(V1))
    assert any(secrets[1] in t for t in world.texts_to(PERSON))
    for secret in secrets:
        assert secret not in caplog.text
        assert secret.lower() not in caplog.text.lower()
    left = []
    for key in world.redis.scan_iter(count=1000):
        kind = world.redis.type(key).decode()
        value = {
            "string": lambda k: [world.redis.get(k)],
            "hash": lambda k: [*world.redis.hkeys(k), *world.redis.hvals(k)],
            "list": lambda k: world.redis.lrange(k, 0, -1),
            "set": lambda k: list(world.redis.smembers(k)),
            "zset": lambda k: world.redis.zrange(k, 0, -1),
        }[kind](key)
        blob = b" ".join(v for v in value if v) + key
        if any(s.encode() in blob or s.lower().encode() in blob.lower() for s in secrets):
            left.append(key)
    assert left == []
    # RQ kept no job of a sent text (its arguments held the body); the one job left is the
    # conversation's idle check, which names only its code.
    assert list(world.redis.scan_iter("rq:job:send-*")) == []
    assert len(list(world.redis.scan_iter("rq:job:*"))) == 1


def test_help_names_the_peer_line_and_emergency_help(world: World) -> None:
    help_text = world.phone(PERSON).text("HELP")
    assert "text TALK" in help_text and "not an emergency service" in help_text
    assert "911" in help_text and "988" in help_text
    ayuda = world.phone(PERSON2).text("AYUDA")
    assert "escribe HABLAR" in ayuda and "911" in ayuda and "988" in ayuda


def test_a_groups_own_crisis_line_is_named_when_configured(redis_url: str) -> None:
    line = "the Valley overdose line, 413-555-0188"
    with world_at(redis_url, TUESDAY_EVENING, HRW_CRISIS_LINE=line) as world:
        assert f"Local line: {line}." in world.phone(PERSON).text("TALK")  # nobody on shift
        on_shift(world, V1)
        assert f"Local line: {line}." in world.phone(PERSON2).text("TALK")
        # ...and in every later text to them: waiting, stopped looking, ended.
        assert f"Local line: {line}." in world.phone(PERSON2).text("TALK")  # still looking
        assert f"Local line: {line}." in world.phone(PERSON2).text("DONE")  # stopped
        connect(world, "+14135550303", V1)
        assert f"Local line: {line}." in world.phone("+14135550303").text("DONE")
        connect(world, "+14135550304", V1)
        world.phone(V1).text("DONE")
        assert f"Local line: {line}." in texts(world, "+14135550304")[-1]


def test_talk_is_limited_per_number(world: World) -> None:
    for _ in range(3):
        assert "No peer is" in world.phone(PERSON).text("TALK")
    limited = world.phone(PERSON).text("TALK")
    assert limited.startswith("You asked for a peer several times") and "988" in limited


def test_an_ended_conversation_keeps_no_number(world: World) -> None:
    on_shift(world, V1)
    code = connect(world, PERSON, V1)
    world.phone(PERSON).text("DONE")
    record = {k.decode(): v.decode() for k, v in world.redis.hgetall(keys.peer_relay(code)).items()}
    assert record["state"] == "over"
    assert not any(n in v for v in record.values() for n in (PERSON, V1))
    assert 0 < world.redis.ttl(keys.peer_relay(code)) <= 600


def test_stop_from_the_volunteer_ends_it_and_the_person_is_told(world: World) -> None:
    on_shift(world, V1)
    connect(world, PERSON, V1)
    assert world.phone(V1).text("STOP") == ""
    assert texts(world, PERSON)[-1].startswith("The conversation has ended")
    assert "MEETINGS" in world.phone(PERSON).text("hello")  # not relayed any more


def test_one_open_ask_per_person_even_for_talks_at_the_same_instant(redis_url: str) -> None:
    """The check and the create are one script: a second ask while one is open is refused,
    so two TALKs at once never leave a conversation the person cannot end."""
    from concurrent.futures import ThreadPoolExecutor

    import redis as redis_lib

    from hrw_sms.store import relays

    client = redis_lib.Redis.from_url(redis_url)
    with ThreadPoolExecutor(4) as pool:
        made = list(
            pool.map(lambda _: relays.create(client, "+14135550307", "pid307", 1000), range(4))
        )
    assert sum(r is not None for r in made) == 1
    (open_one,) = [r for r in made if r is not None]
    assert relays.end(client, open_one, 1001) == "asked"
    assert relays.create(client, "+14135550307", "pid307", 1002) is not None  # ended: anew


def _safe(said: str) -> bool:
    return "911" in said and "988" in said


# Every peer-line text that goes to the person asking (the volunteers' texts are theirs).
PERSON_KEYS = ("peer_asked", "peer_connected_person", "peer_none", "peer_none_ever",
               "peer_waiting", "peer_nobody_took", "peer_cancelled", "peer_done",
               "peer_idle", "peer_limit")  # fmt: skip


def test_every_text_to_the_person_carries_the_safety_words(world: World) -> None:
    from flows.texts import template

    for language in ("en", "es"):
        for key in PERSON_KEYS:
            assert "{safety}" in template(language, key), (language, key)
    on_shift(world, V1)
    # Asked, asked again while waiting, then stopped looking.
    world.phone(PERSON).text("TALK")
    waiting = world.phone(PERSON).text("TALK")
    assert "still looking" in waiting and _safe(waiting)
    cancelled = world.phone(PERSON).text("DONE")
    assert cancelled.startswith("OK, we stopped looking") and _safe(cancelled)
    # Ended by the person, by the volunteer, and by an hour of silence.
    # (each by another person: TALK is limited to 3 an hour per number)
    p3, p4, p5 = "+14135550303", "+14135550304", "+14135550305"
    connect(world, p3, V1)
    done = world.phone(p3).text("DONE")
    assert done.startswith("The conversation has ended") and _safe(done)
    connect(world, p4, V1)
    world.phone(V1).text("DONE")
    told = texts(world, p4)[-1]
    assert told.startswith("The conversation has ended") and _safe(told)
    connect(world, p5, V1)
    world.clock.advance(minutes=61)
    told = texts(world, p5)[-1]
    assert told.startswith("The conversation ended after an hour") and _safe(told)
    # In Spanish too.
    world.phone(PERSON2).text("HABLAR")
    code_in(texts(world, V1)[-1])
    world.phone(V1).text("TAKE")
    cerrada = world.phone(PERSON2).text("LISTO")
    assert cerrada.startswith("Se cierra la charla") and _safe(cerrada)


def test_a_spanish_speaking_volunteer_is_told_the_spanish_words(world: World) -> None:
    world.phone(V1).text("ESPANOL")
    on_shift(world, V1)
    world.phone(PERSON).text("TALK")
    offer = texts(world, V1)[-1]
    assert "Responde TOMAR" in offer and "TAKE" not in offer
    connected = world.phone(V1).text("TOMAR")
    assert connected.startswith("Conectado") and "Escribe LISTO" in connected
    assert "DONE" not in connected
    assert world.phone(V1).text("LISTO").startswith("Se cierra la charla")
    # The English words still work for them.
    world.phone(PERSON2).text("TALK")
    assert world.phone(V1).text("TAKE").startswith("Conectado")
    assert world.phone(V1).text("DONE").startswith("Se cierra la charla")


def test_taking_a_second_conversation_says_two_are_held_and_to_use_the_code(
    world: World,
) -> None:
    on_shift(world, V1)
    first = connect(world, PERSON, V1)
    world.phone(PERSON2).text("TALK")
    second = code_in(texts(world, V1)[-1])
    connected = world.phone(V1).text("TAKE")
    assert connected.startswith(f"You're connected (#{second})")
    assert "You now hold 2 conversations" in connected and f"#{second}" in connected
    assert first != second
    world.phone(V1).text(f"DONE {first}")
    world.phone("+14135550303").text("TALK")
    third = code_in(texts(world, V1)[-1])
    again = world.phone(V1).text("TAKE")  # one held again, then two
    assert f"#{third}" in again and "You now hold 2 conversations" in again


def test_a_fast_conversation_is_never_silenced_by_the_flood_budget(world: World) -> None:
    """Thirty short texts in a few minutes, each answered at once, is people talking: every
    one is relayed, none gets the 'we'll be quiet' notice (the budget is for loops)."""
    on_shift(world, V1)
    connect(world, PERSON, V1)
    person, volunteer = world.phone(PERSON), world.phone(V1)
    for i in range(30):
        assert person.text(f"ok {i}") == ""  # relayed: nothing back to the sender
        assert volunteer.text(f"yes {i}") == ""
        world.clock.advance(seconds=5)
    assert [t for t in texts(world, V1) if t.endswith(": ok 29")]
    assert texts(world, PERSON)[-1] == "yes 29"
    assert world.redis.hget(USAGE, "throttle_budget") is None


def test_a_bot_repeating_talk_is_throttled_like_any_loop(world: World) -> None:
    """TALK keeps its own limit (3 an hour) and the flood budget too: an auto-responder that
    answers every reply with TALK does not get an answer without end."""
    on_shift(world, V1)
    bot = world.phone("+14135550399")
    replies = []
    for _ in range(40):
        replies.append(bot.text("TALK"))
        world.clock.advance(seconds=1)
    assert sum(1 for r in replies if r) <= 21
    assert replies[-1] == ""
