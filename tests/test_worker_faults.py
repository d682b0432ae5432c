"""Faults through the queues and real RQ workers: the fake Twilio API misbehaving, STOP in the
middle of a batch, retry timing. Every text goes out exactly once or ends "failed" with its
reason. In-process SimpleWorkers on the private Redis, the real twilio library over HTTP, a
controllable clock (the send_text-level cases are in test_outbound.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import redis
from rq import SimpleWorker
from rq.registry import FailedJobRegistry, ScheduledJobRegistry, StartedJobRegistry

from hrw_sms.base.config import Settings
from hrw_sms.handlers.services import Services
from hrw_sms.jobs import queues
from hrw_sms.meetings.directory import DirectoryStore
from hrw_sms.store import optouts, subscriptions
from tests.fake_twilio import AUTH_TOKEN, FakeTwilio
from tests.feeds import feed_text
from tests.worker_world import Clock, World
from workers import outbound
from workers.outbound import backoff_for, status_of
from workers.reminder_plans import plan_meeting
from workers.runtime import Runtime
from workers.twilio_client import build_client
from workers.worker import build_worker

NY = ZoneInfo("America/New_York")
NOON = datetime(2026, 11, 24, 12, 0, tzinfo=NY)  # a Tuesday; outside quiet hours (21-8)
LIBRARY = "forbes-tuesday"  # Tuesdays 18:00 New York: its reminder is due at 17:00
LUNCH = "online-lunch"  # every day 12:00 New York: reminder at 11:00
CLIENT_TIMEOUT = 0.3  # seconds the twilio client waits for an answer in these tests


class HookedTwilio(FakeTwilio):
    """The fake API, calling `on_create(to, n)` as the n-th create request (from 1) arrives,
    and noting whose messages were listed (what a worker does to settle a doubtful send)."""

    on_create: Callable[[str, int], None] | None = None

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.listed: list[str] = []

    def _create(self, request, account):  # type: ignore[no-untyped-def]
        if self.on_create is not None:
            self.on_create(request.form.get("To") or "", len(self.attempts()) + 1)
        return super()._create(request, account)

    def _list(self, request, account):  # type: ignore[no-untyped-def]
        self.listed.append(request.args.get("To") or "")
        return super()._list(request, account)


@pytest.fixture
def world(redis_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    # Each burst worker would start a pub/sub thread for RQ's remote commands and wait up to
    # a second for it at exit; these tests start hundreds of workers and send no commands.
    monkeypatch.setattr(SimpleWorker, "subscribe", lambda self: None)
    clock = Clock(NOON - timedelta(hours=3))
    with HookedTwilio(clock=clock) as fake:
        w = World(redis_url, fake, clock)  # default quiet hours, 21-8
        # The runtime World builds, with a short client timeout: a held answer
        # becomes a read timeout in 0.3 s of real time.
        settings = Settings.from_env({**w.env, "TWILIO_AUTH_TOKEN": AUTH_TOKEN})
        twilio = build_client(settings, timeout=CLIENT_TIMEOUT)
        w.runtime = Runtime(settings, w.redis, clock=clock, twilio=twilio, sleep=clock.sleep)
        DirectoryStore(w.redis).import_feed(feed_text())
        yield w


def numbers(first: int, count: int) -> list[str]:
    return [f"+1413555{n:04d}" for n in range(first, first + count)]


def services(world: World) -> Services:
    return world.app.extensions["hrw"]


def nid(world: World, number: str) -> str:
    return services(world).number_id(number)


def subscribe_all(world: World, people: list[str], *slugs: str) -> None:
    for number in people:
        for slug in slugs:
            subscriptions.subscribe(world.redis, nid(world, number), number, slug)
    for slug in slugs:
        plan_meeting(services(world), slug)


def next_scheduled(client: redis.Redis) -> datetime | None:
    """When the earliest job scheduled on any of our queues is due."""
    times = []
    for name in queues.ORDER:
        registry = ScheduledJobRegistry(name, connection=client)
        first = client.zrange(registry.key, 0, 0, withscores=True)
        if first:
            times.append(datetime.fromtimestamp(first[0][1], tz=NY))
    return min(times, default=None)


def drain(world: World, until: datetime) -> None:
    """Run the workers, moving the clock on to each scheduled job (retries, deferred texts,
    reminders) up to `until`."""
    for _ in range(500):
        world.work()
        due = next_scheduled(world.redis)
        if due is None or due > until:
            return
        world.clock.set(max(world.clock(), due))
    raise AssertionError("the queues never settled")


def assert_queues_settled(client: redis.Redis) -> None:
    """No send job queued, scheduled, running or failed at the RQ level: every one ended in our
    code (planned reminders for later may wait)."""
    for name in queues.ORDER:
        queue = queues.queue(client, name)
        assert queue.count == 0, name
        later = ScheduledJobRegistry(name, connection=client).get_job_ids()
        assert [j for j in later if not j.startswith("plan-")] == [], name
        assert StartedJobRegistry(name, connection=client).count == 0, name
        assert FailedJobRegistry(name, connection=client).count == 0, name


def send(world: World, message_id: str, to: str, kind: str = "reply") -> None:
    body = f"Test text {message_id} from HRW."
    timezone = "America/New_York" if kind in ("reminder", "bulk") else None
    assert queues.enqueue_text(world.redis, message_id, to, body, kind, timezone=timezone)


# --- a batch through every fault at once ---


def test_a_batch_through_429s_5xx_timeouts_and_bad_numbers_goes_out_once_or_fails_with_reason(
    world: World,
) -> None:
    fake = world.fake
    people = numbers(1000, 30)
    carrier_stopped = numbers(2000, 3)  # said STOP at the carrier: 21610
    invalid = numbers(3000, 2)  # 21211
    subscribe_all(world, people + carrier_stopped + invalid, LIBRARY)
    for number in carrier_stopped:
        fake.fail_number(number, 21610)
    for number in invalid:
        fake.fail_number(number, 21211)
    # In the order the fake applies them: 429s, then 5xx, then three answers held past the
    # client's timeout after Twilio made the message (the send is in doubt, not lost).
    fake.rate_limit(count=25)
    fake.server_errors(6, 500)
    fake.server_errors(4, 503)
    fake.delay(2 * CLIENT_TIMEOUT, count=3, create=True)

    everyone = people + carrier_stopped + invalid
    ids = {}
    for i, number in enumerate(everyone):
        ids[number] = queues.message_id("batch", str(i))
        send(world, ids[number], number, "reply" if i % 3 else "reminder")
    drain(world, until=world.clock() + timedelta(minutes=30))

    for number in people:
        [made] = fake.sends(number)  # exactly once, the late answers included
        record = status_of(world.redis, ids[number])
        assert record["status"] == "sent" and record["sid"] == made.sid, record
    # Three were made but answered too late: each settled by looking at Twilio's list. On a
    # loaded machine another answer can arrive past the client's timeout too, and a doubtful
    # send may be looked up twice (once at once, once after IN_FLIGHT_LIMIT): what must hold
    # is that the three held ones were looked up, every lookup was for a person, and (above)
    # nobody got two texts.
    assert len(set(fake.listed)) >= 3 and set(fake.listed) <= set(people)
    for number in carrier_stopped:
        assert fake.sends(number) == []
        assert [r.status for r in fake.attempts(number) if r.status != 429 and r.status < 500] == [
            400
        ]
        record = status_of(world.redis, ids[number])
        assert (record["status"], record["reason"], record["error_code"]) == (
            "failed",
            "opted out at the carrier",
            "21610",
        )
        assert optouts.is_opted_out(world.redis, nid(world, number))
        assert subscriptions.reminders_of(world.redis, nid(world, number)) == frozenset()
    for number in invalid:
        assert fake.sends(number) == []
        record = status_of(world.redis, ids[number])
        assert (record["status"], record["reason"], record["error_code"]) == (
            "failed",
            "invalid number",
            "21211",
        )
    # The faults were really met on the way (not skipped by luck).
    answers = [r.status for r in fake.attempts()]
    assert answers.count(429) == 25 and answers.count(500) == 6 and answers.count(503) == 4
    # The rest are untouched by the others' faults.
    for number in people:
        assert not optouts.is_opted_out(world.redis, nid(world, number))
        assert subscriptions.reminders_of(world.redis, nid(world, number)) == {LIBRARY}
    assert_queues_settled(world.redis)

    # Running the same messages again sends nothing: each one is settled.
    before = len(fake.attempts())
    for number in everyone:
        send(world, ids[number], number)  # a fresh job (the first was done and removed)
    drain(world, until=world.clock() + timedelta(minutes=5))
    assert len(fake.attempts()) == before


def test_answers_that_came_too_late_are_not_sent_again(world: World) -> None:
    """A read timeout: Twilio made the message (create=True) or lost the request before acting
    (create=False). The first kind is found on Twilio's list, the second is sent once more."""
    fake = world.fake
    made_late = numbers(1100, 4)
    lost = numbers(1200, 3)
    fake.delay(2 * CLIENT_TIMEOUT, count=len(made_late), create=True)
    for i, number in enumerate(made_late):
        send(world, queues.message_id("late", str(i)), number)
    world.work()
    fake.delay(2 * CLIENT_TIMEOUT, count=len(lost), create=False)
    for i, number in enumerate(lost):
        send(world, queues.message_id("lost", str(i)), number)
    started = world.clock()
    drain(world, until=started + timedelta(minutes=10))

    for i, number in enumerate(made_late):
        [made] = fake.sends(number)
        assert len(fake.attempts(number)) == 1  # no second POST: the list showed it
        record = status_of(world.redis, queues.message_id("late", str(i)))
        assert record["status"] == "sent" and record["sid"] == made.sid
    for i, number in enumerate(lost):
        [first, second] = fake.attempts(number)
        assert first.sid is None and second.sid is not None
        record = status_of(world.redis, queues.message_id("lost", str(i)))
        assert record["status"] == "sent" and record["sid"] == second.sid
    # The lost ones were sent again only once the first attempt was surely over.
    assert world.clock() - started >= timedelta(seconds=outbound.IN_FLIGHT_LIMIT)
    assert_queues_settled(world.redis)


