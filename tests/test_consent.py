"""Consent at the moment of sending (issue 9, item 1): a broadcast to hundreds goes out at a
low HRW_SEND_RATE from real `hrw-sms worker` processes, while recipients opt down through the
signed /sms webhook (STOP, NOREMIND, NOREMIND for their one meeting of the group, FORGET).
Not one text reaches the fake Twilio API for any of them after their answer came back."""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime

import pytest
import redis

from hrw_sms.app import create_app
from hrw_sms.handlers import broadcasts
from hrw_sms.store import keys, subscriptions
from tests.conftest import PUBLIC_URL, TOKEN
from tests.fake_twilio import FakeTwilio
from tests.feeds import MEETINGS, feed_text
from tests.test_worker_process import WorkerProcess, start_worker, wait_until, worker_env
from tests.webhook import Phone
from tests.worker_world import env, world_at

__all__ = ["start_worker"]  # the fixture: `hrw-sms worker` subprocesses

GROUP = "hrw-northampton"
TUESDAY, FRIDAY = "forbes-tuesday", "forbes-friday"
SEEDED = 560  # subscribed directly (what REMIND stores)
PER_KIND = 12  # people who opt down, of each kind
RATE = "40"  # texts a second across both workers: about 16 s for the whole broadcast


def feed() -> str:
    tuesday = next(m for m in MEETINGS if m["slug"] == TUESDAY)
    friday = {**tuesday, "slug": FRIDAY, "name": "Friday Night at the Library", "day": 5}
    return feed_text([tuesday, friday])


def numbers(first: int, count: int) -> list[str]:
    return [f"+1802555{n:04d}" for n in range(first, first + count)]


def list_number(reply: str, name: str) -> str:
    """The number a MEETINGS reply gives the meeting called `name`."""
    for line in reply.splitlines():
        found = re.match(r"\s*(\d+)\W", line)
        if found and name in line:
            return found.group(1)
    raise AssertionError(f"{name!r} not in the list:\n{reply}")


def test_no_text_reaches_anyone_after_their_opt_down_was_answered(
    redis_url: str, start_worker: Callable[[dict[str, str]], WorkerProcess]
) -> None:
    client = redis.Redis.from_url(redis_url)
    with FakeTwilio() as fake:
        settings_env = env(redis_url, fake, HRW_QUIET_HOURS="off", HRW_SEND_RATE=RATE)
        app = create_app(settings_env)
        services = app.extensions["hrw"]
        services.directory.import_feed(feed())
        http = app.test_client()

        def phone(number: str) -> Phone:
            return Phone(http, number, TOKEN, PUBLIC_URL)

        seeded = numbers(0, SEEDED)
        for number in seeded:
            subscriptions.subscribe(client, services.number_id(number), number, TUESDAY)
        # Through the webhook: REMIND from the list, so NOREMIND <n> picks from it later.
        kinds = ["STOP", "NOREMIND", "NOREMIND one", "FORGET", "keeps the other meeting"]
        people = {kind: numbers(1000 + 100 * i, PER_KIND) for i, kind in enumerate(kinds)}
        picks: dict[str, str] = {}
        for kind, group in people.items():
            for number in group:
                listing = phone(number).text("MEETINGS")
                picks[number] = list_number(listing, "Tuesday Night")
                assert "Tuesday Night" in phone(number).text(f"REMIND {picks[number]}")
                if kind == "keeps the other meeting":
                    friday = list_number(phone(number).text("MEETINGS"), "Friday Night")
                    assert "Friday Night" in phone(number).text(f"REMIND {friday}")
                    picks[number] = list_number(phone(number).text("MEETINGS"), "Tuesday Night")
                else:
                    phone(number).text("MEETINGS")  # NOREMIND <n> picks from this list

        draft = broadcasts.prepare(services, GROUP, "We meet in the garden room tonight.")
        total = SEEDED + len(kinds) * PER_KIND
        assert draft.recipients == total
        bid = broadcasts.start(services, draft, actor=None, channel="cli")
        environ = worker_env(redis_url, fake, HRW_QUIET_HOURS="off", HRW_SEND_RATE=RATE)
        workers = [start_worker(environ), start_worker(environ)]
        wait_until(lambda: len(fake.sends()) >= 40, 60, "the broadcast under way", workers[0])

        # Opt down while it is being sent, one person after another; note when each answer
        # came back (the fake API notes arrivals on the same monotonic clock).
        answered: dict[str, float] = {}
        sent_before: dict[str, int] = {}
        order = [p for group in zip(*people.values(), strict=True) for p in group]
        for number in order:
            kind = next(k for k, g in people.items() if number in g)
            if kind == "STOP":
                assert phone(number).text("STOP") == ""
            elif kind == "NOREMIND":
                assert phone(number).text("NOREMIND")
            elif kind in ("NOREMIND one", "keeps the other meeting"):
                assert "Tuesday Night" in phone(number).text(f"NOREMIND {picks[number]}")
            else:
                phone(number).text("FORGET")
                assert phone(number).text("YES")
            answered[number] = time.monotonic()
            sent_before[number] = len(fake.sends(number))
            time.sleep(0.05)
        assert len(fake.sends()) < total - 30, "the opt-downs came too late to mean anything"

        def settled() -> bool:
            found = broadcasts.progress(client, bid)
            return found is not None and found.done

        wait_until(settled, 120, "every text settled", workers[0])
        time.sleep(0.5)  # nothing more arrives

        opted_down = [n for k, g in people.items() if k != "keeps the other meeting" for n in g]
        after_answer = {n: [r for r in fake.sends(n) if r.time > answered[n]] for n in opted_down}
        late = sum(len(found) for found in after_answer.values())
        before_turn = [n for n in opted_down if sent_before[n] == 0]
        print(
            f"\nbroadcast to {total} at {RATE}/s: {len(opted_down)} opted down while it was sent "
            f"({len(before_turn)} before their text went); texts that reached the API after an "
            f"opt-down was answered: {late}"
        )
        assert late == 0, {n: len(v) for n, v in after_answer.items() if v}
        assert len(before_turn) >= len(opted_down) // 2  # most were still to come
        copies = Counter(r.to for r in fake.sends())
        assert all(copies[n] == 0 for n in before_turn)
        assert all(copies[n] == 1 for n in seeded)  # everyone else exactly once
        assert all(copies[n] == 1 for n in people["keeps the other meeting"])  # still in it

        final = broadcasts.progress(client, bid)
        assert final is not None and final.done
        # FORGET erases the slot and any record: progress counts an erased recipient as
        # skipped, even one whose text had gone before (nothing says so any more).
        sent_then_erased = [n for n in people["FORGET"] if sent_before[n] > 0]
        assert final.skipped == len(before_turn) + len(sent_then_erased)
        assert final.sent == len(fake.sends()) - len(sent_then_erased)
        erased = [n.decode() for n in client.lrange(keys.broadcast_recipients(bid), 0, -1)]
        forgotten = [n for n in people["FORGET"] if sent_before[n] == 0]
        assert erased.count(keys.ERASED) == len(people["FORGET"])
        assert all(services.number_id(n) not in erased for n in forgotten)


