"""The arrival script (hrw_sms.handlers.arrival): one round trip that answers what POST /sms
used to ask in five, with the same rules as each owner's own call."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
import redis

from flows.keywords import parse
from hrw_sms.handlers import arrival, throttle
from hrw_sms.handlers.arrival import Outcome
from hrw_sms.handlers.conversations import read_caller
from hrw_sms.store import keys
from tests.worker_world import World, world_at

NOW = datetime.fromisoformat("2026-11-22T09:00:00-05:00")
NUMBER = "+14135550178"


@pytest.fixture
def world(redis_url: str) -> Iterator[World]:
    with world_at(redis_url, NOW, HRW_QUIET_HOURS="off") as w:
        yield w


def _services(world: World):
    return world.app.extensions["hrw"]


def _arrive(world: World, body: str, sid: str) -> arrival.Arrival:
    return arrival.arrive(_services(world), NUMBER, body, sid, parse(body))


def test_go_holds_the_conversation_and_reads_what_load_caller_reads(world: World) -> None:
    world.phone(NUMBER).text("MEETINGS")  # a session to read
    services = _services(world)
    nid = services.number_id(NUMBER)
    arrived = _arrive(world, "MORE", "SM" + "1" * 32)
    assert arrived.outcome is Outcome.GO and arrived.conversation is not None
    assert world.redis.get(keys.number_lock(nid)) is not None
    found = arrived.found
    arrived.conversation.release()
    assert world.redis.get(keys.number_lock(nid)) is None
    assert _plain(found) == _plain(read_caller(services, nid, world.clock()))


def _plain(found: list) -> list:
    return [sorted(x) if isinstance(x, list) else x for x in found]


def test_a_message_sid_is_acted_on_once(world: World) -> None:
    first = _arrive(world, "HELP", "SM" + "2" * 32)
    assert first.outcome is Outcome.GO and first.conversation is not None
    first.conversation.release()
    assert _arrive(world, "HELP", "SM" + "2" * 32).outcome is Outcome.DUPLICATE


def test_a_held_conversation_answers_busy(world: World) -> None:
    first = _arrive(world, "HELP", "SM" + "3" * 32)
    assert first.outcome is Outcome.GO
    assert _arrive(world, "MENU", "SM" + "4" * 32).outcome is Outcome.BUSY
    assert first.conversation is not None
    first.conversation.release()


def test_the_peer_line_comes_first_and_nothing_is_counted(world: World) -> None:
    services = _services(world)
    nid = services.number_id(NUMBER)
    world.redis.set(keys.peer_person(nid), "feedbeef00000000")
    before = set(world.redis.keys("*"))
    assert _arrive(world, "HELP", "SM" + "5" * 32).outcome is Outcome.PEER
    assert set(world.redis.keys("*")) == before  # no budget, usage, lock or claim


def test_the_budget_trips_as_check_text_does(world: World) -> None:
    outcomes = []
    for n in range(throttle.REPEATS):
        done = _arrive(world, "where is it?", f"SM{n:032d}")
        if done.conversation is not None:
            done.conversation.release()
        outcomes.append(done)
    assert [o.outcome for o in outcomes[:-1]] == [Outcome.GO] * (throttle.REPEATS - 1)
    assert outcomes[-1].outcome is Outcome.NOTICE
    assert outcomes[-1].decision is not None and outcomes[-1].decision.reason == "repeat"
    assert _arrive(world, "where is it?", "SM" + "9" * 32).outcome is Outcome.SILENT
    day = world.redis.hgetall(keys.usage(NOW.date()))
    assert int(day[b"texts_received"]) == throttle.REPEATS + 1
    assert int(day[b"throttle_repeat"]) == 1


def test_a_fault_while_reading_leaves_no_lock_and_no_claim(world: World) -> None:
    services = _services(world)
    nid = services.number_id(NUMBER)
    world.redis.set(keys.reminders(nid), "not a set")  # SMEMBERS fails: WRONGTYPE
    sid = "SM" + "6" * 32
    with pytest.raises(redis.ResponseError):
        _arrive(world, "HELP", sid)
    assert world.redis.get(keys.number_lock(nid)) is None
    assert world.redis.get(keys.message_sid(sid)) is None


def test_the_same_attempt_sent_twice_goes_on(world: World) -> None:
    """The web retries once after a connection lost with the command sent (WEB_RETRY): the
    arrival may then run twice. The second run finds the lock and the MessageSid claim its
    own (the attempt's token) and goes on; another attempt still finds them taken."""
    services = _services(world)
    body, sid = "HELP", "SM" + "7" * 32
    conversation, script_keys, script_args = arrival.arrival_call(
        services, NUMBER, body, sid, parse(body)
    )
    first = services.scripts(arrival.ARRIVE_SCRIPT, services.redis, script_keys, script_args)
    again = services.scripts(arrival.ARRIVE_SCRIPT, services.redis, script_keys, script_args)
    assert first[0] == again[0] == b"go"
    assert _arrive(world, body, "SM" + "8" * 32).outcome is Outcome.BUSY  # another text waits
    conversation.held = True
    conversation.release()
    assert _arrive(world, body, sid).outcome is Outcome.DUPLICATE  # another delivery of it