# --- permanent answers ---


def test_21610_is_an_opt_out_exactly_like_stop(world: World) -> None:
    fake = world.fake
    carrier_stopped, texted_stop = "+14135552001", "+14135552002"
    others = numbers(1300, 5)
    everyone = [carrier_stopped, texted_stop, *others]
    subscribe_all(world, everyone, LUNCH, LIBRARY)
    fake.fail_number(carrier_stopped, 21610)
    world.phone(texted_stop).text("STOP")

    world.clock.set(NOON - timedelta(hours=1))  # the lunch reminders are due
    drain(world, until=world.clock() + timedelta(minutes=10))
    assert len(fake.attempts(carrier_stopped)) == 1 and fake.sends(carrier_stopped) == []
    assert fake.attempts(texted_stop) == []
    for number in others:
        assert len(fake.sends(number)) == 1

    # The same state either way: opted out, every subscription gone.
    for number in (carrier_stopped, texted_stop):
        n = nid(world, number)
        assert optouts.is_opted_out(world.redis, n)
        assert subscriptions.reminders_of(world.redis, n) == frozenset()
        assert subscriptions.number_of(world.redis, n) is None
        assert n not in subscriptions.meeting_subscribers(world.redis, LIBRARY)

    # Later texts: the library reminders at 17:00, and a reply. Neither is even tried.
    world.clock.set(datetime(2026, 11, 24, 17, 0, tzinfo=NY))
    send(world, "later:reply", carrier_stopped)
    drain(world, until=world.clock() + timedelta(minutes=10))
    assert len(fake.attempts(carrier_stopped)) == 1 and fake.attempts(texted_stop) == []
    record = status_of(world.redis, "later:reply")
    assert (record["status"], record["reason"]) == ("skipped", "opted out")
    for number in others:
        assert len(fake.sends(number)) == 2  # lunch and library
    assert_queues_settled(world.redis)