@pytest.mark.parametrize("word", ["STOP", "NOREMIND", "FORGET"])
def test_an_opt_down_answer_waits_for_a_send_already_handed_to_twilio(
    redis_url: str, word: str
) -> None:
    """A worker past its last check raises the number's busy flag until Twilio answers: the
    opt-down's answer waits for it (at most a second), so nothing arrives after the answer."""
    client = redis.Redis.from_url(redis_url)
    with FakeTwilio() as fake:
        app = create_app(env(redis_url, fake))
        services = app.extensions["hrw"]
        services.directory.import_feed(feed())
        number = "+18025559999"
        nid = services.number_id(number)
        subscriptions.subscribe(client, nid, number, TUESDAY)
        client.set(keys.outbound_busy(nid), "1", px=600)  # a send under way
        began = time.monotonic()
        phone = Phone(app.test_client(), number, TOKEN, PUBLIC_URL)
        phone.text(word)
        if word == "FORGET":
            phone.text("YES")
        took = time.monotonic() - began
        assert took >= 0.4, took  # it waited for the flag...
        assert took < 5, took  # ...and not much longer
        assert subscriptions.reminders_of(client, nid) == frozenset()


def test_a_broadcast_held_for_quiet_hours_skips_who_opted_down_overnight(
    redis_url: str,
) -> None:
    """Held texts carry what they are about: in the morning, the one who said NOREMIND
    during the night is skipped, the held text settles, and the progress ends."""
    night = datetime.fromisoformat("2026-11-23T22:00:00-05:00")
    with world_at(redis_url, night, HRW_QUIET_HOURS="21-8") as world:
        world.redis.flushall()
        services = world.app.extensions["hrw"]
        services.directory.import_feed(feed())
        stays, leaves = "+18025550001", "+18025550002"
        for number in (stays, leaves):
            subscriptions.subscribe(world.redis, services.number_id(number), number, TUESDAY)
        draft = broadcasts.prepare(services, GROUP, "Garden room tomorrow.")
        bid = broadcasts.start(services, draft, actor=None, channel="cli")
        world.work()
        assert world.fake.sends() == []  # held until 8 AM
        assert "off" in world.phone(leaves).text("NOREMIND")
        world.clock.set(datetime.fromisoformat("2026-11-24T08:00:30-05:00"))
        world.work()
        assert len(world.texts_to(stays)) == 1 and world.texts_to(leaves) == []
        final = broadcasts.progress(world.redis, bid)
        assert final is not None and final.done and (final.sent, final.skipped) == (1, 1)