def test_an_invalid_number_fails_for_good_and_is_not_tried_again(world: World) -> None:
    fake = world.fake
    bad, good = "+14135553001", "+14135553002"
    fake.fail_number(bad, 21211)
    send(world, "first:bad", bad)
    send(world, "first:good", good)
    world.work()
    record = status_of(world.redis, "first:bad")
    assert (record["status"], record["reason"], record["error_code"]) == (
        "failed",
        "invalid number",
        "21211",
    )
    send(world, "second:bad", bad, "reminder")
    world.work()
    record = status_of(world.redis, "second:bad")
    assert (record["status"], record["reason"]) == ("skipped", "invalid number")
    assert len(fake.attempts(bad)) == 1 and len(fake.sends(good)) == 1
    assert_queues_settled(world.redis)


# --- STOP in the middle of sending ---


def test_stop_arriving_while_reminders_are_being_sent(world: World) -> None:
    """The 5th request of the fan-out carries a STOP from someone not yet texted: that person
    gets nothing, not this reminder nor any later one; everyone else gets theirs."""
    fake = world.fake
    people = numbers(1400, 20)
    subscribe_all(world, people, LIBRARY, LUNCH)
    stopped: list[str] = []

    def stop_midway(to: str, n: int) -> None:
        if n == 5:
            texted = {r.to for r in fake.attempts()} | {to}
            stopped.append(next(p for p in people if p not in texted))
            world.phone(stopped[0]).text("STOP")  # the carrier sends STOP's confirmation

    fake.on_create = stop_midway
    world.clock.set(NOON - timedelta(hours=1))
    drain(world, until=world.clock() + timedelta(minutes=10))
    fake.on_create = None
    [victim] = stopped
    assert optouts.is_opted_out(world.redis, nid(world, victim))
    assert fake.attempts(victim) == []
    assert len(fake.sends()) == len(people) - 1
    record = status_of(
        world.redis, queues.message_id("remind", f"{LUNCH}@20261124T1700Z", nid(world, victim))
    )
    assert (record["status"], record["reason"]) == ("skipped", "opted out")

    world.clock.set(datetime(2026, 11, 24, 17, 0, tzinfo=NY))  # the library reminders
    drain(world, until=world.clock() + timedelta(minutes=10))
    assert fake.attempts(victim) == []
    assert all(len(fake.sends(p)) == 2 for p in people if p != victim)
    assert_queues_settled(world.redis)


def test_reminders_go_in_batches_and_a_rerun_of_the_fan_out_adds_nothing(world: World) -> None:
    people = numbers(1600, queues.BATCH_SIZE * 2 + 7)
    subscribe_all(world, people, LUNCH)
    world.clock.set(NOON - timedelta(hours=1))
    assert world.work() == 1  # the planned fan-out, released at reminder time
    assert len(fake_sends := world.fake.sends()) == len(people)
    assert {r.to for r in fake_sends} == set(people)
    ref = f"{LUNCH}@20261124T1700Z"
    # The fan-out run again (RQ retrying it after a crash): the same batches, nothing resent.
    again = queues.queue(world.redis, queues.REMINDERS).enqueue(
        "workers.reminders.send_reminders", ref
    )
    world.work()
    assert again.return_value() == "remind: 107 of 107 queued in 3 batches"
    assert len(world.fake.sends()) == len(people)
    assert_queues_settled(world.redis)


def test_a_long_batch_makes_way_for_a_reply_then_finishes(world: World) -> None:
    """A carrier answering slowly (a second a text, on the test clock): once a reminder batch
    has run a second and a reply is queued, the batch puts the rest of itself back, the reply
    goes next, and then the rest of the batch, each text once."""
    fake = world.fake
    people = numbers(1700, 10)
    subscribe_all(world, people, LUNCH)
    asker = "+14135551799"

    def slow_carrier(to: str, n: int) -> None:
        world.clock.advance(seconds=1)
        if n == 2:  # someone asks for something while the batch is being sent
            send(world, "reply:urgent", asker)

    fake.on_create = slow_carrier
    world.clock.set(NOON - timedelta(hours=1))
    world.work()
    fake.on_create = None
    order = [r.to for r in fake.sends()]
    assert order.index(asker) <= 3  # not behind the rest of the batch
    assert sorted(order) == sorted([*people, asker])  # everyone once
    assert_queues_settled(world.redis)


def test_stop_while_a_reminder_waits_for_its_retry(world: World) -> None:
    """Every first attempt gets 429; one person texts STOP before the retries: the retry of
    their reminder is not made."""
    fake = world.fake
    people = numbers(1500, 8)
    victim = people[3]
    subscribe_all(world, people, LUNCH)
    fake.rate_limit(count=len(people))
    world.clock.set(NOON - timedelta(hours=1))
    for _ in range(2):  # the fan-out, then every first attempt, answered 429
        release_exactly(world.redis, world.clock())
        build_worker(world.runtime).work(burst=True, logging_level="WARNING")
    assert [r.status for r in fake.attempts()] == [429] * len(people)
    world.phone(victim).text("STOP")
    drain(world, until=world.clock() + timedelta(minutes=10))
    assert len(fake.attempts(victim)) == 1 and fake.sends(victim) == []
    assert all(len(fake.sends(p)) == 1 for p in people if p != victim)
    assert_queues_settled(world.redis)


# --- retry timing ---


def release_exactly(client: redis.Redis, now: datetime) -> int:
    """Move jobs due by `now` (not a second later) onto their queues."""
    released = 0
    for name in queues.ORDER:
        queue = queues.queue(client, name)
        registry = ScheduledJobRegistry(queue=queue)
        for job_id in registry.get_jobs_to_schedule(int(now.timestamp())):
            registry.remove(job_id)
            job = queue.fetch_job(job_id)
            if job is not None:
                queue.enqueue_job(job)
                released += 1
    return released


@pytest.mark.parametrize("fault", ["429", "500", "503"])
def test_retries_start_within_seconds_and_back_off_to_at_most_a_minute(
    world: World, fault: str
) -> None:
    """Read off the scheduled times of the rescheduled send jobs themselves."""
    fake, client = world.fake, world.redis
    if fault == "429":
        fake.rate_limit(count=1000)
    else:
        fake.server_errors(1000, int(fault))
    to = "+14135554001"
    send(world, "retry:me", to)
    gaps: list[float] = []
    for _ in range(outbound.MAX_ATTEMPTS + 2):
        release_exactly(client, world.clock())
        build_worker(world.runtime).work(burst=True, logging_level="WARNING")
        due = next_scheduled(client)
        if due is None:
            break
        gaps.append((due - world.clock()).total_seconds())
        world.clock.set(due)

    expected = [backoff_for(n) for n in range(1, outbound.MAX_ATTEMPTS)]
    assert expected[:7] == [1, 2, 4, 8, 16, 32, 60]
    assert gaps == expected  # the first within seconds, none over a minute
    assert len(fake.attempts(to)) == outbound.MAX_ATTEMPTS and fake.sends(to) == []
    record = status_of(client, "retry:me")
    reason = "rate limited by Twilio" if fault == "429" else f"Twilio HTTP {fault}"
    assert record["status"] == "failed"
    assert record["reason"] == f"{reason}; gave up after {outbound.MAX_ATTEMPTS}"
    assert record["error_code"] == {"429": "20429", "500": "20500", "503": "20503"}[fault]
    assert_queues_settled(client)


def test_a_retry_that_succeeds_is_recorded_once_with_its_attempts(world: World) -> None:
    fake, to = world.fake, "+14135554002"
    fake.server_errors(2, 503)
    fake.rate_limit(count=1)
    send(world, "retry:ok", to)
    started = world.clock()
    drain(world, until=started + timedelta(minutes=5))
    assert [r.status for r in fake.attempts(to)] == [429, 503, 503, 201]
    record = status_of(world.redis, "retry:ok")
    assert record["status"] == "sent" and record["attempts"] == "4"
    assert "error_code" not in record and "reason" not in record
    assert world.clock() - started <= timedelta(seconds=1 + 2 + 4)
    assert_queues_settled(world.redis)


def test_queued_jobs_describe_themselves_without_a_number_or_a_body(r: redis.Redis) -> None:
    """RQ stores a job's description and logs it at INFO: by default the call with its
    arguments, a phone number and a text among them."""
    number, body = "+14135551234", "Your meeting is at 6pm in the garden room."
    one = queues.enqueue_text(r, "reply:abc", number, body, "reply")
    batch = queues.enqueue_batch(
        r,
        "reminder",
        "remind:x",
        [("remind:x:1", number, body, "reminder", "America/New_York", None)],
    )
    for job in (one, batch):
        assert job is not None
        stored = (r.hget(job.key, "description") or b"").decode()
        assert stored and "5551234" not in stored and "garden" not in stored
